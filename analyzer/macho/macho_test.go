package macho

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func init() { debugPanics = true }

// fixtures are the committed binaries built by testdata/build.sh.
var fixtures = []string{
	"TrackKit.dylib", "TrackKitApp", "TrackKit-fat.dylib", "TrackKit-chained.dylib",
	"TrackKit-encrypted.dylib", "libTrackKit.a", "libTrackKit-fat.a", "libTrackKit-gnu.a",
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func read(t testing.TB, b []byte) *model.MachOFacts {
	t.Helper()
	facts, err := Read(bytes.NewReader(b), int64(len(b)), Options{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return facts
}

func TestGolden(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(read(t, readFixture(t, name)), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("facts differ from %s (go test -update rewrites it):\n%s", golden, got)
			}
		})
	}
}

func has(list []string, want ...string) []string {
	var missing []string
	for _, w := range want {
		if !slices.Contains(list, w) {
			missing = append(missing, w)
		}
	}
	return missing
}

func checkHas(t *testing.T, what string, list []string, want ...string) {
	t.Helper()
	if m := has(list, want...); len(m) > 0 {
		t.Errorf("%s lacks %q; has %q", what, m, list)
	}
}

// checkSDK checks the facts the fixture SDK source (testdata/src/TrackKit.m) must yield.
func checkSDK(t *testing.T, s model.SliceFacts) {
	t.Helper()
	checkHas(t, "imports", s.ImportedSymbols, "_stat", "_statfs", "_mach_absolute_time",
		"_NSFileSystemFreeSize", "_OBJC_CLASS_$_NSUserDefaults", "_OBJC_CLASS_$_NSProcessInfo")
	checkHas(t, "exports", s.ExportedSymbols, "_SFKStart", "_OBJC_CLASS_$_SFKTracker",
		"_OBJC_CLASS_$__TtC12FirebaseCore16FirebaseAppSwift")
	checkHas(t, "classes", s.ObjCClasses, "SFKTracker", "SFKDeviceInfo", "_TtC12FirebaseCore16FirebaseAppSwift")
	checkHas(t, "categories", s.ObjCCategories, "SFKTracker(SFKLifecycle)", "NSObject(SFKSwizzle)")
	checkHas(t, "protocols", s.ObjCProtocols, "SFKTrackingDelegate")
	checkHas(t, "selectors", s.Selectors, "systemUptime", "activeInputModes", "standardUserDefaults")
	checkHas(t, "strings", s.Strings, "https://events.sdkflow-fixture.example/v1/collect", "TrackKit/4.2.0")
	if slices.Contains(s.ImportedSymbols, "_SFKStart") || slices.Contains(s.ExportedSymbols, "_stat") {
		t.Errorf("imports and exports mixed up: %q / %q", s.ImportedSymbols, s.ExportedSymbols)
	}
	if len(s.Errors) > 0 {
		t.Errorf("unexpected errors: %q", s.Errors)
	}
}

func TestThinDylib(t *testing.T) {
	facts := read(t, readFixture(t, "TrackKit.dylib"))
	if len(facts.Slices) != 1 || len(facts.Members) != 0 {
		t.Fatalf("want one slice, got %d slices %d members", len(facts.Slices), len(facts.Members))
	}
	s := facts.Slices[0]
	if s.Arch != "arm64" || s.FileType != "dylib" || s.Encrypted || s.CodeSigned {
		t.Errorf("header facts: %+v", s)
	}
	if s.InstallName != "@rpath/TrackKit.framework/TrackKit" || s.MinOS != "14.0" {
		t.Errorf("install name %q, min OS %q", s.InstallName, s.MinOS)
	}
	if !slices.Contains(s.Dylibs, model.Dylib{Name: "/System/Library/Frameworks/AdSupport.framework/AdSupport", Kind: model.DylibWeak}) ||
		!slices.Contains(s.Dylibs, model.Dylib{Name: "/System/Library/Frameworks/Foundation.framework/Foundation", Kind: model.DylibLoad}) {
		t.Errorf("dylibs: %+v", s.Dylibs)
	}
	checkHas(t, "rpaths", s.Rpaths, "@loader_path/Frameworks")
	checkHas(t, "swift types", s.SwiftTypes, "TrackKitSwift.Session", "TrackKitSwift.Session.Config")
	checkSDK(t, s)
}

