package signatures

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

// testSet builds a set from inline YAML documents, one per signature.
func testSet(t testing.TB, docs ...string) *Set {
	t.Helper()
	var sigs []*Signature
	for _, d := range docs {
		id := ""
		for _, line := range strings.Split(d, "\n") {
			if v, ok := strings.CutPrefix(line, "id: "); ok {
				id = strings.TrimSpace(v)
			}
		}
		sig, errs := ParseFile(id+".yaml", []byte(d))
		if len(errs) > 0 {
			t.Fatalf("test signature %s: %v", id, errs)
		}
		sigs = append(sigs, sig)
	}
	return newSet("test", sigs, nil)
}

const sigHeader = "name: T\nvendor: V\ncategory: analytics\ntracker: true\nwebsite: https://example.com\nreferences: [r]\n"

var matcherDocs = []string{
	"id: exact\n" + sigHeader + "match:\n  classes: [Branch]\n  frameworks: [Branch]\n",
	"id: prefix\n" + sigHeader + "match:\n  classes: [\"FBSDK*\"]\n  swiftModules: [FirebaseCore]\n",
	"id: suffix\n" + sigHeader + "match:\n  classes: [\"*AdapterKit\"]\n",
	"id: contains\n" + sigHeader + "match:\n  classes: [\"*Vungle*\"]\n  strings: [\"*sentry.cocoa*\"]\n",
	"id: regex\n" + sigHeader + "match:\n  classes: [\"re:^Singular(Config|Link)$\"]\n  urlSchemes: [\"re:^fb[0-9]+$\"]\n",
	"id: versioned\n" + sigHeader + "match:\n  strings: [\"*PROJECT:Kit-{version}*\"]\n  frameworks: [\"re:^libFlurry_(?P<version>[0-9.]+)$\"]\n",
	"id: bundles\n" + sigHeader + "match:\n  bundleIds: [com.example.SDK, \"org.cocoapods.Foo*\"]\n  plistKeys: [ExampleAppID]\n",
	"id: symbols\n" + sigHeader + "match:\n  symbols: [\"__ZN4absl*\", _pb_encode]\n  dylibs: [\"*/libtracker.dylib\"]\n",
	"id: hosts\n" + sigHeader + "match:\n  classes: [HostKit]\n" +
		"network:\n" +
		"  - hostSuffix: facebook.com\n    purpose: any facebook\n" +
		"  - host: graph.facebook.com\n    purpose: graph\n" +
		"  - host: graph.facebook.com\n    paths: [\"/v*/*/activities\"]\n    purpose: events\n" +
		"  - hostPattern: \"safetrack*.singular.net\"\n    purpose: singular\n" +
		"  - hostSuffix: api.facebook.com\n    purpose: longer suffix\n" +
		"  - hostSuffix: example.org\n    paths: [\"/a/**\"]\n    purpose: deep path\n",
}

