package html

import (
	"cmp"
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// Bounds on how much of a large report the page shows in full; the JSON report has the rest.
const (
	maxFindingRows    = 1000
	maxFindingDetails = 200
	maxFlowsPerFind   = 10
	maxStaticPerFind  = 20
	maxDataItems      = 60
	maxSDKEvidence    = 40
	maxBinaries       = 300
	maxNotes          = 100
	maxPersonalFlows  = 500
	maxPrivacyRows    = 100
	maxMarkers        = 200
	maxSDKRows        = 1000
	// dataRowBudget bounds the data-item rows of all findings together, so a report whose
	// findings cite many large requests stays a page a browser opens.
	dataRowBudget = 2000
)

// page is everything the template shows, already bounded and put in words.
type page struct {
	Title      string
	Tool       string
	Verdicts   []verdict
	Summary    string
	Groups     []severityGroup
	Accepted   []findingRow
	MoreRows   int
	Details    []findingDetail
	MoreDetail int
	Apps       []appView
	Sessions   []sessionView
	Provenance provenance
}

type severityGroup struct {
	Severity string
	Rows     []findingRow
}

type findingRow struct {
	N        int
	Severity string
	Rule     string
	Title    string
	SDK      string
	Summary  text
	Detailed bool
}

type findingDetail struct {
	findingRow
	ITMS        string
	Message     text
	Fix         text
	Accepted    *acceptedView
	Fingerprint string
	Flows       []flowView
	MoreFlows   int
	Static      []evidenceView
	MoreStatic  int
	Inventory   *sdkView
}

type acceptedView struct {
	Reason, Source text
	Expires        string
}

type flowView struct {
	Session     text
	Index       int
	Missing     bool
	When        string
	Time        string
	Method      text
	URL         text
	Host        text
	Status      string
	SDK         string
	Endpoint    text
	Phase       string
	ATT         string
	Context     string
	Data        []dataView
	MoreData    int
	Error       text
	Problems    []text
	Personal    bool
	Kind        string
	Description string
	Exhibit     *exhibitView
}

// exhibitView is the exact request a finding cites: headers as sent, the decoded body.
type exhibitView struct {
	Headers   []headerView
	Layers    string
	Body      text
	BodySize  int
	Truncated bool
}

type headerView struct{ Name, Value text }

type dataView struct {
	Type, Location, Value, Match text
	Personal                     bool
}

type evidenceView struct {
	Kind, Path, Value, Pattern, Detail text
	Where                              string
}

type appView struct {
	Anchor      string
	Title       string
	Path        text
	Kind        string
	BundleID    text
	Build       text
	MinOS       text
	SHA256      string
	SDKs        []sdkView
	MoreSDKs    int
	Binaries    []binaryView
	MoreBins    int
	Limitations []text
	Errors      []text
	MoreNotes   int
	Privacy     *privacyView
}

type sdkView struct {
	ID, Name, Vendor, Category, Version text
	Tracker, AppleListed                bool
	Confidence                          string
	Where                               []text
	Evidence                            []evidenceView
	MoreEvidence                        int
}

type binaryView struct {
	Path                          text
	Type, Archs, Size, SHA256     string
	Encrypted, Signed, Unreadable bool
}

type privacyView struct {
	Tracking  bool
	DataTypes []privacyRow
	APIs      []privacyRow
	Domains   []text
	More      int
}

type privacyRow struct {
	Name, Detail text
	Linked       string
	Tracking     string
	By           text
}

type sessionView struct {
	Anchor, Name, Source       text
	Started, Ended             string
	Summary                    string
	WithData                   string
	Markers                    []markerView
	MoreMarkers                int
	Personal                   []flowRow
	MorePersonal               int
	Errors                     []text
	Timeline                   *timeline
	NoLaunch                   bool
	TLSFailures, WithoutTiming int
}

type markerView struct {
	Event, Note, Source text
	Time, Since         string
}

type flowRow struct {
	Index             int
	When, Phase, ATT  string
	Method, Host, SDK text
	Types             string
	Findings          []int
}

type provenance struct {
	Tool, Version, SchemaVersion string
	SigVersion, SigDigest        string
	SigCount                     int
	SigSources                   []text
	Generated                    string
	Inputs                       []inputView
	Skipped                      []skippedView
	Errors                       []text
}

type inputView struct {
	Path       text
	Kind, Size string
	SHA256     string
}

type skippedView struct {
	Rule, Title string
	Reason      text
}

// builder holds the lookups every section shares.
type builder struct {
	r        *model.Report
	sdks     map[string]*model.SDK // signature id → first SDK of that id in any app
	sessions map[string]*model.Session
	cited    map[string]map[int][]int // session → flow index → finding numbers
	markers  map[string]*markerIndex
	dataRows int // data-item rows written so far, against dataRowBudget
	known    map[string]sdkLabel
}

func newBuilder(r *model.Report) *builder {
	b := &builder{r: r, sdks: map[string]*model.SDK{}, sessions: map[string]*model.Session{}, cited: map[string]map[int][]int{},
		markers: map[string]*markerIndex{}, known: map[string]sdkLabel{}}
	for i := range r.Apps {
		for j := range r.Apps[i].SDKs {
			s := &r.Apps[i].SDKs[j]
			if b.sdks[s.ID] == nil {
				b.sdks[s.ID] = s
			}
		}
	}
	for i := range r.Sessions {
		s := &r.Sessions[i]
		if b.sessions[s.Name] == nil {
			b.sessions[s.Name] = s
			b.markers[s.Name] = newMarkerIndex(s)
		}
	}
	for i := range r.Findings {
		for _, e := range r.Findings[i].Evidence {
			if e.Flow == nil {
				continue
			}
			m := b.cited[e.Session]
			if m == nil {
				m = map[int][]int{}
				b.cited[e.Session] = m
			}
			if n := m[*e.Flow]; len(n) == 0 || n[len(n)-1] != i+1 {
				m[*e.Flow] = append(n, i+1)
			}
		}
	}
	return b
}

// flow finds a session's flow by its index (flows are sorted by index after Finalize).
func (b *builder) flow(session string, index int) *model.Flow {
	s := b.sessions[session]
	if s == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(s.Flows, index, func(f model.Flow, idx int) int { return cmp.Compare(f.Index, idx) })
	if !ok {
		return nil
	}
	return &s.Flows[i]
}

// hasLaunch reports whether a session has a launch marker, which is what SinceLaunch counts
// from (otherwise it counts from the session's first request).
func (b *builder) hasLaunch(session string) bool {
	x := b.markers[session]
	return x == nil || len(x.launches) > 0
}

func build(r *model.Report) *page {
	b := newBuilder(r)
	p := &page{Tool: plain(r.Tool.Name+" "+r.Tool.Version, limitName)}
	p.Title = "sdkflow report"
	switch {
	case len(r.Apps) == 1:
		p.Title += ": " + appTitle(&r.Apps[0])
	case len(r.Apps) == 0 && len(r.Sessions) == 1:
		p.Title += ": session " + plain(r.Sessions[0].Name, limitName)
	}
	p.Verdicts = b.verdicts()
	b.findings(p)
	for i := range r.Sessions {
		p.Sessions = append(p.Sessions, b.session(&r.Sessions[i], i))
	}
	for i := range r.Apps {
		p.Apps = append(p.Apps, b.app(&r.Apps[i], i))
	}
	p.Provenance = b.provenance()
	return p
}

var severityOrder = []model.Severity{model.SeverityCritical, model.SeverityHigh, model.SeverityMedium, model.SeverityLow, model.SeverityInfo}

// severityClass is a severity as a CSS class name; anything unknown is "other".
func severityClass(s model.Severity) string {
	if s.Rank() > 0 {
		return string(s)
	}
	return "other"
}

func (b *builder) findings(p *page) {
	counts := map[string]int{}
	groups := map[string]*severityGroup{}
	active := 0
	for i := range b.r.Findings {
		f := &b.r.Findings[i]
		row := findingRow{N: i + 1, Severity: severityClass(f.Severity), Rule: plain(f.Rule, 20), SDK: b.sdkName(f.SDK),
			Summary: bound(firstSentence(f.Message), 300), Detailed: i < maxFindingDetails}
		if info, ok := model.Rule(f.Rule); ok {
			row.Title = info.Title
		}
		if i < maxFindingDetails {
			p.Details = append(p.Details, b.detail(f, row))
		}
		if i >= maxFindingRows {
			p.MoreRows++
			continue
		}
		if f.Suppressed != nil {
			p.Accepted = append(p.Accepted, row)
			continue
		}
		active++
		counts[row.Severity]++
		g := groups[row.Severity]
		if g == nil {
			g = &severityGroup{Severity: row.Severity}
			groups[row.Severity] = g
		}
		g.Rows = append(g.Rows, row)
	}
	p.MoreDetail = max(0, len(b.r.Findings)-maxFindingDetails)
	var parts []string
	for _, s := range append(slices.Clone(severityOrder), "other") {
		if g := groups[string(s)]; g != nil {
			p.Groups = append(p.Groups, *g)
			parts = append(parts, fmt.Sprintf("%d %s", counts[string(s)], s))
		}
	}
	switch {
	case active == 0:
		p.Summary = "No findings"
	default:
		p.Summary = prose.Plural(active, "finding", "findings") + ": " + strings.Join(parts, ", ")
	}
	if len(p.Accepted) > 0 {
		p.Summary += fmt.Sprintf(" · %d accepted by an allow file", len(p.Accepted))
	}
	p.Summary += "."
}

func (b *builder) detail(f *model.Finding, row findingRow) findingDetail {
	d := findingDetail{findingRow: row, Message: bound(f.Message, limitMessage), Fix: bound(f.Fix, limitMessage),
		Fingerprint: plain(f.Fingerprint, 80)}
	if info, ok := model.Rule(f.Rule); ok && len(info.ITMS) > 0 {
		d.ITMS = strings.Join(info.ITMS, ", ")
	}
	if s := f.Suppressed; s != nil {
		d.Accepted = &acceptedView{Reason: bound(s.Reason, limitMessage), Source: bound(s.Source, limitPath), Expires: plain(s.Expires, 40)}
	}
	for _, e := range f.Evidence {
		if e.Flow != nil {
			if len(d.Flows) == maxFlowsPerFind {
				d.MoreFlows++
				continue
			}
			d.Flows = append(d.Flows, b.flowEvidence(e))
			continue
		}
		if len(d.Static) == maxStaticPerFind {
			d.MoreStatic++
			continue
		}
		d.Static = append(d.Static, evidence(e))
	}
	if len(d.Flows) > 0 && f.SDK != "" {
		// A traffic finding: the static evidence that the SDK is in the app backs it.
		if s := b.sdks[f.SDK]; s != nil {
			v := sdkInventory(s)
			d.Inventory = &v
		}
	}
	return d
}

func evidence(e model.Evidence) evidenceView {
	v := evidenceView{Kind: bound(e.Kind, 40), Path: bound(e.Path, limitPath), Value: bound(e.Value, limitValue),
		Pattern: bound(e.Pattern, limitValue), Detail: bound(e.Detail, limitValue)}
	if e.Session != "" {
		v.Where = "session " + plain(e.Session, limitName)
	}
	return v
}

func (b *builder) flowEvidence(e model.Evidence) flowView {
	f := b.flow(e.Session, *e.Flow)
	if f == nil {
		return flowView{Session: bound(e.Session, limitName), Index: *e.Flow, Missing: true, URL: bound(e.Value, limitURL)}
	}
	v := flowView{
		Session: bound(e.Session, limitName), Index: f.Index, When: b.since(e.Session, f), Method: bound(f.Method, 20),
		URL: bound(f.URL, limitURL), Host: bound(f.Host, limitName), Endpoint: bound(f.Endpoint, limitValue),
		Phase: phaseWords(f.Phase), ATT: attWords(f.ATT), Context: b.markerContext(e.Session, f),
		Error: bound(f.Error, limitValue), Personal: personal(f), Kind: plain(f.Kind, 20), Description: plain(e.Detail, limitValue),
	}
	if !f.Time.IsZero() {
		v.Time = f.Time.UTC().Format("2006-01-02 15:04:05.000 UTC")
	}
	if f.Status != 0 {
		v.Status = strconv.Itoa(f.Status)
	}
	if f.SDK != nil {
		v.SDK = b.sdkName(*f.SDK)
	}
	for i, d := range f.Data {
		if i == maxDataItems || b.dataRows >= dataRowBudget {
			v.MoreData = len(f.Data) - i
			break
		}
		b.dataRows++
		v.Data = append(v.Data, dataView{Type: bound(d.Type, 60), Location: bound(d.Location, limitValue),
			Value: bound(d.Value, limitValue), Match: bound(d.Match, limitValue), Personal: d.Personal})
	}
	for i, pr := range f.Problems {
		if i == 10 {
			break
		}
		v.Problems = append(v.Problems, bound(pr, limitValue))
	}
	if x := f.Exhibit; x != nil {
		ev := &exhibitView{Layers: plain(strings.Join(x.Layers, " → "), limitValue),
			Body: boundBlock(x.Body, limitExhibit), BodySize: x.BodySize, Truncated: x.Truncated}
		for _, h := range x.Headers {
			ev.Headers = append(ev.Headers, headerView{Name: bound(h.Name, limitName), Value: bound(h.Value, limitValue)})
		}
		v.Exhibit = ev
	}
	return v
}

func (b *builder) since(session string, f *model.Flow) string {
	if f.Time.IsZero() {
		return "time unknown"
	}
	if f.SinceLaunch < 0 {
		return exactSeconds(-f.SinceLaunch) + " before launch"
	}
	if b.hasLaunch(session) {
		return exactSeconds(f.SinceLaunch) + " after launch"
	}
	return exactSeconds(f.SinceLaunch) + " after the first request"
}

func phaseWords(p string) string {
	switch p {
	case model.PhaseBeforeConsent:
		return "before consent"
	case model.PhaseAfterConsent:
		return "after consent"
	case model.PhaseAfterRefusal:
		return "after refusal"
	}
	return plain(p, 40)
}

func attWords(a string) string {
	switch a {
	case model.ATTNotDetermined:
		return "ATT not determined"
	case model.ATTAuthorized:
		return "ATT authorized"
	case model.ATTDenied:
		return "ATT denied"
	case "":
		return ""
	}
	return "ATT " + plain(a, 40)
}

// markerContext says which consent or ATT marker a flow follows and which it precedes, and by
// how much.
func (b *builder) markerContext(session string, f *model.Flow) string {
	x := b.markers[session]
	if x == nil || f.Time.IsZero() {
		return ""
	}
	prev, next := around(x.events, f.Time)
	var parts []string
	if prev != nil {
		parts = append(parts, fmt.Sprintf("%s after %s (at %s)", seconds(f.Time.Sub(prev.Time).Seconds()), plain(prev.Event, 40), x.since(prev.Time)))
	}
	if next != nil {
		parts = append(parts, fmt.Sprintf("%s before %s (at %s)", seconds(next.Time.Sub(f.Time).Seconds()), plain(next.Event, 40), x.since(next.Time)))
	}
	if len(x.consents) == 0 {
		parts = append(parts, "no consent was recorded in the session")
	}
	return strings.Join(parts, "; ")
}

// markerSince is a marker's time as flows count theirs.
func (b *builder) markerSince(s *model.Session, m *model.Marker) string {
	x := b.markers[s.Name]
	if x == nil {
		x = newMarkerIndex(s)
	}
	return x.since(m.Time)
}

func sdkInventory(s *model.SDK) sdkView {
	v := sdkView{ID: bound(s.ID, 80), Name: bound(s.Name, limitName), Vendor: bound(s.Vendor, limitName),
		Category: bound(s.Category, 60), Version: bound(s.Version, 60), Tracker: s.Tracker, AppleListed: s.AppleListed,
		Confidence: plain(s.Confidence, 20)}
	for _, p := range s.Bundles {
		v.Where = append(v.Where, bound(p, limitPath))
	}
	if len(v.Where) == 0 {
		for _, p := range s.Binaries {
			v.Where = append(v.Where, bound(p+" (linked in)", limitPath))
		}
	}
	if len(v.Where) > 5 {
		more := len(v.Where) - 5
		v.Where = append(v.Where[:5], text{S: fmt.Sprintf("and %d more", more)})
	}
	for i, e := range s.Evidence {
		if i == maxSDKEvidence {
			v.MoreEvidence = len(s.Evidence) - i
			break
		}
		v.Evidence = append(v.Evidence, evidence(e))
	}
	return v
}

func (b *builder) app(a *model.App, i int) appView {
	v := appView{Anchor: "app-" + strconv.Itoa(i+1), Title: appTitle(a), Path: bound(a.Path, limitPath), Kind: plain(a.Kind, 20),
		BundleID: bound(a.BundleID, limitName), Build: bound(a.Build, 60), MinOS: bound(a.MinOS, 20)}
	for _, in := range b.r.Inputs {
		if in.Path == a.Path {
			v.SHA256 = plain(in.SHA256, 64)
		}
	}
	for j := range a.SDKs {
		if j == maxSDKRows {
			v.MoreSDKs = len(a.SDKs) - j
			break
		}
		v.SDKs = append(v.SDKs, sdkInventory(&a.SDKs[j]))
	}
	for j, bin := range a.Binaries {
		if j == maxBinaries {
			v.MoreBins = len(a.Binaries) - j
			break
		}
		var archs []string
		for _, x := range bin.Archs {
			archs = append(archs, plain(x, 20))
		}
		v.Binaries = append(v.Binaries, binaryView{Path: bound(bin.Path, limitPath), Type: plain(bin.Type, 20),
			Archs: strings.Join(archs, ", "), Size: bytesize(bin.Size), SHA256: plain(bin.SHA256, 64),
			Encrypted: bin.Encrypted, Signed: bin.CodeSigned})
	}
	for _, l := range a.Limitations {
		if len(v.Limitations)+len(v.Errors) == maxNotes {
			v.MoreNotes++
			continue
		}
		v.Limitations = append(v.Limitations, bound(l, limitMessage))
	}
	for _, e := range a.Errors {
		if len(v.Limitations)+len(v.Errors) == maxNotes {
			v.MoreNotes++
			continue
		}
		v.Errors = append(v.Errors, errorText(e))
	}
	if pr := a.Declarations.Privacy; pr != nil {
		v.Privacy = privacy(pr)
	}
	return v
}

func privacy(pr *model.PrivacyReport) *privacyView {
	v := &privacyView{Tracking: pr.Tracking}
	by := func(sdks, manifests []string) text {
		if len(sdks) > 0 {
			return bound(strings.Join(sdks, ", "), limitValue)
		}
		return bound(strings.Join(manifests, ", "), limitValue)
	}
	for _, t := range pr.DataTypes {
		if len(v.DataTypes) == maxPrivacyRows {
			v.More++
			continue
		}
		var purposes []string
		for _, p := range t.Purposes {
			purposes = append(purposes, strings.TrimPrefix(p, "NSPrivacyCollectedDataTypePurpose"))
		}
		v.DataTypes = append(v.DataTypes, privacyRow{Name: bound(strings.TrimPrefix(t.Type, "NSPrivacyCollectedDataType"), 80),
			Detail: bound(strings.Join(purposes, ", "), limitValue), Linked: yesNo(t.Linked), Tracking: yesNo(t.Tracking),
			By: by(t.SDKs, t.Manifests)})
	}
	for _, a := range pr.AccessedAPIs {
		if len(v.APIs) == maxPrivacyRows {
			v.More++
			continue
		}
		v.APIs = append(v.APIs, privacyRow{Name: bound(strings.TrimPrefix(a.Category, "NSPrivacyAccessedAPICategory"), 80),
			Detail: bound(strings.Join(a.Reasons, ", "), limitValue), By: by(a.SDKs, a.Manifests)})
	}
	for _, d := range pr.TrackingDomains {
		if len(v.Domains) == maxPrivacyRows {
			v.More++
			continue
		}
		v.Domains = append(v.Domains, bound(d.Value, limitName))
	}
	return v
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (b *builder) session(s *model.Session, i int) sessionView {
	v := sessionView{Anchor: text{S: "session-" + strconv.Itoa(i+1)}, Name: bound(s.Name, limitName), Source: bound(s.Source, limitPath)}
	if !s.Started.IsZero() {
		v.Started = s.Started.UTC().Format(time.RFC3339)
	}
	if !s.Ended.IsZero() {
		v.Ended = s.Ended.UTC().Format(time.RFC3339)
	}
	v.NoLaunch = true
	for j := range s.Markers {
		m := &s.Markers[j]
		if m.Event == model.MarkLaunch {
			v.NoLaunch = false
		}
		if j == maxMarkers {
			v.MoreMarkers = len(s.Markers) - j
			continue
		}
		mv := markerView{Event: bound(m.Event, 64), Note: bound(m.Note, limitValue), Source: bound(m.Source, 40),
			Since: b.markerSince(s, m)}
		if !m.Time.IsZero() {
			mv.Time = m.Time.UTC().Format("2006-01-02 15:04:05.000 UTC")
		}
		v.Markers = append(v.Markers, mv)
	}
	parties := map[string]bool{}
	withData := 0
	for j := range s.Flows {
		f := &s.Flows[j]
		parties[partyOf(f)] = true
		if f.Kind == model.FlowTLSFailure {
			v.TLSFailures++
		}
		if f.Time.IsZero() {
			v.WithoutTiming++
		}
		if !personal(f) {
			continue
		}
		withData++
		if len(v.Personal) == maxPersonalFlows {
			v.MorePersonal++
			continue
		}
		var types []string
		for _, d := range f.Data {
			if d.Personal && !slices.Contains(types, d.Type) {
				types = append(types, d.Type)
			}
		}
		row := flowRow{Index: f.Index, When: b.since(s.Name, f), Phase: phaseWords(f.Phase), ATT: attWords(f.ATT),
			Method: bound(f.Method, 20), Host: bound(f.Host, limitName), Types: plain(strings.Join(types, ", "), limitValue),
			Findings: detailed(b.cited[s.Name][f.Index])}
		if f.SDK != nil {
			row.SDK = bound(b.sdkName(*f.SDK), limitName)
		}
		v.Personal = append(v.Personal, row)
	}
	v.WithData = prose.Count(withData)
	v.Summary = fmt.Sprintf("%s to %s, %s carrying personal data", prose.Plural(len(s.Flows), "request", "requests"),
		prose.Plural(len(parties), "party", "parties"), prose.Count(withData))
	if v.TLSFailures > 0 {
		v.Summary += fmt.Sprintf(", %s refused our certificate (pinning or an untrusted CA)", prose.Count(v.TLSFailures))
	}
	v.Summary += "."
	if x := b.markers[s.Name]; x != nil && len(x.consents) == 0 {
		v.Summary += " No consent marker: every request counts as sent before consent."
	}
	for j, e := range s.Errors {
		if j == maxNotes {
			break
		}
		v.Errors = append(v.Errors, errorText(e))
	}
	v.Timeline = b.timeline(s)
	return v
}

func (b *builder) provenance() provenance {
	t := b.r.Tool
	v := provenance{Tool: plain(t.Name, 60), Version: plain(t.Version, 60), SchemaVersion: plain(b.r.SchemaVersion, 20),
		SigVersion: plain(t.Signatures.Version, 60), SigDigest: plain(t.Signatures.Digest, 80), SigCount: t.Signatures.Count}
	for _, s := range t.Signatures.Sources {
		v.SigSources = append(v.SigSources, bound(s, limitPath))
	}
	if !b.r.GeneratedAt.IsZero() {
		v.Generated = b.r.GeneratedAt.UTC().Format(time.RFC3339)
	}
	for _, in := range b.r.Inputs {
		iv := inputView{Path: bound(in.Path, limitPath), Kind: plain(in.Kind, 20), SHA256: plain(in.SHA256, 64)}
		if in.Size > 0 {
			iv.Size = bytesize(in.Size)
		}
		v.Inputs = append(v.Inputs, iv)
	}
	for _, s := range b.r.SkippedRules {
		sv := skippedView{Rule: plain(s.Rule, 20), Reason: bound(s.Reason, limitValue)}
		if info, ok := model.Rule(s.Rule); ok {
			sv.Title = info.Title
		}
		v.Skipped = append(v.Skipped, sv)
	}
	for i, e := range b.r.Errors {
		if i == maxNotes {
			break
		}
		v.Errors = append(v.Errors, errorText(e))
	}
	return v
}

// errorText is a model.Error as one line: stage, path, message.
func errorText(e model.Error) text {
	s := e.Stage
	if e.Path != "" {
		s += ": " + e.Path
	}
	return bound(s+": "+e.Message, limitMessage)
}

// detailed keeps the finding numbers that have an evidence block to link to.
func detailed(ns []int) []int {
	var out []int
	for _, n := range ns {
		if n <= maxFindingDetails {
			out = append(out, n)
		}
	}
	return out
}
