package proxy

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/sdkflow/sdkflow/model"
)

func TestGoClientGETIsRecorded(t *testing.T) {
	r := newRig(t, nil)
	res, err := r.client().Get("https://graph.facebook.com/echo?advertiser_id=1234")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "host=graph.facebook.com") {
		t.Fatalf("response %d %q", res.StatusCode, body)
	}
	f := r.rec.waitFlows(t, 1)[0]
	if f.Kind != model.FlowHTTP || f.Method != "GET" || f.URL != "https://graph.facebook.com/echo?advertiser_id=1234" {
		t.Errorf("flow %s %s %s", f.Kind, f.Method, f.URL)
	}
	if f.Host != "graph.facebook.com" || f.Party != "facebook.com" || f.ServerName != "graph.facebook.com" {
		t.Errorf("host %q party %q sni %q", f.Host, f.Party, f.ServerName)
	}
	if f.Status != 200 || f.StatusText != "OK" || f.HTTPVersion != "HTTP/1.1" {
		t.Errorf("status %d %q %s", f.Status, f.StatusText, f.HTTPVersion)
	}
	if string(f.Response.Body) != string(body) || f.Response.BodySize != int64(len(body)) {
		t.Errorf("response body %q (%d)", f.Response.Body, f.Response.BodySize)
	}
	if !strings.HasPrefix(f.Client, "127.0.0.1:") || f.End.Before(f.Time) {
		t.Errorf("client %q, %v..%v", f.Client, f.Time, f.End)
	}
	if f.Timings.Wait < 0 || f.Timings.Receive < 0 || f.Timings.Send < 0 {
		t.Errorf("timings %+v", f.Timings)
	}
	// Go's client sends no User-Agent header of its own choosing here beyond its default; the
	// proxy must not add one either way.
	if got := res.Header.Get("X-Seen-User-Agent"); got != f.Request.HeaderValue("User-Agent") {
		t.Errorf("upstream saw UA %q, client sent %q", got, f.Request.HeaderValue("User-Agent"))
	}
}

// A hand-written request keeps its header order and case in the record, and the proxy adds no
// User-Agent of its own upstream.
func TestRawHeadersKeepWireOrderAndCase(t *testing.T) {
	r := newRig(t, nil)
	c, br, err := r.tunnel("graph.facebook.com:443", r.trustingTLS("graph.facebook.com"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reqs := "GET /echo?a=1 HTTP/1.1\r\nhost: graph.facebook.com\r\nX-FB-Trace: one\r\naccept: */*\r\nX-Fb-Trace: two\r\n\r\n" +
		"POST /echo HTTP/1.1\r\nHost: graph.facebook.com\r\nCONTENT-length: 5\r\nzz-last: 1\r\n\r\nhello"
	if _, err := io.WriteString(c, reqs); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(res.Body)
		res.Body.Close()
		if ua := res.Header.Get("X-Seen-User-Agent"); ua != "" {
			t.Errorf("upstream saw a User-Agent the client never sent: %q", ua)
		}
	}
	fs := r.rec.waitFlows(t, 2)
	want := []string{"host", "X-FB-Trace", "accept", "X-Fb-Trace"}
	if got := headerNames(fs[0].Request.Headers); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("headers %v, want %v", got, want)
	}
	if got := headerNames(fs[1].Request.Headers); fmt.Sprint(got) != fmt.Sprint([]string{"Host", "CONTENT-length", "zz-last"}) {
		t.Errorf("second request headers %v", got)
	}
	if string(fs[1].Request.Body) != "hello" {
		t.Errorf("second body %q", fs[1].Request.Body)
	}
	// Response headers as the upstream wrote them (Go's server: canonical, its own order).
	if len(fs[0].Response.Headers) == 0 || fs[0].Response.HeaderValue("x-seen-content-encoding") != "" {
		t.Errorf("response headers %+v", fs[0].Response.Headers)
	}
}

