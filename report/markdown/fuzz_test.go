package markdown

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEscape feeds hostile text (captured values, paths, plist strings) to the escapers: the
// result must stay on one line, open no HTML tag, form no mention or issue reference, and a
// code span must stay one code span.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"@octocat #12 <img src=x> [a](b) | `x`", "- item\n# h", "``a`", "\u202eevil", "a\\|b", "&amp;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := text(s, 500)
		if strings.ContainsAny(out, "\n\r<>") {
			t.Fatalf("text(%q) = %q keeps a line break or an angle bracket", s, out)
		}
		for i, r := range out {
			if (r == '@' || r == '#') && !strings.HasPrefix(out[i+1:], "\u200b") {
				t.Fatalf("text(%q) = %q leaves a bare %c", s, out, r)
			}
			if r == '[' && (i == 0 || out[i-1] != '\\') {
				t.Fatalf("text(%q) = %q leaves a bare [", s, out)
			}
		}
		if utf8.ValidString(s) && utf8.RuneCountInString(out) > 5*500+1 {
			t.Fatalf("text(%q) is %d runes long", s, utf8.RuneCountInString(out))
		}
		c := code(s, 500)
		if c == "" {
			return
		}
		if strings.ContainsAny(c, "\n\r") {
			t.Fatalf("code(%q) = %q spans lines", s, c)
		}
		fence := c[:strings.IndexFunc(c, func(r rune) bool { return r != '`' })]
		inner := strings.TrimSuffix(strings.TrimPrefix(c, fence), fence)
		if strings.Contains(inner, fence) || !strings.HasSuffix(c, fence) {
			t.Fatalf("code(%q) = %q: the fence %q closes early", s, c, fence)
		}
	})
}
