package macho

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blacktop/go-macho"
)

// TestFixturesReproduce rebuilds the fixtures from testdata/src and checks that the
// committed binaries are exactly what the sources give.
func TestFixturesReproduce(t *testing.T) {
	for _, tool := range []string{"clang", "clang-19", "ld64.lld-19", "llvm-lipo-14", "llvm-ar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not on PATH", tool)
		}
	}
	if testing.Short() {
		t.Skip("rebuilds with clang")
	}
	out := t.TempDir()
	cmd := exec.Command("bash", filepath.Join("testdata", "build.sh"), out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, b)
	}
	for _, name := range fixtures {
		want := readFixture(t, name)
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: rebuilt file differs from the committed one (run testdata/build.sh and commit)", name)
		}
	}
}

// TestSuperclassCycle makes a class its own superclass. go-macho's GetObjCClasses recurses on
// such a file until the stack overflows (fatal, not recoverable); the reader here never
// follows superclasses.
func TestSuperclassCycle(t *testing.T) {
	for _, name := range []string{"TrackKit.dylib", "TrackKit-chained.dylib"} {
		b := readFixture(t, name)
		facts := read(t, b)
		// Point every class's superclass slot (class_t+8) at the class itself.
		s := facts.Slices[0]
		im := testImage(t, b)
		for _, sec := range im.sections("__DATA", "__objc_classlist") {
			for slot := sec.addr; slot < sec.addr+sec.size; slot += 8 {
				class, _, err := im.pointer(slot)
				if err != nil {
					t.Fatal(err)
				}
				sup := im.sectionAt(class + 8)
				off := sup.off + (class + 8 - sup.addr)
				raw := binary.LittleEndian.Uint64(b[off:])
				if im.lay.chainedFixups {
					// Keep the chain's next field, make it a rebase to the class itself.
					target := class
					if im.chained.segs[0].format == ptr64Offset {
						target -= im.chained.base
					}
					raw = raw&^(1<<36-1) | target&(1<<36-1)
					raw &^= 1 << 63
				} else {
					raw = class
				}
				binary.LittleEndian.PutUint64(b[off:], raw)
			}
		}
		got := read(t, b).Slices[0]
		if strings.Join(got.ObjCClasses, ",") != strings.Join(s.ObjCClasses, ",") {
			t.Errorf("%s: classes %q, want %q", name, got.ObjCClasses, s.ObjCClasses)
		}
	}
}

func testImage(t *testing.T, b []byte) *image {
	t.Helper()
	rd := &reader{opt: Options{}.withDefaults()}
	r := io.NewSectionReader(bytes.NewReader(b), 0, int64(len(b)))
	lay, err := readLayout(r, r.Size(), rd.opt)
	if err != nil {
		t.Fatal(err)
	}
	f, err := newGoMachoFile(r, lay)
	if err != nil {
		t.Fatal(err)
	}
	return newImage(f, r, r.Size(), lay, rd.opt)
}

func TestExportTrieLoops(t *testing.T) {
	for name, trie := range map[string][]byte{
		// root: no terminal, one child "_a" → node 0 (itself)
		"self loop": {0x00, 0x01, '_', 'a', 0x00, 0x00},
		// root: two children both → node 8, a leaf reached twice
		"shared child":      {0x00, 0x02, 'a', 0x00, 0x08, 'b', 0x00, 0x08, 0x02, 0x00, 0x00, 0x00},
		"child outside":     {0x00, 0x01, 'a', 0x00, 0x7f},
		"terminal too long": {0x7f, 0x00},
		"truncated edge":    {0x00, 0x01, 'a'},
	} {
		var got []string
		done := make(chan error, 1)
		go func() { done <- walkExportTrie(trie, 100, func(s string) { got = append(got, s) }) }()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s: no error (names %q)", name, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: walk does not end", name)
		}
	}
	// A well-formed trie: "_a" (terminal), "_b" (terminal).
	good := []byte{0x00, 0x01, '_', 0x00, 0x05, 0x00, 0x02, 'a', 0x00, 0x0d, 'b', 0x00, 0x11, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x20, 0x00}
	var got []string
	if err := walkExportTrie(good, 100, func(s string) { got = append(got, s) }); err != nil || fmt.Sprint(got) != "[_b _a]" {
		t.Errorf("good trie: %q, %v", got, err)
	}
}

func TestBindsBounded(t *testing.T) {
	// SET_SEGMENT_AND_OFFSET_ULEB(seg 0, 0), SET_SYMBOL("_x"), DO_BIND_ULEB_TIMES_SKIPPING_ULEB
	// with a count of 2^63.
	ops := []byte{0x70, 0x00, 0x40, '_', 'x', 0x00, 0xc0,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00}
	out := map[uint64]string{}
	start := time.Now()
	decodeBinds(ops, nil, 1000, out)
	decodeBinds(append([]byte{0x70, 0x00}, ops[2:]...), segsForTest(), 1000, out)
	if len(out) != 1000 || time.Since(start) > 5*time.Second {
		t.Errorf("%d binds after %v", len(out), time.Since(start))
	}
}

