package consent

import (
	"cmp"
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sdkflow/sdkflow/analyzer/privacy"
	"github.com/sdkflow/sdkflow/analyzer/traffic"
	"github.com/sdkflow/sdkflow/model"
)

// Traffic rules are kept apart from the static ones: `sdkflow scan` never has traffic and
// should not list them as skipped, while the report pipeline runs them all (AllRules).
var (
	trafficMu    sync.Mutex
	trafficRules []Rule
)

func registerTraffic(r Rule) {
	trafficMu.Lock()
	defer trafficMu.Unlock()
	id := r.Info().ID
	for _, x := range trafficRules {
		if x.Info().ID == id {
			panic("consent: rule " + id + " registered twice")
		}
	}
	trafficRules = append(trafficRules, r)
}

// TrafficRules returns the rules that read captured sessions, in ID order.
func TrafficRules() []Rule {
	trafficMu.Lock()
	defer trafficMu.Unlock()
	out := slices.Clone(trafficRules)
	slices.SortFunc(out, func(a, b Rule) int { return compareIDs(a.Info().ID, b.Info().ID) })
	return out
}

// AllRules returns the static and the traffic rules, in ID order: what a report runs.
func AllRules() []Rule {
	out := append(Registered(), TrafficRules()...)
	slices.SortFunc(out, func(a, b Rule) int { return compareIDs(a.Info().ID, b.Info().ID) })
	return out
}

// Bounds on what one finding lists, so 100,000 flows make one finding of readable size.
const (
	maxRelatedFlows = 9  // flows listed besides the primary one
	maxItemsShown   = 12 // data items named in one flow's evidence
	maxURLShown     = 512
)

// fingerprintTypes are device characteristics: each alone says little, several together
// single out a device (the Facebook extinfo array, the 2020 case).
var fingerprintTypes = []string{
	traffic.TypeDeviceModel, traffic.TypeOSVersion, traffic.TypeLocale, traffic.TypeTimeZone,
	traffic.TypeCarrier, traffic.TypeScreen, traffic.TypeCPUCores, traffic.TypeDiskSpace,
}

// fingerprintMin is how many distinct device characteristics make a fingerprint.
const fingerprintMin = 3

// identifierTypes identify a person or a device on their own.
var identifierTypes = []string{
	traffic.TypeAdvertisingID, traffic.TypeIDFV, traffic.TypeDeviceID, traffic.TypeUserID,
	traffic.TypePushToken, traffic.TypeAuthToken, traffic.TypeEmail, traffic.TypePhone, traffic.TypeName,
	traffic.TypeUserData, traffic.TypeLatitude, traffic.TypeLongitude, traffic.TypeIPAddress,
	traffic.TypeDeviceName,
}

// dataNames are how messages name data item types, in the order messages list them.
var dataNames = []struct{ typ, name string }{
	{traffic.TypeAdvertisingID, "advertising ID (IDFA)"},
	{traffic.TypeIDFV, "vendor ID (IDFV)"},
	{traffic.TypeDeviceID, "device ID"},
	{traffic.TypeUserID, "user ID"},
	{traffic.TypePushToken, "push token"},
	{traffic.TypeAuthToken, "auth token"},
	{traffic.TypeEmail, "email address"},
	{traffic.TypePhone, "phone number"},
	{traffic.TypeName, "name"},
	{traffic.TypeUserData, "hashed user data"},
	{traffic.TypeLatitude, "latitude"},
	{traffic.TypeLongitude, "longitude"},
	{traffic.TypeIPAddress, "IP address"},
	{traffic.TypeDeviceName, "device name"},
	{traffic.TypeDeviceModel, "device model"},
	{traffic.TypeOSVersion, "OS version"},
	{traffic.TypeLocale, "locale"},
	{traffic.TypeTimeZone, "time zone"},
	{traffic.TypeCarrier, "carrier"},
	{traffic.TypeScreen, "screen size"},
	{traffic.TypeCPUCores, "CPU cores"},
	{traffic.TypeDiskSpace, "disk space"},
	{traffic.TypeCountry, "country"},
	{traffic.TypeEvent, "app events"},
}