func TestChainedFixupsSignedDylib(t *testing.T) {
	s := read(t, readFixture(t, "TrackKit-chained.dylib")).Slices[0]
	if !s.CodeSigned || s.MinOS != "17.0" {
		t.Errorf("code signed %v, min OS %q", s.CodeSigned, s.MinOS)
	}
	checkHas(t, "swift types", s.SwiftTypes, "TrackKitSwift.Session", "TrackKitSwift.Session.Config")
	checkSDK(t, s)
}

func TestExecutable(t *testing.T) {
	s := read(t, readFixture(t, "TrackKitApp")).Slices[0]
	if s.FileType != "execute" || s.InstallName != "" {
		t.Errorf("file type %q, install name %q", s.FileType, s.InstallName)
	}
	if !slices.Contains(s.Dylibs, model.Dylib{Name: "@rpath/TrackKit.framework/TrackKit", Kind: model.DylibLoad}) {
		t.Errorf("dylibs: %+v", s.Dylibs)
	}
	checkHas(t, "rpaths", s.Rpaths, "@executable_path/Frameworks")
	checkHas(t, "imports", s.ImportedSymbols, "_SFKStart", "_OBJC_CLASS_$_NSUserDefaults")
	checkHas(t, "classes", s.ObjCClasses, "AppDelegate")
}

func TestFat(t *testing.T) {
	facts := read(t, readFixture(t, "TrackKit-fat.dylib"))
	var archs []string
	for _, s := range facts.Slices {
		archs = append(archs, s.Arch)
		checkSDK(t, s)
	}
	if !slices.Equal(archs, []string{"x86_64", "arm64"}) {
		t.Errorf("archs %q", archs)
	}
}

func TestEncrypted(t *testing.T) {
	s := read(t, readFixture(t, "TrackKit-encrypted.dylib")).Slices[0]
	if !s.Encrypted {
		t.Fatal("cryptid 1 not reported")
	}
	if len(s.ObjCClasses)+len(s.ObjCCategories)+len(s.ObjCProtocols)+len(s.Selectors)+len(s.SwiftTypes)+len(s.Strings) > 0 {
		t.Errorf("names read from an encrypted slice: %+v", s)
	}
	// What is outside the encrypted range stays readable.
	checkHas(t, "imports", s.ImportedSymbols, "_stat", "_OBJC_CLASS_$_NSUserDefaults")
	checkHas(t, "exports", s.ExportedSymbols, "_OBJC_CLASS_$_SFKTracker")
	if len(s.Dylibs) != 5 || s.InstallName == "" {
		t.Errorf("load commands: %+v %q", s.Dylibs, s.InstallName)
	}
}

// TestScrambledNamesDropped reads the scrambled fixture as if it were not encrypted: the
// names then come from random bytes, and the identifier guard must drop them.
func TestScrambledNamesDropped(t *testing.T) {
	b := readFixture(t, "TrackKit-encrypted.dylib")
	off := findLoadCommand(t, b, 0x2c)
	b[off+16] = 0 // cryptid
	s := read(t, b).Slices[0]
	if s.Encrypted {
		t.Fatal("cryptid still set")
	}
	for _, list := range [][]string{s.ObjCClasses, s.ObjCProtocols, s.SwiftTypes} {
		for _, n := range list {
			if !identifier(n, false) {
				t.Errorf("garbage name kept: %q", n)
			}
		}
	}
	if !slices.ContainsFunc(s.Errors, func(e string) bool { return strings.Contains(e, "classes: 3 names dropped") }) {
		t.Errorf("scrambled class names not reported as dropped: %q", s.Errors)
	}
	// The class names that remain come from the symbol table, which is never encrypted.
	checkHas(t, "classes", s.ObjCClasses, "SFKTracker")
}

