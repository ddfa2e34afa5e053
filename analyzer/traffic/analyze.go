package traffic

import (
	"fmt"
	"net"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/net/publicsuffix"

	"github.com/sdkflow/sdkflow/model"
)

// Options configure Analyze.
type Options struct {
	// Attribute names the SDK and endpoint purpose of a host and path (signatures.Matcher's
	// MatchHost); nil attributes nothing. It is called from one goroutine.
	Attribute func(host, path string) (sdk, purpose string, ok bool)
	// Known are the tester's planted values; nil for none.
	Known *KnownValues
	// MaxBody bounds the decoded size of a body per layer; 0 means DefaultMaxBody.
	MaxBody int64
}

// Analyze fills each flow's SDK, Party, Endpoint, Data and Problems in place. Nothing here is
// an error: what cannot be decoded is recorded in the flow's Problems, and the rest stands.
// Running it twice gives the same result.
func Analyze(s *model.Session, opt Options) {
	if opt.MaxBody <= 0 {
		opt.MaxBody = DefaultMaxBody
	}
	for i := range s.Flows {
		attribute(&s.Flows[i], opt.Attribute)
	}
	workers := runtime.GOMAXPROCS(0)
	if workers > len(s.Flows) {
		workers = len(s.Flows)
	}
	var wg sync.WaitGroup
	next := make(chan int, 256)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				analyzeFlow(&s.Flows[i], &opt)
			}
		}()
	}
	for i := range s.Flows {
		next <- i
	}
	close(next)
	wg.Wait()
}

// attribute sets the flow's Host, Party, SDK and Endpoint.
func attribute(f *model.Flow, attr func(host, path string) (string, string, bool)) {
	host := flowHost(f)
	if f.Host == "" {
		f.Host = host
	}
	f.Party = registrableDomain(host)
	f.SDK, f.Endpoint = nil, ""
	if attr != nil && host != "" {
		if sdk, purpose, ok := safeAttribute(attr, host, flowPath(f)); ok {
			f.SDK = &sdk
			f.Endpoint = purpose
		}
	}
}

func safeAttribute(attr func(host, path string) (string, string, bool), host, path string) (sdk, purpose string, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return attr(host, path)
}

// registrableDomain is the eTLD+1 of host, the host itself for IP addresses and names that
// are a public suffix, "" for no host.
func registrableDomain(host string) string {
	if host == "" {
		return ""
	}
	if net.ParseIP(host) != nil {
		return host
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return d
}

// flowHost is the flow's host name, lower case, without port or trailing dot.
func flowHost(f *model.Flow) string {
	h := f.Host
	if h == "" {
		if u, err := url.Parse(f.URL); err == nil {
			h = u.Host
		}
	}
	if h == "" {
		h = f.ServerName
	}
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.Trim(h, "[]"), ".")
	return strings.ToLower(h)
}

func flowPath(f *model.Flow) string {
	if u, err := url.Parse(f.URL); err == nil {
		if u.Path == "" {
			return "/"
		}
		return u.Path
	}
	return ""
}

// Ranks of the ways an item can be found: when several find the same value at the same place,
// the type of the highest rank is kept and every way is listed.
const (
	rankShape = iota + 1
	rankKey
	rankKnownExtra // a tester's own label says less about the kind of data than an adapter
	rankAdapter
	rankKnown
)

// flowContext is one flow under analysis.
type flowContext struct {
	flow   *model.Flow
	host   string
	path   string
	max    int64
	fields []Field
	items  map[string]*rankedItem
	order  []string
	// coordDecimals are the decimals of the coordinate a known value matched, by item key.
	coordDecimals map[string]int
}

type rankedItem struct {
	item    model.DataItem
	rank    int
	matches []string
}

func (c *flowContext) add(it model.DataItem, rank int) {
	c.addKeyed(it.Location+"\x00"+it.Value, it, rank)
}

// addKnown keeps two different known values found in one field apart (latitude and longitude
// in "52.52,13.40"), while merging a known value with what other detectors found there.
func (c *flowContext) addKnown(it model.DataItem, label string, rank int) {
	key := it.Location + "\x00" + it.Value
	if r, ok := c.items[key]; ok {
		for _, m := range r.matches {
			if strings.HasPrefix(m, "known:") && !strings.HasPrefix(m, "known:"+label+"/") {
				key += "\x00" + label
				break
			}
		}
	}
	c.addKeyed(key, it, rank)
}