func TestMatch(t *testing.T) {
	m := testSet(t, matcherDocs...).Matcher()
	type hit struct{ id, kind, pattern, version string }
	cases := []struct {
		kind, value string
		want        []hit
	}{
		{model.EvidenceClass, "Branch", []hit{{"exact", "class", "Branch", ""}}},
		{model.EvidenceClass, "BranchView", nil},
		{model.EvidenceClass, "MyBranch", nil},
		{model.EvidenceClass, "FBSDKLoginManager", []hit{{"prefix", "class", "FBSDK*", ""}}},
		{model.EvidenceClass, "XFBSDKLoginManager", nil},
		{model.EvidenceClass, "FBSD", nil},
		{model.EvidenceClass, "MoPubAdapterKit", []hit{{"suffix", "class", "*AdapterKit", ""}}},
		{model.EvidenceClass, "AdapterKitX", nil},
		{model.EvidenceClass, "LiftoffVungleAdPlayer", []hit{{"contains", "class", "*Vungle*", ""}}},
		{model.EvidenceClass, "SingularConfig", []hit{{"regex", "class", "re:^Singular(Config|Link)$", ""}}},
		{model.EvidenceClass, "SingularConfigX", nil},
		// Swift: the module of a mangled ObjC-visible class name, and of Swift symbols.
		{model.EvidenceClass, "_TtC12FirebaseCore16FirebaseAppSwift", []hit{{"prefix", "swift-module", "FirebaseCore", ""}}},
		{model.EvidenceClass, "_TtCC12FirebaseCore5Outer5Inner", []hit{{"prefix", "swift-module", "FirebaseCore", ""}}},
		{model.EvidenceClass, "_TtC16FirebaseCoreXYZ3App", nil},
		{model.EvidenceSwiftModule, "FirebaseCore", []hit{{"prefix", "swift-module", "FirebaseCore", ""}}},
		{model.EvidenceSwiftModule, "FirebaseCore.FirebaseApp", []hit{{"prefix", "swift-module", "FirebaseCore", ""}}},
		{model.EvidenceSwiftModule, "$s12FirebaseCore11FirebaseAppCMn", []hit{{"prefix", "swift-module", "FirebaseCore", ""}}},
		{model.EvidenceSymbol, "_$s12FirebaseCore11FirebaseAppCN", []hit{{"prefix", "swift-module", "FirebaseCore", ""}}},
		{model.EvidenceClass, "_TtCs12_SwiftObject", nil},
		// Symbols that name classes match class patterns.
		{model.EvidenceSymbol, "_OBJC_CLASS_$_Branch", []hit{{"exact", "class", "Branch", ""}}},
		{model.EvidenceSymbol, "_OBJC_METACLASS_$_FBSDKSettings", []hit{{"prefix", "class", "FBSDK*", ""}}},
		{model.EvidenceSymbol, "__ZN4absl12lts_202401164base_internal8SpinLock4LockEv", []hit{{"symbols", "symbol", "__ZN4absl*", ""}}},
		{model.EvidenceSymbol, "_pb_encode", []hit{{"symbols", "symbol", "_pb_encode", ""}}},
		{model.EvidenceSymbol, "_pb_encode_tag", nil},
		// Versions.
		{model.EvidenceString, "@(#)PROGRAM:Kit  PROJECT:Kit-17.0.1\n", []hit{{"versioned", "string", "*PROJECT:Kit-{version}*", "17.0.1"}}},
		{model.EvidenceString, "PROJECT:Kit-", nil},
		{model.EvidenceFramework, "Payload/A.app/Frameworks/libFlurry_9.3.1.a", []hit{{"versioned", "framework", "re:^libFlurry_(?P<version>[0-9.]+)$", "9.3.1"}}},
		{model.EvidenceString, "https://o1.ingest.sentry.io sentry.cocoa", []hit{{"contains", "string", "*sentry.cocoa*", ""}}},
		// Frameworks: folder, binary path, xcframework, and through a dylib install name.
		{model.EvidenceFramework, "Payload/A.app/Frameworks/Branch.framework", []hit{{"exact", "framework", "Branch", ""}}},
		{model.EvidenceFramework, "Payload/A.app/Frameworks/Branch.framework/Branch", []hit{{"exact", "framework", "Branch", ""}}},
		{model.EvidenceFramework, "Branch.xcframework", []hit{{"exact", "framework", "Branch", ""}}},
		{model.EvidenceFramework, "BranchSDK.framework", nil},
		{model.EvidenceDylib, "@rpath/Branch.framework/Branch", []hit{{"exact", "dylib", "Branch", ""}}},
		{model.EvidenceDylib, "@rpath/libtracker.dylib", []hit{{"symbols", "dylib", "*/libtracker.dylib", ""}}},
		// Case-insensitive kinds.
		{model.EvidenceBundleID, "COM.EXAMPLE.sdk", []hit{{"bundles", "bundle-id", "com.example.SDK", ""}}},
		{model.EvidenceBundleID, "org.cocoapods.FooBar", []hit{{"bundles", "bundle-id", "org.cocoapods.Foo*", ""}}},
		// CocoaPods privacy resource bundles belong to their pod.
		{model.EvidenceBundleID, "com.example.SDK-Privacy", []hit{{"bundles", "bundle-id", "com.example.SDK", ""}}},
		{model.EvidenceBundleID, "-Privacy", nil},
		{model.EvidenceFramework, "Payload/A.app/Branch_Privacy.bundle", []hit{{"exact", "framework", "Branch", ""}}},
		{model.EvidenceFramework, "_Privacy", nil},
		{model.EvidenceURLScheme, "FB1234567", []hit{{"regex", "url-scheme", "re:^fb[0-9]+$", ""}}},
		{model.EvidenceURLScheme, "fbx", nil},
		{model.EvidencePlistKey, "ExampleAppID", []hit{{"bundles", "plist-key", "ExampleAppID", ""}}},
		{model.EvidencePlistKey, "exampleappid", nil},
		{"no-such-kind", "Branch", nil},
		{model.EvidenceClass, "", nil},
	}
	for _, c := range cases {
		got := m.Match(c.kind, c.value)
		var g []hit
		for _, h := range got {
			g = append(g, hit{h.ID, h.Kind, h.Pattern, h.Version})
			if h.Weak != (h.Kind == model.EvidenceString) {
				t.Errorf("Match(%s, %q): hit %+v: Weak should be set for strings only", c.kind, c.value, h)
			}
		}
		if !reflect.DeepEqual(g, c.want) {
			t.Errorf("Match(%s, %q) = %+v, want %+v", c.kind, c.value, g, c.want)
		}
	}
}

