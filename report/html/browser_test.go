package html

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"
)

// The browser tests open the report in real headless Chromium. The screenshots are kept under
// $SDKFLOW_TEST_ARTIFACTS when it is set (for a person to look at the layout), otherwise in the
// test's temporary directory.

func chromiumBinary(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("Chromium is not installed (CI installs the chromium package); skipping the browser test")
	return ""
}

func artifactDir(t *testing.T) string {
	if d := os.Getenv("SDKFLOW_TEST_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// chromium runs headless Chromium on a file with the given extra arguments and returns stdout.
// Name resolution is mapped to nothing, so even a report that tried could not fetch.
func chromium(t *testing.T, file string, extra ...string) []byte {
	t.Helper()
	bin := chromiumBinary(t)
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND",
		"--user-data-dir=" + t.TempDir()}
	args = append(args, extra...)
	args = append(args, "file://"+file)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		t.Fatalf("chromium timed out: %s", stderr.String())
	}
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return out
}

// openInBrowser writes the page, screenshots it and returns the DOM as Chromium built it.
func openInBrowser(t *testing.T, name, page string) *xhtml.Node {
	t.Helper()
	dir := artifactDir(t)
	file := filepath.Join(dir, name+".html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, name+".png")
	chromium(t, file, "--hide-scrollbars", "--window-size=1280,2400", "--screenshot="+shot)
	if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
		t.Fatalf("no screenshot: %v", err)
	}
	t.Logf("screenshot: %s", shot)
	dom := chromium(t, file, "--dump-dom")
	if err := os.WriteFile(filepath.Join(dir, name+".dom.html"), dom, 0o644); err != nil {
		t.Fatal(err)
	}
	return parse(t, string(dom))
}

func TestBrowserRendersReport(t *testing.T) {
	r := zoomlikeSession()
	doc := openInBrowser(t, "zoomlike", encode(t, r))
	titles := find(doc, func(n *xhtml.Node) bool { return n.Data == "title" && n.Parent != nil && n.Parent.Data == "head" })
	if len(titles) != 1 || textOf(titles[0]) != "sdkflow report: Zoomlike 5.0.1" {
		t.Errorf("title %q", textOf(titles[0]))
	}
	assertInert(t, doc)
	sections := find(doc, func(n *xhtml.Node) bool { return n.Data == "section" })
	if len(sections) != 5 || attr(sections[0], "id") != "verdict" {
		t.Fatalf("%d sections, first %q", len(sections), attr(sections[0], "id"))
	}
	if v := textOf(sections[0]); !strings.Contains(v, "sent device model") || !strings.Contains(v, "before any consent") {
		t.Errorf("verdict as rendered: %s", v)
	}
	svgs := find(doc, func(n *xhtml.Node) bool { return n.Data == "svg" })
	if len(svgs) != 1 || len(find(svgs[0], func(n *xhtml.Node) bool { return n.Data == "rect" && attr(n, "class") == "m pd" })) != 4 {
		t.Error("the timeline did not render its personal-data marks")
	}
	for i := range r.Findings {
		id := "finding-" + strconv.Itoa(i+1)
		if len(find(doc, func(n *xhtml.Node) bool { return n.Data == "article" && attr(n, "id") == id })) != 1 {
			t.Errorf("no %s in the DOM", id)
		}
	}
}

func TestBrowserRunsNothingFromHostileCapture(t *testing.T) {
	r := hostileReport()
	page := encode(t, r)
	doc := openInBrowser(t, "hostile", page)
	assertInert(t, doc)
	titles := find(doc, func(n *xhtml.Node) bool { return n.Data == "title" && n.Parent != nil && n.Parent.Data == "head" })
	// Each payload, had it run, would have changed the title to "pwned" or added an element
	// with id "pwned" or a data-pwned attribute to the body.
	if len(titles) != 1 || !strings.HasPrefix(textOf(titles[0]), "sdkflow report: ") {
		t.Fatalf("a payload changed document.title: %d title elements", len(titles))
	}
	if n := find(doc, func(n *xhtml.Node) bool { return attr(n, "id") == "pwned" || attr(n, "data-pwned") != "" }); len(n) > 0 {
		t.Errorf("a payload wrote to the DOM: %d elements", len(n))
	}
	body := find(doc, func(n *xhtml.Node) bool { return n.Data == "body" })[0]
	if attr(body, "data-pwned") != "" || attr(body, "style") != "" {
		t.Error("a payload changed the body")
	}
	// The payloads are on the page, as text.
	txt := textOf(doc)
	for _, p := range []string{payloadScript, payloadImg, payloadJS, payloadStyle, payloadSVG} {
		if !strings.Contains(txt, p) {
			t.Errorf("payload not shown as text: %q", p)
		}
	}
	if strings.Contains(txt, "\u202e") {
		t.Error("a right-to-left override reached the page unmarked")
	}
	if !strings.Contains(txt, "⟦U+202E⟧") {
		t.Error("the right-to-left override is not shown as a code point")
	}
}

func TestBrowserRendersStaticAndLargeReports(t *testing.T) {
	static := openInBrowser(t, "static", encode(t, staticOnly()))
	assertInert(t, static)
	if len(find(static, func(n *xhtml.Node) bool { return n.Data == "svg" })) != 0 {
		t.Error("a static-only report drew a timeline")
	}
	large := openInBrowser(t, "large", encode(t, largeSession(10_000, 12)))
	assertInert(t, large)
	svgs := find(large, func(n *xhtml.Node) bool { return n.Data == "svg" })
	if len(svgs) != 1 {
		t.Fatalf("%d timelines", len(svgs))
	}
	if n := len(find(svgs[0], func(n *xhtml.Node) bool { return n.Data == "rect" && strings.HasPrefix(attr(n, "class"), "m") })); n == 0 || n > 12*183 {
		t.Errorf("%d marks for 10,000 requests in 12 lanes", n)
	}
}
