// Package prose writes the small pieces of English that findings and reports are made of, the
// same way everywhere: lists, counts and plurals.
package prose

import (
	"strconv"
	"strings"
)

// List joins items as prose: "a", "a and b", "a, b and c".
func List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// ListAtMost joins the first n items with commas and says how many more there are:
// "a, b and 3 more".
func ListAtMost(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + " and " + strconv.Itoa(len(items)-n) + " more"
}

// S is "s" unless n is 1, for plurals built in place ("3 request" + S(3)).
func S(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Count writes n with thousands separators: 10,000.
func Count(n int) string {
	s := strconv.Itoa(n)
	neg := ""
	if s[0] == '-' {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

// Plural writes a count and the right form of its noun: "1 request", "10,000 requests".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Count(n) + " " + many
}
