package privacy

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"path"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

// BinaryUse is the required-reason analysis of one binary.
type BinaryUse struct {
	Binary string
	Bundle string
	// MainExecutable is set for the executable of an app, extension or watch app, where the
	// code of statically linked SDKs sits beside the app's own and cannot be told apart.
	MainExecutable bool
	// SDKs are the SDKs (confidence medium or high) whose code the binary holds.
	SDKs []string
	Uses []Use
	// SelectorsUnread: the binary is encrypted and its selectors could not be checked.
	SelectorsUnread bool
	// Covering are the privacy manifests that cover the binary, by the rule in the package
	// documentation; empty when none does.
	Covering []string
	// Missing lists, by category, what the binary uses and no covering manifest declares.
	Missing []Missing
}

// Missing is one required-reason category a binary uses without a declaration that covers it.
type Missing struct {
	Category string
	Uses     []Use
	// ListedWithoutReason are covering manifests that list the category with no reason code,
	// which declares nothing.
	ListedWithoutReason []string
	// DeclaredElsewhere are manifests of the app that declare the category but do not cover
	// the binary (typically the app's manifest, for a framework that needs its own).
	DeclaredElsewhere []string
}

// Analysis is the privacy pre-check of one app.
type Analysis struct {
	// Binaries holds every binary that uses at least one required-reason API, by path.
	Binaries []BinaryUse
	// Report is all manifests merged, as Xcode's privacy report shows them.
	Report *model.PrivacyReport
	// Limitations say what could not be checked (selectors of encrypted binaries).
	Limitations []string
}

// Confident reports whether an SDK's evidence is strong enough to act on: findings and
// attributions rest on medium or high confidence only.
func Confident(s *model.SDK) bool {
	return s.Confidence == model.ConfidenceMedium || s.Confidence == model.ConfidenceHigh
}

// Analyze runs the required-reason check over every binary of an app and merges its manifests.
// It reads the app and changes nothing.
func Analyze(app *model.App) *Analysis {
	t := NewIndex(app)
	a := &Analysis{Report: MergeManifests(app)}
	var encrypted []string
	for i := range app.Binaries {
		b := &app.Binaries[i]
		if isSwiftRuntime(b.Path) {
			continue
		}
		d := Detect(b.Facts)
		if d.SelectorsUnread {
			encrypted = append(encrypted, b.Path)
		}
		if len(d.Uses) == 0 {
			continue
		}
		u := BinaryUse{
			Binary: b.Path, Bundle: b.Bundle, Uses: d.Uses, SelectorsUnread: d.SelectorsUnread,
			MainExecutable: t.IsMainExecutable(b),
			SDKs:           t.SDKsIn(b.Path),
			Covering:       t.Covering(b.Bundle),
		}
		u.Missing = t.missing(u.Uses, u.Covering)
		a.Binaries = append(a.Binaries, u)
	}
	slices.SortFunc(a.Binaries, func(x, y BinaryUse) int { return strings.Compare(x.Binary, y.Binary) })
	if len(encrypted) > 0 {
		slices.Sort(encrypted)
		a.Limitations = append(a.Limitations, fmt.Sprintf(
			"required-reason selectors (systemUptime for SystemBootTime, activeInputModes for ActiveKeyboards) could not be checked in %d encrypted binar%s (%s); the symbol checks still ran",
			len(encrypted), map[bool]string{true: "y", false: "ies"}[len(encrypted) == 1], prose.ListAtMost(encrypted, 3)))
	}
	return a
}

// isSwiftRuntime tells Apple's Swift runtime libraries, which apps built for iOS before 12.2
// embed under Frameworks/: Apple's code, not the app's to declare.
func isSwiftRuntime(p string) bool {
	base := path.Base(p)
	return strings.HasPrefix(base, "libswift") && strings.HasSuffix(base, ".dylib")
}

// Index answers questions about an app's bundle tree: which manifests cover a bundle's
// binaries, which SDKs a bundle or binary belongs to. It reads the app and changes nothing.
type Index struct {
	app       *model.App
	bundles   map[string]*model.Bundle
	manifests map[string]*model.PrivacyManifest // by path
	// resourceManifests are the manifests of resource bundles, by the code bundle that holds them.
	resourceManifests map[string][]string
	// sdksByBinary and sdksByBundle hold the ids of confident SDKs, sorted.
	sdksByBinary, sdksByBundle map[string][]string
	// declaredAnywhere lists, by category, the manifests that declare it with a reason.
	declaredAnywhere map[string][]string
}

