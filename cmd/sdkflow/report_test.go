package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/sdkflow/sdkflow/internal/golden"
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/analyzer/consent"
	"github.com/sdkflow/sdkflow/analyzer/traffic"
	"github.com/sdkflow/sdkflow/internal/schemacheck"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
	"github.com/sdkflow/sdkflow/report/registry"
	"github.com/sdkflow/sdkflow/schema"
	"github.com/sdkflow/sdkflow/session"
)

const (
	zoomIPA       = "samples/zoomlike/zoomlike.ipa"
	zoomHAR       = "samples/zoomlike/session.har"
	zoomConsented = "samples/zoomlike/session-consented.har"
	zoomKnown     = "samples/zoomlike/known.yml"
)

// reportGoldens names the golden file of each format under samples/zoomlike/expected/.
var reportGoldens = map[string]string{
	"table": "report.txt", "json": "report.json", "sarif": "report.sarif", "markdown": "report.md",
	"cyclonedx": "report.cdx.json", "html": "report.html",
}

func reportJSON(t *testing.T, args ...string) (int, model.Report) {
	t.Helper()
	code, out, errOut := runReportCmd(t, append(args, "-o", "json")...)
	var r model.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("exit %d, not JSON (%v); stderr %s", code, err, errOut)
	}
	return code, r
}

func findingsOf(r model.Report, rule string) []model.Finding {
	var out []model.Finding
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// TestReportZoomlikeGoldens makes the README's main report (the app and its launch session) in
// every registered format and compares it with samples/zoomlike/expected/report.*, after
// checking JSON, SARIF and CycloneDX against their schemas. The tool block is fixed, so the
// goldens change with what the app and the session hold and what the rules say, not with each
// release or signature-set change (go test ./cmd/sdkflow -run Goldens -update rewrites them).
func TestReportZoomlikeGoldens(t *testing.T) {
	t.Chdir("../..")
	var errOut bytes.Buffer
	io := &streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &errOut}
	r, inputErr, err := buildReport(context.Background(), io, &globalOptions{}, &reportOptions{apps: []string{zoomIPA}, har: zoomHAR})
	if err != nil || inputErr {
		t.Fatalf("report: %v (input error %v): %s", err, inputErr, errOut.String())
	}
	r.Tool = model.Tool{Name: "sdkflow", Version: "test", Signatures: model.SignatureInfo{Version: "test"}}

	validators := map[string]func([]byte) error{}
	for format, s := range map[string]struct {
		doc  []byte
		refs map[string][]byte
	}{"json": {schema.Report, nil}, "sarif": {schema.SARIF, nil}, "cyclonedx": {schema.CycloneDX, schema.CycloneDXRefs()}} {
		v, err := schemacheck.Compile(s.doc, s.refs)
		if err != nil {
			t.Fatal(err)
		}
		validators[format] = func(b []byte) error { return schemacheck.Validate(v, b) }
	}
	for _, format := range registry.Names() {
		t.Run(format, func(t *testing.T) {
			name, ok := reportGoldens[format]
			if !ok {
				t.Fatalf("format %s has no golden report: add it to reportGoldens", format)
			}
			enc, _ := registry.Lookup(format)
			var buf bytes.Buffer
			if err := enc.Encode(&buf, r, report.Options{}); err != nil {
				t.Fatal(err)
			}
			if v := validators[format]; v != nil {
				if err := v(buf.Bytes()); err != nil {
					t.Fatalf("%s output does not match its schema: %v", format, err)
				}
			}
			golden.Check(t, filepath.Join("samples/zoomlike/expected", name), buf.Bytes())
		})
	}
}

