package consent

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/session"
)

// FuzzTrafficRules runs the report pipeline on hostile captures: a HAR file as anyone may hand
// over, a --marker value, against an app. No rule may fail, and findings stay bounded whatever
// the number of requests.
func FuzzTrafficRules(f *testing.F) {
	f.Add([]byte(`{"log":{"entries":[{"startedDateTime":"2020-03-26T14:05:01Z","request":{"method":"POST","url":"https://graph.facebook.com/v5.0/1234567890123456/activities","headers":[{"name":"Content-Type","value":"application/x-www-form-urlencoded"}],"postData":{"mimeType":"application/x-www-form-urlencoded","text":"event=MOBILE_APP_INSTALL&advertiser_id=6D92078A-8246-4BA4-AE5B-76104861E7DC&extinfo=%5B%22i2%22%2C%22a%22%2C%221%22%2C%221%22%2C%2213.3%22%2C%22iPhone11%2C2%22%2C%22en_US%22%2C%22PDT%22%2C%22AT%26T%22%2C375%2C812%2C%223.00%22%2C6%2C64%2C23%2C%22America%2FLos_Angeles%22%5D"}},"response":{"status":200}}],"_markers":[{"event":"launch","time":"2020-03-26T14:05:00Z"}]}}`), "consent-declined@+0.5")
	f.Add([]byte(`{"log":{"entries":[{"startedDateTime":"2020-03-26T14:05:01Z","request":{"method":"CONNECT","url":"https://graph.facebook.com:443"},"response":{"status":0},"_kind":"tls-failure","_error":"unknown ca"}]}}`), "att-denied@start")
	f.Add([]byte(`{"log":{"entries":[{"startedDateTime":"x","request":{"method":"GET","url":"https://ep2.facebook.com/v17.0/1/activities?advertiser_id=00000000-0000-0000-0000-000000000000&anon_id=XZ1"},"response":{"status":200}},{"request":{"url":"::"}}]}}`), "consent-accepted@2020-03-26T14:05:00Z")
	set := embedded(f)
	f.Fuzz(func(t *testing.T, har []byte, markerFlag string) {
		s, err := session.ReadHAR(bytes.NewReader(har), "fuzz")
		if err != nil {
			return
		}
		if len(s.Flows) > 200 {
			s.Flows = s.Flows[:200]
		}
		sessions := []model.Session{*s}
		AnalyzeSessions(sessions, set, TrafficOptions{Markers: []string{markerFlag}, ConsentRequest: "consent"})
		fs, skipped := Evaluate(&Input{Apps: []model.App{cleanApp()}, Sessions: sessions, Signatures: set}, Options{Rules: AllRules()})
		for _, sk := range skipped {
			if strings.Contains(sk.Reason, "internal error") {
				t.Fatalf("rule failed: %s", sk.Reason)
			}
		}
		for _, f := range fs {
			if len(f.Evidence) > 40 || len(f.Message) > 16<<10 {
				t.Fatalf("%s: unbounded finding: %d evidence, %d bytes of message", f.Rule, len(f.Evidence), len(f.Message))
			}
			if f.Message == "" || f.Fingerprint == "" {
				t.Fatalf("incomplete finding %+v", f)
			}
		}
	})
}
