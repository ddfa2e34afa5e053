package signatures_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdkflow/sdkflow/analyzer"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/signatures"
)

// TestFixturesScan runs the static pass over every signature's positive fixture app: each must
// yield its own SDK at medium confidence or better, and no other SDK.
func TestFixturesScan(t *testing.T) {
	set, err := signatures.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range set.All() {
		ipa := filepath.Join("testdata", "fixtures", sig.ID+".ipa")
		if _, err := os.Stat(ipa); err != nil {
			t.Errorf("%s: no built fixture (go run ./samples/build %s): %v", sig.ID, filepath.Join("signatures", "testdata", "fixtures", sig.ID+".yaml"), err)
			continue
		}
		apps, _, errs := analyzer.Scan(context.Background(), []string{ipa}, analyzer.Options{Signatures: set, Workers: 1})
		if len(errs) > 0 || len(apps) != 1 {
			t.Errorf("%s: scan: %v", ipa, errs)
			continue
		}
		app := apps[0]
		for _, e := range app.Errors {
			t.Errorf("%s: %s", ipa, e.Error())
		}
		found := false
		for _, sdk := range app.SDKs {
			if sdk.ID != sig.ID {
				t.Errorf("%s: also found %s (%s): %+v", ipa, sdk.ID, sdk.Confidence, sdk.Evidence)
				continue
			}
			found = true
			if sdk.Confidence == model.ConfidenceLow {
				t.Errorf("%s: %s found with low confidence: %+v", ipa, sig.ID, sdk.Evidence)
			}
		}
		if !found {
			t.Errorf("%s: %s not found", ipa, sig.ID)
		}
	}
}

// TestCleanSampleHasNoTracker scans the clean sample app: no signature may fire on it.
func TestCleanSampleHasNoTracker(t *testing.T) {
	set, err := signatures.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	ipa := filepath.Join("..", "samples", "cleanapp", "cleanapp.ipa")
	if _, err := os.Stat(ipa); err != nil {
		t.Skipf("no clean sample app: %v", err)
	}
	apps, _, errs := analyzer.Scan(context.Background(), []string{ipa}, analyzer.Options{Signatures: set, Workers: 1})
	if len(errs) > 0 || len(apps) != 1 {
		t.Fatalf("scan: %v", errs)
	}
	for _, sdk := range apps[0].SDKs {
		t.Errorf("clean app: found %s (%s): %+v", sdk.ID, sdk.Confidence, sdk.Evidence)
	}
}
