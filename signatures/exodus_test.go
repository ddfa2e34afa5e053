package signatures

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestImportExodus(t *testing.T) {
	f, err := os.Open("testdata/exodus-trackers.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	imp, err := ImportExodus(f)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range imp.Signatures {
		ids = append(ids, s.ID)
	}
	if want := []string{"exodus-example-ads-beta", "exodus-example-analytics", "exodus-weird-regex"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids = %v, want %v (sorted by Exodus id)", ids, want)
	}
	a := imp.Signatures[1]
	if a.Category != "analytics" || !a.Tracker || a.Match.Count() != 0 {
		t.Errorf("analytics tracker: %+v", a)
	}
	var hosts []string
	for _, r := range a.Network {
		hosts = append(hosts, r.Pattern())
	}
	if want := []string{".example-analytics.com", ".api.exampletrack.io", "collect*.example-cdn.net"}; !reflect.DeepEqual(hosts, want) {
		t.Errorf("hosts = %v, want %v", hosts, want)
	}
	if a.Android == nil || !reflect.DeepEqual(a.Android.Packages, []string{"com.example.analytics", "com.example.sdk"}) {
		t.Errorf("android = %+v", a.Android)
	}
	if ads := imp.Signatures[0]; ads.Website != "https://reports.exodus-privacy.eu.org/trackers/3/" || ads.Category != "advertising" || len(ads.Network) != 0 {
		t.Errorf("ads tracker: %+v", ads)
	}
	if len(imp.Warnings) != 3 {
		t.Errorf("warnings = %q, want 3 (one regex of tracker 40, two for tracker 41)", imp.Warnings)
	}

	// Written out, each file validates and loads; the hosts then attribute traffic, and never
	// to a lookalike domain.
	dir := t.TempDir()
	for _, s := range imp.Signatures {
		var buf bytes.Buffer
		if err := EncodeYAML(&buf, s, "Imported from Exodus Privacy (ODbL 1.0)."); err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, s.ID+".yaml", buf.String())
	}
	if errs := Validate(dir); len(errs) > 0 {
		t.Fatalf("imported files do not validate: %v", errs)
	}
	base, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	set, err := Load(base, dir)
	if err != nil {
		t.Fatal(err)
	}
	m := set.Matcher()
	for host, want := range map[string]string{
		"t.example-analytics.com":    "exodus-example-analytics",
		"collect3.example-cdn.net":   "exodus-example-analytics",
		"api.exampletrack.io":        "exodus-example-analytics",
		"notexample-analytics.com":   "",
		"example-analytics.com.evil": "",
		"ok.example.org":             "exodus-weird-regex",
	} {
		h, _ := m.MatchHost(host, "/")
		if h.ID != want {
			t.Errorf("MatchHost(%s) = %q, want %q", host, h.ID, want)
		}
	}
	// Android packages never match iOS facts.
	if hits := m.Match("class", "com.example.analytics"); len(hits) != 0 {
		t.Errorf("Android package matched an iOS fact: %+v", hits)
	}
}

func TestImportExodusRejects(t *testing.T) {
	for _, in := range []string{"", "{", "[]", `{"trackers": {}}`, `{"trackers": []}`, strings.Repeat("[", 100000)} {
		if _, err := ImportExodus(strings.NewReader(in)); err == nil {
			t.Errorf("ImportExodus(%.20q) accepted", in)
		}
	}
}

func TestNetworkOnlyLosesTies(t *testing.T) {
	set := testSet(t,
		"id: aaa-import\n"+sigHeader+"network:\n  - hostSuffix: branch.io\n    purpose: imported\n",
		"id: branch\n"+sigHeader+"match:\n  classes: [Branch]\nnetwork:\n  - hostSuffix: branch.io\n    purpose: Branch API\n")
	if h, _ := set.Matcher().MatchHost("api.branch.io", "/"); h.ID != "branch" {
		t.Errorf("tie went to %q, want the signature with static matchers", h.ID)
	}
}

// TestEncodeRoundTrip writes every embedded signature back out and reads it again.
func TestEncodeRoundTrip(t *testing.T) {
	set := mustEmbedded(t)
	dir := t.TempDir()
	for _, s := range set.All() {
		var buf bytes.Buffer
		if err := EncodeYAML(&buf, s, "round trip"); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, s.ID+".yaml")
		back, errs := ParseFile(p, buf.Bytes())
		if len(errs) > 0 {
			t.Fatalf("%s: %v\n%s", s.ID, errs, buf.String())
		}
		back.Source = s.Source
		if !reflect.DeepEqual(back, s) {
			t.Errorf("%s: round trip changed the signature:\n%+v\n%+v", s.ID, s, back)
		}
	}
}
