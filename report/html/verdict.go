package html

import (
	"cmp"
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

// The verdict is what a reader quotes: one sentence per third party that received personal data
// in breach of consent, built from the findings and the data items of the flows they cite, and
// one per app for what the static pass found.

// dataPhrase names each data type for prose, in the order a sentence lists them: device traits,
// then location and contact data, then identifiers, so the most telling item comes last.
var dataPhrase = []struct{ typ, phrase string }{
	{"device-name", "device name"},
	{"device-model", "device model"},
	{"os-name", "OS name"},
	{"os-version", "OS version"},
	{"locale", "locale"},
	{"time-zone", "time zone"},
	{"country", "country"},
	{"carrier", "carrier"},
	{"screen", "screen size"},
	{"cpu-cores", "CPU cores"},
	{"disk-space", "disk space"},
	{"ip-address", "IP address"},
	{"latitude", "location"},
	{"longitude", "location"},
	{"email", "email address"},
	{"phone", "phone number"},
	{"name", "name"},
	{"user-data", "hashed user data"},
	{"push-token", "push token"},
	{"auth-token", "authentication token"},
	{"user-id", "user ID"},
	{"device-id", "a device identifier"},
	{"idfv", "the vendor identifier (IDFV)"},
	{"advertising-id", "the advertising ID"},
}

var phraseRank = func() map[string]int {
	m := map[string]int{}
	for i, p := range dataPhrase {
		m[p.typ] = i
	}
	return m
}()

// dataTypesPhrase lists the distinct data types as prose; types without a phrase (a tester's
// own labels) come before the identifiers, under their own names.
func dataTypesPhrase(types []string) string {
	slices.SortFunc(types, func(a, b string) int {
		ra, oka := phraseRank[a]
		rb, okb := phraseRank[b]
		if !oka {
			ra = phraseRank["user-id"] - 1
		}
		if !okb {
			rb = phraseRank["user-id"] - 1
		}
		return cmp.Or(cmp.Compare(ra, rb), strings.Compare(a, b))
	})
	var out []string
	for _, t := range types {
		p := t
		if r, ok := phraseRank[t]; ok {
			p = dataPhrase[r].phrase
		} else {
			p = plain(t, 40)
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return prose.List(out)
}

type verdict struct {
	Severity string
	Text     string
	Anchor   int // the finding to read first
}

// recipient groups the traffic findings of one session that concern one SDK (or one unknown
// party) in one consent phase.
type recipient struct {
	session, who, phase string
	severity            model.Severity
	anchor              int
	flows               []*model.Flow
}

func (b *builder) verdicts() []verdict {
	var out []verdict
	groups := map[string]*recipient{}
	var order []string
	staticByApp := map[string][]int{}
	for i := range b.r.Findings {
		f := &b.r.Findings[i]
		if f.Suppressed != nil {
			continue
		}
		var flows []*model.Flow
		session := ""
		for _, e := range f.Evidence {
			if e.Flow == nil {
				continue
			}
			if fl := b.flow(e.Session, *e.Flow); fl != nil && personal(fl) {
				flows = append(flows, fl)
				session = e.Session
			}
		}
		if len(flows) == 0 {
			if len(f.Evidence) == 0 || f.Evidence[0].Flow == nil {
				staticByApp[f.App] = append(staticByApp[f.App], i)
			}
			continue
		}
		who := f.SDK
		if who == "" {
			who = "party:" + partyOf(flows[0])
		}
		key := session + "\x00" + who + "\x00" + flows[0].Phase
		g := groups[key]
		if g == nil {
			g = &recipient{session: session, who: who, phase: flows[0].Phase, severity: f.Severity, anchor: i + 1}
			groups[key] = g
			order = append(order, key)
		}
		if f.Severity.Rank() > g.severity.Rank() {
			g.severity, g.anchor = f.Severity, i+1
		}
		for _, fl := range flows {
			if !slices.Contains(g.flows, fl) {
				g.flows = append(g.flows, fl)
			}
		}
	}
	for i, key := range order {
		if i == maxVerdicts {
			out = append(out, verdict{Severity: "info", Text: fmt.Sprintf("%s more received personal data; see the findings below.",
				prose.Plural(len(order)-i, "other recipient", "other recipients"))})
			break
		}
		g := groups[key]
		out = append(out, verdict{Severity: string(g.severity), Text: b.trafficSentence(g), Anchor: g.anchor})
	}
	for i := range b.r.Apps {
		out = append(out, b.appSentence(&b.r.Apps[i], staticByApp[b.r.Apps[i].BundleID]))
	}
	for i := range b.r.Sessions {
		s := &b.r.Sessions[i]
		mentioned := false
		for _, key := range order {
			mentioned = mentioned || groups[key].session == s.Name
		}
		if !mentioned {
			out = append(out, b.sessionSentence(s))
		}
	}
	return out
}

const maxVerdicts = 12

func personal(f *model.Flow) bool {
	for _, d := range f.Data {
		if d.Personal {
			return true
		}
	}
	return false
}

func partyOf(f *model.Flow) string {
	switch {
	case f.Party != "":
		return f.Party
	case f.Host != "":
		return f.Host
	}
	return "an unknown host"
}

// subject names who sent a session's traffic: the app when the report has exactly one.
func (b *builder) subject(session string) string {
	if len(b.r.Apps) == 1 {
		return appTitle(&b.r.Apps[0])
	}
	return "The app in session " + plain(session, limitName)
}

func appTitle(a *model.App) string {
	name := a.DisplayName()
	t := plain(name, limitName)
	if a.Version != "" {
		t += " " + plain(a.Version, 40)
	}
	return t
}

func (b *builder) trafficSentence(g *recipient) string {
	slices.SortFunc(g.flows, func(x, y *model.Flow) int { return cmp.Compare(x.Index, y.Index) })
	var types, hosts []string
	first := g.flows[0]
	for _, fl := range g.flows {
		if fl.SinceLaunch < first.SinceLaunch {
			first = fl
		}
		for _, d := range fl.Data {
			if d.Personal && !slices.Contains(types, d.Type) {
				types = append(types, d.Type)
			}
		}
		if h := fl.Host; h != "" && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	where := ""
	if len(hosts) > 0 {
		shown := hosts
		if len(shown) > 2 {
			shown = append(slices.Clone(shown[:2]), prose.Plural(len(hosts)-2, "other host", "other hosts"))
		}
		for i := range shown[:min(len(shown), 2)] {
			shown[i] = plain(shown[i], 80)
		}
		where = " (" + prose.List(shown) + ")"
	}
	to := ""
	if party, ok := strings.CutPrefix(g.who, "party:"); ok {
		to = plain(party, 80) + where
		if len(hosts) == 1 && hosts[0] == party {
			to = plain(party, 80)
		}
	} else if l := b.label(g.who); l.name != "" {
		vendor := l.vendor
		if vendor == "" {
			vendor = l.name
		}
		to = plain(vendor, 80) + where + " through " + plain(l.name, limitName)
	} else {
		to = partyOf(first) + where + " through the SDK " + plain(g.who, 80)
	}
	when := b.whenPhrase(g.session, first, len(g.flows))
	return fmt.Sprintf("%s sent %s to %s, %s, %s.", b.subject(g.session), dataTypesPhrase(types), to, when,
		b.phasePhrase(g.session, first))
}

func (b *builder) whenPhrase(session string, first *model.Flow, n int) string {
	anchor := "after launch"
	if !b.hasLaunch(session) {
		anchor = "after the session's first request"
	}
	at := seconds(first.SinceLaunch) + " " + anchor
	if first.SinceLaunch < 0 {
		at = seconds(-first.SinceLaunch) + " before the launch marker"
	}
	if n == 1 {
		return at
	}
	return fmt.Sprintf("in %d requests, the first %s", n, at)
}

// phasePhrase says where the flow stands against the consent markers of its session.
func (b *builder) phasePhrase(session string, f *model.Flow) string {
	var prev, next *model.Marker
	x := b.markers[session]
	if x != nil && !f.Time.IsZero() {
		prev, next = around(x.consents, f.Time)
	}
	at := func(m *model.Marker) string { return " (at " + x.since(m.Time) + ")" }
	switch f.Phase {
	case model.PhaseAfterRefusal:
		if prev != nil {
			return "after the user declined consent" + at(prev)
		}
		return "after the user declined consent"
	case model.PhaseAfterConsent:
		if prev != nil {
			return "after the user gave consent" + at(prev)
		}
		return "after the user gave consent"
	}
	switch {
	case next == nil:
		return "before any consent"
	case next.Event == model.MarkConsentDeclined:
		return "before any consent (the user declined later, at " + x.since(next.Time) + ")"
	}
	return "before the user gave consent" + at(next)
}

func (b *builder) appSentence(a *model.App, findings []int) verdict {
	trackers := 0
	for _, s := range a.SDKs {
		if s.Tracker {
			trackers++
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s contains %s", appTitle(a), prose.Plural(len(a.SDKs), "third-party SDK", "third-party SDKs"))
	if len(a.SDKs) > 0 {
		fmt.Fprintf(&sb, " (%s)", prose.Plural(trackers, "tracker", "trackers"))
	}
	v := verdict{Severity: "none"}
	if len(findings) == 0 {
		sb.WriteString("; the static checks found no problem.")
	} else {
		top := &b.r.Findings[findings[0]]
		title := top.Rule
		if info, ok := model.Rule(top.Rule); ok {
			title = info.Title
		}
		fmt.Fprintf(&sb, "; the static checks found %s, the most severe (%s): %s",
			prose.Plural(len(findings), "problem", "problems"), top.Severity, title)
		if name := b.sdkName(top.SDK); name != "" {
			sb.WriteString(" — " + name)
		}
		sb.WriteString(".")
		v.Severity, v.Anchor = string(top.Severity), findings[0]+1
	}
	if len(a.Limitations) > 0 {
		sb.WriteString(" Not everything could be seen: see the limitations.")
	}
	v.Text = sb.String()
	return v
}

func (b *builder) sessionSentence(s *model.Session) verdict {
	parties := map[string]bool{}
	withData := 0
	for i := range s.Flows {
		f := &s.Flows[i]
		parties[partyOf(f)] = true
		if personal(f) {
			withData++
		}
	}
	return verdict{Severity: "none", Text: fmt.Sprintf("Session %s: %s to %s, %s carrying personal data; no finding shows personal data sent in breach of consent.",
		plain(s.Name, limitName), prose.Plural(len(s.Flows), "request", "requests"), prose.Plural(len(parties), "party", "parties"), prose.Count(withData))}
}

func (b *builder) sdkName(id string) string {
	if id == "" {
		return ""
	}
	if l := b.label(id); l.name != "" {
		return plain(l.name, limitName)
	}
	return plain(id, 80)
}
