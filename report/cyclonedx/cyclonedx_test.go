package cyclonedx

import (
	"bytes"
	"encoding/json"
	"github.com/sdkflow/sdkflow/internal/golden"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/internal/schemacheck"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
	"github.com/sdkflow/sdkflow/schema"
)

const (
	zoomIPA = "samples/zoomlike/zoomlike.ipa"
	app     = "Payload/Zoomlike.app"
	fbCore  = app + "/Frameworks/FBSDKCoreKit.framework"
	fbLogin = app + "/Frameworks/FBSDKLoginKit.framework"
)

// zoomlike is the 2020 case: the Facebook SDK built by CocoaPods (so its pod is known) and a
// prebuilt Facebook Login (so it is not), plus a crash reporter linked into the main binary.
func zoomlike() *model.Report {
	r := &model.Report{
		Tool: model.Tool{Name: "sdkflow", Version: "1.2.3", Signatures: model.SignatureInfo{
			Version: "2025.11", Count: 120, Digest: "9f2c0d6b1e7a4c3f8e5d2a1b0c9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7"}},
		Inputs: []model.Input{{Path: zoomIPA, Kind: "ipa", Size: 4_812_300,
			SHA256: "5e1f0c3a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f"}},
		Apps: []model.App{{
			Path: zoomIPA, Kind: "ipa", BundleID: "us.zoomlike.videomeetings", Name: "Zoomlike", Version: "5.0.1", Build: "5.0.1.21", MinOS: "12.0",
			Bundles: []model.Bundle{
				{Path: app, Kind: model.BundleApp, BundleID: "us.zoomlike.videomeetings"},
				{Path: fbCore, Kind: model.BundleFramework, BundleID: "org.cocoapods.FBSDKCoreKit", Parent: app},
				{Path: fbLogin, Kind: model.BundleFramework, BundleID: "com.facebook.sdk.FBSDKLoginKit", Parent: app},
			},
			Binaries: []model.Binary{
				{Path: app + "/Zoomlike", Bundle: app, Type: "execute", Archs: []string{"arm64"},
					SHA256: "1111111111111111111111111111111111111111111111111111111111111111"},
				{Path: fbCore + "/FBSDKCoreKit", Bundle: fbCore, Type: "dylib", Archs: []string{"arm64"},
					SHA256: "2222222222222222222222222222222222222222222222222222222222222222"},
				{Path: fbLogin + "/FBSDKLoginKit", Bundle: fbLogin, Type: "dylib", Archs: []string{"arm64"},
					SHA256: "3333333333333333333333333333333333333333333333333333333333333333"},
			},
			SDKs: []model.SDK{
				{ID: "facebook-core", Name: "Facebook SDK Core (FBSDKCoreKit)", Vendor: "Meta", Category: "analytics", Tracker: true,
					AppleListed: true, Version: "5.15.1", Confidence: model.ConfidenceHigh,
					Binaries: []string{fbCore + "/FBSDKCoreKit"}, Bundles: []string{fbCore},
					Evidence: []model.Evidence{
						{Kind: model.EvidenceBundleID, Path: fbCore + "/Info.plist", Value: "org.cocoapods.FBSDKCoreKit", Pattern: "org.cocoapods.FBSDKCoreKit"},
						{Kind: model.EvidenceClass, Path: fbCore + "/FBSDKCoreKit", Value: "FBSDKAppEvents", Pattern: "FBSDKAppEvents*"},
						{Kind: model.EvidenceFramework, Path: fbCore, Value: "FBSDKCoreKit", Pattern: "FBSDKCoreKit"},
						{Kind: model.EvidencePlistKey, Path: app + "/Info.plist", Value: "FacebookAppID", Pattern: "FacebookAppID"},
						{Kind: model.EvidenceSymbol, Path: fbCore + "/FBSDKCoreKit", Value: "_FBSDKCoreKitVersionString", Pattern: "_FBSDKCoreKitVersionString", Detail: "exported"},
					}},
				{ID: "facebook-login", Name: "Facebook Login (FBSDKLoginKit)", Vendor: "Meta", Category: "authentication", Tracker: true,
					AppleListed: true, Version: "5.15.1", Confidence: model.ConfidenceHigh,
					Binaries: []string{fbLogin + "/FBSDKLoginKit"}, Bundles: []string{fbLogin},
					Evidence: []model.Evidence{
						{Kind: model.EvidenceBundleID, Path: fbLogin + "/Info.plist", Value: "com.facebook.sdk.FBSDKLoginKit", Pattern: "com.facebook.sdk.FBSDKLoginKit"},
						{Kind: model.EvidenceFramework, Path: fbLogin, Value: "FBSDKLoginKit", Pattern: "FBSDKLoginKit"},
					}},
				{ID: "sentry", Name: "Sentry", Vendor: "Functional Software", Category: "crash-reporting", Tracker: false,
					Confidence: model.ConfidenceMedium, Binaries: []string{app + "/Zoomlike"},
					Evidence: []model.Evidence{
						{Kind: model.EvidenceClass, Path: app + "/Zoomlike", Value: "SentrySDK", Pattern: "Sentry*"},
					}},
			},
		}},
	}
	report.Finalize(r)
	return r
}

