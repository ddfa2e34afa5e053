package bundle

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the committed fuzz seeds in testdata/fuzz")

// smallIPA is a compact archive that still has every feature the reader handles: stored and
// deflated entries, links (Versions/Current), nested bundles and a magic-sniffed binary.
func smallIPA(t testing.TB) []byte {
	const app = "Payload/S.app/"
	const v = app + "Frameworks/V.framework/"
	return buildZip(t,
		file(app+"Info.plist", "<plist/>"),
		stored(app+"S", machO(256, 1)),
		stored(app+"tool", machO(64, 2)),
		deflated(app+"Frameworks/K.framework/K", machO(8<<10, 3)),
		file(app+"Frameworks/K.framework/PrivacyInfo.xcprivacy", "<plist/>"),
		deflated(v+"Versions/A/V", machO(512, 4)),
		file(v+"Versions/A/Resources/Info.plist", "<plist/>"),
		link(v+"Versions/Current", "A"),
		link(v+"V", "Versions/Current/V"),
		link(v+"Resources", "Versions/Current/Resources"),
		deflated(app+"PlugIns/E.appex/E", machO(128, 5)),
		link(app+"loop", "loop2"), link(app+"loop2", "loop"),
		link(app+"escape", "../../x"),
		file(app+"../evil", "x"),
	)
}

func fuzzSeeds(t testing.TB) map[string][]byte {
	seeds := map[string][]byte{
		"small-ipa": smallIPA(t),
		"xcframework": buildZip(t, file("K.xcframework/Info.plist", "<plist/>"),
			deflated("K.xcframework/ios-arm64/K.framework/K", machO(1024, 1)),
			stored("K.xcframework/ios-arm64/libK.a", []byte("!<arch>\nmember")),
		),
		"not-zip": []byte("\xcf\xfa\xed\xfe not a zip"),
	}
	for _, c := range hostileZips() {
		switch c.name {
		case "duplicate names", "overlapping entries", "stored sizes disagree", "corrupt central directory":
			data := c.data(t)
			if len(data) < 64<<10 {
				seeds[strings.ReplaceAll(c.name, " ", "-")] = data
			}
		}
	}
	lie := rawDeflated("Payload/A.app/A", bytes.Repeat([]byte("ab"), 4096))
	lie.usize = 10
	seeds["size-lie"] = rawZip([]rawEntry{rawStored("Payload/A.app/Info.plist", []byte("ok")), lie})
	return seeds
}

// TestFuzzSeeds rewrites the committed seeds with -update.
func TestFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz/FuzzOpenZip")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzOpenZip")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range fuzzSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzOpenZip opens arbitrary bytes as an archive, lists and reads everything, and checks
// that nothing panics, passes the limits, or leaves a file behind.
func FuzzOpenZip(f *testing.F) {
	for _, data := range fuzzSeeds(f) {
		f.Add(data)
	}
	// One directory per process, reused: a fresh t.TempDir per input slows fuzzing tenfold.
	// Inputs run one at a time in each worker process.
	dir := f.TempDir()
	p := filepath.Join(dir, "in.ipa")
	spill := filepath.Join(dir, "spill")
	if err := os.Mkdir(spill, 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		lim := Limits{MaxEntries: 2000, MaxTotalInflated: 32 << 20, MaxRatio: 200,
			MaxFileSize: 8 << 20, SpillThreshold: 2 << 10, TempDir: spill}
		s, err := Open(p, lim)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, p+": ") || strings.Contains(msg, "\n") {
				t.Fatalf("bad error %q", msg)
			}
			return
		}
		checkConsistent(t, s)
		for _, f := range s.Files() {
			if data, err := s.ReadFile(f.Path, 1<<20); err == nil && int64(len(data)) != f.Size {
				t.Fatalf("%s: read %d bytes, listed as %d", f.Path, len(data), f.Size)
			} else if err != nil && (!strings.HasPrefix(err.Error(), p+": ") || strings.Contains(err.Error(), "\n")) {
				t.Fatalf("bad error %q", err)
			}
			b, err := s.OpenBinary(f.Path)
			if err != nil {
				continue
			}
			if b.Size() != f.Size {
				t.Fatalf("%s: binary of %d bytes, listed as %d", f.Path, b.Size(), f.Size)
			}
			io.Copy(io.Discard, io.NewSectionReader(b, 0, b.Size()))
			b.Close()
		}
		// One read may pass the total before it is refused: at most a copy buffer.
		if got := s.inflated.Load(); got > lim.MaxTotalInflated+1<<20 {
			t.Fatalf("inflated %d bytes, limit %d", got, lim.MaxTotalInflated)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if left, _ := os.ReadDir(spill); len(left) != 0 {
			t.Fatalf("spill files left: %v", left)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 2 {
			t.Fatalf("files written beside the input: %v", ents)
		}
	})
}

// checkConsistent checks what Open promises about a source's listing.
func checkConsistent(t *testing.T, s *Source) {
	t.Helper()
	if _, ok := bundleByPath(s, s.Root); !ok {
		t.Fatalf("root %q is not a bundle", s.Root)
	}
	bundles := map[string]bool{}
	for _, b := range s.Bundles() {
		bundles[b.Path] = true
	}
	for _, b := range s.Bundles() {
		if b.Parent != "" && !bundles[b.Parent] {
			t.Fatalf("%s: parent %s is not a bundle", b.Path, b.Parent)
		}
		for _, p := range append([]string{b.InfoPlist, b.PrivacyManifest}, b.Binaries...) {
			if p == "" {
				continue
			}
			if _, ok := s.Stat(p); !ok || !strings.HasPrefix(p, b.Path+"/") {
				t.Fatalf("%s: %s is not a file of the bundle", b.Path, p)
			}
		}
	}
	for _, f := range s.Files() {
		if _, _, why := checkName(f.Path); why != "" {
			t.Fatalf("listed unsafe path %q: %s", f.Path, why)
		}
		if g, ok := s.Stat(f.Path); !ok || g != f {
			t.Fatalf("Stat(%s) = %+v %v, listed %+v", f.Path, g, ok, f)
		}
	}
	for _, p := range s.Problems() {
		if strings.Contains(p.Message, "\n") || strings.Contains(p.Path, "\n") {
			t.Fatalf("problem on several lines: %+v", p)
		}
	}
}
