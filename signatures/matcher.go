package signatures

import (
	"path"
	"sort"
	"strings"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
	"github.com/sdkflow/sdkflow/model"
)

// maxValueLen bounds the part of a fact that is matched: names longer than this are hostile
// or mangled beyond use, and matching them whole would let one fact cost more than a thousand.
const maxValueLen = 4096

const privacyBundleSuffix = "-Privacy"

// Hit is one static pattern that matched a fact.
type Hit struct {
	ID string
	// Kind is the evidence kind of the pattern that matched. It can differ from the kind asked
	// for: an "_OBJC_CLASS_$_X" symbol yields class hits, a mangled Swift class name yields
	// swift-module hits, and a dylib install name yields dylib hits for framework patterns.
	Kind string
	// Pattern is the matcher as written in the YAML.
	Pattern string
	// Version is the version the pattern captured, "" when it captures none.
	Version string
	// Weak is set for hints that prove nothing alone (plain strings).
	Weak bool
}

// NetworkHit is the network rule that best matched a request.
type NetworkHit struct {
	ID string
	// Pattern is the rule as one string: host (".domain" for a suffix rule) and matched path.
	Pattern string
	Purpose string
}

// Matcher matches facts and hosts against every signature of a set. Its cost per fact grows
// with the fact's length and the number of hits, not with the number of signatures: each kind
// has one Aho-Corasick automaton over all literals, and anchors and regexes are checked only
// for the literals found. It is immutable and safe for concurrent use.
type Matcher struct {
	sigs   []*Signature
	groups map[string]*group
	hosts  *hostIndex
}

// group is the compiled patterns of one matcher kind.
type group struct {
	kind string
	fold bool
	pats []compiled
	ac   ahocorasick.AhoCorasick
	// refs maps an automaton literal to the patterns that share it.
	refs [][]int32
}

type compiled struct {
	*pattern
	sig int32
}

func newMatcher(sigs []*Signature) *Matcher {
	m := &Matcher{sigs: sigs, groups: map[string]*group{}}
	for i, s := range sigs {
		for _, f := range s.Match.fields() {
			g := m.groups[f.kind]
			if g == nil {
				g = &group{kind: f.kind, fold: foldKind(f.kind)}
				m.groups[f.kind] = g
			}
			for _, raw := range f.list {
				p, err := compilePattern(raw, g.fold)
				if err != nil {
					continue // validated at load time; a set never holds a broken pattern
				}
				g.pats = append(g.pats, compiled{p, int32(i)})
			}
		}
	}
	for _, g := range m.groups {
		g.build()
	}
	m.hosts = newHostIndex(sigs)
	return m
}

func foldKind(kind string) bool {
	return kind == model.EvidenceBundleID || kind == model.EvidenceURLScheme
}

func (g *group) build() {
	index := map[string]int{}
	var lits []string
	for i, p := range g.pats {
		j, ok := index[p.literal]
		if !ok {
			j = len(lits)
			index[p.literal] = j
			lits = append(lits, p.literal)
			g.refs = append(g.refs, nil)
		}
		g.refs[j] = append(g.refs[j], int32(i))
	}
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.StandardMatch, DFA: true})
	g.ac = b.Build(lits)
}

// run appends the hits of one group on one value, reported under kind.
func (g *group) run(hits []Hit, sigs []*Signature, value, kind string) []Hit {
	if g == nil || len(g.pats) == 0 || value == "" {
		return hits
	}
	if g.fold {
		value = strings.ToLower(value)
	}
	var tried []int32 // literals already checked: a literal can occur several times in a value
	it := g.ac.IterOverlapping(value)
	for m := it.Next(); m != nil; m = it.Next() {
		lit := int32(m.Pattern())
		if containsInt32(tried, lit) {
			continue
		}
		tried = append(tried, lit)
		for _, pi := range g.refs[lit] {
			p := g.pats[pi]
			ok, version := p.match(value)
			if !ok {
				continue
			}
			hits = append(hits, Hit{
				ID: sigs[p.sig].ID, Kind: kind, Pattern: p.raw, Version: version,
				Weak: kind == model.EvidenceString,
			})
		}
	}
	return hits
}

