package session

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/sdkflow/sdkflow/internal/version"
	"github.com/sdkflow/sdkflow/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

func mustEncode(t testing.TB, b []byte, codings ...string) []byte {
	t.Helper()
	out, err := encodeBody(b, codings)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exportSession has one flow of every shape WriteHAR must handle.
func exportSession(t testing.TB) *model.Session {
	t.Helper()
	jsonBody := []byte(`{"advertiser_id":"3F2504E0-4F89-11D3-9A0C-0305E82C3301","carrier":"T-Mobile","timezone":"Europe/Berlin"}`)
	gzReq := mustEncode(t, jsonBody, "gzip")
	gzResp := mustEncode(t, []byte(`{"success":true,"events_received":1}`), "gzip")
	longText := bytes.Repeat([]byte("Zoomlike telemetry line\n"), 400)
	gzLong := mustEncode(t, longText, "gzip")
	proto := []byte{0x0a, 0x05, 'h', 'e', 'l', 'l', 'o', 0x10, 0x96, 0x01, 0x00, 0xff}
	brResp := mustEncode(t, []byte("<html><body>ok</body></html>"), "br")

	f0 := sampleFlow(0)
	f0.Request.Headers = []model.Header{
		{Name: "Host", Value: "graph.facebook.com"},
		{Name: "Content-Type", Value: "application/json"},
		{Name: "Content-Encoding", Value: "gzip"},
		{Name: "Cookie", Value: "datr=abc; sb=def"},
		{Name: "X-Odd", Value: "caf\xe9"},
	}
	f0.Request.Body, f0.Request.BodySize = gzReq, int64(len(gzReq))
	f0.Response = model.Message{
		Headers: []model.Header{
			{Name: "Content-Type", Value: "application/json; charset=UTF-8"},
			{Name: "Content-Encoding", Value: "gzip"},
			{Name: "Set-Cookie", Value: "fr=xyz; Path=/; Domain=.facebook.com; Secure; HttpOnly; Expires=Wed, 01 Apr 2020 10:00:00 GMT"},
		},
		Body: gzResp, BodySize: int64(len(gzResp)),
	}

	f1 := sampleFlow(1) // form request, truncated binary response
	f1.Request.Headers = f1.Request.Headers[:2]
	f1.Extra = map[string]any{"_resourceType": "xhr", "serverIPAddress": "157.240.1.35", "connection": "443",
		"_initiator": map[string]any{"type": "script", "lineNumber": 24.0, "stack": []any{"a", "b"}}}

	tunnel := model.Flow{Kind: model.FlowTunnel, Time: t0.Add(3 * time.Second), End: t0.Add(9 * time.Second), Client: "127.0.0.1:5000",
		Method: "CONNECT", URL: "passthrough.example:443", Host: "passthrough.example", ServerName: "passthrough.example",
		Status: 200, Timings: model.Timings{Blocked: -1, DNS: -1, Connect: 3, SSL: -1, Send: 0, Wait: 0, Receive: 0}}
	tlsFail := model.Flow{Kind: model.FlowTLSFailure, Time: t0.Add(4 * time.Second), Client: "127.0.0.1:5001",
		Method: "CONNECT", URL: "https://pinned.example:443", Host: "pinned.example", ServerName: "pinned.example",
		Error:   "client does not trust the proxy's certificate (remote error: tls: bad certificate)",
		Timings: model.Timings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1}}

	f4 := sampleFlow(4) // response cut short inside the gzip stream
	f4.Method = "GET"
	f4.Request = model.Message{Headers: []model.Header{{Name: "Host", Value: "graph.facebook.com"}}}
	f4.Response = model.Message{
		Headers:  []model.Header{{Name: "Content-Type", Value: "text/plain"}, {Name: "Content-Encoding", Value: "gzip"}},
		Body:     gzLong[:len(gzLong)/2],
		BodySize: int64(len(gzLong)), Truncated: true,
	}
	f4.Extra = nil

	f5 := sampleFlow(5) // binary request, brotli response, HTTP/2
	f5.HTTPVersion = "HTTP/2.0"
	f5.URL = "https://firebaselogging-pa.googleapis.com/v1/firelog/legacy/batchlog"
	f5.Host = "firebaselogging-pa.googleapis.com"
	f5.Request = model.Message{Headers: []model.Header{{Name: "content-type", Value: "application/x-protobuf"}}, Body: proto, BodySize: int64(len(proto))}
	f5.Response = model.Message{Headers: []model.Header{{Name: "content-type", Value: "text/html"}, {Name: "content-encoding", Value: "br"}},
		Body: brResp, BodySize: int64(len(brResp))}
	f5.Extra = nil

	f6 := sampleFlow(6) // a redirect with an upstream error and a Host that is not the URL's
	f6.Method = "GET"
	f6.Status, f6.StatusText = 302, "Found"
	f6.Host = "mapped.internal"
	f6.Request = model.Message{Headers: []model.Header{{Name: "Host", Value: "mapped.internal"}}}
	f6.Response = model.Message{Headers: []model.Header{{Name: "Location", Value: "https://example.com/next"}}, Body: []byte{}}
	f6.Error = "upstream: connection reset by peer"
	f6.Extra = nil

	noTime := model.Flow{Kind: model.FlowHTTP, Method: "GET", URL: "https://no-time.example/", Host: "no-time.example"}

	flows := []model.Flow{f0, f1, tunnel, tlsFail, f4, f5, f6, noTime}
	for i := range flows {
		flows[i].Index = i
	}
	return &model.Session{
		Name: "zoom-1", Source: "store",
		Started: t0.Add(-2 * time.Second), Ended: t0.Add(time.Minute),
		Markers: []model.Marker{
			{Event: model.MarkLaunch, Time: t0.Add(-time.Second), Source: "key"},
			{Event: model.MarkConsentDeclined, Time: t0.Add(5 * time.Second), Note: "tapped \"Not now\"", Source: "cli"},
			{Event: "custom-step", Time: t0.Add(6*time.Second + 1), Source: "url"},
		},
		Flows: flows,
	}
}

func compileHARSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/har-1.2.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("har.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("har.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateHAR(t *testing.T, schema *jsonschema.Schema, b []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("export is not valid HAR 1.2: %v", err)
	}
}

func TestWriteHARIsValidHAR12(t *testing.T) {
	schema := compileHARSchema(t)
	var buf bytes.Buffer
	if err := WriteHAR(&buf, exportSession(t)); err != nil {
		t.Fatal(err)
	}
	validateHAR(t, schema, buf.Bytes())
	// An empty session is valid too.
	buf.Reset()
	if err := WriteHAR(&buf, &model.Session{Name: "empty"}); err != nil {
		t.Fatal(err)
	}
	validateHAR(t, schema, buf.Bytes())
}

func TestHARSchemaRejects(t *testing.T) {
	// The schema is strict: these must fail, or it proves nothing.
	schema := compileHARSchema(t)
	for name, doc := range map[string]string{
		"no creator":       `{"log":{"version":"1.2","entries":[]}}`,
		"unknown field":    `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[],"extra":1}}`,
		"local time":       `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"startedDateTime":"2020-01-01T00:00:00","time":0,"request":{"method":"GET","url":"https://a/","httpVersion":"","cookies":[],"headers":[],"queryString":[],"headersSize":-1,"bodySize":0},"response":{"status":0,"statusText":"","httpVersion":"","cookies":[],"headers":[],"content":{"size":0,"mimeType":""},"redirectURL":"","headersSize":-1,"bodySize":0},"cache":{},"timings":{"send":0,"wait":0,"receive":0}}]}}`,
		"negative wait":    `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"startedDateTime":"2020-01-01T00:00:00Z","time":0,"request":{"method":"GET","url":"https://a/","httpVersion":"","cookies":[],"headers":[],"queryString":[],"headersSize":-1,"bodySize":0},"response":{"status":0,"statusText":"","httpVersion":"","cookies":[],"headers":[],"content":{"size":0,"mimeType":""},"redirectURL":"","headersSize":-1,"bodySize":0},"cache":{},"timings":{"send":0,"wait":-1,"receive":0}}]}}`,
		"response missing": `{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[{"startedDateTime":"2020-01-01T00:00:00Z","time":0,"request":{"method":"GET","url":"https://a/","httpVersion":"","cookies":[],"headers":[],"queryString":[],"headersSize":-1,"bodySize":0},"cache":{},"timings":{"send":0,"wait":0,"receive":0}}]}}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(name, err)
		}
		if schema.Validate(inst) == nil {
			t.Errorf("%s: schema accepted it", name)
		}
	}
}

func TestWriteHARGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHAR(&buf, exportSession(t)); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden", "export.har")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	// The creator version changes with releases; compare the rest.
	got := bytes.Replace(buf.Bytes(), []byte(`"version":"`+version.Version+`"`), []byte(`"version":"X"`), 1)
	want = bytes.Replace(want, []byte(`"version":"`+version.Version+`"`), []byte(`"version":"X"`), 1)
	if !bytes.Equal(got, want) {
		t.Errorf("export differs from %s (run go test -update and review the diff)", golden)
	}
}

func TestHARRoundTrip(t *testing.T) {
	want := exportSession(t)
	var buf bytes.Buffer
	if err := WriteHAR(&buf, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadHAR(&buf, "zoom-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Errors) != 0 {
		t.Errorf("problems: %+v", got.Errors)
	}
	if !reflect.DeepEqual(got.Markers, want.Markers) {
		t.Errorf("markers:\n got %+v\nwant %+v", got.Markers, want.Markers)
	}
	if !got.Started.Equal(want.Started) || !got.Ended.Equal(want.Ended) {
		t.Errorf("started/ended = %v/%v, want %v/%v", got.Started, got.Ended, want.Started, want.Ended)
	}
	if len(got.Flows) != len(want.Flows) {
		t.Fatalf("%d flows, want %d", len(got.Flows), len(want.Flows))
	}
	for i := range want.Flows {
		if !reflect.DeepEqual(got.Flows[i], want.Flows[i]) {
			t.Errorf("flow %d differs:\n got %+v\nwant %+v", i, got.Flows[i], want.Flows[i])
		}
	}

	// And through the store: import, load, export, import gives the same again.
	s := openTest(t)
	got.Name = "again"
	if err := s.Import(t.Context(), got, false); err != nil {
		t.Fatal(err)
	}
	loaded, err := s.Load(t.Context(), "again")
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Flows {
		if !reflect.DeepEqual(loaded.Flows[i], want.Flows[i]) {
			t.Errorf("stored flow %d differs:\n got %+v\nwant %+v", i, loaded.Flows[i], want.Flows[i])
		}
	}
}

func readFixture(t *testing.T, name string) *model.Session {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "har", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadHAR(f, strings.TrimSuffix(name, ".har"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func decoded(t *testing.T, m model.Message) string {
	t.Helper()
	b, err := decodeBody(m.Body, contentCodings(m.HeaderValue("Content-Encoding")))
	if err != nil {
		t.Fatalf("body does not decode: %v", err)
	}
	return string(b)
}

var png1x1 = []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0xff, 0x00}

func TestReadHARMitmproxy(t *testing.T) {
	s := readFixture(t, "mitmproxy.har")
	if len(s.Flows) != 4 || len(s.Errors) != 0 {
		t.Fatalf("%d flows, problems %+v", len(s.Flows), s.Errors)
	}
	f := s.Flows[0]
	if f.Method != "POST" || f.Host != "graph.facebook.com" || f.Status != 200 || f.HTTPVersion != "HTTP/1.1" {
		t.Errorf("flow 0 = %s %s %d %s", f.Method, f.Host, f.Status, f.HTTPVersion)
	}
	if want := time.Date(2020, 3, 26, 14, 5, 6, 123456000, time.UTC); !f.Time.Equal(want) {
		t.Errorf("time = %v", f.Time)
	}
	if d := f.End.Sub(f.Time); d != 52312*time.Microsecond {
		t.Errorf("duration = %v", d)
	}
	if !strings.Contains(string(f.Request.Body), "advertiser_id=3F2504E0") || f.Request.BodySize != 118 {
		t.Errorf("request body = %q (%d)", f.Request.Body, f.Request.BodySize)
	}
	// The response was gzip on the wire and decoded in the HAR: stored encoded again.
	if got := decoded(t, f.Response); got != `{"success":true}` || f.Response.BodySize != 36 {
		t.Errorf("response = %q (size %d)", got, f.Response.BodySize)
	}
	if f.Timings.Connect != 10.204 || f.Timings.Blocked != -1 || f.Timings.Wait != 30.118 {
		t.Errorf("timings = %+v", f.Timings)
	}
	if f.Extra["serverIPAddress"] != "157.240.1.35" {
		t.Errorf("extra = %v", f.Extra)
	}
	if !bytes.Equal(s.Flows[1].Response.Body, png1x1) {
		t.Errorf("binary body = %x", s.Flows[1].Response.Body)
	}
	if fail := s.Flows[2]; fail.Status != 0 || !strings.Contains(fail.Error, "does not trust") {
		t.Errorf("failed flow = %d %q", fail.Status, fail.Error)
	}
	if ws := s.Flows[3]; ws.Extra["_webSocketMessages"] == nil {
		t.Errorf("websocket messages dropped: %v", ws.Extra)
	}
}

func TestReadHARCharles(t *testing.T) {
	s := readFixture(t, "charles.har")
	if len(s.Flows) != 3 {
		t.Fatalf("%d flows", len(s.Flows))
	}
	f := s.Flows[0]
	if want := time.Date(2020, 3, 26, 14, 5, 6, 123000000, time.UTC); !f.Time.Equal(want) || f.Time.Location() != time.UTC {
		t.Errorf("time = %v", f.Time)
	}
	if f.Status != 304 || f.Timings.Receive != -1 || f.Timings.Send != 1 || f.Timings.Blocked != -1 {
		t.Errorf("status %d timings %+v", f.Status, f.Timings)
	}
	if f.Response.Body != nil {
		t.Errorf("304 body = %q", f.Response.Body)
	}
	if c := s.Flows[1]; c.Kind != model.FlowTunnel || c.Host != "api.pinned-sdk.example" || c.End.Sub(c.Time) != 25*time.Millisecond {
		t.Errorf("CONNECT entry = %+v", c)
	}
	p := s.Flows[2]
	if want := time.Date(2020, 3, 26, 14, 5, 8, 789000000, time.UTC); !p.Time.Equal(want) {
		t.Errorf("+0100 time = %v", p.Time)
	}
	if p.Timings != (model.Timings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1, Send: -1, Wait: -1, Receive: -1}) {
		t.Errorf("missing timings = %+v", p.Timings)
	}
	if got := decoded(t, p.Request); !strings.Contains(got, "6D92078A-8246-4BA4-AE5B-76104861E7DC") {
		t.Errorf("gzip request body = %q", got)
	}
	if len(s.Errors) != 0 {
		t.Errorf("problems: %+v", s.Errors)
	}
}

func TestReadHARProxyman(t *testing.T) {
	s := readFixture(t, "proxyman.har")
	if len(s.Flows) != 1 || len(s.Errors) != 0 {
		t.Fatalf("%d flows, problems %+v", len(s.Flows), s.Errors)
	}
	f := s.Flows[0]
	want := []byte{0x0a, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x10, 0x96, 0x01, 0x00, 0xff, 0x80}
	if !bytes.Equal(f.Request.Body, want) {
		t.Errorf("protobuf body = %x", f.Request.Body)
	}
	if !f.Time.Equal(time.Date(2020, 3, 26, 14, 6, 0, 0, time.UTC)) || f.HTTPVersion != "http/2.0" {
		t.Errorf("time %v version %q", f.Time, f.HTTPVersion)
	}
}

func TestReadHARChrome(t *testing.T) {
	s := readFixture(t, "chrome.har")
	if len(s.Flows) != 2 || len(s.Errors) != 0 {
		t.Fatalf("%d flows, problems %+v", len(s.Flows), s.Errors)
	}
	f := s.Flows[0]
	if got := string(f.Request.Body); got != "id=1234567890&ev=PageView&dl=https%3A%2F%2Fzoomlike.example%2F%3Fa%3Db" {
		t.Errorf("form body rebuilt from params = %q", got)
	}
	if got := decoded(t, f.Response); got != strings.Repeat("ok ", 10) {
		t.Errorf("brotli response = %q", got)
	}
	if f.Extra["_resourceType"] != "xhr" || f.Extra["_priority"] != "High" || f.Extra["_initiator"] == nil || f.Extra["connection"] != "443" {
		t.Errorf("extras = %v", f.Extra)
	}
	if f.Extra["serverIPAddress"] != "[2a03:2880:f12f:83:face:b00c:0:25de]" {
		t.Errorf("serverIPAddress = %v", f.Extra["serverIPAddress"])
	}
	if !bytes.Equal(s.Flows[1].Response.Body, png1x1) || s.Flows[1].Extra["_fromCache"] != "memory" {
		t.Errorf("image = %x, extras %v", s.Flows[1].Response.Body, s.Flows[1].Extra)
	}
	if !s.Started.Equal(f.Time) || !s.Ended.Equal(s.Flows[0].End) {
		t.Errorf("started %v ended %v", s.Started, s.Ended)
	}
}

func TestReadHARFirefox(t *testing.T) {
	s := readFixture(t, "firefox.har")
	if len(s.Flows) != 1 || len(s.Errors) != 0 {
		t.Fatalf("%d flows, problems %+v", len(s.Flows), s.Errors)
	}
	f := s.Flows[0]
	if !f.Time.Equal(time.Date(2020, 3, 26, 14, 8, 0, 250000000, time.UTC)) {
		t.Errorf("time = %v", f.Time)
	}
	if string(f.Response.Body) != `{"id":"42","name":"Ada Lovelace"}` || f.Request.HeaderValue("cookie") != "sess=xyz; theme=dark" {
		t.Errorf("flow = %+v", f)
	}
	if f.Extra["_securityState"] != "secure" {
		t.Errorf("extras = %v", f.Extra)
	}
}

func TestReadHARLenient(t *testing.T) {
	doc := `` + "\ufeff" + `{"log":{"entries":[
		{"startedDateTime":"2020-03-26 14:05:06","request":{"method":"GET","url":"https://a.example/x"}},
		7,
		{"startedDateTime":"yesterday","request":{"method":"GET","url":"https://b.example/"},"response":{"status":"200"}},
		{"response":{}},
		{"startedDateTime":1585231506000,"request":{"method":"POST","url":"https://c.example/","postData":{"mimeType":"application/octet-stream","_base64":"!!!"}},"response":{"content":{"text":"%%%","encoding":"base64"}}}
	]}, "zzz": [1,2]} trailing`
	s, err := ReadHAR(strings.NewReader(doc), "lenient")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Flows) != 3 {
		t.Fatalf("%d flows, want 3", len(s.Flows))
	}
	if !s.Flows[0].Time.Equal(time.Date(2020, 3, 26, 14, 5, 6, 0, time.UTC)) {
		t.Errorf("zone-less time = %v", s.Flows[0].Time)
	}
	if !s.Flows[1].Time.IsZero() || s.Flows[1].Status != 200 {
		t.Errorf("flow 1 = %+v", s.Flows[1])
	}
	if !s.Flows[2].Time.Equal(time.UnixMilli(1585231506000)) || string(s.Flows[2].Response.Body) != "%%%" {
		t.Errorf("flow 2 = %v %q", s.Flows[2].Time, s.Flows[2].Response.Body)
	}
	msgs := ""
	for _, e := range s.Errors {
		msgs += e.Message + "\n"
	}
	for _, want := range []string{"no time zone", "entry 1 is not an object", "unreadable date \"yesterday\"", "has no request", "bad base64", "content after the HAR log"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("problems lack %q:\n%s", want, msgs)
		}
	}
}

func TestReadHARBroken(t *testing.T) {
	for _, tc := range []struct {
		name, doc    string
		line, column int
		contains     string
	}{
		{"empty", ``, 0, 0, "empty"},
		{"not json", "<html>\n</html>", 1, 1, "invalid character '<'"},
		{"array", `[1,2]`, 1, 1, "top level"},
		{"no log", `{"foo": 1}`, 1, 11, "no \"log\""},
		{"log not object", `{"log": []}`, 1, 9, "\"log\" is not an object"},
		{"bad comma", "{\"log\": {\n  \"entries\": [\n    {\"a\": 1},,\n  ]}}", 3, 14, "invalid character ','"},
		{"cut short", "{\"log\": {\"entries\": [\n {\"request\": {\"url\": \"x\"", 2, 25, "cut short"},
		{"bad in string", "{\"log\": {\"entries\": [{\"a\": \"x\u0001\"}]}}", 1, 30, "invalid character"},
		{"after bom", "\ufeff{\"log\": x}", 1, 9, "invalid character 'x'"},
		{"multibyte column", "{\"log\": {\"é\": 1 2}}", 1, 17, "invalid character '2'"},
	} {
		// ReadHAR keeps the start of the file for the position; ReadHARFile reads it again.
		_, err := ReadHAR(strings.NewReader(tc.doc), "broken")
		_, errFile := ReadHARFile(strings.NewReader(tc.doc), "broken")
		for _, err := range []error{err, errFile} {
			var se *HARSyntaxError
			if !errors.As(err, &se) {
				t.Errorf("%s: error %v, want a *HARSyntaxError", tc.name, err)
				continue
			}
			if !strings.Contains(se.Msg, tc.contains) {
				t.Errorf("%s: %v, want it to mention %q", tc.name, err, tc.contains)
			}
			if tc.line > 0 && (se.Line != tc.line || se.Column != tc.column) {
				t.Errorf("%s: %v, want line %d column %d", tc.name, err, tc.line, tc.column)
			}
		}
	}
	// Past the first megabyte kept (the start is kept in chunks of one).
	doc := "{\"log\": {\"entries\": [\n" + strings.Repeat("{\"a\": \""+strings.Repeat("x", 1000)+"\"},\n", 3000) + "{\"a\": 1},,\n]}}"
	for _, read := range []func() error{
		func() error { _, err := ReadHAR(strings.NewReader(doc), "big"); return err },
		func() error { _, err := ReadHARFile(strings.NewReader(doc), "big"); return err },
	} {
		var se *HARSyntaxError
		if err := read(); !errors.As(err, &se) || se.Line != 3002 || se.Column != 10 {
			t.Errorf("error past the first chunk: %v, want line 3002 column 10", err)
		}
	}
}

func TestReadHARBounds(t *testing.T) {
	// A body past MaxBodyBytes is kept truncated.
	big := strings.Repeat("a", MaxBodyBytes+10)
	doc := `{"log":{"entries":[{"startedDateTime":"2020-01-01T00:00:00Z","request":{"method":"GET","url":"https://a/"},"response":{"status":200,"content":{"text":"` + big + `"}}}]}}`
	s, err := ReadHAR(strings.NewReader(doc), "big")
	if err != nil {
		t.Fatal(err)
	}
	r := s.Flows[0].Response
	if len(r.Body) != MaxBodyBytes || !r.Truncated || r.BodySize != int64(MaxBodyBytes) {
		t.Errorf("body %d truncated %v size %d", len(r.Body), r.Truncated, r.BodySize)
	}
	// A huge extra is dropped.
	doc = `{"log":{"entries":[{"startedDateTime":"2020-01-01T00:00:00Z","request":{"method":"GET","url":"https://a/"},"_big":"` + strings.Repeat("b", maxExtraBytes+1) + `"}]}}`
	s, err = ReadHAR(strings.NewReader(doc), "big")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Flows[0].Extra["_big"]; ok || len(s.Errors) != 1 {
		t.Errorf("huge extra kept; problems %+v", s.Errors)
	}
	// Problems are listed up to a bound, then counted.
	var sb strings.Builder
	sb.WriteString(`{"log":{"entries":[`)
	for i := range maxHARProblems + 50 {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`1`)
	}
	sb.WriteString(`]}}`)
	s, err = ReadHAR(strings.NewReader(sb.String()), "many")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Errors) != maxHARProblems+1 || !strings.Contains(s.Errors[maxHARProblems].Message, "50 more") {
		t.Errorf("%d problems, last %+v", len(s.Errors), s.Errors[len(s.Errors)-1])
	}
}
