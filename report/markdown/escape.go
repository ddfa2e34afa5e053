package markdown

import (
	"strings"
	"unicode"
)

// Captured and scanned text is hostile: a plist value or a path can hold Markdown, HTML, a
// line break that ends a table, or an @mention or #123 reference that would ping people or
// link issues when the report is posted as a pull-request comment. Every such string goes
// through text or code below.

// clip drops control and bidirectional-override characters, folds line breaks into spaces, and
// bounds the length.
func clip(s string, limit int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= limit {
			b.WriteString("…")
			break
		}
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029':
			r = ' '
		case unicode.IsControl(r), r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == '\ufeff':
			continue
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// text escapes s for Markdown prose and table cells. Brackets are escaped, so no link or
// image can form; a leading block marker (list, quote, heading underline) is escaped too.
func text(s string, limit int) string {
	s = clip(s, limit)
	var b strings.Builder
	if s != "" && strings.ContainsRune("-+=>", rune(s[0])) {
		b.WriteByte('\\')
	}
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '@', '#':
			// A zero-width space keeps @user and #123 from becoming mentions and links.
			b.WriteRune(r)
			b.WriteRune('\u200b')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cellCode is code for a table cell: a pipe would end the cell, so it is escaped (GFM reads
// \| as a pipe even inside a code span in a table, and literally elsewhere).
func cellCode(s string, limit int) string {
	return strings.ReplaceAll(code(s, limit), "|", `\|`)
}

// code renders s as an inline code span (literal, so no mention or link forms), with a fence
// longer than any backtick run inside.
func code(s string, limit int) string {
	s = clip(s, limit)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}
