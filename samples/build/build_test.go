package main

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/macho"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"howett.net/plist"
)

var update = flag.Bool("update", false, "rebuild the committed .ipa files instead of comparing with them")

// referenceClangMajor is the clang that built the committed .ipa files. Another clang (or lld)
// version writes other bytes (LC_BUILD_VERSION records the linker version), so the
// byte-for-byte test runs only with this one.
const referenceClangMajor = 14

func testToolchain(t *testing.T) *toolchain {
	t.Helper()
	dir, err := findToolchainDir()
	if err != nil {
		t.Fatal(err)
	}
	tc, err := findToolchain(context.Background(), dir)
	if errors.Is(err, errNoToolchain) {
		t.Skipf("no iOS cross toolchain: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return tc
}

// allSpecs lists every committed spec: the samples and the signature fixtures.
func allSpecs(t *testing.T) []string {
	var specs []string
	for _, pattern := range []string{"../*/*.yaml", "../rules/*/*.yaml", "../../signatures/testdata/fixtures/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, m...)
	}
	sort.Strings(specs)
	return specs
}

// TestCommittedIPAsReproduce rebuilds every committed spec and compares the result with the
// committed .ipa byte for byte. With -update it rewrites them instead.
func TestCommittedIPAsReproduce(t *testing.T) {
	tc := testToolchain(t)
	if tc.clangMajor != referenceClangMajor && !*update {
		t.Skipf("clang %d: the committed .ipa files were built with clang %d", tc.clangMajor, referenceClangMajor)
	}
	specs := allSpecs(t)
	if len(specs) == 0 {
		t.Skip("no specs")
	}
	for _, spec := range specs {
		t.Run(strings.TrimPrefix(spec, "../"), func(t *testing.T) {
			t.Parallel()
			s, err := loadSpec(spec)
			if err != nil {
				t.Fatal(err)
			}
			committed := defaultOutput(spec)
			if s.Output != "" {
				committed = filepath.Join(filepath.Dir(spec), s.Output)
			}
			if _, err := os.Stat(committed); err != nil && !*update {
				t.Skipf("no committed %s", committed)
			}
			cfg := config{outDir: t.TempDir()}
			if *update {
				cfg.outDir = ""
			}
			out, err := buildSpecFile(context.Background(), tc, cfg, spec)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				return
			}
			same, err := sameFile(out, committed)
			if err != nil {
				t.Fatal(err)
			}
			if !same {
				t.Errorf("%s is not what %s builds; rebuild with samples/build.sh and commit it", committed, spec)
			}
		})
	}
}

const featureSpec = `
name: Demo
bundleId: com.example.demo
version: 1.2.3
build: "42"
infoPlist:
  FacebookAppID: "1234567890"
  Nested: {list: [1, 2.5, true, "x"]}
urlSchemes: [fb1234567890]
classes: [DemoAppDelegate, {name: _TtC4Demo7Meeting, methods: [join, "+shared", "open:with:"]}]
symbols: [DemoVersion, {name: DemoBuild, value: "42"}]
strings: ["https://api.example.com/v1", "quote\" question? newline\n"]
selectors: [systemUptime, "application:didFinishLaunchingWithOptions:"]
imports: [_stat, _OBJC_CLASS_$_NSUserDefaults]
links: [Foundation, {name: AdSupport, weak: true}]
arch: [arm64, x86_64]
static:
  - {name: AdKit, classes: [ADKMobileAds], imports: [_OBJC_CLASS_$_SKAdNetwork]}
frameworks:
  - name: CoreSDK
    bundleId: com.example.CoreSDK
    version: 5.15.1
    classes: [CSDKApplicationDelegate]
    imports: [_OBJC_CLASS_$_ASIdentifierManager]
    links: [{name: AdSupport, weak: true}]
    encrypted: true
    signed: false
  - name: LoginSDK
    links: [CoreSDK]
    classes: [{name: LSDKLoginManager, super: CSDKApplicationDelegate}]
    plistFormat: binary
    privacyManifest: manifest.xcprivacy
    resourceBundles: [{name: LoginRes, bundleId: com.example.LoginRes, files: {a.txt: hi}}]
  - {name: Plugin, linked: false, classes: [PluginMain]}
dylibs: [{name: libdemo.dylib, symbols: [demo_entry]}]
extensions:
  - name: NotificationService
    bundleId: com.example.demo.ns
    classes: [NotificationService]
    links: [CoreSDK]
watch: {name: DemoWatch, bundleId: com.example.demo.watch, classes: [WatchMain]}
files: {"Assets/readme.txt": "text", "Assets/logo.png": "png bytes png bytes png bytes png bytes"}
stored: ["*.png"]
`

// TestBuildFeatures builds a spec using every field and checks the result with debug/macho.
func TestBuildFeatures(t *testing.T) {
	tc := testToolchain(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "demo.yaml")
	must(t, os.WriteFile(spec, []byte(featureSpec), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "manifest.xcprivacy"), []byte(minimalManifest), 0o644))
	out, err := buildSpecFile(context.Background(), tc, config{}, spec)
	if err != nil {
		t.Fatal(err)
	}
	files := readZip(t, out)

	names := sortedKeys(files)
	want := []string{
		"Payload/", "Payload/Demo.app/", "Payload/Demo.app/Assets/", "Payload/Demo.app/Assets/logo.png",
		"Payload/Demo.app/Assets/readme.txt", "Payload/Demo.app/Demo", "Payload/Demo.app/Frameworks/",
		"Payload/Demo.app/Frameworks/CoreSDK.framework/", "Payload/Demo.app/Frameworks/CoreSDK.framework/CoreSDK",
		"Payload/Demo.app/Frameworks/CoreSDK.framework/Info.plist",
		"Payload/Demo.app/Frameworks/LoginSDK.framework/", "Payload/Demo.app/Frameworks/LoginSDK.framework/Info.plist",
		"Payload/Demo.app/Frameworks/LoginSDK.framework/LoginRes.bundle/",
		"Payload/Demo.app/Frameworks/LoginSDK.framework/LoginRes.bundle/Info.plist",
		"Payload/Demo.app/Frameworks/LoginSDK.framework/LoginRes.bundle/a.txt",
		"Payload/Demo.app/Frameworks/LoginSDK.framework/LoginSDK",
		"Payload/Demo.app/Frameworks/LoginSDK.framework/PrivacyInfo.xcprivacy",
		"Payload/Demo.app/Frameworks/Plugin.framework/", "Payload/Demo.app/Frameworks/Plugin.framework/Info.plist",
		"Payload/Demo.app/Frameworks/Plugin.framework/Plugin",
		"Payload/Demo.app/Frameworks/libdemo.dylib", "Payload/Demo.app/Info.plist", "Payload/Demo.app/PkgInfo",
		"Payload/Demo.app/PlugIns/", "Payload/Demo.app/PlugIns/NotificationService.appex/",
		"Payload/Demo.app/PlugIns/NotificationService.appex/Info.plist",
		"Payload/Demo.app/PlugIns/NotificationService.appex/NotificationService",
		"Payload/Demo.app/Watch/", "Payload/Demo.app/Watch/DemoWatch.app/", "Payload/Demo.app/Watch/DemoWatch.app/DemoWatch",
		"Payload/Demo.app/Watch/DemoWatch.app/Info.plist", "Payload/Demo.app/Watch/DemoWatch.app/PkgInfo",
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Fatalf("entries:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	if files["Payload/Demo.app/Assets/logo.png"].method != zip.Store {
		t.Error("logo.png: want stored")
	}
	if files["Payload/Demo.app/Demo"].mode != 0o755 || files["Payload/Demo.app/Info.plist"].mode != 0o644 {
		t.Error("want executables 0755 and other files 0644")
	}
	if !bytes.HasPrefix(files["Payload/Demo.app/Frameworks/LoginSDK.framework/Info.plist"].data, []byte("bplist00")) {
		t.Error("LoginSDK Info.plist: want a binary plist")
	}
	var info map[string]any
	if _, err := plist.Unmarshal(files["Payload/Demo.app/Info.plist"].data, &info); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"FacebookAppID": "1234567890", "CFBundleShortVersionString": "1.2.3",
		"CFBundleVersion": "42", "CFBundleExecutable": "Demo", "CFBundleIdentifier": "com.example.demo",
		"CFBundlePackageType": "APPL"} {
		if info[k] != v {
			t.Errorf("Info.plist %s = %v, want %v", k, info[k], v)
		}
	}
	if got := fmt.Sprint(info["CFBundleURLTypes"], info["Nested"]); got != "[map[CFBundleURLSchemes:[fb1234567890]]] map[list:[1 2.5 true x]]" {
		t.Errorf("Info.plist URL types and nested value: %s", got)
	}

	// The main executable: fat, with both slices linking the frameworks.
	exe := files["Payload/Demo.app/Demo"].data
	fat, err := macho.NewFatFile(bytes.NewReader(exe))
	if err != nil {
		t.Fatalf("main executable: %v", err)
	}
	if len(fat.Arches) != 2 {
		t.Fatalf("main executable: %d slices, want 2", len(fat.Arches))
	}
	for _, a := range fat.Arches {
		libs, _ := a.ImportedLibraries()
		joined := strings.Join(libs, " ")
		for _, l := range []string{"@rpath/CoreSDK.framework/CoreSDK", "@rpath/LoginSDK.framework/LoginSDK",
			"@rpath/libdemo.dylib", "StoreKit.framework/StoreKit"} {
			if !strings.Contains(joined, l) {
				t.Errorf("%s slice links %v, want %s", a.Cpu, libs, l)
			}
		}
		if strings.Contains(joined, "Plugin") {
			t.Errorf("%s slice links the unlinked Plugin framework", a.Cpu)
		}
		syms := symbolNames(a.File)
		for _, s := range []string{"_OBJC_CLASS_$_DemoAppDelegate", "_OBJC_CLASS_$__TtC4Demo7Meeting",
			"_OBJC_CLASS_$_ADKMobileAds", "_DemoVersion", "_DemoBuild", "_stat", "_OBJC_CLASS_$_NSUserDefaults"} {
			if !syms[s] {
				t.Errorf("%s slice lacks symbol %s", a.Cpu, s)
			}
		}
		if a.Cpu == macho.CpuArm64 {
			if loadCmd(a.File, lcCodeSignature) == nil {
				t.Error("arm64 main executable: want LC_CODE_SIGNATURE (signed by default)")
			}
			if !hasWeakDylib(a.File, "AdSupport") {
				t.Error("arm64 main executable: want AdSupport weakly linked")
			}
			text := sectionData(t, a.File, "__TEXT", "__cstring")
			for _, s := range []string{"https://api.example.com/v1\x00", "quote\" question? newline\n\x00",
				"application:didFinishLaunchingWithOptions:\x00", "open:with:\x00"} {
				if !bytes.Contains(text, []byte(s)) {
					t.Errorf("__cstring lacks %q", s)
				}
			}
			if sectionData(t, a.File, "__DATA", "__objc_selrefs") == nil {
				t.Error("no __objc_selrefs")
			}
		}
	}

	// The encrypted, unsigned framework.
	core, err := macho.NewFile(bytes.NewReader(files["Payload/Demo.app/Frameworks/CoreSDK.framework/CoreSDK"].data))
	if err != nil {
		t.Fatal(err)
	}
	enc := loadCmd(core, lcEncryptionInfo64)
	if enc == nil || binary.LittleEndian.Uint32(enc[16:]) != 1 {
		t.Error("CoreSDK: want cryptid 1")
	}
	if loadCmd(core, lcCodeSignature) != nil {
		t.Error("CoreSDK: signed: false, yet LC_CODE_SIGNATURE")
	}
	if bytes.Contains(sectionData(t, core, "__TEXT", "__cstring"), []byte("CSDKApplicationDelegate\x00")) {
		t.Error("CoreSDK: class name readable in the encrypted range")
	}
	if !symbolNames(core)["_OBJC_CLASS_$_ASIdentifierManager"] || !hasWeakDylib(core, "AdSupport") {
		t.Error("CoreSDK: want the ASIdentifierManager import and AdSupport weak")
	}
	if id := dylibID(core); id != "@rpath/CoreSDK.framework/CoreSDK" {
		t.Errorf("CoreSDK install name %q", id)
	}
	login, err := macho.NewFile(bytes.NewReader(files["Payload/Demo.app/Frameworks/LoginSDK.framework/LoginSDK"].data))
	if err != nil {
		t.Fatal(err)
	}
	if libs, _ := login.ImportedLibraries(); !strings.Contains(strings.Join(libs, " "), "@rpath/CoreSDK.framework/CoreSDK") {
		t.Errorf("LoginSDK links %v, want CoreSDK", libs)
	}
	ext, err := macho.NewFile(bytes.NewReader(files["Payload/Demo.app/PlugIns/NotificationService.appex/NotificationService"].data))
	if err != nil {
		t.Fatal(err)
	}
	if libs, _ := ext.ImportedLibraries(); !strings.Contains(strings.Join(libs, " "), "@rpath/CoreSDK.framework/CoreSDK") {
		t.Errorf("extension links %v, want the app's CoreSDK", libs)
	}
}

