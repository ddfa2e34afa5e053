package analyzer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/signatures"
)

// maxEvidencePerPlace caps the evidence kept per SDK, kind and file: a framework with 400
// matching classes proves no more with all 400 listed, and the report stays readable.
const maxEvidencePerPlace = 8

// collector gathers signature hits into SDKs.
type collector struct {
	set     *signatures.Set
	matcher *signatures.Matcher
	found   map[string]*sdkFacts
}

type sdkFacts struct {
	evidence map[model.Evidence]bool
	bundles  map[string]bool // the SDK's own bundles (framework, resource bundle)
	binaries map[string]bool // binaries that contain (not merely use) its code
	captured []string        // versions captured by signature patterns
}

func newCollector(set *signatures.Set) *collector {
	return &collector{set: set, matcher: set.Matcher(), found: map[string]*sdkFacts{}}
}

func (c *collector) facts(id string) *sdkFacts {
	f, ok := c.found[id]
	if !ok {
		f = &sdkFacts{evidence: map[model.Evidence]bool{}, bundles: map[string]bool{}, binaries: map[string]bool{}}
		c.found[id] = f
	}
	return f
}

// match looks one fact up and records every hit as evidence of kind evKind found at where.
// ownBundle, when set, is the bundle the fact names (a framework folder, a bundle id).
func (c *collector) match(kind, value, where, detail, ownBundle string) []signatures.Hit {
	return c.matchAs(kind, kind, value, value, where, detail, ownBundle)
}

func (c *collector) matchAs(kind, evKind, value, shown, where, detail, ownBundle string) []signatures.Hit {
	hits := c.matcher.Match(kind, value)
	for _, h := range hits {
		f := c.facts(h.ID)
		f.evidence[model.Evidence{Kind: evKind, Path: where, Value: shown, Pattern: h.Pattern, Detail: detail}] = true
		if ownBundle != "" {
			f.bundles[ownBundle] = true
		}
		if h.Version != "" {
			f.captured = append(f.captured, h.Version)
		}
	}
	return hits
}

const (
	objcClassSymbol     = "_OBJC_CLASS_$_"
	objcMetaclassSymbol = "_OBJC_METACLASS_$_"
	objcIvarSymbol      = "_OBJC_IVAR_$_"
)

// binary matches every fact of one Mach-O file. Facts repeated across slices count once.
func (c *collector) binary(b *model.Binary) {
	seen := map[string]bool{}
	once := func(kind, v string) bool {
		k := kind + "\x00" + v
		if seen[k] {
			return false
		}
		seen[k] = true
		return true
	}
	contains := func(hits []signatures.Hit) {
		for _, h := range hits {
			c.facts(h.ID).binaries[b.Path] = true
		}
	}
	slices := append(append([]model.SliceFacts(nil), b.Facts.Slices...), b.Facts.Members...)
	for _, sl := range slices {
		classes := map[string]bool{}
		for _, name := range sl.ObjCClasses {
			classes[name] = true
			if once("class", name) {
				contains(c.match(model.EvidenceClass, name, b.Path, "", ""))
				if strings.HasPrefix(name, "_Tt") {
					contains(c.match(model.EvidenceSwiftModule, name, b.Path, "", ""))
				}
			}
		}
		for _, name := range sl.SwiftTypes {
			if once("swift", name) {
				contains(c.match(model.EvidenceSwiftModule, name, b.Path, "", ""))
			}
		}
		for _, sym := range sl.ExportedSymbols {
			if !once("export", sym) {
				continue
			}
			switch {
			case strings.HasPrefix(sym, objcClassSymbol):
				// Class names are read from the symbol table too, which encryption leaves
				// readable: for an encrypted binary this is the only class evidence there is.
				name := sym[len(objcClassSymbol):]
				if !classes[name] && once("class", name) {
					contains(c.matchAs(model.EvidenceClass, model.EvidenceClass, name, name, b.Path, "exported symbol "+sym, ""))
				}
			case strings.HasPrefix(sym, objcMetaclassSymbol), strings.HasPrefix(sym, objcIvarSymbol):
			default:
				contains(c.match(model.EvidenceSymbol, sym, b.Path, "exported", ""))
			}
		}
		for _, sym := range sl.ImportedSymbols {
			if !once("import", sym) {
				continue
			}
			// An imported symbol shows the binary uses the SDK, not that it holds its code.
			switch {
			case strings.HasPrefix(sym, objcClassSymbol):
				c.matchAs(model.EvidenceClass, model.EvidenceSymbol, sym[len(objcClassSymbol):], sym, b.Path, "imported class reference", "")
			case strings.HasPrefix(sym, objcMetaclassSymbol), strings.HasPrefix(sym, objcIvarSymbol):
			default:
				c.match(model.EvidenceSymbol, sym, b.Path, "imported", "")
			}
		}
		for _, d := range sl.Dylibs {
			if once("dylib", d.Name) {
				detail := "linked"
				if d.Kind != model.DylibLoad {
					detail = "linked (" + d.Kind + ")"
				}
				c.match(model.EvidenceDylib, d.Name, b.Path, detail, "")
			}
		}
		if sl.InstallName != "" && once("install", sl.InstallName) {
			contains(c.match(model.EvidenceDylib, sl.InstallName, b.Path, "install name", ""))
		}
		for _, s := range sl.Strings {
			if once("string", s) {
				c.match(model.EvidenceString, s, b.Path, "", "")
			}
		}
	}
}

