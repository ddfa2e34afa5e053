package consent

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/signatures"
)

// Traffic rules are tested on real-shaped requests: each session goes through
// AnalyzeSessions (decoding, attribution with the embedded signatures, detection, timeline)
// before the rules run, as in `sdkflow report`.

var tt0 = time.Date(2020, 3, 26, 14, 5, 0, 0, time.UTC)

const (
	testIDFA  = "6D92078A-8246-4BA4-AE5B-76104861E7DC"
	zeroIDFA  = "00000000-0000-0000-0000-000000000000"
	preV17    = `["i2","com.example.z","501","5.0.1","13.3.1","iPhone11,2","en_US","PDT","AT&T",375,812,"3.00",6,64,23,"America/Los_Angeles"]`
	v17       = `["i2","com.example.z","501","5.0.1","17.4","iPhone14,2","en_US","CET","Carrier",390,844,"3.00",6,-1,-1,"Europe/Berlin"]`
	fbPath    = "/v5.0/1234567890123456/activities"
	localeURL = "https://cdn.example.net/strings?locale=en_US"
)

func at(sec float64) time.Time { return tt0.Add(time.Duration(sec * float64(time.Second))) }

func testForm(pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, url.QueryEscape(pairs[i])+"="+url.QueryEscape(pairs[i+1]))
	}
	return strings.Join(parts, "&")
}

// httpFlow is a request at sec seconds after tt0.
func httpFlow(sec float64, method, rawURL, body string, headers ...string) model.Flow {
	f := model.Flow{Kind: model.FlowHTTP, Time: at(sec), Method: method, URL: rawURL, Status: 200}
	if u, err := url.Parse(rawURL); err == nil {
		f.Host = u.Hostname() // as the proxy records it
	}
	for i := 0; i+1 < len(headers); i += 2 {
		f.Request.Headers = append(f.Request.Headers, model.Header{Name: headers[i], Value: headers[i+1]})
	}
	f.Request.Body = []byte(body)
	f.Request.BodySize = int64(len(body))
	return f
}

// fbEvents is a Facebook SDK app-events post with the IDFA, the anon_id and the device array.
func fbEvents(sec float64, host, idfa, extinfo string) model.Flow {
	body := testForm("event", "MOBILE_APP_INSTALL", "advertiser_id", idfa, "anon_id", "XZ0E6C4A1B-3D2F-4B5E-8C7A-9F1E2D3C4B5A",
		"advertiser_tracking_enabled", "1", "extinfo", extinfo, "sdk", "ios")
	return httpFlow(sec, "POST", "https://"+host+fbPath, body, "Content-Type", "application/x-www-form-urlencoded")
}

// fbGatekeepers carries nothing personal.
func fbGatekeepers(sec float64) model.Flow {
	return httpFlow(sec, "GET", "https://graph.facebook.com/v5.0/1234567890123456/mobile_sdk_gk?platform=ios&fields=gatekeepers", "")
}

func tlsFailure(sec float64, host string) model.Flow {
	return model.Flow{Kind: model.FlowTLSFailure, Time: at(sec), Method: "CONNECT", URL: "https://" + host + ":443", Host: host,
		Error: "client rejected the certificate: unknown ca"}
}

func marker(event string, sec float64) model.Marker {
	return model.Marker{Event: event, Time: at(sec), Source: "key"}
}

// testSession numbers the flows and always starts with a launch marker.
func testSession(markers []model.Marker, flows ...model.Flow) model.Session {
	for i := range flows {
		flows[i].Index = i
	}
	return model.Session{Name: "s", Source: "store", Markers: append([]model.Marker{marker(model.MarkLaunch, 0)}, markers...), Flows: flows}
}

