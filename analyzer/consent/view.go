package consent

import (
	"github.com/sdkflow/sdkflow/internal/prose"
	"path"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/analyzer/privacy"
	"github.com/sdkflow/sdkflow/model"
)

// appView indexes one app for the static rules.
type appView struct {
	app   *model.App
	idx   *privacy.Index
	infos map[string]*model.InfoPlist // by bundle path
	bins  map[string]*model.Binary
	// rootDir is the folder holding the outermost bundle ("Payload" in an IPA), "" at the top.
	rootDir string
}

func newAppView(app *model.App) *appView {
	v := &appView{app: app, idx: privacy.NewIndex(app), infos: map[string]*model.InfoPlist{}, bins: map[string]*model.Binary{}}
	for i := range app.Declarations.InfoPlists {
		info := &app.Declarations.InfoPlists[i]
		v.infos[info.Bundle] = info
	}
	for i := range app.Binaries {
		v.bins[app.Binaries[i].Path] = &app.Binaries[i]
	}
	for _, b := range app.Bundles {
		if b.Parent == "" {
			if d := path.Dir(b.Path); d != "." {
				v.rootDir = d
			}
			break
		}
	}
	return v
}

// root returns the outermost app bundle, nil when the input is not an app.
func (v *appView) root() *model.Bundle {
	for i := range v.app.Bundles {
		b := &v.app.Bundles[i]
		if b.Parent == "" && b.Kind == model.BundleApp {
			return b
		}
	}
	return nil
}

// confidentSDKs are the SDKs whose evidence is strong enough to drive findings.
func (v *appView) confidentSDKs() []*model.SDK {
	var out []*model.SDK
	for i := range v.app.SDKs {
		if s := &v.app.SDKs[i]; privacy.Confident(s) {
			out = append(out, s)
		}
	}
	return out
}

func (v *appView) sdk(id string) *model.SDK {
	for i := range v.app.SDKs {
		if v.app.SDKs[i].ID == id {
			return &v.app.SDKs[i]
		}
	}
	return nil
}

// hosts returns the app, extension and watch-app bundles whose processes load an SDK: those
// enclosing its binaries and bundles, or the app itself when the SDK was seen only in
// declarations.
func (v *appView) hosts(s *model.SDK) []*model.Bundle {
	seen := map[string]bool{}
	var out []*model.Bundle
	add := func(bundlePath string) {
		if h := v.idx.Host(bundlePath); h != nil && !seen[h.Path] {
			seen[h.Path] = true
			out = append(out, h)
		}
	}
	for _, p := range s.Binaries {
		if b := v.bins[p]; b != nil {
			add(b.Bundle)
		}
	}
	for _, p := range s.Bundles {
		add(p)
	}
	if len(out) == 0 {
		if r := v.root(); r != nil {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *model.Bundle) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// rel shortens a path for messages: relative to the folder that holds the outermost bundle
// (Zoomlike.app/Info.plist rather than Payload/Zoomlike.app/Info.plist), as App Store Connect
// names files. Evidence keeps the full path.
func (v *appView) rel(p string) string {
	if v.rootDir == "" {
		return p
	}
	if r, ok := strings.CutPrefix(p, v.rootDir+"/"); ok {
		return r
	}
	return p
}

func (v *appView) rels(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = v.rel(p)
	}
	return out
}

// sdkName is how messages name an SDK.
func sdkName(s *model.SDK) string {
	if s == nil {
		return ""
	}
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// sdkNames names several SDKs by id for messages: "a, b and c".
func (v *appView) sdkNames(ids []string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, sdkName(v.sdk(id)))
	}
	return prose.List(names)
}

// sdkEvidence points at the SDK's code: its own bundles, else the binaries holding it.
func sdkEvidence(s *model.SDK) []model.Evidence {
	var out []model.Evidence
	for _, b := range s.Bundles {
		out = append(out, model.Evidence{Kind: model.EvidenceFile, Path: b, Detail: sdkName(s) + " bundle"})
	}
	if len(out) == 0 {
		for _, b := range s.Binaries {
			out = append(out, model.Evidence{Kind: model.EvidenceFile, Path: b, Detail: "holds " + sdkName(s) + " code"})
		}
	}
	return out
}

// plistXML shows a flag value as it is written in an Info.plist.
func plistXML(v string) string {
	switch v {
	case "true":
		return "<true/>"
	case "false":
		return "<false/>"
	}
	return "<string>" + v + "</string>"
}

func base(p string) string { return path.Base(p) }

// appID is what findings record as the app: its bundle id, else the input path.
func appID(app *model.App) string {
	if app.BundleID != "" {
		return app.BundleID
	}
	return app.Path
}
