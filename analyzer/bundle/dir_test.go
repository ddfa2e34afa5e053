package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

func appTree(bin string) map[string]string {
	return map[string]string{
		"Info.plist":                          "<plist>app</plist>",
		"Zoomlike":                            bin,
		"helper":                              bin, // extension-less Mach-O: found by its magic
		"notes":                               "plain",
		"PrivacyInfo.xcprivacy":               "<plist/>",
		"Frameworks/libfoo.dylib":             bin,
		"Frameworks/Kit.framework/":           "",
		"Frameworks/V.framework/Versions/A/V": bin,
		"Frameworks/V.framework/Versions/A/Resources/Info.plist":            "<plist>v</plist>",
		"Frameworks/V.framework/Versions/A/Resources/PrivacyInfo.xcprivacy": "<plist/>",
		"Frameworks/V.framework/Versions/Current":                           "-> A",
		"Frameworks/V.framework/V":                                          "-> Versions/Current/V",
		"Frameworks/V.framework/Resources":                                  "-> Versions/Current/Resources",
		"PlugIns/Share.appex/Share":                                         bin,
		"PlugIns/Share.appex/Info.plist":                                    "<plist/>",
	}
}

func TestOpenAppDirectory(t *testing.T) {
	bin := string(machO(4096, 1))
	root := filepath.Join(t.TempDir(), "Zoomlike.app")
	mkTree(t, root, appTree(bin))
	s := mustOpen(t, root, Limits{})
	if s.Kind != KindApp || s.Root != "Zoomlike.app" {
		t.Fatalf("kind %q root %q", s.Kind, s.Root)
	}
	if len(s.Problems()) != 0 {
		t.Fatalf("problems:\n%s", problemsText(s))
	}
	app, _ := bundleByPath(s, "Zoomlike.app")
	if want := []string{"Zoomlike.app/Frameworks/libfoo.dylib", "Zoomlike.app/Zoomlike", "Zoomlike.app/helper"}; !slices.Equal(app.Binaries, want) {
		t.Errorf("app binaries %q, want %q", app.Binaries, want)
	}
	v, _ := bundleByPath(s, "Zoomlike.app/Frameworks/V.framework")
	if v.InfoPlist != "Zoomlike.app/Frameworks/V.framework/Resources/Info.plist" ||
		v.PrivacyManifest != "Zoomlike.app/Frameworks/V.framework/Resources/PrivacyInfo.xcprivacy" ||
		!slices.Equal(v.Binaries, []string{"Zoomlike.app/Frameworks/V.framework/V"}) || v.Parent != "Zoomlike.app" {
		t.Errorf("versioned framework %+v", v)
	}
	kit, ok := bundleByPath(s, "Zoomlike.app/Frameworks/Kit.framework")
	if !ok || kit.InfoPlist != "" || len(kit.Binaries) != 0 {
		t.Errorf("empty framework %+v %v", kit, ok)
	}
	ext, _ := bundleByPath(s, "Zoomlike.app/PlugIns/Share.appex")
	if ext.Kind != model.BundleExtension || !slices.Equal(ext.Binaries, []string{"Zoomlike.app/PlugIns/Share.appex/Share"}) {
		t.Errorf("extension %+v", ext)
	}
	data, err := s.ReadFile("Zoomlike.app/Frameworks/V.framework/Resources/Info.plist", 100)
	if err != nil || string(data) != "<plist>v</plist>" {
		t.Errorf("ReadFile through links: %q %v", data, err)
	}
	b, err := s.OpenBinary("Zoomlike.app/Frameworks/V.framework/V")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.(*fileBinary); !ok || b.Size() != 4096 {
		t.Errorf("directory binary served as %T of %d bytes", b, b.Size())
	}
	b.Close()
}

