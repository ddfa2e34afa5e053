package session

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sdkflow/sdkflow/model"
)

// Limits of ReadHAR. A HAR file is outside input and can be huge: it is decoded as a stream,
// one entry at a time, and these bound what it can make the reader hold.
const (
	// MaxHARBytes bounds the file: larger files are refused.
	MaxHARBytes = 2 << 30
	// MaxHAREntries bounds the flows read; entries past it are dropped with a problem noted.
	MaxHAREntries = 1_000_000
	// maxHARProblems bounds the problems listed in Session.Errors; the rest are counted.
	maxHARProblems = 100
	// maxExtraBytes bounds one "_" field kept from an entry (a Chrome _initiator stack, say).
	maxExtraBytes = 256 << 10
	// keepForPositions is how much of the file is kept to turn an error's byte offset into a
	// line and column; past it, errors give the byte offset alone.
	keepForPositions = 64 << 20
)

// ErrHARTooLarge is returned for a HAR file over MaxHARBytes.
var ErrHARTooLarge = fmt.Errorf("HAR file larger than %d bytes", MaxHARBytes)

// HARSyntaxError reports a HAR file that is not well-formed JSON, or not shaped like a HAR log
// at the top level, with where the problem is.
type HARSyntaxError struct {
	Offset int64 // byte offset of the problem in the file
	Line   int   // 1-based line, 0 when unknown
	Column int   // 1-based column in characters, 0 when unknown
	Msg    string
}

func (e *HARSyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d, column %d (byte %d): %s", e.Line, e.Column, e.Offset, e.Msg)
	}
	return fmt.Sprintf("byte %d: %s", e.Offset, e.Msg)
}

// ReadHAR reads a HAR file (1.1 or 1.2, from mitmproxy, Charles, Proxyman, browsers or
// sdkflow) into a session named name. It is lenient: missing optional parts are tolerated and a
// broken entry becomes a problem in Session.Errors while the rest are read. Bodies are stored
// in their wire form: a body the file holds decoded is encoded again with the entry's
// Content-Encoding. A file that is not JSON, or has no log, is a *HARSyntaxError.
//
// To give an error's line and column, ReadHAR keeps the first 64 MiB it reads in memory;
// ReadHARFile, for a file that can be read again, does not.
func ReadHAR(r io.Reader, name string) (sess *model.Session, err error) {
	defer func() {
		if p := recover(); p != nil {
			sess, err = nil, fmt.Errorf("reading HAR: internal error: %v", p)
		}
	}()
	return readHAR(r, nil, name, true)
}

// ReadHARFile is ReadHAR for a file that can also be read at any offset (an open file, a
// bytes.Reader), offset 0 being the first byte Read returns. The start of the file is read
// again when an error needs its line and column, instead of being kept in memory meanwhile.
func ReadHARFile(r HARFile, name string) (sess *model.Session, err error) {
	defer func() {
		if p := recover(); p != nil {
			sess, err = nil, fmt.Errorf("reading HAR: internal error: %v", p)
		}
	}()
	return readHAR(r, r, name, true)
}

// HARFile is what ReadHARFile reads.
type HARFile interface {
	io.Reader
	io.ReaderAt
}

// readHAR is ReadHAR, reading again through at if it is not nil; recoverEntries off lets the
// fuzzer see a panic in an entry.
func readHAR(r io.Reader, at io.ReaderAt, name string, recoverEntries bool) (*model.Session, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var skipped int64
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) { // a UTF-8 byte order mark
		br.Discard(3)
		skipped = 3
	}
	src := &keepReader{r: br, at: at, full: true, n: skipped, skipped: skipped}
	h := &harReader{
		dec:     json.NewDecoder(src),
		src:     src,
		skipped: skipped,
		sess:    &model.Session{Name: name, Source: "har", Markers: []model.Marker{}, Flows: []model.Flow{}},
	}
	if err := h.readTop(); err != nil {
		return nil, h.position(err)
	}
	h.finish()
	return h.sess, nil
}

// keepReader counts the bytes read, refuses more than MaxHARBytes, and keeps the first
// keepForPositions bytes for error positions, unless it can read them again through at.
type keepReader struct {
	r       io.Reader
	at      io.ReaderAt
	skipped int64    // bytes before the first one read (a byte order mark)
	kept    [][]byte // what was read, in chunks of keepChunk bytes (no copying as it grows)
	n       int64    // bytes read, skipped included
	full    bool     // the bytes read so far are at most keepForPositions
}

