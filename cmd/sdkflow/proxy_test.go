package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/session"
)

func TestCACommands(t *testing.T) {
	store := t.TempDir()
	code, out, errOut := runWithStore(t, store, false, "ca", "path")
	path := strings.TrimSpace(out)
	if code != 0 || path != filepath.Join(store, "ca", "sdkflow-ca-cert.pem") {
		t.Fatalf("ca path: %d %q %q", code, out, errOut)
	}
	code, pemOut, _ := runWithStore(t, store, false, "ca", "export")
	onDisk, _ := os.ReadFile(path)
	if code != 0 || pemOut != string(onDisk) || !strings.HasPrefix(pemOut, "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("ca export: %d %q", code, pemOut)
	}
	if code, out, _ := runWithStore(t, store, false, "ca", "export", "--format", "mobileconfig"); code != 0 || !strings.Contains(out, "com.apple.security.root") {
		t.Errorf("mobileconfig export: %d", code)
	}
	if code, _, _ := runWithStore(t, store, false, "ca", "export", "--format", "p12"); code != exitUsage {
		t.Errorf("bad format: exit %d", code)
	}
	code, out, _ = runWithStore(t, store, false, "ca", "rotate")
	_, after, _ := runWithStore(t, store, false, "ca", "export")
	if code != 0 || !strings.Contains(out, "SHA-256") || after == pemOut {
		t.Errorf("rotate: %d %q", code, out)
	}
}

func TestMarkCommand(t *testing.T) {
	store := t.TempDir()
	if code, _, errOut := runWithStore(t, store, false, "mark", "--session", "none", "launch"); code != exitInput || !strings.Contains(errOut, "no such session: none") {
		t.Errorf("unknown session: %d %s", code, errOut)
	}
	if code, _, _ := runWithStore(t, store, false, "mark", "--session", "s", "two words"); code != exitUsage {
		t.Errorf("bad event: %d", code)
	}
	s, err := session.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	s.CreateSession(context.Background(), "s")
	s.Close()
	if code, out, errOut := runWithStore(t, store, false, "mark", "--session", "s", "Consent-Accepted", "--note", "banner\x1b[0m OK"); code != 0 || !strings.Contains(out, "marked consent-accepted") {
		t.Fatalf("mark: %d %s %s", code, out, errOut)
	}
	s, _ = session.Open(store)
	defer s.Close()
	ms, err := s.Markers(context.Background(), "s")
	if err != nil || len(ms) != 1 || ms[0].Event != model.MarkConsentAccepted || ms[0].Source != "cli" || ms[0].Note != "banner[0m OK" {
		t.Errorf("markers %+v, %v", ms, err)
	}
}

func TestProxyFlagErrors(t *testing.T) {
	store := t.TempDir()
	for _, args := range [][]string{
		{"proxy"},
		{"proxy", "--session", "bad name"},
		{"proxy", "--session", "s", "--allow", "0.0.0.0/0"},
		{"proxy", "--session", "s", "--map-host", "nohostport"},
		{"proxy", "--session", "s", "--upstream-proxy", "socks5://x"},
		{"proxy", "--session", "s", "--body-limit", "lots"},
		{"proxy", "--session", "s", "--listen", "256.0.0.1:1"},
	} {
		if code, _, errOut := runWithStore(t, store, false, args...); code != exitUsage {
			t.Errorf("%v: exit %d (%s)", args, code, errOut)
		}
	}
	for in, want := range map[string]int64{"16MiB": 16 << 20, "512k": 512 << 10, "1000": 1000, "2GB": 2e9} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v", in, got, err)
		}
	}
}

// TestProxyCommandHelper is the `sdkflow` process the end-to-end test starts and stops.
func TestProxyCommandHelper(t *testing.T) {
	args := os.Getenv("SDKFLOW_CLI_ARGS")
	if args == "" {
		t.Skip("helper process for TestProxyCommandEndToEnd")
	}
	os.Exit(run(strings.Split(args, "\x1f"), systemStreams()))
}

// The command as a tester runs it: start, trust the CA it made, browse through it, mark from
// the device URL and from `sdkflow mark`, Ctrl-C; the session holds all of it.
func TestProxyCommandEndToEnd(t *testing.T) {
	store := t.TempDir()
	backend := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "tracked "+r.URL.RawQuery)
	})}
	bl, _ := net.Listen("tcp", "127.0.0.1:0")
	go backend.Serve(bl)
	defer backend.Close()

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	args := []string{"--store", store, "proxy", "--session", "e2e", "--listen", addr,
		"--map-host", "graph.facebook.com=" + bl.Addr().String()}
	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyCommandHelper$")
	cmd.Env = append(os.Environ(), "SDKFLOW_CLI_ARGS="+strings.Join(args, "\x1f"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the proxy did not start: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	caPEM, err := os.ReadFile(filepath.Join(store, "ca", "sdkflow-ca-cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(caPEM)
	caCert, _ := x509.ParseCertificate(block.Bytes)
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: addr}), TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(u string) string {
		res, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	get("http://sdkflow.mark/launch")
	if body := get("http://graph.facebook.com/activities?advertiser_id=1"); body != "tracked advertiser_id=1" {
		t.Errorf("through the proxy: %q", body)
	}
	if code, _, errOut := runWithStore(t, store, false, "mark", "--session", "e2e", "consent-declined"); code != 0 {
		t.Fatalf("mark: %s", errOut)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the proxy did not stop cleanly: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"recording session \"e2e\"", "WARNING: remove the CA", "sdkflow-ca-cert.pem"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, stderr.String())
		}
	}
	for _, want := range []string{"GET    graph.facebook.com", "marker launch (url)", "1 flows recorded"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, stdout.String())
		}
	}

	s, err := session.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sess, err := s.Load(context.Background(), "e2e")
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.Flows) != 1 || sess.Flows[0].URL != "http://graph.facebook.com/activities?advertiser_id=1" {
		t.Errorf("flows %+v", sess.Flows)
	}
	if len(sess.Markers) != 2 || sess.Markers[0].Event != "launch" || sess.Markers[1].Event != "consent-declined" {
		t.Errorf("markers %+v", sess.Markers)
	}
}
