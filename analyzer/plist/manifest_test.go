package plist

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
	hplist "howett.net/plist"
)

// manifestXML wraps dictionary content in a property list.
func manifestXML(body string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>` + body + `</dict></plist>`)
}

const goodManifest = `
	<key>NSPrivacyTracking</key><true/>
	<key>NSPrivacyTrackingDomains</key>
	<array><string>ep1.facebook.com</string><string>graph.facebook.com</string></array>
	<key>NSPrivacyCollectedDataTypes</key>
	<array>
		<dict>
			<key>NSPrivacyCollectedDataType</key><string>NSPrivacyCollectedDataTypeDeviceID</string>
			<key>NSPrivacyCollectedDataTypeLinked</key><true/>
			<key>NSPrivacyCollectedDataTypeTracking</key><true/>
			<key>NSPrivacyCollectedDataTypePurposes</key>
			<array><string>NSPrivacyCollectedDataTypePurposeThirdPartyAdvertising</string>
				<string>NSPrivacyCollectedDataTypePurposeAnalytics</string></array>
		</dict>
		<dict>
			<key>NSPrivacyCollectedDataType</key><string>NSPrivacyCollectedDataTypePhotosorVideos</string>
			<key>NSPrivacyCollectedDataTypeLinked</key><false/>
			<key>NSPrivacyCollectedDataTypeTracking</key><false/>
			<key>NSPrivacyCollectedDataTypePurposes</key>
			<array><string>NSPrivacyCollectedDataTypePurposeAppFunctionality</string></array>
		</dict>
	</array>
	<key>NSPrivacyAccessedAPITypes</key>
	<array>
		<dict>
			<key>NSPrivacyAccessedAPIType</key><string>NSPrivacyAccessedAPICategoryUserDefaults</string>
			<key>NSPrivacyAccessedAPITypeReasons</key><array><string>CA92.1</string></array>
		</dict>
		<dict>
			<key>NSPrivacyAccessedAPIType</key><string>NSPrivacyAccessedAPICategoryDiskSpace</string>
			<key>NSPrivacyAccessedAPITypeReasons</key><array><string>E174.1</string><string>7D9E.1</string></array>
		</dict>
	</array>`

func TestParseManifestGood(t *testing.T) {
	want := model.PrivacyManifest{
		Path: "Payload/A.app/Frameworks/FBSDKCoreKit.framework/PrivacyInfo.xcprivacy", Bundle: "Payload/A.app/Frameworks/FBSDKCoreKit.framework",
		Tracking:        ptr(true),
		TrackingDomains: []string{"ep1.facebook.com", "graph.facebook.com"},
		CollectedDataTypes: []model.CollectedDataType{
			{Type: "NSPrivacyCollectedDataTypeDeviceID", Linked: true, Tracking: true, Purposes: []string{
				"NSPrivacyCollectedDataTypePurposeAnalytics", "NSPrivacyCollectedDataTypePurposeThirdPartyAdvertising"}},
			{Type: "NSPrivacyCollectedDataTypePhotosorVideos", Purposes: []string{"NSPrivacyCollectedDataTypePurposeAppFunctionality"}},
		},
		AccessedAPITypes: []model.AccessedAPIType{
			{Category: CategoryUserDefaults, Reasons: []string{"CA92.1"}},
			{Category: CategoryDiskSpace, Reasons: []string{"7D9E.1", "E174.1"}},
		},
	}
	var v map[string]any
	if _, err := hplist.Unmarshal(manifestXML(goodManifest), &v); err != nil {
		t.Fatal(err)
	}
	bin, err := hplist.Marshal(v, hplist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"xml": manifestXML(goodManifest), "binary": bin} {
		got, err := ParseManifest(data, want.Path, want.Bundle)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// problem is the expected severity and key of one finding, with a part of its message.
type problem struct{ severity, key, text string }

func TestParseManifestProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want []problem
	}{
		{"empty manifest", ``, nil},
		{"only accessed APIs, tracking false, no domains", `<key>NSPrivacyTracking</key><false/>
			<key>NSPrivacyAccessedAPITypes</key><array><dict>
			<key>NSPrivacyAccessedAPIType</key><string>NSPrivacyAccessedAPICategoryFileTimestamp</string>
			<key>NSPrivacyAccessedAPITypeReasons</key><array><string>C617.1</string></array></dict></array>`, nil},
		// ITMS-91064 is its own rule: not a problem of the manifest's format.
		{"tracking false with domains", `<key>NSPrivacyTracking</key><false/>
			<key>NSPrivacyTrackingDomains</key><array><string>t.example</string></array>`, nil},
		{"tracking true without domains", `<key>NSPrivacyTracking</key><true/>`,
			[]problem{{"warning", "NSPrivacyTrackingDomains", "no tracking domain"}}},
		{"tracking as string", `<key>NSPrivacyTracking</key><string>YES</string>`,
			[]problem{{"error", "NSPrivacyTracking", "must be a Boolean"}}},
		{"domains as string", `<key>NSPrivacyTrackingDomains</key><string>t.example</string>`,
			[]problem{{"error", "NSPrivacyTrackingDomains", "must be an array"}}},
		{"domain as URL, empty, number", `<key>NSPrivacyTrackingDomains</key><array><string>https://t.example/x</string><string></string><integer>3</integer></array>`,
			[]problem{{"warning", "NSPrivacyTrackingDomains[0]", "not a domain name"}, {"warning", "NSPrivacyTrackingDomains[1]", "empty"},
				{"error", "NSPrivacyTrackingDomains[2]", "must be a string"}}},
		{"empty arrays", `<key>NSPrivacyTrackingDomains</key><array/><key>NSPrivacyCollectedDataTypes</key><array/><key>NSPrivacyAccessedAPITypes</key><array/>`,
			[]problem{{"warning", "NSPrivacyAccessedAPITypes", "empty"}, {"warning", "NSPrivacyCollectedDataTypes", "empty"}, {"warning", "NSPrivacyTrackingDomains", "empty"}}},
		{"purposes as string (appcenter)", `<key>NSPrivacyCollectedDataTypes</key><array><dict>
			<key>NSPrivacyCollectedDataType</key><string>NSPrivacyCollectedDataTypeCrashData</string>
			<key>NSPrivacyCollectedDataTypeLinked</key><false/><key>NSPrivacyCollectedDataTypeTracking</key><false/>
			<key>NSPrivacyCollectedDataTypePurposes</key><string>NSPrivacyCollectedDataTypePurposeAppFunctionality</string></dict></array>`,
			[]problem{{"error", "NSPrivacyCollectedDataTypes[0].NSPrivacyCollectedDataTypePurposes", "must be an array"}}},
		{"display text for purposes", `<key>NSPrivacyCollectedDataTypes</key><array><dict>
			<key>NSPrivacyCollectedDataType</key><string>NSPrivacyCollectedDataTypeCrashData</string>
			<key>NSPrivacyCollectedDataTypeLinked</key><false/><key>NSPrivacyCollectedDataTypeTracking</key><false/>
			<key>NSPrivacyCollectedDataTypePurposes</key><array><string>App functionality</string><string>Developer's Advertising or Marketing</string><string>Spying</string></array></dict></array>`,
			[]problem{
				{"error", "NSPrivacyCollectedDataTypes[0].NSPrivacyCollectedDataTypePurposes[0]", "write NSPrivacyCollectedDataTypePurposeAppFunctionality"},
				{"error", "NSPrivacyCollectedDataTypes[0].NSPrivacyCollectedDataTypePurposes[1]", "write NSPrivacyCollectedDataTypePurposeDeveloperAdvertising"},
				{"error", "NSPrivacyCollectedDataTypes[0].NSPrivacyCollectedDataTypePurposes[2]", "not a purpose constant"}}},
		{"unknown data types", `<key>NSPrivacyCollectedDataTypes</key><array>
			<dict><key>NSPrivacyCollectedDataType</key><string>Email Address</string>
			<key>NSPrivacyCollectedDataTypeLinked</key><true/><key>NSPrivacyCollectedDataTypeTracking</key><false/>
			<key>NSPrivacyCollectedDataTypePurposes</key><array><string>NSPrivacyCollectedDataTypePurposeAnalytics</string></array></dict>
			<dict><key>NSPrivacyCollectedDataType</key><string>NSPrivacyCollectedDataTypeBody</string>
			<key>NSPrivacyCollectedDataTypeLinked</key><true/><key>NSPrivacyCollectedDataTypeTracking</key><false/>
			<key>NSPrivacyCollectedDataTypePurposes</key><array><string>NSPrivacyCollectedDataTypePurposeAnalytics</string></array></dict></array>`,
			[]problem{{"warning", "NSPrivacyCollectedDataTypes[0].NSPrivacyCollectedDataType", "did you mean NSPrivacyCollectedDataTypeEmailAddress"},
				{"warning", "NSPrivacyCollectedDataTypes[1].NSPrivacyCollectedDataType", "not one of Apple's data types"}}},
		{"data type entry shapes", `<key>NSPrivacyCollectedDataTypes</key><array><string>x</string>
			<dict><key>NSPrivacyCollectedDataTypeLinked</key><string>YES</string><key>Extra</key><true/></dict></array>`,
			[]problem{{"error", "NSPrivacyCollectedDataTypes[0]", "must be a dictionary"},
				{"warning", "NSPrivacyCollectedDataTypes[1].Extra", "not a key"},
				{"error", "NSPrivacyCollectedDataTypes[1].NSPrivacyCollectedDataType", "missing"},
				{"error", "NSPrivacyCollectedDataTypes[1].NSPrivacyCollectedDataTypeLinked", "must be a Boolean"},
				{"warning", "NSPrivacyCollectedDataTypes[1].NSPrivacyCollectedDataTypePurposes", "missing"},
				{"warning", "NSPrivacyCollectedDataTypes[1].NSPrivacyCollectedDataTypeTracking", "missing"}}},
		{"reason under the wrong category (appcenter)", `<key>NSPrivacyAccessedAPITypes</key><array><dict>
			<key>NSPrivacyAccessedAPIType</key><string>NSPrivacyAccessedAPICategoryFileTimestamp</string>
			<key>NSPrivacyAccessedAPITypeReasons</key><array><string>35F9.1</string><string>XXXX.1</string></array></dict></array>`,
			[]problem{{"error", "NSPrivacyAccessedAPITypes[0].NSPrivacyAccessedAPITypeReasons[0]", "35F9.1 is a reason for NSPrivacyAccessedAPICategorySystemBootTime"},
				{"error", "NSPrivacyAccessedAPITypes[0].NSPrivacyAccessedAPITypeReasons[1]", "not an approved reason code"}}},
		{"unknown category, reasons as string, missing reasons", `<key>NSPrivacyAccessedAPITypes</key><array>
			<dict><key>NSPrivacyAccessedAPIType</key><string>NSPrivacyAccessedAPICategoryLocation</string>
				<key>NSPrivacyAccessedAPITypeReasons</key><array><string>CA92.1</string></array></dict>
			<dict><key>NSPrivacyAccessedAPIType</key><string>NSPrivacyAccessedAPICategoryUserDefaults</string>
				<key>NSPrivacyAccessedAPITypeReasons</key><string>CA92.1</string></dict>
			<dict><key>NSPrivacyAccessedAPIType</key><string>nsprivacyaccessedapicategorydiskspace</string></dict></array>`,
			[]problem{{"error", "NSPrivacyAccessedAPITypes[0].NSPrivacyAccessedAPIType", "not a required-reason API category"},
				{"error", "NSPrivacyAccessedAPITypes[1].NSPrivacyAccessedAPITypeReasons", "must be an array"},
				{"error", "NSPrivacyAccessedAPITypes[2].NSPrivacyAccessedAPIType", "write NSPrivacyAccessedAPICategoryDiskSpace"},
				{"error", "NSPrivacyAccessedAPITypes[2].NSPrivacyAccessedAPITypeReasons", "missing"}}},
		{"accessed APIs as dictionary", `<key>NSPrivacyAccessedAPITypes</key><dict/>`,
			[]problem{{"error", "NSPrivacyAccessedAPITypes", "must be an array"}}},
		{"unknown key", `<key>NSPrivacyTrackingDomain</key><array/>`,
			[]problem{{"warning", "NSPrivacyTrackingDomain", "not a privacy manifest key"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseManifest(manifestXML(tc.body), "PrivacyInfo.xcprivacy", "")
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Problems) != len(tc.want) {
				t.Fatalf("problems:\n%s", dump(m.Problems))
			}
			for i, p := range m.Problems {
				w := tc.want[i]
				if p.Severity != w.severity || p.Key != w.key || !strings.Contains(p.Message, w.text) {
					t.Errorf("problem %d: %+v, want %+v", i, p, w)
				}
			}
		})
	}
}