func embedded(t testing.TB) *signatures.Set {
	t.Helper()
	set, err := signatures.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// runTraffic analyses the sessions and runs the traffic rules only.
func runTraffic(t *testing.T, apps []model.App, firstParty []string, sessions ...model.Session) ([]model.Finding, []model.SkippedRule) {
	t.Helper()
	set := embedded(t)
	AnalyzeSessions(sessions, set, TrafficOptions{})
	for _, s := range sessions {
		for _, e := range s.Errors {
			t.Fatalf("session error: %v", e)
		}
	}
	fs, skipped := Evaluate(&Input{Apps: apps, Sessions: sessions, Signatures: set, FirstParty: firstParty}, Options{Rules: TrafficRules()})
	for _, s := range skipped {
		if strings.Contains(s.Reason, "internal error") {
			t.Fatalf("rule failed: %+v", s)
		}
	}
	for _, f := range fs {
		if f.Fingerprint == "" || f.Message == "" || f.Fix == "" || len(f.Evidence) == 0 || f.Severity == "" {
			t.Errorf("incomplete finding: %+v", f)
		}
	}
	return fs, skipped
}

func ofRule(fs []model.Finding, rule string) []model.Finding {
	var out []model.Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// one returns the single finding of a rule, failing otherwise.
func one(t *testing.T, fs []model.Finding, rule string) model.Finding {
	t.Helper()
	got := ofRule(fs, rule)
	if len(got) != 1 {
		t.Fatalf("want one %s finding, got %d (all: %q)", rule, len(got), rules(fs))
	}
	return got[0]
}

func none(t *testing.T, fs []model.Finding, rule string) {
	t.Helper()
	if got := ofRule(fs, rule); len(got) != 0 {
		t.Errorf("want no %s finding, got: %s", rule, got[0].Message)
	}
}

func wantIn(t *testing.T, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%q lacks %q", text, p)
		}
	}
}

func primaryFlow(t *testing.T, f model.Finding) int {
	t.Helper()
	e := f.Evidence[0]
	if e.Kind != model.EvidenceFlow && e.Kind != model.EvidenceTLSFailure || e.Flow == nil {
		t.Fatalf("primary evidence is not a request: %+v", e)
	}
	return *e.Flow
}

func TestAllRulesHoldsStaticAndTrafficRules(t *testing.T) {
	var ids []string
	for _, r := range AllRules() {
		ids = append(ids, r.Info().ID)
	}
	want := []string{"SDKF001", "SDKF002", "SDKF003", "SDKF004", "SDKF005", "SDKF006", "SDKF010", "SDKF011", "SDKF012",
		"SDKF013", "SDKF014", "SDKF015", "SDKF016", "SDKF017", "SDKF020", "SDKF021"}
	if !slices.Equal(ids, want) {
		t.Errorf("AllRules = %q", ids)
	}
	for _, r := range TrafficRules() {
		if r.Info().Needs == model.NeedsStatic {
			t.Errorf("%s is a traffic rule that needs no traffic", r.Info().ID)
		}
	}
}

func TestTrafficOnlyReportSkipsRulesThatNeedTheApp(t *testing.T) {
	_, skipped := runTraffic(t, nil, nil, testSession(nil, fbEvents(1, "graph.facebook.com", testIDFA, preV17)))
	var ids []string
	for _, s := range skipped {
		ids = append(ids, s.Rule)
		if !strings.Contains(s.Reason, "--app") {
			t.Errorf("%s: reason %q does not say what to give", s.Rule, s.Reason)
		}
	}
	if want := []string{"SDKF004", "SDKF005", "SDKF006", "SDKF020"}; !slices.Equal(ids, want) {
		t.Errorf("skipped %q, want %q", ids, want)
	}
}

func TestBundleIDDomains(t *testing.T) {
	got := bundleIDDomains("com.example.zoomlike")
	want := []string{"zoomlike.example", "zoomlike.example.com", "example.com"}
	if !slices.Equal(got, want) {
		t.Errorf("domains = %q, want %q", got, want)
	}
	for _, bad := range []string{"", "single", "a..b", strings.Repeat("a.", 40) + "b"} {
		if d := bundleIDDomains(bad); d != nil {
			t.Errorf("%q gave %q", bad, d)
		}
	}
}

