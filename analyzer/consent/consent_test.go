package consent

import (
	"slices"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/signatures"
)

const (
	appDir   = "Payload/Z.app"
	appInfo  = appDir + "/Info.plist"
	appMani  = appDir + "/PrivacyInfo.xcprivacy"
	mainExec = appDir + "/Z"
	fbDir    = appDir + "/Frameworks/FBSDKCoreKit.framework"
	fbBin    = fbDir + "/FBSDKCoreKit"
	fbMani   = fbDir + "/PrivacyInfo.xcprivacy"
)

func ptr[T any](v T) *T { return &v }

// fakeSignatures is a signature source built in the test.
type fakeSignatures map[string]*signatures.Signature

func (f fakeSignatures) Get(id string) (*signatures.Signature, bool) {
	s, ok := f[id]
	return s, ok
}

func testSignatures() fakeSignatures {
	return fakeSignatures{
		"facebook-core": {
			ID: "facebook-core", Name: "Facebook SDK Core", AppleListed: true, AppleNames: []string{"FBSDKCoreKit"},
			ConsentFlags: []signatures.ConsentFlag{
				{Key: "FacebookAutoLogAppEventsEnabled", Default: "true", Safe: "false", Controls: "automatic app events"},
				{Key: "FacebookAdvertiserIDCollectionEnabled", Default: "true", Safe: "false", Controls: "IDFA collection"},
			},
		},
		"consent-mode": {
			ID: "consent-mode", Name: "Consent Mode SDK",
			ConsentFlags: []signatures.ConsentFlag{
				{Key: "COLLECTION_ENABLED", Default: "false", Safe: "false"},
				{Key: "DEFAULT_ALLOW_AD_STORAGE", Default: "unset", Safe: "false"},
				{Key: "DEFAULT_ALLOW_IDFV", Default: "true", Safe: "false", GatedBy: "COLLECTION_ENABLED"},
			},
		},
	}
}

// cleanApp is an app that breaks no static rule: the Facebook framework ships its manifest and
// the consent flags are off; the main executable's UserDefaults use is declared.
func cleanApp() model.App {
	facts := func(imports ...string) *model.MachOFacts {
		return &model.MachOFacts{Slices: []model.SliceFacts{{Arch: "arm64", CodeSigned: true, ImportedSymbols: imports}}}
	}
	return model.App{
		Path: "z.ipa", Kind: "ipa", BundleID: "com.example.z",
		Bundles: []model.Bundle{
			{Path: appDir, Kind: model.BundleApp, Executable: mainExec, InfoPlist: appInfo, PrivacyManifest: appMani},
			{Path: fbDir, Kind: model.BundleFramework, Parent: appDir, Executable: fbBin, PrivacyManifest: fbMani},
		},
		Binaries: []model.Binary{
			{Path: mainExec, Bundle: appDir, Type: "execute", CodeSigned: true, Facts: facts("_OBJC_CLASS_$_NSUserDefaults"),
				Linked: []model.Dylib{{Name: "@rpath/FBSDKCoreKit.framework/FBSDKCoreKit", Kind: model.DylibLoad}}},
			{Path: fbBin, Bundle: fbDir, Type: "dylib", CodeSigned: true, Facts: facts("_mach_absolute_time"),
				Linked: []model.Dylib{{Name: "/System/Library/Frameworks/AdSupport.framework/AdSupport", Kind: model.DylibWeak}}},
		},
		SDKs: []model.SDK{{
			ID: "facebook-core", Name: "Facebook SDK Core", AppleListed: true, Confidence: model.ConfidenceHigh,
			Binaries: []string{fbBin}, Bundles: []string{fbDir},
			Evidence: []model.Evidence{{Kind: model.EvidenceFramework, Path: fbDir, Value: "FBSDKCoreKit"}},
		}},
		Declarations: model.Declarations{
			InfoPlists: []model.InfoPlist{{
				Path: appInfo, Bundle: appDir, BundleID: "com.example.z",
				Keys: []string{"FacebookAdvertiserIDCollectionEnabled", "FacebookAutoLogAppEventsEnabled", usageKey},
				Values: map[string]any{
					"FacebookAutoLogAppEventsEnabled": false, "FacebookAdvertiserIDCollectionEnabled": "NO",
					usageKey: "Ads that fit you",
				},
				ATS: &model.ATS{AllowsArbitraryLoads: ptr(false)},
			}},
			PrivacyManifests: []model.PrivacyManifest{
				{Path: appMani, Bundle: appDir, AccessedAPITypes: []model.AccessedAPIType{{Category: "NSPrivacyAccessedAPICategoryUserDefaults", Reasons: []string{"CA92.1"}}}},
				{Path: fbMani, Bundle: fbDir, Tracking: ptr(true), TrackingDomains: []string{"ep1.facebook.com"},
					AccessedAPITypes: []model.AccessedAPIType{{Category: "NSPrivacyAccessedAPICategorySystemBootTime", Reasons: []string{"35F9.1"}}}},
			},
		},
	}
}