const keepChunk = 1 << 20

func (k *keepReader) Read(p []byte) (int, error) {
	n, err := k.r.Read(p)
	k.n += int64(n)
	if k.full {
		if k.n-k.skipped > keepForPositions {
			k.full, k.kept = false, nil
		} else if k.at == nil {
			k.keep(p[:n])
		}
	}
	if k.n > MaxHARBytes {
		return n, ErrHARTooLarge
	}
	return n, err
}

func (k *keepReader) keep(b []byte) {
	for len(b) > 0 {
		if len(k.kept) == 0 || len(k.kept[len(k.kept)-1]) == keepChunk {
			k.kept = append(k.kept, make([]byte, 0, keepChunk))
		}
		last := &k.kept[len(k.kept)-1]
		n := min(len(b), keepChunk-len(*last))
		*last = append(*last, b[:n]...)
		b = b[n:]
	}
}

// start returns what was read so far, valid while full.
func (k *keepReader) start() []byte {
	if k.at != nil {
		b := make([]byte, k.n-k.skipped)
		n, _ := k.at.ReadAt(b, k.skipped)
		return b[:n]
	}
	return bytes.Join(k.kept, nil)
}

type harReader struct {
	dec       *json.Decoder
	src       *keepReader
	skipped   int64 // bytes before what the decoder sees (a byte order mark)
	sess      *model.Session
	dropped   int // problems past maxHARProblems
	stop      bool
	extStart  time.Time
	extEnd    time.Time
	noZoneSet bool
	// recoverEntries turns a panic in one entry into a problem with that entry.
	recoverEntries bool
}

// shapeError is a structural problem found by the reader itself, at the decoder's offset.
type shapeError struct {
	offset int64
	msg    string
}

func (e *shapeError) Error() string { return e.msg }

func (h *harReader) shapeErr(format string, args ...any) error {
	return &shapeError{offset: h.dec.InputOffset(), msg: fmt.Sprintf(format, args...)}
}

// tokenErr reports a wrong token: at its first character when it is a delimiter, else just
// after it (the decoder does not say where a string or number began).
func (h *harReader) tokenErr(tok json.Token, format string, args ...any) error {
	err := h.shapeErr(format, args...).(*shapeError)
	if _, ok := tok.(json.Delim); ok {
		err.offset--
	}
	return err
}

func (h *harReader) problem(format string, args ...any) {
	if len(h.sess.Errors) >= maxHARProblems {
		h.dropped++
		return
	}
	h.sess.Errors = append(h.sess.Errors, model.Error{Stage: "har", Message: fmt.Sprintf(format, args...)})
}

func (h *harReader) readTop() error {
	tok, err := h.dec.Token()
	if err == io.EOF {
		return &shapeError{offset: 0, msg: "not a HAR file: the file is empty"}
	}
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return h.tokenErr(tok, "not a HAR file: expected a JSON object at the top level")
	}
	sawLog := false
	for h.dec.More() && !h.stop {
		key, err := h.key()
		if err != nil {
			return err
		}
		if key == "log" && !sawLog {
			sawLog = true
			if err := h.readLog(); err != nil {
				return err
			}
			continue
		}
		if err := h.skip(); err != nil {
			return err
		}
	}
	if h.stop {
		return nil
	}
	if _, err := h.dec.Token(); err != nil { // the closing brace
		return err
	}
	if !sawLog {
		return h.shapeErr("not a HAR file: no \"log\" object")
	}
	if _, err := h.dec.Token(); err != io.EOF {
		h.problem("content after the HAR log was ignored (at byte %d)", h.dec.InputOffset()+h.skipped)
	}
	return nil
}

func (h *harReader) key() (string, error) {
	tok, err := h.dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", h.shapeErr("expected an object key")
	}
	return s, nil
}

// skip reads past the next value.
func (h *harReader) skip() error {
	var raw json.RawMessage
	return h.dec.Decode(&raw)
}

