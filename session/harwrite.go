package session

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sdkflow/sdkflow/internal/version"
	"github.com/sdkflow/sdkflow/model"
)

// HAR field names of sdkflow's own extensions. Entry-level ones carry what HAR 1.2 has no field
// for, so that an exported session imports back as the same flows.
const (
	harExtLog        = "_sdkflow"       // log: session name, source, times, markers, errors
	harExtMarkers    = "_markers"       // log: markers, as other tools may write them
	harExtKind       = "_kind"          // entry: tunnel or tls-failure (absent for http)
	harExtError      = "_error"         // entry: the flow's error (mitmproxy's convention)
	harExtClient     = "_client"        // entry: client address
	harExtServerName = "_serverName"    // entry: SNI
	harExtEnded      = "_endedDateTime" // entry: end time, nanosecond precision
	harExtHost       = "_host"          // entry: Host when it is not the URL's host name
	harExtURL        = "_url"           // entry: the recorded URL when it is not absolute
	harExtStatus     = "_status"        // entry: the recorded status of a tunnel or failure
	harExtWire       = "_wireBase64"    // postData, content: the body as sent, when it differs from text
	harExtBase64     = "_base64"        // postData: the decoded body, when it is binary
	harExtTruncated  = "_truncated"     // request, response: the body was stored truncated
	harExtDecodeErr  = "_decodeError"   // postData, content: why the body could not be decoded
)

// Extra keys that map onto standard HAR entry fields instead of "_" fields.
var extraStandard = []string{"serverIPAddress", "connection"}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// ValueBase64 holds a header value that is not UTF-8, which JSON cannot carry as is.
	ValueBase64 string `json:"_valueBase64,omitempty"`
}

type harCookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Expires  string `json:"expires,omitempty"`
	HTTPOnly bool   `json:"httpOnly,omitempty"`
	Secure   bool   `json:"secure,omitempty"`
}

type harParam struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harPostData struct {
	MimeType    string     `json:"mimeType"`
	Params      []harParam `json:"params,omitempty"`
	Text        string     `json:"text"`
	Base64      string     `json:"_base64,omitempty"`
	Wire        string     `json:"_wireBase64,omitempty"`
	DecodeError string     `json:"_decodeError,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harCookie  `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int64        `json:"headersSize"`
	BodySize    int64        `json:"bodySize"`
	Truncated   bool         `json:"_truncated,omitempty"`
}

type harContent struct {
	Size        int64   `json:"size"`
	Compression *int64  `json:"compression,omitempty"`
	MimeType    string  `json:"mimeType"`
	Text        *string `json:"text,omitempty"` // absent when no body was recorded
	Encoding    string  `json:"encoding,omitempty"`
	Wire        string  `json:"_wireBase64,omitempty"`
	DecodeError string  `json:"_decodeError,omitempty"`
}