func TestMatchHost(t *testing.T) {
	m := testSet(t, matcherDocs...).Matcher()
	cases := []struct {
		host, path, pattern string // pattern "" = no match
	}{
		{"graph.facebook.com", "/v17.0/1234/activities", "graph.facebook.com/v*/*/activities"},
		{"graph.facebook.com", "/v17.0/1234/activities?format=json", "graph.facebook.com/v*/*/activities"},
		{"GRAPH.facebook.com.", "/v17.0/me", "graph.facebook.com"},
		{"graph.facebook.com:443", "", "graph.facebook.com"},
		{"ep2.facebook.com", "/", ".facebook.com"},
		{"facebook.com", "/", ".facebook.com"},
		{"x.api.facebook.com", "/", ".api.facebook.com"},
		{"notfacebook.com", "/", ""},
		{"facebook.com.evil.net", "/", ""},
		{"facebook.co", "/", ""},
		{"safetrack12.singular.net", "/api", "safetrack*.singular.net"},
		{"safetrack.singular.net", "/", "safetrack*.singular.net"},
		{"api.singular.net", "/", ""},
		{"a.safetrack1.singular.net", "/", ""},
		{"example.org", "/a/b/c", ".example.org/a/**"},
		{"example.org", "/b", ""},
		{"", "/", ""},
		{strings.Repeat("a.", 200) + "facebook.com", "/", ""},
	}
	for _, c := range cases {
		h, ok := m.MatchHost(c.host, c.path)
		if ok != (c.pattern != "") || h.Pattern != c.pattern {
			t.Errorf("MatchHost(%q, %q) = %+v, %v; want pattern %q", c.host, c.path, h, ok, c.pattern)
		}
		if ok && (h.ID != "hosts" || h.Purpose == "") {
			t.Errorf("MatchHost(%q, %q) = %+v: want id hosts and a purpose", c.host, c.path, h)
		}
	}
}

func TestMatchHostEmbedded(t *testing.T) {
	set, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	m := set.Matcher()
	cases := []struct{ host, path, id string }{
		{"graph.facebook.com", "/v17.0/1234567890/activities", "facebook-core"},
		{"ep1.facebook.com", "/v17.0/1234567890/activities", "facebook-core"},
		{"app-measurement.com", "/a", "firebase-analytics"},
		{"region1.app-measurement.com", "/a", "firebase-analytics"},
		{"firebaseinstallations.googleapis.com", "/v1/projects/p/installations", "firebase-installations"},
		{"firebaselogging-pa.googleapis.com", "/v1/firelog/legacy/batchlog", "google-data-transport"},
		{"crashlyticsreports-pa.googleapis.com", "/v1/firelog/legacy/batchlog", "firebase-crashlytics"},
		{"api.branch.io", "/v1/open", "branch"},
		{"safetrack7.singular.net", "/api/v1/start", "singular"},
		{"launches.appsflyer.com", "/api/v6.9/iosevent", "appsflyer"},
		{"notfacebook.com", "/", ""},
		{"facebook.com.evil.net", "/", ""},
		{"googleapis.com", "/", ""},
	}
	for _, c := range cases {
		h, ok := m.MatchHost(c.host, c.path)
		if h.ID != c.id || ok != (c.id != "") {
			t.Errorf("MatchHost(%q, %q) = %+v, %v; want %q", c.host, c.path, h, ok, c.id)
		}
	}
}

var (
	bruteMu       sync.Mutex
	brutePatterns = map[string]*pattern{}
)

// bruteForce is the specification of Match for plain kinds: every pattern tested directly.
func bruteForce(set *Set, kind, value string) []Hit {
	var out []Hit
	for _, s := range set.sigs {
		for _, f := range s.Match.fields() {
			if f.kind != kind {
				continue
			}
			for _, raw := range f.list {
				key := kind + "\x00" + raw
				bruteMu.Lock()
				p, ok := brutePatterns[key]
				if !ok {
					p, _ = compilePattern(raw, foldKind(kind))
					brutePatterns[key] = p
				}
				bruteMu.Unlock()
				if p == nil {
					continue
				}
				v := value
				if foldKind(kind) {
					v = strings.ToLower(v)
				}
				if ok, ver := p.match(v); ok {
					out = append(out, Hit{ID: s.ID, Kind: kind, Pattern: raw, Version: ver, Weak: kind == model.EvidenceString})
				}
			}
		}
	}
	return sortHits(out)
}

