package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func TestRedactReachesEveryShownText(t *testing.T) {
	const secret = "6D92078A-8246-4BA4-AE5B-76104861E7DC"
	idx := 0
	r := &model.Report{
		Inputs: []model.Input{{Path: "/home/" + secret + "/s.har", Kind: "har"}},
		Apps: []model.App{{BundleID: "com.example.z", Declarations: model.Declarations{InfoPlists: []model.InfoPlist{{
			Values: map[string]any{"Key": secret, "List": []any{"x", secret}, "Dict": map[string]any{"k": secret}},
		}}}}},
		Sessions: []model.Session{{Name: "s", Markers: []model.Marker{{Event: "note", Note: "saw " + secret}}, Flows: []model.Flow{{
			URL:      "https://t.example/?idfa=" + secret,
			Data:     []model.DataItem{{Type: "advertising-id", Value: secret, Location: "query.idfa", Match: "known:idfa/plain"}},
			Problems: []string{secret},
			Request:  model.Message{Headers: []model.Header{{Name: "X-IDFA", Value: secret}}, Body: []byte("idfa=" + secret), BodySize: 41},
			Extra:    map[string]any{"_note": secret},
		}}}},
		Findings: []model.Finding{{Rule: "SDKF003", Message: "sent " + secret, Evidence: []model.Evidence{{Kind: "flow", Value: "GET " + secret, Flow: &idx}}}},
		Errors:   []model.Error{{Message: secret}},
	}
	Redact(r, func(s string) string { return strings.ReplaceAll(s, secret, "[REDACTED:idfa]") })
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), secret) {
		t.Errorf("the secret survives: %s", b)
	}
	f := r.Sessions[0].Flows[0]
	if f.Request.Body != nil || f.Request.Headers != nil || f.Extra != nil || f.Request.BodySize != 41 {
		t.Errorf("raw request kept: %+v", f.Request)
	}
	if got := r.Apps[0].Declarations.InfoPlists[0].Values["List"].([]any)[1]; got != "[REDACTED:idfa]" {
		t.Errorf("list value %v", got)
	}
	if *r.Findings[0].Evidence[0].Flow != 0 || r.Findings[0].Rule != "SDKF003" {
		t.Errorf("other fields changed: %+v", r.Findings[0])
	}
}
