// Package table renders a report for a person at a terminal: the verdict first, then each app's
// SDKs, then the sessions. Captured content is hostile, so every value is stripped of control
// characters before it reaches the terminal.
package table

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

// Encoder writes the terminal table.
type Encoder struct{}

// Name implements report.Encoder.
func (Encoder) Name() string { return "table" }

// Encode implements report.Encoder.
func (Encoder) Encode(w io.Writer, r *model.Report, opt report.Options) error {
	p := &printer{w: w, color: opt.Color}
	p.findings(r)
	for i := range r.Apps {
		p.app(&r.Apps[i])
	}
	for i := range r.Sessions {
		p.session(&r.Sessions[i])
	}
	if len(r.SkippedRules) > 0 {
		p.heading("Rules not run")
		for _, s := range r.SkippedRules {
			p.linef("  %s  %s", s.Rule, clean(s.Reason))
		}
	}
	for _, e := range r.Errors {
		p.linef("error: %s", clean(e.Error()))
	}
	p.linef("")
	p.linef("%s %s · signatures %s (%d) · %s", r.Tool.Name, r.Tool.Version, r.Tool.Signatures.Version,
		r.Tool.Signatures.Count, inputsLine(r.Inputs))
	return p.err
}

type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) linef(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

// ANSI codes all five bytes long, so tabwriter columns stay aligned whichever is used.
const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	blue   = "\x1b[34m"
	grey   = "\x1b[90m"
	bold   = "\x1b[01m"
	reset  = "\x1b[0m"
)

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + reset
}

func (p *printer) heading(s string) {
	p.linef("")
	p.linef("%s", p.paint(bold, s))
}

func severityColor(s model.Severity) string {
	switch s {
	case model.SeverityCritical, model.SeverityHigh:
		return red
	case model.SeverityMedium:
		return yellow
	case model.SeverityLow:
		return blue
	}
	return grey
}

func (p *printer) findings(r *model.Report) {
	active, suppressed := 0, 0
	for _, f := range r.Findings {
		if f.Suppressed != nil {
			suppressed++
		} else {
			active++
		}
	}
	switch {
	case len(r.Findings) == 0:
		p.linef("%s", p.paint(bold, "No findings."))
		return
	case suppressed > 0:
		p.linef("%s", p.paint(bold, fmt.Sprintf("%d findings (%d suppressed)", active, suppressed)))
	default:
		p.linef("%s", p.paint(bold, fmt.Sprintf("%d findings", active)))
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	for _, f := range r.Findings {
		sev := strings.ToUpper(string(f.Severity))
		if f.Suppressed != nil {
			sev = "ALLOWED"
		}
		sdk := f.SDK
		if sdk == "" {
			sdk = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.paint(severityColor(f.Severity), sev), f.Rule, clean(sdk), cleanN(f.Message, messageLimit))
		if len(f.Evidence) > 0 {
			fmt.Fprintf(tw, "  \t\t\t%s\n", p.paint(grey, "↳ "+clean(evidenceLine(f.Evidence[0]))))
		}
		if f.Fix != "" && f.Suppressed == nil {
			fmt.Fprintf(tw, "  \t\t\t%s\n", "fix: "+cleanN(f.Fix, messageLimit))
		}
		if f.Suppressed != nil {
			fmt.Fprintf(tw, "  \t\t\t%s\n", p.paint(grey, "allowed: "+clean(f.Suppressed.Reason)))
		}
	}
	if err := tw.Flush(); err != nil && p.err == nil {
		p.err = err
	}
}

func evidenceLine(e model.Evidence) string {
	var b strings.Builder
	if e.Flow != nil {
		fmt.Fprintf(&b, "flow #%d ", *e.Flow)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
	}
	if e.Value != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Value)
	}
	if e.Detail != "" {
		b.WriteString(" (" + e.Detail + ")")
	}
	return b.String()
}

