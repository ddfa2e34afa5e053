package html

import (
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

// Payloads that change the page if they ever run: the title becomes "pwned", or an element with
// id "pwned" or a data-pwned attribute appears.
const (
	payloadScript = `<script>document.title='pwned'</script>`
	payloadImg    = `"><img src=x onerror="document.body.setAttribute('data-pwned','1')">`
	payloadJS     = `javascript:document.title='pwned'//`
	payloadStyle  = `</style><script>document.title='pwned'</script><style>`
	payloadCSS    = `red;}body{display:none}*{background:url(https://evil.example/x)}`
	payloadSVG    = `<svg onload="document.body.insertAdjacentHTML('beforeend','<p id=pwned></p>')">`
	payloadTitle  = `</title><script>document.title='pwned'</script>`
	payloadCDATA  = `]]><script>document.title='pwned'</script><!--`
	payloadRTL    = "invoice\u202egpj.exe"
)

var payloads = []string{payloadScript, payloadImg, payloadJS, payloadStyle, payloadCSS, payloadSVG, payloadTitle, payloadCDATA, payloadRTL}

func all() string { return strings.Join(payloads, " ") }

// hostileReport puts the payloads into every string a capture, an app or a file can set.
func hostileReport() *model.Report {
	r := zoomlikeSession()
	p := all()
	r.Tool.Version = payloadScript
	r.Tool.Signatures.Sources = []string{payloadImg}
	r.Inputs = append(r.Inputs, model.Input{Path: p, Kind: payloadStyle, SHA256: payloadSVG})
	a := &r.Apps[0]
	a.Name, a.Version, a.Build, a.BundleID = payloadTitle+payloadScript, payloadImg, payloadCSS, payloadJS
	a.Limitations = append(a.Limitations, p)
	a.Errors = append(a.Errors, model.Error{Path: payloadImg, Stage: payloadScript, Message: p})
	a.Binaries[0].Path, a.Binaries[0].Archs = p, []string{payloadSVG}
	s := &a.SDKs[0]
	s.Name, s.Vendor, s.Version, s.Category = payloadSVG, payloadStyle, payloadImg, payloadCSS
	s.Evidence = append(s.Evidence, model.Evidence{Kind: payloadScript, Path: p, Value: p, Pattern: p, Detail: p})
	a.Declarations.Privacy.TrackingDomains = []model.AttributedValue{{Value: payloadJS, Manifests: []string{p}}}
	ses := &r.Sessions[0]
	ses.Source = p
	ses.Markers = append(ses.Markers, model.Marker{Event: payloadScript, Time: launch.Add(5 * time.Second), Note: p, Source: payloadImg})
	ses.Errors = []model.Error{{Stage: "har", Message: p}}
	f := &ses.Flows[1]
	f.URL = "https://graph.facebook.com/" + p
	f.Method, f.Host, f.Endpoint, f.Error = payloadScript, payloadImg, p, p
	f.Problems = []string{p}
	f.Data = append(f.Data,
		model.DataItem{Type: payloadSVG, Location: "header." + payloadImg, Value: p, Match: payloadCSS, Personal: true},
		model.DataItem{Type: "email", Location: "body.ud", Value: strings.Repeat(payloadScript, 200), Match: "known:email/plain", Personal: true})
	js := ses.Flows[3]
	js.Index, js.URL, js.Host, js.Party = 6, payloadJS, payloadJS, payloadRTL
	js.SDK = ptr(payloadScript)
	js.Data = []model.DataItem{{Type: "device-name", Location: "query.name", Value: payloadRTL, Match: "known:device_name/plain", Personal: true}}
	ses.Flows = append(ses.Flows, js)
	for i := range r.Findings {
		fd := &r.Findings[i]
		fd.Message += " " + p
		fd.Fix = p
		fd.Fingerprint = payloadImg
	}
	r.Findings = append(r.Findings, model.Finding{Rule: payloadScript, Severity: model.Severity(payloadCSS), SDK: payloadScript,
		Message: p, Fix: p, Fingerprint: p,
		Evidence: []model.Evidence{
			{Kind: model.EvidenceFlow, Session: "zoomlike-launch", Flow: ptr(6), Value: p},
			{Kind: model.EvidenceFlow, Session: payloadScript, Flow: ptr(99), Value: p},
			{Kind: model.EvidenceMarker, Session: "zoomlike-launch", Value: p, Detail: p}},
		Suppressed: &model.Suppression{Reason: p, Expires: payloadImg, Source: payloadJS}})
	r.SkippedRules = append(r.SkippedRules, model.SkippedRule{Rule: payloadScript, Reason: p})
	r.Errors = []model.Error{{Path: p, Stage: payloadStyle, Message: p}}
	report.Finalize(r)
	return r
}

func TestHostileCaptureIsText(t *testing.T) {
	out := encode(t, hostileReport())
	doc := parse(t, out)
	assertInert(t, doc)
	if n := find(doc, func(n *xhtml.Node) bool { return n.Data == "style" }); len(n) != 1 {
		t.Errorf("%d style elements: a payload opened one", len(n))
	}
	if n := find(doc, func(n *xhtml.Node) bool { return n.Data == "title" && n.Parent.Data == "head" }); len(n) != 1 ||
		!strings.HasPrefix(textOf(n[0]), "sdkflow report: </title><script>") {
		t.Error("the title is not the escaped app name")
	}
	txt := textOf(doc)
	for _, p := range payloads[:len(payloads)-1] {
		if !strings.Contains(txt, p) {
			t.Errorf("payload not shown as text: %q", p)
		}
	}
	if strings.ContainsRune(out, '\u202e') || !strings.Contains(txt, "invoice⟦U+202E⟧gpj.exe") {
		t.Error("the right-to-left override is not shown as a code point")
	}
	if !strings.Contains(txt, "characters in all)") {
		t.Error("a long value is not marked as cut")
	}
	// The javascript: URL of flow 6 is on the page as text only.
	for _, a := range find(doc, func(n *xhtml.Node) bool { return n.Data == "a" }) {
		if !strings.HasPrefix(attr(a, "href"), "#") {
			t.Errorf("live link %q", attr(a, "href"))
		}
	}
	if len(out) > 2<<20 {
		t.Errorf("report is %d bytes: values are not bounded", len(out))
	}
}
