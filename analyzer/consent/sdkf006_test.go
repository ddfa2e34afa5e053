package consent

import (
	"testing"

	"github.com/sdkflow/sdkflow/analyzer/plist"
	"github.com/sdkflow/sdkflow/model"
)

func TestSDKF006DiskSpaceOffDevice(t *testing.T) {
	s := testSession(nil, fbEvents(1, "graph.facebook.com", testIDFA, preV17))

	// No reason declared for DiskSpace: none allows it.
	fs, _ := runTraffic(t, []model.App{cleanApp()}, nil, s)
	f := one(t, fs, "SDKF006")
	wantIn(t, f.Message, "disk space (values 64, 23)", "declares no reason for NSPrivacyAccessedAPICategoryDiskSpace", "only B728.1")
	if f.Severity != model.SeverityHigh || f.SDK != "facebook-core" {
		t.Errorf("finding: %+v", f)
	}

	// Declared for a use that keeps the value on the device.
	app := cleanApp()
	m := &app.Declarations.PrivacyManifests[1]
	m.AccessedAPITypes = append(m.AccessedAPITypes, model.AccessedAPIType{Category: plist.CategoryDiskSpace, Reasons: []string{"E174.1"}})
	s = testSession(nil, fbEvents(1, "graph.facebook.com", testIDFA, preV17))
	fs, _ = runTraffic(t, []model.App{app}, nil, s)
	f = one(t, fs, "SDKF006")
	wantIn(t, f.Message, "E174.1: check space before writing", "may not leave the device")
	found := false
	for _, e := range f.Evidence {
		found = found || e.Kind == model.EvidenceManifest && e.Path == fbMani
	}
	if !found {
		t.Errorf("the covering manifest is not in the evidence: %+v", f.Evidence)
	}
}

func TestSDKF006NotTriggered(t *testing.T) {
	app := cleanApp()
	m := &app.Declarations.PrivacyManifests[1]
	m.AccessedAPITypes = append(m.AccessedAPITypes, model.AccessedAPIType{Category: plist.CategoryDiskSpace, Reasons: []string{"E174.1", "B728.1"}})
	for name, tc := range map[string]struct {
		app model.App
		s   model.Session
	}{
		"SDK v17 sends -1":           {cleanApp(), testSession(nil, fbEvents(1, "graph.facebook.com", testIDFA, v17))},
		"a reason allows off-device": {app, testSession(nil, fbEvents(1, "graph.facebook.com", testIDFA, preV17))},
	} {
		t.Run(name, func(t *testing.T) {
			fs, _ := runTraffic(t, []model.App{tc.app}, nil, tc.s)
			none(t, fs, "SDKF006")
		})
	}
}
