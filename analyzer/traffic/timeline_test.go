package traffic

import (
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

func TestParseMarkerFlag(t *testing.T) {
	first := t0
	cases := []struct {
		in      string
		event   string
		at      time.Time
		wantErr string
	}{
		{"launch@start", "launch", first, ""},
		{"consent-accepted@+12.5", "consent-accepted", first.Add(12500 * time.Millisecond), ""},
		{"att-denied@2026-03-25T09:00:30Z", "att-denied", first.Add(30 * time.Second), ""},
		{"att-denied@2026-03-25T10:00:30.250+01:00", "att-denied", first.Add(30250 * time.Millisecond), ""},
		{"custom_step@+0", "custom_step", first, ""},
		{"launch", "", time.Time{}, "want EVENT@WHEN"},
		{"@start", "", time.Time{}, "empty event"},
		{"two words@start", "", time.Time{}, "not one word"},
		{"launch@+x", "", time.Time{}, "not a number"},
		{"launch@+-3", "", time.Time{}, "not a number"},
		{"launch@+NaN", "", time.Time{}, "not a number"},
		{"launch@yesterday", "", time.Time{}, "not an RFC 3339"},
	}
	for _, tc := range cases {
		m, err := ParseMarkerFlag(tc.in, first)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err = %v, want ~%q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || m.Event != tc.event || !m.Time.Equal(tc.at) || m.Source != SourceFlag {
			t.Errorf("%q: got %+v, %v", tc.in, m, err)
		}
	}
	if _, err := ParseMarkerFlag("launch@start", time.Time{}); err == nil {
		t.Error("start without flows accepted")
	}
}

func session(offsets ...float64) *model.Session {
	s := &model.Session{}
	for i, o := range offsets {
		f := flow("GET", "https://example.com/"+string(rune('a'+i)), nil)
		f.Index = i
		f.Time = t0.Add(time.Duration(o * float64(time.Second)))
		s.Flows = append(s.Flows, f)
	}
	return s
}

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

func phases(s *model.Session) string {
	var out []string
	for _, f := range s.Flows {
		out = append(out, f.Phase+"/"+f.ATT)
	}
	return strings.Join(out, " ")
}

func TestApplyTimeline(t *testing.T) {
	const (
		bc, ac, ar = model.PhaseBeforeConsent, model.PhaseAfterConsent, model.PhaseAfterRefusal
		nd, au, de = model.ATTNotDetermined, model.ATTAuthorized, model.ATTDenied
	)
	p := func(ps ...string) string { return strings.Join(ps, " ") }
	cases := []struct {
		name    string
		markers []model.Marker
		extra   []model.Marker
		want    string
	}{
		{"no markers: all before consent", nil, nil, p(bc+"/"+nd, bc+"/"+nd, bc+"/"+nd, bc+"/"+nd)},
		{"accepted at 5s", []model.Marker{{Event: model.MarkConsentAccepted, Time: at(5)}}, nil,
			p(bc+"/"+nd, bc+"/"+nd, ac+"/"+nd, ac+"/"+nd)},
		{"declined via flag, ATT denied", nil, []model.Marker{{Event: model.MarkConsentDeclined, Time: at(5)}, {Event: model.MarkATTDenied, Time: at(1)}},
			p(bc+"/"+nd, bc+"/"+de, ar+"/"+de, ar+"/"+de)},
		{"accept then decline", []model.Marker{{Event: model.MarkConsentDeclined, Time: at(9)}, {Event: model.MarkConsentAccepted, Time: at(2)}}, nil,
			p(bc+"/"+nd, bc+"/"+nd, ac+"/"+nd, ar+"/"+nd)},
		{"a flow at a marker's instant counts as after it", []model.Marker{{Event: model.MarkATTAuthorized, Time: at(1)}}, nil,
			p(bc+"/"+nd, bc+"/"+au, bc+"/"+au, bc+"/"+au)},
		{"only custom markers", []model.Marker{{Event: "opened-settings", Time: at(1)}}, nil,
			p(bc+"/"+nd, bc+"/"+nd, bc+"/"+nd, bc+"/"+nd)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := session(0, 1, 6, 10)
			s.Markers = tc.markers
			if err := ApplyTimeline(s, tc.extra, ""); err != nil {
				t.Fatal(err)
			}
			if got := phases(s); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			for i := 1; i < len(s.Markers); i++ {
				if s.Markers[i].Time.Before(s.Markers[i-1].Time) {
					t.Errorf("markers not sorted: %+v", s.Markers)
				}
			}
		})
	}
}

func TestApplyTimelineConsentRequestAndLaunch(t *testing.T) {
	s := session(0, 2, 4, 7)
	s.Flows[2].URL = "https://consent.example-cmp.com/v2/consent?choice=all"
	s.Flows[3].URL = "https://consent.example-cmp.com/v2/consent?choice=all"
	s.Markers = []model.Marker{{Event: model.MarkLaunch, Time: at(1)}}
	launch2 := model.Marker{Event: model.MarkLaunch, Time: at(6), Source: SourceFlag}
	if err := ApplyTimeline(s, []model.Marker{launch2}, "example-cmp.com/v2/consent"); err != nil {
		t.Fatal(err)
	}
	if got := phases(s); got != "before-consent/not-determined before-consent/not-determined after-consent/not-determined after-consent/not-determined" {
		t.Errorf("phases %s", got)
	}
	var since []float64
	for _, f := range s.Flows {
		since = append(since, f.SinceLaunch)
	}
	// Before the first launch: negative; after a relaunch the clock restarts.
	if want := []float64{-1, 1, 3, 1}; !equalFloats(since, want) {
		t.Errorf("since launch %v, want %v", since, want)
	}
	var consent *model.Marker
	for i := range s.Markers {
		if s.Markers[i].Source == SourceConsentRequest {
			consent = &s.Markers[i]
		}
	}
	if consent == nil || !consent.Time.Equal(at(4)) || consent.Event != model.MarkConsentAccepted || !strings.Contains(consent.Note, "flow 2") {
		t.Errorf("consent marker %+v", consent)
	}
	// Applying twice does not duplicate markers given both in the session and as flags.
	n := len(s.Markers)
	if err := ApplyTimeline(s, []model.Marker{launch2}, "example-cmp.com/v2/consent"); err != nil || len(s.Markers) != n {
		t.Errorf("markers %d → %d, %v", n, len(s.Markers), err)
	}

	s = session(0.25, 3.5)
	if err := ApplyTimeline(s, nil, "no-such-url"); err == nil {
		t.Error("unmatched consent request accepted")
	}
	if s.Flows[0].SinceLaunch != 0 || s.Flows[1].SinceLaunch != 3.25 || s.Flows[1].Phase != model.PhaseBeforeConsent {
		t.Errorf("no launch marker: %+v", s.Flows)
	}
}

func TestApplyTimelineStableTies(t *testing.T) {
	s := session(0, 5)
	s.Markers = []model.Marker{{Event: model.MarkConsentAccepted, Time: at(3)}}
	extra := []model.Marker{{Event: model.MarkConsentDeclined, Time: at(3)}, {Event: "note", Time: at(3), Note: "x"}}
	if err := ApplyTimeline(s, extra, ""); err != nil {
		t.Fatal(err)
	}
	var evs []string
	for _, m := range s.Markers {
		evs = append(evs, m.Event)
	}
	// Same instant: session markers first, then flags, in the order given; the last one wins.
	if strings.Join(evs, ",") != "consent-accepted,consent-declined,note" || s.Flows[1].Phase != model.PhaseAfterRefusal {
		t.Errorf("markers %v, phase %s", evs, s.Flows[1].Phase)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