// sdks turns the collected hits into the app's SDK list, sorted by id.
func (c *collector) sdks(infos map[string]*model.InfoPlist) []model.SDK {
	var out []model.SDK
	for id, f := range c.found {
		sig, ok := c.set.Get(id)
		if !ok {
			continue
		}
		all := make([]model.Evidence, 0, len(f.evidence))
		for e := range f.evidence {
			all = append(all, e)
		}
		slices.SortFunc(all, model.CompareEvidence)
		sdk := model.SDK{
			ID: sig.ID, Name: sig.Name, Vendor: sig.Vendor, Category: sig.Category,
			Tracker: sig.Tracker, AppleListed: sig.AppleListed,
			Confidence: signatures.Confidence(all),
			Evidence:   capEvidence(all),
			Bundles:    sortedKeys(f.bundles),
			Binaries:   sortedKeys(f.binaries),
		}
		sdk.Version = sdkVersion(sdk.Bundles, infos, f.captured)
		out = append(out, sdk)
	}
	slices.SortFunc(out, func(a, b model.SDK) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// sdkVersion prefers the version the SDK's own bundle declares, then a version a signature
// captured from a string; "" when neither is known.
func sdkVersion(bundles []string, infos map[string]*model.InfoPlist, captured []string) string {
	for _, b := range bundles {
		if info := infos[b]; info != nil && info.ShortVersion != "" {
			return info.ShortVersion
		}
	}
	if len(captured) > 0 {
		slices.Sort(captured)
		return captured[len(captured)-1]
	}
	return ""
}

// capEvidence keeps the first few pieces of evidence per kind and file (the list is sorted) and
// says how many more there were.
func capEvidence(all []model.Evidence) []model.Evidence {
	type place struct{ kind, path string }
	count := map[place]int{}
	var out []model.Evidence
	for _, e := range all {
		p := place{e.Kind, e.Path}
		count[p]++
		if count[p] <= maxEvidencePerPlace {
			out = append(out, e)
		}
	}
	for p, n := range count {
		if n > maxEvidencePerPlace {
			out = append(out, model.Evidence{Kind: p.kind, Path: p.path,
				Detail: fmt.Sprintf("and %d more of this kind in this file", n-maxEvidencePerPlace)})
		}
	}
	slices.SortFunc(out, model.CompareEvidence)
	return out
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