func TestPostGzipBodyIsStoredAsSent(t *testing.T) {
	r := newRig(t, nil)
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	io.WriteString(zw, `{"advertiser_id":"6D92078A-8246-4BA4-AE5B-76104861E7DC","event":"fb_mobile_activate_app"}`)
	zw.Close()
	req, _ := http.NewRequest("POST", "https://graph.facebook.com/echo", bytes.NewReader(zb.Bytes()))
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Content-Type", "application/json")
	res, err := r.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("X-Seen-Content-Encoding") != "gzip" {
		t.Errorf("upstream saw Content-Encoding %q", res.Header.Get("X-Seen-Content-Encoding"))
	}
	f := r.rec.waitFlows(t, 1)[0]
	if !bytes.Equal(f.Request.Body, zb.Bytes()) || f.Request.BodySize != int64(zb.Len()) || f.Request.Truncated {
		t.Errorf("request body %d bytes (size %d), want the %d gzip bytes", len(f.Request.Body), f.Request.BodySize, zb.Len())
	}
	if f.Request.HeaderValue("content-encoding") != "gzip" {
		t.Errorf("headers %+v", f.Request.Headers)
	}
}

func TestChunkedUploadThenKeepAlive(t *testing.T) {
	r := newRig(t, nil)
	c, br, err := r.tunnel("graph.facebook.com:443", r.trustingTLS("graph.facebook.com"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	chunk := strings.Repeat("q", 5000)
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: graph.facebook.com\r\nTransfer-Encoding: chunked\r\n\r\n")
	for i := 0; i < 30; i++ { // 150 kB, more than the tap's window
		fmt.Fprintf(c, "%x\r\n%s\r\n", len(chunk), chunk)
	}
	io.WriteString(c, "0\r\n\r\n")
	io.WriteString(c, "GET /echo?second HTTP/1.1\r\nHost: graph.facebook.com\r\nX-Order: b\r\nA-Order: a\r\n\r\n")
	for i := 0; i < 2; i++ {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if i == 0 && !strings.Contains(string(b), "len=150000 te=[chunked]") {
			t.Errorf("upstream saw %q", b)
		}
	}
	fs := r.rec.waitFlows(t, 2)
	if fs[0].Request.BodySize != 150000 || len(fs[0].Request.Body) != 150000 {
		t.Errorf("chunked body size %d, kept %d", fs[0].Request.BodySize, len(fs[0].Request.Body))
	}
	if fs[0].Request.HeaderValue("Transfer-Encoding") != "chunked" {
		t.Errorf("headers %+v", fs[0].Request.Headers)
	}
	if got := headerNames(fs[1].Request.Headers); fmt.Sprint(got) != "[Host X-Order A-Order]" {
		t.Errorf("after a chunked body the next request's headers are %v", got)
	}
}

func TestRedirectAndChunkedResponse(t *testing.T) {
	r := newRig(t, nil)
	cl := r.client()
	res, err := cl.Get("https://graph.facebook.com/redirect")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("status %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	res, err = cl.Get("https://graph.facebook.com" + loc)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(res.Body)
	res.Body.Close()
	res, err = cl.Get("https://graph.facebook.com/chunked")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fs := r.rec.waitFlows(t, 3)
	if fs[0].Status != 302 || fs[0].Response.HeaderValue("Location") != "/echo?from=redirect" {
		t.Errorf("redirect flow %d %+v", fs[0].Status, fs[0].Response.Headers)
	}
	if fs[1].URL != "https://graph.facebook.com/echo?from=redirect" {
		t.Errorf("followed URL %s", fs[1].URL)
	}
	if string(fs[2].Response.Body) != string(b) || string(b) != "part0;part1;part2;" {
		t.Errorf("chunked response %q stored %q", b, fs[2].Response.Body)
	}
}

func TestBodiesOverTheLimitAreTruncated(t *testing.T) {
	r := newRig(t, func(o *Options) { o.BodyLimit = 1000 })
	big := strings.Repeat("u", 100000)
	res, err := r.client().Post("https://graph.facebook.com/big", "text/plain", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if len(got) != 300<<10 {
		t.Fatalf("client got %d bytes", len(got))
	}
	f := r.rec.waitFlows(t, 1)[0]
	if !f.Request.Truncated || len(f.Request.Body) != 1000 || f.Request.BodySize != 100000 {
		t.Errorf("request: truncated %v kept %d size %d", f.Request.Truncated, len(f.Request.Body), f.Request.BodySize)
	}
	if !f.Response.Truncated || len(f.Response.Body) != 1000 || f.Response.BodySize != 300<<10 {
		t.Errorf("response: truncated %v kept %d size %d", f.Response.Truncated, len(f.Response.Body), f.Response.BodySize)
	}
}

func TestPlainHTTPThroughProxy(t *testing.T) {
	r := newRig(t, nil)
	backend := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.WriteString(w, "plain "+req.Host)
	})}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go backend.Serve(l)
	defer backend.Close()
	r.p.opts.MapHost["tracker.test"] = l.Addr().String()
	res, err := r.client().Get("http://tracker.test/collect?id=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "plain tracker.test" {
		t.Errorf("got %q", b)
	}
	f := r.rec.waitFlows(t, 1)[0]
	if f.URL != "http://tracker.test/collect?id=1" || f.ServerName != "" {
		t.Errorf("flow %s sni %q", f.URL, f.ServerName)
	}
}

func TestUpstreamFailureIsRecorded(t *testing.T) {
	r := newRig(t, nil)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().String()
	l.Close()
	r.p.opts.MapHost["gone.test"] = dead
	res, err := r.client().Get("https://gone.test/x")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d", res.StatusCode)
	}
	f := r.rec.waitFlows(t, 1)[0]
	if !strings.HasPrefix(f.Error, "upstream: ") || f.Status != 0 {
		t.Errorf("flow error %q status %d", f.Error, f.Status)
	}
}

