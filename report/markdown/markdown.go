// Package markdown renders a report as GitHub-flavoured Markdown that fits a pull-request
// comment: a summary line, a findings table, each finding's details in a collapsible block,
// then each app's inventory. Long reports are cut with a pointer to the full report, since a
// comment holds at most 65,536 characters.
package markdown

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"io"
	"strings"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

// Encoder writes Markdown.
type Encoder struct{}

// Name implements report.Encoder.
func (Encoder) Name() string { return "markdown" }

// Bounds that keep a comment within GitHub's limit on large apps.
const (
	maxTableRows     = 100
	maxDetails       = 50
	maxEvidence      = 10
	maxSDKRows       = 100
	cellLimit        = 300
	messageLimit     = 1000
	maxNotes         = 20
	evidenceLimit    = 300
	maxPrivacyValues = 40
)

// Encode implements report.Encoder.
func (Encoder) Encode(w io.Writer, r *model.Report, _ report.Options) error {
	p := &printer{w: w}
	p.summary(r)
	p.findingsTable(r)
	p.details(r)
	for i := range r.Apps {
		p.inventory(&r.Apps[i])
	}
	p.notRun(r)
	p.footer(r)
	return p.err
}

type printer struct {
	w   io.Writer
	n   int // bytes written, for the size budget
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		var k int
		k, p.err = fmt.Fprintf(p.w, format, args...)
		p.n += k
	}
}

// Size budget, in bytes written so far (GitHub counts characters, which are fewer): each
// section stops adding entries past its mark, so the whole stays under 65,536.
const (
	tableBudget     = 24_000
	detailsBudget   = 48_000
	inventoryBudget = 58_000
	finalBudget     = 62_000
)

var severityMark = map[model.Severity]string{
	model.SeverityCritical: "🟣 critical",
	model.SeverityHigh:     "🔴 high",
	model.SeverityMedium:   "🟠 medium",
	model.SeverityLow:      "🟡 low",
	model.SeverityInfo:     "⚪ info",
}

var severityOrder = []model.Severity{model.SeverityCritical, model.SeverityHigh, model.SeverityMedium, model.SeverityLow, model.SeverityInfo}

func (p *printer) summary(r *model.Report) {
	counts := map[model.Severity]int{}
	active, suppressed := 0, 0
	for _, f := range r.Findings {
		if f.Suppressed != nil {
			suppressed++
			continue
		}
		active++
		counts[f.Severity]++
	}
	var apps []string
	for _, a := range r.Apps {
		apps = append(apps, appTitle(&a))
	}
	scope := ""
	if len(apps) > 0 {
		scope = " in " + strings.Join(apps, ", ")
	}
	if active == 0 {
		p.f("## ✅ sdkflow: no findings%s", scope)
	} else {
		var parts []string
		for _, s := range severityOrder {
			if counts[s] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
			}
		}
		p.f("## ❌ sdkflow: %d finding%s%s (%s)", active, prose.S(active), scope, strings.Join(parts, ", "))
	}
	if suppressed > 0 {
		p.f(" · %d accepted", suppressed)
	}
	p.f("\n\n")
}

func appTitle(a *model.App) string {
	name := a.DisplayName()
	t := text(name, 80)
	if a.Version != "" {
		t += " " + text(a.Version, 40)
	}
	return t
}

func ruleCell(f *model.Finding) string {
	s := f.Rule
	if info, ok := model.Rule(f.Rule); ok && len(info.ITMS) > 0 {
		s += " (" + strings.Join(info.ITMS, ", ") + ")"
	}
	return s
}

func (p *printer) findingsTable(r *model.Report) {
	if len(r.Findings) == 0 {
		return
	}
	p.f("| Severity | Rule | SDK | Finding | Where |\n|---|---|---|---|---|\n")
	for i := range r.Findings {
		if i == maxTableRows || p.n > tableBudget {
			p.f("\n_%d more findings are in the full report (`-o json` or `-o sarif`)._\n", len(r.Findings)-i)
			break
		}
		f := &r.Findings[i]
		sev := severityMark[f.Severity]
		if sev == "" {
			sev = text(string(f.Severity), 20)
		}
		if f.Suppressed != nil {
			sev = "✔️ accepted (" + string(f.Severity) + ")"
		}
		sdk := "–"
		if f.SDK != "" {
			sdk = text(f.SDK, 60)
		}
		where := "–"
		if len(f.Evidence) > 0 {
			where = evidenceWhere(f.Evidence[0])
		}
		p.f("| %s | %s | %s | %s | %s |\n", sev, ruleCell(f), sdk, text(firstSentence(f.Message), cellLimit), where)
	}
	p.f("\n")
}

