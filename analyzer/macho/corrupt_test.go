package macho

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// panicked lists the recovered panics in the facts: the parts they cost are lost, so each
// one is a bug to fix (in a reader here, or by keeping the input from go-macho).
func panicked(f *model.MachOFacts) []string {
	if f == nil {
		return nil
	}
	var out []string
	for _, e := range f.Errors {
		if strings.Contains(e, "parser panic") {
			out = append(out, e)
		}
	}
	for _, s := range append(append([]model.SliceFacts{}, f.Slices...), f.Members...) {
		for _, e := range s.Errors {
			if strings.Contains(e, "parser panic") {
				out = append(out, e)
			}
		}
	}
	return out
}

// interestingOffsets are the structure boundaries of a thin 64-bit image: header fields,
// load commands, sections and the link-edit tables, plus a regular stride.
func interestingOffsets(b []byte) []int {
	offs := map[int]bool{}
	for i := 0; i <= 64 && i <= len(b); i++ {
		offs[i] = true
	}
	for i := 0; i < len(b); i += 509 {
		offs[i] = true
	}
	if len(b) >= 32 && binary.LittleEndian.Uint32(b) == magic64 {
		ncmds := binary.LittleEndian.Uint32(b[16:])
		off := 32
		for i := uint32(0); i < ncmds && off+8 <= len(b); i++ {
			size := int(binary.LittleEndian.Uint32(b[off+4:]))
			for _, o := range []int{off, off + 4, off + 8, off + size - 1, off + size} {
				offs[o] = true
			}
			cmd := binary.LittleEndian.Uint32(b[off:])
			if cmd == 0x19 && off+72 <= len(b) { // LC_SEGMENT_64 and its sections
				nsect := int(binary.LittleEndian.Uint32(b[off+64:]))
				for j := 0; j < nsect && off+72+j*80+80 <= len(b); j++ {
					s := b[off+72+j*80:]
					so, ss := int(binary.LittleEndian.Uint32(s[48:])), int(binary.LittleEndian.Uint64(s[40:]))
					offs[so], offs[so+8], offs[so+ss-1], offs[so+ss] = true, true, true, true
				}
			}
			if cmd == 0x2 && off+24 <= len(b) { // LC_SYMTAB
				offs[int(binary.LittleEndian.Uint32(b[off+8:]))] = true
				offs[int(binary.LittleEndian.Uint32(b[off+16:]))] = true
			}
			if size <= 0 {
				break
			}
			off += size
		}
	}
	var out []int
	for o := range offs {
		if o >= 0 && o <= len(b) {
			out = append(out, o)
		}
	}
	return out
}

func TestTruncated(t *testing.T) {
	for _, name := range fixtures {
		b := readFixture(t, name)
		for _, n := range interestingOffsets(b) {
			facts, _ := Read(bytes.NewReader(b[:n]), int64(n), Options{})
			if p := panicked(facts); len(p) > 0 {
				t.Errorf("%s cut at %d: %q", name, n, p)
			}
		}
	}
}

// TestSizeSmallerThanData hands Read a reader with more bytes than the size it is told:
// nothing past size may be read.
func TestSizeSmallerThanData(t *testing.T) {
	b := readFixture(t, "TrackKit.dylib")
	facts, err := Read(bytes.NewReader(b), 4096, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := facts.Slices[0]
	if len(s.ImportedSymbols) > 0 || len(s.Errors) == 0 {
		t.Errorf("read past the given size: %d imports, errors %q", len(s.ImportedSymbols), s.Errors)
	}
}

func TestByteFlips(t *testing.T) {
	rounds := 1500
	if testing.Short() {
		rounds = 200
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range fixtures {
		orig := readFixture(t, name)
		b := make([]byte, len(orig))
		for i := 0; i < rounds; i++ {
			copy(b, orig)
			for k := 1 + rng.IntN(6); k > 0; k-- {
				// Mostly in the header and load commands, where a flip changes the most.
				at := rng.IntN(len(b))
				if rng.IntN(2) == 0 {
					at = rng.IntN(min(len(b), 4096))
				}
				b[at] ^= byte(1 << rng.IntN(8))
				if rng.IntN(4) == 0 {
					b[at] = 0xff
				}
			}
			facts, _ := Read(bytes.NewReader(b), int64(len(b)), Options{})
			if p := panicked(facts); len(p) > 0 {
				t.Errorf("%s round %d: %q", name, i, p)
			}
		}
	}
}

// TestWordMutations sets every 32-bit word of the load commands, and every 64-bit word of the
// metadata the readers here follow (ObjC lists and records, Swift types, selector references,
// chained fixups, export trie), to values that break bounds: zero, all ones, the sign bit,
// the file size, and off by one.
func TestWordMutations(t *testing.T) {
	for _, name := range []string{"TrackKit.dylib", "TrackKit-chained.dylib", "TrackKitApp"} {
		orig := readFixture(t, name)
		im := testImage(t, orig)
		var ranges [][2]int // [start, end) file offsets, with the word size
		sizeofcmds := int(binary.LittleEndian.Uint32(orig[20:]))
		ranges = append(ranges, [2]int{32, 32 + sizeofcmds})
		for _, s := range im.secs {
			if strings.HasPrefix(s.name, "__objc_") || strings.HasPrefix(s.name, "__swift5") {
				ranges = append(ranges, [2]int{int(s.off), int(s.off + min(s.size, 4096))})
			}
		}
		for _, sp := range []span{im.lay.exportsTrie, im.lay.exportInfo} {
			if sp.size > 0 {
				ranges = append(ranges, [2]int{int(sp.off), int(sp.off + sp.size)})
			}
		}
		if im.lay.chainedFixups {
			off := findLoadCommand(t, orig, 0x80000034)
			o, n := int(binary.LittleEndian.Uint32(orig[off+8:])), int(binary.LittleEndian.Uint32(orig[off+12:]))
			ranges = append(ranges, [2]int{o, o + n})
		}
		b := make([]byte, len(orig))
		runs := 0
		var slowest time.Duration
		values := []uint32{0, 0xffffffff, 0x80000000, 0x7fffffff, 0, 1, 2}
		for _, r := range ranges {
			for at := r[0] &^ 3; at+4 <= r[1]; at += 4 {
				w := binary.LittleEndian.Uint32(orig[at:])
				values[4], values[5], values[6] = uint32(len(orig)), w+1, w-1
				vs := values
				if testing.Short() {
					vs = values[:3]
				}
				for _, v := range vs {
					copy(b, orig)
					binary.LittleEndian.PutUint32(b[at:], v)
					start := time.Now()
					facts, _ := Read(bytes.NewReader(b), int64(len(b)), Options{})
					slowest = max(slowest, time.Since(start))
					runs++
					if p := panicked(facts); len(p) > 0 {
						t.Fatalf("%s: word at %#x set to %#x: %q", name, at, v, p)
					}
				}
			}
		}
		t.Logf("%s: %d mutated reads, the slowest %v", name, runs, slowest)
	}
}