// TestReportZoomlike checks what the README promises of the main command: SDKF001 for the
// Facebook SDK with the device data named, every input hashed.
func TestReportZoomlike(t *testing.T) {
	t.Chdir("../..")
	code, r := reportJSON(t, "--app", zoomIPA, "--har", zoomHAR)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	f := findingsOf(r, "SDKF001")
	if len(f) != 1 || f[0].SDK != "facebook-core" || f[0].Severity != model.SeverityHigh {
		t.Fatalf("SDKF001: %+v", f)
	}
	for _, want := range []string{"device model", "time zone", "carrier", "disk space", "advertising ID (IDFA)", "no consent marker"} {
		if !strings.Contains(f[0].Message, want) {
			t.Errorf("SDKF001 does not name %q: %s", want, f[0].Message)
		}
	}
	for _, rule := range []string{"SDKF003", "SDKF004", "SDKF005", "SDKF006", "SDKF010", "SDKF011", "SDKF012", "SDKF015"} {
		if len(findingsOf(r, rule)) == 0 {
			t.Errorf("no %s finding", rule)
		}
	}
	for _, rule := range []string{"SDKF002", "SDKF020", "SDKF021"} {
		if n := len(findingsOf(r, rule)); n != 0 {
			t.Errorf("%d %s findings", n, rule)
		}
	}
	kinds := map[string]bool{}
	for _, in := range r.Inputs {
		if len(in.SHA256) != 64 {
			t.Errorf("input without sha256: %+v", in)
		}
		kinds[in.Kind] = true
	}
	if !kinds["har"] || !kinds["ipa"] || len(r.SkippedRules) != 0 {
		t.Errorf("inputs %+v, skipped %+v", r.Inputs, r.SkippedRules)
	}
	s := r.Sessions[0]
	if s.Source != zoomHAR || len(s.Flows) != 6 {
		t.Fatalf("session %s from %s with %d flows", s.Name, s.Source, len(s.Flows))
	}
	for _, fl := range s.Flows {
		if fl.Phase != model.PhaseBeforeConsent {
			t.Errorf("flow %d phase %s", fl.Index, fl.Phase)
		}
	}
	if code, _ := reportJSON(t, "--app", zoomIPA, "--har", zoomHAR, "--fail-on", "high"); code != exitFindings {
		t.Errorf("--fail-on high: exit %d", code)
	}
}

// TestReportConsentedSession: the app that asks first gives no consent or ATT finding.
func TestReportConsentedSession(t *testing.T) {
	t.Chdir("../..")
	_, r := reportJSON(t, "--app", zoomIPA, "--har", zoomConsented)
	for _, rule := range []string{"SDKF001", "SDKF002", "SDKF003"} {
		if n := len(findingsOf(r, rule)); n != 0 {
			t.Errorf("%d %s findings: %s", n, rule, findingsOf(r, rule)[0].Message)
		}
	}
	if len(findingsOf(r, "SDKF006")) != 1 {
		t.Error("the consented session still sends disk space: want SDKF006")
	}

	// The same capture with the consent moment given from outside the session.
	_, r = reportJSON(t, "--har", zoomHAR, "--marker", "consent-accepted@start", "--first-party", "zoomlike.example")
	if n := len(findingsOf(r, "SDKF001")); n != 0 {
		t.Errorf("consent marked at the start still gives %d SDKF001 findings", n)
	}
	_, r = reportJSON(t, "--har", zoomHAR, "--consent-request", "/mobile_sdk_gk", "--first-party", "zoomlike.example")
	if f := findingsOf(r, "SDKF001"); len(f) != 1 || !strings.Contains(f[0].Message, "consent-accepted marker") {
		t.Errorf("--consent-request: %+v", f)
	}
}

// TestReportTrafficOnly: a journalist's report from a capture alone.
func TestReportTrafficOnly(t *testing.T) {
	t.Chdir("../..")
	_, r := reportJSON(t, "--har", zoomHAR)
	if len(r.Apps) != 0 {
		t.Fatal("apps in a traffic-only report")
	}
	var skipped []string
	for _, s := range r.SkippedRules {
		skipped = append(skipped, s.Rule)
	}
	for _, rule := range []string{"SDKF004", "SDKF005", "SDKF006", "SDKF010", "SDKF011", "SDKF020"} {
		if !slices.Contains(skipped, rule) {
			t.Errorf("%s not listed as skipped: %q", rule, skipped)
		}
	}
	// Without the app, its own domain is not known: it shows as an unknown party until named.
	parties := map[string]bool{}
	for _, f := range findingsOf(r, "SDKF001") {
		parties[f.SDK] = true
	}
	if !parties["facebook-core"] || !parties[""] {
		t.Errorf("SDKF001 parties: %v", parties)
	}
	_, r = reportJSON(t, "--har", zoomHAR, "--first-party", "zoomlike.example")
	if f := findingsOf(r, "SDKF001"); len(f) != 1 || f[0].SDK != "facebook-core" {
		t.Errorf("with --first-party: %+v", f)
	}
}

