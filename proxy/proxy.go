// Package proxy is sdkflow's capture side: a man-in-the-middle HTTP(S) proxy built on
// google/martian that records every exchange a device makes into the session store, records the
// TLS connections the device refused (certificate pinning, an untrusted CA), relays chosen hosts
// untouched, takes markers (from the live view's keys, from the device through a magic URL, or
// from another process), and serves the CA and an iOS profile from its own address.
//
// martian types never leave this package. The proxy answers loopback clients and the networks
// named with an allow-list only.
//
// How it fits together: martian serves every client connection (reading requests, calling our
// RoundTripper, writing responses). A CONNECT is taken over by our request modifier, which
// either relays it untouched (passthrough) or terminates TLS itself with a per-host leaf and
// hands the decrypted connection back to the same martian proxy through an in-process listener.
// Terminating TLS ourselves (rather than through martian's MITM) is what lets the proxy classify
// handshake failures, notice tunnels closed without a request, keep HTTP/2 off, and read every
// header block back verbatim from the connection (see headTap). The RoundTripper answers the
// proxy's own URLs, forwards the rest through an HTTP/1.1 transport, and commits each flow to
// the Recorder as the last byte of its response is read from upstream.
package proxy

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/martian/v3"
	mlog "github.com/google/martian/v3/log"

	"github.com/sdkflow/sdkflow/model"
)

// Recorder is where the proxy writes what it captures; session.Store implements it. AddFlow
// must be durable when it returns: the proxy calls it as each response completes.
type Recorder interface {
	AddFlow(ctx context.Context, session string, f *model.Flow) (int, error)
	AddMarker(ctx context.Context, session string, m model.Marker) error
}

// Event is something the live view shows: a committed flow, a marker, or a notice.
type Event struct {
	Time   time.Time
	Flow   *model.Flow
	Marker *model.Marker
	// Notice is a line for the log: a refused client, a store error, a relay problem.
	Notice string
}

// Options configure a Proxy. Session and Recorder are required.
type Options struct {
	Session  string
	Recorder Recorder
	// Allow lists the non-loopback clients served; nil serves loopback only.
	Allow *AllowList
	// Passthrough hosts are relayed without interception (exact names, or "*.example.com").
	Passthrough []string
	// UpstreamProxy chains every outgoing connection through another HTTP proxy.
	UpstreamProxy *url.URL
	// UpstreamRoots are trusted for upstream servers on top of the system roots.
	UpstreamRoots []*x509.Certificate
	// MapHost sends connections for a host ("name" or "name:port") to another address, keeping
	// the name for SNI and the Host header.
	MapHost map[string]string
	// BodyLimit bounds each stored request and response body (default DefaultBodyLimit); larger
	// bodies stream through untouched and are stored truncated with their full size.
	BodyLimit int64
	// OnEvent receives flows, markers and notices as they happen (from several goroutines, one
	// at a time).
	OnEvent func(Event)
	// HandshakeTimeout bounds the client's TLS handshake (default 15 s).
	HandshakeTimeout time.Duration
	// PinningWindow: a tunnel that completes the handshake and is closed by the client within
	// this time without sending a request is recorded as suspected pinning (default 3 s).
	PinningWindow time.Duration
	// IdleTimeout closes a client connection idle for this long (default 5 min).
	IdleTimeout time.Duration
}

// Defaults.
const (
	DefaultBodyLimit = 16 << 20
	// bodyBudget bounds the memory all bodies being captured at once may hold; past it, bodies
	// are stored truncated rather than risking the process.
	bodyBudget = 512 << 20
)

// Magic host names the proxy answers itself; requests to them are never forwarded.
const (
	MarkHost    = "sdkflow.mark"
	InstallHost = "sdkflow.proxy"
)