func (h *harReader) readLog() error {
	tok, err := h.dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return h.tokenErr(tok, "not a HAR file: \"log\" is not an object")
	}
	for h.dec.More() && !h.stop {
		key, err := h.key()
		if err != nil {
			return err
		}
		switch key {
		case "entries":
			err = h.readEntries()
		case harExtLog, harExtMarkers:
			var v any
			if err = h.dec.Decode(&v); err == nil {
				h.logExtension(key, v)
			}
		default:
			err = h.skip()
		}
		if err != nil {
			return err
		}
	}
	if h.stop {
		return nil
	}
	_, err = h.dec.Token()
	return err
}

func (h *harReader) readEntries() error {
	tok, err := h.dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case nil:
		return nil
	case json.Delim('['):
	case json.Delim('{'):
		h.problem("log.entries is an object, not an array: ignored")
		return h.skipRest()
	default:
		h.problem("log.entries is not an array: ignored")
		return nil
	}
	for h.dec.More() {
		if len(h.sess.Flows) >= MaxHAREntries {
			h.problem("more than %d entries: the rest of the file was not read", MaxHAREntries)
			h.stop = true
			return nil
		}
		var v any
		if err := h.dec.Decode(&v); err != nil {
			return err
		}
		h.entry(v)
	}
	_, err = h.dec.Token()
	return err
}

// skipRest reads to the end of an object whose opening brace was read.
func (h *harReader) skipRest() error {
	for h.dec.More() {
		if _, err := h.key(); err != nil {
			return err
		}
		if err := h.skip(); err != nil {
			return err
		}
	}
	_, err := h.dec.Token()
	return err
}

func (h *harReader) logExtension(key string, v any) {
	markers := v
	if key == harExtLog {
		ext := obj(v)
		if ext == nil {
			h.problem("log.%s is not an object: ignored", key)
			return
		}
		if s, ok := ext["started"].(string); ok && s != "" {
			h.extStart = h.time(s, "log._sdkflow.started")
		}
		if s, ok := ext["ended"].(string); ok && s != "" {
			h.extEnd = h.time(s, "log._sdkflow.ended")
		}
		for _, e := range arr(ext["errors"]) {
			if m := obj(e); m != nil {
				if len(h.sess.Errors) < maxHARProblems {
					h.sess.Errors = append(h.sess.Errors, model.Error{Path: str(m["path"]), Stage: str(m["stage"]), Message: str(m["message"])})
				} else {
					h.dropped++
				}
			}
		}
		markers = ext["markers"]
	}
	for i, mv := range arr(markers) {
		m := obj(mv)
		if m == nil || str(m["event"]) == "" {
			h.problem("log.%s marker %d has no event: skipped", key, i)
			continue
		}
		h.sess.Markers = append(h.sess.Markers, model.Marker{
			Event:  str(m["event"]),
			Time:   h.time(m["time"], fmt.Sprintf("marker %d", i)),
			Note:   str(m["note"]),
			Source: str(m["source"]),
		})
	}
}

// harEntryKeys are entry keys read into Flow fields; any other "_" key goes to Flow.Extra.
var harEntryKeys = map[string]bool{
	"startedDateTime": true, "time": true, "request": true, "response": true, "cache": true,
	"timings": true, "pageref": true, "comment": true,
	harExtKind: true, harExtError: true, harExtClient: true, harExtServerName: true,
	harExtEnded: true, harExtHost: true, harExtURL: true, harExtStatus: true,
}

