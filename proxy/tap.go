package proxy

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sdkflow/sdkflow/model"
)

// net/http parses headers into a map with canonical names, losing their wire order and case. A
// headTap keeps a window of the bytes read from a connection so that, once net/http has parsed
// a message, the raw header block of that message can be found again and checked against what
// net/http saw. When it cannot be found (a header block larger than the window, a parser
// disagreement), the caller falls back to the parsed headers.

const (
	// maxRawHead is the largest header block kept verbatim.
	maxRawHead = 64 << 10
	// tapWindow covers a header block plus a reader's look-ahead buffer.
	tapWindow = maxRawHead + 16<<10
)

type headTap struct {
	mu   sync.Mutex
	buf  []byte // the kept bytes, starting at absolute offset base
	base int64
	// total is the number of bytes read so far.
	total int64
	// mark: no header block we have not yet taken starts before this offset.
	mark int64
	// skip: bytes before this offset are known body bytes and not kept.
	skip int64
	// inBody is set while a body of unknown length (chunked) is being read.
	inBody bool
	// headStart is where the header block being awaited began, at the latest.
	headStart int64
	// limit bounds a header block (0: no bound). net/http's ReadRequest has none of its own,
	// so a client sending an endless header would otherwise grow the proxy's memory.
	limit int64
}

// maxHeadBytes is the bound on a client's header block.
const maxHeadBytes = 1 << 20

// errHeadTooLarge ends a connection whose client sends an oversized header block.
var errHeadTooLarge = errors.New("request header block too large")

// overLimit reports whether the header block being awaited exceeds the limit.
func (t *headTap) overLimit() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.limit > 0 && !t.inBody && t.total-max(t.headStart, t.skip) > t.limit
}

// bodyDone says the body of unknown length has been read: what follows is a header block.
// The reader may hold up to its buffer's size of it already, hence the allowance.
func (t *headTap) bodyDone() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inBody {
		t.inBody = false
		t.headStart = max(t.headStart, t.total-64<<10)
	}
}

// observe records bytes just read from the connection.
func (t *headTap) observe(p []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	start := t.total
	t.total += int64(len(p))
	if t.total <= t.skip {
		return
	}
	if start < t.skip {
		p = p[t.skip-start:]
		start = t.skip
	}
	if len(t.buf) == 0 || t.base+int64(len(t.buf)) != start {
		t.buf = t.buf[:0]
		t.base = start
	}
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - tapWindow; over > 0 {
		// Drop at least a quarter of the window at once so trimming stays amortised.
		drop := max(over, tapWindow/4)
		drop = min(drop, len(t.buf))
		n := copy(t.buf, t.buf[drop:])
		t.buf = t.buf[:n]
		t.base += int64(drop)
	}
}

// takeRequest finds the raw header block of req, the next request on the connection.
func (t *headTap) takeRequest(req *http.Request) ([]model.Header, bool) {
	prefix := req.Method + " " + req.RequestURI + " "
	return t.take(prefix, func(first string, hs []model.Header) bool {
		return strings.TrimSpace(strings.TrimPrefix(first, prefix)) == req.Proto &&
			headersAgree(hs, req.Header, true)
	})
}

// takeResponse finds the raw header block of res, the next response on the connection.
func (t *headTap) takeResponse(res *http.Response) ([]model.Header, bool) {
	code := strconv.Itoa(res.StatusCode)
	return t.take("HTTP/", func(first string, hs []model.Header) bool {
		f := strings.Fields(first)
		return len(f) >= 2 && f[1] == code && headersAgree(hs, res.Header, false)
	})
}

// bodyFollows tells the tap how many body bytes follow the block just taken: n >= 0 exactly
// (they are not kept), or -1 when unknown (chunked), in which case the window rolls over it.
func (t *headTap) bodyFollows(n int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n < 0 {
		t.inBody = true
		return
	}
	t.mark += n
	t.skip = t.mark
	if end := t.base + int64(len(t.buf)); t.skip >= end {
		t.buf = t.buf[:0]
		t.base = t.skip
	} else if t.skip > t.base {
		n := copy(t.buf, t.buf[t.skip-t.base:])
		t.buf = t.buf[:n]
		t.base = t.skip
	}
}