func TestClientRejectingCertificateIsRecorded(t *testing.T) {
	r := newRig(t, nil)
	// A client that does not trust the proxy's CA (Go: alert 42 "bad certificate").
	cl := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(r.pURL)}, Timeout: 10 * time.Second}
	if _, err := cl.Get("https://graph.facebook.com/echo"); err == nil {
		t.Fatal("an untrusting client got through")
	}
	fs := r.rec.waitFlows(t, 1)
	f := fs[0]
	if f.Kind != model.FlowTLSFailure || f.Host != "graph.facebook.com" || f.ServerName != "graph.facebook.com" {
		t.Errorf("flow %+v", f)
	}
	if !strings.HasPrefix(f.Error, ReasonUntrusted) {
		t.Errorf("reason %q", f.Error)
	}
	if r.up.hits.Load() != 0 {
		t.Error("the upstream was contacted")
	}
}

func TestHandshakeThenCloseIsSuspectedPinning(t *testing.T) {
	r := newRig(t, nil)
	c, _, err := r.tunnel("pinned.example:443", r.trustingTLS("pinned.example"))
	if err != nil {
		t.Fatal(err)
	}
	c.Close() // what a pinning check after the handshake looks like
	f := r.rec.waitFlows(t, 1)[0]
	if f.Kind != model.FlowTLSFailure || f.Error != ReasonSuspectedPinned || f.Host != "pinned.example" {
		t.Errorf("flow %s %q %s", f.Kind, f.Error, f.Host)
	}
}

