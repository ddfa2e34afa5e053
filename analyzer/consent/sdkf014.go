package consent

import (
	"fmt"

	"github.com/sdkflow/sdkflow/model"
)

func init() { Register(invalidManifest{}) }

// invalidManifest is SDKF014 (ITMS-91108): a privacy manifest holds a key or value of the
// wrong format. It reports the problems of severity "error" that manifest validation
// (analyzer/plist) recorded; warnings are not rejected on upload and stay in the manifest's
// problems only.
type invalidManifest struct{}

func (invalidManifest) Info() model.RuleInfo { return ruleInfo("SDKF014") }

func (invalidManifest) Check(in *Input) []model.Finding {
	var out []model.Finding
	for i := range in.Apps {
		v := newAppView(&in.Apps[i])
		for _, m := range v.app.Declarations.PrivacyManifests {
			var sdk string
			if owners := v.idx.Owners(m.Bundle); len(owners) == 1 {
				sdk = owners[0]
			}
			for _, p := range m.Problems {
				if p.Severity != "error" {
					continue
				}
				where := v.rel(m.Path)
				if p.Key != "" {
					where += " at " + p.Key
				}
				msg := fmt.Sprintf("Invalid privacy manifest content in %s: %s. App Store Connect rejects this (ITMS-91108).", where, p.Message)
				fix := fmt.Sprintf("Correct %s: %s.", where, p.Message)
				if p.Key == "" {
					fix = fmt.Sprintf("Replace %s with a valid property list: %s.", v.rel(m.Path), p.Message)
				}
				ev := []model.Evidence{{Kind: model.EvidenceManifest, Path: m.Path, Value: p.Key, Detail: p.Message}}
				out = append(out, model.Finding{SDK: sdk, App: appID(v.app), Message: msg, Fix: fix, Evidence: ev})
			}
		}
	}
	return out
}
