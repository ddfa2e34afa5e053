// Package sarif renders a report as SARIF 2.1.0 for code-scanning tools (GitHub code scanning,
// GitLab, Azure DevOps): one rule per sdkflow rule ID, one result per finding.
//
// The SARIF objects are hand-built structs rather than owenrumney/go-sarif: that library
// writes a dozen empty arrays and placeholder values (rank -1, ruleIndex -1) into every result
// and brings its own JSON Schema validator into the binary; sdkflow needs a dozen small types
// and validates its output in tests against the official schema committed under schema/.
//
// Locations: a finding's evidence paths are paths inside the app, so each artifact location is
// that relative path with a uriBaseId naming the app (APP, or APP1, APP2... for several apps),
// and run.originalUriBaseIds says which input each id stands for. Accepted findings carry a
// suppression with the allow file's reason, so code scanning shows them as dismissed.
package sarif

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

const (
	schemaURI      = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	informationURI = "https://github.com/sdkflow/sdkflow"
	// FingerprintKey names sdkflow's fingerprint among a result's partialFingerprints.
	FingerprintKey = "sdkflowFingerprint/v1"
)

// Encoder writes SARIF 2.1.0.
type Encoder struct{}

// Name implements report.Encoder.
func (Encoder) Name() string { return "sarif" }

// Encode implements report.Encoder.
func (Encoder) Encode(w io.Writer, r *model.Report, _ report.Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(build(r))
}

func build(r *model.Report) log {
	rules, index := descriptors()
	bases := newBaseIDs(r.Apps)
	ru := run{
		Tool: tool{Driver: toolComponent{
			Name: r.Tool.Name, Version: r.Tool.Version, InformationURI: informationURI, Rules: rules,
		}},
		OriginalURIBaseIDs: bases.originals(),
		Results:            []result{},
		Properties: map[string]any{
			"signatures": r.Tool.Signatures,
		},
	}
	if ru.Tool.Driver.Name == "" {
		ru.Tool.Driver.Name = "sdkflow"
	}
	for i := range r.Findings {
		ru.Results = append(ru.Results, toResult(&r.Findings[i], index, bases))
	}
	ru.Invocations = []invocation{invocationOf(r)}
	return log{Schema: schemaURI, Version: "2.1.0", Runs: []run{ru}}
}

// Levels and security-severity scores by severity. GitHub reads security-severity as a
// CVSS-like score (9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, below 4.0 low) for rules
// tagged "security".
func level(s model.Severity) string {
	switch s {
	case model.SeverityCritical, model.SeverityHigh:
		return "error"
	case model.SeverityMedium:
		return "warning"
	}
	return "note"
}

func securitySeverity(s model.Severity) string {
	switch s {
	case model.SeverityCritical:
		return "9.5"
	case model.SeverityHigh:
		return "8.0"
	case model.SeverityMedium:
		return "5.5"
	case model.SeverityLow:
		return "3.0"
	}
	return "0.0"
}

// descriptors makes one rule per entry of the catalogue, in ID order.
func descriptors() ([]reportingDescriptor, map[string]int) {
	index := map[string]int{}
	out := make([]reportingDescriptor, 0, len(model.Rules))
	for i, r := range model.Rules {
		index[r.ID] = i
		tags := []string{"privacy", "security"}
		switch r.Needs {
		case model.NeedsStatic:
			tags = append(tags, "static")
		case model.NeedsTraffic:
			tags = append(tags, "traffic")
		case model.NeedsBoth:
			tags = append(tags, "static", "traffic")
		}
		if len(r.ITMS) > 0 {
			tags = append(tags, "app-store")
			tags = append(tags, r.ITMS...)
		}
		helpText := r.Help
		md := "**" + r.Title + "**\n\n" + r.Help
		if len(r.ITMS) > 0 {
			helpText += " App Store Connect: " + strings.Join(r.ITMS, ", ") + "."
			md += "\n\nApp Store Connect: " + strings.Join(r.ITMS, ", ") + "."
		}
		md += "\n\nNeeds: " + r.Needs + " analysis. Default severity: " + string(r.Severity) + "."
		out = append(out, reportingDescriptor{
			ID:                   r.ID,
			Name:                 ruleName(r.Title),
			ShortDescription:     &multiformatMessage{Text: r.Title},
			FullDescription:      &multiformatMessage{Text: r.Help},
			Help:                 &multiformatMessage{Text: helpText, Markdown: md},
			DefaultConfiguration: &reportingConfiguration{Level: level(r.Severity)},
			Properties: map[string]any{
				"security-severity": securitySeverity(r.Severity),
				"tags":              tags,
				"precision":         "high",
			},
		})
	}
	return out, index
}

