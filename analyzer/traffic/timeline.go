package traffic

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// Marker sources set here.
const (
	SourceFlag           = "flag"            // --marker EVENT@WHEN
	SourceConsentRequest = "consent-request" // --consent-request SUBSTRING
)

// ParseMarkerFlag reads EVENT@WHEN, where WHEN is an RFC 3339 time, +SECONDS after first (the
// first flow's time), or "start" (first itself). EVENT is one word: launch, consent-accepted,
// consent-declined, att-authorized, att-denied, or any other.
func ParseMarkerFlag(v string, first time.Time) (model.Marker, error) {
	event, when, ok := strings.Cut(v, "@")
	if !ok {
		return model.Marker{}, fmt.Errorf("marker %q: want EVENT@WHEN (WHEN: RFC 3339 time, +SECONDS, or start)", v)
	}
	if err := checkEvent(event); err != nil {
		return model.Marker{}, fmt.Errorf("marker %q: %w", v, err)
	}
	m := model.Marker{Event: event, Source: SourceFlag}
	switch {
	case when == "start":
		if first.IsZero() {
			return model.Marker{}, fmt.Errorf("marker %q: start needs at least one flow with a time", v)
		}
		m.Time = first
	case strings.HasPrefix(when, "+"):
		if first.IsZero() {
			return model.Marker{}, fmt.Errorf("marker %q: +SECONDS needs at least one flow with a time", v)
		}
		secs, err := strconv.ParseFloat(when[1:], 64)
		if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 || secs > 366*24*3600 {
			return model.Marker{}, fmt.Errorf("marker %q: %q is not a number of seconds after the first flow", v, when)
		}
		m.Time = first.Add(time.Duration(secs * float64(time.Second)))
	default:
		t, err := time.Parse(time.RFC3339Nano, when)
		if err != nil {
			return model.Marker{}, fmt.Errorf("marker %q: %q is not an RFC 3339 time, +SECONDS or start", v, when)
		}
		m.Time = t
	}
	return m, nil
}

func checkEvent(e string) error {
	if e == "" {
		return fmt.Errorf("empty event")
	}
	if len(e) > 64 {
		return fmt.Errorf("event longer than 64 characters")
	}
	for _, c := range e {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("event %q is not one word (letters, digits, - _ .)", e)
		}
	}
	return nil
}

// ApplyTimeline merges the session's markers with extra ones (from --marker) and, when
// consentRequest is not empty, a consent-accepted marker at the first flow whose URL contains
// it; sorts them by time (ties keep session, then extra, then consent-request order); and sets
// every flow's Phase, ATT state and SinceLaunch.
//
// A flow at the very moment of a marker counts as after it: nothing proves it came first.
// With no consent marker at all, every flow is before consent. The session is updated even
// when an error (a consent request that matches no flow) is returned.
func ApplyTimeline(s *model.Session, extra []model.Marker, consentRequest string) error {
	markers := make([]model.Marker, 0, len(s.Markers)+len(extra)+1)
	markers = append(markers, s.Markers...)
	markers = append(markers, extra...)
	var err error
	if consentRequest != "" {
		if idx := consentRequestFlow(s, consentRequest); idx >= 0 {
			f := &s.Flows[idx]
			markers = append(markers, model.Marker{
				Event: model.MarkConsentAccepted, Time: f.Time, Source: SourceConsentRequest,
				Note: fmt.Sprintf("flow %d: %s %s", f.Index, f.Method, boundText(f.URL, maxValueLen)),
			})
		} else {
			err = fmt.Errorf("--consent-request %q: no request URL contains it; no consent moment set", consentRequest)
		}
	}
	sort.SliceStable(markers, func(i, j int) bool { return markers[i].Time.Before(markers[j].Time) })
	s.Markers = dedupeMarkers(markers)

	launches := make([]time.Time, 0, 2)
	for _, m := range s.Markers {
		if m.Event == model.MarkLaunch {
			launches = append(launches, m.Time)
		}
	}
	first := s.FirstFlowTime()
	for i := range s.Flows {
		f := &s.Flows[i]
		f.Phase, f.ATT = model.PhaseBeforeConsent, model.ATTNotDetermined
		for _, m := range s.Markers {
			if f.Time.Before(m.Time) {
				break
			}
			switch m.Event {
			case model.MarkConsentAccepted:
				f.Phase = model.PhaseAfterConsent
			case model.MarkConsentDeclined:
				f.Phase = model.PhaseAfterRefusal
			case model.MarkATTAuthorized:
				f.ATT = model.ATTAuthorized
			case model.MarkATTDenied:
				f.ATT = model.ATTDenied
			}
		}
		f.SinceLaunch = sinceLaunch(f.Time, launches, first)
	}
	return err
}

// consentRequestFlow is the earliest flow (by time, then position) whose URL contains sub.
func consentRequestFlow(s *model.Session, sub string) int {
	best := -1
	for i := range s.Flows {
		if !strings.Contains(s.Flows[i].URL, sub) {
			continue
		}
		if best < 0 || s.Flows[i].Time.Before(s.Flows[best].Time) {
			best = i
		}
	}
	return best
}

// dedupeMarkers drops exact repeats (the same marker given in the session and as a flag).
func dedupeMarkers(ms []model.Marker) []model.Marker {
	out := ms[:0]
	for _, m := range ms {
		dup := false
		for _, o := range out {
			if o.Event == m.Event && o.Time.Equal(m.Time) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, m)
		}
	}
	return out
}

// sinceLaunch is the time since the latest launch at or before t (relaunches restart the
// clock); before the first launch it is negative; with no launch marker, since the first flow.
// Rounded to the millisecond so reports are stable.
func sinceLaunch(t time.Time, launches []time.Time, first time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	ref := first
	if len(launches) > 0 {
		ref = launches[0]
		for _, l := range launches {
			if !t.Before(l) {
				ref = l
			}
		}
	}
	if ref.IsZero() {
		return 0
	}
	return math.Round(t.Sub(ref).Seconds()*1000) / 1000
}
