package plist

import (
	"encoding/json"
	"testing"
)

// FuzzParseInfo: no input may panic, hang or give values JSON cannot encode.
func FuzzParseInfo(f *testing.F) {
	f.Add([]byte(appInfoXML))
	f.Add(sharedArrays(5))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseInfo(data, "Info.plist", "App.app")
		if err != nil {
			return
		}
		if _, err := json.Marshal(info); err != nil {
			t.Fatalf("not JSON-encodable: %v", err)
		}
		for _, v := range info.Values {
			if s, ok := v.(string); ok && len(s) > maxValueLen {
				t.Fatalf("value of %d bytes", len(s))
			}
		}
	})
}

// FuzzParseManifest: no input may panic or hang, every problem has a known severity, and a
// declared tracking domain or reason is never lost to a problem elsewhere.
func FuzzParseManifest(f *testing.F) {
	f.Add(manifestXML(goodManifest))
	f.Add(manifestXML(`<key>NSPrivacyAccessedAPITypes</key><array><dict><key>NSPrivacyAccessedAPIType</key><string>NSPrivacyAccessedAPICategoryFileTimestamp</string><key>NSPrivacyAccessedAPITypeReasons</key><string>35F9.1</string></dict></array>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data, "PrivacyInfo.xcprivacy", "App.app")
		if err != nil {
			return
		}
		if len(m.Problems) > maxProblems {
			t.Fatalf("%d problems", len(m.Problems))
		}
		for _, p := range m.Problems {
			if p.Severity != SeverityError && p.Severity != SeverityWarning {
				t.Fatalf("severity %q", p.Severity)
			}
		}
		if _, err := json.Marshal(m); err != nil {
			t.Fatal(err)
		}
	})
}