// ruleName turns a title into the PascalCase name SARIF viewers show beside the ID.
func ruleName(title string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(title, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

func toResult(f *model.Finding, index map[string]int, bases *baseIDs) result {
	res := result{
		RuleID:              f.Rule,
		RuleIndex:           -1,
		Level:               level(f.Severity),
		Message:             message{Text: resultText(f)},
		PartialFingerprints: map[string]string{FingerprintKey: f.Fingerprint},
		Properties:          map[string]any{"severity": string(f.Severity)},
	}
	if i, ok := index[f.Rule]; ok {
		res.RuleIndex = i
	}
	if f.SDK != "" {
		res.Properties["sdk"] = f.SDK
	}
	if f.App != "" {
		res.Properties["app"] = f.App
	}
	if f.Fix != "" {
		res.Properties["fix"] = f.Fix
	}
	base := bases.forApp(f.App)
	for i, e := range f.Evidence {
		loc := toLocation(e, base)
		if i == 0 {
			res.Locations = []location{loc}
			continue
		}
		id := i
		loc.ID = &id
		res.RelatedLocations = append(res.RelatedLocations, loc)
	}
	if s := f.Suppressed; s != nil {
		props := map[string]any{"source": s.Source}
		if s.Expires != "" {
			props["expires"] = s.Expires
		}
		res.Suppressions = []suppression{{Kind: "external", Status: "accepted", Justification: s.Reason, Properties: props}}
	}
	return res
}

func resultText(f *model.Finding) string {
	if f.Fix == "" {
		return f.Message
	}
	return f.Message + "\nFix: " + f.Fix
}

// toLocation places one piece of evidence: a file inside the app, or a captured flow.
func toLocation(e model.Evidence, base string) location {
	var loc location
	if e.Path != "" {
		loc.PhysicalLocation = &physicalLocation{ArtifactLocation: artifactLocation{URI: relativeURI(e.Path), URIBaseID: base}}
	}
	if e.Flow != nil {
		name := "flow " + strconv.Itoa(*e.Flow)
		loc.LogicalLocations = []logicalLocation{{Name: name, FullyQualifiedName: e.Session + "/" + name, Kind: "request"}}
	}
	var parts []string
	for _, s := range []string{e.Value, e.Detail} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	text := e.Kind
	if len(parts) > 0 {
		text += ": " + strings.Join(parts, " — ")
	}
	loc.Message = &message{Text: text}
	return loc
}

// relativeURI escapes a slash path inside an app as a relative URI reference. Leading slashes
// are dropped, so it never reads as an absolute or network path, and a first segment holding a
// colon would read as a scheme, so such paths start with "./".
func relativeURI(p string) string {
	u := (&url.URL{Path: strings.TrimLeft(p, "/")}).EscapedPath()
	first, _, _ := strings.Cut(u, "/")
	if strings.Contains(first, ":") {
		u = "./" + u
	}
	return u
}

// baseIDs names each app's root for artifact locations.
type baseIDs struct {
	apps  []model.App
	names []string
}

func newBaseIDs(apps []model.App) *baseIDs {
	b := &baseIDs{apps: apps}
	for i := range apps {
		name := "APP"
		if len(apps) > 1 {
			name = "APP" + strconv.Itoa(i+1)
		}
		b.names = append(b.names, name)
	}
	return b
}

// forApp returns the base id of the app a finding names (by bundle id, or by path for an app
// without one); with several apps of the same bundle id, the first.
func (b *baseIDs) forApp(app string) string {
	for i, a := range b.apps {
		if app != "" && (a.BundleID == app || (a.BundleID == "" && a.Path == app)) {
			return b.names[i]
		}
	}
	if len(b.apps) == 1 {
		return b.names[0]
	}
	return ""
}

// originals resolves each base id to its input: an absolute file URI for an absolute path, or a
// path relative to the source root (%SRCROOT%) for a relative one, as CI jobs give them.
func (b *baseIDs) originals() map[string]artifactLocation {
	if len(b.apps) == 0 {
		return nil
	}
	out := map[string]artifactLocation{}
	for i, a := range b.apps {
		loc := artifactLocation{Description: &message{Text: fmt.Sprintf("the input %s (%s)", a.Path, a.Kind)}}
		p := filepath.ToSlash(a.Path)
		if filepath.IsAbs(a.Path) {
			loc.URI = (&url.URL{Scheme: "file", Path: strings.TrimSuffix(p, "/") + "/"}).String()
		} else {
			loc.URI = relativeURI(strings.TrimSuffix(p, "/") + "/")
			loc.URIBaseID = "%SRCROOT%"
		}
		out[b.names[i]] = loc
	}
	return out
}

// invocationOf reports rules that could not run and problems met, as notifications.
func invocationOf(r *model.Report) invocation {
	inv := invocation{ExecutionSuccessful: true}
	for _, s := range r.SkippedRules {
		inv.ToolConfigurationNotification = append(inv.ToolConfigurationNotification, notification{
			Level: "note", Message: message{Text: "rule not run: " + s.Reason}, Descriptor: &descriptorReference{ID: s.Rule},
		})
	}
	add := func(e model.Error) {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, notification{
			Level: "warning", Message: message{Text: e.Error()},
		})
	}
	for _, a := range r.Apps {
		for _, e := range a.Errors {
			add(e)
		}
	}
	for _, e := range r.Errors {
		add(e)
	}
	return inv
}
