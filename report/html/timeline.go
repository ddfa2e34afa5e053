package html

import (
	"cmp"
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// The timeline is an inline SVG: x is the time since the first launch marker (or the first
// request), one lane per SDK or unknown party, one mark per request, red when it carried
// personal data; consent and ATT markers are vertical lines with labels. Up to maxMarks requests
// each get a mark with a tooltip; beyond that each lane is cut into bins a few pixels wide and
// each bin's mark says how many requests it holds, so 10 and 10,000 requests both read.

const (
	svgWidth    = 960.0
	labelWidth  = 200.0
	plotLeft    = labelWidth + 10
	plotRight   = svgWidth - 20
	laneHeight  = 22.0
	labelRow    = 14.0
	axisHeight  = 34.0
	maxMarks    = 1500
	binPixels   = 4.0
	maxLanes    = 30
	maxLabelRow = 3
)

type timeline struct {
	Width, Height       string
	PlotLeft, PlotRight string
	PlotTop, PlotBottom string
	AxisY, AxisLabelY   string
	AxisLabel           string
	Lanes               []lane
	Ticks               []tick
	Markers             []markerLine
	Binned              bool
	Caption             string
	Drawn, Untimed      int
	MoreMarkers         int
}

type lane struct {
	Y, TextY, BandY, BandHeight string
	Label                       string
	Title                       string
	Marks                       []mark
}

type mark struct {
	X, Y, W, H string
	Class      string
	Title      string
}

type tick struct {
	X, Label string
}

type markerLine struct {
	X, Y1, Y2, LabelY string
	Class             string
	Label             string
	Title             string
	Anchor            string
}

// num formats an SVG coordinate.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

type timedFlow struct {
	f   *model.Flow
	t   float64 // seconds since the origin
	key string  // lane key
}

func (b *builder) timeline(s *model.Session) *timeline {
	origin, axis := time.Time{}, "seconds since launch"
	for _, m := range s.Markers {
		if m.Event == model.MarkLaunch && !m.Time.IsZero() {
			origin = m.Time
			break
		}
	}
	if origin.IsZero() {
		origin, axis = s.FirstFlowTime(), "seconds since the first request (no launch marker)"
	}
	if origin.IsZero() {
		return nil
	}
	tl := &timeline{AxisLabel: axis}
	var flows []timedFlow
	lo, hi := 0.0, 0.0
	first := map[string]float64{}
	for i := range s.Flows {
		f := &s.Flows[i]
		if f.Time.IsZero() {
			tl.Untimed++
			continue
		}
		t := f.Time.Sub(origin).Seconds()
		key := laneKey(f)
		flows = append(flows, timedFlow{f, t, key})
		lo, hi = min(lo, t), max(hi, t)
		if v, ok := first[key]; !ok || t < v {
			first[key] = t
		}
	}
	type timedMarker struct {
		m *model.Marker
		t float64
	}
	var markers []timedMarker
	for i := range s.Markers {
		m := &s.Markers[i]
		if m.Time.IsZero() {
			continue
		}
		if len(markers) == maxMarkers {
			tl.MoreMarkers++
			continue
		}
		t := m.Time.Sub(origin).Seconds()
		markers = append(markers, timedMarker{m, t})
		lo, hi = min(lo, t), max(hi, t)
	}
	if len(flows) == 0 && len(markers) == 0 {
		return nil
	}
	lo, hi, step := niceRange(lo, hi)
	x := func(t float64) float64 { return plotLeft + (t-lo)/(hi-lo)*(plotRight-plotLeft) }

	// Lanes in order of first appearance; past maxLanes-1, the rest share one lane.
	keys := make([]string, 0, len(first))
	for k := range first {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, c string) int { return cmp.Or(cmp.Compare(first[a], first[c]), cmp.Compare(a, c)) })
	laneOf := map[string]int{}
	other := ""
	if len(keys) > maxLanes {
		other = fmt.Sprintf("%d other parties", len(keys)-(maxLanes-1))
		for _, k := range keys[maxLanes-1:] {
			laneOf[k] = maxLanes - 1
		}
		keys = keys[:maxLanes-1]
	}
	for i, k := range keys {
		laneOf[k] = i
	}
	nLanes := len(keys)
	if other != "" {
		nLanes++
	}

	// Marker labels: the first of up to maxLabelRow rows where the label does not overlap the
	// previous one; a marker that fits nowhere keeps its line and tooltip.
	rowEnd := make([]float64, maxLabelRow)
	for i := range rowEnd {
		rowEnd[i] = math.Inf(-1)
	}
	type placed struct {
		m   timedMarker
		row int
	}
	var placedMarkers []placed
	rows := 0
	for _, tm := range markers {
		label := plain(tm.m.Event, 24)
		px := x(tm.t)
		w := 6.2*float64(len([]rune(label))) + 8
		row := -1
		for r := range rowEnd {
			if px > rowEnd[r]+4 {
				row = r
				rowEnd[r] = px + w
				break
			}
		}
		placedMarkers = append(placedMarkers, placed{tm, row})
		if row+1 > rows {
			rows = row + 1
		}
	}
	top := 8 + float64(rows)*labelRow
	plotBottom := top + float64(nLanes)*laneHeight
	height := plotBottom + axisHeight
	tl.Width, tl.Height = num(svgWidth), num(height)
	tl.PlotLeft, tl.PlotRight, tl.PlotTop, tl.PlotBottom = num(plotLeft), num(plotRight), num(top), num(plotBottom)
	tl.AxisY, tl.AxisLabelY = num(plotBottom+16), num(plotBottom+30)

	for i := 0; i < nLanes; i++ {
		y := top + float64(i)*laneHeight
		l := lane{Y: num(y + laneHeight/2), TextY: num(y + laneHeight/2 + 4), BandY: num(y + 1), BandHeight: num(laneHeight - 2)}
		if i < len(keys) {
			l.Label, l.Title = b.laneLabel(keys[i])
		} else {
			l.Label, l.Title = other, other
		}
		tl.Lanes = append(tl.Lanes, l)
	}
	tl.Binned = len(flows) > maxMarks
	if tl.Binned {
		b.binMarks(tl, flows, laneOf, top, x, lo, hi)
	} else {
		for _, tf := range flows {
			i := laneOf[tf.key]
			y := top + float64(i)*laneHeight
			m := mark{X: num(x(tf.t) - 1.5), Y: num(y + 4), W: "3", H: num(laneHeight - 8), Class: flowClass(tf.f),
				Title: b.flowTitle(s.Name, tf.f)}
			tl.Lanes[i].Marks = append(tl.Lanes[i].Marks, m)
		}
		tl.Drawn = len(flows)
	}
	for t := lo; t <= hi+step/2; t += step {
		tl.Ticks = append(tl.Ticks, tick{X: num(x(t)), Label: tickLabel(t, step)})
	}
	for _, pm := range placedMarkers {
		ml := markerLine{X: num(x(pm.m.t)), Y1: num(top - 2), Y2: num(plotBottom), Class: markerClass(pm.m.m.Event),
			Title: fmt.Sprintf("%s at %s", plain(pm.m.m.Event, 64), b.markerSince(s, pm.m.m))}
		if pm.m.m.Note != "" {
			ml.Title += ": " + plain(pm.m.m.Note, limitValue)
		}
		if pm.row >= 0 {
			ml.Label = plain(pm.m.m.Event, 24)
			ml.LabelY = num(8 + float64(pm.row)*labelRow + 9)
		}
		ml.Anchor = "start"
		if pm.m.t > lo+(hi-lo)*0.85 {
			ml.Anchor = "end"
		}
		tl.Markers = append(tl.Markers, ml)
	}
	tl.Caption = b.caption(tl, len(flows), nLanes)
	return tl
}

