package allow

import (
	"testing"

	"github.com/sdkflow/sdkflow/model"
)

// FuzzParse feeds hostile allow files to the parser: it must return an entry list or an error,
// never panic, and every entry it accepts must have a reason and a matching field.
func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("allow:\n  - rule: SDKF010\n"))
	f.Add([]byte("allow:\n  - &a {sdk: x, reason: y}\n  - *a\n"))
	f.Add([]byte("allow:\n  - path: \"**/[a-\"\n    reason: r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		probe := []model.Finding{{Rule: "SDKF010", SDK: "x", App: "y", Fingerprint: "z",
			Evidence: []model.Evidence{{Kind: model.EvidenceFile, Path: "Payload/A.app/Info.plist"}}}}
		file.Apply(probe, today)
		for _, e := range file.Entries {
			if e.Reason == "" || (e.Rule == "" && e.SDK == "" && e.App == "" && e.Path == "" && e.Fingerprint == "") {
				t.Fatalf("accepted entry %+v", e)
			}
		}
	})
}