func encodeBOM(t *testing.T, r *model.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (Encoder{}).Encode(&buf, r, report.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func validate(t *testing.T, doc []byte) {
	t.Helper()
	s, err := schemacheck.Compile(schema.CycloneDX, schema.CycloneDXRefs())
	if err != nil {
		t.Fatalf("compiling the CycloneDX schema: %v", err)
	}
	if err := schemacheck.Validate(s, doc); err != nil {
		t.Fatalf("the SBOM does not validate against CycloneDX 1.6: %v\n%s", err, doc)
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

func TestGoldenAndSchema(t *testing.T) {
	out := encodeBOM(t, zoomlike())
	validate(t, out)
	checkGolden(t, "zoomlike.cdx.json", out)
	if !bytes.Equal(out, encodeBOM(t, zoomlike())) {
		t.Error("two encodings of the same report differ")
	}
}

func TestContent(t *testing.T) {
	var bom struct {
		SpecVersion  string `json:"specVersion"`
		SerialNumber string `json:"serialNumber"`
		Metadata     struct {
			Timestamp string `json:"timestamp"`
			Component struct {
				BOMRef string `json:"bom-ref"`
				Type   string `json:"type"`
				Hashes []struct{ Alg, Content string }
			} `json:"component"`
			Tools struct {
				Components []struct{ Name, Version string } `json:"components"`
			} `json:"tools"`
		} `json:"metadata"`
		Components []struct {
			BOMRef   string `json:"bom-ref"`
			Name     string `json:"name"`
			Purl     string `json:"purl"`
			Supplier struct{ Name string }
			Hashes   []struct{ Content string }
		} `json:"components"`
		Dependencies []struct {
			Ref       string   `json:"ref"`
			DependsOn []string `json:"dependsOn"`
		} `json:"dependencies"`
	}
	if err := json.Unmarshal(encodeBOM(t, zoomlike()), &bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != "1.6" || bom.SerialNumber != "" || bom.Metadata.Timestamp != "" {
		t.Errorf("spec %q serial %q timestamp %q: want 1.6 and no clock-derived fields", bom.SpecVersion, bom.SerialNumber, bom.Metadata.Timestamp)
	}
	mc := bom.Metadata.Component
	if mc.BOMRef != "app:us.zoomlike.videomeetings@5.0.1" || mc.Type != "application" || len(mc.Hashes) != 1 ||
		mc.Hashes[0].Content != zoomlike().Inputs[0].SHA256 {
		t.Errorf("metadata component %+v", mc)
	}
	if tc := bom.Metadata.Tools.Components; len(tc) != 1 || tc[0].Name != "sdkflow" || tc[0].Version != "1.2.3" {
		t.Errorf("tools %+v", tc)
	}
	purls := map[string]string{}
	for _, c := range bom.Components {
		purls[c.BOMRef] = c.Purl
	}
	want := map[string]string{
		mc.BOMRef + "/sdk:facebook-core":  "pkg:cocoapods/FBSDKCoreKit@5.15.1", // built by CocoaPods
		mc.BOMRef + "/sdk:facebook-login": "",                                  // a vendor's prebuilt framework
		mc.BOMRef + "/sdk:sentry":         "",                                  // linked into the app
	}
	for ref, p := range want {
		if got, ok := purls[ref]; !ok || got != p {
			t.Errorf("%s: purl %q (present %v), want %q", ref, got, ok, p)
		}
	}
	if len(bom.Components) > 0 && len(bom.Components[0].Hashes) != 1 {
		t.Errorf("facebook-core has its own framework binary, so a hash: %+v", bom.Components[0])
	}
	if len(bom.Dependencies) != 1 || bom.Dependencies[0].Ref != mc.BOMRef || len(bom.Dependencies[0].DependsOn) != 3 {
		t.Errorf("dependencies %+v", bom.Dependencies)
	}
}

func TestSerialAndTimestampOnlyWithGenerationTime(t *testing.T) {
	r := zoomlike()
	r.GeneratedAt = time.Date(2020, 3, 30, 12, 0, 0, 0, time.UTC)
	a, b := encodeBOM(t, r), encodeBOM(t, r)
	validate(t, a)
	if !bytes.Equal(a, b) {
		t.Fatal("the serial is not derived from the report")
	}
	if !bytes.Contains(a, []byte(`"serialNumber": "urn:uuid:`)) || !bytes.Contains(a, []byte(`"timestamp": "2020-03-30T12:00:00Z"`)) {
		t.Errorf("no serial or timestamp:\n%s", a)
	}
	r.GeneratedAt = r.GeneratedAt.Add(time.Second)
	c := encodeBOM(t, r)
	serial := func(doc []byte) string {
		var v struct{ SerialNumber string }
		_ = json.Unmarshal(doc, &v)
		return v.SerialNumber
	}
	if serial(a) == serial(c) {
		t.Error("two generations share a serial number")
	}
}

func TestSeveralAppsAndNone(t *testing.T) {
	r := zoomlike()
	second := r.Apps[0]
	second.Path = "other/Zoomlike-5.0.2.ipa"
	second.Version = ""
	r.Apps = append(r.Apps, second, second) // the same bundle id twice: refs must still be unique
	out := encodeBOM(t, r)
	validate(t, out)
	for _, ref := range []string{`"app:us.zoomlike.videomeetings"`, `"app:us.zoomlike.videomeetings#2"`, `"app:us.zoomlike.videomeetings#2/sdk:sentry"`} {
		if !bytes.Contains(out, []byte(ref)) {
			t.Errorf("no %s in\n%s", ref, out)
		}
	}
	traffic := &model.Report{Tool: model.Tool{Name: "sdkflow", Version: "1.2.3"},
		Sessions: []model.Session{{Name: "s", Flows: []model.Flow{{Index: 0, URL: "https://graph.facebook.com/"}}}}}
	report.Finalize(traffic)
	validate(t, encodeBOM(t, traffic))
}

func TestHostileValuesStayValid(t *testing.T) {
	r := zoomlike()
	s := &r.Apps[0].SDKs[0]
	s.Name = "<script>alert(1)</script>\u202e\x00" + strings.Repeat("x", 5000)
	s.Version = "1.0 beta/../#?@"
	s.ID = ""
	s.Evidence = append(s.Evidence, model.Evidence{Kind: "class", Path: "\xff\xfe bad utf-8", Value: strings.Repeat("v", 10000)})
	r.Apps[0].Bundles[1].Path = app + "/Frameworks/we ird/#?.framework"
	s.Bundles = []string{r.Apps[0].Bundles[1].Path}
	r.Inputs[0].SHA256 = "not hex"
	r.Apps[0].BundleID = ""
	out := encodeBOM(t, r)
	validate(t, out)
	if bytes.Contains(out, []byte("<script>")) {
		t.Error("HTML-significant characters are not escaped in the JSON")
	}
	if !bytes.Contains(out, []byte(`"purl": "pkg:cocoapods/we%20ird%2F%23%3F@1.0%20beta%2F..%2F%23%3F%40"`)) &&
		!bytes.Contains(out, []byte(`pkg:cocoapods/%23%3F@1.0%20beta%2F..%2F%23%3F%40`)) {
		t.Errorf("purl not percent-encoded:\n%s", out)
	}
}

func TestPodOfModule(t *testing.T) {
	mk := func(framework, bundleID string) (*model.App, *model.SDK) {
		p := app + "/Frameworks/" + framework + ".framework"
		a := &model.App{Bundles: []model.Bundle{{Path: p, Kind: model.BundleFramework, BundleID: bundleID}}}
		return a, &model.SDK{Version: "2.4.0", Bundles: []string{p}}
	}
	for _, c := range []struct{ framework, bundleID, want string }{
		{"FBLPromises", "org.cocoapods.FBLPromises", "pkg:cocoapods/PromisesObjC@2.4.0"},
		{"Alamofire", "org.cocoapods.Alamofire", "pkg:cocoapods/Alamofire@2.4.0"},
		{"Reachability", "org.cocoapods.Reachability", ""},
		{"Alamofire", "com.vendor.Alamofire", ""},
		{"FBSDKCoreKit_Basics", "org.cocoapods.FBSDKCoreKit-Basics", "pkg:cocoapods/FBSDKCoreKit_Basics@2.4.0"},
	} {
		a, s := mk(c.framework, c.bundleID)
		if got := podPURL(a, s); got != c.want {
			t.Errorf("%s (%s): %q, want %q", c.framework, c.bundleID, got, c.want)
		}
	}
}