func TestDirectoryKinds(t *testing.T) {
	bin := string(machO(64, 1))
	cases := []struct {
		name string
		spec map[string]string
		kind string
		root string
		err  string
	}{
		{"A.xcarchive", map[string]string{"Info.plist": "x", "Products/Applications/A.app/A": bin, "dSYMs/A.app.dSYM/Contents/Resources/DWARF/A": bin},
			KindXCArchive, "A.xcarchive/Products/Applications/A.app", ""},
		{"Empty.xcarchive", map[string]string{"Info.plist": "x"}, "", "", "an .xcarchive without Products/Applications/*.app"},
		{"Kit.framework", map[string]string{"Kit": bin, "Info.plist": "x"}, KindFramework, "Kit.framework", ""},
		{"Ads.xcframework", map[string]string{"Info.plist": "x", "ios-arm64/Ads.framework/Ads": bin, "ios-arm64/libAds.a": "!<arch>\n"},
			KindXCFramework, "Ads.xcframework", ""},
		{"unzipped", map[string]string{"Payload/A.app/A": bin}, KindApp, "unzipped/Payload/A.app", ""},
		{"vendor-sdk", map[string]string{"docs/readme.md": "x", "Kit.xcframework/Info.plist": "x"}, KindXCFramework, "vendor-sdk/Kit.xcframework", ""},
		{"photos", map[string]string{"a.jpg": "x"}, "", "", "directory: it holds no Payload/*.app"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), c.name)
			mkTree(t, root, c.spec)
			s, err := Open(root, Limits{})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, ErrUnknownKind) || !strings.HasPrefix(err.Error(), root+": ") {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Kind != c.kind || s.Root != c.root {
				t.Errorf("kind %q root %q, want %q %q", s.Kind, s.Root, c.kind, c.root)
			}
			if _, ok := bundleByPath(s, s.Root); !ok {
				t.Errorf("root %s is not among the bundles", s.Root)
			}
		})
	}
}

func TestDirectoryHostile(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "secret.txt")
	os.WriteFile(outside, []byte("secret"), 0o644)
	root := filepath.Join(base, "A.app")
	mkTree(t, root, map[string]string{
		"Info.plist":       "ok",
		"escape":           "-> ../secret.txt",
		"abs":              "-> " + outside,
		"a":                "-> b",
		"b":                "-> a",
		"self":             "-> .",
		"Frameworks/up":    "-> ../..",
		"dangling":         "-> nowhere",
		"dir/link-to-file": "-> ../Info.plist",
		`back\slash`:       "x",
	})
	if runtime.GOOS != "windows" {
		if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	var s *Source
	go func() {
		defer close(done)
		s = mustOpen(t, root, Limits{})
		exerciseAll(t, s)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Open or a read hung (a named pipe?)")
	}
	text := problemsText(s)
	for _, want := range []string{
		"A.app/escape: entry refused: symbolic link leads outside the input",
		"A.app/abs: entry refused: symbolic link to an absolute path",
		"A.app/a: entry refused: symbolic link loop",
		"A.app/b: entry refused: symbolic link loop",
		"A.app/self: entry refused: symbolic link loop: it points at its own parent directory",
		"A.app/Frameworks/up: entry refused: symbolic link leads outside the input",
		"A.app/dangling: entry refused: symbolic link target does not exist",
		`A.app/back\slash: refused: backslash in name`,
		"A.app/fifo: refused: not a regular file, directory or symbolic link",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no problem %q in:\n%s", want, text)
		}
	}
	for _, p := range []string{"A.app/escape", "A.app/abs", "A.app/fifo", "A.app/a"} {
		if _, err := s.ReadFile(p, 100); err == nil {
			t.Errorf("ReadFile(%s) succeeded", p)
		}
	}
	f, ok := s.Stat("A.app/dir/link-to-file")
	if !ok || f.Real != "A.app/Info.plist" || f.Link != "../Info.plist" {
		t.Errorf("link inside the input: %+v %v", f, ok)
	}
}

func TestDirectorySwappedAfterWalk(t *testing.T) {
	base := t.TempDir()
	os.WriteFile(filepath.Join(base, "secret.txt"), []byte("secret"), 0o644)
	root := filepath.Join(base, "A.app")
	mkTree(t, root, map[string]string{"Info.plist": "ok", "A": "binary"})
	s := mustOpen(t, root, Limits{})
	// Replace a listed file by a link out of the input: reads must not follow it.
	os.Remove(filepath.Join(root, "Info.plist"))
	os.Symlink("../secret.txt", filepath.Join(root, "Info.plist"))
	if data, err := s.ReadFile("A.app/Info.plist", 100); err == nil {
		t.Errorf("read %q through a link swapped in after the walk", data)
	}
	// And a growing file is caught by the bound.
	os.WriteFile(filepath.Join(root, "A"), []byte(strings.Repeat("x", 1000)), 0o644)
	if _, err := s.ReadFile("A.app/A", 100); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}

