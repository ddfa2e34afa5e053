package proxy

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// Real clients through the proxy: curl and headless Chromium. They are skipped only when the
// binary is missing; CI installs both.

func needBinary(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Skipf("%s not installed (CI installs it)", names[0])
	return ""
}

func (r *rig) caFile() string {
	path := filepath.Join(r.t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, r.ca.PEM(), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return path
}

func runCurl(t *testing.T, args ...string) (string, int) {
	t.Helper()
	curl := needBinary(t, "curl")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, curl, append([]string{"-sS", "--max-time", "20"}, args...)...)
	cmd.Env = append(os.Environ(), "NO_PROXY=", "no_proxy=", "HTTPS_PROXY=", "https_proxy=", "ALL_PROXY=")
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestCurlThroughProxy(t *testing.T) {
	r := newRig(t, nil)
	ca := r.caFile()
	base := []string{"--proxy", "http://" + r.addr, "--cacert", ca}

	out, code := runCurl(t, append(base, "-H", "X-Custom-Thing: 1", "https://graph.facebook.com/echo?q=curl")...)
	if code != 0 || !strings.Contains(out, "host=graph.facebook.com") {
		t.Fatalf("curl GET: %d %s", code, out)
	}

	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	fmt.Fprintf(zw, `{"idfa":"6D92078A-8246-4BA4-AE5B-76104861E7DC"}`)
	zw.Close()
	gz := filepath.Join(t.TempDir(), "body.gz")
	os.WriteFile(gz, zb.Bytes(), 0o644)
	out, code = runCurl(t, append(base, "-H", "Content-Encoding: gzip", "-H", "Content-Type: application/json",
		"--data-binary", "@"+gz, "https://graph.facebook.com/echo")...)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("len=%d", zb.Len())) {
		t.Fatalf("curl POST gzip: %d %s", code, out)
	}

	big := filepath.Join(t.TempDir(), "big")
	os.WriteFile(big, bytes.Repeat([]byte("chunk"), 40000), 0o644)
	out, code = runCurl(t, append(base, "-H", "Transfer-Encoding: chunked", "--data-binary", "@"+big,
		"https://app-measurement.com/echo")...)
	if code != 0 || !strings.Contains(out, "len=200000 te=[chunked]") {
		t.Fatalf("curl chunked upload: %d %s", code, out)
	}

	out, code = runCurl(t, append(base, "-L", "https://graph.facebook.com/redirect")...)
	if code != 0 || !strings.Contains(out, "host=graph.facebook.com") {
		t.Fatalf("curl redirect: %d %s", code, out)
	}

	fs := r.rec.waitFlows(t, 5)
	if got := headerNames(fs[0].Request.Headers); len(got) < 4 || got[0] != "Host" || got[len(got)-1] != "X-Custom-Thing" {
		t.Errorf("curl's headers in wire order: %v", got)
	}
	if !bytes.Equal(fs[1].Request.Body, zb.Bytes()) {
		t.Errorf("gzip body stored as %d bytes", len(fs[1].Request.Body))
	}
	if fs[2].Request.BodySize != 200000 || fs[2].Host != "app-measurement.com" {
		t.Errorf("chunked upload flow: %s %d", fs[2].Host, fs[2].Request.BodySize)
	}
	if fs[3].Status != 302 || fs[4].URL != "https://graph.facebook.com/echo?from=redirect" {
		t.Errorf("redirect flows: %d %s", fs[3].Status, fs[4].URL)
	}
}

func TestCurlRejectingCertificateIsRecorded(t *testing.T) {
	r := newRig(t, nil)
	// No --cacert: curl does not trust the proxy's CA (exit 60).
	_, code := runCurl(t, "--proxy", "http://"+r.addr, "https://graph.facebook.com/echo")
	if code == 0 {
		t.Fatal("curl accepted an untrusted certificate")
	}
	f := r.rec.waitFlows(t, 1)[0]
	if f.Kind != model.FlowTLSFailure || f.Host != "graph.facebook.com" || !strings.HasPrefix(f.Error, ReasonUntrusted) {
		t.Errorf("flow %s %s %q", f.Kind, f.Host, f.Error)
	}
	if r.up.hits.Load() != 0 {
		t.Error("upstream contacted")
	}
}

