package plist

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
	hplist "howett.net/plist"
)

const appInfoXML = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CFBundleIdentifier</key>
	<string>us.zoomlike.videomeetings</string>
	<key>CFBundleName</key>
	<string>Zoomlike</string>
	<key>CFBundleExecutable</key>
	<string>Zoomlike</string>
	<key>CFBundlePackageType</key>
	<string>APPL</string>
	<key>CFBundleShortVersionString</key>
	<string>4.6.9</string>
	<key>CFBundleVersion</key>
	<string>4.6.9.20200325</string>
	<key>MinimumOSVersion</key>
	<string>9.0</string>
	<key>FacebookAppID</key>
	<string>113289095462482</string>
	<key>FacebookAutoLogAppEventsEnabled</key>
	<string>YES</string>
	<key>FacebookAdvertiserIDCollectionEnabled</key>
	<true/>
	<key>UIRequiredDeviceCapabilities</key>
	<array><string>arm64</string></array>
	<key>LSApplicationQueriesSchemes</key>
	<array><string>fbapi</string><string>fbauth2</string></array>
	<key>CFBundleURLTypes</key>
	<array>
		<dict>
			<key>CFBundleURLSchemes</key>
			<array><string>zoomus</string><string>fb113289095462482</string></array>
		</dict>
		<dict>
			<key>CFBundleURLName</key>
			<string>single</string>
			<key>CFBundleURLSchemes</key>
			<string>zoomlike-legacy</string>
		</dict>
		<dict><key>CFBundleURLSchemes</key><array><string>zoomus</string></array></dict>
	</array>
	<key>NSAppTransportSecurity</key>
	<dict>
		<key>NSAllowsArbitraryLoads</key>
		<true/>
		<key>NSAllowsArbitraryLoadsInWebContent</key>
		<string>NO</string>
		<key>NSExceptionDomains</key>
		<dict>
			<key>zoom.example</key><dict><key>NSIncludesSubdomains</key><true/></dict>
			<key>cdn.example</key><dict/>
		</dict>
	</dict>
	<key>BuildDate</key>
	<date>2020-03-25T10:00:00Z</date>
	<key>SomeCount</key>
	<integer>-3</integer>
	<key>Ratio</key>
	<real>0.5</real>
	<key>Blob</key>
	<data>AAEC</data>
