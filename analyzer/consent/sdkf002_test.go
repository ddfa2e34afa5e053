package consent

import (
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func TestSDKF002AfterRefusal(t *testing.T) {
	s := testSession([]model.Marker{marker(model.MarkConsentDeclined, 3)},
		fbEvents(1, "graph.facebook.com", zeroIDFA, v17), // before the refusal: SDKF001
		fbEvents(4, "ep2.facebook.com", zeroIDFA, v17),
		fbEvents(5, "ep2.facebook.com", zeroIDFA, v17),
	)
	fs, _ := runTraffic(t, nil, nil, s)
	f := one(t, fs, "SDKF002")
	if f.Severity != model.SeverityCritical || f.SDK != "facebook-core" || primaryFlow(t, f) != 1 {
		t.Errorf("finding: %+v", f)
	}
	wantIn(t, f.Message, "after the user declined consent", "ep2.facebook.com", "2 requests", "device ID")
	found := false
	for _, e := range f.Evidence {
		found = found || e.Kind == model.EvidenceMarker && e.Value == model.MarkConsentDeclined
	}
	if !found {
		t.Errorf("the refusal marker is not in the evidence: %+v", f.Evidence)
	}
	one(t, fs, "SDKF001")
}

func TestSDKF002NotTriggered(t *testing.T) {
	for name, s := range map[string]model.Session{
		"consent accepted": testSession([]model.Marker{marker(model.MarkConsentAccepted, 3)}, fbEvents(4, "graph.facebook.com", zeroIDFA, v17)),
		"refused, then only gatekeepers": testSession([]model.Marker{marker(model.MarkConsentDeclined, 3)},
			fbGatekeepers(4)),
		"refused, sent before": testSession([]model.Marker{marker(model.MarkConsentDeclined, 3)}, fbEvents(2, "graph.facebook.com", zeroIDFA, v17)),
	} {
		t.Run(name, func(t *testing.T) {
			fs, _ := runTraffic(t, nil, nil, s)
			none(t, fs, "SDKF002")
		})
	}
}
