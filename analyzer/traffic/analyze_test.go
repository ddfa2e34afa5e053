package traffic

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

// attributeFake stands in for signatures.Matcher.MatchHost.
func attributeFake(host, path string) (string, string, bool) {
	switch {
	case strings.HasSuffix(host, ".facebook.com"):
		return "facebook-sdk", "app events and settings", true
	case host == "app-measurement.com":
		return "firebase-analytics", "analytics upload", true
	case host == "panic.example":
		panic("broken matcher")
	}
	return "", "", false
}

func TestAnalyzeAttributionAndParty(t *testing.T) {
	s := &model.Session{Flows: []model.Flow{
		flow("POST", "https://ep2.facebook.com/v17.0/1234567890123/activities", []byte(form("event", "MOBILE_APP_INSTALL"))),
		flow("GET", "https://cdn.tracker.co.uk:8443/pixel.gif?uid=4fa1c9e2b7", nil),
		flow("GET", "http://10.0.0.7/status", nil),
		flow("GET", "https://panic.example/x", nil),
		{Kind: model.FlowTLSFailure, Time: t0, Host: "ep1.facebook.com", URL: "https://ep1.facebook.com/", Error: "client rejected certificate"},
		{Kind: model.FlowTunnel, Time: t0, ServerName: "api.onesignal.com"},
	}}
	Analyze(s, Options{Attribute: attributeFake})
	type got struct{ sdk, party, endpoint string }
	wants := []got{
		{"facebook-sdk", "facebook.com", "app events and settings"},
		{"", "tracker.co.uk", ""},
		{"", "10.0.0.7", ""},
		{"", "panic.example", ""},
		{"facebook-sdk", "facebook.com", "app events and settings"},
		{"", "onesignal.com", ""},
	}
	for i, w := range wants {
		f := s.Flows[i]
		sdk := ""
		if f.SDK != nil {
			sdk = *f.SDK
		}
		if (got{sdk, f.Party, f.Endpoint}) != w {
			t.Errorf("flow %d: got %+v, want %+v", i, got{sdk, f.Party, f.Endpoint}, w)
		}
		if f.Data == nil {
			t.Errorf("flow %d: nil Data", i)
		}
	}
	if s.Flows[1].Host != "cdn.tracker.co.uk" {
		t.Errorf("host %q", s.Flows[1].Host)
	}
	// The unknown tracker's uid is still found and grouped by its party.
	if it := itemAt(s.Flows[1].Data, "query.uid"); it == nil || it.Type != TypeUserID {
		t.Errorf("uid: %s", dump(s.Flows[1].Data))
	}
}

func TestAnalyzeDeterministicAndIdempotent(t *testing.T) {
	k := mustKnown(t)
	mk := func() *model.Session {
		s := &model.Session{}
		for i := 0; i < 200; i++ {
			var f model.Flow
			switch i % 4 {
			case 0:
				f = flow("POST", "https://graph.facebook.com/v17.0/1234567890123/activities", gz([]byte(form("advertiser_id", idfa, "extinfo", extinfoPreV17))), "Content-Encoding", "gzip")
			case 1:
				f = flow("POST", "https://app-measurement.com/a", gz(ga4Batch(idfa)), "Content-Encoding", "gzip")
			case 2:
				f = flow("POST", "https://example.com/broken", []byte("not gzip"), "Content-Encoding", "gzip")
			default:
				f = flow("GET", "https://api.example.com/v1/me?email=tester.person%40example.org&lat=52.52", nil)
			}
			f.Index = i
			s.Flows = append(s.Flows, f)
		}
		return s
	}
	a, b := mk(), mk()
	Analyze(a, Options{Known: k})
	Analyze(b, Options{Known: k})
	Analyze(b, Options{Known: k}) // twice: same data, problems not repeated
	ja, _ := json.Marshal(a.Flows)
	jb, _ := json.Marshal(b.Flows)
	if string(ja) != string(jb) {
		t.Error("two runs differ")
	}
	if !reflect.DeepEqual(a.Flows[2].Problems, b.Flows[2].Problems) || len(a.Flows[2].Problems) != 1 {
		t.Errorf("problems %v vs %v", a.Flows[2].Problems, b.Flows[2].Problems)
	}
	// Items are sorted: path, query, header, body; extinfo slots in numeric order.
	var locs []string
	for _, it := range a.Flows[0].Data {
		locs = append(locs, it.Location)
	}
	joined := strings.Join(locs, " ")
	if !strings.HasPrefix(joined, "path ") || strings.Index(joined, "extinfo[9]") > strings.Index(joined, "extinfo[10]") {
		t.Errorf("order: %s", joined)
	}
}

func TestDataItemBounds(t *testing.T) {
	long := strings.Repeat("A", 2000) + "tester.person@example.org" + strings.Repeat("B", 2000)
	got := analyzeOne(t, flow("POST", "https://example.com/x", []byte(form("blob", long))), Options{Known: mustKnown(t)})
	it := itemAt(got.Data, "body.blob")
	if it == nil || len(it.Value) > maxValueLen+8 || !strings.Contains(it.Value, "tester.person@example.org") {
		t.Fatalf("item %+v", it)
	}
}

func TestBinaryBodyValuesArePrintable(t *testing.T) {
	body := append([]byte{0x89, 'P', 'N', 'G', 0x00, 0xff, 0x01}, []byte("idfa="+idfa+"\x00\xfe")...)
	f := flow("POST", "https://example.com/upload", body, "Content-Type", "application/octet-stream")
	got := analyzeOne(t, f, Options{Known: mustKnown(t)})
	it := itemAt(got.Data, "body")
	if it == nil || it.Type != TypeAdvertisingID || !strings.Contains(it.Value, idfa) {
		t.Fatalf("items: %s", dump(got.Data))
	}
	for _, r := range it.Value {
		if r < 0x20 || r == 0xfffd {
			t.Fatalf("unprintable value %q", it.Value)
		}
	}
	if d := DecodeBody(&f); !strings.Contains(d.Text, "bytes of binary data") {
		t.Errorf("text %q", d.Text)
	}
}

func TestNaturalLess(t *testing.T) {
	for _, c := range [][2]string{{"a[2]", "a[10]"}, {"body.pb.1.9", "body.pb.1.10"}, {"a", "b"}, {"x1", "x1y"}} {
		if !naturalLess(c[0], c[1]) || naturalLess(c[1], c[0]) {
			t.Errorf("%q < %q failed", c[0], c[1])
		}
	}
}
