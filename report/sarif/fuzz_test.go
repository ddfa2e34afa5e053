package sarif

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRelativeURI feeds hostile paths (names inside an app are outside input) to relativeURI:
// the result must parse as a relative URI reference with no scheme, carry no character that
// needs escaping, and decode back to the path.
func FuzzRelativeURI(f *testing.F) {
	for _, s := range []string{"Payload/A.app/Info.plist", "a:b/c", "ü #?%", "/abs", "x\x00y", "..//./%2F", "///host/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !utf8.ValidString(p) {
			return
		}
		u := relativeURI(p)
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatalf("relativeURI(%q) = %q does not parse: %v", p, u, err)
		}
		if parsed.Scheme != "" || parsed.Host != "" || parsed.RawQuery != "" || parsed.Fragment != "" {
			t.Fatalf("relativeURI(%q) = %q reads as %+v", p, u, parsed)
		}
		if strings.ContainsFunc(u, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
			t.Fatalf("relativeURI(%q) = %q has an unescaped character", p, u)
		}
		want := strings.TrimLeft(p, "/")
		if got := strings.TrimPrefix(parsed.Path, "./"); got != want && parsed.Path != want {
			t.Fatalf("relativeURI(%q) = %q decodes to %q", p, u, parsed.Path)
		}
	})
}
