package html

import (
	"fmt"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

// largeSession is a capture of n requests over ten minutes to the given number of parties, a
// third of them carrying personal data, with consent accepted half way.
func largeSession(n, parties int) *model.Report {
	s := model.Session{Name: "large", Source: "store", Markers: []model.Marker{
		{Event: model.MarkLaunch, Time: launch},
		{Event: model.MarkATTDenied, Time: launch.Add(200 * time.Second)},
		{Event: model.MarkConsentAccepted, Time: launch.Add(300 * time.Second)},
	}}
	s.Flows = make([]model.Flow, n)
	for i := range s.Flows {
		at := float64(i) * 600 / float64(n)
		host := fmt.Sprintf("t%d.tracker%d.example", i%3, i%parties)
		f := model.Flow{Index: i, Kind: model.FlowHTTP, Time: launch.Add(time.Duration(at * float64(time.Second))), Method: "POST",
			URL: "https://" + host + "/v1/events?i=" + fmt.Sprint(i), Host: host, Party: fmt.Sprintf("tracker%d.example", i%parties),
			Phase: model.PhaseBeforeConsent, ATT: model.ATTNotDetermined, SinceLaunch: at, Data: []model.DataItem{}}
		if i%parties == 0 {
			f.SDK = ptr("facebook-core")
		}
		if at >= 300 {
			f.Phase = model.PhaseAfterConsent
		}
		if i%3 == 0 {
			f.Data = []model.DataItem{{Type: "device-model", Location: "body.model", Value: "iPhone11,8", Match: "key:model", Personal: true}}
		}
		s.Flows[i] = f
	}
	r := &model.Report{Tool: tool(), Apps: []model.App{staticApp()}, Sessions: []model.Session{s}}
	report.Finalize(r)
	return r
}

func TestTimelineAtTenAndTenThousand(t *testing.T) {
	for _, c := range []struct {
		flows, parties, lanes int
		binned                bool
	}{
		{10, 3, 3, false},
		{10_000, 5, 5, true},
		{2_000, 100, maxLanes, true},
	} {
		t.Run(fmt.Sprint(c.flows, "/", c.parties), func(t *testing.T) {
			r := largeSession(c.flows, c.parties)
			tl := newBuilder(r).timeline(&r.Sessions[0])
			if len(tl.Lanes) != c.lanes || tl.Binned != c.binned {
				t.Fatalf("%d lanes (want %d), binned %v", len(tl.Lanes), c.lanes, tl.Binned)
			}
			marks := 0
			for _, l := range tl.Lanes {
				marks += len(l.Marks)
			}
			if !c.binned && marks != c.flows {
				t.Errorf("%d marks for %d flows", marks, c.flows)
			}
			if c.binned && marks > c.lanes*183 {
				t.Errorf("%d marks: not binned", marks)
			}
			if c.lanes == maxLanes && !strings.HasSuffix(tl.Lanes[maxLanes-1].Label, "other parties") {
				t.Errorf("last lane %q", tl.Lanes[maxLanes-1].Label)
			}
			out := encode(t, r)
			if len(out) > 1<<20 {
				t.Errorf("%d flows make a %d-byte page", c.flows, len(out))
			}
			doc := parse(t, out)
			assertInert(t, doc)
			lines := find(doc, func(n *xhtml.Node) bool { return n.Data == "line" && strings.HasPrefix(attr(n, "class"), "mk ") })
			if len(lines) != 3 {
				t.Errorf("%d marker lines, want launch, ATT and consent", len(lines))
			}
		})
	}
}

func TestNiceRange(t *testing.T) {
	for _, c := range []struct{ lo, hi, wantLo, wantHi, step float64 }{
		{0, 0, 0, 1, 0.1},
		{0, 3.05, 0, 3.5, 0.5},
		{0, 31.5, 0, 35, 5},
		{-0.4, 12, -2, 12, 2},
		{0, 600, 0, 600, 60},
		{0, 601, 0, 720, 120},
		{0, 7200, 0, 7200, 900},
		{0, 40 * 86400, 0, 40 * 86400, 5 * 86400},
	} {
		lo, hi, step := niceRange(c.lo, c.hi)
		if lo != c.wantLo || hi != c.wantHi || step != c.step {
			t.Errorf("niceRange(%g, %g) = %g, %g, %g; want %g, %g, %g", c.lo, c.hi, lo, hi, step, c.wantLo, c.wantHi, c.step)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		r := largeSession(n, 20)
		b.Run(fmt.Sprintf("flows=%d", n), func(b *testing.B) {
			var size int
			for b.Loop() {
				var sb strings.Builder
				if err := (Encoder{}).Encode(&sb, r, report.Options{}); err != nil {
					b.Fatal(err)
				}
				size = sb.Len()
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}

// TestPageStaysBounded feeds a report far beyond any real one: thousands of findings citing
// large requests, thousands of SDKs and markers. The page must stay a size a browser opens.
func TestPageStaysBounded(t *testing.T) {
	r := largeSession(3_000, 4)
	s := &r.Sessions[0]
	long := strings.Repeat("v", 5000)
	for i := range s.Flows {
		for j := 0; j < 100; j++ {
			s.Flows[i].Data = append(s.Flows[i].Data, model.DataItem{Type: "email", Location: "body." + long, Value: long, Match: long, Personal: true})
		}
	}
	for i := 0; i < 5000; i++ {
		s.Markers = append(s.Markers, model.Marker{Event: "note", Time: launch.Add(time.Duration(i) * time.Millisecond), Note: long})
		r.Apps[0].SDKs = append(r.Apps[0].SDKs, model.SDK{ID: fmt.Sprint("sdk-", i), Name: long})
		f := model.Finding{Rule: "SDKF001", Severity: model.SeverityHigh, Message: long, Fix: long, Fingerprint: fmt.Sprint(i)}
		for k := 0; k < 20; k++ {
			f.Evidence = append(f.Evidence, model.Evidence{Kind: model.EvidenceFlow, Session: "large", Flow: ptr((i*20 + k) % 3000)})
		}
		r.Findings = append(r.Findings, f)
	}
	report.Finalize(r)
	out := encode(t, r)
	t.Logf("page: %d bytes", len(out))
	if len(out) > 10<<20 {
		t.Errorf("the page is %d MB", len(out)>>20)
	}
	for _, want := range []string{"more findings are in the JSON report", "more SDKs are in the JSON report", "more data items are in the JSON report"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q", want)
		}
	}
}