func (h *harReader) entry(v any) {
	i := len(h.sess.Flows)
	if h.recoverEntries {
		defer func() {
			if p := recover(); p != nil {
				h.problem("entry %d: unreadable (%v): skipped", i, p)
			}
		}()
	}
	m := obj(v)
	if m == nil {
		h.problem("entry %d is not an object: skipped", i)
		return
	}
	req := obj(m["request"])
	if req == nil {
		h.problem("entry %d has no request: skipped", i)
		return
	}
	f := model.Flow{Index: i, Kind: model.FlowHTTP}
	f.Method = str(req["method"])
	f.URL = str(req["url"])
	f.HTTPVersion = str(req["httpVersion"])
	f.Request.Headers = headers(req["headers"])
	u, _ := url.Parse(f.URL)
	f.Host = hostname(u)
	f.Time = h.time(m["startedDateTime"], fmt.Sprintf("entry %d", i))

	resp := obj(m["response"])
	if resp != nil {
		if n, ok := num(resp["status"]); ok && n >= 0 && n < 1000 {
			f.Status = int(n)
		}
		f.StatusText = str(resp["statusText"])
		if f.HTTPVersion == "" {
			f.HTTPVersion = str(resp["httpVersion"])
		}
		f.Response.Headers = headers(resp["headers"])
	}

	t := obj(m["timings"])
	opt := func(k string) float64 {
		if n, ok := num(t[k]); ok && n >= 0 {
			return n
		}
		return -1
	}
	f.Timings = model.Timings{Blocked: opt("blocked"), DNS: opt("dns"), Connect: opt("connect"), SSL: opt("ssl"),
		Send: opt("send"), Wait: opt("wait"), Receive: opt("receive")}
	if s, ok := m[harExtEnded].(string); ok && s != "" {
		f.End = h.time(s, fmt.Sprintf("entry %d end", i))
	} else if total, ok := num(m["time"]); ok && total > 0 && total < 1e12 && !f.Time.IsZero() {
		f.End = f.Time.Add(time.Duration(total * float64(time.Millisecond)))
		if _, err := timeToNS(f.End); err != nil {
			h.problem("entry %d: time %v ms ends out of range: end dropped", i, total)
			f.End = time.Time{}
		}
	}

	switch k := str(m[harExtKind]); {
	case k == model.FlowTunnel || k == model.FlowTLSFailure || k == model.FlowHTTP:
		f.Kind = k
	case strings.EqualFold(f.Method, "CONNECT"):
		f.Kind = model.FlowTunnel
	}
	f.Error = errorText(m[harExtError])
	f.Client = str(m[harExtClient])
	f.ServerName = str(m[harExtServerName])
	if v, ok := m[harExtHost]; ok {
		f.Host = str(v)
	}
	if v, ok := m[harExtURL]; ok {
		f.URL = str(v)
	}
	if n, ok := num(m[harExtStatus]); ok && n > 0 && n < 1000 {
		f.Status = int(n)
	}

	f.Request = h.requestBody(i, req, f.Request.Headers)
	if resp != nil {
		f.Response = h.responseBody(i, resp, f.Response.Headers)
	}

	for k, v := range m {
		switch {
		case k == "serverIPAddress" || k == "connection":
			if s := str(v); s != "" {
				h.setExtra(&f, i, k, s)
			}
		case strings.HasPrefix(k, "_") && !harEntryKeys[k]:
			h.setExtra(&f, i, k, v)
		}
	}
	h.sess.Flows = append(h.sess.Flows, f)
}

func (h *harReader) setExtra(f *model.Flow, i int, k string, v any) {
	if size := jsonSize(v, maxExtraBytes); size > maxExtraBytes {
		h.problem("entry %d: field %s larger than %d bytes: dropped", i, k, maxExtraBytes)
		return
	}
	if f.Extra == nil {
		f.Extra = map[string]any{}
	}
	f.Extra[k] = v
}

func (h *harReader) requestBody(i int, req map[string]any, hs []model.Header) model.Message {
	msg := model.Message{Headers: hs}
	var body bodySource
	if pd := obj(req["postData"]); pd != nil {
		switch {
		case has(pd, harExtWire):
			body = bodySource{data: str(pd[harExtWire]), base64: true, wire: true}
		case has(pd, harExtBase64):
			body = bodySource{data: str(pd[harExtBase64]), base64: true}
		case has(pd, "text") && (str(pd["text"]) != "" || len(arr(pd["params"])) == 0):
			// "encoding" is not HAR 1.2 on postData, but martian writes it for binary bodies.
			body = bodySource{data: str(pd["text"]), base64: strings.EqualFold(str(pd["encoding"]), "base64")}
		case len(arr(pd["params"])) > 0:
			// Chrome writes urlencoded forms as params alone: rebuild the body.
			body = bodySource{data: formBody(arr(pd["params"]))}
		}
		body.present = true
	}
	truncated, _ := req[harExtTruncated].(bool)
	h.fillBody(&msg, i, "request", body, req["bodySize"], truncated)
	return msg
}

