package bundle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

// zoomlike is a typical .ipa: a main executable stored, a dynamic framework deflated, a
// versioned framework with Versions/Current links, an extension, a watch app, a resource
// bundle, a dylib, and files that only look like binaries by their magic.
func zoomlike(t testing.TB) []byte {
	const app = "Payload/Zoomlike.app/"
	const fb = app + "Frameworks/FBSDKCoreKit.framework/"
	const v = app + "Frameworks/Versioned.framework/"
	return buildZip(t,
		dir("Payload/"),
		dir(app),
		file(app+"Info.plist", "<plist>app</plist>"),
		stored(app+"Zoomlike", machO(64<<10, 1)),
		file(app+"PkgInfo", "APPL????"),
		stored(app+"helper", machO(1<<10, 2)), // extension-less Mach-O, found by its magic
		stored(app+"notes", []byte("plain text, no magic")),
		deflated(app+"hidden", machO(1<<10, 3)), // deflated: not peeked
		file(app+"_CodeSignature/CodeResources", "<plist/>"),
		file(app+"PrivacyInfo.xcprivacy", "<plist>manifest</plist>"),
		deflated(app+"Frameworks/libswiftCore.dylib", machO(8<<10, 4)),
		file(fb+"Info.plist", "<plist>fb</plist>"),
		file(fb+"PrivacyInfo.xcprivacy", "<plist>fb manifest</plist>"),
		deflated(fb+"FBSDKCoreKit", machO(256<<10, 5)),
		deflated(v+"Versions/A/Versioned", machO(4<<10, 6)),
		file(v+"Versions/A/Resources/Info.plist", "<plist>versioned</plist>"),
		link(v+"Versions/Current", "A"),
		link(v+"Versioned", "Versions/Current/Versioned"),
		link(v+"Resources", "Versions/Current/Resources"),
		file(app+"PlugIns/Notify.appex/Info.plist", "<plist>appex</plist>"),
		deflated(app+"PlugIns/Notify.appex/Notify", machO(2<<10, 7)),
		file(app+"Watch/W.app/Info.plist", "<plist>watch</plist>"),
		deflated(app+"Watch/W.app/W", machO(2<<10, 8)),
		file(app+"Assets.bundle/img.png", "png"),
		file("iTunesMetadata.plist", "<plist/>"),
	)
}

func TestOpenIPA(t *testing.T) {
	p := writeTemp(t, "Zoomlike.ipa", zoomlike(t))
	s := mustOpen(t, p, Limits{})
	if s.Kind != KindIPA || s.Root != "Payload/Zoomlike.app" || s.Path != p {
		t.Fatalf("kind %q root %q path %q", s.Kind, s.Root, s.Path)
	}
	if len(s.Problems()) != 0 {
		t.Fatalf("problems:\n%s", problemsText(s))
	}
	const app = "Payload/Zoomlike.app"
	want := []Bundle{
		{Path: app, Kind: model.BundleApp, InfoPlist: app + "/Info.plist", PrivacyManifest: app + "/PrivacyInfo.xcprivacy",
			Binaries: []string{app + "/Frameworks/libswiftCore.dylib", app + "/Zoomlike", app + "/helper"}},
		{Path: app + "/Assets.bundle", Kind: model.BundleResource, Parent: app},
		{Path: app + "/Frameworks/FBSDKCoreKit.framework", Kind: model.BundleFramework, Parent: app,
			InfoPlist:       app + "/Frameworks/FBSDKCoreKit.framework/Info.plist",
			PrivacyManifest: app + "/Frameworks/FBSDKCoreKit.framework/PrivacyInfo.xcprivacy",
			Binaries:        []string{app + "/Frameworks/FBSDKCoreKit.framework/FBSDKCoreKit"}},
		{Path: app + "/Frameworks/Versioned.framework", Kind: model.BundleFramework, Parent: app,
			InfoPlist: app + "/Frameworks/Versioned.framework/Resources/Info.plist",
			Binaries:  []string{app + "/Frameworks/Versioned.framework/Versioned"}},
		{Path: app + "/PlugIns/Notify.appex", Kind: model.BundleExtension, Parent: app,
			InfoPlist: app + "/PlugIns/Notify.appex/Info.plist", Binaries: []string{app + "/PlugIns/Notify.appex/Notify"}},
		{Path: app + "/Watch/W.app", Kind: model.BundleWatchApp, Parent: app,
			InfoPlist: app + "/Watch/W.app/Info.plist", Binaries: []string{app + "/Watch/W.app/W"}},
	}
	got := s.Bundles()
	if len(got) != len(want) {
		t.Fatalf("bundles: got %d, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if fmt.Sprintf("%+v", got[i]) != fmt.Sprintf("%+v", want[i]) {
			t.Errorf("bundle %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}

	files := s.Files()
	if !slices.IsSortedFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) }) {
		t.Error("files not sorted")
	}
	f, ok := s.Stat(app + "/Frameworks/Versioned.framework/Versioned")
	if !ok || f.Link != "Versions/Current/Versioned" || f.Real != app+"/Frameworks/Versioned.framework/Versions/A/Versioned" || f.Size != 4<<10 {
		t.Errorf("Stat through links: %+v %v", f, ok)
	}
	if _, ok := s.Stat(app + "/Frameworks/Versioned.framework/Resources/Info.plist"); !ok {
		t.Error("Stat through a directory link failed")
	}
	if _, ok := s.Stat(app + "/Frameworks"); ok {
		t.Error("Stat of a directory succeeded")
	}
	data, err := s.ReadFile(app+"/Frameworks/Versioned.framework/Resources/Info.plist", 1<<20)
	if err != nil || string(data) != "<plist>versioned</plist>" {
		t.Errorf("ReadFile: %q %v", data, err)
	}

	// Every binary reads back exactly, whichever way it is served.
	for path, seed := range map[string]uint64{
		app + "/Zoomlike": 1, // stored: in place
		app + "/Frameworks/FBSDKCoreKit.framework/FBSDKCoreKit": 5, // deflated: memory
		app + "/Frameworks/Versioned.framework/Versioned":       6, // through links
	} {
		checkBinary(t, s, path, machOSize(files, path), seed)
	}
}

