package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// generatedObjC returns the Objective-C source for the generated parts of a code unit (classes,
// symbols, strings, selectors, imports), and a main function when withMain is set. It returns ""
// when there is nothing to generate. Helper names are file-local; only the requested classes
// and symbols are exported.
func generatedObjC(c *Code, withMain bool) string {
	if len(c.Classes)+len(c.Symbols)+len(c.Strings)+len(c.Selectors)+len(c.Imports) == 0 && !withMain {
		return ""
	}
	var b strings.Builder
	b.WriteString("// Generated from an app spec by samples/build. Do not edit.\n\n")

	ident := classIdents(c.Classes)
	if len(c.Classes) > 0 {
		b.WriteString("__attribute__((objc_root_class))\n@interface NSObject { Class isa; }\n@end\n\n")
		// Superclasses that are not generated here come from a linked library.
		declared := map[string]bool{"NSObject": true}
		for _, cl := range c.Classes {
			declared[cl.Name] = true
		}
		for _, cl := range c.Classes {
			if s := cl.Super; s != "" && !declared[s] {
				declared[s] = true
				writeInterface(&b, s, ident(s), "NSObject")
				b.WriteString("\n")
			}
		}
		// Interfaces first so generated classes may subclass each other in any order.
		for _, cl := range c.Classes {
			super := cl.Super
			if super == "" {
				super = "NSObject"
			}
			writeInterface(&b, cl.Name, ident(cl.Name), ident(super))
		}
		b.WriteString("\n")
		for _, cl := range c.Classes {
			fmt.Fprintf(&b, "@implementation %s\n", ident(cl.Name))
			for _, m := range cl.Methods {
				b.WriteString(methodDefinition(m))
			}
			b.WriteString("@end\n\n")
		}
	}

	for i, s := range c.Symbols {
		value := s.Value
		if value == "" {
			value = s.Name
		}
		fmt.Fprintf(&b, "__attribute__((visibility(\"default\"))) const char gen_symbol_%d[] __asm__(%s) = %s;\n",
			i, cString("_"+s.Name), cString(value))
	}
	if len(c.Symbols) > 0 {
		b.WriteString("\n")
	}

	if len(c.Strings) > 0 {
		b.WriteString("__attribute__((used)) static const char *const gen_strings[] = {\n")
		for _, s := range c.Strings {
			fmt.Fprintf(&b, "\t%s,\n", cString(s))
		}
		b.WriteString("};\n\n")
	}

	if len(c.Imports) > 0 {
		for i, im := range c.Imports {
			weak := ""
			if im.Weak {
				weak = " __attribute__((weak_import))"
			}
			fmt.Fprintf(&b, "extern char gen_import_%d[] __asm__(%s)%s;\n", i, cString(im.Name), weak)
		}
		b.WriteString("__attribute__((used)) static const void *const gen_imports[] = {\n")
		for i := range c.Imports {
			fmt.Fprintf(&b, "\tgen_import_%d,\n", i)
		}
		b.WriteString("};\n\n")
	}

	if len(c.Selectors) > 0 {
		b.WriteString("__attribute__((used)) static void gen_selectors(SEL *out) {\n")
		for i, s := range c.Selectors {
			fmt.Fprintf(&b, "\tout[%d] = @selector(%s);\n", i, s)
		}
		b.WriteString("}\n\n")
	}

	if withMain {
		b.WriteString("int main(int argc, char **argv) { return 0; }\n")
	}
	return b.String()
}

// generatedBlobs returns assembly that includes each blob file verbatim in __DATA,__blob.
func generatedBlobs(blobs []string) string {
	if len(blobs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\t.section __DATA,__blob\n")
	for i, f := range blobs {
		fmt.Fprintf(&b, "\t.p2align 4\nLgen_blob_%d:\n\t.incbin %s\n", i, cString(f))
	}
	return b.String()
}

func writeInterface(b *strings.Builder, name, id, super string) {
	if id != name {
		fmt.Fprintf(b, "__attribute__((objc_runtime_name(%s)))\n", cString(name))
	}
	fmt.Fprintf(b, "@interface %s : %s\n@end\n", id, super)
}

// classIdents maps class names to source identifiers. Names that are not plain ObjC
// identifiers (Swift-mangled _TtC..., names with $ or .) get a placeholder identifier and keep
// their name through objc_runtime_name.
func classIdents(classes []Class) func(string) string {
	ids := map[string]string{}
	n := 0
	return func(name string) string {
		if id, ok := ids[name]; ok {
			return id
		}
		id := name
		if !cNameRE.MatchString(name) || strings.HasPrefix(name, "_") {
			id = "GenRuntimeNamed" + strconv.Itoa(n)
			n++
		}
		ids[name] = id
		return id
	}
}

// methodDefinition turns "+sharedInstance" or "application:didFinishLaunchingWithOptions:" into
// an empty method definition with that selector.
func methodDefinition(m string) string {
	kind := "-"
	if strings.HasPrefix(m, "+") || strings.HasPrefix(m, "-") {
		kind, m = m[:1], m[1:]
	}
	if !strings.Contains(m, ":") {
		return fmt.Sprintf("%s (void)%s {}\n", kind, m)
	}
	parts := strings.Split(strings.TrimSuffix(m, ":"), ":")
	var sig []string
	for i, p := range parts {
		sig = append(sig, fmt.Sprintf("%s:(id)arg%d", p, i))
	}
	return fmt.Sprintf("%s (void)%s {}\n", kind, strings.Join(sig, " "))
}

// cString quotes s as a C string literal byte by byte (octal escapes for anything not plain
// printable ASCII, and for ? to rule out trigraphs).
func cString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f && c != '?':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "\\%03o", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// sourceKind returns the clang -x language for a source file.
func sourceKind(p string) string {
	switch filepath.Ext(p) {
	case ".m":
		return "objective-c"
	case ".c":
		return "c"
	case ".s":
		return "assembler"
	default:
		return "assembler-with-cpp"
	}
}