var dataOrder = func() map[string]int {
	m := map[string]int{}
	for i, d := range dataNames {
		m[d.typ] = i
	}
	return m
}()

// dataName names a data type for a message; a tester's own label is used as it is.
func dataName(typ string) string {
	if i, ok := dataOrder[typ]; ok {
		return dataNames[i].name
	}
	return bounded(typ, 64)
}

// sortTypes puts data types in message order: identifiers, device data, the rest by name.
func sortTypes(types []string) {
	slices.SortFunc(types, func(a, b string) int {
		ia, oka := dataOrder[a]
		ib, okb := dataOrder[b]
		switch {
		case oka && okb:
			return cmp.Compare(ia, ib)
		case oka:
			return -1
		case okb:
			return 1
		}
		return strings.Compare(a, b)
	})
}

// dataClass says how serious a set of data types is.
type dataClass int

const (
	classOther       dataClass = iota // personal, but neither an identifier nor a fingerprint
	classFingerprint                  // several device characteristics together
	classIdentifier                   // an identifier of the person or the device
)

func classify(types map[string]bool) dataClass {
	for t := range types {
		if slices.Contains(identifierTypes, t) {
			return classIdentifier
		}
		if _, std := dataOrder[t]; !std {
			return classIdentifier // a value the tester planted: theirs, and personal
		}
	}
	n := 0
	for _, t := range fingerprintTypes {
		if types[t] {
			n++
		}
	}
	if n >= fingerprintMin {
		return classFingerprint
	}
	return classOther
}

func (c dataClass) String() string {
	switch c {
	case classIdentifier:
		return "an identifier"
	case classFingerprint:
		return "a device fingerprint"
	}
	return "personal data"
}

// parties tells the app's own domains from third parties. The app's domains are read from
// each app's bundle id (com.example.zoomlike gives zoomlike.example and example.com: every run
// of two or more labels of the reversed id) and from --first-party.
type parties struct {
	domains map[string]bool
}

func newParties(in *Input) *parties {
	p := &parties{domains: map[string]bool{}}
	for i := range in.Apps {
		for _, d := range bundleIDDomains(in.Apps[i].BundleID) {
			p.domains[d] = true
		}
	}
	for _, d := range in.FirstParty {
		if d = normalizeDomain(d); d != "" {
			p.domains[d] = true
		}
	}
	return p
}

// bundleIDDomains reads the domains a reverse-DNS bundle id names.
func bundleIDDomains(id string) []string {
	labels := strings.Split(strings.ToLower(id), ".")
	if len(labels) < 2 || len(labels) > 16 {
		return nil
	}
	for _, l := range labels {
		if l == "" {
			return nil
		}
	}
	slices.Reverse(labels)
	var out []string
	for i := 0; i < len(labels); i++ {
		for j := i + 2; j <= len(labels); j++ {
			out = append(out, strings.Join(labels[i:j], "."))
		}
	}
	return out
}

func normalizeDomain(d string) string {
	return strings.Trim(strings.ToLower(strings.TrimSpace(d)), ".")
}