func dump(ps []model.ManifestProblem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  %s %s: %s\n", p.Severity, p.Key, p.Message)
	}
	return b.String()
}

func TestParseManifestKeepsWhatItCan(t *testing.T) {
	m, err := ParseManifest(manifestXML(`<key>NSPrivacyAccessedAPITypes</key><array><dict>
		<key>NSPrivacyAccessedAPIType</key><string>NSPrivacyAccessedAPICategoryFileTimestamp</string>
		<key>NSPrivacyAccessedAPITypeReasons</key><array><string>35F9.1</string></array></dict></array>`), "p", "b")
	if err != nil {
		t.Fatal(err)
	}
	// The wrong reason is still what the manifest declares; the rules need to see it.
	if len(m.AccessedAPITypes) != 1 || !slices.Equal(m.AccessedAPITypes[0].Reasons, []string{"35F9.1"}) {
		t.Errorf("%+v", m.AccessedAPITypes)
	}
}

func TestParseManifestNotAPlist(t *testing.T) {
	for _, in := range []string{"", "{{{{", "<plist><dict><key>a</key>", "bplist00garbage"} {
		if _, err := ParseManifest([]byte(in), "p", "b"); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	m, err := ParseManifest([]byte(`<plist><array/></plist>`), "p", "b")
	if err != nil || len(m.Problems) != 1 || m.Problems[0].Severity != SeverityError {
		t.Errorf("root array: %+v, %v", m.Problems, err)
	}
}

func TestConstants(t *testing.T) {
	if len(DataTypes) != 35 || len(Purposes) != 6 || len(Categories) != 5 {
		t.Errorf("%d data types, %d purposes, %d categories", len(DataTypes), len(Purposes), len(Categories))
	}
	for _, c := range Categories {
		if len(codesOf(c)) == 0 {
			t.Errorf("%s has no reasons", c)
		}
	}
	seen := map[string]bool{}
	for _, r := range Reasons {
		if seen[r.Code] || !IsCategory(r.Category) {
			t.Errorf("reason %+v", r)
		}
		seen[r.Code] = true
	}
	for _, tc := range []struct {
		cat, code      string
		allowed, known bool
	}{
		{CategoryDiskSpace, "E174.1", false, true},
		{CategoryDiskSpace, "7D9E.1", false, true},
		{CategoryDiskSpace, "B728.1", true, true},
		{CategorySystemBootTime, "35F9.1", false, true},
		{CategorySystemBootTime, "8FFB.1", true, true},
		{CategoryActiveKeyboards, "54BD.1", false, true},
		{CategoryUserDefaults, "CA92.1", true, true},
		{CategoryFileTimestamp, "35F9.1", false, false},
		{"nonsense", "CA92.1", false, false},
	} {
		if a, k := ReasonAllowsOffDevice(tc.cat, tc.code); a != tc.allowed || k != tc.known {
			t.Errorf("ReasonAllowsOffDevice(%s, %s) = %v, %v", tc.cat, tc.code, a, k)
		}
	}
}
