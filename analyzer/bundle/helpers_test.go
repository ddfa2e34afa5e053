package bundle

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/flate"
)

// entry describes one zip entry for buildZip.
type entry struct {
	name   string
	body   []byte
	store  bool   // zip.Store instead of zip.Deflate
	link   string // a symbolic link to this target (body ignored)
	method uint16 // overrides store when non-zero
	flags  uint16
}

func file(name, body string) entry { return entry{name: name, body: []byte(body)} }

func stored(name string, body []byte) entry { return entry{name: name, body: body, store: true} }

func deflated(name string, body []byte) entry { return entry{name: name, body: body} }

func link(name, target string) entry { return entry{name: name, link: target} }

func dir(name string) entry { return entry{name: name} } // name ends with "/"

// buildZip writes entries with the standard library's writer.
func buildZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Flags: e.flags}
		body := e.body
		switch {
		case e.link != "":
			h.SetMode(fs.ModeSymlink | 0o777)
			body = []byte(e.link)
		case strings.HasSuffix(e.name, "/"):
			h.SetMode(fs.ModeDir | 0o755)
			h.Method = zip.Store
		default:
			h.SetMode(0o644)
		}
		if e.store {
			h.Method = zip.Store
		}
		if e.method != 0 {
			h.Method = e.method
		}
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawEntry is one entry for rawZip, which writes exactly what it is told: sizes, offsets
// and all, so that tests can lie the way hostile archives do.
type rawEntry struct {
	name      string
	method    uint16
	data      []byte // bytes as stored (already compressed for deflate)
	crc       uint32
	usize     uint32 // declared uncompressed size
	csize     uint32 // declared compressed size; len(data) when 0
	headerAt  int    // index of the entry whose local header the directory points at; -1 for its own
	extAttrs  uint32
	flags     uint16
	skipLocal bool // write no local header or data (the directory points elsewhere)
	nameInDir string
}

// rawZip lays out local headers and data, then a central directory and its end record.
func rawZip(entries []rawEntry) []byte {
	var out bytes.Buffer
	le := binary.LittleEndian
	offsets := make([]int, len(entries))
	for i, e := range entries {
		offsets[i] = out.Len()
		if e.skipLocal {
			continue
		}
		var h [30]byte
		le.PutUint32(h[0:], 0x04034b50)
		le.PutUint16(h[4:], 20)
		le.PutUint16(h[8:], e.method)
		le.PutUint32(h[14:], e.crc)
		csize := e.csize
		if csize == 0 {
			csize = uint32(len(e.data))
		}
		le.PutUint32(h[18:], csize)
		le.PutUint32(h[22:], e.usize)
		le.PutUint16(h[26:], uint16(len(e.name)))
		out.Write(h[:])
		out.WriteString(e.name)
		out.Write(e.data)
	}
	dirStart := out.Len()
	for i, e := range entries {
		var h [46]byte
		le.PutUint32(h[0:], 0x02014b50)
		le.PutUint16(h[4:], 3<<8) // made on Unix, so external attributes hold a mode
		le.PutUint16(h[6:], 20)
		le.PutUint16(h[8:], e.flags)
		le.PutUint16(h[10:], e.method)
		le.PutUint32(h[16:], e.crc)
		csize := e.csize
		if csize == 0 {
			csize = uint32(len(e.data))
		}
		le.PutUint32(h[20:], csize)
		le.PutUint32(h[24:], e.usize)
		name := e.name
		if e.nameInDir != "" {
			name = e.nameInDir
		}
		le.PutUint16(h[28:], uint16(len(name)))
		attrs := e.extAttrs
		if attrs == 0 {
			attrs = 0o100644 << 16
		}
		le.PutUint32(h[38:], attrs)
		at := offsets[i]
		if e.headerAt >= 0 {
			at = offsets[e.headerAt]
		}
		le.PutUint32(h[42:], uint32(at))
		out.Write(h[:])
		out.WriteString(name)
	}
	dirEnd := out.Len()
	var end [22]byte
	le.PutUint32(end[0:], 0x06054b50)
	le.PutUint16(end[8:], uint16(len(entries)))
	le.PutUint16(end[10:], uint16(len(entries)))
	le.PutUint32(end[12:], uint32(dirEnd-dirStart))
	le.PutUint32(end[16:], uint32(dirStart))
	out.Write(end[:])
	return out.Bytes()
}

// deflate compresses b at the best level.
func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		panic(err)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// rawDeflated is a well-formed deflated raw entry.
func rawDeflated(name string, body []byte) rawEntry {
	return rawEntry{name: name, method: 8, data: deflate(body), crc: crc32.ChecksumIEEE(body),
		usize: uint32(len(body)), headerAt: -1}
}

func rawStored(name string, body []byte) rawEntry {
	return rawEntry{name: name, method: 0, data: body, crc: crc32.ChecksumIEEE(body),
		usize: uint32(len(body)), headerAt: -1}
}

// machO returns n bytes that start like a thin arm64 Mach-O file and compress like code.
func machO(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	words := []uint32{0xd503201f, 0xa9bf7bfd, 0x910003fd, 0xa8c17bfd, 0xd65f03c0, 0x94000000}
	for i := 0; i+4 <= n; i += 4 {
		w := words[r.IntN(len(words))]
		if r.IntN(4) == 0 {
			w ^= r.Uint32() & 0xffff
		}
		binary.LittleEndian.PutUint32(b[i:], w)
	}
	copy(b, "\xcf\xfa\xed\xfe\x0c\x00\x00\x01")
	return b
}

// writeTemp writes data to a file in a new temporary directory.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// mkTree creates files (content), directories (name ends in "/") and links ("-> target") under
// root.
func mkTree(t testing.TB, root string, spec map[string]string) {
	t.Helper()
	for name, content := range spec {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, "/"):
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(content, "-> "):
			if err := os.Symlink(strings.TrimPrefix(content, "-> "), p); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// mustOpen opens path and fails the test on error; the source is closed at cleanup.
func mustOpen(t testing.TB, path string, lim Limits) *Source {
	t.Helper()
	s, err := Open(path, lim)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func problemsText(s *Source) string {
	var b strings.Builder
	for _, p := range s.Problems() {
		b.WriteString(p.Path + ": " + p.Message + "\n")
	}
	return b.String()
}

func bundleByPath(s *Source, p string) (Bundle, bool) {
	for _, b := range s.Bundles() {
		if b.Path == p {
			return b, true
		}
	}
	return Bundle{}, false
}