func (p *printer) app(a *model.App) {
	title := a.BundleID
	if a.Name != "" {
		title = a.Name + " (" + a.BundleID + ")"
	}
	if a.Version != "" {
		title += " " + a.Version
	}
	p.heading(clean(title) + "  " + p.paint(grey, clean(a.Path)))
	encrypted := 0
	for _, b := range a.Binaries {
		if b.Encrypted {
			encrypted++
		}
	}
	p.linef("  %d bundles, %d binaries (%d encrypted), %d SDKs", len(a.Bundles), len(a.Binaries), encrypted, len(a.SDKs))
	if len(a.SDKs) > 0 {
		tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", "SDK", "VERSION", "CATEGORY", "TRACKER", "CONFIDENCE", "WHERE")
		for _, s := range a.SDKs {
			version := s.Version
			if version == "" {
				version = "?"
			}
			tracker := "no"
			if s.Tracker {
				tracker = p.paint(red, "yes")
			} else {
				tracker = p.paint(grey, tracker)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", clean(s.Name), clean(version), clean(s.Category), tracker, s.Confidence, clean(where(s)))
		}
		if err := tw.Flush(); err != nil && p.err == nil {
			p.err = err
		}
	}
	for _, l := range a.Limitations {
		p.linef("  %s %s", p.paint(yellow, "limited:"), clean(l))
	}
	for _, e := range a.Errors {
		p.linef("  %s %s", p.paint(red, "error:"), clean(e.Error()))
	}
}

// where names the SDK's binary or bundle in one short phrase.
func where(s model.SDK) string {
	var places []string
	for _, b := range s.Bundles {
		places = append(places, lastElem(b))
	}
	if len(places) == 0 {
		for _, b := range s.Binaries {
			places = append(places, lastElem(b)+" (linked in)")
		}
	}
	if len(places) > 2 {
		places = append(places[:2], "+"+strconv.Itoa(len(places)-2))
	}
	return strings.Join(places, ", ")
}

func lastElem(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func (p *printer) session(s *model.Session) {
	p.heading("Session " + clean(s.Name) + "  " + p.paint(grey, clean(s.Source)))
	p.linef("  %d flows, %d markers", len(s.Flows), len(s.Markers))
	for _, m := range s.Markers {
		note := ""
		if m.Note != "" {
			note = " — " + clean(m.Note)
		}
		p.linef("  %s %s%s", m.Time.UTC().Format("15:04:05.000"), clean(m.Event), note)
	}
	type count struct {
		flows, before, personal int
	}
	counts := map[string]*count{}
	var order []string
	for _, f := range s.Flows {
		key := f.Party
		if f.SDK != nil {
			key = *f.SDK
		}
		if key == "" {
			key = f.Host
		}
		c, ok := counts[key]
		if !ok {
			c = &count{}
			counts[key] = c
			order = append(order, key)
		}
		c.flows++
		if f.Phase == model.PhaseBeforeConsent {
			c.before++
		}
		for _, d := range f.Data {
			if d.Personal {
				c.personal++
				break
			}
		}
	}
	if len(order) == 0 {
		return
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", "SDK / PARTY", "FLOWS", "BEFORE CONSENT", "WITH PERSONAL DATA")
	for _, k := range order {
		c := counts[k]
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\n", clean(k), c.flows, c.before, c.personal)
	}
	if err := tw.Flush(); err != nil && p.err == nil {
		p.err = err
	}
}

func inputsLine(inputs []model.Input) string {
	var parts []string
	for _, in := range inputs {
		d := in.SHA256
		if len(d) > 12 {
			d = d[:12]
		}
		parts = append(parts, clean(in.Path)+" sha256:"+d)
	}
	return strings.Join(parts, ", ")
}

// clean makes hostile text safe for a terminal: control characters (escape sequences, carriage
// returns, tabs that would break columns) become visible \x escapes, and length is bounded.
func clean(s string) string { return cleanN(s, 200) }

// messageLimit bounds a finding's message and fix: they carry paths, keys and reason codes
// the reader needs whole.
const messageLimit = 1000

// cleanN is clean with a given bound in characters.
func cleanN(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= max {
			b.WriteString("…")
			break
		}
		n++
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