func machOSize(files []File, p string) int {
	for _, f := range files {
		if f.Path == p {
			return int(f.Size)
		}
	}
	return -1
}

func checkBinary(t *testing.T, s *Source, p string, size int, seed uint64) {
	t.Helper()
	b, err := s.OpenBinary(p)
	if err != nil {
		t.Fatalf("OpenBinary(%s): %v", p, err)
	}
	defer b.Close()
	if b.Size() != int64(size) {
		t.Errorf("%s: size %d, want %d", p, b.Size(), size)
	}
	got := make([]byte, b.Size())
	if _, err := b.ReadAt(got, 0); err != nil && err != io.EOF {
		t.Fatalf("%s: ReadAt: %v", p, err)
	}
	if !bytes.Equal(got, machO(size, seed)) {
		t.Errorf("%s: content differs", p)
	}
}

func TestStoredBinaryIsReadInPlace(t *testing.T) {
	p := writeTemp(t, "a.ipa", zoomlike(t))
	s := mustOpen(t, p, Limits{})
	before := s.inflated.Load() // link targets, read by Open
	b, err := s.OpenBinary("Payload/Zoomlike.app/Zoomlike")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, ok := b.(nopCloser).sizedReaderAt.(*io.SectionReader); !ok {
		t.Errorf("stored entry served as %T, want a section of the archive", b)
	}
	if s.inflated.Load() != before {
		t.Errorf("%d bytes inflated for a stored entry", s.inflated.Load())
	}
}