func TestManyFlowsMakeOneFinding(t *testing.T) {
	var flows []model.Flow
	for i := range 1000 {
		flows = append(flows, fbEvents(1+float64(i)*0.5, "graph.facebook.com", testIDFA, preV17))
	}
	fs, _ := runTraffic(t, nil, nil, testSession(nil, flows...))
	f := one(t, fs, "SDKF001")
	requests := 0
	for _, e := range f.Evidence {
		if e.Kind == model.EvidenceFlow && e.Flow != nil {
			requests++
		}
	}
	if requests != 1+maxRelatedFlows {
		t.Errorf("%d requests listed, want %d", requests, 1+maxRelatedFlows)
	}
	wantIn(t, f.Evidence[1+maxRelatedFlows].Detail, fmt.Sprintf("and %d more requests", 1000-1-maxRelatedFlows))
	wantIn(t, f.Message, "1000 requests")
	one(t, fs, "SDKF003")
}

func TestSessionDigest(t *testing.T) {
	s := testSession([]model.Marker{marker(model.MarkConsentAccepted, 5)}, fbEvents(1, "graph.facebook.com", testIDFA, preV17))
	d := SessionDigest(&s)
	if len(d) != 64 {
		t.Fatalf("digest %q", d)
	}
	// What sdkflow derives does not count; what was recorded does.
	s2 := testSession([]model.Marker{marker(model.MarkConsentAccepted, 5)}, fbEvents(1, "graph.facebook.com", testIDFA, preV17))
	AnalyzeSessions([]model.Session{s2}, embedded(t), TrafficOptions{})
	s2.Flows[0].Phase, s2.Flows[0].SinceLaunch = model.PhaseAfterConsent, 3
	if SessionDigest(&s2) != d {
		t.Error("digest changed with the analysis")
	}
	s2.Flows[0].Request.Body = append(s2.Flows[0].Request.Body, 'x')
	if SessionDigest(&s2) == d {
		t.Error("digest ignores the body")
	}
	s3 := testSession([]model.Marker{marker(model.MarkConsentAccepted, 6)}, fbEvents(1, "graph.facebook.com", testIDFA, preV17))
	if SessionDigest(&s3) == d {
		t.Error("digest ignores the markers")
	}
}

func TestAnalyzeSessionsKeepsTimelineProblems(t *testing.T) {
	sessions := []model.Session{testSession(nil, fbGatekeepers(1)), {Name: "empty"}}
	AnalyzeSessions(sessions, embedded(t), TrafficOptions{Markers: []string{"consent-accepted@+2"}, ConsentRequest: "/nowhere"})
	if got := sessions[0].Errors; len(got) != 1 || !strings.Contains(got[0].Message, "/nowhere") {
		t.Errorf("consent request matching nothing: %+v", got)
	}
	if got := sessions[1].Errors; len(got) != 2 {
		t.Errorf("a relative marker in a session without flows: %+v", got)
	}
	if sessions[0].Flows[0].SDK == nil || *sessions[0].Flows[0].SDK != "facebook-core" {
		t.Errorf("not attributed: %+v", sessions[0].Flows[0])
	}
}

func TestManyHostsStayBounded(t *testing.T) {
	var flows []model.Flow
	for i := range 500 {
		flows = append(flows, httpFlow(1+float64(i)*0.1, "GET", fmt.Sprintf("https://h%d.graph.facebook.com/x?locale=en_US&idfa=%s", i, testIDFA), ""),
			httpFlow(1+float64(i)*0.1, "GET", fmt.Sprintf("https://h%d.tracker.example/x?locale=en_US", i), ""))
	}
	app := cleanApp()
	app.SDKs = nil
	fs, _ := runTraffic(t, []model.App{app}, nil, testSession(nil, flows...))
	if len(fs) > 8 {
		t.Errorf("%d findings for two parties", len(fs))
	}
	for _, f := range fs {
		if len(f.Message) > 2048 || len(f.Fix) > 2048 || len(f.Evidence) > 2+maxRelatedFlows+8 {
			t.Errorf("%s: message %d, fix %d bytes, %d evidence", f.Rule, len(f.Message), len(f.Fix), len(f.Evidence))
		}
	}
}
