package signatures

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/sdkflow/sdkflow/model"
	"go.yaml.in/yaml/v3"
)

func mustEmbedded(t testing.TB) *Set {
	t.Helper()
	set, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestEmbeddedFiles is the schema test over every embedded file.
func TestEmbeddedFiles(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("schema.json")
	if err != nil {
		t.Fatalf("schema.json does not compile: %v", err)
	}
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no signature files: %v", err)
	}
	categories := map[string]bool{}
	for _, v := range doc.(map[string]any)["properties"].(map[string]any)["category"].(map[string]any)["enum"].([]any) {
		categories[v.(string)] = true
	}
	ids := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Validate against schema.json directly, independently of the loader.
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s: schema: %v", f, err)
		}
		sig, errs := ParseFile(f, data)
		if len(errs) > 0 {
			t.Errorf("%v", errs)
			continue
		}
		if want := strings.TrimSuffix(f, ".yaml"); sig.ID != want {
			t.Errorf("%s: id %q is not the file name", f, sig.ID)
		}
		if prev, dup := ids[sig.ID]; dup {
			t.Errorf("%s: id %q also in %s", f, sig.ID, prev)
		}
		ids[sig.ID] = f
		if !categories[sig.Category] {
			t.Errorf("%s: unknown category %q", f, sig.Category)
		}
		if sig.Match.Count() == 0 {
			t.Errorf("%s: no static matchers (every embedded signature must be findable in an app)", f)
		}
		for _, fl := range sig.Match.fields() {
			for _, p := range fl.list {
				if _, err := compilePattern(p, foldKind(fl.kind)); err != nil {
					t.Errorf("%s: %s: %v", f, fl.key, err)
				}
			}
		}
		for i := range sig.Network {
			if _, err := compileHostRule(&sig.Network[i]); err != nil {
				t.Errorf("%s: network[%d]: %v", f, i, err)
			}
		}
		if sig.Name == "" || sig.Vendor == "" || sig.Website == "" || len(sig.References) == 0 {
			t.Errorf("%s: name, vendor, website and references are required", f)
		}
		if sig.Android != nil {
			t.Errorf("%s: Android code signatures (Exodus data, ODbL) are never bundled", f)
		}
		if _, err := os.Stat(filepath.Join("testdata", "fixtures", sig.ID+".yaml")); err != nil {
			t.Errorf("%s: no positive fixture: %v", f, err)
		}
	}
	set := mustEmbedded(t)
	if set.Len() != len(files) {
		t.Errorf("embedded set has %d signatures, source tree %d", set.Len(), len(files))
	}
	if set.Version() == "" || set.Info().Digest == "" {
		t.Errorf("Info = %+v", set.Info())
	}
}

// appleList is Apple's list of commonly used third-party SDKs (privacy-manifest.md §4), with
// the aliases it is known under. Every name must be recognisable as a framework.
var appleList = strings.Fields(`Abseil AFNetworking Alamofire AppAuth BoringSSL openssl_grpc Capacitor Charts
connectivity_plus Cordova device_info_plus DKImagePickerController DKPhotoGallery FBAEMKit FBLPromises
FBSDKCoreKit FBSDKCoreKit_Basics FBSDKLoginKit FBSDKShareKit file_picker FirebaseABTesting FirebaseAuth
FirebaseCore FirebaseCoreDiagnostics FirebaseCoreExtension FirebaseCoreInternal FirebaseCrashlytics
FirebaseDynamicLinks FirebaseFirestore FirebaseInstallations FirebaseMessaging FirebaseRemoteConfig Flutter
flutter_inappwebview flutter_local_notifications fluttertoast FMDB geolocator_apple GoogleDataTransport
GoogleSignIn GoogleToolboxForMac GoogleUtilities grpcpp GTMAppAuth GTMSessionFetcher hermes image_picker_ios
IQKeyboardManager IQKeyboardManagerSwift Kingfisher leveldb Lottie MBProgressHUD nanopb OneSignal
OneSignalCore OneSignalExtension OneSignalOutcomes OpenSSL OrderedSet package_info package_info_plus
path_provider path_provider_ios Promises Protobuf Reachability RealmSwift RxCocoa RxRelay RxSwift SDWebImage
share_plus shared_preferences_ios SnapKit sqflite Starscream SVProgressHUD SwiftyGif SwiftyJSON Toast
UnityFramework url_launcher url_launcher_ios video_player_avfoundation wakelock webview_flutter_wkwebview`)

var appleAliases = strings.Fields(`absl BoringSSL-GRPC DGCharts PromisesObjC PromisesSwift gRPC-C++ lottie-ios ReachabilitySwift`)

