package consent

import (
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func TestSDKF003IDFAWithoutATT(t *testing.T) {
	s := testSession([]model.Marker{marker(model.MarkATTDenied, 5)},
		fbEvents(1, "graph.facebook.com", testIDFA, preV17),
		fbEvents(6, "graph.facebook.com", testIDFA, preV17),
		fbEvents(7, "graph.facebook.com", testIDFA, preV17),
	)
	fs, _ := runTraffic(t, []model.App{cleanApp()}, nil, s)
	got := ofRule(fs, "SDKF003")
	if len(got) != 2 {
		t.Fatalf("want a finding per ATT state, got %d", len(got))
	}
	// Findings come most severe first: denied, then not determined.
	denied, undetermined := got[0], got[1]
	if denied.Severity != model.SeverityCritical || undetermined.Severity != model.SeverityHigh {
		t.Errorf("severities %s, %s", denied.Severity, undetermined.Severity)
	}
	wantIn(t, denied.Message, "ATT denied", "2 requests", "1 distinct IDFA value")
	wantIn(t, undetermined.Message, "ATT not determined")
	wantIn(t, undetermined.Fix, "FacebookAdvertiserIDCollectionEnabled")
	if primaryFlow(t, denied) != 1 || primaryFlow(t, undetermined) != 0 {
		t.Errorf("primary flows %d, %d", primaryFlow(t, denied), primaryFlow(t, undetermined))
	}
}

func TestSDKF003NotTriggered(t *testing.T) {
	for name, s := range map[string]model.Session{
		"all-zero IDFA":  testSession(nil, fbEvents(1, "graph.facebook.com", zeroIDFA, preV17)),
		"ATT authorized": testSession([]model.Marker{marker(model.MarkATTAuthorized, 1)}, fbEvents(2, "ep1.facebook.com", testIDFA, preV17)),
	} {
		t.Run(name, func(t *testing.T) {
			fs, _ := runTraffic(t, nil, nil, s)
			none(t, fs, "SDKF003")
		})
	}
}
