package html

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

// FuzzEncode puts arbitrary captured text and times into a report: rendering must not fail or
// panic, and the page must stay inert (no element, attribute or link a value could open) with
// no invisible reordering character left in it.
func FuzzEncode(f *testing.F) {
	f.Add("https://graph.facebook.com/v5.0/1/activities", "iPhone11,8", "Facebook", "launch", "note", 1.2, int64(1_204_000_000))
	for _, p := range payloads {
		f.Add(p, p, p, p, p, -3.0, int64(-5_000_000_000))
	}
	f.Add("\xff\xfe", "\u202e\u2066", "</title>", "consent-accepted", "", math.NaN(), int64(math.MaxInt64))
	f.Add("", "", "", "att-denied", "\x00", math.Inf(1), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, url, value, name, event, note string, since float64, offset int64) {
		r := zoomlikeSession()
		a := &r.Apps[0]
		a.Name, a.SDKs[0].Name, a.SDKs[0].Vendor = name, name, value
		s := &r.Sessions[0]
		s.Markers = append(s.Markers, model.Marker{Event: event, Note: note, Time: launch.Add(time.Duration(offset))})
		fl := &s.Flows[1]
		fl.URL, fl.Host, fl.Method, fl.SinceLaunch = url, name, value, since
		fl.Time = launch.Add(time.Duration(offset / 3))
		fl.Data = append(fl.Data, model.DataItem{Type: name, Location: event, Value: value, Match: note, Personal: true})
		extra := *fl
		extra.Index, extra.SDK, extra.Party = 7, &name, url
		s.Flows = append(s.Flows, extra)
		r.Findings[0].Message = note + value
		r.Findings[0].Evidence = append(r.Findings[0].Evidence, model.Evidence{Kind: event, Session: name, Flow: ptr(int(offset % 100)), Path: url, Value: value})
		report.Finalize(r)
		var buf bytes.Buffer
		if err := render(&buf, r); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !utf8.ValidString(out) {
			t.Fatal("output is not UTF-8")
		}
		for _, r := range out {
			if hidden(r) && r != '\n' {
				t.Fatalf("hidden character %U in the page", r)
			}
		}
		assertInert(t, parse(t, out))
		if strings.Count(out, "<style>") != 1 || strings.Count(out, "<svg ") != 1 {
			t.Fatal("a value opened an element")
		}
	})
}

// FuzzBound checks the text bound every captured value goes through.
func FuzzBound(f *testing.F) {
	for _, s := range []string{"", "plain", "a\u202eb", "\xff", strings.Repeat("é", 50), "line\r\nbreak"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 0 || limit > 1000 {
			return
		}
		got := bound(s, limit)
		if !utf8.ValidString(got.S) {
			t.Fatalf("bound(%q) = %q: not UTF-8", s, got.S)
		}
		shown := 0
		for _, r := range got.S {
			if hidden(r) {
				t.Fatalf("bound(%q) kept hidden %U", s, r)
			}
			shown++
		}
		total := utf8.RuneCountInString(strings.ToValidUTF8(s, "\uFFFD"))
		if got.Cut() != (total > limit) {
			t.Fatalf("bound(%q, %d): cut %v, total %d", s, limit, got.Cut(), total)
		}
		if !got.Cut() && shown < total {
			t.Fatalf("bound(%q, %d) lost characters: %q", s, limit, got.S)
		}
	})
}