func TestDirectoryTooManyEntries(t *testing.T) {
	root := filepath.Join(t.TempDir(), "A.app")
	spec := map[string]string{}
	for i := range 50 {
		spec[filepath.Join("d", strings.Repeat("f", i+1))] = "x"
	}
	mkTree(t, root, spec)
	_, err := Open(root, Limits{MaxEntries: 20})
	if !errors.Is(err, ErrLimit) || !strings.HasPrefix(err.Error(), root+": more than 20 entries") {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.ipa")
	_, err := Open(missing, Limits{})
	if err == nil || err.Error() != missing+": cannot open: no such file or directory" {
		t.Errorf("err = %v", err)
	}
}

func TestDigestFile(t *testing.T) {
	data := []byte("some app")
	p := writeTemp(t, "a.ipa", data)
	sum, size, err := Digest(p)
	want := sha256.Sum256(data)
	if err != nil || sum != hex.EncodeToString(want[:]) || size != int64(len(data)) {
		t.Errorf("Digest = %s %d %v", sum, size, err)
	}
	if _, _, err := Digest(p + ".missing"); err == nil || !strings.HasPrefix(err.Error(), p+".missing: ") {
		t.Errorf("err = %v", err)
	}
}

func TestDigestTree(t *testing.T) {
	spec := map[string]string{
		"Info.plist":             "<plist/>",
		"A":                      "binary",
		"a.b":                    "sorts before a/ as bytes",
		"a/b":                    "nested",
		"Frameworks/K.framework": "-> ../elsewhere",
		"empty/":                 "",
	}
	one := filepath.Join(t.TempDir(), "One.app")
	two := filepath.Join(t.TempDir(), "Two.app")
	mkTree(t, one, spec)
	mkTree(t, two, spec)
	d1, n1, err1 := Digest(one)
	d2, n2, err2 := Digest(two)
	if err1 != nil || err2 != nil || d1 != d2 || n1 != n2 || n1 != int64(len("<plist/>binarysorts before a/ as bytesnested")) {
		t.Fatalf("copies differ: %s %d %v / %s %d %v", d1, n1, err1, d2, n2, err2)
	}
	// The documented record format, computed by hand.
	h := sha256.New()
	for _, r := range [][2]string{
		{"f\x00A", "binary"}, {"l\x00Frameworks/K.framework", "../elsewhere"}, {"f\x00Info.plist", "<plist/>"},
		{"f\x00a.b", "sorts before a/ as bytes"}, {"f\x00a/b", "nested"},
	} {
		sum := sha256.Sum256([]byte(r[1]))
		h.Write([]byte(r[0] + "\x00" + hex.EncodeToString(sum[:]) + "\n"))
	}
	if want := hex.EncodeToString(h.Sum(nil)); d1 != want {
		t.Errorf("digest %s, want %s", d1, want)
	}
	for name, change := range map[string]func(root string){
		"content": func(root string) { os.WriteFile(filepath.Join(root, "A"), []byte("binarY"), 0o644) },
		"link": func(root string) {
			p := filepath.Join(root, "Frameworks/K.framework")
			os.Remove(p)
			os.Symlink("../other", p)
		},
		"rename": func(root string) { os.Rename(filepath.Join(root, "a/b"), filepath.Join(root, "a/c")) },
		"added":  func(root string) { os.WriteFile(filepath.Join(root, "empty/new"), nil, 0o644) },
	} {
		root := filepath.Join(t.TempDir(), "X.app")
		mkTree(t, root, spec)
		change(root)
		if d, _, _ := Digest(root); d == d1 {
			t.Errorf("%s: digest unchanged", name)
		}
	}
}