func evidenceWhere(e model.Evidence) string {
	switch {
	case e.Flow != nil:
		return fmt.Sprintf("flow %d of %s", *e.Flow, cellCode(e.Session, 60))
	case e.Path != "":
		return cellCode(shortPath(e.Path), 120)
	}
	return "–"
}

// shortPath keeps the last three elements of a long path: enough to name the file in a table.
func shortPath(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) <= 3 {
		return p
	}
	return "…/" + strings.Join(parts[len(parts)-3:], "/")
}

// firstSentence keeps a table cell to the message's first sentence.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

func (p *printer) details(r *model.Report) {
	if len(r.Findings) == 0 {
		return
	}
	n := min(len(r.Findings), maxDetails)
	p.f("<details><summary>Details</summary>\n\n")
	for i := 0; i < n; i++ {
		if p.n > detailsBudget {
			n = i
			break
		}
		f := &r.Findings[i]
		title := fmt.Sprintf("%d. %s · %s", i+1, ruleCell(f), f.Severity)
		if info, ok := model.Rule(f.Rule); ok {
			title += " · " + info.Title
		}
		if f.SDK != "" {
			title += " · " + text(f.SDK, 60)
		}
		p.f("#### %s\n\n", title)
		p.f("%s\n\n", text(f.Message, messageLimit))
		if f.Fix != "" {
			p.f("**Fix:** %s\n\n", text(f.Fix, messageLimit))
		}
		if s := f.Suppressed; s != nil {
			p.f("**Accepted** by %s: %s", code(s.Source, 200), text(s.Reason, messageLimit))
			if s.Expires != "" {
				p.f(" (until %s)", text(s.Expires, 20))
			}
			p.f("\n\n")
		}
		if len(f.Evidence) > 0 {
			p.f("Evidence:\n")
			for j, e := range f.Evidence {
				if j == maxEvidence {
					p.f("- and %d more\n", len(f.Evidence)-j)
					break
				}
				p.f("- %s\n", evidenceLine(e, j == 0))
			}
			p.f("\n")
		}
		p.f("<sub>fingerprint %s</sub>\n\n", code(f.Fingerprint, 80))
	}
	if len(r.Findings) > n {
		p.f("_%d more findings are in the full report._\n\n", len(r.Findings)-n)
	}
	p.f("</details>\n\n")
}

func evidenceLine(e model.Evidence, primary bool) string {
	var b strings.Builder
	if primary {
		b.WriteString("**" + text(e.Kind, 40) + "**")
	} else {
		b.WriteString(text(e.Kind, 40))
	}
	if e.Flow != nil {
		fmt.Fprintf(&b, " flow %d of session %s", *e.Flow, code(e.Session, 80))
	}
	if e.Path != "" {
		b.WriteString(" " + code(e.Path, evidenceLimit))
	}
	if e.Value != "" {
		b.WriteString(": " + code(e.Value, evidenceLimit))
	}
	if e.Detail != "" {
		b.WriteString(" — " + text(e.Detail, evidenceLimit))
	}
	return b.String()
}