// Proxy is a recording MITM proxy. Create it with New, run it with Serve, stop it with Close.
type Proxy struct {
	opts      Options
	ca        *CA
	leaves    *leafIssuer
	mp        *martian.Proxy
	inner     *chanListener
	transport *http.Transport
	// upstreamRoots are the system roots plus --upstream-ca.
	upstreamRoots *x509.CertPool
	budget        atomic.Int64

	mu        sync.Mutex
	conns     map[string]*clientConn // by client address
	selfPort  int
	selfIPs   map[string]bool
	closed    chan struct{}
	closing   sync.Once
	listeners []net.Listener
	wg        sync.WaitGroup

	localHandler http.Handler
}

// New prepares a proxy that signs leaves with ca.
func New(ca *CA, opts Options) (*Proxy, error) {
	if opts.Recorder == nil {
		return nil, errors.New("proxy: no recorder")
	}
	if opts.Session == "" {
		return nil, errors.New("proxy: no session name")
	}
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = DefaultBodyLimit
	}
	if opts.HandshakeTimeout <= 0 {
		opts.HandshakeTimeout = 15 * time.Second
	}
	if opts.PinningWindow <= 0 {
		opts.PinningWindow = 3 * time.Second
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 5 * time.Minute
	}
	if opts.Allow == nil {
		opts.Allow = &AllowList{}
	}
	for i, h := range opts.Passthrough {
		opts.Passthrough[i] = strings.ToLower(strings.TrimSpace(h))
	}
	p := &Proxy{
		opts:    opts,
		ca:      ca,
		inner:   newChanListener(),
		conns:   make(map[string]*clientConn),
		closed:  make(chan struct{}),
		selfIPs: make(map[string]bool),
	}
	p.budget.Store(bodyBudget)
	li, err := newLeafIssuer(ca)
	if err != nil {
		return nil, err
	}
	p.leaves = li
	tr, err := p.newTransport()
	if err != nil {
		return nil, err
	}
	p.transport = tr
	p.localHandler = p.newLocalHandler()

	// martian logs every client that goes away as an error; our own notices say what matters.
	mlog.SetLevel(mlog.Silent)
	mp := martian.NewProxy()
	mp.SetTimeout(opts.IdleTimeout)
	mp.SetRoundTripper(roundTripperFunc(p.roundTrip))
	mp.SetRequestModifier(martian.RequestModifierFunc(p.modifyRequest))
	p.mp = mp
	return p, nil
}

// Serve accepts clients on l until Close. Clients the allow-list refuses are closed at once and
// reported once per address.
func (p *Proxy) Serve(l net.Listener) error {
	p.mu.Lock()
	p.listeners = append(p.listeners, l)
	p.mu.Unlock()
	select {
	case <-p.closed:
		l.Close()
		return nil
	default:
	}
	p.noteSelf(l.Addr())
	al := &allowListener{Listener: l, allow: p.opts.Allow, refused: func(addr string) {
		p.notice("refused a connection from %s: not loopback and not in --allow (reported once per address)", addr)
	}}
	cl := &trackingListener{Listener: al, p: p}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.mp.Serve(p.inner)
	}()
	err := p.mp.Serve(cl)
	select {
	case <-p.closed:
		return nil
	default:
	}
	return err
}

// Close stops accepting clients, closes every client connection, and waits for the handlers.
// Flows whose responses were complete are already in the store.
func (p *Proxy) Close() error {
	p.closing.Do(func() {
		close(p.closed)
		p.inner.Close()
		p.mu.Lock()
		for _, l := range p.listeners {
			l.Close()
		}
		conns := make([]*clientConn, 0, len(p.conns))
		for _, c := range p.conns {
			conns = append(conns, c)
		}
		p.mu.Unlock()
		for _, c := range conns {
			c.closeAll()
		}
		p.mp.Close()
		p.transport.CloseIdleConnections()
	})
	p.wg.Wait()
	return nil
}

// Mark records a marker in the session and shows it.
func (p *Proxy) Mark(ctx context.Context, m model.Marker) error {
	if m.Time.IsZero() {
		m.Time = time.Now()
	}
	if err := p.opts.Recorder.AddMarker(ctx, p.opts.Session, m); err != nil {
		p.notice("could not store marker %s: %v", m.Event, err)
		return err
	}
	p.emit(Event{Time: m.Time, Marker: &m})
	return nil
}

