package macho

import (
	"bytes"
	"testing"
)

// FuzzRead feeds Read arbitrary bytes, seeded with every fixture and the small crafted inputs
// in testdata/fuzz/FuzzRead. Read must not panic (recovered panics count as failures too),
// and must keep within its bounds.
func FuzzRead(f *testing.F) {
	for _, name := range fixtures {
		f.Add(readFixture(f, name))
	}
	opt := Options{MaxStrings: 100, MaxNames: 1000, MaxSymbols: 10000, MaxMembers: 8, MaxSlices: 4, MaxSectionSize: 1 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		facts, err := Read(bytes.NewReader(b), int64(len(b)), opt)
		if err != nil {
			return
		}
		if p := panicked(facts); len(p) > 0 {
			t.Fatalf("recovered panic: %q", p)
		}
		if len(facts.Members) > opt.MaxMembers || len(facts.Slices) > opt.MaxSlices {
			t.Fatalf("bounds exceeded: %d members, %d slices", len(facts.Members), len(facts.Slices))
		}
		for _, s := range append(facts.Slices, facts.Members...) {
			if len(s.Strings) > opt.MaxStrings {
				t.Fatalf("%d strings", len(s.Strings))
			}
			for _, str := range s.Strings {
				if len(str) > 256 {
					t.Fatalf("string of %d bytes", len(str))
				}
			}
		}
	})
}
