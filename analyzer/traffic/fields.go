package traffic

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/sdkflow/sdkflow/internal/contentcoding"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Field is one leaf value found in a request, with where it was found.
type Field struct {
	// Location is query.NAME, header.NAME, path, or body.PATH, where PATH names form fields,
	// JSON keys and [indexes], (base64) layers, and pb.N.M protobuf field numbers.
	Location string
	// Key is the innermost key name (form field, JSON key, protobuf field number, or for an
	// array element the array's key); "" for path segments and whole bodies.
	Key string
	// Value is the value after every decoding layer.
	Value string
	// Raw is the value as it stood in the request before URL-decoding, when that differs.
	Raw string
}

// Bounds on the work one request can cause.
const (
	maxFields     = 20000 // leaf values per request
	maxNestDepth  = 12    // JSON/base64/protobuf nesting followed
	maxLayerNotes = 64    // nested layers listed in Decoded.Layers
	maxFormParts  = 1000  // multipart parts
	minBase64Len  = 16    // shorter strings are too often ordinary words
)

// sink collects fields, layers and problems for one request, enforcing the bounds.
type sink struct {
	fields   []Field
	layers   []string
	problems []string
	max      int64
	full     bool
	size     int    // decoded body size
	text     string // readable body, for Decoded.Text
}

func (s *sink) add(f Field) {
	if len(s.fields) >= maxFields {
		if !s.full {
			s.full = true
			s.problemf("more than %d values in one request; the rest were not examined", maxFields)
		}
		return
	}
	s.fields = append(s.fields, f)
}

func (s *sink) layer(l string) {
	if len(s.layers) < maxLayerNotes {
		s.layers = append(s.layers, l)
	}
}

func (s *sink) problemf(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// child joins a location and a key: body + extinfo = body.extinfo.
func child(loc, key string) string { return loc + "." + key }

// value records a leaf string, first trying the layers a field value often hides: JSON (an
// array or object serialised into a form field or JSON string) and base64 (of text, JSON or
// gzip). The leaf itself is kept when it is not JSON, so base64 variants still match it.
func (s *sink) value(loc, key, v, raw string, depth int) {
	if depth < maxNestDepth && s.nestedJSON(loc, key, v, depth) {
		return
	}
	s.add(Field{Location: loc, Key: key, Value: v, Raw: raw})
	if depth < maxNestDepth {
		if !s.nestedJWT(loc, v, depth) {
			s.nestedBase64(loc, key, v, depth)
		}
	}
}

// nestedJWT reads the claims of a JSON Web Token ("Bearer header.payload.signature"), where
// SDKs and APIs carry user ids and emails.
func (s *sink) nestedJWT(loc, v string, depth int) bool {
	tok := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(v, "Bearer "), "bearer "))
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(parts[0]) < 10 || !strings.HasPrefix(parts[0], "eyJ") || !strings.HasPrefix(parts[1], "eyJ") {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return false
	}
	doc, err := parseJSON(payload)
	if err != nil {
		return false
	}
	s.layer("jwt@" + loc)
	s.walkJSON(loc+"(jwt)", "", doc, depth+1)
	return true
}

func (s *sink) nestedJSON(loc, key, v string, depth int) bool {
	t := strings.TrimSpace(v)
	if len(t) < 2 || !(t[0] == '{' && t[len(t)-1] == '}' || t[0] == '[' && t[len(t)-1] == ']') {
		return false
	}
	doc, err := parseJSON([]byte(t))
	if err != nil {
		return false
	}
	s.layer("json@" + loc)
	s.walkJSON(loc, key, doc, depth+1)
	return true
}

func (s *sink) nestedBase64(loc, key, v string, depth int) {
	dec, ok := decodeBase64Text(v)
	if !ok {
		return
	}
	note := "base64@" + loc
	if bytes.HasPrefix(dec, gzipMagic) {
		out, err := contentcoding.Decompress("gzip", dec, s.max)
		if err != nil && len(out) == 0 {
			return
		}
		dec = out
		note += "+gzip"
	}
	if !isPrintableText(dec) {
		return
	}
	s.layer(note)
	s.value(loc+"(base64)", key, string(dec), "", depth+1)
}

