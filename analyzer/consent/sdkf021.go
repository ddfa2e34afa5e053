package consent

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"

	"github.com/sdkflow/sdkflow/model"
)

func init() { registerTraffic(pinnedTracker{}) }

// pinnedTracker is SDKF021: the client refused the proxy's certificate for a tracker host
// (certificate pinning, or the CA is not trusted there), so what it sent could not be read.
// One finding per SDK per session, listing the hosts.
type pinnedTracker struct{}

func (pinnedTracker) Info() model.RuleInfo { return ruleInfo("SDKF021") }

func (pinnedTracker) Missing(in *Input) string {
	if in.Signatures == nil {
		return "needs the signature set (it says which hosts belong to trackers)"
	}
	return ""
}

func (pinnedTracker) Check(in *Input) []model.Finding {
	t := newTrafficView(in)
	groups := groupFlows(in.Sessions, func(_ *model.Session, f *model.Flow) (string, bool) {
		return "", f.Kind == model.FlowTLSFailure && f.SDK != nil && t.tracker(*f.SDK)
	})
	var out []model.Finding
	for _, g := range groups {
		s := g.session
		first := g.flows[0]
		reason := ""
		if first.Error != "" {
			reason = fmt.Sprintf(" (%s)", bounded(first.Error, 160))
		}
		hosts := g.hosts()
		msg := sentences(
			fmt.Sprintf("The connection%s to %s (%s) failed TLS with the proxy's certificate %s%s: the client pins its certificates, or does not trust the sdkflow CA.",
				prose.S(len(g.flows)), prose.ListAtMost(hosts, 3), t.sdkLabel(g.sdk), since(s, first), reason),
			"What was sent to this tracker could not be inspected, so this report cannot say whether it carried personal data.",
			fmt.Sprintf("%s.", capitalize(prose.Plural(len(g.flows), "failed connection", "failed connections"))),
		)
		fix := "Repeat the test with pinning turned off in a test build (or the sdkflow CA trusted for that client); until then, treat the host as receiving whatever the SDK collects."
		ev := flowsEvidence(g, first, nil)
		for i := range ev {
			if ev[i].Flow != nil {
				ev[i].Kind = model.EvidenceTLSFailure
			}
		}
		ev = append(ev, t.staticEvidence(g.sdk)...)
		out = append(out, model.Finding{SDK: g.sdk, App: t.appOf(g.sdk), Message: msg, Fix: fix, Evidence: ev})
	}
	return out
}
