package consent

import (
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func TestSDKF021PinnedTrackerHost(t *testing.T) {
	s := testSession(nil, tlsFailure(1, "graph.facebook.com"), tlsFailure(2, "graph.facebook.com"))
	fs, _ := runTraffic(t, nil, nil, s)
	f := one(t, fs, "SDKF021")
	if f.Severity != model.SeverityLow || f.Evidence[0].Kind != model.EvidenceTLSFailure {
		t.Errorf("finding: %+v", f)
	}
	wantIn(t, f.Message, "graph.facebook.com", "unknown ca", "2 failed connections")
}

func TestSDKF021NotTriggered(t *testing.T) {
	for name, s := range map[string]model.Session{
		"not a tracker":      testSession(nil, tlsFailure(1, "pinned.example.org")),
		"inspected normally": testSession(nil, fbGatekeepers(1)),
	} {
		t.Run(name, func(t *testing.T) {
			fs, _ := runTraffic(t, nil, nil, s)
			none(t, fs, "SDKF021")
		})
	}
}