func TestZipInputKinds(t *testing.T) {
	bin := machO(1024, 1)
	cases := []struct {
		name     string
		entries  []entry
		kind     string
		root     string
		bundles  []string
		problems int
	}{
		{"framework", []entry{deflated("FBSDKCoreKit.framework/FBSDKCoreKit", bin), file("FBSDKCoreKit.framework/Info.plist", "x")},
			KindFramework, "FBSDKCoreKit.framework", []string{"FBSDKCoreKit.framework"}, 0},
		{"xcframework", []entry{
			file("Ads.xcframework/Info.plist", "x"),
			deflated("Ads.xcframework/ios-arm64/Ads.framework/Ads", bin),
			deflated("Ads.xcframework/ios-arm64_x86_64-simulator/Ads.framework/Ads", bin),
			stored("Ads.xcframework/ios-arm64/dSYMs/Ads.framework.dSYM/Contents/Resources/DWARF/Ads", bin),
		}, KindXCFramework, "Ads.xcframework", []string{"Ads.xcframework", "Ads.xcframework/ios-arm64/Ads.framework", "Ads.xcframework/ios-arm64_x86_64-simulator/Ads.framework"}, 0},
		{"framework in a folder", []entry{deflated("sdk-1.2/Kit.framework/Kit", bin), file("sdk-1.2/README", "x")},
			KindFramework, "sdk-1.2/Kit.framework", []string{"sdk-1.2/Kit.framework"}, 0},
		{"zipped app", []entry{deflated("A.app/A", bin), file("__MACOSX/A.app/._A", "junk")},
			KindApp, "A.app", []string{"A.app"}, 0},
		{"zipped xcarchive", []entry{
			file("A.xcarchive/Info.plist", "x"),
			deflated("A.xcarchive/Products/Applications/A.app/A", bin),
			stored("A.xcarchive/dSYMs/A.app.dSYM/Contents/Resources/DWARF/A", bin),
		}, KindXCArchive, "A.xcarchive/Products/Applications/A.app", []string{"A.xcarchive/Products/Applications/A.app"}, 0},
		{"two apps", []entry{deflated("Payload/A.app/A", bin), deflated("Payload/B.app/B", bin)},
			KindIPA, "Payload/A.app", []string{"Payload/A.app", "Payload/B.app"}, 1},
		{"missing Info.plist", []entry{deflated("Payload/A.app/A", bin)},
			KindIPA, "Payload/A.app", []string{"Payload/A.app"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustOpen(t, writeTemp(t, "in.zip", buildZip(t, c.entries...)), Limits{})
			if s.Kind != c.kind || s.Root != c.root {
				t.Errorf("kind %q root %q, want %q %q", s.Kind, s.Root, c.kind, c.root)
			}
			var paths []string
			for _, b := range s.Bundles() {
				paths = append(paths, b.Path)
				if b.Kind == model.BundleXCFramework && len(b.Binaries) != 0 {
					t.Errorf("xcframework binaries %v (dSYM files must not count)", b.Binaries)
				}
			}
			if !slices.Equal(paths, c.bundles) {
				t.Errorf("bundles %q, want %q", paths, c.bundles)
			}
			if len(s.Problems()) != c.problems {
				t.Errorf("problems:\n%s", problemsText(s))
			}
		})
	}
}

// hostileZip is one archive a hostile tool could hand us.
type hostileZip struct {
	name string
	data func(t testing.TB) []byte
	lim  Limits
	// openErr, when set, is a substring of Open's error; otherwise Open succeeds and
	// problems lists substrings expected in Problems.
	openErr  string
	problems []string
	// readable is a file that must still read back as "ok".
	readable string
}

var good = file("Payload/A.app/Info.plist", "ok")

