package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/session"
)

const mitmHAR = "../../session/testdata/har/mitmproxy.har"

// recordSession writes a small session the way the proxy and `sdkflow mark` do.
func recordSession(t *testing.T, store string) {
	t.Helper()
	s, err := session.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	start := time.Date(2020, 3, 26, 14, 5, 0, 0, time.UTC)
	if err := s.CreateSession(ctx, "zoom"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMarker(ctx, "zoom", model.Marker{Event: model.MarkLaunch, Time: start, Source: "key"}); err != nil {
		t.Fatal(err)
	}
	flows := []model.Flow{
		{Kind: model.FlowHTTP, Time: start.Add(1200 * time.Millisecond), Method: "POST", URL: "https://graph.facebook.com/v6.0/123/activities?x=1",
			Host: "graph.facebook.com", Status: 200, Response: model.Message{BodySize: 16}},
		{Kind: model.FlowTLSFailure, Time: start.Add(2 * time.Second), Method: "CONNECT", URL: "https://pinned.example:443", Host: "pinned.example",
			Error: "client does not trust the proxy's certificate"},
		{Kind: model.FlowHTTP, Time: start.Add(4 * time.Second), Method: "GET", URL: "https://evil.example/\x1b[2Jpath", Host: "evil.example", Status: 404,
			Response: model.Message{BodySize: 2048}},
	}
	for i := range flows {
		if _, err := s.AddFlow(ctx, "zoom", &flows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddMarker(ctx, "zoom", model.Marker{Event: model.MarkConsentDeclined, Time: start.Add(3 * time.Second), Note: "tapped no", Source: "cli"}); err != nil {
		t.Fatal(err)
	}
}

func TestSessionShowPlain(t *testing.T) {
	store := t.TempDir()
	recordSession(t, store)
	code, out, errOut := runWithStore(t, store, false, "session", "show", "zoom")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := `marker +0.000s launch time=2020-03-26T14:05:00Z source=key note=""
flow 0 +1.200s POST graph.facebook.com /v6.0/123/activities?x=1 200 16 time=2020-03-26T14:05:01.2Z
flow 1 +2.000s CONNECT pinned.example / tls-failure 0 time=2020-03-26T14:05:02Z
marker +3.000s consent-declined time=2020-03-26T14:05:03Z source=cli note="tapped no"
flow 2 +4.000s GET evil.example /?[2Jpath 404 2048 time=2020-03-26T14:05:04Z
`
	if out != want {
		t.Errorf("show:\n%s\nwant:\n%s", out, want)
	}

	code, out, _ = runWithStore(t, store, true, "session", "show", "zoom")
	if code != 0 || !strings.Contains(out, "#   TIME") || !strings.Contains(out, "== consent-declined: tapped no") ||
		!strings.Contains(out, "2.0 kB") || strings.Contains(out, "\x1b") {
		t.Errorf("table:\n%s", out)
	}

	code, out, _ = runWithStore(t, store, false, "session", "show", "zoom", "-o", "json")
	var s model.Session
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil || len(s.Flows) != 3 || len(s.Markers) != 2 || s.Name != "zoom" {
		t.Errorf("json (exit %d):\n%s", code, out)
	}
}

func TestSessionImportExportListRm(t *testing.T) {
	store := t.TempDir()
	code, out, errOut := runWithStore(t, store, false, "session", "import", mitmHAR, "--session", "mitm")
	if code != 0 || !strings.Contains(out, "imported 4 flows") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut = runWithStore(t, store, false, "session", "import", mitmHAR, "--session", "mitm"); code != exitUsage || !strings.Contains(errOut, "--replace") {
		t.Errorf("import over an existing session: exit %d %s", code, errOut)
	}
	if code, _, errOut = runWithStore(t, store, false, "session", "import", mitmHAR, "--session", "mitm", "--replace"); code != 0 {
		t.Errorf("import --replace: exit %d %s", code, errOut)
	}

	mitm, err := os.ReadFile(mitmHAR)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code = run([]string{"--store", store, "session", "import", "-", "--session", "piped"},
		&streams{In: bytes.NewReader(mitm), Out: &stdout, ErrOut: &stderr})
	if code != 0 || !strings.Contains(stdout.String(), "imported 4 flows") {
		t.Errorf("import from stdin: exit %d %s", code, stderr.String())
	}
	if code, _, _ = runWithStore(t, store, false, "session", "rm", "piped"); code != 0 {
		t.Errorf("rm piped: exit %d", code)
	}

	har := filepath.Join(t.TempDir(), "out.har")
	if code, _, errOut = runWithStore(t, store, false, "session", "export", "mitm", "-o", har); code != 0 {
		t.Fatalf("export: exit %d %s", code, errOut)
	}
	if fi, err := os.Stat(har); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("export file: %v %v", fi.Mode(), err)
	}
	if code, _, errOut = runWithStore(t, store, false, "session", "import", har, "--session", "again"); code != 0 {
		t.Fatalf("re-import: exit %d %s", code, errOut)
	}
	code, stdoutHAR, _ := runWithStore(t, store, false, "session", "export", "again", "-o", "-")
	if code != 0 || !strings.Contains(stdoutHAR, `"version": "1.2"`) {
		t.Errorf("export to stdout: exit %d", code)
	}

	code, out, _ = runWithStore(t, store, false, "session", "list", "-o", "json")
	var list []session.Summary
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 {
		t.Fatalf("list json: exit %d\n%s", code, out)
	}
	if list[0].Name != "again" || list[1].Name != "mitm" || list[0].Flows != 4 || list[1].Flows != 4 {
		t.Errorf("list = %+v", list)
	}
	code, out, _ = runWithStore(t, store, false, "session", "list")
	if code != 0 || !strings.HasPrefix(out, "again flows=4 markers=0 tls-failures=0 first=2020-03-26T14:05:06.123456Z") {
		t.Errorf("list text:\n%s", out)
	}
	code, out, _ = runWithStore(t, store, true, "session", "list")
	if code != 0 || !strings.HasPrefix(out, "NAME ") {
		t.Errorf("list table:\n%s", out)
	}

	if code, _, errOut = runWithStore(t, store, false, "session", "rm", "mitm"); code != 0 {
		t.Errorf("rm: exit %d %s", code, errOut)
	}
	if code, _, _ = runWithStore(t, store, false, "session", "show", "mitm"); code != exitInput {
		t.Errorf("show after rm: exit %d", code)
	}
}

func TestSessionErrors(t *testing.T) {
	store := t.TempDir()
	broken := filepath.Join(t.TempDir(), "broken.har")
	if err := os.WriteFile(broken, []byte("{\"log\": {\n  \"entries\": [\n    {\"request\": },\n  ]}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"session", "import", broken, "--session", "b"}, exitInput, "line 3, column 17"},
		{[]string{"session", "import", filepath.Join(store, "missing.har"), "--session", "b"}, exitInput, "no such file"},
		{[]string{"session", "import", mitmHAR}, exitUsage, "--session"},
		{[]string{"session", "import", mitmHAR, "--session", "../etc"}, exitUsage, "invalid session name"},
		{[]string{"session", "show", "nope"}, exitInput, "no such session"},
		{[]string{"session", "show", "a/b"}, exitUsage, "invalid session name"},
		{[]string{"session", "show", "x", "-o", "xml"}, exitUsage, "unknown output format"},
		{[]string{"session", "export", "nope"}, exitUsage, "-o FILE.har"},
		{[]string{"session", "export", "nope", "-o", filepath.Join(store, "x.har")}, exitInput, "no such session"},
		{[]string{"session", "rm", "nope"}, exitInput, "no such session"},
		{[]string{"session", "show"}, exitUsage, "arg"},
	} {
		code, _, errOut := runWithStore(t, store, false, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.contains) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, errOut, tc.code, tc.contains)
		}
	}
	// Reading commands on an empty store leave nothing behind.
	if entries, _ := os.ReadDir(store); len(entries) != 0 {
		t.Errorf("store written by read-only commands: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(store, "x.har")); err == nil {
		t.Error("export of a missing session created the file")
	}
}