// decodeBase64Text decodes v when it is plausibly base64 (standard or URL alphabet, padded or
// not) of something worth reading: printable text, or gzip. Hex digests and ordinary words
// decode to binary noise and are rejected by the caller's printable check.
func decodeBase64Text(v string) ([]byte, bool) {
	if len(v) < minBase64Len {
		return nil, false
	}
	urlSafe, std := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '+' || c == '/':
			std = true
		case c == '-' || c == '_':
			urlSafe = true
		case c == '=' && i >= len(v)-2:
		default:
			return nil, false
		}
	}
	if urlSafe && std {
		return nil, false
	}
	trimmed := strings.TrimRight(v, "=")
	enc := base64.RawStdEncoding
	if urlSafe {
		enc = base64.RawURLEncoding
	}
	dec, err := enc.DecodeString(trimmed)
	if err != nil || len(dec) == 0 {
		return nil, false
	}
	if bytes.HasPrefix(dec, gzipMagic) || isPrintableText(dec) && hasLetters(dec) {
		return dec, true
	}
	return nil, false
}

func hasLetters(b []byte) bool {
	n := 0
	for _, c := range b {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			n++
		}
	}
	return n*4 >= len(b) // at least a quarter letters: text, not noise that happened to be printable
}

// parseJSON decodes one JSON document, keeping numbers as sent.
func parseJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON document")
	}
	return doc, nil
}

func (s *sink) walkJSON(loc, key string, v any, depth int) {
	if depth > 4*maxNestDepth {
		s.problemf("%s: JSON nested deeper than %d levels; not followed", loc, 4*maxNestDepth)
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.walkJSON(child(loc, k), k, x[k], depth+1)
		}
		if len(x) == 0 {
			s.add(Field{Location: loc, Key: key, Value: "{}"})
		}
	case []any:
		for i, e := range x {
			s.walkJSON(loc+"["+strconv.Itoa(i)+"]", key, e, depth+1)
		}
		if len(x) == 0 {
			s.add(Field{Location: loc, Key: key, Value: "[]"})
		}
	case string:
		s.value(loc, key, x, "", depth)
	case json.Number:
		s.add(Field{Location: loc, Key: key, Value: string(x)})
	case bool:
		s.add(Field{Location: loc, Key: key, Value: strconv.FormatBool(x)})
	}
}

// form decodes application/x-www-form-urlencoded pairs (a query string or a body) under loc.
func (s *sink) form(loc, text string, depth int) {
	for _, pair := range strings.Split(text, "&") {
		if pair == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(pair, "=")
		k := unescape(rawKey)
		v := unescape(rawVal)
		raw := ""
		if rawVal != v {
			raw = rawVal
		}
		s.value(child(loc, k), k, v, raw, depth)
		if s.full {
			return
		}
	}
}

func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// multipart decodes a multipart/form-data body under loc, each part by its own Content-Type.
func (s *sink) multipart(loc string, data []byte, boundary string, depth int) error {
	mr := multipart.NewReader(bytes.NewReader(data), boundary)
	for i := 0; ; i++ {
		if i >= maxFormParts {
			s.problemf("more than %d multipart parts; the rest were not examined", maxFormParts)
			return nil
		}
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if i == 0 {
				return err
			}
			s.problemf("multipart part %d: %v; the rest were not examined", i, err)
			return nil
		}
		name := p.FormName()
		if name == "" {
			name = "part[" + strconv.Itoa(i) + "]"
		}
		part, err := contentcoding.ReadBounded(p, s.max, 0)
		if err != nil {
			s.problemf("multipart part %q: %v", name, err)
		}
		ploc := child(loc, name)
		if ce := p.Header.Get("Content-Encoding"); ce != "" || sniffCoding(part) != "" {
			var ls, ps []string
			part, ls, ps = decodeContent(part, ce, s.max)
			for _, l := range ls {
				s.layer(l + "@" + ploc)
			}
			for _, pr := range ps {
				s.problemf("multipart part %q: %s", name, pr)
			}
		}
		s.structured(ploc, name, part, p.Header.Get("Content-Type"), false, depth+1)
	}
}

