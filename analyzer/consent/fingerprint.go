package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/sdkflow/sdkflow/model"
)

// Fingerprint identifies a finding across runs: a hash of the rule, the app, the SDK and the
// primary evidence's kind, path and value. Messages, severities and related evidence are left
// out, so rewording a message or re-ranking a rule keeps allow-file entries and code-scanning
// alerts attached to the same finding.
func Fingerprint(f *model.Finding) string {
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	field("sdkflow/v1")
	field(f.Rule)
	field(f.App)
	field(f.SDK)
	if len(f.Evidence) > 0 {
		e := f.Evidence[0]
		field(e.Kind)
		field(e.Path)
		field(e.Value)
		field(e.Session)
		if e.Flow != nil {
			field(strconv.Itoa(*e.Flow))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// uniqueFingerprints suffixes repeated fingerprints (#2, #3, ...) in order, so every finding of
// a report can be addressed alone. Findings are in canonical order, so suffixes are stable.
func uniqueFingerprints(fs []model.Finding) {
	seen := map[string]int{}
	for i := range fs {
		fp := fs[i].Fingerprint
		seen[fp]++
		if n := seen[fp]; n > 1 {
			fs[i].Fingerprint = fp + "#" + strconv.Itoa(n)
		}
	}
}