func hostileZips() []hostileZip {
	bomb := bytes.Repeat([]byte{0}, 20<<20)
	return []hostileZip{
		{name: "not a zip", data: func(testing.TB) []byte { return []byte("\x7fELF not a zip at all") },
			openErr: "not a zip archive"},
		{name: "empty file", data: func(testing.TB) []byte { return nil }, openErr: "empty file"},
		{name: "zip magic then garbage", data: func(testing.TB) []byte { return []byte("PK\x03\x04garbage") },
			openErr: "not a valid zip archive"},
		{name: "truncated", data: func(t testing.TB) []byte { z := zoomlike(t); return z[:len(z)/2] },
			openErr: "not a valid zip archive"},
		{name: "truncated inside the directory", data: func(t testing.TB) []byte { z := zoomlike(t); return z[:len(z)-30] },
			openErr: "not a valid zip archive"},
		{name: "corrupt central directory", data: func(t testing.TB) []byte {
			z := zoomlike(t)
			i := bytes.LastIndex(z, []byte("PK\x05\x06"))
			off := binary.LittleEndian.Uint32(z[i+16:])
			copy(z[off:], "XXXX") // first directory header's signature
			return z
		}, openErr: "zip"},
		{name: "no bundle", data: func(t testing.TB) []byte { return buildZip(t, file("readme.txt", "x")) },
			openErr: "holds no Payload/*.app"},
		{name: "everything refused", data: func(t testing.TB) []byte { return buildZip(t, file("../Payload/A.app/A", "x")) },
			openErr: "1 entries refused, first ../Payload/A.app/A: entry refused: parent directory reference"},
		{name: "too many entries", lim: Limits{MaxEntries: 10}, data: func(t testing.TB) []byte {
			var es []entry
			for i := range 20 {
				es = append(es, file(fmt.Sprintf("Payload/A.app/f%d", i), "x"))
			}
			return buildZip(t, es...)
		}, openErr: "too many entries"},
		{name: "too many implied directories", lim: Limits{MaxEntries: 10}, data: func(t testing.TB) []byte {
			return buildZip(t, file("Payload/A.app/a/b/c/d/e/f/g/h/i/j/k", "x"))
		}, openErr: "more than 10 entries"},
		{name: "unsafe names", data: func(t testing.TB) []byte {
			return buildZip(t, good,
				file("../evil", "x"), file("Payload/A.app/../../evil", "x"), file("/etc/passwd", "x"),
				file(`Payload\A.app\evil`, "x"), file("Payload/A.app/nul\x00.txt", "x"), file("C:/evil", "x"),
				file("Payload/A.app//double", "x"), file("./Payload/A.app/dot", "x"),
				file("Payload/A.app/"+strings.Repeat("n", 2000), "x"))
		}, problems: []string{
			"../evil: entry refused: parent directory reference (..)",
			"Payload/A.app/../../evil: entry refused: parent directory reference",
			"/etc/passwd: entry refused: absolute path",
			`Payload\A.app\evil: entry refused: backslash in name`,
			`"Payload/A.app/nul\x00.txt": entry refused: NUL byte in name`,
			"C:/evil: entry refused: absolute path (drive letter)",
			"Payload/A.app//double: entry refused: non-canonical path",
			"./Payload/A.app/dot: entry refused: non-canonical path",
			"entry refused: name longer than 1024 bytes",
		}, readable: good.name},
		{name: "duplicate names", data: func(t testing.TB) []byte {
			return buildZip(t, good, file("Payload/A.app/A", "one"), file("Payload/A.app/A", "two"), file("Payload/A.app/A", "three"))
		}, problems: []string{"Payload/A.app/A: entry refused: duplicate name"}, readable: good.name},
		{name: "file and directory of the same name", data: func(t testing.TB) []byte {
			return buildZip(t, good, file("Payload/A.app/x", "file"), file("Payload/A.app/x/y", "under a file"))
		}, problems: []string{"Payload/A.app/x/y: entry refused: a parent, Payload/A.app/x, is not a directory"}, readable: good.name},
		{name: "encrypted and unknown methods", data: func(t testing.TB) []byte {
			enc := rawStored("Payload/A.app/enc", []byte("x"))
			enc.flags = 1
			bz2 := rawStored("Payload/A.app/bz2", []byte("x"))
			bz2.method = 12
			return rawZip([]rawEntry{rawStored(good.name, []byte("ok")), enc, bz2})
		}, problems: []string{"Payload/A.app/enc: entry refused: encrypted entry", "Payload/A.app/bz2: entry refused: unsupported compression method 12"},
			readable: good.name},
		{name: "declared ratio over the limit", data: func(t testing.TB) []byte {
			return buildZip(t, good, deflated("Payload/A.app/A", bomb))
		}, problems: []string{"Payload/A.app/A: entry refused: declared compression ratio"}, readable: good.name},
		{name: "symbolic links escaping and looping", data: func(t testing.TB) []byte {
			return buildZip(t, good,
				link("Payload/A.app/passwd", "../../../etc/passwd"),
				link("Payload/A.app/abs", "/etc/passwd"),
				link("Payload/A.app/a", "b"), link("Payload/A.app/b", "a"),
				link("Payload/A.app/self", "."),
				link("Payload/A.app/up", ".."),
				link("Payload/A.app/dangling", "nowhere"),
				link("Payload/A.app/via", "passwd"),
				link("Payload/A.app/long", strings.Repeat("x/", 600)),
				link("Payload/A.app/ok", "Info.plist"))
		}, problems: []string{
			"Payload/A.app/passwd: entry refused: symbolic link leads outside the input",
			"Payload/A.app/abs: entry refused: symbolic link to an absolute path",
			"Payload/A.app/a: entry refused: symbolic link loop",
			"Payload/A.app/b: entry refused: symbolic link loop",
			"Payload/A.app/self: entry refused: symbolic link loop: it points at its own parent directory",
			"Payload/A.app/up: entry refused: symbolic link loop: it points at its own parent directory",
			"Payload/A.app/dangling: entry refused: symbolic link target does not exist",
			"Payload/A.app/via: entry refused: symbolic link leads outside the input",
			"Payload/A.app/long: entry refused: reading symbolic link: target of 1200 bytes",
		}, readable: "Payload/A.app/ok"},
		{name: "stored sizes disagree", data: func(t testing.TB) []byte {
			e := rawStored("Payload/A.app/A", []byte("hello"))
			e.usize = 1 << 30
			return rawZip([]rawEntry{rawStored(good.name, []byte("ok")), e})
		}, problems: []string{"Payload/A.app/A: entry refused: stored entry whose sizes disagree"}, readable: good.name},
		{name: "compressed size beyond the archive", data: func(t testing.TB) []byte {
			e := rawStored("Payload/A.app/A", []byte("hello"))
			e.csize, e.usize, e.method = 1<<30, 1<<30, 8
			return rawZip([]rawEntry{rawStored(good.name, []byte("ok")), e})
		}, problems: []string{"Payload/A.app/A: entry refused: compressed size 1073741824 is larger than the archive"}, readable: good.name},
		{name: "overlapping entries", data: func(t testing.TB) []byte {
			// One deflated kernel; a hundred directory entries that all inflate it.
			k := rawDeflated("Payload/A.app/k0", bytes.Repeat([]byte("A"), 1<<20))
			es := []rawEntry{rawStored(good.name, []byte("ok")), k}
			for i := 1; i < 100; i++ {
				e := k
				e.name, e.headerAt, e.skipLocal = fmt.Sprintf("Payload/A.app/k%d", i), 1, true
				es = append(es, e)
			}
			return rawZip(es)
		}, problems: []string{"Payload/A.app/k0: entry refused: data overlaps another entry's", "Payload/A.app/k99: entry refused: data overlaps"},
			readable: good.name},
		{name: "directory points into another entry", data: func(t testing.TB) []byte {
			// The directory points into the middle of another entry's data.
			k := rawStored("Payload/A.app/k", bytes.Repeat([]byte("B"), 1<<20))
			e := rawStored("Payload/A.app/x", []byte("x"))
			e.headerAt, e.skipLocal = 1, true
			e.csize, e.usize = 1<<20, 1<<20
			return rawZip([]rawEntry{rawStored(good.name, []byte("ok")), k, e})
		}, problems: []string{"entry refused: data overlaps"}, readable: good.name},
	}
}