// firstParty reports whether a flow went to the app's own servers.
func (p *parties) firstParty(f *model.Flow) bool {
	if len(p.domains) == 0 {
		return false
	}
	if f.Party != "" && p.domains[f.Party] {
		return true
	}
	h := strings.ToLower(f.Host)
	for h != "" {
		if p.domains[h] {
			return true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return false
}

// flowGroup is the flows one finding covers: one SDK (or, for traffic no signature knows, one
// registrable domain) in one session, under one extra key (a phase, an ATT state).
type flowGroup struct {
	session *model.Session
	sdk     string // signature id, "" when no signature knows the host
	party   string // registrable domain, for unattributed flows
	key     string
	flows   []*model.Flow // in time order
}

// groupFlows collects the flows keep accepts into groups by SDK or party and by key, in a
// stable order (session, first flow).
func groupFlows(sessions []model.Session, keep func(s *model.Session, f *model.Flow) (key string, ok bool)) []*flowGroup {
	var out []*flowGroup
	for si := range sessions {
		s := &sessions[si]
		byKey := map[string]*flowGroup{}
		var order []*flowGroup
		for fi := range s.Flows {
			f := &s.Flows[fi]
			key, ok := keep(s, f)
			if !ok {
				continue
			}
			g := &flowGroup{session: s, key: key}
			if f.SDK != nil {
				g.sdk = *f.SDK
			} else {
				g.party = f.Party
				if g.party == "" {
					g.party = f.Host
				}
			}
			k := g.sdk + "\x00" + g.party + "\x00" + key
			if old, ok := byKey[k]; ok {
				g = old
			} else {
				byKey[k] = g
				order = append(order, g)
			}
			g.flows = append(g.flows, f)
		}
		for _, g := range order {
			slices.SortStableFunc(g.flows, compareFlowTimes)
		}
		slices.SortStableFunc(order, func(a, b *flowGroup) int { return compareFlowTimes(a.flows[0], b.flows[0]) })
		out = append(out, order...)
	}
	return out
}

func compareFlowTimes(a, b *model.Flow) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	return cmp.Compare(a.Index, b.Index)
}

// types returns the data types of the items accepted by keep in the group's flows.
func (g *flowGroup) types(keep func(it *model.DataItem) bool) map[string]bool {
	out := map[string]bool{}
	for _, f := range g.flows {
		for i := range f.Data {
			if keep(&f.Data[i]) {
				out[f.Data[i].Type] = true
			}
		}
	}
	return out
}

// first returns the first flow for which ok holds, else the first flow.
func (g *flowGroup) first(ok func(f *model.Flow) bool) *model.Flow {
	for _, f := range g.flows {
		if ok(f) {
			return f
		}
	}
	return g.flows[0]
}

// hosts lists the group's distinct hosts in order of first contact.
func (g *flowGroup) hosts() []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range g.flows {
		h := f.Host
		if h == "" {
			h = f.Party
		}
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, bounded(h, 128)) // a recorded Host header is outside input
		}
	}
	return out
}

// trafficView answers what the traffic rules ask about the apps: which SDK is whose, what
// its signature says.
type trafficView struct {
	in      *Input
	parties *parties
	views   []*appView
}

func newTrafficView(in *Input) *trafficView {
	t := &trafficView{in: in, parties: newParties(in)}
	for i := range in.Apps {
		t.views = append(t.views, newAppView(&in.Apps[i]))
	}
	return t
}

// appSDK finds a confident SDK with this id in the apps, with its app's view.
func (t *trafficView) appSDK(id string) (*appView, *model.SDK) {
	if id == "" {
		return nil, nil
	}
	for _, v := range t.views {
		if s := v.sdk(id); s != nil && privacy.Confident(s) {
			return v, s
		}
	}
	return nil, nil
}

// tracker reports whether the signature of an SDK id marks it a tracker.
func (t *trafficView) tracker(id string) bool {
	if id == "" || t.in.Signatures == nil {
		return false
	}
	sig, ok := t.in.Signatures.Get(id)
	return ok && sig.Tracker
}

// who names the sender of a group: the SDK by name and version, or the app itself when no
// signature knows the destination.
func (t *trafficView) who(g *flowGroup) string {
	if g.sdk == "" {
		return "The app"
	}
	return t.sdkLabel(g.sdk)
}

// where names a group's destination: its hosts, and for traffic no signature knows, the
// registrable domain it is grouped by.
func (t *trafficView) where(g *flowGroup) string {
	hosts := prose.ListAtMost(g.hosts(), 3)
	if g.sdk == "" {
		return hosts + " (" + bounded(g.party, 128) + ", a party no signature knows)"
	}
	return hosts
}

func (t *trafficView) sdkLabel(id string) string {
	name := id
	if t.in.Signatures != nil {
		if sig, ok := t.in.Signatures.Get(id); ok && sig.Name != "" {
			name = sig.Name
		}
	}
	if _, s := t.appSDK(id); s != nil {
		if s.Name != "" {
			name = s.Name
		}
		if s.Version != "" {
			name += " " + s.Version
		}
	}
	return name
}

