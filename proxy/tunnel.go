package proxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/martian/v3"

	"github.com/sdkflow/sdkflow/model"
)

// Reasons recorded on tls-failure flows. The first words are stable: rules and tests match on
// them.
const (
	ReasonUntrusted       = "client does not trust the proxy's certificate"
	ReasonMaybeUntrusted  = "client may not trust the proxy's certificate"
	ReasonSuspectedPinned = "suspected pinning: the client completed the TLS handshake and closed the connection without a request"
	ReasonTLSVersion      = "client and proxy share no TLS version or cipher suite"
	ReasonHandshakeTime   = "TLS handshake timed out"
)

// modifyRequest is martian's request hook. Only CONNECT is handled here: the tunnel is taken
// over (hijacked) and served until it ends; everything else is done in roundTrip.
func (p *Proxy) modifyRequest(req *http.Request) error {
	if req.Method != http.MethodConnect {
		return nil
	}
	ctx := martian.NewContext(req)
	if ctx == nil {
		return errors.New("no martian context for CONNECT")
	}
	cc := p.lookup(req.RemoteAddr)
	conn, brw, err := ctx.Session().Hijack()
	if err != nil {
		return err
	}
	if cc == nil || cc.tunnel {
		// A CONNECT inside a tunnel is not something a device does; refuse it.
		conn.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		conn.Close()
		return nil
	}
	// The tunnel's bytes are not header blocks of ours to keep.
	cc.outer.tap.stop()
	conn.SetDeadline(time.Time{})
	p.serveTunnel(cc, req, conn, brw)
	conn.Close()
	return nil
}

// serveTunnel runs one CONNECT tunnel to its end.
func (p *Proxy) serveTunnel(cc *clientConn, req *http.Request, conn net.Conn, brw *bufio.ReadWriter) {
	start := time.Now()
	hostport := req.Host
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		hostport = net.JoinHostPort(strings.Trim(hostport, "[]"), "443")
	}
	host, _, _ := net.SplitHostPort(hostport)
	host = strings.ToLower(host)
	cc.mu.Lock()
	cc.tunnel = true
	cc.tunnelHost = hostport
	cc.mu.Unlock()

	// Bytes the client sent right after the CONNECT (an eager ClientHello) sit in martian's
	// reader; read them from there first.
	var buffered []byte
	if n := brw.Reader.Buffered(); n > 0 {
		buffered, _ = brw.Reader.Peek(n)
		buffered = append([]byte(nil), buffered...)
		brw.Reader.Discard(n)
	}
	client := &prefixConn{Conn: conn, r: io.MultiReader(bytes.NewReader(buffered), conn)}

	if p.passthrough(host) && !isLocalHost(host) {
		p.relay(cc, client, hostport, start)
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		return
	}
	first := make([]byte, 1)
	conn.SetReadDeadline(time.Now().Add(p.opts.IdleTimeout))
	if _, err := io.ReadFull(client, first); err != nil {
		return // opened and closed without a byte: nothing to record
	}
	conn.SetReadDeadline(time.Time{})
	client.r = io.MultiReader(bytes.NewReader(first), client.r)

	if first[0] != 0x16 { // not a TLS handshake record: plain HTTP inside the tunnel
		p.serveInner(cc, client, false, "", start, time.Time{})
		return
	}

	var sni string
	var helloSeen atomic.Bool
	cfg := &tls.Config{
		NextProtos: []string{"http/1.1"}, // HTTP/2 would bypass the recorder
		// Classic key exchange only: a post-quantum hybrid protects nothing on a test network
		// and costs every handshake an ML-KEM encapsulation.
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			helloSeen.Store(true)
			sni = hello.ServerName
			name := host
			if sni != "" {
				name = sni
			}
			return p.leaves.certificate(name)
		},
	}
	tlsConn := tls.Server(client, cfg)
	hctx, cancel := context.WithTimeout(context.Background(), p.opts.HandshakeTimeout)
	err := tlsConn.HandshakeContext(hctx)
	timedOut := errors.Is(hctx.Err(), context.DeadlineExceeded)
	cancel()
	if err != nil {
		reason, record := classifyHandshakeError(err, helloSeen.Load(), timedOut)
		if record {
			p.commit(tlsFailureFlow(cc, hostport, sni, start, reason))
		}
		return
	}
	p.serveInner(cc, tlsConn, true, sni, start, time.Now())
}

