// Package bundle reads an iOS app input (an .ipa or any zip of a bundle, an .app, .xcarchive,
// .framework or .xcframework directory) read-only and within bounds. It lists the input's
// bundles and files with clean slash paths, reads files with a size bound, and opens binaries
// as io.ReaderAt without unpacking anything to disk: a stored zip entry is read in place, a
// compressed one is inflated into memory, or, when it is large, into a private temporary file
// that is removed when it is closed.
//
// Hostile input is normal input here. Entries with unsafe or clashing names, links that leave
// the input or loop, entries that overlap or inflate beyond the limits are refused one by one
// and listed by Problems; the rest of the input stays readable.
//
// Paths inside a Source are relative to the input's root, slash-separated and clean. For an
// archive the root is the zip root (Payload/Zoomlike.app/Info.plist). For a directory input
// paths start with the directory's own name (Zoomlike.app/Info.plist), so that a zipped and an
// unzipped copy of the same bundle give the same paths.
package bundle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zip"

	"github.com/sdkflow/sdkflow/model"
)

// Input kinds (Source.Kind), as model.Input.Kind names them.
const (
	KindIPA         = "ipa"
	KindApp         = "app"
	KindXCArchive   = "xcarchive"
	KindFramework   = "framework"
	KindXCFramework = "xcframework"
)

// Source is one opened input. Its methods are safe for concurrent use.
type Source struct {
	// Path is the input path as given to Open.
	Path string
	// Kind is ipa, app, xcarchive, framework or xcframework. A zip holding an .app, a
	// .framework, an .xcframework or an .xcarchive has the kind of what it holds.
	Kind string
	// Root is the path of the outermost bundle: Payload/Zoomlike.app for an .ipa,
	// Zoomlike.xcarchive/Products/Applications/Zoomlike.app for an archive directory.
	Root string

	lim      Limits
	tree     *tree
	files    []File
	bundles  []Bundle
	problems []model.Error
	dropped  int // problems beyond maxProblems

	// Archive inputs.
	zipFile  *os.File
	zipSize  int64
	zip      *zip.Reader
	inflated atomic.Int64

	// Directory inputs.
	dir *os.Root

	mu     sync.Mutex
	spills map[*spillFile]struct{}
	closed bool
}

// File is one regular file in the input, or a symbolic link that resolves to one.
type File struct {
	Path string
	// Size is the file's size once inflated.
	Size int64
	// CompressedSize is the bytes the file takes in the archive (Size for a directory input).
	CompressedSize int64
	// Stored is true when the bytes are kept uncompressed (a stored zip entry, or any file of a
	// directory input): OpenBinary then reads them in place.
	Stored bool
	// Link is the link's target text when Path is a symbolic link, "" otherwise.
	Link string
	// Real is the path of the regular file that Path resolves to: Path itself unless a link
	// is involved.
	Real string
}

// Bundle is one bundle directory in the input.
type Bundle struct {
	Path string
	// Kind is one of model.BundleApp, BundleFramework, BundleExtension, BundleWatchApp,
	// BundleResource, BundleXCFramework.
	Kind string
	// Parent is the path of the nearest enclosing bundle, "" for an outermost one.
	Parent string
	// InfoPlist and PrivacyManifest are paths of the bundle's own files, "" when absent. A
	// framework may keep them under Resources/ or Versions/Current/Resources/; the path is
	// the one that exists, and may go through a link (ReadFile resolves it).
	InfoPlist       string
	PrivacyManifest string
	// Binaries are candidate Mach-O files that belong to this bundle and not to a nested one:
	// the file named after the bundle, *.dylib and *.a files, and any extension-less file whose
	// first bytes are a Mach-O, fat or ar magic when that is cheap to see (directory inputs,
	// stored zip entries). Paths that resolve to the same file are listed once. Candidates are
	// not verified: a reader must accept that some are not Mach-O at all.
	Binaries []string
}