// TestReportStoredSession reports on a session from the store, identified by its digest.
func TestReportStoredSession(t *testing.T) {
	store := t.TempDir()
	data, err := os.ReadFile("../../" + zoomHAR)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := session.ReadHAR(bytes.NewReader(data), "zoom")
	if err != nil {
		t.Fatal(err)
	}
	st, err := session.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Import(context.Background(), sess, false); err != nil {
		t.Fatal(err)
	}
	loaded, err := st.Load(context.Background(), "zoom")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, r := reportJSON(t, "--store", store, "--session", "zoom")
	if code != exitOK || len(r.Sessions) != 1 || r.Sessions[0].Source != "store" {
		t.Fatalf("exit %d, sessions %+v", code, r.Sessions)
	}
	if in := r.Inputs[0]; in.Kind != "session" || in.Path != "zoom" || in.SHA256 != consent.SessionDigest(loaded) {
		t.Errorf("input %+v, want the digest %s", in, consent.SessionDigest(loaded))
	}
	if len(findingsOf(r, "SDKF001")) == 0 {
		t.Error("no SDKF001 from the stored session")
	}
	if code, _, errOut := runReportCmd(t, "--store", store, "--session", "nosuch", "-o", "json"); code != exitInput || !strings.Contains(errOut, "nosuch") {
		t.Errorf("missing session: exit %d, %s", code, errOut)
	}
}

func TestReportExitCodes(t *testing.T) {
	t.Chdir("../..")
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "broken.har")
	os.WriteFile(notJSON, []byte("this is not a HAR file"), 0o644)
	for name, tc := range map[string]struct {
		args []string
		code int
		says string
	}{
		"no session":              {[]string{"--app", zoomIPA}, exitUsage, "--session NAME or --har FILE"},
		"two sessions":            {[]string{"--har", zoomHAR, "--session", "x"}, exitUsage, "one session"},
		"redact without known":    {[]string{"--har", zoomHAR, "--redact"}, exitUsage, "--known"},
		"bad marker":              {[]string{"--har", zoomHAR, "--marker", "consent-accepted@soon"}, exitUsage, "soon"},
		"bad first party":         {[]string{"--har", zoomHAR, "--first-party", "https://x.example/"}, exitUsage, "domain"},
		"bad session name":        {[]string{"--session", "../x"}, exitUsage, "--session"},
		"bad fail-on":             {[]string{"--har", zoomHAR, "--fail-on", "severe"}, exitUsage, "severe"},
		"missing HAR":             {[]string{"--har", filepath.Join(dir, "none.har")}, exitInput, "none.har"},
		"not a HAR":               {[]string{"--har", notJSON}, exitInput, "broken.har"},
		"missing known values":    {[]string{"--har", zoomHAR, "--known", filepath.Join(dir, "none.yaml")}, exitInput, "none.yaml"},
		"known values, wrong key": {[]string{"--har", zoomHAR, "--known", notJSON}, exitUsage, "broken.har"},
		"missing app":             {[]string{"--har", zoomHAR, "--app", filepath.Join(dir, "none.ipa")}, exitInput, "none.ipa"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runReportCmd(t, append(tc.args, "-o", "json")...)
			if code != tc.code || !strings.Contains(errOut, tc.says) {
				t.Errorf("exit %d, stderr %q; want exit %d naming %q", code, errOut, tc.code, tc.says)
			}
			if tc.code == exitInput && !strings.HasSuffix(tc.args[len(tc.args)-1], "none.yaml") {
				var r model.Report
				if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Errors) == 0 {
					t.Errorf("an unreadable input still gives a report that says so: %v %.300s", err, out)
				}
			}
		})
	}
}

// TestReportRedact: with --redact no form of a known value survives in any format, while the
// report still says what was found where.
func TestReportRedact(t *testing.T) {
	t.Chdir("../..")
	data, err := os.ReadFile(zoomKnown)
	if err != nil {
		t.Fatal(err)
	}
	all, err := traffic.LoadKnown(data, zoomKnown)
	if err != nil {
		t.Fatal(err)
	}
	// Coordinates rounded to one or two decimals (34.0) also match numbers of the report's own
	// (an SVG coordinate): check the coordinates by their precise forms, the rest by every form.
	var rest []traffic.KnownValue
	var coordinates []string
	for _, kv := range all.Values {
		if kv.Label == "latitude" || kv.Label == "longitude" {
			coordinates = append(coordinates, kv.Value, kv.Value[:strings.IndexByte(kv.Value, '.')+5])
			continue
		}
		rest = append(rest, kv)
	}
	known, err := traffic.NewKnownValues(rest)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	args := []string{"--app", zoomIPA, "--har", zoomHAR, "--known", zoomKnown}
	plain := args
	for _, format := range registry.Names() {
		args = append(args, "-o", format+"="+filepath.Join(dir, "redacted."+format))
		plain = append(plain, "-o", format+"="+filepath.Join(dir, "plain."+format))
	}
	if code, _, errOut := runReportCmd(t, append(args, "--redact")...); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if code, _, errOut := runReportCmd(t, plain...); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, format := range registry.Names() {
		red, _ := os.ReadFile(filepath.Join(dir, "redacted."+format))
		clear, _ := os.ReadFile(filepath.Join(dir, "plain."+format))
		shown := bytes.Contains(clear, []byte("6D92078A-8246-4BA4-AE5B-76104861E7DC"))
		if !shown && (format == "json" || format == "html" || format == "markdown" || format == "sarif") {
			t.Errorf("%s: the unredacted report does not show the IDFA, so this test proves nothing", format)
		}
		for _, text := range readings(red) {
			if out := known.Redact(text); out != text {
				t.Errorf("%s: a known value survives redaction: %.200q", format, firstDifference(text, out))
			}
			for _, c := range coordinates {
				if strings.Contains(text, c) {
					t.Errorf("%s: coordinate %s survives redaction", format, c)
				}
			}
		}
		if shown && !bytes.Contains(red, []byte("REDACTED:idfa")) {
			t.Errorf("%s: no redaction mark", format)
		}
	}
}

