package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/klauspost/compress/zip"
)

// Binary is an opened file to be parsed in place: a section of the archive, an inflated copy
// in memory or in a spill file, or the file itself for a directory input.
type Binary interface {
	io.ReaderAt
	Size() int64
	Close() error
}

// errClosed is returned by reads after Close.
var errClosed = errors.New("input already closed")

// unlinkEarly removes a spill file from its directory as soon as it is created, so that
// nothing is left behind even if the process is killed; where the system refuses (an open
// file on Windows), the file is removed on Close. Tests turn it off to check that path.
var unlinkEarly = true

// ReadFile returns the content of the file at p (links followed), or an error if it is larger
// than max bytes (or than MaxFileSize), refused, or unreadable.
func (s *Source) ReadFile(p string, max int64) (data []byte, err error) {
	defer s.recoverInto(p, "reading", &err)
	if s.isClosed() {
		return nil, s.pathError(p, "reading", errClosed)
	}
	f, n, err := s.lookup(p)
	if err != nil {
		return nil, s.pathError(p, "reading", err)
	}
	limit := min(max, s.lim.MaxFileSize)
	if f.Size > limit {
		return nil, s.pathError(p, "reading", tooLarge(f.Size, limit))
	}
	if n.zf != nil {
		data, err = s.readZipFull(n.zf, n.size)
		if err != nil {
			return nil, s.pathError(p, "reading", err)
		}
		return data, nil
	}
	file, size, err := s.openDirFile(f.Real)
	if err != nil {
		return nil, s.pathError(p, "reading", err)
	}
	defer file.Close()
	if size > limit {
		return nil, s.pathError(p, "reading", tooLarge(size, limit))
	}
	data, err = io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, s.pathError(p, "reading", err)
	}
	if int64(len(data)) > limit {
		return nil, s.pathError(p, "reading", fmt.Errorf("grew while being read: %w", tooLarge(int64(len(data)), limit)))
	}
	return data, nil
}

func tooLarge(size, limit int64) error {
	return fmt.Errorf("%d bytes, over the limit of %d: %w", size, limit, ErrTooLarge)
}

// OpenBinary opens the file at p (links followed) for reading in place. A stored zip entry is
// a section of the archive file (no copy); a compressed one is inflated into memory up to
// SpillThreshold, above it into a private temporary file that Close removes. For a directory
// input the file itself is returned. The caller must Close the Binary.
func (s *Source) OpenBinary(p string) (b Binary, err error) {
	defer s.recoverInto(p, "opening", &err)
	if s.isClosed() {
		return nil, s.pathError(p, "opening", errClosed)
	}
	f, n, err := s.lookup(p)
	if err != nil {
		return nil, s.pathError(p, "opening", err)
	}
	if f.Size > s.lim.MaxFileSize {
		return nil, s.pathError(p, "opening", tooLarge(f.Size, s.lim.MaxFileSize))
	}
	switch {
	case n.zf != nil && n.stored:
		sec, err := s.storedSection(n.zf)
		if err != nil {
			return nil, s.pathError(p, "opening", err)
		}
		return nopCloser{sec}, nil
	case n.zf != nil && n.size <= s.lim.SpillThreshold:
		data, err := s.readZipFull(n.zf, n.size)
		if err != nil {
			return nil, s.pathError(p, "inflating", err)
		}
		return nopCloser{bytes.NewReader(data)}, nil
	case n.zf != nil:
		b, err := s.spill(n.zf, n.size)
		if err != nil {
			return nil, s.pathError(p, "inflating to a temporary file", err)
		}
		return b, nil
	}
	file, size, err := s.openDirFile(f.Real)
	if err != nil {
		return nil, s.pathError(p, "opening", err)
	}
	if size > s.lim.MaxFileSize {
		file.Close()
		return nil, s.pathError(p, "opening", tooLarge(size, s.lim.MaxFileSize))
	}
	return &fileBinary{File: file, size: size}, nil
}

type sizedReaderAt interface {
	io.ReaderAt
	Size() int64
}

// nopCloser is a Binary with nothing to release.
type nopCloser struct{ sizedReaderAt }

func (nopCloser) Close() error { return nil }

type fileBinary struct {
	*os.File
	size int64
}

func (f *fileBinary) Size() int64 { return f.size }

// spillFile is an entry inflated into a private temporary file.
type spillFile struct {
	f       *os.File
	name    string
	size    int64
	removed bool
	s       *Source
	once    sync.Once
	err     error
}

func (sf *spillFile) ReadAt(p []byte, off int64) (int, error) { return sf.f.ReadAt(p, off) }
func (sf *spillFile) Size() int64                             { return sf.size }

// Close closes and removes the file.
func (sf *spillFile) Close() error {
	sf.s.mu.Lock()
	delete(sf.s.spills, sf)
	sf.s.mu.Unlock()
	return sf.release()
}

func (sf *spillFile) release() error {
	sf.once.Do(func() {
		sf.err = sf.f.Close()
		if !sf.removed {
			if err := os.Remove(sf.name); err != nil && !errors.Is(err, os.ErrNotExist) {
				sf.err = errors.Join(sf.err, err)
			}
		}
	})
	return sf.err
}

// spill inflates a zip entry into a new temporary file (mode 0600) in TempDir.
func (s *Source) spill(zf *zip.File, size int64) (Binary, error) {
	tmp, err := os.CreateTemp(s.lim.TempDir, "sdkflow-spill-*")
	if err != nil {
		return nil, err
	}
	sf := &spillFile{f: tmp, name: tmp.Name(), size: size, s: s}
	if unlinkEarly && os.Remove(tmp.Name()) == nil {
		sf.removed = true
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		sf.release()
		return nil, errClosed
	}
	if s.spills == nil {
		s.spills = map[*spillFile]struct{}{}
	}
	s.spills[sf] = struct{}{}
	s.mu.Unlock()

	rc, err := s.openZipEntry(zf)
	if err != nil {
		sf.Close()
		return nil, err
	}
	defer rc.Close()
	// Hide the file's ReadFrom, which would copy through a small buffer.
	written, err := io.CopyBuffer(struct{ io.Writer }{tmp}, io.LimitReader(rc, size), make([]byte, 1<<20))
	if err == nil && written < size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		sf.Close()
		return nil, describeReadError(err)
	}
	if err := expectEOF(rc); err != nil {
		sf.Close()
		return nil, err
	}
	return sf, nil
}

func (s *Source) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// recoverInto turns a panic met while reading outside input into an error.
func (s *Source) recoverInto(p, doing string, err *error) {
	if r := recover(); r != nil {
		*err = s.pathError(p, doing, fmt.Errorf("internal error: %v", r))
	}
}
