package sessiongen

import (
	"bytes"
	"os"
	"testing"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/session"
)

// TestCommittedSessions checks that the committed sample sessions are what the generator
// writes (go run ./samples/zoomlike/sessiongen/cmd -o samples/zoomlike rewrites them), and that
// sdkflow reads them whole.
func TestCommittedSessions(t *testing.T) {
	for file, gen := range map[string]func() ([]Marker, []Entry){
		"../session.har":           ZoomlikeLaunch,
		"../session-consented.har": ZoomlikeConsented,
	} {
		t.Run(file, func(t *testing.T) {
			var buf bytes.Buffer
			m, e := gen()
			if err := Write(&buf, m, e); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, buf.Bytes()) {
				t.Errorf("%s is not what the generator writes: run go run ./samples/zoomlike/sessiongen/cmd -o samples/zoomlike", file)
			}
			s, err := session.ReadHAR(bytes.NewReader(got), "zoomlike")
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Errors) > 0 || len(s.Flows) != len(e) || len(s.Markers) != len(m) {
				t.Fatalf("read %d flows, %d markers, problems %v", len(s.Flows), len(s.Markers), s.Errors)
			}
			// The install event travels gzip-encoded, as the SDK sends it.
			gzipped := 0
			for _, f := range s.Flows {
				if f.Request.HeaderValue("Content-Encoding") == "gzip" && bytes.HasPrefix(f.Request.Body, []byte{0x1f, 0x8b}) {
					gzipped++
				}
			}
			if gzipped != 1 {
				t.Errorf("%d gzip-encoded requests, want 1", gzipped)
			}
			for _, mk := range s.Markers {
				if mk.Event == model.MarkConsentAccepted && file == "../session.har" {
					t.Error("the 2020 case has no consent marker")
				}
			}
		})
	}
}