func (c *flowContext) addKeyed(key string, it model.DataItem, rank int) {
	if c.items == nil {
		c.items = map[string]*rankedItem{}
	}
	r, ok := c.items[key]
	if !ok {
		r = &rankedItem{item: it, rank: rank}
		c.items[key] = r
		c.order = append(c.order, key)
	} else if rank > r.rank {
		r.item.Type = it.Type
		r.rank = rank
	}
	for _, m := range r.matches {
		if m == it.Match {
			return
		}
	}
	r.matches = append(r.matches, it.Match)
}

func analyzeFlow(f *model.Flow, opt *Options) {
	f.Data = []model.DataItem{}
	defer func() {
		if r := recover(); r != nil {
			addProblem(f, fmt.Sprintf("analysis stopped: internal error (%v); the flow's data may be incomplete", r))
		}
	}()
	if f.Kind != "" && f.Kind != model.FlowHTTP {
		return // tunnels and TLS failures carry no readable request
	}
	c := &flowContext{flow: f, host: flowHost(f), path: flowPath(f), max: opt.MaxBody}
	u, err := url.Parse(f.URL)
	if err != nil {
		addProblem(f, fmt.Sprintf("URL not parsable (%v); query and path not examined", err))
		u = nil
	}
	a := adapterFor(c.host, c.path, f.Method)
	s := requestFields(f, u, a != nil && a.protobuf, opt.MaxBody)
	c.fields = s.fields
	for _, p := range s.problems {
		addProblem(f, p)
	}
	if a != nil {
		if f.Endpoint == "" {
			f.Endpoint = a.endpoint
		}
		runAdapter(c, a)
	}
	for _, fl := range c.fields {
		c.detectGeneric(fl)
	}
	if opt.Known != nil {
		c.detectKnown(opt.Known)
	}
	f.Data = c.result()
}

// detectKnown searches every field for the tester's values in one pass: the values are joined
// with NUL separators (which no variant contains and every boundary check accepts) and each hit
// is mapped back to its field. A field's raw form is searched too, for values found only in an
// encoded form there (a double URL-encoded email), but a value already found in the decoded form
// is not reported again.
func (c *flowContext) detectKnown(k *KnownValues) {
	type segment struct {
		start, end, field int
		raw               bool
	}
	segs := make([]segment, 0, len(c.fields)*2)
	size := 0
	for _, f := range c.fields {
		size += len(f.Value) + len(f.Raw) + 2
	}
	buf := make([]byte, 0, size)
	for i, f := range c.fields {
		for _, part := range []struct {
			text string
			raw  bool
		}{{f.Value, false}, {f.Raw, true}} {
			if part.text == "" {
				continue
			}
			segs = append(segs, segment{len(buf), len(buf) + len(part.text), i, part.raw})
			buf = append(buf, part.text...)
			buf = append(buf, 0)
		}
	}
	if len(segs) == 0 {
		return
	}
	text := unsafe.String(unsafe.SliceData(buf), len(buf))
	type hit struct {
		seg int
		v   *variant
		s   int
		e   int
	}
	var hits []hit
	k.each(text, func(v *variant, s, e int) {
		si := sort.Search(len(segs), func(j int) bool { return segs[j].start > s }) - 1
		if si < 0 || e > segs[si].end {
			return
		}
		hits = append(hits, hit{si, v, s - segs[si].start, e - segs[si].start})
	})
	// Hits come in order of their end, so a field's decoded hits precede its raw ones.
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].seg < hits[j].seg })
	var foundField = -1
	var found []string // labels found in the decoded form of foundField
	for i, h := range hits {
		sg := segs[h.seg]
		f := c.fields[sg.field]
		kv := k.Values[h.v.value]
		if sg.field != foundField {
			foundField, found = sg.field, found[:0]
		}
		dup := false
		for _, p := range hits[:i] {
			if p.seg == h.seg && p.v.how == h.v.how && k.Values[p.v.value].Label == kv.Label {
				dup = true
				break
			}
		}
		if sg.raw && !dup {
			for _, l := range found {
				if l == kv.Label {
					dup = true
					break
				}
			}
		}
		if dup {
			continue
		}
		if !sg.raw {
			found = append(found, kv.Label)
		}
		rank := rankKnown
		if _, std := knownTypes[kv.Label]; !std {
			rank = rankKnownExtra
		}
		segText := text[sg.start:sg.end]
		val := window(f.Value, segText, knownHit{start: h.s, end: h.e})
		c.addKnown(model.DataItem{
			Type: kv.Type, Location: f.Location, Value: val,
			Match: "known:" + kv.Label + "/" + h.v.how,
		}, kv.Label, rank)
		if h.v.coordDecimals > 0 {
			if c.coordDecimals == nil {
				c.coordDecimals = map[string]int{}
			}
			c.coordDecimals[f.Location+"\x00"+val] = h.v.coordDecimals
		}
	}
}

