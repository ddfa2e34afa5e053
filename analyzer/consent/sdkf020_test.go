package consent

import (
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func TestSDKF020TrackerTrafficWithoutSDK(t *testing.T) {
	app := cleanApp()
	app.SDKs = nil
	s := testSession(nil, fbGatekeepers(0.5), fbEvents(1, "graph.facebook.com", testIDFA, preV17))
	fs, _ := runTraffic(t, []model.App{app}, nil, s)
	f := one(t, fs, "SDKF020")
	if f.SDK != "facebook-core" || primaryFlow(t, f) != 1 {
		t.Errorf("finding: %+v", f)
	}
	wantIn(t, f.Message, "graph.facebook.com", "found no Meta SDK", "web view", "2 requests")
}

func TestSDKF020NotTriggered(t *testing.T) {
	login := cleanApp()
	login.SDKs[0].ID, login.SDKs[0].Name, login.SDKs[0].Vendor = "facebook-login", "Facebook Login", "Meta"
	for name, app := range map[string]model.App{
		"the SDK is in the app":          cleanApp(),
		"another SDK of the same vendor": login,
	} {
		t.Run(name, func(t *testing.T) {
			s := testSession(nil, fbEvents(1, "graph.facebook.com", testIDFA, preV17))
			fs, _ := runTraffic(t, []model.App{app}, nil, s)
			none(t, fs, "SDKF020")
		})
	}
}
