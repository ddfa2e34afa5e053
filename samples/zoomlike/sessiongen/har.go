// Package sessiongen writes the Zoomlike sample sessions (samples/zoomlike/session.har and
// session-consented.har) and the large synthetic sessions of bench/report, as HAR 1.2 files
// shaped like a proxy's export: bodies decoded in "text" (base64 when binary) with the
// Content-Encoding they were sent with, and the tester's markers under log._markers. The output
// depends on the code alone (fixed times, identifiers and order), so the committed files can be
// checked byte for byte. It does not use session.WriteHAR on purpose: the sample stands for a
// capture a journalist receives from another tool (HTTP/2 entries, log._markers), so reading it
// exercises sdkflow's import, not a round trip of its own export.
package sessiongen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"time"
)

// Entry is one request and its response.
type Entry struct {
	Time     time.Time
	Method   string
	URL      string
	Headers  [][2]string
	Body     string // decoded request body; sent with the Content-Encoding header, if any
	Binary   bool   // Body is binary: written base64
	Status   int
	RespType string
	RespBody string
	WaitMS   float64
	ServerIP string
	// Kind is "" for an HTTP exchange, "tls-failure" for a refused handshake.
	Kind  string
	Error string
}

// Marker is one moment the tester marked.
type Marker struct {
	Event, Note, Source string
	Time                time.Time
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Encoding string `json:"encoding,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
	ServerIPAddress string      `json:"serverIPAddress,omitempty"`
	Kind            string      `json:"_kind,omitempty"`
	Error           string      `json:"_error,omitempty"`
}

type harMarker struct {
	Event  string `json:"event"`
	Time   string `json:"time"`
	Note   string `json:"note,omitempty"`
	Source string `json:"source,omitempty"`
}

// WriteHAR writes the entries and markers as a HAR 1.2 log, one entry per line. next is
// called until it returns false, so a session of any size is written in bounded memory.
func WriteHAR(w io.Writer, creator string, markers []Marker, next func() (Entry, bool)) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	fmt.Fprintf(bw, "{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": {\"name\": %q, \"version\": \"1\"},\n    \"entries\": [", creator)
	for i := 0; ; i++ {
		e, ok := next()
		if !ok {
			break
		}
		b, err := marshal(entry(e))
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n      ")
		bw.Write(b)
	}
	ms := make([]harMarker, 0, len(markers))
	for _, m := range markers {
		ms = append(ms, harMarker{Event: m.Event, Time: harTime(m.Time), Note: m.Note, Source: m.Source})
	}
	mb, err := marshal(ms)
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, "\n    ],\n    \"_markers\": %s\n  }\n}\n", mb)
	return bw.Flush()
}

// marshal encodes without escaping <, > and &, as proxies write their HAR files.
func marshal(v any) ([]byte, error) {
	var buf jsonBuffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.b[:len(buf.b)-1], nil
}

type jsonBuffer struct{ b []byte }

func (j *jsonBuffer) Write(p []byte) (int, error) { j.b = append(j.b, p...); return len(p), nil }

func harTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func entry(e Entry) harEntry {
	var hs []harNV
	contentType := ""
	encoded := false
	for _, h := range e.Headers {
		hs = append(hs, harNV{h[0], h[1]})
		switch h[0] {
		case "Content-Type":
			contentType = h[1]
		case "Content-Encoding":
			encoded = true
		}
	}
	if hs == nil {
		hs = []harNV{}
	}
	qs := []harNV{}
	if u, err := url.Parse(e.URL); err == nil {
		for _, kv := range splitQuery(u.RawQuery) {
			qs = append(qs, kv)
		}
	}
	req := harRequest{Method: e.Method, URL: e.URL, HTTPVersion: "HTTP/2.0", Cookies: []harNV{}, Headers: hs,
		QueryString: qs, HeadersSize: -1, BodySize: len(e.Body)}
	if e.Body != "" {
		pd := &harPostData{MimeType: contentType, Text: e.Body}
		if e.Binary {
			pd.Text, pd.Encoding = base64Std(e.Body), "base64"
		}
		req.PostData = pd
		if encoded {
			req.BodySize = -1 // the size on the wire is the encoded one, which the HAR does not hold
		}
	}
	resp := harResponse{Status: e.Status, StatusText: statusText(e.Status), HTTPVersion: "HTTP/2.0", Cookies: []harNV{},
		Headers: []harNV{}, Content: harContent{Size: len(e.RespBody), MimeType: e.RespType, Text: e.RespBody},
		RedirectURL: "", HeadersSize: -1, BodySize: len(e.RespBody)}
	if e.RespType != "" {
		resp.Headers = append(resp.Headers, harNV{"content-type", e.RespType})
	}
	wait := e.WaitMS
	out := harEntry{StartedDateTime: harTime(e.Time), Time: 1 + wait + 1, Request: req, Response: resp,
		Timings: harTimings{Send: 1, Wait: wait, Receive: 1}, ServerIPAddress: e.ServerIP, Kind: e.Kind, Error: e.Error}
	if e.Kind != "" {
		out.Response = harResponse{Status: 0, Cookies: []harNV{}, Headers: []harNV{}, HTTPVersion: "", HeadersSize: -1, BodySize: -1}
		out.Timings = harTimings{Send: 0, Wait: 0, Receive: 0}
		out.Time = 0
	}
	return out
}

// splitQuery keeps the query's order and decoding as a proxy lists it.
func splitQuery(raw string) []harNV {
	var out []harNV
	for raw != "" {
		var part string
		part, raw, _ = cutByte(raw, '&')
		if part == "" {
			continue
		}
		k, v, _ := cutByte(part, '=')
		ku, err1 := url.QueryUnescape(k)
		vu, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			ku, vu = k, v
		}
		out = append(out, harNV{ku, vu})
	}
	return out
}

func cutByte(s string, c byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 204:
		return "No Content"
	case 304:
		return "Not Modified"
	case 404:
		return "Not Found"
	}
	return ""
}