// TestBuildIsDeterministic builds the same spec from two directories and compares bytes.
func TestBuildIsDeterministic(t *testing.T) {
	tc := testToolchain(t)
	var outs [][]byte
	for i := 0; i < 2; i++ {
		dir := t.TempDir()
		spec := filepath.Join(dir, "demo.yaml")
		must(t, os.WriteFile(spec, []byte(featureSpec), 0o644))
		must(t, os.WriteFile(filepath.Join(dir, "manifest.xcprivacy"), []byte(minimalManifest), 0o644))
		out, err := buildSpecFile(context.Background(), tc, config{}, spec)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(out)
		must(t, err)
		outs = append(outs, data)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("two builds of one spec differ")
	}
}

func TestBuildErrors(t *testing.T) {
	tc := testToolchain(t)
	for name, spec := range map[string]string{
		"unknown link":   "name: A\nbundleId: a.b\nlinks: [NoSuchKit]\n",
		"unknown import": "name: A\nbundleId: a.b\nimports: [_no_such_symbol]\n",
		"link cycle":     "name: A\nbundleId: a.b\nframeworks: [{name: X, links: [Y]}, {name: Y, links: [X]}]\n",
		"missing source": "name: A\nbundleId: a.b\nsources: [nope.m]\n",
		"file and dir":   "name: A\nbundleId: a.b\nfiles: {x: a, x/y: b}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "a.yaml")
			must(t, os.WriteFile(p, []byte(spec), 0o644))
			if _, err := buildSpecFile(context.Background(), tc, config{}, p); err == nil {
				t.Fatal("want an error")
			}
			if _, err := os.Stat(filepath.Join(dir, "a.ipa")); err == nil {
				t.Error("a failed build left an .ipa")
			}
		})
	}
}

