package html

import (
	"bytes"
	"github.com/sdkflow/sdkflow/internal/golden"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

const csp = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

func encode(t testing.TB, r *model.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := (Encoder{}).Encode(&buf, r, report.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), []byte(got))
}

func TestGolden(t *testing.T) {
	checkGolden(t, "zoomlike.html", encode(t, zoomlikeSession()))
	checkGolden(t, "static.html", encode(t, staticOnly()))
	traffic := zoomlikeSession()
	traffic.Apps, traffic.Inputs = nil, traffic.Inputs[1:]
	traffic.SkippedRules = []model.SkippedRule{{Rule: "SDKF010", Reason: "needs the app (--app)"}}
	report.Finalize(traffic)
	checkGolden(t, "traffic-only.html", encode(t, traffic))
	if encode(t, zoomlikeSession()) != encode(t, zoomlikeSession()) {
		t.Error("two encodings of the same report differ")
	}
}

func TestVerdictFirst(t *testing.T) {
	out := encode(t, zoomlikeSession())
	doc := parse(t, out)
	verdicts := textOf(find(doc, func(n *xhtml.Node) bool { return n.Data == "ul" && attr(n, "class") == "verdicts" })[0])
	want := "Zoomlike 5.0.1 sent device model, OS version, locale, time zone, carrier, screen size, CPU cores, disk space, " +
		"a device identifier and the advertising ID to Meta (graph.facebook.com) through Facebook SDK Core (FBSDKCoreKit), " +
		"in 3 requests, the first 1.2 s after launch, before any consent."
	if !strings.Contains(verdicts, want) {
		t.Errorf("verdict:\n%s\nwant it to contain:\n%s", verdicts, want)
	}
	if !strings.Contains(verdicts, "Zoomlike 5.0.1 contains 1 third-party SDK (1 tracker); the static checks found 2 problems, the most severe (high)") {
		t.Errorf("no static verdict:\n%s", verdicts)
	}
	// The verdict comes before everything else in the page.
	if v, tl := strings.Index(out, `id="verdict"`), strings.Index(out, `id="timeline"`); v < 0 || tl < v {
		t.Error("the verdict is not the first section")
	}
	// A capture without the app still names the SDK, from the built-in signature set.
	traffic := zoomlikeSession()
	traffic.Apps = nil
	report.Finalize(traffic)
	trafficVerdict := textOf(find(parse(t, encode(t, traffic)), func(n *xhtml.Node) bool { return attr(n, "id") == "verdict" })[0])
	if !strings.Contains(trafficVerdict, "The app in session zoomlike-launch sent device model") ||
		!strings.Contains(trafficVerdict, "to Meta (graph.facebook.com) through Facebook SDK Core (FBSDKCoreKit)") {
		t.Errorf("traffic-only verdict:\n%s", trafficVerdict)
	}
	staticDoc := parse(t, encode(t, staticOnly()))
	staticVerdict := textOf(find(staticDoc, func(n *xhtml.Node) bool { return attr(n, "id") == "verdict" })[0])
	if !strings.Contains(textOf(staticDoc), "No captured session") || strings.Contains(staticVerdict, " sent ") {
		t.Error("a static-only report must say it has no capture and claim nothing was sent")
	}
}

func TestStructure(t *testing.T) {
	for name, r := range map[string]*model.Report{"zoomlike": zoomlikeSession(), "static": staticOnly()} {
		t.Run(name, func(t *testing.T) {
			doc := parse(t, encode(t, r))
			assertInert(t, doc)
			var ids []string
			for _, s := range find(doc, func(n *xhtml.Node) bool { return n.Data == "section" }) {
				ids = append(ids, attr(s, "id"))
			}
			if got := strings.Join(ids, ","); got != "verdict,timeline,evidence,inventory,provenance" {
				t.Errorf("sections %s", got)
			}
			for _, in := range r.Inputs {
				if in.SHA256 != "" && !strings.Contains(textOf(doc), in.SHA256) {
					t.Errorf("input %s: sha256 not stated", in.Path)
				}
			}
			for _, want := range []string{r.Tool.Version, r.Tool.Signatures.Version, r.Tool.Signatures.Digest} {
				if !strings.Contains(textOf(doc), want) {
					t.Errorf("provenance lacks %q", want)
				}
			}
			// Every finding has its evidence block.
			for i := range r.Findings {
				if len(find(doc, func(n *xhtml.Node) bool { return attr(n, "id") == "finding-"+strconv.Itoa(i+1) })) != 1 {
					t.Errorf("no evidence block for finding %d", i+1)
				}
			}
		})
	}
}

