package signatures

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// Pattern syntax limits. Short anchors collide with unrelated code (^BIT, ^SMA), so a prefix,
// suffix or substring pattern needs a literal of some length; exact names may be short.
const (
	maxPatternLen      = 512
	minAnchorLiteral   = 3 // Prefix*, *Suffix, *Part*
	minRegexLiteral    = 2 // the literal that prefilters a re: pattern
	versionToken       = "{version}"
	regexPrefix        = "re:"
	versionGroup       = "version"
	versionExpr        = `[0-9]+(?:\.[0-9A-Za-z]+)*`
	maxRegexProgramLen = 2000
)

type patternKind uint8

const (
	patExact patternKind = iota
	patPrefix
	patSuffix
	patContains
	patRegex
)

// pattern is one compiled static matcher.
type pattern struct {
	raw     string // as written in the YAML
	kind    patternKind
	literal string         // exact/prefix/suffix/contains text; for regexes, the prefilter literal
	re      *regexp.Regexp // regexes and {version} patterns
	version int            // index of the version submatch in re, -1 for none
}

// compilePattern parses one matcher. fold lowercases literals for kinds that compare without
// case (bundle ids, URL schemes).
func compilePattern(raw string, fold bool) (*pattern, error) {
	if raw == "" {
		return nil, fmt.Errorf("empty pattern")
	}
	if len(raw) > maxPatternLen {
		return nil, fmt.Errorf("pattern longer than %d bytes", maxPatternLen)
	}
	if strings.HasPrefix(raw, regexPrefix) {
		return compileRegex(raw, strings.TrimPrefix(raw, regexPrefix), fold)
	}
	body := raw
	lead := strings.HasPrefix(body, "*")
	body = strings.TrimPrefix(body, "*")
	trail := strings.HasSuffix(body, "*")
	body = strings.TrimSuffix(body, "*")
	if strings.Contains(body, "*") {
		return nil, fmt.Errorf("pattern %q: '*' is allowed only at the start or the end (use re: for more)", raw)
	}
	if fold {
		body = strings.ToLower(body)
	}
	if n := strings.Count(body, versionToken); n > 1 {
		return nil, fmt.Errorf("pattern %q: more than one %s", raw, versionToken)
	} else if n == 1 {
		return compileVersionGlob(raw, body, lead, trail)
	}
	if strings.ContainsAny(body, "{}") {
		return nil, fmt.Errorf("pattern %q: braces are reserved for %s", raw, versionToken)
	}
	p := &pattern{raw: raw, literal: body, version: -1}
	switch {
	case lead && trail:
		p.kind = patContains
	case lead:
		p.kind = patSuffix
	case trail:
		p.kind = patPrefix
	default:
		p.kind = patExact
	}
	if p.kind != patExact && len(body) < minAnchorLiteral {
		return nil, fmt.Errorf("pattern %q: literal %q is too short to anchor on (at least %d characters)", raw, body, minAnchorLiteral)
	}
	if body == "" {
		return nil, fmt.Errorf("pattern %q matches everything", raw)
	}
	return p, nil
}

// compileVersionGlob turns "Name-{version}" (with optional leading/trailing '*') into an
// anchored regex whose literal parts prefilter it.
func compileVersionGlob(raw, body string, lead, trail bool) (*pattern, error) {
	before, after, _ := strings.Cut(body, versionToken)
	if strings.ContainsAny(before+after, "{}") {
		return nil, fmt.Errorf("pattern %q: braces are reserved for %s", raw, versionToken)
	}
	lit := before
	if len(after) > len(before) {
		lit = after
	}
	if len(lit) < minAnchorLiteral {
		return nil, fmt.Errorf("pattern %q: a %s pattern needs a literal of at least %d characters", raw, versionToken, minAnchorLiteral)
	}
	var b strings.Builder
	if !lead {
		b.WriteString("^")
	}
	b.WriteString(regexp.QuoteMeta(before))
	b.WriteString("(?P<" + versionGroup + ">" + versionExpr + ")")
	b.WriteString(regexp.QuoteMeta(after))
	if !trail {
		b.WriteString("$")
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", raw, err)
	}
	return &pattern{raw: raw, kind: patRegex, literal: lit, re: re, version: re.SubexpIndex(versionGroup)}, nil
}

func compileRegex(raw, expr string, fold bool) (*pattern, error) {
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", raw, err)
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", raw, err)
	}
	if len(prog.Inst) > maxRegexProgramLen {
		return nil, fmt.Errorf("pattern %q: regex too complex", raw)
	}
	lit := requiredLiteral(parsed.Simplify())
	if fold {
		lit = strings.ToLower(lit)
	}
	if len(lit) < minRegexLiteral {
		return nil, fmt.Errorf("pattern %q: a regex must contain a literal of at least %d characters that every match includes (it prefilters the regex)", raw, minRegexLiteral)
	}
	if fold {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", raw, err)
	}
	return &pattern{raw: raw, kind: patRegex, literal: lit, re: re, version: re.SubexpIndex(versionGroup)}, nil
}

// requiredLiteral returns the longest case-sensitive literal that every match of re contains,
// or "" when there is none.
func requiredLiteral(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return ""
		}
		return string(re.Rune)
	case syntax.OpCapture:
		return requiredLiteral(re.Sub[0])
	case syntax.OpPlus:
		return requiredLiteral(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiteral(re.Sub[0])
		}
	case syntax.OpConcat:
		best, run := "", ""
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 {
				run += string(sub.Rune)
				if len(run) > len(best) {
					best = run
				}
				continue
			}
			run = ""
			if s := requiredLiteral(sub); len(s) > len(best) {
				best = s
			}
		}
		return best
	}
	return ""
}

// match tests a candidate value the automaton found the literal in. It returns whether the
// pattern matches and the captured version, if any.
func (p *pattern) match(value string) (bool, string) {
	switch p.kind {
	case patExact:
		return value == p.literal, ""
	case patPrefix:
		return strings.HasPrefix(value, p.literal), ""
	case patSuffix:
		return strings.HasSuffix(value, p.literal), ""
	case patContains:
		return strings.Contains(value, p.literal), ""
	}
	if p.version < 0 {
		return p.re.MatchString(value), ""
	}
	m := p.re.FindStringSubmatch(value)
	if m == nil {
		return false, ""
	}
	return true, m[p.version]
}
