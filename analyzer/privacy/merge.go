package privacy

import (
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

// MergeManifests merges every privacy manifest of an app into one report, as Xcode's privacy
// report does: each data type once (linked and tracking if any manifest says so, purposes
// united), each tracking domain and API category once, each with the manifests that declare
// it and the SDKs those manifests belong to. It returns nil for an app with no manifest.
func MergeManifests(app *model.App) *model.PrivacyReport {
	ms := slices.Clone(app.Declarations.PrivacyManifests)
	if len(ms) == 0 {
		return nil
	}
	slices.SortFunc(ms, func(a, b model.PrivacyManifest) int { return strings.Compare(a.Path, b.Path) })
	t := NewIndex(app)

	r := &model.PrivacyReport{}
	domains := map[string]*model.AttributedValue{}
	types := map[string]*model.PrivacyReportType{}
	apis := map[string]*model.PrivacyReportAPI{}
	for _, m := range ms {
		sdks := t.Owners(m.Bundle)
		if m.Tracking != nil && *m.Tracking {
			r.Tracking = true
		}
		for _, d := range m.TrackingDomains {
			v := domains[d]
			if v == nil {
				v = &model.AttributedValue{Value: d}
				domains[d] = v
			}
			v.Manifests = append(v.Manifests, m.Path)
			v.SDKs = append(v.SDKs, sdks...)
		}
		for _, c := range m.CollectedDataTypes {
			v := types[c.Type]
			if v == nil {
				v = &model.PrivacyReportType{Type: c.Type}
				types[c.Type] = v
			}
			v.Linked = v.Linked || c.Linked
			v.Tracking = v.Tracking || c.Tracking
			v.Purposes = append(v.Purposes, c.Purposes...)
			v.Manifests = append(v.Manifests, m.Path)
			v.SDKs = append(v.SDKs, sdks...)
		}
		for _, e := range m.AccessedAPITypes {
			v := apis[e.Category]
			if v == nil {
				v = &model.PrivacyReportAPI{Category: e.Category}
				apis[e.Category] = v
			}
			v.Reasons = append(v.Reasons, e.Reasons...)
			v.Manifests = append(v.Manifests, m.Path)
			v.SDKs = append(v.SDKs, sdks...)
		}
	}
	for _, k := range sortedKeys(domains) {
		v := domains[k]
		v.Manifests, v.SDKs = tidy(v.Manifests), tidyOrNil(v.SDKs)
		r.TrackingDomains = append(r.TrackingDomains, *v)
	}
	for _, k := range sortedKeys(types) {
		v := types[k]
		v.Purposes, v.Manifests, v.SDKs = tidy(v.Purposes), tidy(v.Manifests), tidyOrNil(v.SDKs)
		r.DataTypes = append(r.DataTypes, *v)
	}
	for _, k := range sortedKeys(apis) {
		v := apis[k]
		v.Reasons, v.Manifests, v.SDKs = tidy(v.Reasons), tidy(v.Manifests), tidyOrNil(v.SDKs)
		r.AccessedAPIs = append(r.AccessedAPIs, *v)
	}
	return r
}

// Owners returns the SDKs (confidence medium or high) a bundle belongs to: those that own the
// bundle itself or, failing that, the nearest enclosing bundle one owns. The app's own bundle
// belongs to no SDK.
func (t *Index) Owners(bundlePath string) []string {
	p := bundlePath
	for range maxDepth {
		if p == "" {
			return nil
		}
		if ids := t.sdksByBundle[p]; len(ids) > 0 {
			return slices.Clone(ids)
		}
		b := t.bundles[p]
		if b == nil {
			return nil
		}
		p = b.Parent
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// tidy sorts and de-duplicates, and never returns nil (JSON consumers get an array).
func tidy(s []string) []string {
	if s == nil {
		return []string{}
	}
	slices.Sort(s)
	return slices.Compact(s)
}

func tidyOrNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return tidy(s)
}