func (p *Proxy) emit(e Event) {
	if p.opts.OnEvent != nil {
		if e.Time.IsZero() {
			e.Time = time.Now()
		}
		p.opts.OnEvent(e)
	}
}

func (p *Proxy) notice(format string, args ...any) {
	p.emit(Event{Notice: fmt.Sprintf(format, args...)})
}

// commit hands a finished flow to the recorder, then to the live view.
func (p *Proxy) commit(f *model.Flow) {
	// The flow is stored even when the client has gone: it happened.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := p.opts.Recorder.AddFlow(ctx, p.opts.Session, f); err != nil {
		p.notice("could not store %s %s: %v", f.Method, f.URL, err)
		return
	}
	p.emit(Event{Time: f.End, Flow: f})
}

// noteSelf remembers the proxy's own address, so a request aimed at it is answered locally
// instead of looping through the proxy again.
func (p *Proxy) noteSelf(a net.Addr) {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.selfPort = ta.Port
	p.selfIPs[ta.IP.String()] = true
	if ta.IP.IsUnspecified() {
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				p.selfIPs[n.IP.String()] = true
			}
		}
	}
}

// isSelf reports whether ip:port is the proxy's own listening address.
func (p *Proxy) isSelf(ip net.IP, port int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if port != p.selfPort || p.selfPort == 0 {
		return false
	}
	return ip.IsLoopback() || ip.IsUnspecified() || p.selfIPs[ip.String()]
}

// clientConn is what the proxy knows about one client connection.
type clientConn struct {
	addr  string
	outer *tapConn
	start time.Time

	mu sync.Mutex
	// Set when the client opened a CONNECT tunnel on this connection.
	tunnel     bool
	tunnelHost string // the CONNECT authority, host:port
	secure     bool
	sni        string
	inner      *innerConn
	requests   atomic.Int64
}

// clientSide is the connection requests are currently read from, for writing an interim
// response (100 Continue) before martian writes the final one.
func (c *clientConn) clientSide() net.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inner != nil {
		return c.inner
	}
	return c.outer
}

// reqTap is the tap of the connection requests are currently read from.
func (c *clientConn) reqTap() *headTap {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inner != nil {
		return c.inner.tap
	}
	return c.outer.tap
}

func (c *clientConn) closeAll() {
	c.outer.Close()
	c.mu.Lock()
	in := c.inner
	c.mu.Unlock()
	if in != nil {
		in.Close()
	}
}

func (p *Proxy) register(c net.Conn) *tapConn {
	tc := newTapConn(c)
	tc.tap.limit = maxHeadBytes
	cc := &clientConn{addr: c.RemoteAddr().String(), outer: tc, start: time.Now()}
	p.mu.Lock()
	p.conns[cc.addr] = cc
	p.mu.Unlock()
	return tc
}

func (p *Proxy) lookup(addr string) *clientConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns[addr]
}

func (p *Proxy) forget(addr string, tc *tapConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cc := p.conns[addr]; cc != nil && cc.outer == tc {
		delete(p.conns, addr)
	}
}

// trackingListener registers each accepted client and forgets it when martian closes it.
type trackingListener struct {
	net.Listener
	p *Proxy
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := l.p.register(c)
	return &forgetConn{tapConn: tc, p: l.p, addr: c.RemoteAddr().String()}, nil
}

type forgetConn struct {
	*tapConn
	p    *Proxy
	addr string
	once sync.Once
}

func (c *forgetConn) Close() error {
	c.once.Do(func() { c.p.forget(c.addr, c.tapConn) })
	return c.tapConn.Close()
}

// chanListener hands martian the decrypted side of intercepted tunnels.
type chanListener struct {
	ch     chan net.Conn
	done   chan struct{}
	closed sync.Once
}

func newChanListener() *chanListener {
	return &chanListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) push(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Close() error {
	l.closed.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