func TestHostileZips(t *testing.T) {
	for _, c := range hostileZips() {
		t.Run(c.name, func(t *testing.T) {
			p := writeTemp(t, "in.ipa", c.data(t))
			s, err := Open(p, c.lim)
			if c.openErr != "" {
				if err == nil {
					s.Close()
					t.Fatalf("Open succeeded, want error %q", c.openErr)
				}
				msg := err.Error()
				if !strings.Contains(msg, c.openErr) || !strings.HasPrefix(msg, p+": ") || strings.Contains(msg, "\n") {
					t.Fatalf("error %q: want one line starting with the path and containing %q", msg, c.openErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			text := problemsText(s)
			for _, want := range c.problems {
				if !strings.Contains(text, want) {
					t.Errorf("no problem %q in:\n%s", want, text)
				}
			}
			for _, pr := range s.Problems() {
				if pr.Stage != "bundle" || strings.Contains(pr.Message, "\n") || strings.Contains(pr.Path, "\n") {
					t.Errorf("bad problem %+v", pr)
				}
			}
			if c.readable != "" {
				if data, err := s.ReadFile(c.readable, 100); err != nil || string(data) != "ok" {
					t.Errorf("ReadFile(%s) = %q, %v", c.readable, data, err)
				}
			}
			// Refused entries stay refused for every reader.
			for _, pr := range s.Problems() {
				if _, ok := s.Stat(pr.Path); ok {
					t.Errorf("refused %s is still served", pr.Path)
				}
			}
			exerciseAll(t, s)
		})
	}
}

// exerciseAll reads every file and binary; nothing may panic or pass the limits.
func exerciseAll(t testing.TB, s *Source) {
	for _, f := range s.Files() {
		if data, err := s.ReadFile(f.Path, 1<<20); err == nil && int64(len(data)) != f.Size {
			t.Errorf("%s: read %d bytes, listed as %d", f.Path, len(data), f.Size)
		}
		b, err := s.OpenBinary(f.Path)
		if err != nil {
			continue
		}
		buf := make([]byte, 64<<10)
		for off := int64(0); off < b.Size(); off += int64(len(buf)) {
			if _, err := b.ReadAt(buf, off); err != nil && err != io.EOF {
				break
			}
		}
		b.Close()
	}
	if got := s.inflated.Load(); got > s.lim.MaxTotalInflated+64<<10 {
		t.Errorf("inflated %d bytes, limit %d", got, s.lim.MaxTotalInflated)
	}
}

func TestDeclaredSizeLies(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, compresses well
	small := rawDeflated("Payload/A.app/small", big)
	small.usize = 100 // claims 100 bytes, inflates to 1 MiB
	large := rawDeflated("Payload/A.app/large", []byte("short"))
	large.usize = 1000 // claims more than there is
	badCRC := rawStored("Payload/A.app/crc", []byte("hello"))
	badCRC.crc ^= 1
	p := writeTemp(t, "lies.ipa", rawZip([]rawEntry{rawStored(good.name, []byte("ok")), small, large, badCRC}))
	s := mustOpen(t, p, Limits{})
	for name, want := range map[string]string{
		"Payload/A.app/small": "longer than its declared size",
		"Payload/A.app/large": "shorter than its declared size",
		"Payload/A.app/crc":   "does not match its checksum",
	} {
		_, err := s.ReadFile(name, 1<<20)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), p+": "+name+": ") {
			t.Errorf("ReadFile(%s): %v, want %q", name, err, want)
		}
		if b, err := s.OpenBinary(name); err == nil {
			if name != "Payload/A.app/crc" { // stored entries are served in place, unchecked
				t.Errorf("OpenBinary(%s) succeeded", name)
			}
			b.Close()
		}
	}
	if got := s.inflated.Load(); got > 2*(100+64<<10) {
		t.Errorf("inflated %d bytes from entries that declared 100 and 1000", got)
	}
}

func TestTotalInflatedLimit(t *testing.T) {
	var es []entry
	for i := range 10 {
		es = append(es, deflated(fmt.Sprintf("Payload/A.app/f%d", i), machO(1<<20, uint64(i))))
	}
	p := writeTemp(t, "many.ipa", buildZip(t, es...))
	s := mustOpen(t, p, Limits{MaxTotalInflated: 4 << 20})
	var err error
	for i := range 10 {
		if _, err = s.ReadFile(fmt.Sprintf("Payload/A.app/f%d", i), 2<<20); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "bytes inflated from the archive in all") {
		t.Fatalf("err = %v, want the total limit", err)
	}
	if got := s.inflated.Load(); got > 4<<20+1<<20 {
		t.Errorf("inflated %d bytes past a 4 MiB limit", got)
	}
}

func TestRatioCheckedWhileReading(t *testing.T) {
	// The directory claims a modest ratio; the limit is set below it, so the check while
	// reading (on actual bytes) is the one that fires.
	p := writeTemp(t, "r.ipa", buildZip(t, good, deflated("Payload/A.app/z", bytes.Repeat([]byte("z"), 4<<20))))
	s := mustOpen(t, p, Limits{MaxRatio: 5000})
	s.lim.MaxRatio = 10
	_, err := s.ReadFile("Payload/A.app/z", 8<<20)
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "inflates more than 10 times") {
		t.Fatalf("err = %v", err)
	}
}