func (p *printer) inventory(a *model.App) {
	p.f("<details><summary>Inventory of %s: %d SDK%s, %d binar%s</summary>\n\n", appTitle(a),
		len(a.SDKs), prose.S(len(a.SDKs)), len(a.Binaries), map[bool]string{true: "y", false: "ies"}[len(a.Binaries) == 1])
	p.f("Input %s (%s), bundle id %s.\n\n", code(a.Path, 200), text(a.Kind, 20), code(a.BundleID, 200))
	if len(a.SDKs) > 0 {
		p.f("| SDK | Version | Category | Tracker | On Apple's list | Confidence | Where |\n|---|---|---|---|---|---|---|\n")
		for i, s := range a.SDKs {
			if i == maxSDKRows || p.n > inventoryBudget {
				p.f("\n_%d more SDKs are in the full report._\n", len(a.SDKs)-i)
				break
			}
			version := s.Version
			if version == "" {
				version = "?"
			}
			p.f("| %s (%s) | %s | %s | %s | %s | %s | %s |\n", text(s.Name, 80), cellCode(s.ID, 60), text(version, 40),
				text(s.Category, 40), yesNo(s.Tracker), yesNo(s.AppleListed), text(s.Confidence, 10), sdkWhere(&s))
		}
		p.f("\n")
	}
	if pr := a.Declarations.Privacy; pr != nil {
		p.privacy(pr)
	}
	notes := 0
	for _, l := range a.Limitations {
		if notes == maxNotes || p.n > inventoryBudget {
			break
		}
		notes++
		p.f("- ⚠️ %s\n", text(l, messageLimit))
	}
	for _, e := range a.Errors {
		if notes == maxNotes || p.n > inventoryBudget {
			break
		}
		notes++
		p.f("- ❗ %s\n", text(e.Error(), messageLimit))
	}
	if more := len(a.Limitations) + len(a.Errors) - notes; more > 0 {
		p.f("- and %d more limitations and errors in the full report\n", more)
	}
	if len(a.Limitations)+len(a.Errors) > 0 {
		p.f("\n")
	}
	p.f("</details>\n\n")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func sdkWhere(s *model.SDK) string {
	var places []string
	for _, b := range s.Bundles {
		places = append(places, cellCode(shortPath(b), 120))
	}
	if len(places) == 0 {
		for _, b := range s.Binaries {
			places = append(places, cellCode(shortPath(b), 120)+" (linked in)")
		}
	}
	if len(places) > 3 {
		places = append(places[:3], fmt.Sprintf("+%d", len(places)-3))
	}
	if len(places) == 0 {
		return "–"
	}
	return strings.Join(places, ", ")
}

// privacy prints the merged privacy report, as Xcode's privacy report shows it.
func (p *printer) privacy(pr *model.PrivacyReport) {
	p.f("**Privacy manifests, merged** (tracking: %s)\n\n", yesNo(pr.Tracking))
	if len(pr.DataTypes) > 0 {
		p.f("| Data type | Linked | Tracking | Purposes | Declared by |\n|---|---|---|---|---|\n")
		for i, t := range pr.DataTypes {
			if i == maxPrivacyValues || p.n > inventoryBudget {
				p.f("\n_%d more data types in the full report._\n", len(pr.DataTypes)-i)
				break
			}
			var purposes []string
			for _, x := range t.Purposes {
				purposes = append(purposes, text(strings.TrimPrefix(x, "NSPrivacyCollectedDataTypePurpose"), 60))
			}
			p.f("| %s | %s | %s | %s | %s |\n", text(strings.TrimPrefix(t.Type, "NSPrivacyCollectedDataType"), 80),
				yesNo(t.Linked), yesNo(t.Tracking), strings.Join(purposes, ", "), declaredBy(t.SDKs, t.Manifests))
		}
		p.f("\n")
	}
	if len(pr.AccessedAPIs) > 0 {
		p.f("| Required-reason API | Reasons | Declared by |\n|---|---|---|\n")
		for _, a := range pr.AccessedAPIs {
			var reasons []string
			for _, x := range a.Reasons {
				reasons = append(reasons, cellCode(x, 20))
			}
			p.f("| %s | %s | %s |\n", text(strings.TrimPrefix(a.Category, "NSPrivacyAccessedAPICategory"), 80), strings.Join(reasons, ", "), declaredBy(a.SDKs, a.Manifests))
		}
		p.f("\n")
	}
	if len(pr.TrackingDomains) > 0 {
		var ds []string
		for i, d := range pr.TrackingDomains {
			if i == maxPrivacyValues {
				ds = append(ds, fmt.Sprintf("and %d more", len(pr.TrackingDomains)-i))
				break
			}
			ds = append(ds, code(d.Value, 120))
		}
		p.f("Tracking domains: %s\n\n", strings.Join(ds, ", "))
	}
}

func declaredBy(sdks, manifests []string) string {
	if len(sdks) > 0 {
		var out []string
		for _, s := range sdks {
			out = append(out, text(s, 60))
		}
		return strings.Join(out, ", ")
	}
	if len(manifests) == 1 {
		return cellCode(shortPath(manifests[0]), 120)
	}
	return fmt.Sprintf("%d manifests", len(manifests))
}

func (p *printer) notRun(r *model.Report) {
	if len(r.SkippedRules) == 0 && len(r.Errors) == 0 {
		return
	}
	p.f("<details><summary>Not checked</summary>\n\n")
	for _, s := range r.SkippedRules {
		p.f("- %s not run: %s\n", s.Rule, text(s.Reason, 300))
	}
	for i, e := range r.Errors {
		if i == maxNotes || p.n > finalBudget {
			p.f("- and %d more errors in the full report\n", len(r.Errors)-i)
			break
		}
		p.f("- ❗ %s\n", text(e.Error(), messageLimit))
	}
	p.f("\n</details>\n\n")
}

func (p *printer) footer(r *model.Report) {
	var inputs []string
	for i, in := range r.Inputs {
		if i == 10 {
			inputs = append(inputs, fmt.Sprintf("and %d more inputs", len(r.Inputs)-i))
			break
		}
		d := in.SHA256
		if len(d) > 12 {
			d = d[:12]
		}
		s := code(in.Path, 120)
		if d != "" {
			s += " sha256:" + code(d, 12)
		}
		inputs = append(inputs, s)
	}
	p.f("<sub>%s %s · signatures %s (%d)", text(r.Tool.Name, 40), text(r.Tool.Version, 40),
		text(r.Tool.Signatures.Version, 40), r.Tool.Signatures.Count)
	if len(inputs) > 0 {
		p.f(" · %s", strings.Join(inputs, ", "))
	}
	p.f("</sub>\n")
}
