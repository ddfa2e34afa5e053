package consent

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"

	"github.com/sdkflow/sdkflow/model"
)

func init() { Register(domainsWithoutTracking{}) }

// domainsWithoutTracking is SDKF013 (ITMS-91064 for the app's manifest, ITMS-91107 for any
// manifest in the bundle): NSPrivacyTrackingDomains is not empty while NSPrivacyTracking is
// false or absent.
type domainsWithoutTracking struct{}

func (domainsWithoutTracking) Info() model.RuleInfo { return ruleInfo("SDKF013") }

func (domainsWithoutTracking) Check(in *Input) []model.Finding {
	var out []model.Finding
	for i := range in.Apps {
		v := newAppView(&in.Apps[i])
		root := v.root()
		for _, m := range v.app.Declarations.PrivacyManifests {
			if len(m.TrackingDomains) == 0 || (m.Tracking != nil && *m.Tracking) {
				continue
			}
			state := "absent"
			if m.Tracking != nil {
				state = "false"
			}
			code := "ITMS-91107"
			if root != nil && m.Bundle == root.Path {
				code = "ITMS-91064"
			}
			var sdk string
			if owners := v.idx.Owners(m.Bundle); len(owners) == 1 {
				sdk = owners[0]
			}
			msg := fmt.Sprintf("%s lists %d tracking domain(s) (%s) under NSPrivacyTrackingDomains while NSPrivacyTracking is %s. App Store Connect rejects this (%s).",
				v.rel(m.Path), len(m.TrackingDomains), prose.ListAtMost(m.TrackingDomains, 5), state, code)
			fix := fmt.Sprintf("In %s, set NSPrivacyTracking to true (<true/>) if the bundle tracks, or remove NSPrivacyTrackingDomains if it does not.", v.rel(m.Path))
			ev := []model.Evidence{{Kind: model.EvidenceManifest, Path: m.Path, Value: "NSPrivacyTrackingDomains",
				Detail: "NSPrivacyTracking is " + state}}
			for j, d := range m.TrackingDomains {
				if j == maxUseEvidence {
					break
				}
				ev = append(ev, model.Evidence{Kind: model.EvidenceManifest, Path: m.Path, Value: d, Detail: "tracking domain"})
			}
			out = append(out, model.Finding{SDK: sdk, App: appID(v.app), Message: msg, Fix: fix, Evidence: ev})
		}
	}
	return out
}
