package proxy

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/sdkflow/sdkflow/model"
)

// memRecorder is an in-memory Recorder.
type memRecorder struct {
	mu      sync.Mutex
	flows   []model.Flow
	markers []model.Marker
	changed chan struct{}
}

func newMemRecorder() *memRecorder { return &memRecorder{changed: make(chan struct{}, 1)} }

func (r *memRecorder) AddFlow(_ context.Context, _ string, f *model.Flow) (int, error) {
	r.mu.Lock()
	f.Index = len(r.flows)
	r.flows = append(r.flows, *f)
	r.mu.Unlock()
	r.poke()
	return f.Index, nil
}

func (r *memRecorder) AddMarker(_ context.Context, _ string, m model.Marker) error {
	r.mu.Lock()
	r.markers = append(r.markers, m)
	r.mu.Unlock()
	r.poke()
	return nil
}

func (r *memRecorder) poke() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *memRecorder) snapshot() ([]model.Flow, []model.Marker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]model.Flow(nil), r.flows...), append([]model.Marker(nil), r.markers...)
}

// waitFlows waits until n flows are recorded (the proxy commits as the response ends, which
// can be a moment after the client has read it).
func (r *memRecorder) waitFlows(t *testing.T, n int) []model.Flow {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		fs, _ := r.snapshot()
		if len(fs) >= n {
			return fs
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("waited for %d flows, have %d: %+v", n, len(fs), fs)
		}
	}
}

// upstream is a TLS server playing tracker hosts, with a certificate from a throwaway CA.
type upstream struct {
	srv    *httptest.Server
	ca     *CA
	hits   atomic.Int64
	conns  atomic.Int64
	caPool *x509.CertPool
}

var trackerHosts = []string{"graph.facebook.com", "app-measurement.com", "pinned.example", "ws.example"}

func newUpstream(t testing.TB) *upstream {
	t.Helper()
	ca, err := NewCA(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	u := &upstream{ca: ca, caPool: x509.NewCertPool()}
	u.caPool.AddCert(ca.Cert)
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen-Content-Encoding", r.Header.Get("Content-Encoding"))
		w.Header().Set("X-Seen-User-Agent", r.Header.Get("User-Agent"))
		w.Header().Set("X-Seen-Proxy-Connection", r.Header.Get("Proxy-Connection"))
		fmt.Fprintf(w, "host=%s len=%d te=%v", r.Host, len(body), r.TransferEncoding)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		n := 300 << 10
		w.Header().Set("Content-Length", fmt.Sprint(n))
		w.Write([]byte(strings.Repeat("x", n)))
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "part%d;", i)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo?from=redirect", http.StatusFound)
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body><p id=x>tracker page</p></body></html>")
	})
	mux.Handle("/ws", websocket.Handler(func(c *websocket.Conn) { io.Copy(c, c) }))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	leaf := issueLeaf(t, ca, trackerHosts...)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			u.conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	u.srv = srv
	return u
}

func (u *upstream) addr() string { return u.srv.Listener.Addr().String() }

func issueLeaf(t testing.TB, ca *CA, names ...string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// rig is a proxy in front of an upstream, recording into memory.
type rig struct {
	t     testing.TB
	p     *Proxy
	ca    *CA
	rec   *memRecorder
	up    *upstream
	addr  string
	pURL  *url.URL
	mu    sync.Mutex
	notes []string
}

func newRig(t testing.TB, tweak func(*Options)) *rig {
	t.Helper()
	ca, err := NewCA(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	up := newUpstream(t)
	r := &rig{t: t, ca: ca, rec: newMemRecorder(), up: up}
	maps := map[string]string{}
	for _, h := range trackerHosts {
		maps[h] = up.addr()
	}
	opts := Options{
		Session:       "test",
		Recorder:      r.rec,
		MapHost:       maps,
		UpstreamRoots: []*x509.Certificate{up.ca.Cert},
		OnEvent: func(e Event) {
			if e.Notice != "" {
				r.mu.Lock()
				r.notes = append(r.notes, e.Notice)
				r.mu.Unlock()
			}
		},
	}
	if tweak != nil {
		tweak(&opts)
	}
	p, err := New(ca, opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go p.Serve(l)
	t.Cleanup(func() { p.Close() })
	r.p = p
	r.addr = l.Addr().String()
	r.pURL = &url.URL{Scheme: "http", Host: r.addr}
	return r
}

// client is a Go client that uses the proxy and trusts its CA.
func (r *rig) client() *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(r.ca.Cert)
	return &http.Client{
		Transport: &http.Transport{
			Proxy:              http.ProxyURL(r.pURL),
			TLSClientConfig:    &tls.Config{RootCAs: pool},
			DisableCompression: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       20 * time.Second,
	}
}

// tunnel opens a CONNECT tunnel through the proxy and completes TLS with cfg (nil: plain).
func (r *rig) tunnel(hostport string, cfg *tls.Config) (net.Conn, *bufio.Reader, error) {
	c, err := net.DialTimeout("tcp", r.addr, 5*time.Second)
	if err != nil {
		return nil, nil, err
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", hostport, hostport)
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	if res.StatusCode != 200 {
		c.Close()
		return nil, nil, fmt.Errorf("CONNECT: %s", res.Status)
	}
	if cfg == nil {
		return c, br, nil
	}
	tc := tls.Client(&bufConn{Conn: c, r: br}, cfg)
	if err := tc.Handshake(); err != nil {
		c.Close()
		return nil, nil, err
	}
	return tc, bufio.NewReader(tc), nil
}

func (r *rig) trustingTLS(name string) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(r.ca.Cert)
	return &tls.Config{ServerName: name, RootCAs: pool, NextProtos: []string{"http/1.1"}}
}

type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufConn) Read(b []byte) (int, error) { return c.r.Read(b) }

func headerNames(hs []model.Header) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Name)
	}
	return out
}