func (h *harReader) responseBody(i int, resp map[string]any, hs []model.Header) model.Message {
	msg := model.Message{Headers: hs}
	var body bodySource
	if c := obj(resp["content"]); c != nil {
		switch {
		case has(c, harExtWire):
			body = bodySource{data: str(c[harExtWire]), base64: true, wire: true, present: true}
		case has(c, "text"):
			body = bodySource{data: str(c["text"]), base64: strings.EqualFold(str(c["encoding"]), "base64"), present: true}
		}
	}
	truncated, _ := resp[harExtTruncated].(bool)
	h.fillBody(&msg, i, "response", body, resp["bodySize"], truncated)
	return msg
}

// bodySource is a body as a HAR file holds it.
type bodySource struct {
	data    string
	base64  bool
	wire    bool // data is the wire form (sdkflow's _wireBase64), not the decoded body
	present bool
}

func (h *harReader) fillBody(msg *model.Message, i int, what string, src bodySource, sizeField any, truncated bool) {
	var b []byte
	if src.present {
		b = []byte(src.data)
		if src.base64 {
			d, err := decodeBase64(src.data)
			if err != nil {
				h.problem("entry %d: %s body: bad base64 (%v): kept as text", i, what, err)
			} else {
				b = d
			}
		}
	}
	if len(b) > MaxBodyBytes {
		b, truncated = b[:MaxBodyBytes], true
		h.problem("entry %d: %s body larger than %d bytes: truncated", i, what, MaxBodyBytes)
	}
	if !src.wire && len(b) > 0 {
		if codings := contentCodings(msg.HeaderValue("Content-Encoding")); len(codings) > 0 {
			// HAR holds the body decoded; the store holds what was on the wire.
			enc, err := encodeBody(b, codings)
			if err != nil {
				h.problem("entry %d: %s body: %v: kept decoded", i, what, err)
			} else {
				b = enc
			}
		}
	}
	if src.present && b == nil {
		b = []byte{}
	}
	msg.Body = b
	msg.Truncated = truncated
	msg.BodySize = int64(len(b))
	if n, ok := num(sizeField); ok && n >= 0 && n <= math.MaxInt64/2 {
		msg.BodySize = int64(n)
	}
}