func evaluate(t *testing.T, apps ...model.App) []model.Finding {
	t.Helper()
	findings, skipped := Evaluate(&Input{Apps: apps, Signatures: testSignatures()}, Options{})
	for _, s := range skipped {
		if info, _ := model.Rule(s.Rule); info.Needs == model.NeedsStatic {
			t.Errorf("static rule skipped: %+v", s)
		}
	}
	for _, f := range findings {
		if f.Fingerprint == "" || f.Message == "" || f.Fix == "" || len(f.Evidence) == 0 || f.Severity == "" {
			t.Errorf("incomplete finding: %+v", f)
		}
	}
	return findings
}

func rules(fs []model.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	slices.Sort(out)
	return out
}

func only(t *testing.T, fs []model.Finding, rule string, n int) []model.Finding {
	t.Helper()
	var out []model.Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	if len(out) != n || len(fs) != n {
		t.Fatalf("want %d %s findings and nothing else, got %q", n, rule, rules(fs))
	}
	return out
}

func TestCleanAppHasNoFindings(t *testing.T) {
	if fs := evaluate(t, cleanApp()); len(fs) != 0 {
		for _, f := range fs {
			t.Errorf("%s: %s", f.Rule, f.Message)
		}
	}
}

func TestSDKF010(t *testing.T) {
	app := cleanApp()
	info := &app.Declarations.InfoPlists[0]
	info.Keys = []string{"FacebookAdvertiserIDCollectionEnabled", usageKey}
	delete(info.Values, "FacebookAutoLogAppEventsEnabled")
	info.Values["FacebookAdvertiserIDCollectionEnabled"] = true
	fs := only(t, evaluate(t, app), "SDKF010", 2)
	byKey := map[string]model.Finding{}
	for _, f := range fs {
		byKey[f.Evidence[0].Value] = f
		if f.SDK != "facebook-core" || f.Evidence[0].Path != appInfo || f.Evidence[0].Kind != model.EvidencePlistKey {
			t.Errorf("finding: %+v", f)
		}
		if !strings.Contains(f.Fix, "to false (<false/>)") {
			t.Errorf("fix does not give the safe value: %s", f.Fix)
		}
	}
	if f := byKey["FacebookAutoLogAppEventsEnabled"]; !strings.Contains(f.Message, "absent") || !strings.Contains(f.Message, "defaults to true") {
		t.Errorf("absent flag: %s", f.Message)
	}
	if f := byKey["FacebookAdvertiserIDCollectionEnabled"]; !strings.Contains(f.Message, "set to true") {
		t.Errorf("flag on: %s", f.Message)
	}

	// A low-confidence SDK drives nothing.
	app.SDKs[0].Confidence = model.ConfidenceLow
	if fs := evaluate(t, app); len(fs) != 0 {
		t.Errorf("low confidence gave %q", rules(fs))
	}
}

func TestSDKF010UnsetDefault(t *testing.T) {
	app := cleanApp()
	app.SDKs = append(app.SDKs, model.SDK{ID: "consent-mode", Name: "Consent Mode SDK", Confidence: model.ConfidenceMedium, Binaries: []string{mainExec}})
	f := only(t, evaluate(t, app), "SDKF010", 1)[0]
	if !strings.Contains(f.Message, "no consent default") || f.SDK != "consent-mode" {
		t.Errorf("unset default: %+v", f)
	}
	// With its master switch on, the gated flag counts too.
	app.Declarations.InfoPlists[0].Values["COLLECTION_ENABLED"] = true
	fs := only(t, evaluate(t, app), "SDKF010", 3)
	if fs[0].Evidence[0].Value != "COLLECTION_ENABLED" && fs[1].Evidence[0].Value != "COLLECTION_ENABLED" && fs[2].Evidence[0].Value != "COLLECTION_ENABLED" {
		t.Errorf("master switch not reported: %q", rules(fs))
	}
}