// window is the item's value: the field's value when short, else the stretch around the hit.
func window(value, text string, h knownHit) string {
	if len(value) <= maxValueLen {
		return value
	}
	const ctx = 64
	s, e := max(0, h.start-ctx), min(len(text), h.end+ctx)
	out := text[s:e]
	if s > 0 {
		out = "…" + out
	}
	if e < len(text) {
		out += "…"
	}
	return out
}

// result merges, bounds and sorts the flow's items.
func (c *flowContext) result() []model.DataItem {
	out := make([]model.DataItem, 0, len(c.order))
	for _, key := range c.order {
		r := c.items[key]
		it := r.item
		info := infoFor(it.Type)
		it.ManifestType = info.manifest
		it.Personal = info.personal
		if it.Type == TypeLatitude || it.Type == TypeLongitude {
			it.ManifestType = locationPrecision(it.Value, c.coordDecimals[key])
		}
		sort.SliceStable(r.matches, func(i, j int) bool { return matchOrder(r.matches[i]) < matchOrder(r.matches[j]) })
		it.Match = strings.Join(r.matches, ", ")
		it.Value = printable(boundText(it.Value, maxValueLen))
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Location != out[j].Location {
			return locationLess(out[i].Location, out[j].Location)
		}
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// locationPrecision applies Apple's line: coordinates with three or more decimals are precise.
func locationPrecision(value string, matchedDecimals int) string {
	d := matchedDecimals
	if _, err := strconv.ParseFloat(value, 64); err == nil {
		d = 0
		if i := strings.IndexByte(value, '.'); i >= 0 {
			d = len(value) - i - 1
		}
	}
	if d > 0 && d < 3 {
		return ManifestCoarseLocation
	}
	return ManifestPreciseLocation
}

func matchOrder(m string) int {
	switch {
	case strings.HasPrefix(m, "adapter:"):
		return 0
	case strings.HasPrefix(m, "known:"):
		return 1
	case strings.HasPrefix(m, "key:"):
		return 2
	}
	return 3
}

// locationLess orders path, query, header, body, response, then by name, with array indexes
// in numeric order.
func locationLess(a, b string) bool {
	ca, cb := contextRank(a), contextRank(b)
	if ca != cb {
		return ca < cb
	}
	return naturalLess(a, b)
}

func contextRank(loc string) int {
	for i, p := range []string{"path", "query", "header", "body", "response"} {
		if strings.HasPrefix(loc, p) {
			return i
		}
	}
	return 5
}

// naturalLess compares strings with digit runs as numbers: extinfo[9] before extinfo[10].
func naturalLess(a, b string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigitByte(ca) && isDigitByte(cb) {
			si, sj := i, j
			for i < len(a) && isDigitByte(a[i]) {
				i++
			}
			for j < len(b) && isDigitByte(b[j]) {
				j++
			}
			na, nb := strings.TrimLeft(a[si:i], "0"), strings.TrimLeft(b[sj:j], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			continue
		}
		if ca != cb {
			return ca < cb
		}
		i++
		j++
	}
	return len(a)-i < len(b)-j
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// addProblem appends a problem once, keeping what an importer already recorded.
func addProblem(f *model.Flow, p string) {
	for _, q := range f.Problems {
		if q == p {
			return
		}
	}
	f.Problems = append(f.Problems, p)
}
