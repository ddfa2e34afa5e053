package proxy

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// FuzzHeadTap feeds arbitrary client bytes, in arbitrary read sizes, through the tap and
// net/http's request parser the way the proxy does. Whatever the tap hands back must agree with
// what net/http parsed, and nothing may panic or grow without bound.
func FuzzHeadTap(f *testing.F) {
	f.Add([]byte("GET /a HTTP/1.1\r\nHost: x\r\nA: 1\r\n\r\nPOST /b HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: y\r\n\r\n"), uint8(7))
	f.Add([]byte("POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nGET\r\n0\r\n\r\nGET /u HTTP/1.1\r\nHost: x\r\n\r\n"), uint8(1))
	f.Add([]byte("GET http://a/ HTTP/1.1\r\nHost: b\r\nPragma: no-cache\r\nX: a\r\n b\r\n\r\n"), uint8(200))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		// A small header bound, so fuzzing reaches it.
		c := &tapConn{Conn: &chunkConn{data: data, step: int(step%64) + 1}, tap: &headTap{limit: 4096}}
		br := bufio.NewReader(c)
		for i := 0; i < 50; i++ {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			hs, ok := c.tap.takeRequest(req)
			if ok && !headersAgree(hs, req.Header, true) {
				t.Fatalf("tap returned headers that disagree: %v vs %v", hs, req.Header)
			}
			c.tap.bodyFollows(requestBodyLength(req))
			if _, err := io.Copy(io.Discard, io.LimitReader(req.Body, 1<<20)); err == nil {
				c.tap.bodyDone()
			}
			req.Body.Close()
			if len(c.tap.buf) > tapWindow+64*1024 {
				t.Fatalf("tap window grew to %d", len(c.tap.buf))
			}
		}
	})
}

// FuzzPeekClientHello: whatever the client sends, the bytes read to learn the server name are
// exactly a prefix of the stream (they are replayed upstream), and bounded.
func FuzzPeekClientHello(f *testing.F) {
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00})
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add(realClientHello(f, "graph.facebook.com"))
	f.Fuzz(func(t *testing.T, data []byte) {
		read, _ := peekClientHello(bytes.NewReader(data))
		if !bytes.HasPrefix(data, read) {
			t.Fatalf("read bytes are not a prefix of the stream")
		}
		if len(read) > 1<<16 {
			t.Fatalf("read %d bytes", len(read))
		}
	})
}

// FuzzParseCA: a CA file is outside input (a user may drop any file there).
func FuzzParseCA(f *testing.F) {
	ca, err := NewCA(time.Now())
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	buf.Write(ca.PEM())
	f.Add(buf.Bytes())
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCA(data)
		if err == nil && (c.Cert == nil || c.Key == nil || !c.Cert.IsCA) {
			t.Fatal("parseCA accepted an incomplete CA")
		}
	})
}

// FuzzMarkerInput: events and notes come from the device (magic URL) and the terminal.
func FuzzMarkerInput(f *testing.F) {
	f.Add("consent-accepted", "tapped \x1b[31mOK\n")
	f.Add("../../etc", strings.Repeat("é", 2000))
	f.Fuzz(func(t *testing.T, event, note string) {
		if e, err := ParseEvent(event); err == nil {
			if !eventPattern.MatchString(e) {
				t.Fatalf("accepted event %q", e)
			}
		}
		n := CleanNote(note)
		if utf8.RuneCountInString(n) > maxNote {
			t.Fatalf("note of %d runes", utf8.RuneCountInString(n))
		}
		for _, r := range n {
			if unicode.IsControl(r) {
				t.Fatalf("control character %q kept", r)
			}
		}
		var marks []string
		ReadKeys(strings.NewReader(event+note), func(ev, nt string) { marks = append(marks, ev+nt) }, func(*string) {}, func() {})
		for _, m := range marks {
			for _, r := range m {
				if unicode.IsControl(r) {
					t.Fatalf("control character in a marker: %q", m)
				}
			}
		}
	})
}

// FuzzAllowList: --allow values and client addresses.
func FuzzAllowList(f *testing.F) {
	f.Add("192.168.1.0/24", "192.168.1.7:5000")
	f.Add("::1", "[fe80::1%eth0]:1")
	f.Fuzz(func(t *testing.T, spec, addr string) {
		a, err := ParseAllowList(strings.Split(spec, ","))
		if err != nil {
			return
		}
		if a.Allows(addr) {
			ip, ok := clientIP(addr)
			if !ok {
				t.Fatalf("allowed an unparsable address %q", addr)
			}
			if !ip.IsLoopback() && len(a.Prefixes()) == 0 {
				t.Fatalf("allowed %s with no prefix", ip)
			}
		}
	})
}

// chunkConn serves data in reads of at most step bytes.
type chunkConn struct {
	net.Conn
	data []byte
	step int
}

func (c *chunkConn) Read(b []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(b), c.step, len(c.data))
	copy(b, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func realClientHello(tb testing.TB, name string) []byte {
	tb.Helper()
	var out bytes.Buffer
	done := make(chan struct{})
	a, b := net.Pipe()
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		b.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _ := b.Read(buf)
		out.Write(buf[:n])
		b.Close()
	}()
	go tlsClientHello(a, name)
	<-done
	a.Close()
	return out.Bytes()
}

func tlsClientHello(c net.Conn, name string) {
	tls.Client(c, &tls.Config{ServerName: name}).Handshake()
}