func TestSDKF011(t *testing.T) {
	app := cleanApp()
	app.Declarations.PrivacyManifests[1].AccessedAPITypes = nil
	f := only(t, evaluate(t, app), "SDKF011", 1)[0]
	if f.SDK != "facebook-core" || f.Evidence[0].Path != fbBin || f.Evidence[0].Value != "NSPrivacyAccessedAPICategorySystemBootTime" {
		t.Errorf("finding: %+v", f)
	}
	if !strings.Contains(f.Message, "_mach_absolute_time") || !strings.Contains(f.Message, "ITMS-91053") {
		t.Errorf("message: %s", f.Message)
	}
	if !strings.Contains(f.Fix, strings.TrimPrefix(fbMani, "Payload/")) || !strings.Contains(f.Fix, "NSPrivacyAccessedAPICategorySystemBootTime") {
		t.Errorf("fix: %s", f.Fix)
	}

	// In the main executable with a statically linked SDK, the use is not pinned on the SDK.
	app = cleanApp()
	app.Declarations.PrivacyManifests[0].AccessedAPITypes = nil
	app.SDKs = append(app.SDKs, model.SDK{ID: "static", Name: "Static SDK", Confidence: model.ConfidenceHigh, Binaries: []string{mainExec}})
	f = only(t, evaluate(t, app), "SDKF011", 1)[0]
	if f.SDK != "" || !strings.Contains(f.Message, "statically linked Static SDK") || !strings.Contains(f.Fix, "Add to Z.app/PrivacyInfo.xcprivacy") {
		t.Errorf("main executable finding: %+v", f)
	}
}

func TestSDKF012(t *testing.T) {
	app := cleanApp()
	app.Bundles[1].PrivacyManifest = ""
	app.Declarations.PrivacyManifests = app.Declarations.PrivacyManifests[:1]
	fs := evaluate(t, app)
	// Without its manifest, the framework's boot-time use is undeclared too.
	if got := rules(fs); !slices.Equal(got, []string{"SDKF011", "SDKF012"}) {
		t.Fatalf("rules = %q", got)
	}
	for _, f := range fs {
		if f.Rule == "SDKF012" && (f.Evidence[0].Path != fbDir || !strings.Contains(f.Message, "FBSDKCoreKit") || f.Severity != model.SeverityHigh) {
			t.Errorf("finding: %+v", f)
		}
	}
}

func TestSDKF012Repackaged(t *testing.T) {
	app := cleanApp()
	// FBSDKCoreKit's classes inside the app's own Wrapper.framework, with no Facebook bundle.
	wrapDir := appDir + "/Frameworks/Wrapper.framework"
	app.Bundles = append(app.Bundles, model.Bundle{Path: wrapDir, Kind: model.BundleFramework, Parent: appDir,
		Executable: wrapDir + "/Wrapper", PrivacyManifest: wrapDir + "/PrivacyInfo.xcprivacy"})
	app.Binaries = append(app.Binaries, model.Binary{Path: wrapDir + "/Wrapper", Bundle: wrapDir, CodeSigned: true, Facts: &model.MachOFacts{}})
	app.Declarations.PrivacyManifests = append(app.Declarations.PrivacyManifests, model.PrivacyManifest{Path: wrapDir + "/PrivacyInfo.xcprivacy", Bundle: wrapDir})
	app.SDKs[0].Binaries = []string{fbBin, wrapDir + "/Wrapper"}
	app.SDKs[0].Evidence = append(app.SDKs[0].Evidence, model.Evidence{Kind: model.EvidenceClass, Path: wrapDir + "/Wrapper", Value: "FBSDKAppEvents"})
	f := only(t, evaluate(t, app), "SDKF012", 1)[0]
	if f.Evidence[0].Path != wrapDir+"/Wrapper" || !strings.Contains(f.Message, "repackaged inside Z.app/Frameworks/Wrapper.framework") ||
		len(f.Evidence) != 2 || f.Evidence[1].Value != "FBSDKAppEvents" {
		t.Errorf("finding: %+v", f)
	}

	// Linked statically into the main executable, with the SDK's resource bundle manifest: fine.
	app = cleanApp()
	res := appDir + "/FBSDKCoreKit_Privacy.bundle"
	app.Bundles = append(app.Bundles[:1], model.Bundle{Path: res, Kind: model.BundleResource, Parent: appDir, PrivacyManifest: res + "/PrivacyInfo.xcprivacy"})
	app.Binaries = app.Binaries[:1]
	app.Declarations.PrivacyManifests = []model.PrivacyManifest{
		{Path: appMani, Bundle: appDir, AccessedAPITypes: []model.AccessedAPIType{{Category: "NSPrivacyAccessedAPICategoryUserDefaults", Reasons: []string{"CA92.1"}}}},
		{Path: res + "/PrivacyInfo.xcprivacy", Bundle: res},
	}
	app.SDKs[0].Binaries, app.SDKs[0].Bundles = []string{mainExec}, []string{res}
	if fs := evaluate(t, app); len(fs) != 0 {
		t.Errorf("static SDK with its resource bundle manifest: %q", rules(fs))
	}
	// Without that bundle it is left to SDKF011: App Store Connect names framework binaries.
	app.Bundles, app.SDKs[0].Bundles = app.Bundles[:1], nil
	app.Declarations.PrivacyManifests = app.Declarations.PrivacyManifests[:1]
	if fs := evaluate(t, app); len(fs) != 0 {
		t.Errorf("static SDK in the main executable: %q", rules(fs))
	}
}

