package signatures

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const validDoc = `id: my-sdk
name: My SDK
vendor: Me
category: analytics
tracker: true
website: https://example.com
references: [https://example.com/docs]
match:
  classes: [MySDKClient]
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBrokenFiles checks that each kind of mistake gives one clear error naming file and line.
func TestBrokenFiles(t *testing.T) {
	cases := []struct {
		name, file, content string
		line                int
		want                string
	}{
		{"bad yaml", "my-sdk.yaml", validDoc + "  classes: [unclosed\n", 10, "did not find expected"},
		{"tab indent", "my-sdk.yaml", "id: my-sdk\n\tname: x\n", 2, "tab"},
		{"unknown key", "my-sdk.yaml", validDoc + "colour: blue\n", 10, "unknown key colour"},
		{"unknown matcher kind", "my-sdk.yaml", strings.Replace(validDoc, "  classes:", "  klasses:", 1), 9, "unknown key klasses"},
		{"unknown category", "my-sdk.yaml", strings.Replace(validDoc, "category: analytics", "category: spyware", 1), 4, "category"},
		{"missing field", "my-sdk.yaml", strings.Replace(validDoc, "vendor: Me\n", "", 1), 1, "vendor"},
		{"wrong type", "my-sdk.yaml", strings.Replace(validDoc, "tracker: true", "tracker: maybe", 1), 5, "tracker"},
		{"invalid pattern", "my-sdk.yaml", strings.Replace(validDoc, "[MySDKClient]", "[MySDKClient, \"re:(\"]", 1), 9, "missing closing )"},
		{"short prefix", "my-sdk.yaml", validDoc + "  frameworks:\n    - Ok\n    - \"AB*\"\n", 12, "too short"},
		{"regex without literal", "my-sdk.yaml", validDoc + "  strings: [\"re:[a-z]+\"]\n", 10, "literal"},
		{"id not file name", "other.yaml", validDoc, 1, "does not match the file name"},
		{"id not kebab", "My_SDK.yaml", strings.Replace(validDoc, "id: my-sdk", "id: My_SDK", 1), 1, "id"},
		{"empty matchers", "my-sdk.yaml", strings.Replace(validDoc, "  classes: [MySDKClient]\n", "  classes: []\n", 1), 9, "classes"},
		{"empty match", "my-sdk.yaml", strings.Replace(validDoc, "match:\n  classes: [MySDKClient]\n", "match: {}\n", 1), 8, "match"},
		{"no match and no network", "my-sdk.yaml", strings.Replace(validDoc, "match:\n  classes: [MySDKClient]\n", "", 1), 0, "match"},
		{"bad host", "my-sdk.yaml", validDoc + "network:\n  - host: Bad_Host..com\n    purpose: x\n", 11, "host"},
		{"two host kinds", "my-sdk.yaml", validDoc + "network:\n  - host: a.example.com\n    hostSuffix: example.com\n    purpose: x\n", 11, ""},
		{"host pattern without domain", "my-sdk.yaml", validDoc + "network:\n  - hostPattern: \"a*.com\"\n    purpose: x\n", 11, "domain"},
		{"bad path", "my-sdk.yaml", validDoc + "network:\n  - host: a.example.com\n    paths: [nope]\n    purpose: x\n", 12, "paths"},
		{"bad flag default", "my-sdk.yaml", validDoc + "consentFlags:\n  - key: K\n    default: maybe\n    safe: false\n    controls: c\n", 12, "default"},
		{"duplicate key", "my-sdk.yaml", validDoc + "name: Again\n", 10, "twice"},
		{"alias", "my-sdk.yaml", validDoc + "description: &d x\nreferences2: *d\n", 11, "alias"},
		{"two documents", "my-sdk.yaml", validDoc + "---\n" + validDoc, 10, "more than one"},
		{"not a mapping", "my-sdk.yaml", "- a\n- b\n", 1, "mapping"},
		{"empty", "my-sdk.yaml", "", 0, "empty"},
		{"appleListed without names", "my-sdk.yaml", validDoc + "appleListed: true\n", 0, "appleNames"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeFile(t, dir, c.file, c.content)
			errs := Validate(p)
			if len(errs) == 0 {
				t.Fatalf("Validate accepted:\n%s", c.content)
			}
			var fe *FileError
			found := false
			for _, e := range errs {
				msg := e.Error()
				if !strings.HasPrefix(msg, p) {
					t.Errorf("error does not name the file: %s", msg)
				}
				if fe2, ok := e.(*FileError); ok {
					fe = fe2
				}
				if strings.Contains(msg, c.want) && (c.line == 0 || (fe != nil && fe.Line == c.line)) {
					found = true
				}
			}
			if !found {
				t.Errorf("want an error at line %d containing %q; got %v", c.line, c.want, errs)
			}
		})
	}
}

func TestDuplicateIDAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/my-sdk.yaml", validDoc)
	p2 := writeFile(t, dir, "b/my-sdk.yaml", "# a comment\n"+validDoc)
	errs := ValidateAll(filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "duplicate id") || !strings.HasPrefix(errs[0].Error(), p2+":2:") {
		t.Fatalf("want one duplicate-id error at %s:2, got %v", p2, errs)
	}
	if _, err := Load(nil, filepath.Join(dir, "a"), filepath.Join(dir, "b")); err == nil {
		t.Fatal("Load accepted duplicate ids")
	}
}

func TestLoadOverridesAndAdds(t *testing.T) {
	base, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	override := strings.NewReplacer("my-sdk", "branch", "My SDK", "Branch (audited)", "MySDKClient", "AuditedBranch").Replace(validDoc)
	pOverride := writeFile(t, dir, "branch.yaml", override)
	pAdd := writeFile(t, dir, "my-sdk.yml", validDoc)
	writeFile(t, dir, "notes.txt", "not a signature")
	writeFile(t, dir, "testdata/fixture.yaml", "name: not a signature\n")

	set, err := Load(base, dir)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != base.Len()+1 {
		t.Errorf("Len = %d, want %d", set.Len(), base.Len()+1)
	}
	b, _ := set.Get("branch")
	if b.Name != "Branch (audited)" || b.Source != pOverride {
		t.Errorf("branch not overridden: %+v", b)
	}
	if orig, _ := base.Get("branch"); orig.Name == "Branch (audited)" {
		t.Error("Load modified the base set")
	}
	if hits := set.Matcher().Match("class", "MySDKClient"); len(hits) != 1 || hits[0].ID != "my-sdk" {
		t.Errorf("added signature does not match: %+v", hits)
	}
	if hits := set.Matcher().Match("class", "BNCPreferenceHelper"); len(hits) != 0 {
		t.Errorf("overridden signature still matches old patterns: %+v", hits)
	}
	info := set.Info()
	if info.Digest == base.Info().Digest || info.Version != base.Info().Version || info.Count != set.Len() {
		t.Errorf("Info = %+v", info)
	}
	if len(info.Sources) != 2 || info.Sources[0] != pOverride || info.Sources[1] != pAdd {
		t.Errorf("Sources = %v", info.Sources)
	}
	all := set.All()
	for i := 1; i < len(all); i++ {
		if all[i-1].ID >= all[i].ID {
			t.Fatalf("All not sorted at %d", i)
		}
	}
	if _, err := Load(base, filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("Load accepted a missing file")
	}
}

func TestDigestIgnoresFormatting(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a/my-sdk.yaml", validDoc)
	reformatted := "# comment\nname:   My SDK\nid: my-sdk\nvendor: \"Me\"\ncategory: analytics\ntracker: true\nwebsite: https://example.com\n" +
		"references:\n  - https://example.com/docs\nmatch: {classes: [MySDKClient]}\n"
	b := writeFile(t, dir, "b/my-sdk.yaml", reformatted)
	sa, err := Load(nil, a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := Load(nil, b)
	if err != nil {
		t.Fatal(err)
	}
	if sa.Info().Digest != sb.Info().Digest {
		t.Error("digest depends on formatting")
	}
}

func TestValidateEmbeddedDir(t *testing.T) {
	// The embedded files as an auditor would validate them, from the source tree.
	files, _ := filepath.Glob("*.yaml")
	for _, f := range files {
		if errs := Validate(f); len(errs) > 0 {
			t.Errorf("%v", errs)
		}
	}
}

func TestConsentFlagIsSafe(t *testing.T) {
	fb := ConsentFlag{Key: "FacebookAutoLogAppEventsEnabled", Default: FlagTrue, Safe: FlagFalse}
	cases := []struct {
		value   any
		present bool
		safe    bool
	}{
		{nil, false, false}, {false, true, true}, {true, true, false}, {"NO", true, true}, {"YES", true, false},
		{int64(0), true, true}, {int64(1), true, false},
	}
	for _, c := range cases {
		if got := fb.IsSafe(c.value, c.present); got != c.safe {
			t.Errorf("IsSafe(%v, %v) = %v", c.value, c.present, got)
		}
	}
	unset := ConsentFlag{Default: FlagUnset, Safe: FlagFalse}
	if unset.IsSafe(nil, false) {
		t.Error("an unset consent-mode key is not safe")
	}
	os1 := ConsentFlag{Default: FlagFalse, Safe: FlagTrue}
	if os1.IsSafe(nil, false) || !os1.IsSafe(true, true) {
		t.Error("OneSignal-style flag")
	}
}

func TestCollectingFlags(t *testing.T) {
	set, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	keys := func(fs []ConsentFlag) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Key)
		}
		return out
	}
	fb, _ := set.Get("facebook-core")
	if got := keys(fb.CollectingFlags(nil)); strings.Join(got, ",") != "FacebookAutoLogAppEventsEnabled,FacebookAdvertiserIDCollectionEnabled" {
		t.Errorf("facebook-core with no keys: %v", got)
	}
	if got := fb.CollectingFlags(map[string]any{"FacebookAutoLogAppEventsEnabled": false, "FacebookAdvertiserIDCollectionEnabled": "NO"}); len(got) != 0 {
		t.Errorf("facebook-core with safe keys: %v", keys(got))
	}
	ga, _ := set.Get("firebase-analytics")
	if got := ga.CollectingFlags(map[string]any{"FIREBASE_ANALYTICS_COLLECTION_ENABLED": false}); len(got) != 0 {
		t.Errorf("collection off: the gated consent-mode keys do not matter, got %v", keys(got))
	}
	if got := ga.CollectingFlags(map[string]any{"FIREBASE_ANALYTICS_COLLECTION_ENABLED": true}); len(got) < 4 {
		t.Errorf("collection on, no consent-mode defaults: got %v", keys(got))
	}
}

func TestGatedByMustNameAFlag(t *testing.T) {
	doc := validDoc + "consentFlags:\n  - key: A\n    default: true\n    safe: false\n    controls: c\n    gatedBy: Missing\n"
	_, errs := ParseFile("my-sdk.yaml", []byte(doc))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "my-sdk.yaml:15: consent flag \"A\": gatedBy") {
		t.Errorf("got %v", errs)
	}
}
