package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/martian/v3"
	"golang.org/x/net/publicsuffix"

	"github.com/sdkflow/sdkflow/model"
)

// roundTrip is the proxy's recorder: martian hands it every request (plain, or from inside an
// intercepted tunnel); it answers the proxy's own URLs, forwards the rest, and commits the flow
// to the store when the client has been given the last byte of the response.
func (p *Proxy) roundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	cc := p.lookup(req.RemoteAddr)
	if cc == nil {
		return textResponse(req, http.StatusBadGateway, "sdkflow: unknown client connection\n"), nil
	}
	cc.requests.Add(1)
	tap := cc.reqTap()
	reqHeaders, ok := tap.takeRequest(req)
	if !ok {
		reqHeaders = canonicalHeaders(req.Header, req.Host)
	}
	tap.bodyFollows(requestBodyLength(req))

	cc.mu.Lock()
	tunnel, secure, sni, tunnelHost := cc.tunnel, cc.secure, cc.sni, cc.tunnelHost
	cc.mu.Unlock()
	if tunnel {
		req.URL.Scheme = "http"
		if secure {
			req.URL.Scheme = "https"
		}
		if req.URL.Host == "" || req.Host == "" {
			req.URL.Host = tunnelHost
		}
	}
	host := strings.ToLower(req.URL.Hostname())

	// The proxy's own pages, the marker URL, and requests aimed at the proxy itself are
	// answered here and never forwarded (nor recorded: they are not the app's traffic).
	direct := !tunnel && strings.HasPrefix(req.RequestURI, "/")
	if direct || isLocalHost(host) || p.isSelfTarget(req.URL) {
		return p.serveLocal(req, host), nil
	}

	out := req.Clone(req.Context())
	out.RequestURI = ""
	// "Connection: close" concerns the client's connection; the upstream one stays pooled.
	out.Close = false
	upgrade := isWebSocketUpgrade(req)
	removeHopByHop(out.Header, upgrade)
	if _, ok := out.Header["User-Agent"]; !ok {
		// net/http would add its own User-Agent; send exactly what the client sent.
		out.Header["User-Agent"] = []string{""}
	}
	reqBody := p.newCapture(req.Body, req.ContentLength)
	reqBody.atEOF = tap.bodyDone
	if req.Body != nil && req.Body != http.NoBody {
		out.Body = reqBody
		if headerHasToken(req.Header, "Expect", "100-continue") {
			// martian does not answer Expect itself: the client would wait for a 100 that
			// never comes. Send it when the body is first wanted (after upstream's own 100).
			reqBody.beforeFirstRead = func() {
				io.WriteString(cc.clientSide(), "HTTP/1.1 100 Continue\r\n\r\n")
			}
		}
	}
	tr := &tracer{start: start}
	ctx := httptrace.WithClientTrace(context.WithValue(req.Context(), tracerKey{}, tr), tr.clientTrace())
	out = out.WithContext(ctx)

	flow := &model.Flow{
		Kind:        model.FlowHTTP,
		Time:        start,
		Method:      req.Method,
		URL:         req.URL.String(),
		Host:        host,
		Party:       party(host),
		Client:      cc.addr,
		HTTPVersion: req.Proto,
		ServerName:  sni,
	}

	res, err := p.transport.RoundTrip(out)
	if err != nil {
		flow.End = time.Now()
		flow.Error = "upstream: " + err.Error()
		flow.Request = reqBody.message(reqHeaders)
		flow.Timings = tr.timings(flow.End)
		reqBody.release()
		p.commit(flow)
		return textResponse(req, http.StatusBadGateway, "sdkflow: "+flow.Error+"\n"), nil
	}
	resHeaders, ok := []model.Header(nil), false
	if tc, isTap := tr.connection().(*tapConn); isTap {
		resHeaders, ok = tc.tap.takeResponse(res)
		tc.tap.bodyFollows(responseBodyLength(req.Method, res))
	}
	if !ok {
		resHeaders = canonicalHeaders(res.Header, "")
	}
	flow.Status = res.StatusCode
	flow.StatusText = strings.TrimSpace(strings.TrimPrefix(res.Status, strconv.Itoa(res.StatusCode)))

	if upgrade && res.StatusCode == http.StatusSwitchingProtocols {
		return p.relayWebSocket(req, res, flow, reqBody, reqHeaders, resHeaders, tr)
	}

	resBody := p.newCapture(res.Body, res.ContentLength)
	resBody.expect = responseBodyLength(req.Method, res)
	resBody.expectBody = resBody.expect != 0
	resBody.done = func(bodyErr error) {
		flow.End = time.Now()
		flow.Request = reqBody.message(reqHeaders)
		flow.Response = resBody.message(resHeaders)
		flow.Timings = tr.timings(flow.End)
		if bodyErr != nil {
			flow.Error = bodyErr.Error()
		}
		p.commit(flow)
		reqBody.release()
		resBody.release()
	}
	res.Body = resBody
	return res, nil
}