func (t *headTap) take(prefix string, verify func(first string, hs []model.Header) bool) ([]model.Header, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	from := max(t.mark-t.base, 0)
	if from > int64(len(t.buf)) {
		return nil, false
	}
	window := t.buf[from:]
	p := []byte(prefix)
	for i := 0; i < len(window); {
		j := bytes.Index(window[i:], p)
		if j < 0 {
			break
		}
		at := i + j
		i = at + 1
		if at > 0 && window[at-1] != '\n' {
			continue
		}
		first, hs, n, ok := parseHead(window[at:])
		if !ok || !verify(first, hs) {
			continue
		}
		end := t.base + from + int64(at+n)
		t.mark = end
		t.skip = max(t.skip, end)
		t.headStart = end
		t.inBody = false
		return hs, true
	}
	return nil, false
}

// parseHead splits a header block (start line, header lines, empty line) at the start of b. It
// returns the start line, the headers in order with their names as sent and values trimmed as
// net/http trims them, and the length of the block. Obsolete line folding is rejected (the
// caller falls back to the parsed headers).
func parseHead(b []byte) (first string, hs []model.Header, n int, ok bool) {
	if len(b) > maxRawHead {
		b = b[:maxRawHead]
	}
	end := bytes.Index(b, []byte("\n\r\n"))
	endLF := bytes.Index(b, []byte("\n\n"))
	blockLen := 0
	switch {
	case end >= 0 && (endLF < 0 || end < endLF):
		blockLen = end + 3
	case endLF >= 0:
		blockLen = endLF + 2
	default:
		return "", nil, 0, false
	}
	lines := strings.Split(string(b[:blockLen]), "\n")
	first = strings.TrimSuffix(lines[0], "\r")
	for _, line := range lines[1:] {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			return "", nil, 0, false
		}
		name, value, found := strings.Cut(line, ":")
		if !found || name == "" || strings.ContainsAny(name, " \t") {
			return "", nil, 0, false
		}
		hs = append(hs, model.Header{Name: name, Value: strings.Trim(value, " \t")})
	}
	return first, hs, blockLen, true
}

// headersAgree checks raw headers against what net/http parsed. net/http moves Host to
// req.Host, drops Transfer-Encoding (and Content-Length beside it), and may add Cache-Control
// for Pragma: those are tolerated.
func headersAgree(raw []model.Header, parsed http.Header, request bool) bool {
	seen := make(map[string]int, len(parsed))
	for _, h := range raw {
		key := http.CanonicalHeaderKey(h.Name)
		switch key {
		case "Host":
			// For an absolute-form request net/http takes the host from the URL, so the
			// header's value need not match req.Host.
			if request {
				continue
			}
		case "Transfer-Encoding", "Content-Length", "Cache-Control":
			if _, ok := parsed[key]; !ok {
				continue
			}
		}
		vs := parsed[key]
		i := seen[key]
		if i >= len(vs) || vs[i] != h.Value {
			return false
		}
		seen[key] = i + 1
	}
	for key, vs := range parsed {
		if seen[key] != len(vs) && key != "Cache-Control" {
			return false
		}
	}
	return true
}

// canonicalHeaders is the fallback: the parsed headers, names sorted, Host first for requests.
func canonicalHeaders(h http.Header, host string) []model.Header {
	var out []model.Header
	if host != "" {
		out = append(out, model.Header{Name: "Host", Value: host})
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, model.Header{Name: k, Value: v})
		}
	}
	return out
}

// tapConn feeds every byte read to a headTap.
type tapConn struct {
	net.Conn
	tap *headTap
}

func newTapConn(c net.Conn) *tapConn { return &tapConn{Conn: c, tap: &headTap{}} }

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.tap.observe(p[:n])
		if c.tap.overLimit() {
			return n, errHeadTooLarge
		}
	}
	return n, err
}

// ConnectionState lets net/http fill Response.TLS for an upstream TLS connection.
func (c *tapConn) ConnectionState() tls.ConnectionState {
	if tc, ok := c.Conn.(*tls.Conn); ok {
		return tc.ConnectionState()
	}
	return tls.ConnectionState{}
}