func TestParseSpecRejects(t *testing.T) {
	for name, spec := range map[string]string{
		"unknown field":       "name: A\nbundleId: a.b\ncolour: red\n",
		"unknown class field": "name: A\nbundleId: a.b\nclasses: [{name: X, colour: red}]\n",
		"no bundle id":        "name: A\n",
		"slash in name":       "name: ../A\nbundleId: a.b\n",
		"escaping file":       "name: A\nbundleId: a.b\nfiles: {../../x: y}\n",
		"absolute file":       "name: A\nbundleId: a.b\nfiles: {/etc/x: y}\n",
		"absolute source":     "name: A\nbundleId: a.b\nsources: [/etc/passwd.m]\n",
		"bad arch":            "name: A\nbundleId: a.b\narch: [armv7]\n",
		"bad selector":        "name: A\nbundleId: a.b\nselectors: [\"a b\"]\n",
		"bad class":           "name: A\nbundleId: a.b\nclasses: [\"a b\"]\n",
		"dylib name":          "name: A\nbundleId: a.b\ndylibs: [{name: foo}]\n",
		"dylib bundle":        "name: A\nbundleId: a.b\ndylibs: [{name: libfoo.dylib, bundleId: x}]\n",
		"resources code":      "name: A\nbundleId: a.b\nresourceBundles: [{name: R, classes: [X]}]\n",
		"nested framework":    "name: A\nbundleId: a.b\nframeworks: [{name: F, frameworks: [{name: G}]}]\n",
		"duplicate framework": "name: A\nbundleId: a.b\nframeworks: [{name: F}, {name: F}]\n",
		"plist format":        "name: A\nbundleId: a.b\nplistFormat: json\n",
		"source kind":         "name: A\nbundleId: a.b\nsources: [a.swift]\n",
		"nested extension":    "name: A\nbundleId: a.b\nextensions: [{name: E, bundleId: e, extensions: [{name: F, bundleId: f}]}]\n",
		"not yaml":            "name: [\n",
		"escaping output":     "name: A\nbundleId: a.b\noutput: ../../a.ipa\n",
		"absolute output":     "name: A\nbundleId: a.b\noutput: /tmp/a.ipa\n",
		"output not ipa":      "name: A\nbundleId: a.b\noutput: a.zip\n",
	} {
		if _, err := parseSpec([]byte(spec)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestGeneratedObjC(t *testing.T) {
	c := &Code{
		Classes:   []Class{{Name: "Plain"}, {Name: "_TtC3Mod4Type", Super: "UIResponder", Methods: []string{"+shared", "a:b:"}}},
		Symbols:   []Symbol{{Name: "Sym"}},
		Strings:   []string{"a\"b\\c?\x01"},
		Selectors: []string{"x:y:"},
		Imports:   []Import{{Name: "_OBJC_CLASS_$_X", Weak: true}},
	}
	src := generatedObjC(c, true)
	for _, s := range []string{
		`__attribute__((objc_runtime_name("_TtC3Mod4Type")))`,
		"@interface GenRuntimeNamed0 : UIResponder",
		"@interface UIResponder : NSObject",
		"+ (void)shared {}", "- (void)a:(id)arg0 b:(id)arg1 {}",
		`const char gen_symbol_0[] __asm__("_Sym") = "Sym";`,
		`"a\"b\\c\077\001"`,
		"@selector(x:y:)",
		`extern char gen_import_0[] __asm__("_OBJC_CLASS_$_X") __attribute__((weak_import));`,
		"int main(",
	} {
		if !strings.Contains(src, s) {
			t.Errorf("generated source lacks %q:\n%s", s, src)
		}
	}
	if generatedObjC(&Code{}, false) != "" {
		t.Error("empty unit: want no source")
	}
}

func TestSimulateEncryption(t *testing.T) {
	// A minimal Mach-O header with one LC_ENCRYPTION_INFO_64 covering bytes [64, 96).
	data := make([]byte, 128)
	le := binary.LittleEndian
	le.PutUint32(data[0:], machoMagic64)
	le.PutUint32(data[16:], 1)  // ncmds
	le.PutUint32(data[20:], 24) // sizeofcmds
	le.PutUint32(data[32:], lcEncryptionInfo64)
	le.PutUint32(data[36:], 24)
	le.PutUint32(data[40:], 64)
	le.PutUint32(data[44:], 32)
	must(t, simulateEncryption(data, "x"))
	if le.Uint32(data[48:]) != 1 {
		t.Error("cryptid not set")
	}
	if bytes.Equal(data[64:96], make([]byte, 32)) || !bytes.Equal(data[96:], make([]byte, 32)) {
		t.Error("want exactly the encrypted range scrambled")
	}
	le.PutUint32(data[44:], 1000)
	if simulateEncryption(data, "x") == nil {
		t.Error("range beyond the file: want an error")
	}
	if simulateEncryption([]byte("short"), "x") == nil {
		t.Error("not Mach-O: want an error")
	}
}

func TestWriteZip(t *testing.T) {
	entries := []entry{
		{name: "Payload/A.app/b.txt", mode: 0o644, data: bytes.Repeat([]byte("b"), 100)},
		{name: "Payload/A.app/A", mode: 0o755, data: []byte("x")},
		{name: "Payload/A.app/img/c.png", mode: 0o644, data: bytes.Repeat([]byte("c"), 100)},
	}
	var a, b bytes.Buffer
	must(t, writeZip(&a, entries, []string{"*.png"}))
	entries[0], entries[2] = entries[2], entries[0]
	must(t, writeZip(&b, entries, []string{"*.png"}))
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("entry order changed the archive")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	must(t, err)
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
		if !f.Modified.Equal(zipTime) {
			t.Errorf("%s: time %v", f.Name, f.Modified)
		}
	}
	want := "Payload/ Payload/A.app/ Payload/A.app/A Payload/A.app/b.txt Payload/A.app/img/ Payload/A.app/img/c.png"
	if strings.Join(got, " ") != want {
		t.Errorf("entries %v", got)
	}
	if zr.File[3].Method != zip.Deflate || zr.File[5].Method != zip.Store || zr.File[2].Method != zip.Store {
		t.Error("want b.txt deflated, c.png stored by pattern, A stored as deflate does not shrink it")
	}
	if err := writeZip(io.Discard, []entry{{name: "a", data: nil}, {name: "a", data: nil}}, nil); err == nil {
		t.Error("duplicate entries: want an error")
	}
}

// FuzzSimulateEncryption feeds arbitrary bytes to the Mach-O patcher: it must return an error
// or patch within bounds, never panic.
func FuzzSimulateEncryption(f *testing.F) {
	hdr := make([]byte, 128)
	le := binary.LittleEndian
	le.PutUint32(hdr[0:], machoMagic64)
	le.PutUint32(hdr[16:], 1)
	le.PutUint32(hdr[20:], 24)
	le.PutUint32(hdr[32:], lcEncryptionInfo64)
	le.PutUint32(hdr[36:], 24)
	le.PutUint32(hdr[40:], 64)
	le.PutUint32(hdr[44:], 32)
	f.Add(hdr)
	f.Add([]byte{0xcf, 0xfa, 0xed, 0xfe})
	f.Fuzz(func(t *testing.T, data []byte) {
		n := len(data)
		_ = simulateEncryption(data, "seed")
		if len(data) != n {
			t.Fatal("length changed")
		}
	})
}

func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(featureSpec))
	f.Add([]byte("name: A\nbundleId: a.b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseSpec(data)
		if err != nil {
			return
		}
		// A valid spec never names a path outside its bundle.
		var check func(*Spec)
		check = func(s *Spec) {
			for p := range s.Files {
				if checkEntryPath(p) != nil {
					t.Fatalf("accepted file path %q", p)
				}
			}
			for _, e := range s.Extensions {
				check(e)
			}
		}
		check(s)
	})
}