func TestPassthroughRelaysAndRecordsTunnel(t *testing.T) {
	r := newRig(t, func(o *Options) { o.Passthrough = []string{"*.facebook.com"} })
	// The client must see the upstream's own certificate, not ours.
	cfg := &tls.Config{ServerName: "graph.facebook.com", RootCAs: r.up.caPool}
	c, br, err := r.tunnel("graph.facebook.com:443", cfg)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /echo HTTP/1.1\r\nHost: graph.facebook.com\r\nConnection: close\r\n\r\n")
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(res.Body)
	c.Close()
	f := r.rec.waitFlows(t, 1)[0]
	if f.Kind != model.FlowTunnel || f.ServerName != "graph.facebook.com" || f.Host != "graph.facebook.com" {
		t.Errorf("tunnel flow %+v", f)
	}
	if f.Request.BodySize == 0 || f.Response.BodySize == 0 || len(f.Request.Body) != 0 {
		t.Errorf("tunnel sizes up %d down %d", f.Request.BodySize, f.Response.BodySize)
	}
}

func TestMarkURLIsAnsweredNeverForwarded(t *testing.T) {
	r := newRig(t, nil)
	// Were the proxy to forward it, this mapping would reach the upstream and count a hit.
	r.p.opts.MapHost[MarkHost] = r.up.addr()
	cl := r.client()
	for _, u := range []string{"http://sdkflow.mark/launch", "https://sdkflow.mark/consent-accepted?note=tapped%20OK%0a", "http://sdkflow.mark/bad%20event"} {
		res, err := cl.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(res.Body)
		res.Body.Close()
		want := 200
		if strings.Contains(u, "bad") {
			want = 400
		}
		if res.StatusCode != want {
			t.Errorf("%s: status %d", u, res.StatusCode)
		}
	}
	fs, ms := r.rec.snapshot()
	if len(fs) != 0 || r.up.hits.Load() != 0 {
		t.Errorf("marker URLs were recorded as flows (%d) or forwarded (%d hits)", len(fs), r.up.hits.Load())
	}
	if len(ms) != 2 || ms[0].Event != model.MarkLaunch || ms[1].Event != model.MarkConsentAccepted ||
		ms[1].Note != "tapped OK" || ms[1].Source != "url" {
		t.Errorf("markers %+v", ms)
	}
}

func TestInstallPage(t *testing.T) {
	r := newRig(t, nil)
	// Directly at the proxy's address (a phone's browser before the proxy is set) ...
	res, err := http.Get("http://" + r.addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), "Certificate Trust Settings") || !strings.Contains(string(page), r.ca.Fingerprint()) {
		t.Errorf("install page: %s", page)
	}
	res, err = http.Get("http://" + r.addr + "/sdkflow.mobileconfig")
	if err != nil {
		t.Fatal(err)
	}
	prof, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("Content-Type") != ContentTypeMobileConfig || !bytes.Contains(prof, []byte("com.apple.security.root")) {
		t.Errorf("profile %s: %s", res.Header.Get("Content-Type"), prof)
	}
	// ... and through the proxy by name, and by the proxy's own address (no loop).
	for _, u := range []string{"http://sdkflow.proxy/sdkflow-ca.pem", "http://" + r.addr + "/sdkflow-ca.pem"} {
		res, err = r.client().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		pemData, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Header.Get("Content-Type") != ContentTypeCACert || !bytes.Equal(pemData, r.ca.PEM()) {
			t.Errorf("%s: %s %q", u, res.Header.Get("Content-Type"), pemData)
		}
	}
	if fs, _ := r.rec.snapshot(); len(fs) != 0 {
		t.Errorf("install page requests recorded: %+v", fs)
	}
}

