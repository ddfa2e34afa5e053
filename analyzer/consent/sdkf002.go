package consent

import "github.com/sdkflow/sdkflow/model"

func init() { registerTraffic(afterRefusal{}) }

// afterRefusal is SDKF002: personal data sent to a third party after the user declined
// consent. One finding per SDK (or unknown party) per session.
type afterRefusal struct{}

func (afterRefusal) Info() model.RuleInfo { return ruleInfo("SDKF002") }

func (afterRefusal) Check(in *Input) []model.Finding {
	t := newTrafficView(in)
	groups := groupFlows(in.Sessions, func(_ *model.Session, f *model.Flow) (string, bool) {
		return model.PhaseAfterRefusal, f.Phase == model.PhaseAfterRefusal && !t.parties.firstParty(f) && carries(f, personal)
	})
	var out []model.Finding
	for _, g := range groups {
		out = append(out, consentFinding(t, g, true))
	}
	return out
}