type zipFile struct {
	data   []byte
	mode   os.FileMode
	method uint16
}

func readZip(t *testing.T, path string) map[string]zipFile {
	t.Helper()
	zr, err := zip.OpenReader(path)
	must(t, err)
	defer zr.Close()
	out := map[string]zipFile{}
	for _, f := range zr.File {
		r, err := f.Open()
		must(t, err)
		data, err := io.ReadAll(r)
		must(t, err)
		out[f.Name] = zipFile{data: data, mode: f.Mode().Perm(), method: f.Method}
	}
	return out
}

const (
	lcCodeSignature = 0x1d
	lcIDDylib       = 0xd
	lcLoadWeakDylib = 0x80000018
)

func loadCmd(f *macho.File, cmd uint32) []byte {
	for _, l := range f.Loads {
		raw := l.Raw()
		if len(raw) >= 8 && binary.LittleEndian.Uint32(raw) == cmd {
			return raw
		}
	}
	return nil
}

func hasWeakDylib(f *macho.File, name string) bool {
	for _, l := range f.Loads {
		raw := l.Raw()
		if len(raw) >= 24 && binary.LittleEndian.Uint32(raw) == lcLoadWeakDylib && bytes.Contains(raw[24:], []byte(name)) {
			return true
		}
	}
	return false
}

func dylibID(f *macho.File) string {
	raw := loadCmd(f, lcIDDylib)
	if raw == nil {
		return ""
	}
	return string(bytes.TrimRight(raw[24:], "\x00"))
}

func symbolNames(f *macho.File) map[string]bool {
	out := map[string]bool{}
	if f.Symtab != nil {
		for _, s := range f.Symtab.Syms {
			out[s.Name] = true
		}
	}
	return out
}

func sectionData(t *testing.T, f *macho.File, seg, sect string) []byte {
	for _, s := range f.Sections {
		if s.Seg == seg && s.Name == sect {
			data, err := s.Data()
			must(t, err)
			return data
		}
	}
	return nil
}

func sortedKeys(m map[string]zipFile) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const minimalManifest = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>NSPrivacyTracking</key>
	<false/>
	<key>NSPrivacyAccessedAPITypes</key>
	<array/>
</dict>
</plist>
`
