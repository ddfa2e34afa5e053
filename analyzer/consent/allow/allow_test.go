package allow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

const sample = `# accepted findings
allow:
  - rule: SDKF010
    sdk: facebook-core
    reason: Auto-logging is turned on after consent.
    expires: 2030-01-31
  - path: "Payload/*.app/Frameworks/Legacy.framework/**"
    reason: Vendor fix pending.
  - rule: sdkf016
    reason: Old entry.
    expires: 2020-01-01
  - fingerprint: abc
    app: com.example.z
    reason: By fingerprint.
`

func finding(rule, sdk, path string) model.Finding {
	return model.Finding{Rule: rule, SDK: sdk, App: "com.example.z", Fingerprint: rule + sdk,
		Evidence: []model.Evidence{{Kind: model.EvidenceFile, Path: path}}}
}

var today = time.Date(2025, 6, 1, 15, 0, 0, 0, time.UTC)

func TestApply(t *testing.T) {
	f, err := Parse([]byte(sample), "allow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 4 || f.Entries[2].Rule != "SDKF016" || f.Entries[0].Line != 3 || f.SHA256 == "" {
		t.Fatalf("entries = %+v", f.Entries)
	}
	fs := []model.Finding{
		finding("SDKF010", "facebook-core", "Payload/Z.app/Info.plist"),
		finding("SDKF010", "firebase", "Payload/Z.app/Info.plist"),
		finding("SDKF011", "legacy", "Payload/Z.app/Frameworks/Legacy.framework/Legacy"),
		finding("SDKF012", "legacy", "Payload/Z.app/Frameworks/Legacy.framework"),
		finding("SDKF016", "", "Payload/Z.app/Info.plist"),
		{Rule: "SDKF013", App: "com.example.z", Fingerprint: "abc"},
	}
	warnings := f.Apply(fs, today)
	want := []bool{true, false, true, true, false, true}
	for i, w := range want {
		if (fs[i].Suppressed != nil) != w {
			t.Errorf("finding %d (%s %s) suppressed = %v", i, fs[i].Rule, fs[i].SDK, fs[i].Suppressed)
		}
	}
	if s := fs[0].Suppressed; s.Source != "allow.yaml:3" || s.Expires != "2030-01-31" || !strings.HasPrefix(s.Reason, "Auto-logging") {
		t.Errorf("suppression = %+v", s)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "allow.yaml:9:") || !strings.Contains(warnings[0], "expired on 2020-01-01") {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestExpiryIsInclusive(t *testing.T) {
	e := Entry{Expires: "2025-06-01", expires: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	if e.Expired(today) {
		t.Error("an entry expires after its last day, not on it")
	}
	if !e.Expired(today.AddDate(0, 0, 1)) {
		t.Error("entry still live the day after")
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"allow:\n  - rule: SDKF010\n":                            "allow.yaml:2: entry has no reason",
		"allow:\n  - reason: x\n":                                "allow.yaml:2: entry matches everything",
		"allow:\n  - rule: SDKF999\n    reason: x\n":             `allow.yaml:2: rule "SDKF999" is not a rule ID`,
		"allow:\n  - sdk: a\n    reason: x\n    when: y\n":       `allow.yaml:4: unknown field "when"`,
		"allow:\n  - sdk: a\n    reason: x\n    expires: soon\n": `allow.yaml:4: expires "soon": want a date`,
		"allow:\n  - path: \"[\"\n    reason: x\n":               "allow.yaml:2: path",
		"allow:\n  - sdk: [a, b]\n    reason: x\n":               `allow.yaml:2: "sdk": want a single value`,
		"allow:\n  - sdk: a\n    sdk: b\n    reason: x\n":        `allow.yaml:3: "sdk" given twice`,
		"allow: yes\n":                "allow.yaml:1: allow: want a list",
		"ignore:\n  - sdk: a\n":       `allow.yaml:1: unknown key "ignore"`,
		"- sdk: a\n":                  "allow.yaml:1: want a mapping",
		"allow:\n  - just-a-string\n": "allow.yaml:2: an entry must be a mapping",
		"allow: [\n":                  "allow.yaml: not valid YAML",
		"allow: []\n---\nallow: []\n": "more than one YAML document",
	}
	for in, want := range cases {
		_, err := Parse([]byte(in), "allow.yaml")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
	for _, empty := range []string{"", "# nothing\n", "allow:\n", "allow: []\n"} {
		f, err := Parse([]byte(empty), "allow.yaml")
		if err != nil || len(f.Entries) != 0 {
			t.Errorf("%q: %v %+v", empty, err, f)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "allow.yaml")
	if err := os.WriteFile(p, []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(p)
	if err != nil || len(f.Entries) != 4 || f.Input().Kind != "allow-file" || f.Input().Size != int64(len(sample)) {
		t.Fatalf("load: %v %+v", err, f)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("missing file loaded")
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, MaxSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized file: %v", err)
	}
}

func TestAliasesAreNotExpanded(t *testing.T) {
	in := "allow:\n  - &a {sdk: x, reason: y}\n  - *a\n"
	if _, err := Parse([]byte(in), "allow.yaml"); err == nil {
		t.Error("an alias was accepted")
	}
}

func TestApplyReport(t *testing.T) {
	f, err := Parse([]byte(sample), "allow.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := &model.Report{Findings: []model.Finding{finding("SDKF016", "", "Payload/Z.app/Info.plist")}}
	warnings := f.ApplyReport(r, today)
	if len(warnings) != 1 || len(r.Errors) != 1 || r.Errors[0].Stage != "allow" || r.Errors[0].Error() != "allow.yaml: line 9: allow entry expired on 2020-01-01 and no longer suppresses findings (rule SDKF016)" ||
		len(r.Inputs) != 1 || r.Findings[0].Suppressed != nil {
		t.Errorf("warnings %q, report %+v", warnings, r)
	}
}
