package signatures

import (
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

func TestConfidence(t *testing.T) {
	ev := func(kinds ...string) []model.Evidence {
		var out []model.Evidence
		for i, k := range kinds {
			out = append(out, model.Evidence{Kind: k, Value: string(rune('A' + i))})
		}
		return out
	}
	cases := []struct {
		name string
		ev   []model.Evidence
		want string
	}{
		{"nothing", nil, model.ConfidenceLow},
		{"one string", ev(model.EvidenceString), model.ConfidenceLow},
		{"many strings", ev(model.EvidenceString, model.EvidenceString, model.EvidenceString, model.EvidenceString), model.ConfidenceLow},
		{"a manifest only", ev(model.EvidenceManifest), model.ConfidenceLow},
		{"framework alone", ev(model.EvidenceFramework), model.ConfidenceMedium},
		{"one class", ev(model.EvidenceClass), model.ConfidenceMedium},
		{"plist key alone", ev(model.EvidencePlistKey), model.ConfidenceMedium},
		{"class and string", ev(model.EvidenceClass, model.EvidenceString), model.ConfidenceMedium},
		{"bundle id", ev(model.EvidenceBundleID), model.ConfidenceHigh},
		{"framework and class", ev(model.EvidenceFramework, model.EvidenceClass), model.ConfidenceHigh},
		{"dylib and swift module", ev(model.EvidenceDylib, model.EvidenceSwiftModule), model.ConfidenceHigh},
		{"static classes and plist key", ev(model.EvidenceClass, model.EvidencePlistKey), model.ConfidenceHigh},
		{"framework and url scheme", ev(model.EvidenceFramework, model.EvidenceURLScheme), model.ConfidenceHigh},
		{"three classes", ev(model.EvidenceClass, model.EvidenceClass, model.EvidenceSymbol), model.ConfidenceHigh},
	}
	for _, c := range cases {
		if got := Confidence(c.ev); got != c.want {
			t.Errorf("%s: Confidence = %s, want %s", c.name, got, c.want)
		}
	}
	// The same class seen as a name and as its _OBJC_CLASS_$_ symbol is one piece of code.
	same := []model.Evidence{
		{Kind: model.EvidenceClass, Value: "GADMobileAds"},
		{Kind: model.EvidenceSymbol, Value: "_OBJC_CLASS_$_GADMobileAds"},
		{Kind: model.EvidenceClass, Value: "GADMobileAds", Path: "other"},
	}
	if got := Confidence(same); got != model.ConfidenceMedium {
		t.Errorf("one class seen three ways: %s, want medium", got)
	}
}
