package privacy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

const (
	appDir    = "Payload/Z.app"
	mainExec  = appDir + "/Z"
	fbDir     = appDir + "/Frameworks/FBSDKCoreKit.framework"
	fbBin     = fbDir + "/FBSDKCoreKit"
	goodDir   = appDir + "/Frameworks/Good.framework"
	goodBin   = goodDir + "/Good"
	staticRes = appDir + "/Static_Privacy.bundle"
	podDir    = appDir + "/Frameworks/Pod.framework"
	podBin    = podDir + "/Pod"
	podRes    = podDir + "/Pod_Privacy.bundle"
)

func yes() *bool { b := true; return &b }

func slice(imports, selectors []string) model.SliceFacts {
	return model.SliceFacts{Arch: "arm64", ImportedSymbols: imports, Selectors: selectors}
}

// testApp is a hand-built app: a main executable holding a statically linked SDK whose
// manifest sits in a resource bundle, a framework without a manifest, a framework with one,
// and a CocoaPods-style framework whose manifest is in a resource bundle inside it.
func testApp() *model.App {
	bin := func(p, bundle string, sl ...model.SliceFacts) model.Binary {
		return model.Binary{Path: p, Bundle: bundle, Facts: &model.MachOFacts{Slices: sl}}
	}
	return &model.App{
		BundleID: "com.example.z",
		Bundles: []model.Bundle{
			{Path: appDir, Kind: model.BundleApp, Executable: mainExec, PrivacyManifest: appDir + "/PrivacyInfo.xcprivacy"},
			{Path: fbDir, Kind: model.BundleFramework, Parent: appDir, Executable: fbBin},
			{Path: goodDir, Kind: model.BundleFramework, Parent: appDir, Executable: goodBin, PrivacyManifest: goodDir + "/PrivacyInfo.xcprivacy"},
			{Path: staticRes, Kind: model.BundleResource, Parent: appDir, PrivacyManifest: staticRes + "/PrivacyInfo.xcprivacy"},
			{Path: podDir, Kind: model.BundleFramework, Parent: appDir, Executable: podBin},
			{Path: podRes, Kind: model.BundleResource, Parent: podDir, PrivacyManifest: podRes + "/PrivacyInfo.xcprivacy"},
		},
		Binaries: []model.Binary{
			bin(mainExec, appDir, slice([]string{"_OBJC_CLASS_$_NSUserDefaults", "_statfs", "_stat", "_objc_msgSend"}, []string{"systemUptime", "init"})),
			// _objc_stats, _stat64x and a selector containing "systemUptime" must not match.
			bin(fbBin, fbDir,
				slice([]string{"_mach_absolute_time", "_OBJC_CLASS_$_NSUserDefaults", "_objc_stats", "_stat64x", "_NSFileSystemFreeSize"}, []string{"systemUptimeX", "activeInputModes"}),
				model.SliceFacts{Arch: "x86_64", ImportedSymbols: []string{"_stat$INODE64"}}),
			bin(goodBin, goodDir, slice([]string{"_fstat"}, nil)),
			bin(podBin, podDir, slice([]string{"_OBJC_CLASS_$_NSUserDefaults"}, nil)),
			bin(appDir+"/Frameworks/libswiftCore.dylib", appDir, slice([]string{"_stat"}, nil)),
		},
		SDKs: []model.SDK{
			{ID: "facebook", Confidence: model.ConfidenceHigh, Binaries: []string{fbBin}, Bundles: []string{fbDir}},
			{ID: "staticsdk", Confidence: model.ConfidenceMedium, Binaries: []string{mainExec}, Bundles: []string{staticRes}},
			{ID: "guessed", Confidence: model.ConfidenceLow, Binaries: []string{mainExec, goodBin}, Bundles: []string{goodDir}},
			{ID: "pod", Confidence: model.ConfidenceHigh, Binaries: []string{podBin}, Bundles: []string{podDir}},
		},
		Declarations: model.Declarations{PrivacyManifests: []model.PrivacyManifest{
			{Path: appDir + "/PrivacyInfo.xcprivacy", Bundle: appDir,
				AccessedAPITypes: []model.AccessedAPIType{
					{Category: CategoryUserDefaults, Reasons: []string{"CA92.1"}},
					{Category: CategorySystemBootTime, Reasons: []string{"35F9.1"}},
					{Category: CategoryFileTimestamp}, // listed without a reason: declares nothing
				},
				CollectedDataTypes: []model.CollectedDataType{
					{Type: "NSPrivacyCollectedDataTypeCrashData", Purposes: []string{"NSPrivacyCollectedDataTypePurposeAppFunctionality"}},
				}},
			{Path: goodDir + "/PrivacyInfo.xcprivacy", Bundle: goodDir,
				AccessedAPITypes: []model.AccessedAPIType{{Category: CategoryFileTimestamp, Reasons: []string{"C617.1"}}}},
			{Path: staticRes + "/PrivacyInfo.xcprivacy", Bundle: staticRes, Tracking: yes(),
				TrackingDomains:  []string{"t.example.com"},
				AccessedAPITypes: []model.AccessedAPIType{{Category: CategoryDiskSpace, Reasons: []string{"E174.1"}}},
				CollectedDataTypes: []model.CollectedDataType{
					{Type: "NSPrivacyCollectedDataTypeCrashData", Linked: true, Purposes: []string{"NSPrivacyCollectedDataTypePurposeAnalytics"}},
				}},
			{Path: podRes + "/PrivacyInfo.xcprivacy", Bundle: podRes,
				AccessedAPITypes: []model.AccessedAPIType{{Category: CategoryUserDefaults, Reasons: []string{"C56D.1"}}}},
		}},
	}
}