// serveInner hands the tunnel's inner connection to martian and waits for it to end.
func (p *Proxy) serveInner(cc *clientConn, c net.Conn, secure bool, sni string, start, handshake time.Time) {
	in := &innerConn{tapConn: newTapConn(c), remote: cc.outer.RemoteAddr(), done: make(chan struct{})}
	in.tap.limit = maxHeadBytes
	cc.mu.Lock()
	cc.secure = secure
	cc.sni = sni
	cc.inner = in
	cc.mu.Unlock()
	if !p.inner.push(in) {
		in.Close()
		return
	}
	select {
	case <-in.done:
	case <-p.closed:
		in.Close()
	}
	closed := time.Now()
	if secure && cc.requests.Load() == 0 && closed.Sub(handshake) < p.opts.PinningWindow && !in.closedByProxy() {
		cc.mu.Lock()
		host := cc.tunnelHost
		cc.mu.Unlock()
		p.commit(tlsFailureFlow(cc, host, sni, start, ReasonSuspectedPinned))
	}
}

// classifyHandshakeError turns a failed client handshake into a recorded reason, as mitmproxy
// does: alerts 42-48 (bad, unsupported, revoked, expired or unknown certificate, unknown CA;
// Go words alert 46 "unknown certificate"), a bad record MAC (an OpenSSL client under TLS 1.3) and a connection
// closed after our certificate went out all mean the client refused it. A client that closed
// before sending a ClientHello is not recorded.
func classifyHandshakeError(err error, helloSeen, timedOut bool) (reason string, record bool) {
	msg := err.Error()
	lower := strings.ToLower(msg)
	switch {
	case !helloSeen && (errors.Is(err, io.EOF) || strings.Contains(lower, "connection reset")):
		return "", false
	case timedOut || strings.Contains(lower, "timeout"):
		return ReasonHandshakeTime, true
	case strings.Contains(lower, "remote error") && strings.Contains(lower, "certificate"),
		strings.Contains(lower, "unknown ca"),
		strings.Contains(lower, "certificate unknown"),
		strings.Contains(lower, "bad record mac"),
		strings.Contains(lower, "decrypt error"),
		errors.Is(err, io.EOF),
		strings.Contains(lower, "connection reset"),
		strings.Contains(lower, "broken pipe"):
		return ReasonUntrusted + " (" + msg + ")", true
	case strings.Contains(lower, "protocol version"),
		strings.Contains(lower, "no cipher suite"),
		strings.Contains(lower, "unsupported versions"),
		strings.Contains(lower, "no mutual"):
		return ReasonTLSVersion + " (" + msg + ")", true
	}
	return ReasonMaybeUntrusted + " (" + msg + ")", true
}

func tlsFailureFlow(cc *clientConn, hostport, sni string, start time.Time, reason string) *model.Flow {
	host, port, _ := net.SplitHostPort(hostport)
	if sni != "" {
		host = sni
	}
	u := "https://" + host
	if port != "" && port != "443" {
		u = "https://" + net.JoinHostPort(host, port)
	}
	return &model.Flow{
		Kind:       model.FlowTLSFailure,
		Time:       start,
		End:        time.Now(),
		Method:     http.MethodConnect,
		URL:        u,
		Host:       host,
		Party:      party(host),
		Client:     cc.addr,
		ServerName: sni,
		Error:      reason,
		Timings:    noTimings(),
	}
}

// innerConn is the decrypted side of a tunnel, served by martian like a client connection.
type innerConn struct {
	*tapConn
	remote net.Addr
	done   chan struct{}
	once   sync.Once
	// byProxy is set when the proxy (idle timeout, shutdown) rather than the client ended it.
	byProxy atomic.Bool
}

func (c *innerConn) RemoteAddr() net.Addr { return c.remote }

func (c *innerConn) Close() error {
	c.once.Do(func() { close(c.done) })
	return c.tapConn.Close()
}

// Read notes a timeout, so a tunnel martian closes for idleness is not taken for pinning.
func (c *innerConn) Read(b []byte) (int, error) {
	n, err := c.tapConn.Read(b)
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() {
		c.byProxy.Store(true)
	}
	return n, err
}

