package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSignaturesList(t *testing.T) {
	code, out, errOut := runCLI(t, true, "signatures", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "ID ") || len(lines) < 63 {
		t.Fatalf("table:\n%s", out)
	}
	if !strings.Contains(out, "facebook-core ") || !strings.Contains(lines[len(lines)-1], "signatures, set ") {
		t.Errorf("table lacks entries or footer:\n%s", out)
	}

	// Not a terminal: JSON, sorted by id, identical from run to run.
	code, out, _ = runCLI(t, false, "signatures", "list")
	var doc struct {
		Version    string
		Count      int
		Digest     string
		Signatures []struct{ ID string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil {
		t.Fatalf("exit %d, not JSON:\n%.300s", code, out)
	}
	if doc.Count < 60 || doc.Count != len(doc.Signatures) || doc.Digest == "" || doc.Version == "" {
		t.Errorf("list JSON header: %+v", doc)
	}
	for i := 1; i < len(doc.Signatures); i++ {
		if doc.Signatures[i-1].ID >= doc.Signatures[i].ID {
			t.Fatalf("not sorted at %d", i)
		}
	}
	_, again, _ := runCLI(t, false, "signatures", "list", "-o", "json")
	if again != out {
		t.Error("list output is not stable")
	}
	if code, _, _ := runCLI(t, false, "signatures", "list", "-o", "xml"); code != exitUsage {
		t.Errorf("unknown format: exit %d, want %d", code, exitUsage)
	}
}

func TestSignaturesListWithUserFiles(t *testing.T) {
	dir := t.TempDir()
	doc := "id: in-house-analytics\nname: In-house analytics\nvendor: Example\ncategory: analytics\ntracker: true\n" +
		"website: https://example.com\nreferences: [internal]\nmatch:\n  classes: [IHAnalytics]\n"
	if err := os.WriteFile(filepath.Join(dir, "in-house-analytics.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, false, "signatures", "list", "--signatures", dir)
	if code != 0 || !strings.Contains(out, `"id": "in-house-analytics"`) || !strings.Contains(out, `"sources"`) {
		t.Fatalf("exit %d: %s\n%.500s", code, errOut, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("id: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, false, "signatures", "list", "--signatures", dir); code != exitUsage || !strings.Contains(errOut, "broken.yaml:") {
		t.Errorf("broken user file: exit %d, %s", code, errOut)
	}
}

func TestSignaturesShow(t *testing.T) {
	code, out, errOut := runCLI(t, false, "signatures", "show", "facebook-core")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"id: facebook-core", "FacebookAutoLogAppEventsEnabled", "default: true", "ep1.facebook.com", "# source: embedded:facebook-core.yaml"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, false, "signatures", "show", "-o", "json", "branch")
	if code != 0 || !strings.Contains(out, `"id": "branch"`) {
		t.Errorf("show -o json: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, false, "signatures", "show", "no-such-sdk"); code != exitUsage || !strings.Contains(errOut, "no-such-sdk") {
		t.Errorf("unknown id: exit %d, %s", code, errOut)
	}
}

func TestSignaturesValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good-sdk.yaml")
	os.WriteFile(good, []byte("id: good-sdk\nname: G\nvendor: V\ncategory: ui\ntracker: false\nwebsite: https://example.com\nreferences: [r]\nmatch:\n  frameworks: [GoodKit]\n"), 0o644)
	code, out, errOut := runCLI(t, false, "signatures", "validate", good)
	if code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("valid file: exit %d, %s %s", code, out, errOut)
	}
	bad := filepath.Join(dir, "bad-sdk.yaml")
	os.WriteFile(bad, []byte("id: bad-sdk\nname: B\nvendor: V\ncategory: ui\ntracker: false\nwebsite: https://example.com\nreferences: [r]\nmatch:\n  classes: [\"re:(\"]\n  colour: [x]\n"), 0o644)
	code, _, errOut = runCLI(t, false, "signatures", "validate", good, bad)
	if code != 1 {
		t.Errorf("invalid file: exit %d, want 1", code)
	}
	if !strings.Contains(errOut, bad+":10: match: unknown key colour") {
		t.Errorf("errors lack file:line:\n%s", errOut)
	}
	if code, _, _ := runCLI(t, false, "signatures", "validate"); code != exitUsage {
		t.Errorf("no path: exit %d", code)
	}
	// The embedded set, from the source tree, validates.
	if code, _, errOut := runCLI(t, false, "signatures", "validate", "../../signatures"); code != 0 {
		t.Errorf("embedded set: exit %d\n%s", code, errOut)
	}
}

func TestSignaturesImportExodus(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exodus")
	code, out, errOut := runCLI(t, false, "signatures", "import-exodus", "../../signatures/testdata/exodus-trackers.json", "-o", dir)
	if code != 0 || !strings.Contains(out, "wrote 3 signatures") || !strings.Contains(errOut, "warning:") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "ATTRIBUTION-EXODUS.txt")); err != nil {
		t.Error(err)
	}
	if code, _, errOut := runCLI(t, false, "signatures", "validate", dir); code != 0 {
		t.Errorf("imported files do not validate: %s", errOut)
	}
	code, out, _ = runCLI(t, false, "signatures", "show", "--signatures", dir, "exodus-example-analytics")
	if code != 0 || !strings.Contains(out, "hostSuffix: example-analytics.com") || !strings.Contains(out, "com.example.analytics") {
		t.Errorf("show imported: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, false, "signatures", "import-exodus", "../../signatures/testdata/exodus-trackers.json"); code != exitUsage {
		t.Errorf("missing -o: exit %d", code)
	}
	if code, _, _ := runCLI(t, false, "signatures", "import-exodus", filepath.Join(dir, "missing.json"), "-o", dir); code != exitInput {
		t.Errorf("missing file: exit %d", code)
	}
}