func TestSDKF013(t *testing.T) {
	app := cleanApp()
	app.Declarations.PrivacyManifests[1].Tracking = ptr(false)
	f := only(t, evaluate(t, app), "SDKF013", 1)[0]
	if f.SDK != "facebook-core" || f.Evidence[0].Path != fbMani || !strings.Contains(f.Message, "ITMS-91107") || !strings.Contains(f.Message, "is false") {
		t.Errorf("finding: %+v", f)
	}
	app = cleanApp()
	app.Declarations.PrivacyManifests[0].TrackingDomains = []string{"t.example.com"}
	f = only(t, evaluate(t, app), "SDKF013", 1)[0]
	if f.SDK != "" || !strings.Contains(f.Message, "ITMS-91064") || !strings.Contains(f.Message, "is absent") {
		t.Errorf("app manifest finding: %+v", f)
	}
}

func TestSDKF014(t *testing.T) {
	app := cleanApp()
	app.Declarations.PrivacyManifests[1].Problems = []model.ManifestProblem{
		{Key: "NSPrivacyAccessedAPITypes[0].NSPrivacyAccessedAPITypeReasons[0]", Message: `"C617.1" is not a reason for SystemBootTime`, Severity: "error"},
		{Key: "NSPrivacyCollectedDataTypes[0]", Message: "unknown data type", Severity: "warning"},
	}
	f := only(t, evaluate(t, app), "SDKF014", 1)[0]
	if f.SDK != "facebook-core" || f.Evidence[0].Value != "NSPrivacyAccessedAPITypes[0].NSPrivacyAccessedAPITypeReasons[0]" || !strings.Contains(f.Fix, "C617.1") {
		t.Errorf("finding: %+v", f)
	}
}

func TestSDKF015(t *testing.T) {
	app := cleanApp()
	info := &app.Declarations.InfoPlists[0]
	info.Keys = info.Keys[:2]
	delete(info.Values, usageKey)
	f := only(t, evaluate(t, app), "SDKF015", 1)[0]
	if f.SDK != "facebook-core" || f.Evidence[0].Value != usageKey || f.Evidence[1].Path != fbBin || !strings.Contains(f.Message, "AdSupport") {
		t.Errorf("finding: %+v", f)
	}
	info.Values[usageKey] = " "
	if f := only(t, evaluate(t, app), "SDKF015", 1)[0]; !strings.Contains(f.Message, "empty") {
		t.Errorf("empty description: %s", f.Message)
	}
}

func TestSDKF016(t *testing.T) {
	app := cleanApp()
	app.Declarations.InfoPlists[0].ATS = &model.ATS{AllowsArbitraryLoads: ptr(true), ExceptionDomains: []string{"a.example"}}
	f := only(t, evaluate(t, app), "SDKF016", 1)[0]
	if f.SDK != "" || f.Evidence[0].Path != appInfo || !strings.Contains(f.Fix, "a.example") {
		t.Errorf("finding: %+v", f)
	}
	// Ignored by iOS 10+ when NSAllowsArbitraryLoadsInWebContent is present.
	app.Declarations.InfoPlists[0].ATS.AllowsArbitraryLoadsInWebContent = ptr(true)
	if fs := evaluate(t, app); len(fs) != 0 {
		t.Errorf("web-content exception: %q", rules(fs))
	}
	app.Declarations.InfoPlists[0].MinOS = "9.0"
	only(t, evaluate(t, app), "SDKF016", 1)
}

func TestSDKF017(t *testing.T) {
	app := cleanApp()
	app.Binaries[1].CodeSigned = false
	f := only(t, evaluate(t, app), "SDKF017", 1)[0]
	if f.SDK != "facebook-core" || f.Evidence[0].Path != fbBin || !strings.Contains(f.Message, "ITMS-91065") {
		t.Errorf("finding: %+v", f)
	}
	// An app not yet signed at all is not blamed on the SDK.
	app.Binaries[0].CodeSigned = false
	if fs := evaluate(t, app); len(fs) != 0 {
		t.Errorf("unsigned app: %q", rules(fs))
	}
}