// requestBodyLength is the number of body bytes on the wire after a request's header block,
// -1 when chunked (not known in advance).
func requestBodyLength(req *http.Request) int64 {
	for _, te := range req.TransferEncoding {
		if strings.EqualFold(te, "chunked") {
			return -1
		}
	}
	return max(req.ContentLength, 0)
}

// responseBodyLength is the same for a response: 0 when the status or method allows no body,
// -1 when chunked or delimited by the connection's end.
func responseBodyLength(method string, res *http.Response) int64 {
	if method == http.MethodHead || res.StatusCode/100 == 1 || res.StatusCode == 204 || res.StatusCode == 304 {
		return 0
	}
	for _, te := range res.TransferEncoding {
		if strings.EqualFold(te, "chunked") {
			return -1
		}
	}
	if res.ContentLength < 0 {
		return -1
	}
	return res.ContentLength
}

// hopByHop headers concern one connection, not the exchange, and are not forwarded.
var hopByHop = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Upgrade"}

func removeHopByHop(h http.Header, upgrade bool) {
	if !upgrade {
		for _, v := range h["Connection"] {
			for _, name := range strings.Split(v, ",") {
				if name = strings.TrimSpace(name); name != "" {
					h.Del(name)
				}
			}
		}
	}
	for _, name := range hopByHop {
		if upgrade && (name == "Connection" || name == "Upgrade") {
			continue
		}
		h.Del(name)
	}
}