func find(a *Analysis, bin string) *BinaryUse {
	for i := range a.Binaries {
		if a.Binaries[i].Binary == bin {
			return &a.Binaries[i]
		}
	}
	return nil
}

func categories(ms []Missing) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Category)
	}
	return out
}

func TestDetectExactNames(t *testing.T) {
	app := testApp()
	d := Detect(app.Binaries[1].Facts)
	var names []string
	for _, u := range d.Uses {
		names = append(names, u.Category+" "+u.Name)
	}
	want := []string{
		CategoryActiveKeyboards + " activeInputModes",
		CategoryDiskSpace + " _NSFileSystemFreeSize",
		CategoryFileTimestamp + " _stat$INODE64",
		CategorySystemBootTime + " _mach_absolute_time",
		CategoryUserDefaults + " _OBJC_CLASS_$_NSUserDefaults",
	}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("uses:\n got %q\nwant %q", names, want)
	}
}

func TestDetectGetattrlistCountsForBothCategories(t *testing.T) {
	d := Detect(&model.MachOFacts{Slices: []model.SliceFacts{slice([]string{"_getattrlist"}, nil)}})
	if len(d.Uses) != 2 || d.Uses[0].Category != CategoryDiskSpace || d.Uses[1].Category != CategoryFileTimestamp {
		t.Fatalf("uses = %+v", d.Uses)
	}
}

func TestDetectEncryptedSkipsSelectorsOnly(t *testing.T) {
	f := &model.MachOFacts{Slices: []model.SliceFacts{{Arch: "arm64", Encrypted: true,
		ImportedSymbols: []string{"_mach_absolute_time"}, Selectors: []string{"activeInputModes"}}}}
	d := Detect(f)
	if !d.SelectorsUnread || len(d.Uses) != 1 || d.Uses[0].Name != "_mach_absolute_time" {
		t.Fatalf("detection = %+v", d)
	}
}

func TestDetectArchiveMembers(t *testing.T) {
	f := &model.MachOFacts{Members: []model.SliceFacts{
		{Arch: "arm64", Member: "a.o", ImportedSymbols: []string{"_stat"}},
		{Arch: "arm64", Member: "b.o", ImportedSymbols: []string{"_printf"}},
	}}
	d := Detect(f)
	if len(d.Uses) != 1 || d.Uses[0].Member != "a.o" {
		t.Fatalf("uses = %+v", d.Uses)
	}
	if Detect(nil).Uses != nil {
		t.Fatal("nil facts gave uses")
	}
}