func TestWebSocketIsRelayed(t *testing.T) {
	r := newRig(t, nil)
	c, _, err := r.tunnel("ws.example:443", r.trustingTLS("ws.example"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cfg, _ := websocket.NewConfig("wss://ws.example/ws", "https://ws.example/")
	ws, err := websocket.NewClient(cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"hello", "again"} {
		if err := websocket.Message.Send(ws, msg); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := websocket.Message.Receive(ws, &got); err != nil || got != msg {
			t.Fatalf("echo %q, %v", got, err)
		}
	}
	f := r.rec.waitFlows(t, 1)[0]
	if f.Status != http.StatusSwitchingProtocols || f.URL != "https://ws.example/ws" || f.Extra["_webSocket"] == nil {
		t.Errorf("websocket flow %d %s %v", f.Status, f.URL, f.Extra)
	}
}

func TestRequestToOwnAddressDoesNotLoop(t *testing.T) {
	r := newRig(t, nil)
	_, port, _ := net.SplitHostPort(r.addr)
	res, err := r.client().Get("http://localhost:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), "sdkflow test proxy") {
		t.Errorf("got %d %q", res.StatusCode, b)
	}
}

func TestOnlyAllowedClientsAreServed(t *testing.T) {
	a, err := ParseAllowList([]string{"192.168.1.0/24", "10.0.0.7"})
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]bool{
		"127.0.0.1:5000": true, "[::1]:5000": true, "192.168.1.20:1": true, "10.0.0.7:9": true,
		"10.0.0.8:9": false, "8.8.8.8:53": false, "[::ffff:192.168.1.3]:4": true, "junk": false,
	} {
		if got := a.Allows(addr); got != want {
			t.Errorf("Allows(%s) = %v", addr, got)
		}
	}
	if _, err := ParseAllowList([]string{"0.0.0.0/0"}); err == nil {
		t.Error("0.0.0.0/0 accepted")
	}

	// A listener whose clients come from a refused address: closed before a byte, reported once.
	fl := &fakeListener{conns: make(chan net.Conn, 4)}
	var reported []string
	l := &allowListener{Listener: fl, allow: &AllowList{}, refused: func(a string) { reported = append(reported, a) }}
	remotes := []*fakeConn{
		{remote: "203.0.113.5:1000"}, {remote: "203.0.113.5:1001"}, {remote: "127.0.0.1:1002"},
	}
	for _, c := range remotes {
		fl.conns <- c
	}
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if c.RemoteAddr().String() != "127.0.0.1:1002" {
		t.Errorf("accepted %s", c.RemoteAddr())
	}
	if !remotes[0].closed || !remotes[1].closed || remotes[2].closed {
		t.Errorf("closed: %v %v %v", remotes[0].closed, remotes[1].closed, remotes[2].closed)
	}
	if fmt.Sprint(reported) != "[203.0.113.5]" {
		t.Errorf("reported %v", reported)
	}
}

func TestClassifyHandshakeError(t *testing.T) {
	cases := []struct {
		err       string
		hello     bool
		want      string
		recording bool
	}{
		{"remote error: tls: bad certificate", true, ReasonUntrusted, true},
		{"remote error: tls: unknown certificate authority", true, ReasonUntrusted, true},
		{"remote error: tls: unknown certificate", true, ReasonUntrusted, true},
		{"remote error: tls: expired certificate", true, ReasonUntrusted, true},
		{"local error: tls: bad record MAC", true, ReasonUntrusted, true},
		{"tls: client offered only unsupported versions: [301]", true, ReasonTLSVersion, true},
		{"something else", true, ReasonMaybeUntrusted, true},
	}
	for _, c := range cases {
		got, rec := classifyHandshakeError(fmt.Errorf("%s", c.err), c.hello, false)
		if rec != c.recording || !strings.HasPrefix(got, c.want) {
			t.Errorf("%q: %q %v", c.err, got, rec)
		}
	}
	if _, rec := classifyHandshakeError(io.EOF, false, false); rec {
		t.Error("a client that left before its ClientHello was recorded")
	}
	if got, _ := classifyHandshakeError(io.EOF, true, false); !strings.HasPrefix(got, ReasonUntrusted) {
		t.Errorf("EOF after the ClientHello: %q", got)
	}
}

type fakeListener struct{ conns chan net.Conn }

func (l *fakeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	default:
		return nil, net.ErrClosed
	}
}
func (l *fakeListener) Close() error   { return nil }
func (l *fakeListener) Addr() net.Addr { return &net.TCPAddr{} }

