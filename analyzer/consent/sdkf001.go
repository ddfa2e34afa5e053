package consent

import (
	"fmt"

	"github.com/sdkflow/sdkflow/model"
)

func init() { registerTraffic(beforeConsent{}) }

// beforeConsent is SDKF001: personal data sent to a third party before consent. One finding per
// SDK (or unknown party) per session, however many requests: the first request that carries
// what sets the severity is the primary evidence, the others are listed or counted.
type beforeConsent struct{}

func (beforeConsent) Info() model.RuleInfo { return ruleInfo("SDKF001") }

func (beforeConsent) Check(in *Input) []model.Finding {
	t := newTrafficView(in)
	groups := groupFlows(in.Sessions, func(_ *model.Session, f *model.Flow) (string, bool) {
		return model.PhaseBeforeConsent, isBefore(f) && !t.parties.firstParty(f) && carries(f, personal)
	})
	var out []model.Finding
	for _, g := range groups {
		out = append(out, consentFinding(t, g, false))
	}
	return out
}

func isBefore(f *model.Flow) bool {
	return f.Phase == model.PhaseBeforeConsent || f.Phase == ""
}

// consentFinding builds the SDKF001 finding (refused false) or the SDKF002 one (refused true)
// for a group of flows that carried personal data.
func consentFinding(t *trafficView, g *flowGroup, refused bool) model.Finding {
	types := g.types(personal)
	class := classify(types)
	primary := g.first(ofClass(class))
	first := g.flows[0]
	s := g.session

	var sev model.Severity
	switch {
	case refused && class >= classFingerprint:
		sev = model.SeverityCritical
	case refused, class >= classFingerprint:
		sev = model.SeverityHigh
	default:
		sev = model.SeverityMedium
	}

	var when string
	var marker *model.Marker
	if refused {
		marker = refusalBefore(s, first)
		when = "after the user declined consent"
		if marker != nil {
			when += fmt.Sprintf(" (consent-declined marker at %s)", since(s, &model.Flow{SinceLaunch: markerSince(s, marker, first)}))
		}
	} else {
		marker = consentAfter(s, first)
		if marker != nil {
			when = fmt.Sprintf("before consent: the first request came %s before the %s marker",
				seconds(marker.Time.Sub(first.Time).Seconds()), marker.Event)
		} else {
			when = "before any consent: no consent marker in the session"
		}
	}
	msg := sentences(
		fmt.Sprintf("%s sent %s to %s %s, %s.", t.who(g), typeList(types), t.where(g), since(s, primary), when),
		whyPersonal(types, class),
		requestSpan(g),
	)

	ev := flowsEvidence(g, primary, personal)
	if marker != nil {
		detail := "the requests came before it"
		if refused {
			detail = "the requests came after it"
		}
		ev = append(ev, markerEvidence(s, *marker, detail))
	} else if !refused {
		ev = append(ev, model.Evidence{Kind: model.EvidenceMarker, Session: s.Name, Detail: "no consent marker in the session: every request came before consent"})
	}
	ev = append(ev, launchEvidence(s, first)...)
	ev = append(ev, t.staticEvidence(g.sdk)...)

	var fix string
	switch {
	case g.sdk == "":
		fix = fmt.Sprintf("Find the code that contacts %s and hold it back until the user has agreed; if the party is the app's own, say so with --first-party.", g.party)
	case refused:
		fix = fmt.Sprintf("Stop %s when consent is declined: turn its collection off at runtime (and keep it off on later launches) before it sends anything.", t.sdkLabel(g.sdk))
	default:
		fix = fmt.Sprintf("Initialise %s, or turn its automatic collection on, only after the user has agreed; keep its Info.plist consent flags at their safe values (see SDKF010).", t.sdkLabel(g.sdk))
	}
	return model.Finding{SDK: g.sdk, App: t.appOf(g.sdk), Severity: sev, Message: msg, Fix: fix, Evidence: ev}
}

// consentAfter is the first consent marker (accepted or declined) after the flow.
func consentAfter(s *model.Session, f *model.Flow) *model.Marker {
	for i := range s.Markers {
		m := &s.Markers[i]
		if (m.Event == model.MarkConsentAccepted || m.Event == model.MarkConsentDeclined) && m.Time.After(f.Time) {
			return m
		}
	}
	return nil
}

// refusalBefore is the last consent-declined marker at or before the flow.
func refusalBefore(s *model.Session, f *model.Flow) *model.Marker {
	var out *model.Marker
	for i := range s.Markers {
		m := &s.Markers[i]
		if m.Event == model.MarkConsentDeclined && !m.Time.After(f.Time) {
			out = m
		}
	}
	return out
}

// markerSince is a marker's time since launch, counted as the flow's is.
func markerSince(s *model.Session, m *model.Marker, f *model.Flow) float64 {
	return f.SinceLaunch - f.Time.Sub(m.Time).Seconds()
}

// sinceShort is since without the reference ("1.2 s"), for ranges.
func sinceShort(f *model.Flow) string {
	if f.SinceLaunch < 0 {
		return "-" + seconds(-f.SinceLaunch)
	}
	return seconds(f.SinceLaunch)
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// requestSpan counts a group's requests and gives their time span: "3 requests from 0.6 s to
// 1.3 s." or "1 request."
func requestSpan(g *flowGroup) string {
	if len(g.flows) == 1 {
		return "1 request."
	}
	return fmt.Sprintf("%d requests from %s to %s.", len(g.flows), sinceShort(g.flows[0]), sinceShort(g.flows[len(g.flows)-1]))
}