func findLoadCommand(t *testing.T, b []byte, cmd uint32) int {
	t.Helper()
	ncmds := le32(b[16:])
	off := 32
	for i := uint32(0); i < ncmds; i++ {
		if le32(b[off:]) == cmd {
			return off
		}
		off += int(le32(b[off+4:]))
	}
	t.Fatalf("no load command %#x", cmd)
	return 0
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func TestArchives(t *testing.T) {
	for _, tc := range []struct {
		name    string
		members []string // arch/member
	}{
		{"libTrackKit.a", []string{"arm64/TrackKit.o", "arm64/SwiftTypes.o"}},
		{"libTrackKit-fat.a", []string{"x86_64/TrackKit-sim.o", "arm64/TrackKit.o", "arm64/SwiftTypes.o"}},
		{"libTrackKit-gnu.a", []string{"arm64/TrackKitWithALongMemberName.o"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			facts := read(t, readFixture(t, tc.name))
			if len(facts.Slices) != 0 || len(facts.Errors) != 0 {
				t.Errorf("slices %d, errors %q", len(facts.Slices), facts.Errors)
			}
			var got []string
			for _, m := range facts.Members {
				got = append(got, m.Arch+"/"+m.Member)
				if m.FileType != "object" {
					t.Errorf("%s: file type %q", m.Member, m.FileType)
				}
				if strings.HasPrefix(m.Member, "TrackKit") {
					s := m
					s.Strings = nil // object files keep method and class names in their own sections
					checkHas(t, "strings", m.Strings, "https://events.sdkflow-fixture.example/v1/collect")
					s.Strings = m.Strings
					checkSDK(t, s)
				}
			}
			if !slices.Equal(got, tc.members) {
				t.Errorf("members %q, want %q", got, tc.members)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
	}{
		{"\xcf\xfa\xed\xfe\x0c\x00\x00\x01", Thin},
		{"\xce\xfa\xed\xfe\x0c\x00\x00\x00", Thin},
		{"\xfe\xed\xfa\xcf\x00\x00\x00\x07", Thin},
		{"\xca\xfe\xba\xbe\x00\x00\x00\x02", Fat},
		{"\xca\xfe\xba\xbf\x00\x00\x00\x01", Fat},
		{"\xca\xfe\xba\xbe\x00\x00\x00\x34", NotMachO}, // a Java class file (version 52)
		{"!<arch>\n", Archive},
		{"XSym\n0042\n", NotMachO},
		{"version https://git-lfs.github.com/spec/v1\n", NotMachO},
		{"\xcf\xfa", NotMachO},
		{"", NotMachO},
	} {
		if got := Sniff([]byte(tc.in)); got != tc.want {
			t.Errorf("Sniff(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestNotMachO(t *testing.T) {
	for _, in := range []string{"", "XSym\n0042\n1234567890abcdef\n../Versions/A/X\n",
		"version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n", "\xca\xfe\xba\xbe\x00\x00\x00\x34rest"} {
		_, err := Read(strings.NewReader(in), int64(len(in)), Options{})
		if !errors.Is(err, ErrNotMachO) {
			t.Errorf("Read(%q): %v, want ErrNotMachO", in, err)
		}
	}
}

func TestBounds(t *testing.T) {
	b := readFixture(t, "TrackKit.dylib")
	facts, err := Read(bytes.NewReader(b), int64(len(b)), Options{MaxStrings: 3, MaxStringLen: 10, MaxNames: 2})
	if err != nil {
		t.Fatal(err)
	}
	s := facts.Slices[0]
	if len(s.Strings) != 3 || len(s.SwiftTypes) > 2 {
		t.Errorf("%d strings, %d Swift types", len(s.Strings), len(s.SwiftTypes))
	}
	for _, str := range s.Strings {
		if len(str) > 10 {
			t.Errorf("string %q longer than the bound", str)
		}
	}
	if !slices.ContainsFunc(s.Errors, func(e string) bool { return strings.Contains(e, "more than 3") }) {
		t.Errorf("bound not reported: %q", s.Errors)
	}
	lib := readFixture(t, "libTrackKit-fat.a")
	facts, err = Read(bytes.NewReader(lib), int64(len(lib)), Options{MaxMembers: 1, MaxSlices: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(facts.Members) != 1 || len(facts.Errors) != 1 {
		t.Errorf("%d members, errors %q", len(facts.Members), facts.Errors)
	}
}
