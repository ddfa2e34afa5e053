package html

import (
	"slices"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// markerIndex answers, for one session, the questions every request asks of the markers: the
// launch its time counts from, the consent or ATT marker just before and just after it. Lookups
// are binary searches, since a hostile session may hold as many markers as requests.
type markerIndex struct {
	launches []time.Time     // sorted
	events   []*model.Marker // consent and ATT markers (and custom ones), sorted by time
	consents []*model.Marker // consent-accepted and consent-declined, sorted by time
	first    time.Time       // the first request's time
}

func newMarkerIndex(s *model.Session) *markerIndex {
	x := &markerIndex{first: s.FirstFlowTime()}
	for i := range s.Markers {
		m := &s.Markers[i]
		if m.Time.IsZero() {
			continue
		}
		switch m.Event {
		case model.MarkLaunch:
			x.launches = append(x.launches, m.Time)
			continue
		case model.MarkNote:
			continue
		case model.MarkConsentAccepted, model.MarkConsentDeclined:
			x.consents = append(x.consents, m)
		}
		x.events = append(x.events, m)
	}
	byTime := func(a, b *model.Marker) int { return a.Time.Compare(b.Time) }
	slices.SortStableFunc(x.events, byTime)
	slices.SortStableFunc(x.consents, byTime)
	slices.SortFunc(x.launches, time.Time.Compare)
	return x
}

// around returns the last marker at or before t and the first after it.
func around(ms []*model.Marker, t time.Time) (prev, next *model.Marker) {
	i, _ := slices.BinarySearchFunc(ms, t, func(m *model.Marker, t time.Time) int {
		if m.Time.After(t) {
			return 1
		}
		return -1
	})
	if i > 0 {
		prev = ms[i-1]
	}
	if i < len(ms) {
		next = ms[i]
	}
	return prev, next
}

// since is a moment's time since the latest launch at or before it (as flows count it), since
// the first launch when it precedes every launch, or since the first request when the session
// has no launch marker.
func (x *markerIndex) since(t time.Time) string {
	if t.IsZero() {
		return "an unknown time"
	}
	anchor := " after launch"
	var ref time.Time
	switch {
	case len(x.launches) > 0:
		i, found := slices.BinarySearchFunc(x.launches, t, time.Time.Compare)
		switch {
		case found:
			ref = x.launches[i]
		case i > 0:
			ref = x.launches[i-1]
		default:
			ref = x.launches[0]
		}
	case !x.first.IsZero():
		ref, anchor = x.first, " after the first request"
	default:
		return t.UTC().Format("15:04:05 UTC")
	}
	d := t.Sub(ref).Seconds()
	if d < 0 {
		return seconds(-d) + " before launch"
	}
	return seconds(d) + anchor
}