func TestCurlMarkAndInstallPage(t *testing.T) {
	r := newRig(t, nil)
	out, code := runCurl(t, "--proxy", "http://"+r.addr, "http://sdkflow.mark/att-denied?note=from%20curl")
	if code != 0 || !strings.Contains(out, "marked att-denied") {
		t.Fatalf("%d %s", code, out)
	}
	out, code = runCurl(t, "-D", "-", "http://"+r.addr+"/sdkflow-ca.crt", "-o", "/dev/null")
	if code != 0 || !strings.Contains(strings.ToLower(out), "content-type: "+ContentTypeCACert) {
		t.Fatalf("%d %s", code, out)
	}
	_, ms := r.rec.snapshot()
	if len(ms) != 1 || ms[0].Note != "from curl" {
		t.Errorf("markers %+v", ms)
	}
}

// chromium runs headless Chromium through the proxy and returns the page's DOM.
func (r *rig) chromium(t *testing.T, url string, trust bool) string {
	t.Helper()
	bin := needBinary(t, "chromium", "chromium-browser", "google-chrome")
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir(), "--proxy-server=http://" + r.addr}
	if trust {
		// Chromium takes an exception for the SPKI of the leaf key (one key serves every
		// leaf), which is how a test trusts the proxy without touching the system store.
		cert, err := r.p.leaves.certificate("graph.facebook.com")
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(cert.Leaf.RawSubjectPublicKeyInfo)
		args = append(args, "--ignore-certificate-errors-spki-list="+base64.StdEncoding.EncodeToString(sum[:]))
	}
	args = append(args, "--dump-dom", url)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && ctx.Err() != nil {
		t.Fatalf("chromium timed out: %s", stderr.String())
	}
	return string(out)
}

func TestChromiumThroughProxy(t *testing.T) {
	r := newRig(t, nil)
	dom := r.chromium(t, "https://graph.facebook.com/page", true)
	if !strings.Contains(dom, "tracker page") {
		t.Fatalf("chromium page: %q", dom)
	}
	var page *model.Flow
	deadline := time.Now().Add(10 * time.Second)
	for page == nil && time.Now().Before(deadline) {
		fs, _ := r.rec.snapshot()
		for i := range fs {
			if fs[i].URL == "https://graph.facebook.com/page" {
				page = &fs[i]
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if page == nil {
		t.Fatal("the page request was not recorded")
	}
	if page.Status != 200 || page.Request.HeaderValue("User-Agent") == "" || page.HTTPVersion != "HTTP/1.1" {
		t.Errorf("page flow %d %q %s", page.Status, page.Request.HeaderValue("User-Agent"), page.HTTPVersion)
	}
	// Chromium sends lower-case-free, ordered headers; the first after Host is its own choice,
	// not Go's alphabetical order.
	if names := headerNames(page.Request.Headers); names[0] != "Host" {
		t.Errorf("header order %v", names)
	}
}

func TestChromiumNotTrustingIsRecorded(t *testing.T) {
	r := newRig(t, nil)
	r.chromium(t, "https://graph.facebook.com/page", false)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		fs, _ := r.rec.snapshot()
		for _, f := range fs {
			if f.Kind == model.FlowTLSFailure && f.Host == "graph.facebook.com" {
				if !strings.HasPrefix(f.Error, ReasonUntrusted) {
					t.Errorf("reason %q", f.Error)
				}
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	fs, _ := r.rec.snapshot()
	t.Fatalf("no TLS failure recorded: %+v", fs)
}