// TestMatchAgreesWithBruteForce checks the automaton against testing every pattern, on names
// built from the literals themselves (where overlaps and repeats are likeliest) and noise.
func TestMatchAgreesWithBruteForce(t *testing.T) {
	set, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var lits []string
	for _, s := range set.sigs {
		for _, c := range s.Match.Classes {
			lits = append(lits, strings.Trim(strings.TrimPrefix(c, "re:"), "*^$"))
		}
	}
	m := set.Matcher()
	rng := rand.New(rand.NewSource(1))
	noise := []string{"", "X", "View", "Manager", "_", "Kit", "Ad", "FB", "SDK"}
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for k := 0; k < 1+rng.Intn(3); k++ {
			if rng.Intn(2) == 0 {
				b.WriteString(lits[rng.Intn(len(lits))])
			} else {
				b.WriteString(noise[rng.Intn(len(noise))])
			}
		}
		v := b.String()
		got := m.Match(model.EvidenceClass, v)
		want := bruteForce(set, model.EvidenceClass, v)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Match(class, %q) = %+v, brute force %+v", v, got, want)
		}
	}
}

func TestMatcherConcurrent(t *testing.T) {
	set := testSet(t, matcherDocs...)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := set.Matcher()
			for i := 0; i < 2000; i++ {
				if h := m.Match(model.EvidenceClass, fmt.Sprintf("FBSDKThing%d", i)); len(h) != 1 {
					t.Errorf("concurrent Match: %+v", h)
					return
				}
				if _, ok := m.MatchHost("graph.facebook.com", "/"); !ok {
					t.Error("concurrent MatchHost failed")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestSwiftModule(t *testing.T) {
	cases := []struct {
		in    string
		plain bool
		want  string
	}{
		{"_TtC12FirebaseCore16FirebaseAppSwift", false, "FirebaseCore"},
		{"_TtGC7RxSwift9PublishSS_", false, "RxSwift"},
		{"_TtP10Foundation8Protocol_", false, "Foundation"},
		{"$s9Alamofire7SessionCN", false, "Alamofire"},
		{"_$S9Alamofire7SessionCN", false, "Alamofire"},
		{"_T09Alamofire7SessionC", false, "Alamofire"},
		{"_TtCs12_SwiftObject", false, ""},
		{"_TtC0", false, ""},
		{"_TtC99Short", false, ""},
		{"_TtC3123Bad", false, ""},
		{"Alamofire.Session", false, ""},
		{"Alamofire.Session", true, "Alamofire"},
		{"Alamofire", true, "Alamofire"},
		{"Swift.Array", true, ""},
		{"", true, ""},
	}
	for _, c := range cases {
		got, ok := swiftModule(c.in, c.plain)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("swiftModule(%q, %v) = %q, %v; want %q", c.in, c.plain, got, ok, c.want)
		}
	}
}

func TestPatternErrors(t *testing.T) {
	bad := []string{"", "*", "**", "Ab*", "*Ab", "A*B", "re:(", "re:.*", "re:(?i)abc", "re:a|b", "X{version}", "A{version}{version}", "Name{x}", strings.Repeat("a", 600)}
	for _, p := range bad {
		if _, err := compilePattern(p, false); err == nil {
			t.Errorf("compilePattern(%q) accepted", p)
		}
	}
	good := []string{"A", "Abc*", "*Abc", "*Abc*", "re:^ab", "re:^Singular(Config)?$", "Kit-{version}", "re:^x(?P<version>[0-9]+)yz$"}
	for _, p := range good {
		if _, err := compilePattern(p, false); err != nil {
			t.Errorf("compilePattern(%q): %v", p, err)
		}
	}
}

func TestSortHitsDedup(t *testing.T) {
	in := []Hit{{ID: "b", Kind: "class", Pattern: "X"}, {ID: "a", Kind: "class", Pattern: "Y"}, {ID: "b", Kind: "class", Pattern: "X"}}
	got := sortHits(in)
	if len(got) != 2 || got[0].ID != "a" {
		t.Errorf("sortHits = %+v", got)
	}
	ids := []string{got[0].ID, got[1].ID}
	if !sort.StringsAreSorted(ids) {
		t.Errorf("not sorted: %v", ids)
	}
}
