package signatures

import (
	"fmt"
	"net"
	"regexp"
	"strings"
)

// Host rule kinds, most specific first.
const (
	rankSuffix  = 1
	rankPattern = 2
	rankExact   = 3
)

const (
	maxHostLen = 253
	maxPathLen = 8192
)

type hostRule struct {
	sig   int
	order int // rule index inside its signature, for stable ties
	rule  *NetworkRule
	rank  int
	lit   string // the host, suffix, or the literal tail of a pattern
	re    *regexp.Regexp
	paths []*regexp.Regexp
}

// hostIndex finds candidate rules by whole host (exact) or by each label suffix of the host
// (suffix rules and patterns, keyed by their literal tail), so lookups cost a few map reads.
type hostIndex struct {
	sigs     []*Signature
	exact    map[string][]*hostRule
	byDomain map[string][]*hostRule
}

func newHostIndex(sigs []*Signature) *hostIndex {
	x := &hostIndex{sigs: sigs, exact: map[string][]*hostRule{}, byDomain: map[string][]*hostRule{}}
	for i, s := range sigs {
		for j := range s.Network {
			r, err := compileHostRule(&s.Network[j])
			if err != nil {
				continue // validated at load time
			}
			r.sig, r.order = i, j
			if r.rank == rankExact {
				x.exact[r.lit] = append(x.exact[r.lit], r)
			} else {
				x.byDomain[r.lit] = append(x.byDomain[r.lit], r)
			}
		}
	}
	return x
}

var (
	hostLabel       = regexp.MustCompile(`^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$`)
	hostPatternPart = regexp.MustCompile(`^[a-z0-9._-]+$`)
)

// compileHostRule checks and compiles one network rule.
func compileHostRule(r *NetworkRule) (*hostRule, error) {
	set := 0
	for _, v := range []string{r.Host, r.HostSuffix, r.HostPattern} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		return nil, fmt.Errorf("a network rule needs exactly one of host, hostSuffix and hostPattern")
	}
	hr := &hostRule{rule: r}
	switch {
	case r.Host != "":
		if err := checkDomain(r.Host, 1); err != nil {
			return nil, fmt.Errorf("host %q: %w", r.Host, err)
		}
		hr.rank, hr.lit = rankExact, r.Host
	case r.HostSuffix != "":
		if err := checkDomain(r.HostSuffix, 2); err != nil {
			return nil, fmt.Errorf("hostSuffix %q: %w", r.HostSuffix, err)
		}
		hr.rank, hr.lit = rankSuffix, r.HostSuffix
	default:
		p := r.HostPattern
		i := strings.LastIndex(p, "*")
		if i < 0 {
			return nil, fmt.Errorf("hostPattern %q has no '*' (use host)", p)
		}
		tail := p[i+1:]
		dot := strings.Index(tail, ".")
		if dot < 0 {
			return nil, fmt.Errorf("hostPattern %q: the part after the last '*' must hold a domain", p)
		}
		domain := tail[dot+1:]
		if err := checkDomain(domain, 2); err != nil {
			return nil, fmt.Errorf("hostPattern %q: the domain after the last '*' (%q) %w", p, domain, err)
		}
		var b strings.Builder
		b.WriteString("^")
		for k, part := range strings.Split(p, "*") {
			if k > 0 {
				b.WriteString(`[a-z0-9_-]*`)
			}
			if part != "" && !hostPatternPart.MatchString(part) {
				return nil, fmt.Errorf("hostPattern %q: only lowercase letters, digits, '-', '.' and '*'", p)
			}
			b.WriteString(regexp.QuoteMeta(part))
		}
		b.WriteString("$")
		hr.rank, hr.lit, hr.re = rankPattern, domain, regexp.MustCompile(b.String())
	}
	for _, pp := range r.Paths {
		re, err := compilePathGlob(pp)
		if err != nil {
			return nil, err
		}
		hr.paths = append(hr.paths, re)
	}
	return hr, nil
}

func checkDomain(d string, minLabels int) error {
	if len(d) > maxHostLen {
		return fmt.Errorf("is too long")
	}
	labels := strings.Split(d, ".")
	if len(labels) < minLabels {
		return fmt.Errorf("needs at least %d labels", minLabels)
	}
	for _, l := range labels {
		if !hostLabel.MatchString(l) {
			return fmt.Errorf("is not a lowercase host name")
		}
	}
	return nil
}

// compilePathGlob turns "/v*/*/activities" into an anchored regex: '*' stays within one path
// segment, '**' crosses segments.
func compilePathGlob(p string) (*regexp.Regexp, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("path %q must start with '/'", p)
	}
	if len(p) > maxPatternLen {
		return nil, fmt.Errorf("path %q is too long", p)
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		if p[i] == '*' {
			if i+1 < len(p) && p[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
			continue
		}
		b.WriteString(regexp.QuoteMeta(p[i : i+1]))
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// normalizeHost lowercases a host and drops a port and a trailing dot.
func normalizeHost(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	return host
}

// MatchHost returns the most specific network rule for a request: an exact host beats a host
// pattern, which beats a domain suffix (the longer suffix winning); at equal host specificity,
// a rule whose path pattern matched beats a rule without paths. path is the URL path; a query
// or fragment is ignored. ok is false when no signature knows the host.
func (m *Matcher) MatchHost(host, urlPath string) (NetworkHit, bool) {
	host = normalizeHost(host)
	if host == "" || len(host) > maxHostLen {
		return NetworkHit{}, false
	}
	if i := strings.IndexAny(urlPath, "?#"); i >= 0 {
		urlPath = urlPath[:i]
	}
	if urlPath == "" {
		urlPath = "/"
	}
	if len(urlPath) > maxPathLen {
		urlPath = urlPath[:maxPathLen]
	}
	x := m.hosts
	var best *hostRule
	var bestPath string
	consider := func(r *hostRule) {
		if r.re != nil && !r.re.MatchString(host) {
			return
		}
		pathPat := ""
		if len(r.paths) > 0 {
			found := false
			for k, re := range r.paths {
				if re.MatchString(urlPath) {
					pathPat, found = r.rule.Paths[k], true
					break
				}
			}
			if !found {
				return
			}
		}
		if best == nil || x.better(r, pathPat, best, bestPath) {
			best, bestPath = r, pathPat
		}
	}
	for _, r := range x.exact[host] {
		consider(r)
	}
	for d := host; ; {
		for _, r := range x.byDomain[d] {
			consider(r)
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			break
		}
		d = d[i+1:]
	}
	if best == nil {
		return NetworkHit{}, false
	}
	return NetworkHit{
		ID:      x.sigs[best.sig].ID,
		Pattern: best.rule.Pattern() + bestPath,
		Purpose: best.rule.Purpose,
	}, true
}

func (x *hostIndex) better(a *hostRule, aPath string, b *hostRule, bPath string) bool {
	if a.rank != b.rank {
		return a.rank > b.rank
	}
	if len(a.lit) != len(b.lit) {
		return len(a.lit) > len(b.lit)
	}
	if (aPath != "") != (bPath != "") {
		return aPath != ""
	}
	if len(aPath) != len(bPath) {
		return len(aPath) > len(bPath)
	}
	if a.sig != b.sig {
		// An SDK the static pass can also find beats a network-only entry (an import).
		sa, sb := x.sigs[a.sig].Match.Count() > 0, x.sigs[b.sig].Match.Count() > 0
		if sa != sb {
			return sa
		}
		return x.sigs[a.sig].ID < x.sigs[b.sig].ID
	}
	return a.order < b.order
}
