package consent

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"strings"

	"github.com/sdkflow/sdkflow/analyzer/traffic"
	"github.com/sdkflow/sdkflow/model"
)

func init() { registerTraffic(idfaWithoutATT{}) }

// idfaWithoutATT is SDKF003: a real (non-zero) advertising ID sent while App Tracking
// Transparency was not authorized. iOS hands out the all-zero IDFA then, so a real one was
// cached, read elsewhere, or ATT was bypassed. Any destination counts, the app's own servers
// included. One finding per SDK (or party) and ATT state per session; denied is critical.
type idfaWithoutATT struct{}

func (idfaWithoutATT) Info() model.RuleInfo { return ruleInfo("SDKF003") }

func isIDFA(it *model.DataItem) bool { return it.Type == traffic.TypeAdvertisingID }

func (idfaWithoutATT) Check(in *Input) []model.Finding {
	t := newTrafficView(in)
	groups := groupFlows(in.Sessions, func(_ *model.Session, f *model.Flow) (string, bool) {
		state := f.ATT
		if state == "" {
			state = model.ATTNotDetermined
		}
		return state, state != model.ATTAuthorized && carries(f, isIDFA)
	})
	var out []model.Finding
	for _, g := range groups {
		s := g.session
		first, last := g.flows[0], g.flows[len(g.flows)-1]
		sev := model.SeverityHigh
		state := "had not been asked (ATT not determined)"
		if g.key == model.ATTDenied {
			sev = model.SeverityCritical
			state = "had denied tracking (ATT denied)"
		}
		values := map[string]bool{}
		for _, f := range g.flows {
			for i := range f.Data {
				if isIDFA(&f.Data[i]) {
					values[f.Data[i].Value] = true
				}
			}
		}
		msg := sentences(
			fmt.Sprintf("%s sent a real advertising ID (IDFA) to %s %s, while the user %s.", t.who(g), t.where(g), since(s, first), state),
			"Without ATT authorization iOS gives apps the all-zero IDFA, so this value was cached from an earlier grant, read elsewhere, or the check was bypassed.",
			fmt.Sprintf("%s from %s to %s; %s.", capitalize(prose.Plural(len(g.flows), "request", "requests")), sinceShort(first), sinceShort(last),
				prose.Plural(len(values), "distinct IDFA value", "distinct IDFA values")),
		)
		ev := flowsEvidence(g, first, isIDFA)
		for _, m := range s.Markers {
			if (m.Event == model.MarkATTDenied || m.Event == model.MarkATTAuthorized) && !m.Time.After(first.Time) {
				ev = append(ev, markerEvidence(s, m, "the ATT state the request was sent under"))
			}
		}
		ev = append(ev, launchEvidence(s, first)...)
		ev = append(ev, t.staticEvidence(g.sdk)...)
		fix := "Read the advertising identifier only after ATTrackingManager reports .authorized, never cache it across launches, and send the all-zero value (or nothing) otherwise."
		if g.sdk != "" {
			fix = fmt.Sprintf("Keep %s from reading or sending the IDFA until ATT is authorized%s; never cache it across launches.", t.sdkLabel(g.sdk), t.idfaFlag(g.sdk))
		}
		out = append(out, model.Finding{SDK: g.sdk, App: t.appOf(g.sdk), Severity: sev, Message: msg, Fix: fix, Evidence: ev})
	}
	return out
}

// idfaFlag names the SDK's Info.plist flag for advertising-ID collection, if its signature
// has one: " (Info.plist: KEY = SAFE until then)".
func (t *trafficView) idfaFlag(sdk string) string {
	if t.in.Signatures == nil {
		return ""
	}
	sig, ok := t.in.Signatures.Get(sdk)
	if !ok {
		return ""
	}
	for _, f := range sig.ConsentFlags {
		c := strings.ToLower(f.Controls)
		if strings.Contains(c, "idfa") || strings.Contains(c, "advertising id") || strings.Contains(c, "advertising identifier") {
			return fmt.Sprintf(" (Info.plist: %s = %s until then)", f.Key, plistXML(f.Safe))
		}
	}
	return ""
}