// structured decodes a body (or a part) by its declared type, falling back on sniffing when
// the declaration is absent or wrong.
func (s *sink) structured(loc, key string, data []byte, contentType string, protobufEndpoint bool, depth int) {
	if len(data) == 0 {
		return
	}
	media, params, _ := mime.ParseMediaType(contentType)
	declared := ""
	switch {
	case protobufEndpoint:
		declared = "protobuf" // the endpoint decides: Firebase labels protobuf as form
	case media == "application/x-www-form-urlencoded":
		declared = "form"
	case media == "application/json" || strings.HasSuffix(media, "+json") || media == "text/json":
		declared = "json"
	case strings.HasPrefix(media, "multipart/"):
		declared = "multipart"
	case strings.Contains(media, "protobuf") || strings.HasPrefix(media, "application/grpc"):
		declared = "protobuf"
	}
	switch declared {
	case "protobuf":
		pbSink := &sink{max: s.max}
		if err := decodeProtobuf(data, child(loc, "pb"), pbSink, depth); err == nil {
			s.layer("protobuf@" + loc)
			s.merge(pbSink)
			return
		} else {
			s.problemf("%s: invalid protobuf (%v)", loc, err)
			if protobufEndpoint {
				// Keep what parsed before the damage: it is still what was sent.
				s.layer("protobuf (partial)@" + loc)
				s.merge(pbSink)
				return
			}
		}
	case "json":
		if doc, err := parseJSON(data); err == nil {
			s.layer("json@" + loc)
			s.walkJSON(loc, key, doc, depth)
			return
		} else {
			s.problemf("%s: declared JSON but not valid JSON (%v)", loc, err)
		}
	case "multipart":
		if b := params["boundary"]; b != "" {
			if err := s.multipart(loc, data, b, depth); err == nil {
				s.layer("multipart@" + loc)
				return
			} else {
				s.problemf("%s: declared multipart but not readable (%v)", loc, err)
			}
		} else {
			s.problemf("%s: multipart without a boundary", loc)
		}
	case "form":
		if bytes.IndexByte(data, '=') > 0 && isPrintableText(data) {
			s.layer("form@" + loc)
			s.form(loc, string(data), depth)
			return
		}
		s.problemf("%s: declared form-urlencoded but not a form; read by its content", loc)
	}
	s.sniffed(loc, key, data, depth)
}

func (s *sink) sniffed(loc, key string, data []byte, depth int) {
	t := bytes.TrimSpace(data)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		if doc, err := parseJSON(t); err == nil {
			s.layer("json@" + loc)
			s.walkJSON(loc, key, doc, depth)
			return
		}
	}
	if looksLikeForm(data) {
		s.layer("form@" + loc)
		s.form(loc, string(data), depth)
		return
	}
	if isPrintableText(data) {
		s.value(loc, key, string(data), "", depth)
		return
	}
	// Binary: accept a protobuf reading only when it is clean from start to end.
	pbSink := &sink{max: s.max}
	if err := decodeProtobuf(data, child(loc, "pb"), pbSink, depth); err == nil && len(pbSink.fields) > 0 {
		s.layer("protobuf (sniffed)@" + loc)
		s.merge(pbSink)
		return
	}
	// Undecodable binary is still searched for known values, byte for byte.
	s.add(Field{Location: loc, Key: key, Value: string(data)})
}

func (s *sink) merge(o *sink) {
	for _, f := range o.fields {
		s.add(f)
	}
	for _, l := range o.layers {
		s.layer(l)
	}
	s.problems = append(s.problems, o.problems...)
}

// looksLikeForm: printable, no whitespace inside, at least one key=value pair.
func looksLikeForm(b []byte) bool {
	b = bytes.TrimRight(b, "\r\n")
	if len(b) == 0 || bytes.IndexByte(b, '=') <= 0 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || c == '{' || c == '"' {
			return false
		}
	}
	return true
}
