package html

import (
	"fmt"
	"time"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

const (
	zoomIPA = "samples/zoomlike/zoomlike.ipa"
	app     = "Payload/Zoomlike.app"
	fbCore  = app + "/Frameworks/FBSDKCoreKit.framework"
	idfa    = "6D92078A-8246-4BA4-AE5B-76104861E7DC"
)

var launch = time.Date(2020, 3, 26, 14, 2, 11, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// staticApp is the zoomlike app as the static pass sees it.
func staticApp() model.App {
	return model.App{
		Path: zoomIPA, Kind: "ipa", BundleID: "us.zoomlike.videomeetings", Name: "Zoomlike", Version: "5.0.1", Build: "5.0.1.21", MinOS: "12.0",
		Bundles: []model.Bundle{
			{Path: app, Kind: model.BundleApp, BundleID: "us.zoomlike.videomeetings", InfoPlist: app + "/Info.plist"},
			{Path: fbCore, Kind: model.BundleFramework, BundleID: "org.cocoapods.FBSDKCoreKit", Parent: app, InfoPlist: fbCore + "/Info.plist"},
		},
		Binaries: []model.Binary{
			{Path: app + "/Zoomlike", Bundle: app, Type: "execute", Archs: []string{"arm64"}, Size: 1_204_112, CodeSigned: true,
				SHA256: "1111111111111111111111111111111111111111111111111111111111111111"},
			{Path: fbCore + "/FBSDKCoreKit", Bundle: fbCore, Type: "dylib", Archs: []string{"arm64", "armv7"}, Size: 2_311_520, CodeSigned: true,
				SHA256: "2222222222222222222222222222222222222222222222222222222222222222"},
		},
		SDKs: []model.SDK{{
			ID: "facebook-core", Name: "Facebook SDK Core (FBSDKCoreKit)", Vendor: "Meta", Category: "analytics", Tracker: true,
			AppleListed: true, Version: "5.15.1", Confidence: model.ConfidenceHigh,
			Binaries: []string{fbCore + "/FBSDKCoreKit"}, Bundles: []string{fbCore},
			Evidence: []model.Evidence{
				{Kind: model.EvidenceBundleID, Path: fbCore + "/Info.plist", Value: "org.cocoapods.FBSDKCoreKit", Pattern: "org.cocoapods.FBSDKCoreKit"},
				{Kind: model.EvidenceClass, Path: fbCore + "/FBSDKCoreKit", Value: "FBSDKAppEvents", Pattern: "FBSDKAppEvents*"},
				{Kind: model.EvidenceFramework, Path: fbCore, Value: "FBSDKCoreKit", Pattern: "FBSDKCoreKit"},
				{Kind: model.EvidencePlistKey, Path: app + "/Info.plist", Value: "FacebookAppID", Pattern: "FacebookAppID"},
				{Kind: model.EvidenceString, Path: fbCore + "/FBSDKCoreKit", Value: "@(#)PROGRAM:FBSDKCoreKit  PROJECT:FBSDKCoreKit-5.15.1", Pattern: "*PROJECT:FBSDKCoreKit-{version}*", Detail: "version 5.15.1"},
			},
		}},
		Declarations: model.Declarations{Privacy: &model.PrivacyReport{
			AccessedAPIs: []model.PrivacyReportAPI{{Category: "NSPrivacyAccessedAPICategoryUserDefaults", Reasons: []string{"CA92.1"},
				Manifests: []string{app + "/PrivacyInfo.xcprivacy"}}},
		}},
		Limitations: []string{"no privacy manifest declares NSPrivacyCollectedDataTypes, so collected data cannot be compared with declarations"},
	}
}

func staticFindings() []model.Finding {
	return []model.Finding{
		{Rule: "SDKF012", Severity: model.SeverityHigh, SDK: "facebook-core", App: "us.zoomlike.videomeetings",
			Message:     "Facebook SDK Core (FBSDKCoreKit) is on Apple's list of commonly used SDKs (as FBSDKCoreKit), but Zoomlike.app/Frameworks/FBSDKCoreKit.framework has no PrivacyInfo.xcprivacy. App Store Connect rejects this (ITMS-91061).",
			Fix:         "Update Facebook SDK Core (FBSDKCoreKit) to a version that ships its own privacy manifest (expected at Zoomlike.app/Frameworks/FBSDKCoreKit.framework/PrivacyInfo.xcprivacy).",
			Fingerprint: "48d7452a2cef81c129dfd48ca2df62d1",
			Evidence: []model.Evidence{
				{Kind: model.EvidenceFile, Path: fbCore, Value: "PrivacyInfo.xcprivacy", Detail: "absent from the SDK's framework"},
				{Kind: model.EvidenceFile, Path: fbCore + "/FBSDKCoreKit", Detail: "Facebook SDK Core (FBSDKCoreKit) binary"},
			}},
		{Rule: "SDKF010", Severity: model.SeverityMedium, SDK: "facebook-core", App: "us.zoomlike.videomeetings",
			Message:     "Facebook SDK Core (FBSDKCoreKit) collects at launch: FacebookAutoLogAppEventsEnabled is absent from Zoomlike.app/Info.plist, and the SDK's default is to log app events automatically.",
			Fix:         "Add FacebookAutoLogAppEventsEnabled = false (<false/>) to Info.plist and enable logging once the user agrees.",
			Fingerprint: "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f",
			Evidence: []model.Evidence{
				{Kind: model.EvidencePlistKey, Path: app + "/Info.plist", Value: "FacebookAutoLogAppEventsEnabled", Detail: "absent (default: on)"},
				{Kind: model.EvidenceFile, Path: fbCore + "/FBSDKCoreKit", Detail: "Facebook SDK Core (FBSDKCoreKit) binary"},
			}},
	}
}

// staticOnly is the report of `sdkflow scan` on the zoomlike app.
func staticOnly() *model.Report {
	r := &model.Report{
		Tool:   tool(),
		Inputs: []model.Input{zoomInput()},
		Apps:   []model.App{staticApp()},
		Findings: append(staticFindings(), model.Finding{Rule: "SDKF016", Severity: model.SeverityMedium, App: "us.zoomlike.videomeetings",
			Message: "NSAppTransportSecurity/NSAllowsArbitraryLoads is true in Zoomlike.app/Info.plist.", Fingerprint: "ffee",
			Evidence:   []model.Evidence{{Kind: model.EvidencePlistKey, Path: app + "/Info.plist", Value: "NSAllowsArbitraryLoads"}},
			Suppressed: &model.Suppression{Reason: "Legacy meeting servers; ticket OPS-12.", Expires: "2030-01-01", Source: "sdkflow-allow.yaml:4"}}),
		SkippedRules: []model.SkippedRule{{Rule: "SDKF001", Reason: "needs a captured session (--session or --har)"}},
	}
	report.Finalize(r)
	return r
}

func tool() model.Tool {
	return model.Tool{Name: "sdkflow", Version: "1.2.3", Signatures: model.SignatureInfo{
		Version: "2025.11", Count: 120, Digest: "9f2c0d6b1e7a4c3f8e5d2a1b0c9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7"}}
}

func zoomInput() model.Input {
	return model.Input{Path: zoomIPA, Kind: "ipa", Size: 4_812_300, SHA256: "5e1f0c3a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"}
}

// extinfo is what the Facebook SDK 5.x put in every /activities request, slot by slot.
func extinfo() []model.DataItem {
	item := func(slot int, typ, value, name string, personal bool) model.DataItem {
		return model.DataItem{Type: typ, Location: fmt.Sprintf("body.extinfo[%d]", slot), Value: value,
			Match: "adapter:facebook-activities/" + name, Personal: personal}
	}
	return []model.DataItem{
		item(1, "app-id", "us.zoomlike.videomeetings", "bundle-id", false),
		item(4, "os-version", "13.3.1", "os-version", true),
		item(5, "device-model", "iPhone11,8", "device-model", true),
		item(6, "locale", "en_US", "locale", true),
		item(7, "time-zone", "EDT", "time-zone-abbreviation", true),
		item(8, "carrier", "Verizon", "carrier", true),
		item(9, "screen", "414", "screen-width", true),
		item(12, "cpu-cores", "6", "cpu-cores", true),
		item(13, "disk-space", "64", "total-disk-space-gb", true),
		item(14, "disk-space", "12", "free-disk-space-gb", true),
		item(15, "time-zone", "America/New_York", "time-zone-name", true),
	}
}

func activities(index int, at float64, event string) model.Flow {
	data := append(extinfo(),
		model.DataItem{Type: "advertising-id", Location: "body.advertiser_id", Value: idfa, Match: "adapter:facebook-activities/advertiser-id,known:idfa/plain", Personal: true},
		model.DataItem{Type: "device-id", Location: "body.anon_id", Value: "XZ5A8E1C9D-3F2B-4D6A-9E7C-1B0A2F3E4D5C", Match: "adapter:facebook-activities/anon-id", Personal: true},
		model.DataItem{Type: "tracking-flag", Location: "body.advertiser_tracking_enabled", Value: "1", Match: "adapter:facebook-activities/advertiser-tracking-enabled"},
		model.DataItem{Type: "event", Location: "body.event", Value: event, Match: "adapter:facebook-activities/event"},
	)
	return model.Flow{Index: index, Kind: model.FlowHTTP, Time: launch.Add(time.Duration(at * float64(time.Second))), Method: "POST",
		URL: "https://graph.facebook.com/v5.0/254019388296431/activities", Host: "graph.facebook.com", Status: 200,
		SDK: ptr("facebook-core"), Party: "facebook.com", Endpoint: "app events and install attribution (activities)",
		Phase: model.PhaseBeforeConsent, ATT: model.ATTNotDetermined, SinceLaunch: at, Data: data}
}

// zoomlikeSession is the 2020 case: at launch, before any consent, the Facebook SDK posts the
// install and app events with extinfo and a real advertising ID.
func zoomlikeSession() *model.Report {
	at := func(s float64) time.Time { return launch.Add(time.Duration(s * float64(time.Second))) }
	flows := []model.Flow{
		{Index: 0, Kind: model.FlowHTTP, Time: at(0.412), Method: "GET", Host: "graph.facebook.com", Status: 200,
			URL: "https://graph.facebook.com/v5.0/254019388296431?fields=app_events_feature_bitmask%2Cname%2Cdefault_share_mode%2Cios_dialog_configs&format=json&sdk=ios",
			SDK: ptr("facebook-core"), Party: "facebook.com", Endpoint: "Graph API and app settings", Phase: model.PhaseBeforeConsent,
			ATT: model.ATTNotDetermined, SinceLaunch: 0.412,
			Data: []model.DataItem{{Type: "app-id", Location: "path", Value: "254019388296431", Match: "adapter:facebook-activities/app-id"}}},
		activities(1, 1.204, "MOBILE_APP_INSTALL"),
		activities(2, 1.873, "CUSTOM_APP_EVENTS"),
		{Index: 3, Kind: model.FlowHTTP, Time: at(2.301), Method: "GET", URL: "https://api.zoomlike.us/v1/config?platform=ios", Host: "api.zoomlike.us",
			Status: 200, Party: "zoomlike.us", Phase: model.PhaseBeforeConsent, ATT: model.ATTNotDetermined, SinceLaunch: 2.301,
			Data: []model.DataItem{{Type: "os-version", Location: "header.user-agent", Value: "13.3.1", Match: "key:user-agent", Personal: true}}},
		{Index: 4, Kind: model.FlowTLSFailure, Time: at(3.05), Method: "CONNECT", URL: "https://settings.crashlytics.com:443", Host: "settings.crashlytics.com",
			Party: "crashlytics.com", Phase: model.PhaseBeforeConsent, ATT: model.ATTNotDetermined, SinceLaunch: 3.05,
			Error: "client refused the proxy's certificate (pinning or untrusted CA)", Data: []model.DataItem{}},
		activities(5, 31.5, "CUSTOM_APP_EVENTS"),
	}
	r := &model.Report{
		Tool:   tool(),
		Inputs: []model.Input{zoomInput(), {Path: "zoomlike-launch", Kind: "session"}},
		Apps:   []model.App{staticApp()},
		Sessions: []model.Session{{
			Name: "zoomlike-launch", Source: "store", Started: launch.Add(-2 * time.Second), Ended: at(40),
			Markers: []model.Marker{
				{Event: model.MarkLaunch, Time: launch, Source: "cli"},
				{Event: "meeting-joined", Time: at(12), Source: "key", Note: "joined a test meeting"},
			},
			Flows: flows,
		}},
		Findings: append(staticFindings(),
			model.Finding{Rule: "SDKF001", Severity: model.SeverityHigh, SDK: "facebook-core", App: "us.zoomlike.videomeetings",
				Message:     "Facebook SDK Core (FBSDKCoreKit) sent the advertising ID, a device identifier, device model, OS version, locale, time zone, carrier, screen size, CPU cores and disk space to graph.facebook.com 1.2 s after launch, before any consent was recorded.",
				Fix:         "Set FacebookAutoLogAppEventsEnabled and FacebookAdvertiserIDCollectionEnabled to false in Info.plist and enable them only after the user agrees.",
				Fingerprint: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
				Evidence: []model.Evidence{
					{Kind: model.EvidenceFlow, Session: "zoomlike-launch", Flow: ptr(1), Value: "https://graph.facebook.com/v5.0/254019388296431/activities", Detail: "MOBILE_APP_INSTALL, 1.204 s after launch"},
					{Kind: model.EvidenceFlow, Session: "zoomlike-launch", Flow: ptr(2), Value: "https://graph.facebook.com/v5.0/254019388296431/activities"},
					{Kind: model.EvidenceFlow, Session: "zoomlike-launch", Flow: ptr(5), Value: "https://graph.facebook.com/v5.0/254019388296431/activities"},
					{Kind: model.EvidenceMarker, Session: "zoomlike-launch", Detail: "no consent marker in the session: every request came before consent"},
					{Kind: model.EvidenceMarker, Session: "zoomlike-launch", Value: "launch", Detail: "2020-03-26T14:02:11.000Z, set by cli; the launch the times are counted from"},
					{Kind: model.EvidenceFile, Path: fbCore + "/FBSDKCoreKit", Detail: "Facebook SDK Core (FBSDKCoreKit) binary"},
				}},
			model.Finding{Rule: "SDKF021", Severity: model.SeverityLow, App: "us.zoomlike.videomeetings",
				Message:     "The client refused the proxy's certificate for settings.crashlytics.com, a tracker host; what it sent there could not be inspected.",
				Fingerprint: "5566",
				Evidence:    []model.Evidence{{Kind: model.EvidenceTLSFailure, Session: "zoomlike-launch", Flow: ptr(4), Value: "settings.crashlytics.com"}}},
		),
	}
	report.Finalize(r)
	return r
}