func containsInt32(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Match returns the signatures whose patterns match one fact of the given evidence kind
// (model.EvidenceFramework, EvidenceBundleID, EvidenceClass, EvidenceSwiftModule,
// EvidenceSymbol, EvidenceDylib, EvidencePlistKey, EvidenceURLScheme, EvidenceString), sorted
// by id, kind and pattern. Unknown kinds match nothing.
func (m *Matcher) Match(kind, value string) []Hit {
	if len(value) > maxValueLen {
		value = value[:maxValueLen]
	}
	var hits []Hit
	g := m.groups
	switch kind {
	case model.EvidenceFramework:
		name := frameworkName(value)
		hits = g[model.EvidenceFramework].run(hits, m.sigs, name, kind)
		if base, ok := strings.CutSuffix(name, "_Privacy"); ok && base != "" {
			// CocoaPods' privacy resource bundle of pod X is X_Privacy.bundle.
			hits = g[model.EvidenceFramework].run(hits, m.sigs, base, kind)
		}
	case model.EvidenceClass:
		if mod, ok := swiftModule(value, false); ok {
			hits = g[model.EvidenceSwiftModule].run(hits, m.sigs, mod, model.EvidenceSwiftModule)
		}
		hits = g[model.EvidenceClass].run(hits, m.sigs, value, kind)
	case model.EvidenceSwiftModule:
		if mod, ok := swiftModule(value, true); ok {
			hits = g[model.EvidenceSwiftModule].run(hits, m.sigs, mod, kind)
		}
	case model.EvidenceSymbol:
		hits = g[model.EvidenceSymbol].run(hits, m.sigs, value, kind)
		if class, ok := objcClassFromSymbol(value); ok {
			hits = g[model.EvidenceClass].run(hits, m.sigs, class, model.EvidenceClass)
		} else if mod, ok := swiftModule(value, false); ok {
			hits = g[model.EvidenceSwiftModule].run(hits, m.sigs, mod, model.EvidenceSwiftModule)
		}
	case model.EvidenceDylib:
		hits = g[model.EvidenceDylib].run(hits, m.sigs, value, kind)
		if fw := frameworkFromInstallName(value); fw != "" {
			hits = g[model.EvidenceFramework].run(hits, m.sigs, fw, kind)
		}
	case model.EvidenceBundleID:
		hits = g[kind].run(hits, m.sigs, value, kind)
		if len(value) > len(privacyBundleSuffix) && strings.EqualFold(value[len(value)-len(privacyBundleSuffix):], privacyBundleSuffix) {
			// ... and its bundle id is org.cocoapods.X-Privacy.
			hits = g[kind].run(hits, m.sigs, value[:len(value)-len(privacyBundleSuffix)], kind)
		}
	case model.EvidencePlistKey, model.EvidenceURLScheme, model.EvidenceString:
		hits = g[kind].run(hits, m.sigs, value, kind)
	default:
		return nil
	}
	return sortHits(hits)
}

func sortHits(hits []Hit) []Hit {
	if len(hits) < 2 {
		return hits
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Pattern < b.Pattern
	})
	out := hits[:1]
	for _, h := range hits[1:] {
		if h != out[len(out)-1] {
			out = append(out, h)
		}
	}
	return out
}

// objcClassFromSymbol returns X for the symbols that name an Objective-C class:
// _OBJC_CLASS_$_X and _OBJC_METACLASS_$_X (with or without the leading underscore).
func objcClassFromSymbol(sym string) (string, bool) {
	s := strings.TrimPrefix(sym, "_")
	for _, p := range []string{"OBJC_CLASS_$_", "OBJC_METACLASS_$_"} {
		if strings.HasPrefix(s, p) && len(s) > len(p) {
			return s[len(p):], true
		}
	}
	return "", false
}

// frameworkName reduces a framework or library path to its name: "Frameworks/X.framework",
// "X.xcframework", "X.framework/X", "libX.a" and "libX.dylib" give "X", "X", "X", "libX", "libX".
func frameworkName(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndex(p, ".framework/"); i >= 0 && !strings.Contains(p[i+len(".framework/"):], "/") {
		p = p[:i] // the binary inside X.framework names the framework
	}
	base := path.Base(p)
	for _, ext := range []string{".framework", ".xcframework", ".bundle", ".dylib", ".a", ".so"} {
		if strings.HasSuffix(base, ext) && len(base) > len(ext) {
			return strings.TrimSuffix(base, ext)
		}
	}
	return base
}

// frameworkFromInstallName returns the framework or library a dylib install name points at:
// "@rpath/FBSDKCoreKit.framework/FBSDKCoreKit" gives "FBSDKCoreKit".
func frameworkFromInstallName(name string) string {
	if i := strings.Index(name, ".framework/"); i >= 0 {
		return path.Base(name[:i])
	}
	base := path.Base(name)
	if strings.HasSuffix(base, ".dylib") {
		return frameworkName(base)
	}
	return ""
}