func TestEvidenceOfTrafficFinding(t *testing.T) {
	doc := parse(t, encode(t, zoomlikeSession()))
	var sdkf001 *xhtml.Node
	for _, a := range find(doc, func(n *xhtml.Node) bool { return n.Data == "article" }) {
		if strings.Contains(textOf(a), "SDKF001") {
			sdkf001 = a
		}
	}
	if sdkf001 == nil {
		t.Fatal("no SDKF001 evidence")
	}
	txt := textOf(sdkf001)
	for _, want := range []string{
		"Request #1 of session zoomlike-launch, 1.204 s after launch",
		"POST", "https://graph.facebook.com/v5.0/254019388296431/activities",
		"body.extinfo[13]", "adapter:facebook-activities/total-disk-space-gb",
		"body.advertiser_id", idfa, "known:idfa/plain",
		"before consent, ATT not determined",
		"no consent was recorded in the session",
		"10.1 s before meeting-joined", // the marker the request precedes
		"Why Facebook SDK Core (FBSDKCoreKit) is in the app",
		fbCore + "/FBSDKCoreKit",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("SDKF001 evidence lacks %q", want)
		}
	}
	// A captured URL is text, never a link.
	for _, a := range find(sdkf001, func(n *xhtml.Node) bool { return n.Data == "a" }) {
		t.Errorf("link in the evidence: %s", attr(a, "href"))
	}
}

func TestTimelineMarks(t *testing.T) {
	doc := parse(t, encode(t, zoomlikeSession()))
	svg := find(doc, func(n *xhtml.Node) bool { return n.Data == "svg" })
	if len(svg) != 1 {
		t.Fatalf("%d svg elements", len(svg))
	}
	count := func(class string) int {
		return len(find(svg[0], func(n *xhtml.Node) bool { return n.Data == "rect" && attr(n, "class") == class }))
	}
	if pd, plain, tls := count("m pd"), count("m"), count("m tls"); pd != 4 || plain != 1 || tls != 1 {
		t.Errorf("marks: %d personal, %d plain, %d TLS; want 4, 1, 1", pd, plain, tls)
	}
	lanes := find(svg[0], func(n *xhtml.Node) bool {
		return n.Data == "text" && attr(n, "text-anchor") == "end" && attr(n, "class") == ""
	})
	var labels []string
	for _, l := range lanes {
		labels = append(labels, strings.TrimSpace(ownText(l)))
	}
	if got := strings.Join(labels, "|"); got != "Facebook SDK Core (FBSDKCoreKi…|zoomlike.us|crashlytics.com" {
		t.Errorf("lanes %q", got)
	}
	markers := find(svg[0], func(n *xhtml.Node) bool { return n.Data == "line" && strings.HasPrefix(attr(n, "class"), "mk") })
	if len(markers) != 2 || attr(markers[0], "class") != "mk launch" ||
		!strings.Contains(textOf(markers[1]), "meeting-joined at 12.0 s after launch: joined a test meeting") {
		t.Errorf("%d markers: want the launch and meeting-joined", len(markers))
	}
}

// assertInert fails on anything in the page that could run code or fetch: script, embedded
// content, event-handler attributes, links out of the page, CSS that loads.
func assertInert(t *testing.T, doc *xhtml.Node) {
	t.Helper()
	metaCSP := 0
	for _, n := range find(doc, func(n *xhtml.Node) bool { return n.Type == xhtml.ElementNode }) {
		switch n.Data {
		case "script", "iframe", "object", "embed", "img", "image", "link", "base", "form", "input", "button",
			"video", "audio", "source", "frame", "frameset", "portal", "use", "foreignobject", "animate", "set":
			t.Errorf("element <%s> in the report", n.Data)
		case "meta":
			if attr(n, "http-equiv") == "Content-Security-Policy" {
				metaCSP++
				if attr(n, "content") != csp {
					t.Errorf("CSP %q", attr(n, "content"))
				}
			}
			if attr(n, "http-equiv") == "refresh" {
				t.Error("meta refresh in the report")
			}
		case "style":
			css := strings.ToLower(textOf(n))
			for _, bad := range []string{"url(", "@import", "expression(", "</"} {
				if strings.Contains(css, bad) {
					t.Errorf("style holds %q", bad)
				}
			}
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on"):
				t.Errorf("event handler %s=%q on <%s>", a.Key, a.Val, n.Data)
			case k == "style":
				t.Errorf("style attribute on <%s>: %q", n.Data, a.Val)
			case k == "href" || k == "xlink:href":
				if !strings.HasPrefix(a.Val, "#") {
					t.Errorf("link out of the page on <%s>: %q", n.Data, a.Val)
				}
			case k == "src" || k == "srcset" || k == "action" || k == "formaction" || k == "poster" || k == "data" || k == "srcdoc":
				t.Errorf("%s on <%s>: %q", a.Key, n.Data, a.Val)
			}
		}
	}
	if metaCSP != 1 {
		t.Errorf("%d CSP meta elements, want 1", metaCSP)
	}
}

func parse(t testing.TB, s string) *xhtml.Node {
	t.Helper()
	doc, err := xhtml.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func find(n *xhtml.Node, match func(*xhtml.Node) bool) []*xhtml.Node {
	var out []*xhtml.Node
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// ownText is the element's text without its children elements' (an SVG text's label without
// its tooltip).
func ownText(n *xhtml.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xhtml.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}