// trafficRule stands for a rule someone adds later.
type trafficRule struct{ panics bool }

func (trafficRule) Info() model.RuleInfo { return ruleInfo("SDKF001") }
func (r trafficRule) Check(in *Input) []model.Finding {
	if r.panics {
		panic("boom")
	}
	return []model.Finding{{Message: "m", Evidence: []model.Evidence{{Kind: model.EvidenceFlow, Session: in.Sessions[0].Name, Flow: ptr(3)}}}}
}

func TestEvaluateSkipsAndDefaults(t *testing.T) {
	_, skipped := Evaluate(&Input{}, Options{})
	if len(skipped) != len(Registered()) {
		t.Errorf("skipped %d of %d rules with no input", len(skipped), len(Registered()))
	}
	_, skipped = Evaluate(&Input{Apps: []model.App{cleanApp()}}, Options{})
	if len(skipped) != 1 || skipped[0].Rule != "SDKF010" || !strings.Contains(skipped[0].Reason, "signature") {
		t.Errorf("without signatures: %+v", skipped)
	}

	in := &Input{Sessions: []model.Session{{Name: "s"}}}
	fs, skipped := Evaluate(in, Options{Rules: []Rule{trafficRule{}, undeclaredAPI{}}})
	if len(fs) != 1 || fs[0].Rule != "SDKF001" || fs[0].Severity != model.SeverityHigh || fs[0].Fingerprint == "" {
		t.Errorf("findings: %+v", fs)
	}
	if len(skipped) != 1 || skipped[0].Rule != "SDKF011" {
		t.Errorf("skipped: %+v", skipped)
	}
	fs, skipped = Evaluate(in, Options{Rules: []Rule{trafficRule{panics: true}}})
	if len(fs) != 0 || len(skipped) != 1 || !strings.Contains(skipped[0].Reason, "boom") {
		t.Errorf("panicking rule: %+v %+v", fs, skipped)
	}
}

func TestFingerprints(t *testing.T) {
	app := cleanApp()
	info := &app.Declarations.InfoPlists[0]
	info.Keys, info.Values = nil, nil
	a := evaluate(t, app)
	b := evaluate(t, app)
	seen := map[string]bool{}
	for i := range a {
		if a[i].Fingerprint != b[i].Fingerprint {
			t.Errorf("fingerprint changed between runs: %s", a[i].Rule)
		}
		if seen[a[i].Fingerprint] {
			t.Errorf("fingerprint repeated: %s", a[i].Fingerprint)
		}
		seen[a[i].Fingerprint] = true
	}
	f := a[0]
	g := f
	g.Message, g.Severity, g.Fix = "reworded", model.SeverityLow, ""
	g.Evidence = []model.Evidence{{Kind: f.Evidence[0].Kind, Path: f.Evidence[0].Path, Value: f.Evidence[0].Value, Detail: "other"}}
	if Fingerprint(&f) != Fingerprint(&g) {
		t.Error("fingerprint depends on message, severity or detail")
	}
	g.SDK = "other"
	if Fingerprint(&f) == Fingerprint(&g) {
		t.Error("fingerprint ignores the SDK")
	}

	dup := []model.Finding{{Fingerprint: "x"}, {Fingerprint: "x"}, {Fingerprint: "y"}}
	uniqueFingerprints(dup)
	if dup[0].Fingerprint != "x" || dup[1].Fingerprint != "x#2" || dup[2].Fingerprint != "y" {
		t.Errorf("unique: %+v", dup)
	}
}

func TestEveryStaticRuleRegistered(t *testing.T) {
	var ids []string
	for _, r := range Registered() {
		ids = append(ids, r.Info().ID)
	}
	want := []string{"SDKF010", "SDKF011", "SDKF012", "SDKF013", "SDKF014", "SDKF015", "SDKF016", "SDKF017"}
	if !slices.Equal(ids, want) {
		t.Errorf("registered = %q", ids)
	}
}

func TestRunFillsPrivacyReport(t *testing.T) {
	r := &model.Report{Apps: []model.App{cleanApp()}}
	r.Apps[0].Binaries[1].Facts.Slices[0].Encrypted = true
	Run(r, testSignatures(), Options{})
	if r.Apps[0].Declarations.Privacy == nil || !r.Apps[0].Declarations.Privacy.Tracking {
		t.Errorf("privacy report: %+v", r.Apps[0].Declarations.Privacy)
	}
	if len(r.Apps[0].Limitations) != 1 || len(r.Findings) != 0 {
		t.Errorf("limitations %q, findings %q", r.Apps[0].Limitations, rules(r.Findings))
	}
}