// readings are the ways a reader can read an output: as written, with HTML entities and JSON
// string escapes undone, and with Markdown's backslash escapes removed.
func readings(b []byte) []string {
	out := []string{string(b), html.UnescapeString(string(b)), strings.ReplaceAll(string(b), `\`, "")}
	var v any
	if json.Unmarshal(b, &v) == nil {
		var strs []string
		var walk func(any)
		walk = func(x any) {
			switch x := x.(type) {
			case string:
				strs = append(strs, x)
			case []any:
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				for k, e := range x {
					strs = append(strs, k)
					walk(e)
				}
			}
		}
		walk(v)
		out = append(out, strings.Join(strs, "\n"))
	}
	return out
}

func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(0, i-40):min(len(a), i+80)]
}

// TestReportHostileCapture: captured text is data. Markup, terminal escapes and oversized
// values in URLs, hosts and bodies neither break the outputs nor reach a terminal raw.
func TestReportHostileCapture(t *testing.T) {
	long := strings.Repeat("A", 100_000)
	har := `{"log":{"entries":[
	{"startedDateTime":"2020-03-26T14:05:01Z","request":{"method":"POST","url":"https://graph.facebook.com/v5.0/1234567890123456/activities?x=<script>alert(1)</script>&e=\u001b[2J","headers":[{"name":"Content-Type","value":"application/x-www-form-urlencoded"}],"postData":{"mimeType":"application/x-www-form-urlencoded","text":"advertiser_id=6D92078A-8246-4BA4-AE5B-76104861E7DC&extinfo=%5B%22i2%22%2C%22%3Cscript%3E%22%2C%221%22%2C%221%22%2C%2213.3%22%2C%22iPhone11%2C2%22%2C%22en_US%22%2C%22PDT%22%2C%22%1B%5B31mAT%26T%22%2C375%2C812%2C%223.00%22%2C6%2C64%2C23%2C%22America%2FLos_Angeles%22%5D&email=javascript:alert(1)@example.org"}},"response":{"status":200}},
	{"startedDateTime":"2020-03-26T14:05:02Z","request":{"method":"GET","url":"https://t.example/` + long + `?device_model=iPhone11,2&locale=en_US&tz=Europe/Berlin"},"response":{"status":200}},
	{"startedDateTime":"2020-03-26T14:05:03Z","request":{"method":"CONNECT","url":"https://app-measurement.com:443"},"response":{"status":0},"_kind":"tls-failure","_error":"\u001b]0;pwned\u0007 unknown ca"}
	]}}`
	p := filepath.Join(t.TempDir(), "hostile.har")
	if err := os.WriteFile(p, []byte(har), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runReportCmd(t, "--har", p, "-o", "table")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("terminal control characters reach the table: %q", out)
	}
	code, js, errOut := runReportCmd(t, "--har", p, "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	v, err := schemacheck.Compile(schema.Report, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := schemacheck.Validate(v, []byte(js)); err != nil {
		t.Errorf("JSON report does not validate: %v", err)
	}
	var r model.Report
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if len(f.Message) > 4096 {
			t.Errorf("%s: message of %d bytes", f.Rule, len(f.Message))
		}
		for _, e := range f.Evidence {
			if len(e.Value) > 1024 || len(e.Path) > 1024 || strings.ContainsAny(e.Value+e.Detail+f.Message, "\x1b\x07") {
				t.Errorf("%s: unbounded or raw evidence: %.200q", f.Rule, e.Value+e.Detail)
			}
		}
	}
	if len(findingsOf(r, "SDKF001")) != 2 || len(findingsOf(r, "SDKF021")) != 1 {
		t.Errorf("findings %q", func() (ids []string) {
			for _, f := range r.Findings {
				ids = append(ids, f.Rule)
			}
			return
		}())
	}
}