type harResponse struct {
	Status      int         `json:"status"`
	StatusText  string      `json:"statusText"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []harCookie `json:"cookies"`
	Headers     []harNV     `json:"headers"`
	Content     harContent  `json:"content"`
	RedirectURL string      `json:"redirectURL"`
	HeadersSize int64       `json:"headersSize"`
	BodySize    int64       `json:"bodySize"`
	Truncated   bool        `json:"_truncated,omitempty"`
}

type harTimings struct {
	Blocked float64 `json:"blocked"`
	DNS     float64 `json:"dns"`
	Connect float64 `json:"connect"`
	SSL     float64 `json:"ssl"`
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
	Connection      string      `json:"connection,omitempty"`
	Kind            string      `json:"_kind,omitempty"`
	Error           string      `json:"_error,omitempty"`
	Client          string      `json:"_client,omitempty"`
	ServerName      string      `json:"_serverName,omitempty"`
	Ended           string      `json:"_endedDateTime,omitempty"`
	Host            *string     `json:"_host,omitempty"`
	OrigURL         string      `json:"_url,omitempty"`
	OrigStatus      int         `json:"_status,omitempty"`
}

// harOwnKeys are the entry keys WriteHAR writes itself; an Extra with one of these names is
// dropped rather than written twice.
var harOwnKeys = map[string]bool{
	"startedDateTime": true, "time": true, "request": true, "response": true, "cache": true,
	"timings": true, "serverIPAddress": true, "connection": true, "pageref": true, "comment": true,
	harExtKind: true, harExtError: true, harExtClient: true, harExtServerName: true, harExtEnded: true,
	harExtHost: true, harExtURL: true, harExtStatus: true,
}

type harMarker struct {
	Event  string `json:"event"`
	Time   string `json:"time"`
	Note   string `json:"note,omitempty"`
	Source string `json:"source,omitempty"`
}

type harLogExt struct {
	Session string        `json:"session"`
	Source  string        `json:"source,omitempty"`
	Started string        `json:"started,omitempty"`
	Ended   string        `json:"ended,omitempty"`
	Markers []harMarker   `json:"markers"`
	Errors  []model.Error `json:"errors,omitempty"`
}

// harTime is the HAR date format: RFC 3339 with the zone offset ("Z" for UTC) and as many
// fraction digits as needed, which browsers parse.
func harTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// WriteHAR writes s as a HAR 1.2 log. Bodies are decoded (Content-Encoding undone) into "text",
// base64 when binary; the bytes as recorded go under "_wireBase64" when they differ, so ReadHAR
// restores them exactly. Markers and the session's details are under log._sdkflow. Entries are
// encoded one at a time, so the output is not held in memory.
func WriteHAR(w io.Writer, s *model.Session) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	creator, _ := json.Marshal(harCreator{Name: version.Name, Version: version.Version})
	fmt.Fprintf(bw, "{\n  \"log\": {\n    \"version\": \"1.2\",\n    \"creator\": %s,\n    \"entries\": [", creator)
	for i := range s.Flows {
		b, err := marshalEntry(&s.Flows[i])
		if err != nil {
			return fmt.Errorf("session %s: flow %d: %w", s.Name, s.Flows[i].Index, err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n      ")
		bw.Write(b)
	}
	ext := harLogExt{Session: s.Name, Source: s.Source, Started: harTime(s.Started), Ended: harTime(s.Ended),
		Markers: make([]harMarker, 0, len(s.Markers)), Errors: s.Errors}
	for _, m := range s.Markers {
		ext.Markers = append(ext.Markers, harMarker{Event: m.Event, Time: harTime(m.Time), Note: m.Note, Source: m.Source})
	}
	eb, err := marshalJSON(ext)
	if err != nil {
		return fmt.Errorf("session %s: markers: %w", s.Name, err)
	}
	fmt.Fprintf(bw, "\n    ],\n    %q: %s\n  }\n}\n", harExtLog, eb)
	return bw.Flush()
}

func marshalEntry(f *model.Flow) ([]byte, error) {
	e := harEntry{
		StartedDateTime: harTime(f.Time),
		Timings:         harTimingsOf(f.Timings),
		Client:          f.Client,
		ServerName:      f.ServerName,
		Ended:           harTime(f.End),
		Error:           f.Error,
	}
	if e.StartedDateTime == "" {
		e.StartedDateTime = harTime(time.Unix(0, 0))
	}
	if f.Kind != "" && f.Kind != model.FlowHTTP {
		e.Kind = f.Kind
	}
	e.Time = e.Timings.total()
	if e.Time == 0 && !f.End.IsZero() && f.End.After(f.Time) {
		e.Time = float64(f.End.Sub(f.Time)) / float64(time.Millisecond)
	}

	u, err := url.Parse(f.URL)
	absolute := err == nil && u.IsAbs() && u.Host != ""
	reqURL := f.URL
	if !absolute {
		// HAR wants an absolute URL; a CONNECT target (host:port) becomes https://host:port.
		e.OrigURL = f.URL
		host := f.Host
		if host == "" {
			host = f.ServerName
		}
		reqURL = "https://" + strings.TrimPrefix(host, "//")
		if host == "" {
			reqURL = "https://invalid/"
		}
		u, _ = url.Parse(reqURL)
	}
	// ReadHAR takes the host name from the URL; say so when the recorded Host differs.
	if derived := hostname(u); f.Host != derived {
		e.Host = &f.Host
	}

	e.Request = harRequest{
		Method:      f.Method,
		URL:         reqURL,
		HTTPVersion: f.HTTPVersion,
		Cookies:     requestCookies(f.Request.Headers),
		Headers:     harHeaders(f.Request.Headers),
		QueryString: queryString(u),
		HeadersSize: -1,
		BodySize:    f.Request.BodySize,
		Truncated:   f.Request.Truncated,
	}
	if f.Request.Headers != nil {
		e.Request.HeadersSize = requestHeadSize(f, u)
	}
	if len(f.Request.Body) > 0 || f.Request.BodySize > 0 {
		e.Request.PostData = postData(&f.Request)
	}

	status := f.Status
	if e.Kind != "" {
		// Not an HTTP exchange: status 0, as mitmproxy writes failed flows.
		status, e.OrigStatus = 0, f.Status
	}
	e.Response = harResponse{
		Status:      status,
		StatusText:  f.StatusText,
		HTTPVersion: f.HTTPVersion,
		Cookies:     responseCookies(f.Response.Headers),
		Headers:     harHeaders(f.Response.Headers),
		Content:     content(&f.Response),
		RedirectURL: f.Response.HeaderValue("Location"),
		HeadersSize: -1,
		BodySize:    f.Response.BodySize,
		Truncated:   f.Response.Truncated,
	}
	if f.Response.Headers != nil {
		e.Response.HeadersSize = responseHeadSize(f)
	}

	extras := map[string]any{}
	for k, v := range f.Extra {
		switch {
		case slices.Contains(extraStandard, k):
			if s, ok := v.(string); ok {
				if k == "serverIPAddress" {
					e.ServerIPAddress = s
				} else {
					e.Connection = s
				}
				continue
			}
		case harOwnKeys[k]:
			continue
		}
		if !strings.HasPrefix(k, "_") {
			k = "_" + k
		}
		if !harOwnKeys[k] {
			extras[k] = v
		}
	}
	b, err := marshalJSON(e)
	if err != nil || len(extras) == 0 {
		return b, err
	}
	// Splice the extras in before the closing brace, in sorted key order.
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1])
	keys := make([]string, 0, len(extras))
	for k := range extras {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vb, err := marshalJSON(extras[k])
		if err != nil {
			return nil, fmt.Errorf("extra field %s: %w", k, err)
		}
		kb, _ := marshalJSON(k)
		buf.WriteByte(',')
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func harTimingsOf(t model.Timings) harTimings {
	opt := func(v float64) float64 { // -1 means "does not apply"
		if v < 0 {
			return -1
		}
		return v
	}
	req := func(v float64) float64 { // send, wait and receive must not be negative
		return max(v, 0)
	}
	return harTimings{
		Blocked: opt(t.Blocked), DNS: opt(t.DNS), Connect: opt(t.Connect), SSL: opt(t.SSL),
		Send: req(t.Send), Wait: req(t.Wait), Receive: req(t.Receive),
	}
}

// total is the entry time: the sum of the applicable timings (ssl is part of connect).
func (t harTimings) total() float64 {
	var sum float64
	for _, v := range []float64{t.Blocked, t.DNS, t.Connect, t.Send, t.Wait, t.Receive} {
		if v > 0 {
			sum += v
		}
	}
	return sum
}

func harHeaders(hs []model.Header) []harNV {
	out := make([]harNV, len(hs))
	for i, h := range hs {
		out[i] = harNV{Name: h.Name, Value: h.Value}
		if !utf8.ValidString(h.Value) {
			out[i].ValueBase64 = base64.StdEncoding.EncodeToString([]byte(h.Value))
		}
	}
	return out
}

// queryString lists the URL's query parameters in order, duplicates kept.
func queryString(u *url.URL) []harNV {
	out := []harNV{}
	if u == nil || u.RawQuery == "" {
		return out
	}
	for part := range strings.SplitSeq(u.RawQuery, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		out = append(out, harNV{Name: unescapeQuery(name), Value: unescapeQuery(value)})
	}
	return out
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func requestCookies(hs []model.Header) []harCookie {
	out := []harCookie{}
	for _, h := range hs {
		if !strings.EqualFold(h.Name, "Cookie") {
			continue
		}
		cs, err := http.ParseCookie(h.Value)
		if err != nil {
			continue
		}
		for _, c := range cs {
			out = append(out, harCookie{Name: c.Name, Value: c.Value})
		}
	}
	return out
}

func responseCookies(hs []model.Header) []harCookie {
	out := []harCookie{}
	for _, h := range hs {
		if !strings.EqualFold(h.Name, "Set-Cookie") {
			continue
		}
		c, err := http.ParseSetCookie(h.Value)
		if err != nil {
			continue
		}
		hc := harCookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, HTTPOnly: c.HttpOnly, Secure: c.Secure}
		if !c.Expires.IsZero() {
			hc.Expires = harTime(c.Expires)
		}
		out = append(out, hc)
	}
	return out
}

// requestHeadSize is the length of the request line and headers as HTTP/1.1 sends them.
func requestHeadSize(f *model.Flow, u *url.URL) int64 {
	target := "/"
	if u != nil {
		target = u.RequestURI()
	}
	n := len(f.Method) + 1 + len(target) + 1 + len(f.HTTPVersion) + 2
	return int64(n + headersSize(f.Request.Headers))
}

func responseHeadSize(f *model.Flow) int64 {
	n := len(f.HTTPVersion) + 1 + len(strconv.Itoa(f.Status)) + 1 + len(f.StatusText) + 2
	return int64(n + headersSize(f.Response.Headers))
}

func headersSize(hs []model.Header) int {
	n := 2 // the empty line
	for _, h := range hs {
		n += len(h.Name) + 2 + len(h.Value) + 2
	}
	return n
}

// decodedBody returns the body with its Content-Encoding undone. encoded says the body has a
// Content-Encoding, so the wire bytes must be exported too; problem says why decoding failed
// (decoded is then the wire bytes, or what a truncated body decoded to).
func decodedBody(m *model.Message) (decoded []byte, encoded bool, problem string) {
	codings := contentCodings(m.HeaderValue("Content-Encoding"))
	if len(codings) == 0 || len(m.Body) == 0 {
		return m.Body, false, ""
	}
	d, err := decodeBody(m.Body, codings)
	if err != nil {
		if m.Truncated && len(d) > 0 {
			// A truncated body decodes up to where it was cut: keep that much.
			return d, true, err.Error()
		}
		return m.Body, true, err.Error()
	}
	return d, true, ""
}

func postData(m *model.Message) *harPostData {
	pd := &harPostData{MimeType: m.HeaderValue("Content-Type")}
	decoded, changed, problem := decodedBody(m)
	pd.DecodeError = problem
	if isText(decoded) {
		pd.Text = string(decoded)
		if mt := strings.ToLower(pd.MimeType); strings.HasPrefix(mt, "application/x-www-form-urlencoded") {
			if vs, err := url.ParseQuery(pd.Text); err == nil {
				// Order from the body, which ParseQuery's map loses.
				for part := range strings.SplitSeq(pd.Text, "&") {
					name, value, _ := strings.Cut(part, "=")
					if _, ok := vs[unescapeQuery(name)]; ok && part != "" {
						pd.Params = append(pd.Params, harParam{Name: unescapeQuery(name), Value: unescapeQuery(value)})
					}
				}
			}
		}
	} else {
		pd.Base64 = base64.StdEncoding.EncodeToString(decoded)
	}
	if changed {
		pd.Wire = base64.StdEncoding.EncodeToString(m.Body)
	}
	return pd
}

func content(m *model.Message) harContent {
	c := harContent{MimeType: m.HeaderValue("Content-Type")}
	decoded, changed, problem := decodedBody(m)
	c.DecodeError = problem
	c.Size = int64(len(decoded))
	if decoded != nil {
		text := string(decoded)
		if !isText(decoded) {
			text = base64.StdEncoding.EncodeToString(decoded)
			c.Encoding = "base64"
		}
		c.Text = &text
	}
	if changed {
		c.Wire = base64.StdEncoding.EncodeToString(m.Body)
		if saved := c.Size - m.BodySize; saved > 0 && !m.Truncated && m.BodySize > 0 {
			c.Compression = &saved
		}
	}
	return c
}

func hostname(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Hostname()
}

// marshalJSON is json.Marshal without escaping &, < and >: a HAR is read by people and tools,
// never embedded in HTML as is.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
