package consent

import (
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func TestSDKF001BeforeAnyConsent(t *testing.T) {
	s := testSession(nil,
		fbGatekeepers(0.7),
		fbEvents(1.2, "graph.facebook.com", testIDFA, preV17),
		fbEvents(1.3, "graph.facebook.com", testIDFA, preV17),
	)
	fs, _ := runTraffic(t, []model.App{cleanApp()}, nil, s)
	f := one(t, fs, "SDKF001")
	if f.SDK != "facebook-core" || f.App != "com.example.z" || f.Severity != model.SeverityHigh {
		t.Errorf("finding: %+v", f)
	}
	// The gatekeeper fetch carried nothing personal: the events post is the proof.
	if primaryFlow(t, f) != 1 {
		t.Errorf("primary evidence is flow %d, want 1", primaryFlow(t, f))
	}
	wantIn(t, f.Message, "Facebook SDK Core", "graph.facebook.com", "1.2 s after launch", "no consent marker in the session",
		"advertising ID (IDFA)", "device model", "time zone", "carrier", "disk space", "2 requests")
	wantIn(t, f.Evidence[0].Detail, `"iPhone11,2" (body.extinfo[5])`, "before-consent")
	var marker, static bool
	for _, e := range f.Evidence {
		marker = marker || e.Kind == model.EvidenceMarker && e.Value == "" // "no consent marker"
		static = static || e.Kind == model.EvidenceFile && e.Path == fbDir
	}
	if !marker || !static {
		t.Errorf("evidence lacks the missing marker or the SDK in the app: %+v", f.Evidence)
	}
}

func TestSDKF001NamesTheConsentMarkerItPrecedes(t *testing.T) {
	s := testSession([]model.Marker{marker(model.MarkConsentAccepted, 8)},
		fbEvents(1.5, "graph.facebook.com", testIDFA, preV17),
		fbEvents(9, "graph.facebook.com", testIDFA, preV17), // after consent: not part of it
	)
	fs, _ := runTraffic(t, nil, nil, s)
	f := one(t, fs, "SDKF001")
	wantIn(t, f.Message, "6.5 s before the consent-accepted marker", "1 request")
	if f.App != "" {
		t.Errorf("traffic-only finding names an app: %q", f.App)
	}
}

func TestSDKF001SeverityFollowsWhatWasSent(t *testing.T) {
	// A locale alone is personal but neither identifies nor fingerprints: medium.
	s := testSession(nil, httpFlow(1, "GET", localeURL, ""))
	fs, _ := runTraffic(t, nil, nil, s)
	f := one(t, fs, "SDKF001")
	if f.Severity != model.SeverityMedium || f.SDK != "" {
		t.Errorf("finding: %+v", f)
	}
	wantIn(t, f.Message, "The app sent locale to cdn.example.net (example.net, a party no signature knows)")

	// Device data without an identifier is a fingerprint: high.
	body := testForm("event", "MOBILE_APP_INSTALL", "advertiser_id", zeroIDFA, "extinfo", v17)
	s = testSession(nil, httpFlow(1, "POST", "https://ep2.facebook.com"+fbPath, body, "Content-Type", "application/x-www-form-urlencoded"))
	fs, _ = runTraffic(t, nil, nil, s)
	f = one(t, fs, "SDKF001")
	if f.Severity != model.SeverityHigh {
		t.Errorf("severity %s", f.Severity)
	}
	wantIn(t, f.Message, "fingerprint the device")
}

func TestSDKF001NotTriggered(t *testing.T) {
	for name, tc := range map[string]struct {
		s          model.Session
		firstParty []string
	}{
		"after consent": {s: testSession([]model.Marker{marker(model.MarkConsentAccepted, 1)},
			fbEvents(2, "graph.facebook.com", testIDFA, preV17))},
		"nothing personal": {s: testSession(nil, fbGatekeepers(1))},
		"the app's own domain, from the bundle id": {s: testSession(nil,
			httpFlow(1, "POST", "https://api.z.example/v1/devices", `{"device_id":"A3C9F1E2-5B7D-4E8F-9A1B-2C3D4E5F6A7B","os_version":"13.3.1"}`, "Content-Type", "application/json"))},
		"a domain given as first party": {s: testSession(nil, httpFlow(1, "GET", localeURL, "")), firstParty: []string{"example.net"}},
	} {
		t.Run(name, func(t *testing.T) {
			fs, _ := runTraffic(t, []model.App{cleanApp()}, tc.firstParty, tc.s)
			none(t, fs, "SDKF001")
		})
	}
}