func TestAppleListRecognised(t *testing.T) {
	if len(appleList) != 87 { // 86 entries, one of them "BoringSSL / openssl_grpc"
		t.Fatalf("Apple's list has 86 entries (87 names), the test %d names", len(appleList))
	}
	set := mustEmbedded(t)
	m := set.Matcher()
	listed := map[string]bool{}
	for _, name := range append(append([]string{}, appleList...), appleAliases...) {
		if name == "BoringSSL" {
			name = "BoringSSL-GRPC" // Apple writes "BoringSSL / openssl_grpc"
		}
		hits := m.Match(model.EvidenceFramework, "Payload/App.app/Frameworks/"+name+".framework")
		ok := false
		for _, h := range hits {
			sig, _ := set.Get(h.ID)
			if sig.AppleListed {
				ok = true
				listed[sig.ID] = true
			}
		}
		if !ok {
			t.Errorf("Apple-listed %s.framework is not recognised as an Apple-listed SDK (hits %+v)", name, hits)
		}
	}
	for _, s := range set.All() {
		if s.AppleListed && !listed[s.ID] {
			t.Errorf("%s is appleListed but matches none of Apple's names", s.ID)
		}
		for _, n := range s.AppleNames {
			if !slices.Contains(appleList, n) && !slices.Contains(appleAliases, n) {
				t.Errorf("%s: appleNames %q is not on Apple's list", s.ID, n)
			}
		}
	}
}

// catalogTrackers are the rows of ios-sdk-catalog.md §1, plus TikTok, Snap and X/Twitter.
var catalogTrackers = strings.Fields(`facebook-core facebook-login facebook-share facebook-audience-network
firebase-analytics firebase-crashlytics firebase-performance google-analytics-legacy google-mobile-ads
google-tag-manager appsflyer adjust branch singular kochava tenjin flurry mixpanel amplitude segment braze
onesignal clevertap leanplum applovin unity-ads ironsource vungle chartboost inmobi mintegral pangle
amazon-publisher-services mopub tapjoy yandex-appmetrica new-relic sentry bugsnag app-center instabug
tiktok-business snap-kit twitter-kit`)

func TestCatalogCovered(t *testing.T) {
	set := mustEmbedded(t)
	for _, id := range catalogTrackers {
		if _, ok := set.Get(id); !ok {
			t.Errorf("catalog SDK %s has no signature", id)
		}
	}
	if set.Len() < 60 {
		t.Errorf("%d signatures, want at least 60", set.Len())
	}
}

func TestKeyFacts(t *testing.T) {
	set := mustEmbedded(t)
	fb, _ := set.Get("facebook-core")
	flags := map[string]ConsentFlag{}
	for _, f := range fb.ConsentFlags {
		flags[f.Key] = f
	}
	for _, k := range []string{"FacebookAutoLogAppEventsEnabled", "FacebookAdvertiserIDCollectionEnabled"} {
		if f, ok := flags[k]; !ok || f.Default != FlagTrue || f.Safe != FlagFalse {
			t.Errorf("facebook-core %s = %+v, want default true, safe false", k, f)
		}
	}
	if !slices.Contains(fb.TrackingDomains, "ep1.facebook.com") || !fb.AppleListed || !fb.Tracker {
		t.Errorf("facebook-core: %+v", fb)
	}
	wantFlags := map[string][]string{
		"firebase-analytics":   {"FIREBASE_ANALYTICS_COLLECTION_ENABLED", "GOOGLE_ANALYTICS_DEFAULT_ALLOW_ANALYTICS_STORAGE", "GOOGLE_ANALYTICS_DEFAULT_ALLOW_AD_STORAGE", "GOOGLE_ANALYTICS_DEFAULT_ALLOW_AD_USER_DATA", "GOOGLE_ANALYTICS_DEFAULT_ALLOW_AD_PERSONALIZATION_SIGNALS"},
		"firebase-crashlytics": {"FirebaseCrashlyticsCollectionEnabled"},
		"firebase-core":        {"FirebaseDataCollectionDefaultEnabled"},
		"onesignal":            {"OneSignal_require_privacy_consent"},
	}
	for id, keys := range wantFlags {
		sig, _ := set.Get(id)
		for _, k := range keys {
			if !slices.ContainsFunc(sig.ConsentFlags, func(f ConsentFlag) bool { return f.Key == k }) {
				t.Errorf("%s: no consent flag %s", id, k)
			}
		}
	}
}