func TestCoverage(t *testing.T) {
	a := Analyze(testApp())

	main := find(a, mainExec)
	if main == nil || !main.MainExecutable {
		t.Fatalf("main executable: %+v", main)
	}
	// The app's manifest and the static SDK's resource bundle cover it; the low-confidence
	// SDK is not credited.
	if want := []string{appDir + "/PrivacyInfo.xcprivacy", staticRes + "/PrivacyInfo.xcprivacy"}; !reflect.DeepEqual(main.Covering, want) {
		t.Errorf("main covering = %q, want %q", main.Covering, want)
	}
	if want := []string{"staticsdk"}; !reflect.DeepEqual(main.SDKs, want) {
		t.Errorf("main SDKs = %q", main.SDKs)
	}
	// _stat: FileTimestamp is listed without reason in the app manifest, declared only in
	// Good.framework's.
	if got := categories(main.Missing); !reflect.DeepEqual(got, []string{CategoryFileTimestamp}) {
		t.Fatalf("main missing = %q", got)
	}
	m := main.Missing[0]
	if !reflect.DeepEqual(m.ListedWithoutReason, []string{appDir + "/PrivacyInfo.xcprivacy"}) ||
		!reflect.DeepEqual(m.DeclaredElsewhere, []string{goodDir + "/PrivacyInfo.xcprivacy"}) {
		t.Errorf("main missing detail = %+v", m)
	}

	fb := find(a, fbBin)
	if fb == nil || fb.MainExecutable || len(fb.Covering) != 0 || !reflect.DeepEqual(fb.SDKs, []string{"facebook"}) {
		t.Fatalf("facebook binary: %+v", fb)
	}
	// The app's manifest declares UserDefaults and SystemBootTime, but a framework needs its own.
	want := []string{CategoryActiveKeyboards, CategoryDiskSpace, CategoryFileTimestamp, CategorySystemBootTime, CategoryUserDefaults}
	if got := categories(fb.Missing); !reflect.DeepEqual(got, want) {
		t.Errorf("facebook missing = %q", got)
	}
	for _, miss := range fb.Missing {
		if miss.Category == CategoryUserDefaults && !reflect.DeepEqual(miss.DeclaredElsewhere,
			[]string{podRes + "/PrivacyInfo.xcprivacy", appDir + "/PrivacyInfo.xcprivacy"}) {
			t.Errorf("declared elsewhere = %q", miss.DeclaredElsewhere)
		}
	}

	if good := find(a, goodBin); good == nil || len(good.Missing) != 0 {
		t.Errorf("Good.framework: %+v", good)
	}
	// A manifest in a resource bundle inside the framework covers it (CocoaPods layout).
	if pod := find(a, podBin); pod == nil || len(pod.Missing) != 0 || len(pod.Covering) != 1 {
		t.Errorf("Pod.framework: %+v", pod)
	}
	if find(a, appDir+"/Frameworks/libswiftCore.dylib") != nil {
		t.Error("the Swift runtime was checked")
	}
}

func TestEncryptedLimitation(t *testing.T) {
	app := testApp()
	app.Binaries[0].Facts.Slices[0].Encrypted = true
	a := Analyze(app)
	if len(a.Limitations) != 1 || !strings.Contains(a.Limitations[0], mainExec) {
		t.Fatalf("limitations = %q", a.Limitations)
	}
}

func TestMergeManifests(t *testing.T) {
	r := MergeManifests(testApp())
	if !r.Tracking {
		t.Error("tracking not merged")
	}
	if len(r.TrackingDomains) != 1 || !reflect.DeepEqual(r.TrackingDomains[0].SDKs, []string{"staticsdk"}) {
		t.Errorf("domains = %+v", r.TrackingDomains)
	}
	if len(r.DataTypes) != 1 {
		t.Fatalf("data types = %+v", r.DataTypes)
	}
	dt := r.DataTypes[0]
	if !dt.Linked || dt.Tracking || len(dt.Purposes) != 2 || len(dt.Manifests) != 2 || !reflect.DeepEqual(dt.SDKs, []string{"staticsdk"}) {
		t.Errorf("crash data = %+v", dt)
	}
	var cats []string
	for _, api := range r.AccessedAPIs {
		cats = append(cats, ShortCategory(api.Category))
		if api.Category == CategoryUserDefaults && (!reflect.DeepEqual(api.Reasons, []string{"C56D.1", "CA92.1"}) ||
			!reflect.DeepEqual(api.SDKs, []string{"pod"})) {
			t.Errorf("user defaults = %+v", api)
		}
	}
	if want := []string{"DiskSpace", "FileTimestamp", "SystemBootTime", "UserDefaults"}; !reflect.DeepEqual(cats, want) {
		t.Errorf("categories = %q", cats)
	}
	if MergeManifests(&model.App{}) != nil {
		t.Error("an app without manifests got a report")
	}
}

func TestBundleCycleTerminates(t *testing.T) {
	app := &model.App{
		Bundles: []model.Bundle{
			{Path: "a", Kind: model.BundleResource, Parent: "b", PrivacyManifest: "a/P"},
			{Path: "b", Kind: model.BundleResource, Parent: "a"},
		},
		Binaries: []model.Binary{{Path: "b/x", Bundle: "b", Facts: &model.MachOFacts{Slices: []model.SliceFacts{slice([]string{"_stat"}, nil)}}}},
		SDKs:     []model.SDK{{ID: "s", Confidence: model.ConfidenceHigh, Bundles: []string{"zzz"}}},
		Declarations: model.Declarations{PrivacyManifests: []model.PrivacyManifest{
			{Path: "a/P", Bundle: "a", TrackingDomains: []string{"x"}},
		}},
	}
	a := Analyze(app)
	if len(a.Binaries) != 1 {
		t.Fatalf("binaries = %+v", a.Binaries)
	}
}
