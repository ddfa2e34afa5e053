// Package cyclonedx renders the SDK inventory of a report as a CycloneDX 1.6 JSON SBOM: each app
// is a component of type application (its bundle id, version and the sha256 of the input),
// each SDK found in it a component of type library with its version, vendor as supplier, a
// CocoaPods purl when the pod is known, sdkflow properties (category, tracker, confidence, the
// paths of its evidence) and evidence occurrences; dependencies say which app holds which SDK.
//
// The output is deterministic: bom-refs are built from bundle ids and signature ids, and the
// serial number and timestamp appear only when the report carries a generation time (the serial
// is then derived from the document itself), since CycloneDX asks for a serial unique to each
// generated BOM and the same inputs must otherwise give the same bytes.
package cyclonedx

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

// Encoder writes a CycloneDX 1.6 JSON SBOM.
type Encoder struct{}

// Name implements report.Encoder.
func (Encoder) Name() string { return "cyclonedx" }

// Bounds on what one component carries, so an app with thousands of matched classes gives a
// BOM a person can still read.
const (
	maxEvidencePaths  = 50
	maxOccurrences    = 100
	maxText           = 512
	maxRef            = 200
	propertyNamespace = "sdkflow:"
)

// Encode implements report.Encoder.
func (Encoder) Encode(w io.Writer, r *model.Report, _ report.Options) error {
	bom := Build(r)
	var buf bytes.Buffer
	if err := encode(&buf, bom); err != nil {
		return fmt.Errorf("cyclonedx: encoding the SBOM: %w", err)
	}
	if !r.GeneratedAt.IsZero() {
		// Derived from the document, which includes the generation time: unique per generated
		// BOM as CycloneDX asks, yet reproducible from the report.
		sum := sha256.Sum256(buf.Bytes())
		bom.SerialNumber = "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, sum[:]).String()
		buf.Reset()
		if err := encode(&buf, bom); err != nil {
			return fmt.Errorf("cyclonedx: encoding the SBOM: %w", err)
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func encode(w io.Writer, bom *cdx.BOM) error {
	return cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON).SetPretty(true).EncodeVersion(bom, cdx.SpecVersion1_6)
}

// Build makes the BOM for a finalized report, without a serial number.
func Build(r *model.Report) *cdx.BOM {
	bom := cdx.NewBOM()
	bom.Metadata = &cdx.Metadata{Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{toolComponent(r.Tool)}}}
	if !r.GeneratedAt.IsZero() {
		bom.Metadata.Timestamp = r.GeneratedAt.UTC().Format(time.RFC3339)
	}
	inputs := map[string]model.Input{}
	for _, in := range r.Inputs {
		inputs[in.Path] = in
	}
	refs := refSet{}
	var apps, sdks []cdx.Component
	var deps []cdx.Dependency
	for i := range r.Apps {
		a := &r.Apps[i]
		app := appComponent(a, inputs[a.Path], refs)
		var held []string
		for j := range a.SDKs {
			c := sdkComponent(a, &a.SDKs[j], app.BOMRef, refs)
			held = append(held, c.BOMRef)
			sdks = append(sdks, c)
		}
		deps = append(deps, cdx.Dependency{Ref: app.BOMRef, Dependencies: &held})
		apps = append(apps, app)
	}
	switch len(apps) {
	case 0:
	case 1:
		bom.Metadata.Component = &apps[0]
	default:
		// One BOM, several apps: the subject is the set, each app a part of it.
		root := cdx.Component{Type: cdx.ComponentTypeApplication, BOMRef: refs.unique("apps"),
			Name: strconv.Itoa(len(apps)) + " apps", Components: &apps}
		bom.Metadata.Component = &root
		appRefs := make([]string, len(apps))
		for i := range apps {
			appRefs[i] = apps[i].BOMRef
		}
		deps = append([]cdx.Dependency{{Ref: root.BOMRef, Dependencies: &appRefs}}, deps...)
	}
	if len(sdks) > 0 {
		bom.Components = &sdks
	}
	if len(deps) > 0 {
		bom.Dependencies = &deps
	}
	return bom
}

func toolComponent(t model.Tool) cdx.Component {
	name := t.Name
	if name == "" {
		name = "sdkflow"
	}
	props := []cdx.Property{
		prop("signatures:version", t.Signatures.Version),
		prop("signatures:count", strconv.Itoa(t.Signatures.Count)),
		prop("signatures:digest", t.Signatures.Digest),
	}
	for _, s := range t.Signatures.Sources {
		props = append(props, prop("signatures:source", s))
	}
	return cdx.Component{Type: cdx.ComponentTypeApplication, Name: clip(name, maxText), Version: clip(t.Version, maxText),
		Properties: nonEmpty(props)}
}

func appComponent(a *model.App, in model.Input, refs refSet) cdx.Component {
	name := a.Name
	if name == "" {
		name = a.BundleID
	}
	if name == "" {
		name = path.Base(strings.ReplaceAll(a.Path, `\`, "/"))
	}
	id := a.BundleID
	if id == "" {
		id = a.Path
	}
	ref := "app:" + clip(id, maxRef)
	if a.Version != "" {
		ref += "@" + clip(a.Version, 40)
	}
	c := cdx.Component{
		Type:    cdx.ComponentTypeApplication,
		BOMRef:  refs.unique(ref),
		Name:    clip(name, maxText),
		Version: clip(a.Version, maxText),
		Properties: nonEmpty([]cdx.Property{
			prop("bundleId", a.BundleID),
			prop("build", a.Build),
			prop("minOS", a.MinOS),
			prop("input", a.Path),
			prop("inputKind", a.Kind),
		}),
	}
	if sha256Hex.MatchString(in.SHA256) {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: strings.ToLower(in.SHA256)}}
	}
	return c
}

var sha256Hex = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

func sdkComponent(a *model.App, s *model.SDK, appRef string, refs refSet) cdx.Component {
	name := s.Name
	if name == "" {
		name = s.ID
	}
	c := cdx.Component{
		Type:       cdx.ComponentTypeLibrary,
		BOMRef:     refs.unique(appRef + "/sdk:" + clip(s.ID, maxRef)),
		Name:       clip(name, maxText),
		Version:    clip(s.Version, maxText),
		PackageURL: podPURL(a, s),
	}
	if s.Vendor != "" {
		c.Supplier = &cdx.OrganizationalEntity{Name: clip(s.Vendor, maxText)}
	}
	if h := ownBinaryHash(a, s); h != "" {
		c.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: h}}
	}
	props := []cdx.Property{
		prop("id", s.ID),
		prop("category", s.Category),
		prop("tracker", strconv.FormatBool(s.Tracker)),
		prop("appleListed", strconv.FormatBool(s.AppleListed)),
		prop("confidence", s.Confidence),
	}
	paths := evidencePaths(s)
	for i, p := range paths {
		if i == maxEvidencePaths {
			props = append(props, prop("evidence:more", strconv.Itoa(len(paths)-i)))
			break
		}
		props = append(props, prop("evidence", p))
	}
	c.Properties = nonEmpty(props)
	if occ := occurrences(s); len(occ) > 0 {
		c.Evidence = &cdx.Evidence{Occurrences: &occ}
	}
	return c
}

// evidencePaths are the distinct paths of the SDK's evidence, sorted.
func evidencePaths(s *model.SDK) []string {
	var out []string
	for _, e := range s.Evidence {
		if e.Path != "" {
			out = append(out, clip(e.Path, maxText))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// occurrences place each piece of static evidence: the file, and the name that matched there.
func occurrences(s *model.SDK) []cdx.EvidenceOccurrence {
	var out []cdx.EvidenceOccurrence
	for _, e := range s.Evidence {
		if e.Path == "" {
			continue
		}
		if len(out) == maxOccurrences {
			break
		}
		ctx := e.Kind
		if e.Pattern != "" {
			ctx += " matched " + e.Pattern
		}
		if e.Detail != "" {
			ctx += " (" + e.Detail + ")"
		}
		out = append(out, cdx.EvidenceOccurrence{Location: clip(e.Path, maxText), Symbol: clip(e.Value, maxText),
			AdditionalContext: clip(ctx, maxText)})
	}
	return out
}

// ownBinaryHash is the sha256 of the SDK's binary when it has exactly one and that binary lies in
// the SDK's own bundle; code linked into another binary has no hash of its own.
func ownBinaryHash(a *model.App, s *model.SDK) string {
	found := ""
	for _, b := range a.Binaries {
		if !slices.Contains(s.Binaries, b.Path) || !sha256Hex.MatchString(b.SHA256) {
			continue
		}
		own := false
		for _, bundle := range s.Bundles {
			if strings.HasPrefix(b.Path, bundle+"/") {
				own = true
			}
		}
		if !own {
			continue
		}
		if found != "" {
			return ""
		}
		found = strings.ToLower(b.SHA256)
	}
	return found
}

func prop(name, value string) cdx.Property {
	return cdx.Property{Name: propertyNamespace + name, Value: clip(value, maxText)}
}

// nonEmpty drops properties without a value and returns nil for none.
func nonEmpty(props []cdx.Property) *[]cdx.Property {
	out := props[:0]
	for _, p := range props {
		if p.Value != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &out
}

// refSet hands out bom-refs, unique within one BOM as CycloneDX requires.
type refSet map[string]bool

func (s refSet) unique(ref string) string {
	out := ref
	for n := 2; s[out]; n++ {
		out = ref + "#" + strconv.Itoa(n)
	}
	s[out] = true
	return out
}

// clip bounds a string to limit bytes at a rune boundary and makes it valid UTF-8, since the
// names and paths come from hostile apps.
func clip(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