func TestLogRestored(t *testing.T) {
	var buf bytes.Buffer
	log.SetOutput(&buf)
	defer log.SetOutput(os.Stderr)
	b := readFixture(t, "TrackKit-fat.dylib")
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := Read(bytes.NewReader(b), int64(len(b)), Options{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	log.Print("after")
	if log.Writer() != &buf || !strings.Contains(buf.String(), "after") {
		t.Errorf("log output not restored")
	}
}

func TestFatEdgeCases(t *testing.T) {
	thin := readFixture(t, "TrackKit.dylib")
	fat := func(entries ...[2]uint32) []byte {
		var b bytes.Buffer
		binary.Write(&b, binary.BigEndian, []uint32{fatMagic, uint32(len(entries))})
		for _, e := range entries {
			binary.Write(&b, binary.BigEndian, []uint32{cpuARM64, 0, e[0], e[1], 14})
		}
		for b.Len() < 0x4000 {
			b.WriteByte(0)
		}
		b.Write(thin)
		return b.Bytes()
	}
	for name, tc := range map[string]struct {
		in           []byte
		slices       int
		errSubstring string
	}{
		"out of range":  {fat([2]uint32{0x4000, uint32(len(thin))}, [2]uint32{0x4000, 1 << 30}), 1, "outside the file"},
		"not macho":     {fat([2]uint32{0x10, 64}), 0, "neither a Mach-O image"},
		"truncated":     {[]byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 3, 0, 0, 0, 12}, 0, ""},
		"many slices":   {fat(repeat([2]uint32{0x4000, uint32(len(thin))}, 20)...), 16, "read the first 16"},
		"member header": {[]byte("!<arch>\nshort"), 0, "truncated member header"},
	} {
		facts, err := Read(bytes.NewReader(tc.in), int64(len(tc.in)), Options{})
		if err != nil {
			if tc.errSubstring != "" || tc.slices != 0 {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if len(facts.Slices) != tc.slices || !strings.Contains(strings.Join(facts.Errors, "\n"), tc.errSubstring) {
			t.Errorf("%s: %d slices, errors %q", name, len(facts.Slices), facts.Errors)
		}
	}
}

func segsForTest() []*macho.Segment {
	return []*macho.Segment{{SegmentHeader: macho.SegmentHeader{Addr: 0x1000}}}
}

func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestChainedFormats decodes hand-encoded pointers of every supported chained format, after
// dyld's bit layouts (mach-o/fixup-chains.h).
func TestChainedFormats(t *testing.T) {
	const base = 0x100000000
	mk := func(format uint16) *chained {
		return &chained{base: base, imports: []string{"_a", "_OBJC_CLASS_$_NSObject"},
			segs: []chainedSeg{{addr: 0x1000, size: 0x1000, format: format}}}
	}
	next := uint64(3) << 51 // a chain's next field must not disturb the target
	for _, tc := range []struct {
		format uint16
		raw    uint64
		target uint64
		bound  string
	}{
		{ptr64, next | 0x100004000, 0x100004000, ""},
		{ptr64, 1<<63 | next | 1, 0, "_OBJC_CLASS_$_NSObject"},
		{ptr64Offset, next | 0x4000, base + 0x4000, ""},
		{ptr64Offset, 1<<63 | 0, 0, "_a"},
		{ptrARM64E, 2<<51 | 0x100004000, 0x100004000, ""},           // rebase, vmaddr
		{ptrARM64E, 1<<63 | 0x1234<<32 | 0x4000, base + 0x4000, ""}, // auth rebase, offset
		{ptrARM64E, 1<<62 | 1, 0, "_OBJC_CLASS_$_NSObject"},         // bind
		{ptrARM64E, 1<<63 | 1<<62 | 1, 0, "_OBJC_CLASS_$_NSObject"}, // auth bind
		{ptrARM64EUserland, 0x4000, base + 0x4000, ""},
		{ptrARM64EUserland24, 1<<62 | 1, 0, "_OBJC_CLASS_$_NSObject"},
	} {
		target, bound, err := mk(tc.format).decode(0x1008, tc.raw)
		if err != nil || target != tc.target || bound != tc.bound {
			t.Errorf("format %d raw %#x: %#x %q %v; want %#x %q", tc.format, tc.raw, target, bound, err, tc.target, tc.bound)
		}
	}
	if _, _, err := mk(ptr64).decode(0x1008, 1<<63|7); err == nil {
		t.Error("bind to a missing import: no error")
	}
	if _, _, err := mk(ptr64).decode(0x9000, 0x4000); err == nil {
		t.Error("slot outside any segment: no error")
	}
	if _, _, err := mk(3).decode(0x1008, 0x4000); err == nil {
		t.Error("32-bit format: no error")
	}
}