</dict>
</plist>`

func TestParseInfoXML(t *testing.T) {
	info, err := ParseInfo([]byte(appInfoXML), "Payload/Zoomlike.app/Info.plist", "Payload/Zoomlike.app")
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != "xml" || info.Path != "Payload/Zoomlike.app/Info.plist" || info.Bundle != "Payload/Zoomlike.app" {
		t.Errorf("format %q path %q bundle %q", info.Format, info.Path, info.Bundle)
	}
	checkAppInfo(t, info)
	if info.Values["BuildDate"] != "2020-03-25T10:00:00Z" || info.Values["SomeCount"] != int64(-3) || info.Values["Ratio"] != 0.5 {
		t.Errorf("values: %#v", info.Values)
	}
	for _, k := range []string{"Blob", "CFBundleURLTypes", "NSAppTransportSecurity"} {
		if _, ok := info.Values[k]; ok {
			t.Errorf("%s kept as a scalar", k)
		}
	}
	if _, err := json.Marshal(info); err != nil {
		t.Errorf("not JSON-encodable: %v", err)
	}
}

func checkAppInfo(t *testing.T, info model.InfoPlist) {
	t.Helper()
	want := model.InfoPlist{BundleID: "us.zoomlike.videomeetings", Name: "Zoomlike", Executable: "Zoomlike",
		PackageType: "APPL", ShortVersion: "4.6.9", Version: "4.6.9.20200325", MinOS: "9.0"}
	got := info
	got.Path, got.Bundle, got.Format, got.Keys, got.Values, got.URLSchemes, got.ATS, got.XCFrameworkLibraries = "", "", "", nil, nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("identity: %+v", got)
	}
	if s := strings.Join(info.URLSchemes, ","); s != "fb113289095462482,zoomlike-legacy,zoomus" {
		t.Errorf("URL schemes %s", s)
	}
	if !slices.IsSorted(info.Keys) || !slices.Contains(info.Keys, "FacebookAppID") || !slices.Contains(info.Keys, "CFBundleURLTypes") {
		t.Errorf("keys %q", info.Keys)
	}
	if info.Values["FacebookAutoLogAppEventsEnabled"] != "YES" {
		t.Errorf("raw value not kept: %#v", info.Values)
	}
	// OpenStep has strings only: <true/> comes back as "1".
	if b, ok := Bool(info.Values["FacebookAdvertiserIDCollectionEnabled"]); !b || !ok {
		t.Errorf("consent flags: %#v", info.Values)
	}
	if b, ok := Bool(info.Values["FacebookAutoLogAppEventsEnabled"]); !b || !ok {
		t.Errorf("Bool(YES) = %v, %v", b, ok)
	}
	ats := info.ATS
	if ats == nil || ats.AllowsArbitraryLoads == nil || !*ats.AllowsArbitraryLoads ||
		ats.AllowsArbitraryLoadsInWebContent == nil || *ats.AllowsArbitraryLoadsInWebContent ||
		strings.Join(ats.ExceptionDomains, ",") != "cdn.example,zoom.example" {
		t.Errorf("ATS: %+v", ats)
	}
}

// appInfoValue is the XML example as Go values, for writing it in the other formats.
func appInfoValue(t *testing.T) map[string]any {
	var v map[string]any
	if _, err := hplist.Unmarshal([]byte(appInfoXML), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseInfoBinaryAndOpenStep(t *testing.T) {
	for _, format := range []int{hplist.BinaryFormat, hplist.OpenStepFormat, hplist.GNUStepFormat} {
		v := appInfoValue(t)
		if format != hplist.BinaryFormat {
			delete(v, "BuildDate") // OpenStep has no dates
			delete(v, "Blob")
		}
		data, err := hplist.Marshal(v, format)
		if err != nil {
			t.Fatal(err)
		}
		info, err := ParseInfo(data, "Info.plist", "")
		if err != nil {
			t.Fatalf("format %d: %v", format, err)
		}
		want := map[int]string{hplist.BinaryFormat: "binary", hplist.OpenStepFormat: "openstep", hplist.GNUStepFormat: "openstep"}[format]
		if info.Format != want {
			t.Errorf("format %q, want %q", info.Format, want)
		}
		checkAppInfo(t, info)
	}
}

func TestParseInfoXCFramework(t *testing.T) {
	xml := `<plist version="1.0"><dict>
	<key>CFBundlePackageType</key><string>XFWK</string>
	<key>XCFrameworkFormatVersion</key><string>1.0</string>
	<key>AvailableLibraries</key><array>
		<dict><key>LibraryIdentifier</key><string>ios-arm64_x86_64-simulator</string>
			<key>LibraryPath</key><string>GoogleMobileAds.framework</string>
			<key>SupportedArchitectures</key><array><string>arm64</string><string>x86_64</string></array>
			<key>SupportedPlatform</key><string>ios</string><key>SupportedPlatformVariant</key><string>simulator</string></dict>
		<dict><key>LibraryIdentifier</key><string>ios-arm64</string>
			<key>LibraryPath</key><string>GoogleMobileAds.framework</string></dict>
		<dict><key>LibraryIdentifier</key><string>ios-arm64</string></dict>
		<string>not a dictionary</string>
	</array></dict></plist>`
	info, err := ParseInfo([]byte(xml), "GoogleMobileAds.xcframework/Info.plist", "GoogleMobileAds.xcframework")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ios-arm64", "ios-arm64/GoogleMobileAds.framework", "ios-arm64_x86_64-simulator/GoogleMobileAds.framework"}
	if !slices.Equal(info.XCFrameworkLibraries, want) {
		t.Errorf("libraries %q", info.XCFrameworkLibraries)
	}
}

func TestParseInfoOddShapes(t *testing.T) {
	for name, tc := range map[string]struct {
		xml   string
		check func(model.InfoPlist) bool
	}{
		"version as number": {`<plist><dict><key>CFBundleVersion</key><integer>42</integer></dict></plist>`,
			func(i model.InfoPlist) bool { return i.Version == "42" }},
		"URL types not an array": {`<plist><dict><key>CFBundleURLTypes</key><string>x</string></dict></plist>`,
			func(i model.InfoPlist) bool { return len(i.URLSchemes) == 0 }},
		"ATS not a dictionary": {`<plist><dict><key>NSAppTransportSecurity</key><true/></dict></plist>`,
			func(i model.InfoPlist) bool { return i.ATS != nil && i.ATS.AllowsArbitraryLoads == nil }},
		"ATS flag as string": {`<plist><dict><key>NSAppTransportSecurity</key><dict><key>NSAllowsArbitraryLoads</key><string>true</string></dict></dict></plist>`,
			func(i model.InfoPlist) bool { return i.ATS.AllowsArbitraryLoads != nil && *i.ATS.AllowsArbitraryLoads }},
		"empty dict": {`<plist><dict/></plist>`,
			func(i model.InfoPlist) bool { return len(i.Keys) == 0 && i.Values == nil }},
		"long value cut": {`<plist><dict><key>K</key><string>` + strings.Repeat("x", 10000) + `</string></dict></plist>`,
			func(i model.InfoPlist) bool { return len(i.Values["K"].(string)) == maxValueLen }},
		"macOS min version": {`<plist><dict><key>LSMinimumSystemVersion</key><string>10.15</string></dict></plist>`,
			func(i model.InfoPlist) bool { return i.MinOS == "10.15" }},
	} {
		info, err := ParseInfo([]byte(tc.xml), "Info.plist", "")
		if err != nil || !tc.check(info) {
			t.Errorf("%s: %+v, %v", name, info, err)
		}
	}
}

func TestParseInfoMalformed(t *testing.T) {
	deep := strings.Repeat("<array>", 100) + strings.Repeat("</array>", 100)
	for name, in := range map[string]string{
		"empty":         "",
		"not a plist":   "\x00\x01garbage{{{",
		"root array":    `<plist><array><string>a</string></array></plist>`,
		"root string":   `<plist><string>a</string></plist>`,
		"truncated xml": appInfoXML[:len(appInfoXML)/2],
		"deep xml":      `<plist>` + deep + `</plist>`,
		"deep openstep": strings.Repeat("(", 100) + strings.Repeat(")", 100),
		"bad bplist":    "bplist00\xd1\x01\x02",
		"unclosed dict": `<plist><dict><key>a</key>`,
		"key no value":  `<plist><dict><key>a</key></dict></plist>`,
		"bad date":      `<plist><dict><key>a</key><date>yesterday</date></dict></plist>`,
		"bad integer":   `<plist><dict><key>a</key><integer>12x</integer></dict></plist>`,
		"huge":          strings.Repeat(" ", MaxSize+1),
	} {
		if _, err := ParseInfo([]byte(in), "Info.plist", ""); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestBinaryExpansion is a binary plist whose arrays each hold the next one twice: 40 levels
// stand for 2^40 values in a few hundred bytes.
func TestBinaryExpansion(t *testing.T) {
	start := time.Now()
	if _, err := ParseInfo(sharedArrays(40), "Info.plist", ""); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("40 levels: %v", err)
	}
	// 2^20 values within the nesting bound.
	if _, err := ParseInfo(sharedArrays(20), "Info.plist", ""); err == nil || !strings.Contains(err.Error(), "expands") {
		t.Errorf("20 levels: %v", err)
	}
	if i, err := ParseInfo(sharedArrays(5), "Info.plist", ""); err != nil || len(i.Keys) != 1 {
		t.Errorf("5 levels: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	// A self-containing array.
	if _, err := ParseInfo(sharedArrays(-1), "Info.plist", ""); err == nil {
		t.Error("cycle: no error")
	}
}

// sharedArrays builds bplist00 with a root dict {"k": a0}, a_i = [a_{i+1}, a_{i+1}], a_n = "x".
// n < 0 gives a0 = [a0].
func sharedArrays(n int) []byte {
	var objs [][]byte
	if n < 0 {
		objs = [][]byte{{0xd1, 1, 2}, {0x51, 'k'}, {0xa1, 2}}
	} else {
		objs = [][]byte{{0xd1, 1, 2}, {0x51, 'k'}}
		for i := 0; i < n; i++ {
			next := byte(len(objs) + 1)
			objs = append(objs, []byte{0xa2, next, next})
		}
		objs = append(objs, []byte{0x51, 'x'})
	}
	out := []byte("bplist00")
	var offs []int
	for _, o := range objs {
		offs = append(offs, len(out))
		out = append(out, o...)
	}
	table := len(out)
	for _, o := range offs {
		out = append(out, byte(o))
	}
	trailer := make([]byte, 32)
	trailer[6], trailer[7] = 1, 1
	trailer[15] = byte(len(objs))
	trailer[31] = byte(table)
	return append(out, trailer...)
}

func TestBool(t *testing.T) {
	for _, tc := range []struct {
		in    any
		b, ok bool
	}{
		{true, true, true}, {false, false, true},
		{"YES", true, true}, {"yes", true, true}, {" true ", true, true}, {"1", true, true},
		{"NO", false, true}, {"False", false, true}, {"0", false, true},
		{uint64(1), true, true}, {uint64(0), false, true}, {int64(-1), true, true}, {0.0, false, true},
		{"maybe", false, false}, {"", false, false}, {nil, false, false}, {[]any{}, false, false},
	} {
		if b, ok := Bool(tc.in); b != tc.b || ok != tc.ok {
			t.Errorf("Bool(%#v) = %v, %v; want %v, %v", tc.in, b, ok, tc.b, tc.ok)
		}
	}
}