func isWebSocketUpgrade(req *http.Request) bool {
	return headerHasToken(req.Header, "Connection", "upgrade") &&
		headerHasToken(req.Header, "Upgrade", "websocket")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// party is the registrable domain (eTLD+1) of host; IP addresses and bare names stand alone.
func party(host string) string {
	if host == "" || net.ParseIP(host) != nil {
		return host
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

func noTimings() model.Timings {
	return model.Timings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1, Send: -1, Wait: -1, Receive: -1}
}

// errIncomplete: the response body was closed before its end (the client went away).
var errIncomplete = errors.New("the response was not fully delivered to the client")

// capture passes a body through, keeping its first limit bytes.
type capture struct {
	p          *Proxy
	rc         io.ReadCloser
	limit      int64
	expectBody bool
	// expect is the body's length when known (-1 otherwise). The flow is committed as the last
	// byte is read from upstream, before it is handed on: a client can never hold a complete
	// response that is not in the store yet.
	expect int64
	// done is called once, when the body ends (nil error at EOF or a body-less close).
	done func(error)
	// beforeFirstRead, when set, runs once before the body is first read.
	beforeFirstRead func()
	// atEOF, when set, runs when the body has been read to its end.
	atEOF func()

	mu        sync.Mutex
	buf       []byte
	n         int64
	truncated bool
	reserved  int64
	finished  bool
	readErr   error
}

func (p *Proxy) newCapture(rc io.ReadCloser, length int64) *capture {
	c := &capture{p: p, rc: rc, limit: p.opts.BodyLimit, expect: -1}
	if length > 0 && length <= c.limit {
		if c.reserve(length) {
			c.buf = make([]byte, 0, length)
		}
	}
	return c
}

// reserve takes n bytes from the proxy-wide budget for captured bodies.
func (c *capture) reserve(n int64) bool {
	if c.p.budget.Add(-n) < 0 {
		c.p.budget.Add(n)
		return false
	}
	c.reserved += n
	return true
}

func (c *capture) release() {
	c.mu.Lock()
	r := c.reserved
	c.reserved = 0
	c.buf = nil
	c.mu.Unlock()
	c.p.budget.Add(r)
}

func (c *capture) Read(b []byte) (int, error) {
	if c.rc == nil {
		c.finish(nil)
		return 0, io.EOF
	}
	if f := c.beforeFirstRead; f != nil {
		c.beforeFirstRead = nil
		f()
	}
	n, err := c.rc.Read(b)
	if n > 0 {
		c.keep(b[:n])
		if c.expect > 0 && c.total() >= c.expect {
			c.finish(nil)
		}
	}
	if err == io.EOF {
		if c.atEOF != nil {
			c.atEOF()
		}
		c.finish(nil)
	} else if err != nil {
		c.mu.Lock()
		c.readErr = err
		c.mu.Unlock()
		c.finish(fmt.Errorf("upstream: reading the body: %w", err))
	}
	return n, err
}

func (c *capture) total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *capture) keep(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += int64(len(b))
	if c.truncated {
		return
	}
	room := c.limit - int64(len(c.buf))
	if int64(len(b)) > room {
		b = b[:room]
		c.truncated = true
	}
	if need := int64(len(c.buf)+len(b)) - c.reserved; need > 0 {
		// Reserve in steps so a growing body does not hit the shared budget on every read.
		step := max(need, min(c.limit-c.reserved, 256<<10))
		if !c.reserve(step) {
			c.truncated = true
			return
		}
	}
	c.buf = append(c.buf, b...)
}

func (c *capture) Close() error {
	var err error
	if c.rc != nil {
		err = c.rc.Close()
	}
	c.mu.Lock()
	incomplete := c.expectBody && !c.finished
	c.mu.Unlock()
	if incomplete {
		c.finish(errIncomplete)
	} else {
		c.finish(nil)
	}
	return err
}

func (c *capture) finish(err error) {
	c.mu.Lock()
	if c.finished {
		c.mu.Unlock()
		return
	}
	c.finished = true
	done := c.done
	c.mu.Unlock()
	if done != nil {
		done(err)
	}
}

// message snapshots the captured body with the given headers.
func (c *capture) message(hs []model.Header) model.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := model.Message{Headers: hs, BodySize: c.n, Truncated: c.truncated || int64(len(c.buf)) < c.n}
	switch {
	case len(c.buf) == 0:
	case c.finished:
		// Nothing more is appended to a finished body: hand it over without a copy (a 16 MiB
		// body would otherwise be held twice).
		m.Body = c.buf
	default:
		m.Body = bytes.Clone(c.buf)
	}
	return m
}

// textResponse is a small response the proxy makes itself.
func textResponse(req *http.Request, status int, body string) *http.Response {
	res := &http.Response{
		StatusCode:    status,
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
	return res
}

// tracer collects an exchange's phases from net/http's client trace.
type tracer struct {
	mu                      sync.Mutex
	start                   time.Time
	getConn, gotConn        time.Time
	dnsStart, dnsDone       time.Time
	connStart, connDone     time.Time
	tlsStart, tlsDone       time.Time
	wroteRequest, firstByte time.Time
	reused                  bool
	conn                    net.Conn
}

type tracerKey struct{}

func tracerFrom(ctx context.Context) *tracer {
	t, _ := ctx.Value(tracerKey{}).(*tracer)
	return t
}

func (t *tracer) set(f func()) {
	t.mu.Lock()
	f()
	t.mu.Unlock()
}

func (t *tracer) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(string) { t.set(func() { t.getConn = time.Now() }) },
		GotConn: func(i httptrace.GotConnInfo) {
			t.set(func() { t.gotConn, t.reused, t.conn = time.Now(), i.Reused, i.Conn })
		},
		DNSStart:     func(httptrace.DNSStartInfo) { t.set(func() { t.dnsStart = time.Now() }) },
		DNSDone:      func(httptrace.DNSDoneInfo) { t.set(func() { t.dnsDone = time.Now() }) },
		ConnectStart: func(string, string) { t.set(func() { t.connStart = time.Now() }) },
		ConnectDone: func(string, string, error) {
			t.set(func() { t.connDone = time.Now() })
		},
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.set(func() { t.wroteRequest = time.Now() }) },
		GotFirstResponseByte: func() { t.set(func() { t.firstByte = time.Now() }) },
	}
}

