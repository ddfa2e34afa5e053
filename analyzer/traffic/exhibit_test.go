package traffic

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestAttachExhibits(t *testing.T) {
	cited, other := 3, 4
	form := "event=MOBILE_APP_INSTALL&advertiser_id=6D92078A-8246-4BA4-AE5B-76104861E7DC&extinfo=%5B%22i2%22%2C%22iPhone11%2C2%22%5D"
	r := &model.Report{
		Sessions: []model.Session{{Name: "s", Flows: []model.Flow{
			{Index: cited, Method: "POST", URL: "https://graph.facebook.com/v5.0/1/activities", Request: model.Message{
				Headers: []model.Header{
					{Name: "Content-Type", Value: "application/x-www-form-urlencoded"},
					{Name: "Content-Encoding", Value: "gzip"},
					{Name: "X-Long", Value: strings.Repeat("é", 4000)},
				},
				Body: gzipped(t, form),
			}},
			{Index: other, Method: "GET", URL: "https://api.example.com/"},
		}}},
		Findings: []model.Finding{{Rule: "SDKF001", Evidence: []model.Evidence{{Kind: model.EvidenceFlow, Session: "s", Flow: &cited}}}},
	}
	AttachExhibits(r)
	flows := r.Sessions[0].Flows
	if flows[1].Exhibit != nil {
		t.Error("a flow no finding cites got an exhibit")
	}
	x := flows[0].Exhibit
	if x == nil {
		t.Fatal("the cited flow has no exhibit")
	}
	want := "event = MOBILE_APP_INSTALL\nadvertiser_id = 6D92078A-8246-4BA4-AE5B-76104861E7DC\nextinfo = [\"i2\",\"iPhone11,2\"]\n"
	if x.Body != want {
		t.Errorf("body:\n%s\nwant:\n%s", x.Body, want)
	}
	if len(x.Layers) < 2 || x.Layers[0] != "gzip" || x.Layers[1] != "form@body" {
		t.Errorf("layers %q", x.Layers)
	}
	if len(x.Headers) != 3 || len(x.Headers[2].Value) > exhibitHeaderValue || !x.Truncated {
		t.Errorf("long header not bounded: %d bytes, truncated %v", len(x.Headers[2].Value), x.Truncated)
	}
	if !strings.HasPrefix(x.Headers[2].Value, "é") || !utf8Valid(x.Headers[2].Value) {
		t.Error("bounded header value cut inside a character")
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestAttachExhibitsSkipsFailuresAndBoundsBodies(t *testing.T) {
	i, j := 0, 1
	big := strings.Repeat("x", 3*exhibitBody)
	r := &model.Report{
		Sessions: []model.Session{{Name: "s", Flows: []model.Flow{
			{Index: i, Kind: model.FlowTLSFailure, Host: "graph.facebook.com"},
			{Index: j, Method: "POST", Request: model.Message{Headers: []model.Header{{Name: "Content-Type", Value: "text/plain"}}, Body: []byte(big)}},
		}}},
		Findings: []model.Finding{{Evidence: []model.Evidence{{Session: "s", Flow: &i}, {Session: "s", Flow: &j}}}},
	}
	AttachExhibits(r)
	if r.Sessions[0].Flows[0].Exhibit != nil {
		t.Error("a TLS failure has no request to show")
	}
	x := r.Sessions[0].Flows[1].Exhibit
	if x == nil || len(x.Body) > exhibitBody || !x.Truncated || x.BodySize != len(big) {
		t.Errorf("big body: %d bytes shown, truncated %v, size %d", len(x.Body), x.Truncated, x.BodySize)
	}
}
