package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

// Finalize sorts every list in r and replaces nil lists with empty ones, so that the same inputs
// always give the same bytes and JSON consumers always see arrays.
func Finalize(r *model.Report) {
	r.SchemaVersion = model.SchemaVersion
	r.Inputs = nonNil(r.Inputs)
	slices.SortStableFunc(r.Inputs, func(a, b model.Input) int { return strings.Compare(a.Path, b.Path) })
	r.Apps = nonNil(r.Apps)
	for i := range r.Apps {
		finalizeApp(&r.Apps[i])
	}
	r.Sessions = nonNil(r.Sessions)
	for i := range r.Sessions {
		finalizeSession(&r.Sessions[i])
	}
	r.Findings = nonNil(r.Findings)
	for i := range r.Findings {
		r.Findings[i].Evidence = nonNil(r.Findings[i].Evidence)
	}
	slices.SortStableFunc(r.Findings, model.CompareFindings)
	sortErrors(r.Errors)
}

func finalizeApp(a *model.App) {
	a.Bundles = nonNil(a.Bundles)
	slices.SortStableFunc(a.Bundles, func(x, y model.Bundle) int { return strings.Compare(x.Path, y.Path) })
	a.Binaries = nonNil(a.Binaries)
	slices.SortStableFunc(a.Binaries, func(x, y model.Binary) int { return strings.Compare(x.Path, y.Path) })
	for i := range a.Binaries {
		a.Binaries[i].Archs = nonNil(a.Binaries[i].Archs)
	}
	a.SDKs = nonNil(a.SDKs)
	slices.SortStableFunc(a.SDKs, func(x, y model.SDK) int { return strings.Compare(x.ID, y.ID) })
	for i := range a.SDKs {
		a.SDKs[i].Evidence = nonNil(a.SDKs[i].Evidence)
		slices.SortStableFunc(a.SDKs[i].Evidence, model.CompareEvidence)
	}
	d := &a.Declarations
	d.InfoPlists = nonNil(d.InfoPlists)
	slices.SortStableFunc(d.InfoPlists, func(x, y model.InfoPlist) int { return strings.Compare(x.Path, y.Path) })
	for i := range d.InfoPlists {
		d.InfoPlists[i].Keys = nonNil(d.InfoPlists[i].Keys)
	}
	d.PrivacyManifests = nonNil(d.PrivacyManifests)
	slices.SortStableFunc(d.PrivacyManifests, func(x, y model.PrivacyManifest) int { return strings.Compare(x.Path, y.Path) })
	a.Errors = nonNil(a.Errors)
	sortErrors(a.Errors)
}

func finalizeSession(s *model.Session) {
	s.Markers = nonNil(s.Markers)
	slices.SortStableFunc(s.Markers, func(x, y model.Marker) int { return x.Time.Compare(y.Time) })
	s.Flows = nonNil(s.Flows)
	slices.SortStableFunc(s.Flows, func(x, y model.Flow) int { return cmp.Compare(x.Index, y.Index) })
	for i := range s.Flows {
		s.Flows[i].Data = nonNil(s.Flows[i].Data)
	}
	sortErrors(s.Errors)
}

func sortErrors(errs []model.Error) {
	slices.SortStableFunc(errs, func(x, y model.Error) int {
		return cmp.Or(strings.Compare(x.Path, y.Path), strings.Compare(x.Stage, y.Stage), strings.Compare(x.Message, y.Message))
	})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
