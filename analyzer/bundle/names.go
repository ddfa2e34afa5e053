package bundle

import (
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkName validates an entry name from an archive (or a name built from a directory walk)
// and returns its clean form, whether it names a directory, and a reason when it is refused.
// Names are refused rather than repaired: a name that needs repair was made by a tool that
// wants two readers to see two different files.
func checkName(name string) (clean string, isDir bool, reason string) {
	switch {
	case name == "":
		return "", false, "empty name"
	case len(name) > maxNameLen:
		return "", false, "name longer than " + strconv.Itoa(maxNameLen) + " bytes"
	case strings.IndexByte(name, 0) >= 0:
		return "", false, "NUL byte in name"
	case strings.IndexByte(name, '\\') >= 0:
		return "", false, "backslash in name"
	case name[0] == '/':
		return "", false, "absolute path"
	case len(name) >= 2 && name[1] == ':' && isASCIILetter(name[0]):
		return "", false, "absolute path (drive letter)"
	}
	trimmed := strings.TrimSuffix(name, "/")
	isDir = len(trimmed) < len(name)
	if trimmed == "" {
		return "", false, "empty name"
	}
	for elem := range strings.SplitSeq(trimmed, "/") {
		if elem == ".." {
			return "", false, "parent directory reference (..)"
		}
	}
	if path.Clean(trimmed) != trimmed {
		return "", false, "non-canonical path (empty or . element)"
	}
	return trimmed, isDir, ""
}

// checkLinkTarget validates a symbolic link's target text.
func checkLinkTarget(target string) string {
	switch {
	case target == "":
		return "symbolic link with an empty target"
	case len(target) > maxLinkTarget:
		return "symbolic link target longer than " + strconv.Itoa(maxLinkTarget) + " bytes"
	case strings.IndexByte(target, 0) >= 0:
		return "NUL byte in symbolic link target"
	case strings.IndexByte(target, '\\') >= 0:
		return "backslash in symbolic link target"
	}
	return ""
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// printable returns s for messages: quoted when it holds anything that would break a line or
// a terminal, and cut short when it is very long.
func printable(s string) string {
	const maxShown = 256
	if len(s) > maxShown {
		cut := maxShown
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}
