package traffic

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sdkflow/sdkflow/model"
)

// Bounds of an exhibit: a reader needs the request that proves a finding, not megabytes of it.
const (
	exhibitBody        = 16 << 10
	exhibitHeaders     = 100
	exhibitHeaderValue = 2 << 10
)

// AttachExhibits gives every flow that a finding cites its exhibit: the request headers as sent
// and the decoded body, bounded. Flows no finding cites get none, so a report over 100,000 flows
// carries only the requests that matter. Call it after the rules ran and before redaction.
func AttachExhibits(r *model.Report) {
	cited := map[string]map[int]bool{}
	for _, f := range r.Findings {
		for _, e := range f.Evidence {
			if e.Flow == nil {
				continue
			}
			if cited[e.Session] == nil {
				cited[e.Session] = map[int]bool{}
			}
			cited[e.Session][*e.Flow] = true
		}
	}
	for i := range r.Sessions {
		s := &r.Sessions[i]
		want := cited[s.Name]
		if len(want) == 0 {
			continue
		}
		for j := range s.Flows {
			if f := &s.Flows[j]; want[f.Index] && f.Kind != model.FlowTLSFailure && f.Kind != model.FlowTunnel {
				f.Exhibit = exhibit(f)
			}
		}
	}
}

func exhibit(f *model.Flow) *model.Exhibit {
	d := DecodeBody(f)
	x := &model.Exhibit{Layers: d.Layers, BodySize: d.Size}
	for i, h := range f.Request.Headers {
		if i == exhibitHeaders {
			x.Truncated = true
			break
		}
		v, cut := bound(h.Value, exhibitHeaderValue)
		x.Truncated = x.Truncated || cut
		x.Headers = append(x.Headers, model.Header{Name: h.Name, Value: v})
	}
	if x.Headers == nil {
		x.Headers = []model.Header{}
	}
	body, cut := bound(readable(d.Text, d.Layers), exhibitBody)
	x.Body = body
	x.Truncated = x.Truncated || cut
	return x
}

// bound cuts s to at most n bytes on a rune boundary.
func bound(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// readable lays a decoded body out for a reader: a form one field per line with its value
// URL-decoded, JSON indented; anything else as it is.
func readable(text string, layers []string) string {
	switch {
	case slices.Contains(layers, "form@body"):
		var b strings.Builder
		for _, pair := range strings.Split(text, "&") {
			name, value, _ := strings.Cut(pair, "=")
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			if v, err := url.QueryUnescape(value); err == nil {
				value = v
			}
			b.WriteString(name + " = " + value + "\n")
		}
		return b.String()
	case slices.Contains(layers, "json@body"):
		var b bytes.Buffer
		if json.Indent(&b, []byte(text), "", "  ") == nil {
			return b.String()
		}
	}
	return text
}