func (c *innerConn) closedByProxy() bool { return c.byProxy.Load() }

// prefixConn reads from r (bytes already taken off the connection, then the connection).
type prefixConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixConn) Read(b []byte) (int, error) { return c.r.Read(b) }

func (p *Proxy) passthrough(host string) bool {
	for _, pat := range p.opts.Passthrough {
		if hostMatches(pat, host) {
			return true
		}
	}
	return false
}

// hostMatches matches a host against "name" or "*.domain" (the domain itself included).
func hostMatches(pattern, host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		return host == rest || strings.HasSuffix(host, "."+rest)
	}
	return host == pattern
}

func isLocalHost(host string) bool { return host == MarkHost || host == InstallHost }

// relay passes a tunnel through without interception and records it as a tunnel flow.
func (p *Proxy) relay(cc *clientConn, client *prefixConn, hostport string, start time.Time) {
	host, _, _ := net.SplitHostPort(hostport)
	f := &model.Flow{
		Kind:    model.FlowTunnel,
		Time:    start,
		Method:  http.MethodConnect,
		URL:     "https://" + hostport,
		Host:    host,
		Party:   party(host),
		Client:  cc.addr,
		Timings: noTimings(),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	upstream, err := p.dialTunnel(ctx, hostport)
	cancel()
	if err != nil {
		client.Write([]byte("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		f.End = time.Now()
		f.Error = "upstream: " + err.Error()
		p.commit(f)
		return
	}
	defer upstream.Close()
	if _, err := client.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		return
	}
	f.Status = http.StatusOK
	// Read the ClientHello through a recorder to learn the server name, then replay it.
	client.SetReadDeadline(time.Now().Add(p.opts.HandshakeTimeout))
	hello, sni := peekClientHello(client.r)
	client.SetReadDeadline(time.Time{})
	f.ServerName = sni
	src := io.MultiReader(bytes.NewReader(hello), client.r)

	var up, down atomic.Int64
	done := make(chan struct{}, 2)
	go func() {
		n, _ := io.Copy(upstream, src)
		up.Store(n)
		if tc, ok := upstream.(interface{ CloseWrite() error }); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}()
	go func() {
		n, _ := io.Copy(client.Conn, upstream)
		down.Store(n)
		if tc, ok := client.Conn.(interface{ CloseWrite() error }); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}()
	finished := 0
	select {
	case <-done:
		finished++
		// One side finished (its write side is half-closed); let the other drain.
		select {
		case <-done:
			finished++
		case <-time.After(p.opts.IdleTimeout):
		case <-p.closed:
		}
	case <-p.closed:
	}
	upstream.Close()
	client.Close()
	for ; finished < 2; finished++ {
		<-done
	}
	f.End = time.Now()
	f.Request.BodySize = up.Load()
	f.Response.BodySize = down.Load()
	p.commit(f)
}

// peekClientHello reads the first TLS handshake message from r (bounded in size) and returns
// the bytes it read and the server name the client asked for.
func peekClientHello(r io.Reader) (read []byte, sni string) {
	var rec bytes.Buffer
	tee := io.TeeReader(io.LimitReader(r, 1<<16), &rec)
	errStop := errors.New("stop")
	srv := tls.Server(readOnlyConn{r: tee}, &tls.Config{
		GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			sni = h.ServerName
			return nil, errStop
		},
	})
	srv.Handshake()
	return rec.Bytes(), sni
}

// readOnlyConn lets crypto/tls parse a ClientHello without writing anything back.
type readOnlyConn struct{ r io.Reader }

func (c readOnlyConn) Read(b []byte) (int, error)         { return c.r.Read(b) }
func (c readOnlyConn) Write(b []byte) (int, error)        { return len(b), nil }
func (c readOnlyConn) Close() error                       { return nil }
func (c readOnlyConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (c readOnlyConn) RemoteAddr() net.Addr               { return &net.TCPAddr{} }
func (c readOnlyConn) SetDeadline(t time.Time) error      { return nil }
func (c readOnlyConn) SetReadDeadline(t time.Time) error  { return nil }
func (c readOnlyConn) SetWriteDeadline(t time.Time) error { return nil }

// stop tells the tap that nothing more on this connection is a header block of ours.
func (t *headTap) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.skip = math.MaxInt64
	t.buf = nil
}
