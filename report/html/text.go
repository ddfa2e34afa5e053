package html

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Captured and scanned text is hostile. html/template escapes everything that reaches the page,
// so no markup or script can form; what escaping leaves is text that misleads the eye: bidi
// overrides that reverse a URL, control characters, and values long enough to bury the page.
// Every such string goes through bound, which shows invisible characters as visible code points
// and cuts long values, stating their full length.

// text is a bounded value for the template: the shown part and, when part is not shown, the
// full length in characters.
type text struct {
	S     string
	Total int
}

// Cut reports whether part of the value is not shown.
func (t text) Cut() bool { return t.Total > 0 }

func (t text) String() string { return t.S }

// Bounds, in characters.
const (
	limitName    = 120
	limitValue   = 300
	limitURL     = 600
	limitMessage = 2000
	limitPath    = 400
	limitExhibit = 8000
)

// bound makes s safe to show and at most limit characters long (plus the marks of invisible
// characters it reveals).
func bound(s string, limit int) text { return boundKeeping(s, limit, false) }

// boundBlock is bound for multi-line text shown in a <pre>: line breaks and tabs stay.
func boundBlock(s string, limit int) text { return boundKeeping(s, limit, true) }

func boundKeeping(s string, limit int, keepLines bool) text {
	total := 0
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		total++
		if total > limit {
			continue
		}
		if hidden(r) && !(keepLines && (r == '\n' || r == '\t')) {
			fmt.Fprintf(&b, "⟦U+%04X⟧", r)
			continue
		}
		b.WriteRune(r)
	}
	if total <= limit {
		total = 0 // not cut: the template states no length
	}
	return text{S: b.String(), Total: total}
}

// plain is bound without the length note, for labels and titles whose full value is elsewhere.
func plain(s string, limit int) string {
	t := bound(s, limit)
	if t.Cut() {
		return t.S + "…"
	}
	return t.S
}

// hidden reports characters that would be invisible or would reorder the text around them:
// controls (line breaks included: a value is one line), bidi embeddings, overrides, isolates
// and marks, zero-width characters and the byte-order mark.
func hidden(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	case r >= 0x200B && r <= 0x200D, r == 0x2060, r == 0xFEFF, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// seconds formats a duration for a reader: "0.8 s", "12.3 s", "2 min 5 s", "1 h 4 min".
func seconds(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return "?"
	}
	sign := ""
	if s < 0 {
		sign, s = "−", -s
	}
	switch {
	case s < 100:
		return sign + strconv.FormatFloat(s, 'f', 1, 64) + " s"
	case s < 3600:
		m := int(s / 60)
		return fmt.Sprintf("%s%d min %d s", sign, m, int(s)-60*m)
	case s < 1e9:
		h := int(s / 3600)
		return fmt.Sprintf("%s%d h %d min", sign, h, (int(s)-3600*h)/60)
	}
	return sign + "a very long time"
}

// exactSeconds is the precise form, for evidence: "1.234 s".
func exactSeconds(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return "?"
	}
	return strconv.FormatFloat(s, 'f', 3, 64) + " s"
}

// bytesize formats a size: "4.8 MB".
func bytesize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTP"[exp])
}

// firstSentence keeps a summary line to a message's first sentence.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}
