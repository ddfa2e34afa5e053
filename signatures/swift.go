package signatures

import "strings"

// swiftModule extracts the module name from a Swift type or symbol name as the static pass may
// see it: ObjC-runtime names "_TtC12FirebaseCore16FirebaseAppSwift" (also nested "_TtCC",
// generic "_TtGC", protocols "_TtP"), Swift 4.2+ symbols "$s12FirebaseCore..." (with or without
// the leading underscore, "$S" too), Swift 4 "_T012FirebaseCore...", and, when plain is set,
// demangled "FirebaseCore.FirebaseAppSwift" or a bare module name. ok is false for anything else, and for the standard library
// and imported-C pseudo-modules, which no SDK owns.
func swiftModule(name string, plain bool) (string, bool) {
	var rest string
	switch {
	case strings.HasPrefix(name, "_Tt"):
		rest = strings.TrimLeft(name[3:], "CGPVOE") // nesting and kind markers before the module
	case strings.HasPrefix(name, "_$s"), strings.HasPrefix(name, "_$S"):
		rest = name[3:]
	case strings.HasPrefix(name, "$s"), strings.HasPrefix(name, "$S"), strings.HasPrefix(name, "_T0"):
		rest = name[2:]
		if name[1] == 'T' {
			rest = name[3:]
		}
	default:
		if !plain {
			return "", false
		}
		return demangledModule(name)
	}
	n, i := 0, 0
	for i < len(rest) && i < 4 && rest[i] >= '0' && rest[i] <= '9' {
		n = n*10 + int(rest[i]-'0')
		i++
	}
	if i == 0 || n == 0 || i+n > len(rest) || rest[0] == '0' {
		return "", false // "s" (Swift), "So" (imported C) and punycode "0" forms name no SDK
	}
	module := rest[i : i+n]
	if !isIdentifier(module) {
		return "", false
	}
	return module, true
}

// demangledModule accepts "Module.Type" and a bare module name.
func demangledModule(name string) (string, bool) {
	module, _, _ := strings.Cut(name, ".")
	if module == "" || module == "Swift" || module == "__C" || !isIdentifier(module) {
		return "", false
	}
	return module, true
}

func isIdentifier(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