// appOf is what a traffic finding records as its app: the app holding the SDK, else the only
// app given, else none.
func (t *trafficView) appOf(sdk string) string {
	if v, _ := t.appSDK(sdk); v != nil {
		return appID(v.app)
	}
	if len(t.in.Apps) == 1 {
		return appID(&t.in.Apps[0])
	}
	return ""
}

// staticEvidence points at the SDK's code in the app, when the app holds it.
func (t *trafficView) staticEvidence(sdk string) []model.Evidence {
	_, s := t.appSDK(sdk)
	if s == nil {
		return nil
	}
	ev := sdkEvidence(s)
	n := 0
	for _, e := range s.Evidence {
		if e.Value == "" {
			continue // a summary ("and 4 more"), not a match
		}
		if n == 2 {
			break
		}
		n++
		d := "how sdkflow found " + sdkName(s) + " in the app"
		if e.Detail != "" {
			d += " (" + e.Detail + ")"
		}
		e.Detail = d
		ev = append(ev, e)
	}
	return ev
}

// since says when a flow happened, relative to launch (or to the session's first request when
// no launch was marked).
func since(s *model.Session, f *model.Flow) string {
	ref := "after launch"
	if !hasEvent(s, model.MarkLaunch) {
		ref = "after the session's first request"
	}
	if f.SinceLaunch < 0 {
		return seconds(-f.SinceLaunch) + " before launch"
	}
	return seconds(f.SinceLaunch) + " " + ref
}

func seconds(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + " s"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " s"
}

func hasEvent(s *model.Session, event string) bool {
	for _, m := range s.Markers {
		if m.Event == event {
			return true
		}
	}
	return false
}

// flowEvidence is the evidence for one request: where it went, when, and what it carried.
func flowEvidence(s *model.Session, f *model.Flow, items func(it *model.DataItem) bool) model.Evidence {
	idx := f.Index
	detail := since(s, f)
	if f.Phase != "" {
		detail += ", " + f.Phase
	}
	if f.ATT != "" {
		detail += ", ATT " + f.ATT
	}
	if items != nil {
		if d := itemsText(f, items); d != "" {
			detail += "; " + d
		}
	}
	if f.Error != "" {
		detail += "; " + bounded(f.Error, 256)
	}
	return model.Evidence{
		Kind: model.EvidenceFlow, Session: s.Name, Flow: &idx,
		Path:   bounded(f.Host+urlPath(f.URL), maxURLShown),
		Value:  bounded(strings.TrimSpace(f.Method+" "+f.URL), maxURLShown),
		Detail: detail,
	}
}

// itemsText lists a flow's items by type, each value with where it was: device model
// "iPhone11,2" (body.extinfo[5]); screen size "375" (body.extinfo[9]), "812" (body.extinfo[10]).
func itemsText(f *model.Flow, items func(it *model.DataItem) bool) string {
	var order []string
	byType := map[string][]string{}
	for i := range f.Data {
		it := &f.Data[i]
		if !items(it) {
			continue
		}
		if _, ok := byType[it.Type]; !ok {
			order = append(order, it.Type)
		}
		if len(byType[it.Type]) < 4 {
			byType[it.Type] = append(byType[it.Type], fmt.Sprintf("%q (%s)", bounded(it.Value, 64), bounded(it.Location, 96)))
		}
	}
	var parts []string
	for i, t := range order {
		if i == maxItemsShown {
			parts = append(parts, fmt.Sprintf("and %d more types", len(order)-maxItemsShown))
			break
		}
		parts = append(parts, dataName(t)+" "+strings.Join(byType[t], ", "))
	}
	return strings.Join(parts, "; ")
}

