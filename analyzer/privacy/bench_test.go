package privacy

import (
	"fmt"
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

// bigFacts is a large binary: 50,000 imported symbols and 20,000 selectors, a few of them
// required-reason APIs, the rest names that share prefixes with them.
func bigFacts() *model.MachOFacts {
	sl := model.SliceFacts{Arch: "arm64"}
	for i := range 50_000 {
		sl.ImportedSymbols = append(sl.ImportedSymbols, fmt.Sprintf("_stat_helper_%d", i))
	}
	sl.ImportedSymbols = append(sl.ImportedSymbols, "_stat", "_mach_absolute_time", "_OBJC_CLASS_$_NSUserDefaults")
	for i := range 20_000 {
		sl.Selectors = append(sl.Selectors, fmt.Sprintf("systemUptime%d:", i))
	}
	sl.Selectors = append(sl.Selectors, "activeInputModes")
	return &model.MachOFacts{Slices: []model.SliceFacts{sl}}
}

// BenchmarkDetect and BenchmarkBaselineScan compare the detector with a bare pass over the same
// names (one map lookup each): the ratio of their ns/op is the detector's overhead, expected
// close to 1.
func BenchmarkDetect(b *testing.B) {
	f := bigFacts()
	b.ResetTimer()
	for range b.N {
		if d := Detect(f); len(d.Uses) != 4 {
			b.Fatalf("uses = %d", len(d.Uses))
		}
	}
}

func BenchmarkBaselineScan(b *testing.B) {
	f := bigFacts()
	set := map[string]bool{"_stat": true}
	b.ResetTimer()
	for range b.N {
		n := 0
		for _, s := range f.Slices[0].ImportedSymbols {
			if set[s] {
				n++
			}
		}
		for _, s := range f.Slices[0].Selectors {
			if set[s] {
				n++
			}
		}
		if n != 1 {
			b.Fatal(n)
		}
	}
}

// BenchmarkAnalyze is a large app: 300 frameworks, each with its manifest and 2,000 imports.
func BenchmarkAnalyze(b *testing.B) {
	app := &model.App{}
	app.Bundles = append(app.Bundles, model.Bundle{Path: "P/A.app", Kind: model.BundleApp, Executable: "P/A.app/A"})
	for i := range 300 {
		dir := fmt.Sprintf("P/A.app/Frameworks/F%d.framework", i)
		app.Bundles = append(app.Bundles, model.Bundle{Path: dir, Kind: model.BundleFramework, Parent: "P/A.app",
			Executable: dir + "/F", PrivacyManifest: dir + "/PrivacyInfo.xcprivacy"})
		sl := model.SliceFacts{Arch: "arm64", ImportedSymbols: []string{"_stat", "_OBJC_CLASS_$_NSUserDefaults"}}
		for j := range 2000 {
			sl.ImportedSymbols = append(sl.ImportedSymbols, fmt.Sprintf("_f%d", j))
		}
		app.Binaries = append(app.Binaries, model.Binary{Path: dir + "/F", Bundle: dir, Facts: &model.MachOFacts{Slices: []model.SliceFacts{sl}}})
		app.Declarations.PrivacyManifests = append(app.Declarations.PrivacyManifests, model.PrivacyManifest{
			Path: dir + "/PrivacyInfo.xcprivacy", Bundle: dir,
			AccessedAPITypes: []model.AccessedAPIType{{Category: CategoryUserDefaults, Reasons: []string{"CA92.1"}}},
		})
		app.SDKs = append(app.SDKs, model.SDK{ID: fmt.Sprintf("sdk%d", i), Confidence: model.ConfidenceHigh, Binaries: []string{dir + "/F"}, Bundles: []string{dir}})
	}
	b.ResetTimer()
	for range b.N {
		if a := Analyze(app); len(a.Binaries) != 300 {
			b.Fatal(len(a.Binaries))
		}
	}
}
