package traffic

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
	"go.yaml.in/yaml/v3"
)

// KnownValue is one value the tester planted on the test device.
type KnownValue struct {
	// Label is the YAML key: idfa, idfv, email, phone, device_name, latitude, longitude, or an
	// extra label.
	Label string
	// Type is the data item type a match reports (advertising-id for idfa, the label for extras).
	Type  string
	Value string
}

// KnownValues are the tester's values with every encoded and hashed variant precomputed into
// one Aho-Corasick automaton, so each flow is scanned once whatever the number of variants. It is
// safe for concurrent use.
type KnownValues struct {
	Values   []KnownValue
	variants []variant
	ac       ahocorasick.AhoCorasick
}

type variant struct {
	text  string
	value int    // index into Values
	how   string // plain, lower, nohyphen/sha256-hex, round-2 ...
	// bounded variants must not touch a letter or digit on either side (short plain values).
	bounded bool
	// numeric variants (coordinates, phone digits) must not touch a digit; a coordinate with
	// three or more decimals may continue with more digits (a more precise reading).
	numeric       bool
	trailingOK    bool
	coordDecimals int
}

var knownTypes = map[string]string{
	"idfa": TypeAdvertisingID, "idfv": TypeIDFV, "email": TypeEmail, "phone": TypePhone,
	"device_name": TypeDeviceName, "latitude": TypeLatitude, "longitude": TypeLongitude,
}

// LoadKnown reads a known-values YAML file (path is used in errors only):
//
//	idfa: 6D92078A-8246-4BA4-AE5B-76104861E7DC
//	email: tester@example.org
//	latitude: 52.520008
//	extra:
//	  wifi-bssid: a4:2b:b0:c1:d2:e3
func LoadKnown(data []byte, path string) (*KnownValues, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: reading known values: %w", path, err)
	}
	var values []KnownValue
	if len(root.Content) > 0 {
		m := root.Content[0]
		if m.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s: known values must be a mapping of keys to values", path)
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i].Value, m.Content[i+1]
			if k == "extra" {
				if v.Kind != yaml.MappingNode {
					return nil, fmt.Errorf("%s:%d: extra must be a mapping of labels to values", path, v.Line)
				}
				for j := 0; j+1 < len(v.Content); j += 2 {
					label, ev := v.Content[j].Value, v.Content[j+1]
					if ev.Kind != yaml.ScalarNode {
						return nil, fmt.Errorf("%s:%d: extra.%s must be a single value", path, ev.Line, label)
					}
					if strings.TrimSpace(label) == "" {
						return nil, fmt.Errorf("%s:%d: an extra value needs a label", path, ev.Line)
					}
					values = append(values, KnownValue{Label: label, Type: label, Value: ev.Value})
				}
				continue
			}
			typ, ok := knownTypes[k]
			if !ok {
				return nil, fmt.Errorf("%s:%d: unknown key %q (known: idfa, idfv, email, phone, device_name, latitude, longitude, extra)", path, m.Content[i].Line, k)
			}
			if v.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%s:%d: %s must be a single value", path, v.Line, k)
			}
			values = append(values, KnownValue{Label: k, Type: typ, Value: v.Value})
		}
	}
	for _, kv := range values {
		if err := checkKnown(kv); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, kv.Label, err)
		}
	}
	return NewKnownValues(values)
}