// flowsEvidence is the primary flow, then up to maxRelatedFlows others, then a count of the
// rest: a finding stays readable whatever the number of requests.
func flowsEvidence(g *flowGroup, primary *model.Flow, items func(it *model.DataItem) bool) []model.Evidence {
	ev := []model.Evidence{flowEvidence(g.session, primary, items)}
	listed := 0
	for _, f := range g.flows {
		if f == primary {
			continue
		}
		if listed == maxRelatedFlows {
			rest := len(g.flows) - 1 - listed
			ev = append(ev, model.Evidence{Kind: model.EvidenceFlow, Session: g.session.Name,
				Detail: fmt.Sprintf("and %d more requests, the last %s", rest, since(g.session, g.flows[len(g.flows)-1]))})
			break
		}
		ev = append(ev, flowEvidence(g.session, f, items))
		listed++
	}
	return ev
}

// markerEvidence is the evidence for a marker of the session.
func markerEvidence(s *model.Session, m model.Marker, detail string) model.Evidence {
	d := m.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	if m.Source != "" {
		d += ", set by " + bounded(m.Source, 32)
	}
	if m.Note != "" {
		d += " (" + bounded(m.Note, 128) + ")"
	}
	if detail != "" {
		d += "; " + detail
	}
	return model.Evidence{Kind: model.EvidenceMarker, Session: s.Name, Value: m.Event, Detail: d}
}

// launchEvidence is the session's launch marker before the flow, if any.
func launchEvidence(s *model.Session, f *model.Flow) []model.Evidence {
	var last *model.Marker
	for i := range s.Markers {
		m := &s.Markers[i]
		if m.Event == model.MarkLaunch && !f.Time.Before(m.Time) {
			last = m
		}
	}
	if last == nil {
		return nil
	}
	return []model.Evidence{markerEvidence(s, *last, "the launch the times are counted from")}
}

// typeList names data types for a message: "advertising ID (IDFA), device model and carrier".
func typeList(types map[string]bool) string {
	list := make([]string, 0, len(types))
	for t := range types {
		list = append(list, t)
	}
	sortTypes(list)
	names := make([]string, 0, len(list))
	for _, t := range list {
		names = append(names, dataName(t))
	}
	if len(names) > 16 {
		names = append(names[:16], fmt.Sprintf("%d more types", len(list)-16))
	}
	return prose.List(names)
}

func personal(it *model.DataItem) bool { return it.Personal }

// carries reports whether a flow holds an item accepted by keep.
func carries(f *model.Flow, keep func(it *model.DataItem) bool) bool {
	for i := range f.Data {
		if keep(&f.Data[i]) {
			return true
		}
	}
	return false
}

// ofClass accepts flows whose own personal data reaches class c.
func ofClass(c dataClass) func(f *model.Flow) bool {
	return func(f *model.Flow) bool {
		types := map[string]bool{}
		for i := range f.Data {
			if f.Data[i].Personal {
				types[f.Data[i].Type] = true
			}
		}
		return len(types) > 0 && classify(types) >= c
	}
}

func urlPath(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	rest := raw[i+3:]
	j := strings.IndexAny(rest, "/?#")
	if j < 0 {
		return ""
	}
	rest = rest[j:]
	if k := strings.IndexAny(rest, "?#"); k >= 0 {
		rest = rest[:k]
	}
	return rest
}

// bounded cuts outside text for messages and evidence, on a rune boundary, and replaces control
// characters so a capture cannot forge lines in a terminal report.
func bounded(s string, n int) string {
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return '.'
		}
		return r
	}, s)
}

// whyPersonal says in one sentence what makes the data serious: the identifiers it holds, or
// the device characteristics that together fingerprint the device.
func whyPersonal(types map[string]bool, class dataClass) string {
	switch class {
	case classIdentifier:
		ids := map[string]bool{}
		for t := range types {
			if _, std := dataOrder[t]; slices.Contains(identifierTypes, t) || !std {
				ids[t] = true
			}
		}
		verb := "identifies"
		if len(ids) > 1 {
			verb = "identify"
		}
		return capitalize(typeList(ids)) + " " + verb + " the user or the device."
	case classFingerprint:
		fp := map[string]bool{}
		for _, t := range fingerprintTypes {
			if types[t] {
				fp[t] = true
			}
		}
		return "Together, " + typeList(fp) + " fingerprint the device."
	}
	return ""
}

// sentences joins the non-empty sentences of a message.
func sentences(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