func (t *tracer) tlsHandshake(start, done time.Time) {
	t.set(func() { t.tlsStart, t.tlsDone = start, done })
}

func (t *tracer) connection() net.Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.conn
}

// timings turns the trace into HAR-style phases in milliseconds (-1 where not applicable).
func (t *tracer) timings(end time.Time) model.Timings {
	t.mu.Lock()
	defer t.mu.Unlock()
	ms := func(a, b time.Time) float64 {
		if a.IsZero() || b.IsZero() || b.Before(a) {
			return -1
		}
		return float64(b.Sub(a).Microseconds()) / 1000
	}
	tm := noTimings()
	tm.DNS = ms(t.dnsStart, t.dnsDone)
	tm.SSL = ms(t.tlsStart, t.tlsDone)
	// HAR counts the TLS handshake inside connect.
	if c := ms(t.connStart, t.connDone); c >= 0 {
		tm.Connect = c + max(tm.SSL, 0)
	} else if tm.SSL >= 0 {
		tm.Connect = tm.SSL
	}
	if b := ms(t.start, t.gotConn); b >= 0 {
		tm.Blocked = max(b-max(tm.DNS, 0)-max(tm.Connect, 0), 0)
	}
	tm.Send = ms(t.gotConn, t.wroteRequest)
	if !t.wroteRequest.IsZero() && !t.firstByte.IsZero() {
		tm.Wait = max(ms(t.wroteRequest, t.firstByte), 0)
	}
	tm.Receive = ms(t.firstByte, end)
	return tm
}

// relayWebSocket completes a WebSocket upgrade: the 101 is recorded as a flow at once, then
// the connection is relayed byte for byte (frames are not recorded) until either side closes.
func (p *Proxy) relayWebSocket(req *http.Request, res *http.Response, flow *model.Flow, reqBody *capture,
	reqHeaders, resHeaders []model.Header, tr *tracer) (*http.Response, error) {
	upstream, ok := res.Body.(io.ReadWriteCloser)
	ctx := martian.NewContext(req)
	if !ok || ctx == nil {
		res.Body.Close()
		flow.End = time.Now()
		flow.Error = "websocket: the upgraded connection cannot be relayed"
		flow.Request = reqBody.message(reqHeaders)
		flow.Response = model.Message{Headers: resHeaders}
		p.commit(flow)
		return textResponse(req, http.StatusBadGateway, "sdkflow: "+flow.Error+"\n"), nil
	}
	defer upstream.Close()
	conn, brw, err := ctx.Session().Hijack()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Time{})
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %s\r\n", res.Status)
	res.Header.Write(&head)
	head.WriteString("\r\n")
	_, werr := conn.Write(head.Bytes())

	flow.End = time.Now()
	flow.Request = reqBody.message(reqHeaders)
	flow.Response = model.Message{Headers: resHeaders}
	flow.Timings = tr.timings(flow.End)
	flow.Extra = map[string]any{"_webSocket": "relayed after the upgrade; frames not recorded"}
	p.commit(flow)
	if werr != nil {
		return textResponse(req, http.StatusBadGateway, ""), nil
	}

	done := make(chan struct{}, 2)
	go func() {
		io.Copy(upstream, brw.Reader)
		done <- struct{}{}
	}()
	go func() {
		io.Copy(conn, upstream)
		done <- struct{}{}
	}()
	select {
	case <-done:
	case <-p.closed:
	}
	// Either side ending ends both; wait for both copies so nothing reads the connection once
	// martian has it back.
	conn.Close()
	upstream.Close()
	<-done
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	// The returned response is never written: martian sees the hijack and stops.
	return textResponse(req, http.StatusOK, ""), nil
}