type fakeConn struct {
	net.Conn
	remote string
	closed bool
}

func (c *fakeConn) RemoteAddr() net.Addr {
	ap, _ := net.ResolveTCPAddr("tcp", c.remote)
	return ap
}
func (c *fakeConn) Close() error { c.closed = true; return nil }

// A client that waits for 100 Continue before sending its body gets one from the proxy.
func TestExpectContinue(t *testing.T) {
	r := newRig(t, nil)
	c, br, err := r.tunnel("graph.facebook.com:443", r.trustingTLS("graph.facebook.com"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: graph.facebook.com\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	interim, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if interim.StatusCode != http.StatusContinue {
		t.Fatalf("got %d before sending the body", interim.StatusCode)
	}
	io.WriteString(c, "ping")
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(b), "len=4") {
		t.Errorf("final response %q", b)
	}
	f := r.rec.waitFlows(t, 1)[0]
	if string(f.Request.Body) != "ping" || f.Request.HeaderValue("Expect") != "100-continue" {
		t.Errorf("flow body %q headers %+v", f.Request.Body, f.Request.Headers)
	}
}

// A real socket from a non-loopback address of this machine is refused without --allow and
// served with it.
func TestNonLoopbackClientRefusedUnlessAllowed(t *testing.T) {
	var lan net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			lan = n.IP
			break
		}
	}
	if lan == nil {
		t.Skip("no non-loopback IPv4 address on this machine")
	}
	for _, allowed := range []bool{false, true} {
		r := newRig(t, func(o *Options) {
			if allowed {
				o.Allow, _ = ParseAllowList([]string{lan.String() + "/32"})
			}
		})
		l, err := net.Listen("tcp", net.JoinHostPort(lan.String(), "0"))
		if err != nil {
			t.Skip(err)
		}
		go r.p.Serve(l)
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET http://sdkflow.proxy/ HTTP/1.1\r\nHost: sdkflow.proxy\r\n\r\n")
		got, _ := io.ReadAll(io.LimitReader(c, 64))
		c.Close()
		served := strings.HasPrefix(string(got), "HTTP/1.1 200")
		if served != allowed {
			t.Errorf("allowed=%v: served=%v (%q)", allowed, served, got)
		}
		r.mu.Lock()
		notes := strings.Join(r.notes, "\n")
		r.mu.Unlock()
		if !allowed && !strings.Contains(notes, "refused a connection from "+lan.String()) {
			t.Errorf("refusal not reported: %q", notes)
		}
	}
}

// HTTP/2 is never offered to the client: its streams would bypass the recorder.
func TestNoHTTP2TowardTheClient(t *testing.T) {
	r := newRig(t, nil)
	cfg := r.trustingTLS("graph.facebook.com")
	cfg.NextProtos = []string{"h2", "http/1.1"}
	c, _, err := r.tunnel("graph.facebook.com:443", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p := c.(*tls.Conn).ConnectionState().NegotiatedProtocol; p != "http/1.1" {
		t.Errorf("negotiated %q", p)
	}
}

// upstreamProxy is a small HTTP proxy standing for a corporate one: CONNECT tunnels and
// absolute-form requests, with Basic authentication.
func startUpstreamProxy(t *testing.T, dial func(addr string) (net.Conn, error)) (addr string, seen *[]string, mu *sync.Mutex) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	seen, mu = &[]string{}, &sync.Mutex{}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				mu.Lock()
				*seen = append(*seen, req.Method+" "+req.RequestURI+" auth="+req.Header.Get("Proxy-Authorization"))
				mu.Unlock()
				if req.Header.Get("Proxy-Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte("u:p")) {
					io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
					return
				}
				host := req.Host
				if req.Method != http.MethodConnect {
					host = req.URL.Host
					if req.URL.Port() == "" {
						host += ":80"
					}
				}
				up, err := dial(host)
				if err != nil {
					io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
					return
				}
				defer up.Close()
				if req.Method == http.MethodConnect {
					io.WriteString(c, "HTTP/1.1 200 OK\r\n\r\n")
				} else {
					req.Header.Del("Proxy-Authorization")
					req.Write(up)
				}
				go io.Copy(up, br)
				io.Copy(c, up)
			}()
		}
	}()
	return l.Addr().String(), seen, mu
}

