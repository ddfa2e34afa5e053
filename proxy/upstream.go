package proxy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// newTransport builds the upstream side: HTTP/1.1 only (the recorder sees every exchange),
// bodies passed through as sent (no transparent decompression), our own dialers so that
// --map-host, --upstream-proxy and --upstream-ca apply to every connection and so that the
// response header blocks can be read back verbatim.
func (p *Proxy) newTransport() (*http.Transport, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	for _, c := range p.opts.UpstreamRoots {
		roots.AddCert(c)
	}
	p.upstreamRoots = roots
	tr := &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) {
			// Plain HTTP goes to the upstream proxy in absolute form; HTTPS is tunnelled by
			// dialTLS itself so that the TLS session stays ours.
			if p.opts.UpstreamProxy != nil && r.URL.Scheme == "http" && p.mapped(r.URL.Host) == "" {
				return p.opts.UpstreamProxy, nil
			}
			return nil, nil
		},
		DialContext:            p.dialPlain,
		DialTLSContext:         p.dialTLS,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
		DisableCompression:     true,
		MaxIdleConns:           512,
		MaxIdleConnsPerHost:    64,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
		ResponseHeaderTimeout:  2 * time.Minute,
		MaxResponseHeaderBytes: 1 << 20,
	}
	return tr, nil
}

// mapped returns the --map-host target for hostport ("" when none).
func (p *Proxy) mapped(hostport string) string {
	if len(p.opts.MapHost) == 0 {
		return ""
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if t, ok := p.opts.MapHost[net.JoinHostPort(host, port)]; ok && port != "" {
		return t
	}
	return p.opts.MapHost[host]
}

func (p *Proxy) dialer() *net.Dialer {
	return &net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
		// Refuse to connect to ourselves: a request for the proxy's own address would loop.
		ControlContext: func(_ context.Context, network, address string, _ syscall.RawConn) error {
			ap, err := netAddrPort(address)
			if err == nil && p.isSelf(ap.IP, ap.Port) {
				return fmt.Errorf("refusing to connect to the proxy's own address %s", address)
			}
			return nil
		},
	}
}

func netAddrPort(address string) (*net.TCPAddr, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return nil, err
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return nil, errors.New("not an IP address")
	}
	return &net.TCPAddr{IP: ip, Port: n}, nil
}

// dialRaw opens a TCP connection toward addr: to its --map-host target, through the upstream
// proxy (CONNECT), or directly.
func (p *Proxy) dialRaw(ctx context.Context, addr string, viaProxy bool) (net.Conn, error) {
	if t := p.mapped(addr); t != "" {
		return p.dialer().DialContext(ctx, "tcp", t)
	}
	if viaProxy && p.opts.UpstreamProxy != nil {
		return p.connectVia(ctx, p.opts.UpstreamProxy, addr)
	}
	return p.dialer().DialContext(ctx, "tcp", addr)
}

// dialPlain serves plain HTTP (directly, or to the upstream proxy net/http chose).
func (p *Proxy) dialPlain(ctx context.Context, _, addr string) (net.Conn, error) {
	c, err := p.dialRaw(ctx, addr, false)
	if err != nil {
		return nil, err
	}
	return newTapConn(c), nil
}

// dialTLS opens a TLS connection to addr, keeping the host name for SNI and verification
// whatever address it is mapped to.
func (p *Proxy) dialTLS(ctx context.Context, _, addr string) (net.Conn, error) {
	raw, err := p.dialRaw(ctx, addr, true)
	if err != nil {
		return nil, err
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	tc := tls.Client(raw, &tls.Config{
		ServerName: host,
		RootCAs:    p.upstreamRoots,
		NextProtos: []string{"http/1.1"},
	})
	start := time.Now()
	hctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("TLS handshake with %s: %w", addr, err)
	}
	if t := tracerFrom(ctx); t != nil {
		t.tlsHandshake(start, time.Now())
	}
	return newTapConn(tc), nil
}

// dialTunnel opens the upstream side of a passthrough tunnel.
func (p *Proxy) dialTunnel(ctx context.Context, addr string) (net.Conn, error) {
	return p.dialRaw(ctx, addr, true)
}

// connectVia opens a tunnel to addr through an HTTP proxy.
func (p *Proxy) connectVia(ctx context.Context, proxyURL *url.URL, addr string) (net.Conn, error) {
	proxyAddr := proxyURL.Host
	if proxyURL.Port() == "" {
		proxyAddr = net.JoinHostPort(proxyURL.Hostname(), "8080")
	}
	c, err := p.dialer().DialContext(ctx, "tcp", proxyAddr)
	if err != nil {
		return nil, fmt.Errorf("upstream proxy %s: %w", proxyAddr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	} else {
		c.SetDeadline(time.Now().Add(30 * time.Second))
	}
	req := "CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if u := proxyURL.User; u != nil {
		pw, _ := u.Password()
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)) + "\r\n"
	}
	req += "\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		c.Close()
		return nil, fmt.Errorf("upstream proxy %s: %w", proxyAddr, err)
	}
	br := bufio.NewReaderSize(c, 4096)
	res, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("upstream proxy %s: reading its CONNECT answer: %w", proxyAddr, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		c.Close()
		return nil, fmt.Errorf("upstream proxy %s refused CONNECT %s: %s", proxyAddr, addr, res.Status)
	}
	c.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		buffered, _ := br.Peek(br.Buffered())
		return &prefixConn{Conn: c, r: io.MultiReader(bytes.NewReader(bytes.Clone(buffered)), c)}, nil
	}
	return c, nil
}

// isSelfTarget reports whether a request URL points at the proxy itself.
func (p *Proxy) isSelfTarget(u *url.URL) bool {
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		if u.Scheme == "https" {
			port = 443
		} else {
			port = 80
		}
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" {
		return p.isSelf(net.IPv4(127, 0, 0, 1), port)
	}
	ip := net.ParseIP(host)
	return ip != nil && p.isSelf(ip, port)
}
