package signatures

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

// FuzzParseFile feeds arbitrary bytes to the loader: it must never panic, and whatever it
// accepts must compile into a matcher and survive matching.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(validDoc))
	f.Add([]byte(validDoc + "network:\n  - hostPattern: \"a*.b.com\"\n    paths: [\"/**\"]\n    purpose: p\n"))
	f.Add([]byte("id: x\n\tname: y\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("- - - - [[[[{{{{"))
	if data, err := embedded.ReadFile("facebook-core.yaml"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sig, errs := ParseFile("my-sdk.yaml", data)
		if sig == nil {
			if len(errs) == 0 {
				t.Fatal("rejected without an error")
			}
			for _, e := range errs {
				if !strings.HasPrefix(e.Error(), "my-sdk.yaml") {
					t.Fatalf("error does not name the file: %v", e)
				}
			}
			return
		}
		if len(errs) > 0 {
			t.Fatalf("accepted with errors: %v", errs)
		}
		m := newSet("fuzz", []*Signature{sig}, nil).Matcher()
		for _, kind := range []string{model.EvidenceClass, model.EvidenceSymbol, model.EvidenceFramework, model.EvidenceString, model.EvidenceURLScheme} {
			m.Match(kind, string(data))
		}
		m.MatchHost("a.b.com", "/x")
	})
}

// FuzzMatch checks the compiled matcher against testing every pattern directly, for any fact.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"FBSDKLoginManager", "_TtC12FirebaseCore16FirebaseAppSwift", "GAI", "Branch",
		"_OBJC_CLASS_$_GADMobileAds", "$s9Alamofire7SessionCN", "AppsFlyerLibAppsFlyer", ""} {
		f.Add(s)
	}
	set, err := Embedded()
	if err != nil {
		f.Fatal(err)
	}
	m := set.Matcher()
	f.Fuzz(func(t *testing.T, v string) {
		for _, kind := range []string{model.EvidenceClass, model.EvidenceString, model.EvidencePlistKey, model.EvidenceBundleID} {
			got := m.Match(kind, v)
			if len(v) > maxValueLen || kind == model.EvidenceClass {
				continue // class facts also yield Swift module hits; bounded values are cut
			}
			want := bruteForce(set, kind, v)
			if len(got) != len(want) {
				t.Fatalf("Match(%s, %q) = %+v, brute force %+v", kind, v, got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("Match(%s, %q) = %+v, brute force %+v", kind, v, got, want)
				}
			}
		}
		m.MatchHost(v, v)
		swiftModule(v, true)
	})
}

// FuzzPattern compiles arbitrary pattern text, as a user signature file may hold it.
func FuzzPattern(f *testing.F) {
	for _, s := range []string{"FBSDK*", "*Kit", "*Part*", "re:^Singular(Config|Link)$", "Kit-{version}", "re:(?P<version>[0-9]+)ab", "re:(", "a**b"} {
		f.Add(s, "FBSDKCoreKit-1.2.3")
	}
	f.Fuzz(func(t *testing.T, pat, value string) {
		for _, fold := range []bool{false, true} {
			p, err := compilePattern(pat, fold)
			if err != nil {
				continue
			}
			v := value
			if fold {
				v = strings.ToLower(v)
			}
			// The automaton only proposes patterns whose literal occurs in the value: a
			// pattern that matched without it would be missed.
			if ok, _ := p.match(v); ok && !strings.Contains(v, p.literal) {
				t.Fatalf("%q matched %q without its literal %q", pat, v, p.literal)
			}
		}
		if _, err := compilePathGlob(pat); err == nil {
			compileHostRule(&NetworkRule{HostPattern: pat, Purpose: "p"})
		}
	})
}

// FuzzImportExodus feeds arbitrary JSON to the Exodus importer: it must never panic, and
// every signature it returns must survive encoding and the loader's checks.
func FuzzImportExodus(f *testing.F) {
	if data, err := os.ReadFile("testdata/exodus-trackers.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"trackers": {"1": {"name": "A", "network_signature": "a\\.b\\.com|(x|y)z\\.c\\.org|.*\\.d\\.net", "code_signature": "com.a."}}}`))
	f.Add([]byte(`{"trackers": {"x": {"name": "", "network_signature": "\\"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := ImportExodus(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, s := range imp.Signatures {
			var buf bytes.Buffer
			if err := EncodeYAML(&buf, s); err != nil {
				t.Fatal(err)
			}
			if _, errs := ParseFile(s.ID+".yaml", buf.Bytes()); len(errs) > 0 {
				t.Fatalf("imported signature does not load: %v\n%s", errs, buf.String())
			}
		}
	})
}
