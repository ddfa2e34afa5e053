package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/flate"
)

// zipTime is every entry's timestamp: fixed, so the archive depends on its contents only.
var zipTime = time.Date(2020, time.March, 27, 0, 0, 0, 0, time.UTC)

// deflateLevel is fixed; the compressor comes from a module pinned in go.mod (not the Go
// toolchain's compress/flate), so the bytes do not change with the Go version.
const deflateLevel = 6

// entry is one file of the app: its content in memory or in a file on disk.
type entry struct {
	name string
	mode fs.FileMode
	data []byte
	file string
}

// writeZip writes entries (plus their parent directories) sorted by name, with fixed
// timestamps and modes, deflated unless a stored pattern matches.
func writeZip(w io.Writer, entries []entry, stored []string) error {
	byName := map[string]entry{}
	for _, e := range entries {
		if _, dup := byName[e.name]; dup {
			return fmt.Errorf("%s: two files at the same path", e.name)
		}
		if _, isDir := byName[e.name+"/"]; isDir {
			return fmt.Errorf("%s: %s is both a file and a directory", e.name, e.name)
		}
		byName[e.name] = e
		for dir := path.Dir(e.name); dir != "." && dir != "/"; dir = path.Dir(dir) {
			if _, isFile := byName[dir]; isFile {
				return fmt.Errorf("%s: %s is both a file and a directory", e.name, dir)
			}
			byName[dir+"/"] = entry{name: dir + "/", mode: fs.ModeDir | 0o755}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)

	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, deflateLevel)
	})
	for _, n := range names {
		e := byName[n]
		if err := writeEntry(zw, e, isStored(n, stored)); err != nil {
			return fmt.Errorf("%s: writing zip entry: %w", n, err)
		}
	}
	return zw.Close()
}

func isStored(name string, patterns []string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
		if ok, _ := path.Match(p, path.Base(name)); ok {
			return true
		}
	}
	return false
}

func writeEntry(zw *zip.Writer, e entry, store bool) error {
	fh := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: zipTime}
	fh.SetMode(e.mode)
	if strings.HasSuffix(e.name, "/") {
		fh.Method = zip.Store
		_, err := zw.CreateHeader(fh)
		return err
	}
	if !store && e.file != "" {
		// Small files are decided like in-memory ones below.
		if st, err := os.Stat(e.file); err == nil && st.Size() <= smallFile {
			data, err := os.ReadFile(e.file)
			if err != nil {
				return err
			}
			e.data, e.file = data, ""
		}
	}
	if !store && e.file == "" && !deflateHelps(e.data) {
		// Like zip tools, store what deflate would not shrink.
		store = true
	}
	open := func() (io.ReadCloser, error) {
		if e.file != "" {
			return os.Open(e.file)
		}
		return io.NopCloser(strings.NewReader(string(e.data))), nil
	}
	if store {
		// Stored entries carry their sizes and CRC up front (no data descriptor), as zip tools
		// write them; this needs one pass to measure.
		r, err := open()
		if err != nil {
			return err
		}
		h := crc32.NewIEEE()
		n, err := io.Copy(h, r)
		r.Close()
		if err != nil {
			return err
		}
		fh.Method = zip.Store
		// CreateRaw leaves the MS-DOS time fields to the caller.
		fh.ModifiedDate, fh.ModifiedTime = msDosTime(zipTime)
		fh.CRC32 = h.Sum32()
		fh.CompressedSize64, fh.UncompressedSize64 = uint64(n), uint64(n)
		w, err := zw.CreateRaw(fh)
		if err != nil {
			return err
		}
		return copyFrom(w, open)
	}
	w, err := zw.CreateHeader(fh)
	if err != nil {
		return err
	}
	return copyFrom(w, open)
}

// smallFile is the size up to which a file is compressed in memory first to see whether
// deflate shrinks it.
const smallFile = 1 << 20

func deflateHelps(data []byte) bool {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, deflateLevel)
	w.Write(data)
	w.Close()
	return buf.Len() < len(data)
}

func copyFrom(w io.Writer, open func() (io.ReadCloser, error)) error {
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(w, r)
	return err
}

func msDosTime(t time.Time) (date, clock uint16) {
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	clock = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, clock
}
