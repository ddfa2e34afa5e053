package macho

import "fmt"

// CPU types and the subtypes that name iOS and simulator slices.
const (
	cpuArch64   = 0x01000000
	cpuArch6432 = 0x02000000
	cpuX86      = 7
	cpuARM      = 12
	cpuX86_64   = cpuX86 | cpuArch64
	cpuARM64    = cpuARM | cpuArch64
	cpuARM64_32 = cpuARM | cpuArch6432
	subtypeMask = 0x00ffffff // the high byte holds capability bits (e.g. arm64e pointer auth)
)

func archName(cpu, sub uint32) string {
	sub &= subtypeMask
	switch cpu {
	case cpuARM64:
		switch sub {
		case 1:
			return "arm64v8"
		case 2:
			return "arm64e"
		}
		return "arm64"
	case cpuARM64_32:
		return "arm64_32"
	case cpuX86_64:
		if sub == 8 {
			return "x86_64h"
		}
		return "x86_64"
	case cpuX86:
		return "i386"
	case cpuARM:
		switch sub {
		case 6:
			return "armv6"
		case 9:
			return "armv7"
		case 11:
			return "armv7s"
		case 12:
			return "armv7k"
		}
		return "arm"
	}
	return fmt.Sprintf("cpu%#x-%#x", cpu, sub)
}

func fileTypeName(t uint32) string {
	switch t {
	case 1:
		return "object"
	case 2:
		return "execute"
	case 3:
		return "fvmlib"
	case 4:
		return "core"
	case 5:
		return "preload"
	case 6:
		return "dylib"
	case 7:
		return "dylinker"
	case 8:
		return "bundle"
	case 9:
		return "dylib-stub"
	case 10:
		return "dsym"
	case 11:
		return "kext"
	case 12:
		return "fileset"
	}
	return fmt.Sprintf("type%#x", t)
}

// version formats a packed xxxx.yy.zz version as "14.0" or "14.0.1".
func version(v uint32) string {
	if v == 0 {
		return ""
	}
	major, minor, patch := v>>16, (v>>8)&0xff, v&0xff
	if patch == 0 {
		return fmt.Sprintf("%d.%d", major, minor)
	}
	return fmt.Sprintf("%d.%d.%d", major, minor, patch)
}

// identifier reports whether s looks like an Objective-C or Swift runtime name; scrambled or
// misread metadata yields strings that do not. Selectors may contain colons.
func identifier(s string, colons bool) bool {
	if s == "" || len(s) > 1024 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '$':
		case c >= '0' && c <= '9', c == '.':
			if i == 0 && c == '.' {
				return false
			}
		case c == ':' && colons:
		default:
			return false
		}
	}
	return true
}