func TestUpstreamProxyChain(t *testing.T) {
	var upAddr string
	backend := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.WriteString(w, "plain via chain")
	})}
	bl, _ := net.Listen("tcp", "127.0.0.1:0")
	go backend.Serve(bl)
	defer backend.Close()
	addr, seen, mu := startUpstreamProxy(t, func(a string) (net.Conn, error) {
		switch {
		case strings.HasPrefix(a, "graph.facebook.com:"):
			return net.Dial("tcp", upAddr)
		case strings.HasPrefix(a, "plain.test:"):
			return net.Dial("tcp", bl.Addr().String())
		}
		return nil, fmt.Errorf("unknown host %s", a)
	})
	r := newRig(t, func(o *Options) {
		o.MapHost = nil // everything must go through the chain
		o.UpstreamProxy, _ = url.Parse("http://u:p@" + addr)
	})
	upAddr = r.up.addr()
	for _, u := range []string{"https://graph.facebook.com/echo", "http://plain.test/x"} {
		res, err := r.client().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s: %d %q", u, res.StatusCode, b)
		}
	}
	mu.Lock()
	got := strings.Join(*seen, "\n")
	mu.Unlock()
	if !strings.Contains(got, "CONNECT graph.facebook.com:443 auth=Basic") || !strings.Contains(got, "GET http://plain.test/x auth=Basic") {
		t.Errorf("the upstream proxy saw:\n%s", got)
	}
	fs := r.rec.waitFlows(t, 2)
	if fs[0].URL != "https://graph.facebook.com/echo" || fs[1].URL != "http://plain.test/x" {
		t.Errorf("flows %s %s", fs[0].URL, fs[1].URL)
	}
}

// An endless header block ends the connection instead of growing the proxy's memory.
func TestOversizedHeaderBlockIsRefused(t *testing.T) {
	r := newRig(t, nil)
	c, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(c, "GET http://graph.facebook.com/ HTTP/1.1\r\nHost: graph.facebook.com\r\n")
	line := "X-Filler: " + strings.Repeat("a", 8000) + "\r\n"
	var werr error
	for i := 0; i < 400 && werr == nil; i++ { // 3.2 MB of header, more than the bound
		_, werr = io.WriteString(c, line)
	}
	got, rerr := io.ReadAll(c)
	var ne net.Error
	if errors.As(rerr, &ne) && ne.Timeout() {
		t.Fatal("the proxy kept reading an endless header block")
	}
	if len(got) > 0 {
		t.Errorf("the proxy answered an oversized header: %q", got[:min(len(got), 80)])
	}
	if r.up.hits.Load() != 0 {
		t.Error("forwarded")
	}
}

// A client that closes its connection after each request does not make the proxy close (and
// re-handshake) its upstream connection too.
func TestUpstreamConnectionsOutliveClientConnections(t *testing.T) {
	r := newRig(t, nil)
	cl := r.client()
	cl.Transport.(*http.Transport).DisableKeepAlives = true
	for i := 0; i < 5; i++ {
		res, err := cl.Get("https://graph.facebook.com/echo")
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(res.Body)
		res.Body.Close()
	}
	if n := r.up.conns.Load(); n != 1 {
		t.Errorf("%d upstream connections for 5 sequential requests", n)
	}
}
