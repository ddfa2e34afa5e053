package consent

import (
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func TestSDKF004UndeclaredTrackingDomain(t *testing.T) {
	// The Facebook manifest of cleanApp declares ep1.facebook.com only.
	s := testSession(nil,
		fbGatekeepers(0.5),
		fbEvents(1, "graph.facebook.com", testIDFA, preV17),
		fbEvents(2, "ep1.facebook.com", testIDFA, preV17),
	)
	fs, _ := runTraffic(t, []model.App{cleanApp()}, nil, s)
	f := one(t, fs, "SDKF004")
	wantIn(t, f.Message, "tracking domain graph.facebook.com,", "NSPrivacyTrackingDomains")
	wantIn(t, f.Fix, "Z.app/Frameworks/FBSDKCoreKit.framework/PrivacyInfo.xcprivacy")
	if primaryFlow(t, f) != 1 || f.Severity != model.SeverityMedium {
		t.Errorf("finding: %+v", f)
	}
}

func TestSDKF004NotTriggered(t *testing.T) {
	app := cleanApp()
	app.Declarations.PrivacyManifests[1].TrackingDomains = []string{"facebook.com"} // covers subdomains
	for name, tc := range map[string]struct {
		app model.App
		s   model.Session
	}{
		"declared":           {cleanApp(), testSession(nil, fbEvents(1, "ep1.facebook.com", testIDFA, preV17))},
		"declared parent":    {app, testSession(nil, fbEvents(1, "graph.facebook.com", testIDFA, preV17))},
		"no tracking data":   {cleanApp(), testSession(nil, fbGatekeepers(1))},
		"not a tracker host": {cleanApp(), testSession(nil, httpFlow(1, "GET", localeURL, ""))},
	} {
		t.Run(name, func(t *testing.T) {
			fs, _ := runTraffic(t, []model.App{tc.app}, nil, tc.s)
			none(t, fs, "SDKF004")
		})
	}
}