// TestFixtureNames runs every name in each positive fixture spec through the matcher: the
// fixture must prove its own SDK (confidence medium or better) and nothing else.
func TestFixtureNames(t *testing.T) {
	set := mustEmbedded(t)
	for _, sig := range set.All() {
		p := filepath.Join("testdata", "fixtures", sig.ID+".yaml")
		found, ev := specHits(t, set, p)
		for id := range found {
			if id != sig.ID {
				t.Errorf("%s: also matches %s: %v", p, id, found[id])
			}
		}
		if c := Confidence(ev[sig.ID]); c == model.ConfidenceLow {
			t.Errorf("%s: fixture proves %s only with %s confidence (%+v)", p, sig.ID, c, ev[sig.ID])
		}
	}
}

// TestSampleSpecNames runs the sample apps' names through the matcher: the clean app matches
// nothing, the others exactly the SDKs they were built to hold.
func TestSampleSpecNames(t *testing.T) {
	set := mustEmbedded(t)
	for spec, want := range map[string][]string{
		"cleanapp/cleanapp.yaml":     nil,
		"zoomlike/zoomlike.yaml":     {"facebook-core", "facebook-login"},
		"newsreader/newsreader.yaml": {"firebase-analytics", "firebase-core", "google-mobile-ads", "lottie", "onesignal-extension"},
		"fatapp/fatapp.yaml":         {"mixpanel"},
	} {
		p := filepath.Join("..", "samples", spec)
		if _, err := os.Stat(p); err != nil {
			t.Logf("%s: %v", p, err)
			continue
		}
		found, ev := specHits(t, set, p)
		var got []string
		for id := range found {
			got = append(got, id)
			if c := Confidence(ev[id]); c == model.ConfidenceLow {
				t.Errorf("%s: %s found with low confidence: %v", p, id, found[id])
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: found %v, want %v\n%v", p, got, want, found)
		}
	}
}

// specHits matches every name an app spec declares, as the static pass would see it.
func specHits(t *testing.T, set *Set, path string) (map[string][]string, map[string][]model.Evidence) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spec appSpec
	if err := yaml.Unmarshal(data, &spec); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	m := set.Matcher()
	found := map[string][]string{}
	ev := map[string][]model.Evidence{}
	check := func(kind, value string) {
		for _, h := range m.Match(kind, value) {
			found[h.ID] = append(found[h.ID], kind+" "+value+" ~ "+h.Pattern)
			ev[h.ID] = append(ev[h.ID], model.Evidence{Kind: h.Kind, Value: value, Pattern: h.Pattern})
		}
	}
	code := func(c specCode) {
		for _, cl := range c.Classes {
			check(model.EvidenceClass, cl.Name)
		}
		for _, s := range c.Symbols {
			check(model.EvidenceSymbol, "_"+s.Name)
		}
		for _, s := range c.Strings {
			check(model.EvidenceString, s)
		}
	}
	var app func(a appSpec)
	app = func(a appSpec) {
		for k := range a.InfoPlist {
			check(model.EvidencePlistKey, k)
		}
		for _, s := range a.URLSchemes {
			check(model.EvidenceURLScheme, s)
		}
		code(a.specCode)
		for _, st := range a.Static {
			code(st)
		}
		for _, fw := range a.Frameworks {
			check(model.EvidenceFramework, fw.Name)
			check(model.EvidenceDylib, "@rpath/"+fw.Name+".framework/"+fw.Name)
			if fw.BundleID != "" {
				check(model.EvidenceBundleID, fw.BundleID)
			}
			code(fw.specCode)
			for _, st := range fw.Static {
				code(st)
			}
		}
		for _, rb := range a.ResourceBundles {
			check(model.EvidenceFramework, rb.Name+".bundle")
			if rb.BundleID != "" {
				check(model.EvidenceBundleID, rb.BundleID)
			}
		}
		for _, x := range a.Extensions {
			app(x)
		}
	}
	app(spec)
	return found, ev
}

// named is a spec entry written as a name or as {name: ...}.
type named struct{ Name string }

func (n *named) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode {
		return v.Decode(&n.Name)
	}
	var m struct {
		Name string `yaml:"name"`
	}
	err := v.Decode(&m)
	n.Name = m.Name
	return err
}

type specCode struct {
	Classes []named    `yaml:"classes"`
	Symbols []named    `yaml:"symbols"`
	Strings []string   `yaml:"strings"`
	Static  []specCode `yaml:"static"`
}

type appSpec struct {
	InfoPlist  map[string]any `yaml:"infoPlist"`
	URLSchemes []string       `yaml:"urlSchemes"`
	specCode   `yaml:",inline"`
	Frameworks []struct {
		Name     string `yaml:"name"`
		BundleID string `yaml:"bundleId"`
		specCode `yaml:",inline"`
	} `yaml:"frameworks"`
	ResourceBundles []struct {
		Name     string `yaml:"name"`
		BundleID string `yaml:"bundleId"`
	} `yaml:"resourceBundles"`
	Extensions []appSpec `yaml:"extensions"`
}
