package consent

import (
	"testing"

	"github.com/sdkflow/sdkflow/analyzer/traffic"
	"github.com/sdkflow/sdkflow/model"
)

func TestSDKF005UndeclaredDataTypes(t *testing.T) {
	s := testSession(nil, fbEvents(1, "graph.facebook.com", testIDFA, preV17))
	fs, _ := runTraffic(t, []model.App{cleanApp()}, nil, s)
	f := one(t, fs, "SDKF005")
	wantIn(t, f.Message, traffic.ManifestDeviceID+" (advertising ID (IDFA) and device ID)", traffic.ManifestOtherDataTypes, "device model")
	wantIn(t, f.Fix, "FBSDKCoreKit.framework/PrivacyInfo.xcprivacy")
}

func TestSDKF005NotTriggered(t *testing.T) {
	app := cleanApp()
	app.Declarations.PrivacyManifests[1].CollectedDataTypes = []model.CollectedDataType{
		{Type: traffic.ManifestDeviceID, Tracking: true}, {Type: traffic.ManifestOtherDataTypes},
		{Type: traffic.ManifestProductInteraction},
	}
	own := httpFlow(1, "POST", "https://api.z.example/v1/devices", `{"device_id":"A3C9F1E2-5B7D-4E8F-9A1B-2C3D4E5F6A7B"}`, "Content-Type", "application/json")
	for name, tc := range map[string]struct {
		app model.App
		s   model.Session
	}{
		"declared by the SDK's manifest": {app, testSession(nil, fbEvents(1, "graph.facebook.com", testIDFA, preV17))},
		"the app's own traffic":          {cleanApp(), testSession(nil, own)},
	} {
		t.Run(name, func(t *testing.T) {
			fs, _ := runTraffic(t, []model.App{tc.app}, nil, tc.s)
			none(t, fs, "SDKF005")
		})
	}
}