func TestReadFileBound(t *testing.T) {
	p := writeTemp(t, "a.ipa", zoomlike(t))
	s := mustOpen(t, p, Limits{})
	const name = "Payload/Zoomlike.app/Frameworks/FBSDKCoreKit.framework/FBSDKCoreKit"
	before := s.inflated.Load()
	_, err := s.ReadFile(name, 1000)
	if !errors.Is(err, ErrTooLarge) || err.Error() != p+": "+name+": reading: 262144 bytes, over the limit of 1000: file too large" {
		t.Errorf("err = %v", err)
	}
	if s.inflated.Load() != before {
		t.Error("a file over the bound was inflated")
	}
	for _, bad := range []string{"../x", "/etc/passwd", "Payload/Zoomlike.app/missing", "Payload/Zoomlike.app"} {
		if _, err := s.ReadFile(bad, 1000); err == nil || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("ReadFile(%q) = %v", bad, err)
		}
	}
}

func TestSpill(t *testing.T) {
	for _, early := range []bool{true, false} {
		t.Run(fmt.Sprintf("unlinkEarly=%v", early), func(t *testing.T) {
			defer func(old bool) { unlinkEarly = old }(unlinkEarly)
			unlinkEarly = early
			tmp := t.TempDir()
			p := writeTemp(t, "a.ipa", zoomlike(t))
			s, err := Open(p, Limits{SpillThreshold: 16 << 10, TempDir: tmp})
			if err != nil {
				t.Fatal(err)
			}
			const name = "Payload/Zoomlike.app/Frameworks/FBSDKCoreKit.framework/FBSDKCoreKit"
			checkBinary(t, s, name, 256<<10, 5) // opened and closed: its file is gone
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("spill files left after Binary.Close: %v", left)
			}
			b, err := s.OpenBinary(name) // left open: Source.Close must remove it
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := b.(*spillFile); !ok {
				t.Fatalf("served as %T, want a spill file", b)
			}
			left, _ := os.ReadDir(tmp)
			if early && len(left) != 0 || !early && len(left) != 1 {
				t.Errorf("spill files while open: %v", left)
			}
			if !early {
				fi, err := os.Stat(filepath.Join(tmp, left[0].Name()))
				if err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("spill file mode %v, %v", fi.Mode(), err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("spill files left after Close: %v", left)
			}
			if _, err := s.OpenBinary(name); err == nil {
				t.Error("OpenBinary after Close succeeded")
			}
		})
	}
}