func (b *builder) caption(tl *timeline, flows, lanes int) string {
	c := fmt.Sprintf("%s over %s.", prose.Plural(flows, "request", "requests"), prose.Plural(lanes, "lane", "lanes"))
	if tl.Binned {
		c += fmt.Sprintf(" Requests are grouped into bins %g pixels wide; a taller mark holds more requests.", binPixels)
	}
	if tl.MoreMarkers > 0 {
		c += fmt.Sprintf(" %s past the first %d are not drawn.", prose.Plural(tl.MoreMarkers, "marker", "markers"), maxMarkers)
	}
	if tl.Untimed > 0 {
		c += fmt.Sprintf(" %s without a time are not drawn.", prose.Plural(tl.Untimed, "request", "requests"))
	}
	return c
}

func laneKey(f *model.Flow) string {
	if f.SDK != nil && *f.SDK != "" {
		return "sdk:" + *f.SDK
	}
	return "party:" + partyOf(f)
}

func (b *builder) laneLabel(key string) (label, title string) {
	if id, ok := cutPrefix(key, "sdk:"); ok {
		name := id
		if l := b.label(id); l.name != "" {
			name = l.name
		}
		return plain(name, 30), plain(name, limitName) + " (" + plain(id, 80) + ")"
	}
	party, _ := cutPrefix(key, "party:")
	return plain(party, 30), plain(party, limitName) + " (no known SDK)"
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// flowClass colours a mark: personal data, a request a finding cites, a TLS failure, or other.
func flowClass(f *model.Flow) string {
	switch {
	case f.Kind == model.FlowTLSFailure:
		return "m tls"
	case personal(f):
		return "m pd"
	}
	return "m"
}

func (b *builder) flowTitle(session string, f *model.Flow) string {
	t := fmt.Sprintf("#%d %s %s · %s", f.Index, plain(f.Method, 12), plain(f.URL, 160), b.since(session, f))
	n := 0
	for _, d := range f.Data {
		if d.Personal {
			n++
		}
	}
	if n > 0 {
		t += " · " + prose.Plural(n, "personal data item", "personal data items")
	}
	if fs := b.cited[session][f.Index]; len(fs) > 0 {
		t += fmt.Sprintf(" · finding %d", fs[0])
	}
	return t
}

func (b *builder) binMarks(tl *timeline, flows []timedFlow, laneOf map[string]int, top float64, x func(float64) float64, lo, hi float64) {
	nBins := int(math.Floor((plotRight - plotLeft) / binPixels))
	type bin struct{ n, personal, tls int }
	bins := make([][]bin, len(tl.Lanes))
	for i := range bins {
		bins[i] = make([]bin, nBins)
	}
	peak := 1
	for _, tf := range flows {
		k := int((tf.t - lo) / (hi - lo) * float64(nBins))
		k = max(0, min(nBins-1, k))
		bn := &bins[laneOf[tf.key]][k]
		bn.n++
		if personal(tf.f) {
			bn.personal++
		}
		if tf.f.Kind == model.FlowTLSFailure {
			bn.tls++
		}
		peak = max(peak, bn.n)
	}
	width := (hi - lo) / float64(nBins)
	for i := range bins {
		y := top + float64(i)*laneHeight
		for k, bn := range bins[i] {
			if bn.n == 0 {
				continue
			}
			// Height grows with the log of the count, so one request stays visible beside a
			// thousand.
			h := 3 + (laneHeight-7)*math.Log1p(float64(bn.n))/math.Log1p(float64(peak))
			class := "m"
			switch {
			case bn.personal > 0:
				class = "m pd"
			case bn.tls > 0:
				class = "m tls"
			}
			from := lo + float64(k)*width
			title := fmt.Sprintf("%s from %s to %s", prose.Plural(bn.n, "request", "requests"), seconds(from), seconds(from+width))
			if bn.personal > 0 {
				title += fmt.Sprintf(", %d with personal data", bn.personal)
			}
			px := plotLeft + float64(k)*binPixels
			tl.Lanes[i].Marks = append(tl.Lanes[i].Marks, mark{X: num(px), Y: num(y + laneHeight/2 - h/2), W: num(binPixels - 0.5),
				H: num(h), Class: class, Title: title})
			tl.Drawn++
		}
	}
}

// niceSteps are tick intervals a reader counts in easily: seconds, minutes, hours, days.
var niceSteps = []float64{0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}

// niceRange widens [lo, hi] to whole steps of a nice interval, with at most 10 ticks.
func niceRange(lo, hi float64) (float64, float64, float64) {
	if hi-lo < 1 {
		hi = lo + 1
	}
	span := hi - lo
	step := 0.0
	for _, s := range niceSteps {
		if span/s <= 10 {
			step = s
			break
		}
	}
	if step == 0 {
		// Longer than ten days: whole days, 1, 2 or 5 × 10^k of them.
		days := span / 86400 / 10
		k := math.Pow(10, math.Floor(math.Log10(days)))
		step = 86400 * k * 10
		for _, f := range []float64{1, 2, 5} {
			if span/(86400*k*f) <= 10 {
				step = 86400 * k * f
				break
			}
		}
	}
	lo = math.Floor(lo/step) * step
	hi = math.Ceil(hi/step) * step
	if hi == lo {
		hi = lo + step
	}
	return lo, hi, step
}

func tickLabel(t, step float64) string {
	if math.Abs(t) < step/1e6 {
		t = 0
	}
	switch {
	case step >= 86400:
		return strconv.FormatFloat(t/86400, 'f', -1, 64) + " d"
	case step >= 3600:
		return strconv.FormatFloat(t/3600, 'f', -1, 64) + " h"
	case step >= 60:
		return strconv.FormatFloat(t/60, 'f', -1, 64) + " min"
	case step >= 1:
		return strconv.FormatFloat(t, 'f', 0, 64) + " s"
	}
	return strconv.FormatFloat(t, 'f', 1, 64) + " s"
}

func markerClass(event string) string {
	switch event {
	case model.MarkConsentAccepted:
		return "mk ok"
	case model.MarkConsentDeclined:
		return "mk no"
	case model.MarkATTAuthorized, model.MarkATTDenied:
		return "mk att"
	case model.MarkLaunch:
		return "mk launch"
	}
	return "mk other"
}