// Open opens an input read-only. It fails, with an error naming the file and the reason, only
// when nothing can be read; entries it refuses are listed by Problems.
func Open(path string, lim Limits) (src *Source, err error) {
	s := &Source{Path: path, lim: lim.withDefaults()}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: unreadable input (internal error: %v)", path, r)
		}
		if err != nil {
			s.Close()
			src = nil
		}
	}()
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot open: %w", path, unwrapPathError(err))
	}
	switch {
	case fi.IsDir():
		err = s.openDir()
	case fi.Mode().IsRegular():
		err = s.openZip(fi.Size())
	default:
		err = fmt.Errorf("%s: not a regular file or directory (%s): %w", path, fi.Mode().Type(), ErrUnknownKind)
	}
	if err != nil {
		return nil, err
	}
	if err := s.layout(); err != nil {
		return nil, err
	}
	return s, nil
}

// Bundles returns every bundle, sorted by path (so an enclosing bundle comes before the ones
// it holds).
func (s *Source) Bundles() []Bundle {
	out := make([]Bundle, len(s.bundles))
	for i, b := range s.bundles {
		b.Binaries = slices.Clone(b.Binaries)
		out[i] = b
	}
	return out
}

// Files returns every regular file, and every symbolic link that resolves to one, sorted by
// path. Links to directories are not expanded (that would list a framework's Versions/A twice,
// or a looping tree forever); Stat, ReadFile and OpenBinary follow them.
func (s *Source) Files() []File { return slices.Clone(s.files) }

// Stat returns the file at p, following links inside the input. ok is false for a path that
// does not exist, is refused, or is not a regular file.
func (s *Source) Stat(p string) (File, bool) {
	f, _, err := s.lookup(p)
	return f, err == nil
}

// Problems returns the entries refused or unreadable when the input was opened, each with its
// path and the reason, in stage "bundle".
func (s *Source) Problems() []model.Error {
	out := slices.Clone(s.problems)
	if s.dropped > 0 {
		out = append(out, model.Error{Path: s.Path, Stage: "bundle",
			Message: fmt.Sprintf("%d more problems not listed", s.dropped)})
	}
	return out
}

// Close releases the input and removes every spill file. Binaries still open become unusable.
func (s *Source) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	spills := s.spills
	s.spills = nil
	s.closed = true
	s.mu.Unlock()
	var errs []error
	for sf := range spills {
		errs = append(errs, sf.release())
	}
	if s.zipFile != nil {
		errs = append(errs, s.zipFile.Close())
	}
	if s.dir != nil {
		errs = append(errs, s.dir.Close())
	}
	return errors.Join(errs...)
}

// problem records a refused or unreadable entry.
func (s *Source) problem(p, format string, args ...any) {
	if len(s.problems) >= maxProblems {
		s.dropped++
		return
	}
	s.problems = append(s.problems, model.Error{Path: printable(p), Stage: "bundle", Message: fmt.Sprintf(format, args...)})
}

// lookup resolves p to a regular file.
func (s *Source) lookup(p string) (File, *node, error) {
	clean, _, reason := checkName(p)
	if reason != "" {
		return File{}, nil, fmt.Errorf("invalid path: %s: %w", reason, fs.ErrInvalid)
	}
	real, n, err := s.tree.resolve(clean)
	if err != nil {
		return File{}, nil, err
	}
	if n.kind != kindFile {
		return File{}, nil, ErrNotFile
	}
	f := File{Path: clean, Size: n.size, CompressedSize: n.csize, Stored: n.stored, Real: real}
	if own := s.tree.nodes[clean]; own != nil && own.kind == kindLink {
		f.Link = own.target
	}
	return f, n, nil
}

// pathError formats an error about a path inside the input, in one line.
func (s *Source) pathError(p, doing string, err error) error {
	return fmt.Errorf("%s: %s: %s: %w", s.Path, printable(p), doing, err)
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