func TestNothingWrittenButSpills(t *testing.T) {
	tmp := t.TempDir()
	dir := t.TempDir()
	p := filepath.Join(dir, "a.ipa")
	os.WriteFile(p, zoomlike(t), 0o644)
	s, err := Open(p, Limits{TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	exerciseAll(t, s)
	s.Close()
	for _, d := range []string{tmp, dir} {
		ents, _ := os.ReadDir(d)
		if d == dir && len(ents) != 1 || d == tmp && len(ents) != 0 {
			t.Errorf("%s holds %v", d, ents)
		}
	}
}

func TestConcurrentReads(t *testing.T) {
	p := writeTemp(t, "a.ipa", zoomlike(t))
	s := mustOpen(t, p, Limits{SpillThreshold: 16 << 10, TempDir: t.TempDir()})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, f := range s.Files() {
				if b, err := s.OpenBinary(f.Path); err == nil {
					buf := make([]byte, b.Size())
					if _, err := b.ReadAt(buf, 0); err != nil && err != io.EOF {
						t.Error(err)
					}
					b.Close()
				}
			}
		})
	}
	wg.Wait()
}

func TestHundredThousandEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large archive")
	}
	p := writeTemp(t, "big.ipa", manyEntries(t, 100_000))
	s := mustOpen(t, p, Limits{})
	if n := len(s.Files()); n != 100_001 {
		t.Fatalf("%d files", n)
	}
	if len(s.Problems()) != 0 {
		t.Fatalf("problems:\n%s", problemsText(s))
	}
}

// manyEntries builds an .ipa with n small resource files spread over directories, plus the
// main executable.
func manyEntries(t testing.TB, n int) []byte {
	var buf bytes.Buffer
	w := newRawWriter(&buf)
	w.add("Payload/Big.app/Big", machO(4096, 1), true)
	body := []byte("<plist><dict/></plist>")
	for i := range n { // 500 resource bundles, in order, as zip tools write them
		w.add(fmt.Sprintf("Payload/Big.app/Res%03d.bundle/item%06d.plist", i*500/n, i), body, false)
	}
	w.close()
	return buf.Bytes()
}

// rawWriter writes a well-formed zip quickly: many entries share one compressed body.
type rawWriter struct {
	w       *bytes.Buffer
	entries []rawEntry
	offsets []int
	cache   map[string][]byte
}

func newRawWriter(w *bytes.Buffer) *rawWriter {
	return &rawWriter{w: w, cache: map[string][]byte{}}
}

func (r *rawWriter) add(name string, body []byte, store bool) {
	e := rawStored(name, body)
	if !store {
		c, ok := r.cache[string(body)]
		if !ok {
			c = deflate(body)
			r.cache[string(body)] = c
		}
		e = rawEntry{name: name, method: 8, data: c, crc: crc32.ChecksumIEEE(body), usize: uint32(len(body)), headerAt: -1}
	}
	r.entries = append(r.entries, e)
}

func (r *rawWriter) close() { r.w.Write(rawZip(r.entries)) }
