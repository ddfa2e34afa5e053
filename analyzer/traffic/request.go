package traffic

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/sdkflow/sdkflow/model"
)

// Decoded is a body with its layers peeled: what a report shows as "the exact request".
type Decoded struct {
	// Layers are the encodings and formats removed, outermost first: "gzip", "form@body",
	// "json@body.extinfo", "base64@header.x-firebase-client+gzip", "protobuf@body".
	Layers []string
	// Text is the body after content decoding when it is text, or one "location = value" line
	// per field for protobuf and other binary bodies; bounded by MaxText.
	Text string
	// Fields are the leaf values found, each with its location (body.…).
	Fields []Field
	// Problems are what could not be decoded, and why.
	Problems []string
	// Size is the decoded size in bytes.
	Size int
}

// MaxText bounds Decoded.Text.
const MaxText = 64 << 10

// DecodeBody decodes a flow's request body with the default bounds.
func DecodeBody(f *model.Flow) Decoded {
	return decodeMessage(&f.Request, "body", isProtobufEndpoint(flowHost(f), flowPath(f)), DefaultMaxBody)
}

// DecodeResponseBody decodes a flow's response body with the default bounds.
func DecodeResponseBody(f *model.Flow) Decoded {
	return decodeMessage(&f.Response, "response.body", false, DefaultMaxBody)
}

func decodeMessage(m *model.Message, loc string, protobufEndpoint bool, max int64) (d Decoded) {
	s := &sink{max: max}
	defer func() {
		if r := recover(); r != nil {
			d.Problems = append(d.Problems, fmt.Sprintf("%s: decoder failed (%v); body not analysed", loc, r))
		}
	}()
	decodeMessageInto(m, loc, protobufEndpoint, s)
	d.Layers, d.Fields, d.Problems = s.layers, s.fields, s.problems
	d.Size = s.size
	d.Text = s.text
	return d
}

func decodeMessageInto(m *model.Message, loc string, protobufEndpoint bool, s *sink) {
	body := m.Body
	if len(body) == 0 {
		return
	}
	if m.Truncated {
		s.problemf("%s: recorded only %d of %d bytes; decoding what there is", loc, len(body), m.BodySize)
	}
	data, layers, problems := decodeContent(body, m.HeaderValue("Content-Encoding"), s.max)
	for _, l := range layers {
		s.layer(l)
	}
	for _, p := range problems {
		s.problemf("%s: %s", loc, p)
	}
	s.size = len(data)
	first := len(s.fields)
	s.structured(loc, "", data, m.HeaderValue("Content-Type"), protobufEndpoint, 0)
	if isPrintableText(data) {
		s.text = boundText(string(data), MaxText)
	} else {
		var b strings.Builder
		for _, f := range s.fields[first:] {
			if b.Len() > MaxText {
				b.WriteString("…\n")
				break
			}
			if isPrintableText([]byte(f.Value)) {
				fmt.Fprintf(&b, "%s = %s\n", f.Location, boundText(f.Value, maxValueLen))
			} else {
				fmt.Fprintf(&b, "%s = (%d bytes of binary data)\n", f.Location, len(f.Value))
			}
		}
		s.text = b.String()
	}
}

// requestFields gathers every value a request carries: path segments, query parameters,
// headers and the body's leaves, plus the body's layers and problems.
func requestFields(f *model.Flow, u *url.URL, protobufEndpoint bool, max int64) *sink {
	s := &sink{max: max}
	if u != nil {
		for _, seg := range strings.Split(u.EscapedPath(), "/") {
			if seg == "" {
				continue
			}
			v, err := url.PathUnescape(seg)
			if err != nil {
				v = seg
			}
			raw := ""
			if v != seg {
				raw = seg
			}
			s.add(Field{Location: "path", Value: v, Raw: raw})
		}
		if u.RawQuery != "" {
			s.form("query", u.RawQuery, 0)
		}
	}
	for _, h := range f.Request.Headers {
		name := strings.ToLower(h.Name)
		if name == "host" || name == "content-length" || strings.HasPrefix(name, ":") {
			continue
		}
		if name == "cookie" {
			// Each cookie is its own value: uid=…; _fbp=… say more by name than as one string.
			for _, c := range strings.Split(h.Value, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(c), "=")
				if ok && k != "" {
					s.value(child("header.cookie", k), k, unescape(v), rawIfDifferent(v), 0)
				}
			}
			continue
		}
		s.value(child("header", name), name, h.Value, "", 0)
	}
	decodeMessageInto(&f.Request, "body", protobufEndpoint, s)
	return s
}

func rawIfDifferent(v string) string {
	if unescape(v) != v {
		return v
	}
	return ""
}

// boundText cuts s to at most n bytes on a rune boundary, marking the cut.
func boundText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xc0 != 0x80 }

// printable replaces invalid UTF-8 and control characters with '.', so a value cut from a
// binary body reads as text in any report.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 || r < 0x20 || r == 0x7f {
			b.WriteByte('.')
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