// NewIndex indexes an app's bundles, manifests and SDKs.
func NewIndex(app *model.App) *Index {
	t := &Index{app: app, bundles: map[string]*model.Bundle{}, manifests: map[string]*model.PrivacyManifest{},
		resourceManifests: map[string][]string{}, sdksByBinary: map[string][]string{}, sdksByBundle: map[string][]string{}}
	for i := range app.Bundles {
		t.bundles[app.Bundles[i].Path] = &app.Bundles[i]
	}
	var all []string
	for i := range app.Declarations.PrivacyManifests {
		m := &app.Declarations.PrivacyManifests[i]
		t.manifests[m.Path] = m
		all = append(all, m.Path)
	}
	for i := range app.Bundles {
		r := &app.Bundles[i]
		if r.Kind != model.BundleResource || r.Parent == "" || r.PrivacyManifest == "" || t.manifests[r.PrivacyManifest] == nil {
			continue
		}
		owner := t.codeOwner(r.Parent)
		if owner != r.Path {
			t.resourceManifests[owner] = append(t.resourceManifests[owner], r.PrivacyManifest)
		}
	}
	for i := range app.SDKs {
		s := &app.SDKs[i]
		if !Confident(s) {
			continue
		}
		for _, b := range s.Binaries {
			t.sdksByBinary[b] = append(t.sdksByBinary[b], s.ID)
		}
		for _, b := range s.Bundles {
			t.sdksByBundle[b] = append(t.sdksByBundle[b], s.ID)
		}
	}
	for _, m := range []map[string][]string{t.sdksByBinary, t.sdksByBundle} {
		for k, ids := range m {
			m[k] = sortedUnique(ids)
		}
	}
	t.declaredAnywhere, _ = t.declared(all)
	return t
}

// IsMainExecutable reports whether b is the executable of an app, extension or watch app.
func (t *Index) IsMainExecutable(b *model.Binary) bool {
	bd := t.bundles[b.Bundle]
	if bd == nil || bd.Executable != b.Path {
		return false
	}
	switch bd.Kind {
	case model.BundleApp, model.BundleExtension, model.BundleWatchApp:
		return true
	}
	return false
}

// SDKsIn returns the SDKs (confidence medium or high) whose code a binary holds.
func (t *Index) SDKsIn(binary string) []string { return slices.Clone(t.sdksByBinary[binary]) }

// maxDepth bounds walks up the bundle tree, so a cycle in hostile input cannot loop forever.
const maxDepth = 64

// Bundle returns the bundle at a path, nil if there is none.
func (t *Index) Bundle(p string) *model.Bundle { return t.bundles[p] }

// Manifest returns the parsed manifest at a path, nil if there is none.
func (t *Index) Manifest(p string) *model.PrivacyManifest { return t.manifests[p] }

// codeOwner returns the nearest enclosing bundle that is not a resource bundle: the bundle
// whose code a resource bundle belongs to.
func (t *Index) codeOwner(bundlePath string) string {
	p := bundlePath
	for range maxDepth {
		b := t.bundles[p]
		if b == nil || b.Kind != model.BundleResource || b.Parent == "" {
			return p
		}
		p = b.Parent
	}
	return p
}

// Covering lists the manifests that cover the binaries of a bundle: the bundle's own
// PrivacyInfo.xcprivacy, and those of the resource bundles it holds directly (with no other
// code bundle between). See the package documentation for why.
func (t *Index) Covering(bundlePath string) []string {
	if bundlePath == "" {
		return nil
	}
	var out []string
	if b := t.bundles[bundlePath]; b != nil && b.PrivacyManifest != "" && t.manifests[b.PrivacyManifest] != nil {
		out = append(out, b.PrivacyManifest)
	}
	out = append(out, t.resourceManifests[bundlePath]...)
	slices.Sort(out)
	return slices.Compact(out)
}

// declared returns the categories the manifests declare with at least one reason, and those
// they list with none.
func (t *Index) declared(manifests []string) (withReason, withoutReason map[string][]string) {
	withReason, withoutReason = map[string][]string{}, map[string][]string{}
	for _, p := range manifests {
		m := t.manifests[p]
		if m == nil {
			continue
		}
		for _, e := range m.AccessedAPITypes {
			if len(e.Reasons) > 0 {
				withReason[e.Category] = append(withReason[e.Category], p)
			} else {
				withoutReason[e.Category] = append(withoutReason[e.Category], p)
			}
		}
	}
	return withReason, withoutReason
}

func (t *Index) missing(uses []Use, covering []string) []Missing {
	ok, empty := t.declared(covering)
	anywhere := t.declaredAnywhere
	var out []Missing
	for _, u := range uses {
		if len(ok[u.Category]) > 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Category == u.Category {
			out[n-1].Uses = append(out[n-1].Uses, u)
			continue
		}
		out = append(out, Missing{
			Category:            u.Category,
			Uses:                []Use{u},
			ListedWithoutReason: sortedUnique(empty[u.Category]),
			DeclaredElsewhere:   sortedUnique(anywhere[u.Category]),
		})
	}
	return out
}

func sortedUnique(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// Host returns the nearest bundle at or above bundlePath that runs as a process of its own (an
// app, an extension or a watch app): the bundle whose Info.plist an SDK in it reads as its
// main bundle. It returns nil when there is none (a framework scanned alone).
func (t *Index) Host(bundlePath string) *model.Bundle {
	p := bundlePath
	for range maxDepth {
		b := t.bundles[p]
		if b == nil {
			return nil
		}
		switch b.Kind {
		case model.BundleApp, model.BundleExtension, model.BundleWatchApp:
			return b
		}
		if b.Parent == "" {
			return nil
		}
		p = b.Parent
	}
	return nil
}