func formBody(params []any) string {
	var sb strings.Builder
	for _, p := range params {
		m := obj(p)
		if m == nil {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(url.QueryEscape(str(m["name"])))
		sb.WriteByte('=')
		sb.WriteString(url.QueryEscape(str(m["value"])))
	}
	return sb.String()
}

// decodeBase64 takes standard or URL-safe base64, padded or not, with line breaks or without.
func decodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n \t") {
		s = strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, s)
	}
	var firstErr error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err == nil {
			return b, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

func headers(v any) []model.Header {
	list := arr(v)
	if len(list) == 0 {
		return nil
	}
	hs := make([]model.Header, 0, len(list))
	for _, x := range list {
		m := obj(x)
		if m == nil {
			continue
		}
		h := model.Header{Name: str(m["name"]), Value: str(m["value"])}
		if b, err := decodeBase64(str(m["_valueBase64"])); err == nil && has(m, "_valueBase64") {
			h.Value = string(b)
		}
		hs = append(hs, h)
	}
	return hs
}

func errorText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any:
		if msg := str(x["msg"]); msg != "" { // mitmproxy's error object
			return msg
		}
		if msg := str(x["message"]); msg != "" {
			return msg
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// HAR date formats met in the wild: RFC 3339 (fraction optional, as time.Parse allows), offsets
// without a colon or minutes, a space for the T, and no zone at all (taken as UTC).
var harTimeLayouts = []struct {
	layout string
	noZone bool
}{
	{"2006-01-02T15:04:05Z07:00", false},
	{"2006-01-02T15:04:05Z0700", false},
	{"2006-01-02T15:04:05Z07", false},
	{"2006-01-02 15:04:05Z07:00", false},
	{"2006-01-02 15:04:05Z0700", false},
	{"2006-01-02 15:04:05 Z0700", false},
	{"2006-01-02T15:04:05", true},
	{"2006-01-02 15:04:05", true},
	{"Mon, 02 Jan 2006 15:04:05 MST", false},
}

// time parses a HAR date (or epoch milliseconds), noting a problem and returning the zero time
// when it cannot, or when the time is outside what the store can hold.
func (h *harReader) time(v any, what string) time.Time {
	var t time.Time
	switch x := v.(type) {
	case nil:
		h.problem("%s: no date", what)
		return time.Time{}
	case float64:
		if x < -1e15 || x > 1e15 {
			h.problem("%s: date %v out of range", what, x)
			return time.Time{}
		}
		t = time.UnixMilli(int64(x))
	case string:
		s := strings.TrimSpace(x)
		ok := false
		for _, l := range harTimeLayouts {
			if p, err := time.Parse(l.layout, s); err == nil {
				t, ok = p, true
				if l.noZone && !h.noZoneSet {
					h.noZoneSet = true
					h.problem("%s: date %q has no time zone: taken as UTC (and so for the others)", what, limitText(s, 64))
				}
				break
			}
		}
		if !ok {
			h.problem("%s: unreadable date %q", what, limitText(s, 64))
			return time.Time{}
		}
	default:
		h.problem("%s: date is not a string", what)
		return time.Time{}
	}
	if _, err := timeToNS(t); err != nil || t.Year() < 1678 {
		h.problem("%s: date %s out of range", what, t.Format(time.RFC3339))
		return time.Time{}
	}
	if t.Equal(time.Unix(0, 0)) {
		return time.Time{} // what WriteHAR writes for a flow without a start time
	}
	return t.UTC()
}

func (h *harReader) finish() {
	s := h.sess
	s.Started, s.Ended = h.extStart, h.extEnd
	for i := range s.Flows {
		f := &s.Flows[i]
		if h.extStart.IsZero() && !f.Time.IsZero() && (s.Started.IsZero() || f.Time.Before(s.Started)) {
			s.Started = f.Time
		}
		if h.extEnd.IsZero() {
			s.Ended = latest(s.Ended, f.Time, f.End)
		}
	}
	if h.dropped > 0 {
		s.Errors = append(s.Errors, model.Error{Stage: "har", Message: fmt.Sprintf("%d more problems not listed", h.dropped)})
	}
}

// position turns a decoding error into a *HARSyntaxError with the byte offset, and the line
// and column when the file's start is still kept.
func (h *harReader) position(err error) error {
	var (
		se    *json.SyntaxError
		shape *shapeError
		ute   *json.UnmarshalTypeError
		off   int64
		msg   string
		start []byte // the file's start, read again or kept
	)
	switch {
	case errors.Is(err, ErrHARTooLarge):
		return err
	case errors.As(err, &shape):
		off, msg = shape.offset, shape.msg
	case errors.As(err, &se):
		msg = se.Error()
		off = h.dec.InputOffset()
		if h.src.full {
			// The decoder's offsets are relative to the value it was reading; scanning the
			// start of the file again gives the absolute one.
			start = h.src.start()
			var v any
			if err := json.Unmarshal(start, &v); err != nil {
				if se2, ok := err.(*json.SyntaxError); ok {
					off = max(se2.Offset-1, 0)
					msg = se2.Error()
				}
			}
		}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		off, msg = h.src.n-h.skipped, "unexpected end of file: the HAR file is cut short"
	case errors.As(err, &ute):
		off, msg = ute.Offset, ute.Error()
	default:
		return fmt.Errorf("reading HAR: %w", err)
	}
	e := &HARSyntaxError{Offset: off + h.skipped, Msg: msg}
	if h.src.full {
		if start == nil {
			start = h.src.start()
		}
		e.Line, e.Column = lineColumn(start, int(off))
	}
	return e
}

func lineColumn(b []byte, off int) (line, col int) {
	off = min(max(off, 0), len(b))
	before := b[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[start:])
}

func limitText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Lenient accessors for decoded JSON: a HAR file from an unknown tool may put a number where
// a string belongs, or the other way round.

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func arr(v any) []any {
	a, _ := v.([]any)
	return a
}

func has(m map[string]any, k string) bool {
	v, ok := m[k]
	return ok && v != nil
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// jsonSize estimates the encoded size of a decoded JSON value, stopping once past limit.
func jsonSize(v any, limit int) int {
	switch x := v.(type) {
	case string:
		return len(x) + 2
	case map[string]any:
		n := 2
		for k, e := range x {
			n += len(k) + 4 + jsonSize(e, limit-n)
			if n > limit {
				return n
			}
		}
		return n
	case []any:
		n := 2
		for _, e := range x {
			n += 1 + jsonSize(e, limit-n)
			if n > limit {
				return n
			}
		}
		return n
	}
	return 8
}