func checkKnown(kv KnownValue) error {
	v := strings.TrimSpace(kv.Value)
	switch kv.Label {
	case "idfa", "idfv":
		if isZeroUUID(v) {
			return fmt.Errorf("the all-zero UUID is what iOS reports without ATT, not a device's identifier")
		}
	case "latitude", "longitude":
		limit := 90.0
		if kv.Label == "longitude" {
			limit = 180
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.Abs(f) > limit {
			return fmt.Errorf("%q is not a %s", v, kv.Label)
		}
	}
	return nil
}

// NewKnownValues precomputes the variants of values. Empty values are ignored.
func NewKnownValues(values []KnownValue) (*KnownValues, error) {
	k := &KnownValues{}
	seen := map[string]bool{}
	for _, kv := range values {
		kv.Value = strings.TrimSpace(kv.Value)
		if kv.Value == "" {
			continue
		}
		if kv.Type == "" {
			kv.Type = kv.Label
		}
		idx := len(k.Values)
		k.Values = append(k.Values, kv)
		for _, v := range variantsOf(kv) {
			if len(v.text) < 3 || seen[v.text] {
				continue // too short to mean anything, or already listed under a plainer name
			}
			seen[v.text] = true
			v.value = idx
			k.variants = append(k.variants, v)
		}
	}
	patterns := make([]string, len(k.variants))
	for i, v := range k.variants {
		patterns[i] = v.text
	}
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.StandardMatch, DFA: true})
	k.ac = b.Build(patterns)
	return k, nil
}

// variantsOf lists a value's forms, plainest first so duplicates keep the plainest name.
func variantsOf(kv KnownValue) []variant {
	if kv.Label == "latitude" || kv.Label == "longitude" {
		return coordinateVariants(kv.Value)
	}
	type base struct{ text, how string }
	var bases []base
	add := func(t, how string) {
		for _, b := range bases {
			if b.text == t {
				return
			}
		}
		bases = append(bases, base{t, how})
	}
	v := kv.Value
	for _, c := range []base{{v, "plain"}, {strings.ToLower(v), "lower"}, {strings.ToUpper(v), "upper"}} {
		add(c.text, c.how)
		if strings.Contains(c.text, "-") {
			how := "nohyphen"
			if c.how != "plain" {
				how = c.how + "-nohyphen"
			}
			add(strings.ReplaceAll(c.text, "-", ""), how)
		}
	}
	if kv.Label == "phone" {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, v)
		add(digits, "digits")
		add("+"+digits, "e164")
	}
	var out []variant
	for _, b := range bases {
		short := len(b.text) < 8
		numeric := kv.Label == "phone"
		out = append(out, variant{text: b.text, how: b.how, bounded: short && !numeric, numeric: numeric})
		for _, e := range []struct{ text, how string }{
			{url.QueryEscape(b.text), "url"},
			{url.PathEscape(b.text), "url-path"},
			{url.QueryEscape(url.QueryEscape(b.text)), "url2"},
			{base64.StdEncoding.EncodeToString([]byte(b.text)), "base64"},
			{base64.RawStdEncoding.EncodeToString([]byte(b.text)), "base64-nopad"},
			{base64.URLEncoding.EncodeToString([]byte(b.text)), "base64url"},
			{base64.RawURLEncoding.EncodeToString([]byte(b.text)), "base64url-nopad"},
		} {
			if e.text != b.text {
				out = append(out, variant{text: e.text, how: b.how + "/" + e.how, bounded: short})
			}
		}
		for _, h := range []struct {
			name string
			new  func() hash.Hash
		}{{"md5", md5.New}, {"sha1", sha1.New}, {"sha256", sha256.New}} {
			hh := h.new()
			hh.Write([]byte(b.text))
			sum := hh.Sum(nil)
			hexs := hex.EncodeToString(sum)
			for _, e := range []struct{ text, how string }{
				{hexs, "hex"}, {strings.ToUpper(hexs), "HEX"},
				{base64.StdEncoding.EncodeToString(sum), "base64"},
				{base64.RawURLEncoding.EncodeToString(sum), "base64url"},
			} {
				out = append(out, variant{text: e.text, how: b.how + "/" + h.name + "-" + e.how})
			}
		}
	}
	for i := range out {
		out[i].how = strings.TrimPrefix(out[i].how, "plain/")
	}
	return out
}

// coordinateVariants: the value as given, then rounded and truncated to 4..1 decimals.
func coordinateVariants(s string) []variant {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil
	}
	decimals := func(t string) int {
		if i := strings.IndexByte(t, '.'); i >= 0 {
			return len(t) - i - 1
		}
		return 0
	}
	out := []variant{{text: s, how: "plain", numeric: true, trailingOK: decimals(s) >= 3, coordDecimals: decimals(s)}}
	for d := 4; d >= 1; d-- {
		p := math.Pow(10, float64(d))
		for _, r := range []struct {
			v   float64
			how string
		}{{math.Round(f*p) / p, "round-" + strconv.Itoa(d)}, {math.Trunc(f*p) / p, "truncate-" + strconv.Itoa(d)}} {
			fixed := strconv.FormatFloat(r.v, 'f', d, 64)
			trimmed := strings.TrimRight(strings.TrimRight(fixed, "0"), ".")
			for _, t := range []string{trimmed, fixed} {
				dd := decimals(t)
				if dd == 0 {
					continue // an integer degree is no location
				}
				how := r.how[:len(r.how)-1] + strconv.Itoa(dd)
				out = append(out, variant{text: t, how: how, numeric: true, trailingOK: dd >= 3, coordDecimals: dd})
			}
		}
	}
	return out
}

// knownHit is one match of a known value in a text.
type knownHit struct {
	value      KnownValue
	how        string
	start, end int
	coordDec   int
}

// each calls fn for every match in text that respects its variant's boundaries.
func (k *KnownValues) each(text string, fn func(v *variant, start, end int)) {
	if k == nil || len(k.variants) == 0 || len(text) < 3 {
		return
	}
	it := k.ac.IterOverlappingByte(unsafe.Slice(unsafe.StringData(text), len(text)))
	for m := it.Next(); m != nil; m = it.Next() {
		v := &k.variants[m.Pattern()]
		if s, e := m.Start(), m.End(); v.boundaryOK(text, s, e) {
			fn(v, s, e)
		}
	}
}

// find returns the known values in text, each value and variant once.
func (k *KnownValues) find(text string) []knownHit {
	var hits []knownHit
	k.each(text, func(v *variant, s, e int) {
		for _, h := range hits {
			if h.how == v.how && h.value.Label == k.Values[v.value].Label {
				return
			}
		}
		hits = append(hits, knownHit{value: k.Values[v.value], how: v.how, start: s, end: e, coordDec: v.coordDecimals})
	})
	return hits
}

func (v *variant) boundaryOK(text string, s, e int) bool {
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	isAlnum := func(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	switch {
	case v.numeric:
		if s > 0 && (isDigit(text[s-1]) || text[s-1] == '.' && v.coordDecimals > 0) {
			return false
		}
		if e < len(text) && (isDigit(text[e]) && !v.trailingOK || text[e] == '.' && v.coordDecimals == 0) {
			return false
		}
	case v.bounded:
		if s > 0 && isAlnum(text[s-1]) || e < len(text) && isAlnum(text[e]) {
			return false
		}
	}
	return true
}

// Redact replaces every variant of every known value in s with [REDACTED:label], so a report
// can be published without the tester's identifiers.
func (k *KnownValues) Redact(s string) string {
	if k == nil || len(k.variants) == 0 || len(s) < 3 {
		return s
	}
	type span struct {
		s, e  int
		label string
	}
	var spans []span
	it := k.ac.IterOverlappingByte(unsafe.Slice(unsafe.StringData(s), len(s)))
	for m := it.Next(); m != nil; m = it.Next() {
		v := &k.variants[m.Pattern()]
		if v.boundaryOK(s, m.Start(), m.End()) {
			spans = append(spans, span{m.Start(), m.End(), k.Values[v.value].Label})
		}
	}
	if len(spans) == 0 {
		return s
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].s != spans[j].s {
			return spans[i].s < spans[j].s
		}
		return spans[i].e > spans[j].e
	})
	var b strings.Builder
	pos := 0
	for _, sp := range spans {
		if sp.s < pos {
			if sp.e > pos {
				pos = sp.e // overlapping match: widen the redacted stretch
			}
			continue
		}
		b.WriteString(s[pos:sp.s])
		b.WriteString("[REDACTED:" + sp.label + "]")
		pos = sp.e
	}
	b.WriteString(s[pos:])
	return b.String()
}
