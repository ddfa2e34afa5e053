package macho

import (
	"fmt"
	"strings"
)

// Objective-C runtime layouts (64-bit): class_t.data at +32 (low bits are flags),
// class_ro_t.name at +24, category_t {name, cls}, protocol_t.name at +8.
const (
	fastDataMask   = 0x00007ffffffffff8
	classDataOff   = 32
	classROnameOff = 24
	categoryClsOff = 8
	protocolName   = 8
)

// objcNames reads class, category and protocol names and referenced selectors. Each list
// entry is followed to its name and no further: go-macho's GetObjCClasses also resolves
// superclasses, methods and protocols recursively and, on a class that is its own
// superclass, recurses until the stack overflows, which no recover() can catch.
func (s *sliceReader) objcNames() {
	if !s.lay.is64 {
		s.note("Objective-C and Swift metadata of 32-bit slices is not read")
		return
	}
	s.listNames("classes", []string{"__objc_classlist"}, false, &s.sf.ObjCClasses, s.className)
	s.listNames("categories", []string{"__objc_catlist", "__objc_catlist2"}, false, &s.sf.ObjCCategories, s.categoryName)
	s.listNames("protocols", []string{"__objc_protolist"}, false, &s.sf.ObjCProtocols, func(p uint64) (string, error) {
		return s.nameAt(p + protocolName)
	})
	s.listNames("selectors", []string{"__objc_selrefs"}, true, &s.sf.Selectors, func(sel uint64) (string, error) {
		return s.im.cstring(sel)
	})
}

// listNames follows every pointer of the named __DATA* sections through name, keeping the
// identifier-like results in out and summing up the failures in one error.
func (s *sliceReader) listNames(what string, sections []string, colons bool, out *[]string, name func(uint64) (string, error)) {
	var firstErr error
	failed, garbage := 0, 0
	for _, sec := range s.im.sections("__DATA", sections...) {
		if sec.size/8 > uint64(s.rd.opt.MaxNames) {
			s.note(fmt.Sprintf("%s: %s,%s lists %d entries, above the bound of %d", what, sec.seg, sec.name, sec.size/8, s.rd.opt.MaxNames))
			continue
		}
		for slot := sec.addr; slot+8 <= sec.addr+sec.size; slot += 8 {
			target, bound, err := s.im.pointer(slot)
			if err == nil && bound != "" {
				continue // defined in another image
			}
			var n string
			if err == nil {
				n, err = name(target)
			}
			if err != nil {
				failed++
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			if !identifier(n, colons) && !(what == "categories" && categoryLike(n)) {
				garbage++
				continue
			}
			*out = append(*out, n)
		}
	}
	if failed > 0 {
		s.note(fmt.Sprintf("Objective-C %s: %d unreadable, first: %v", what, failed, firstErr))
	}
	if garbage > 0 {
		s.note(fmt.Sprintf("Objective-C %s: %d names dropped as not identifier-like", what, garbage))
	}
}

// nameAt reads the string that the pointer at slot points to.
func (s *sliceReader) nameAt(slot uint64) (string, error) {
	p, bound, err := s.im.pointer(slot)
	if err != nil {
		return "", err
	}
	if bound != "" {
		return "", fmt.Errorf("name pointer at %#x is bound to %s", slot, bound)
	}
	return s.im.cstring(p)
}

func (s *sliceReader) className(class uint64) (string, error) {
	if n, ok := s.classNames[class]; ok {
		return n, nil
	}
	data, bound, err := s.im.pointer(class + classDataOff)
	if err != nil {
		return "", fmt.Errorf("class at %#x: %w", class, err)
	}
	if bound != "" {
		return "", fmt.Errorf("class at %#x: data bound to %s", class, bound)
	}
	n, err := s.nameAt((data & fastDataMask) + classROnameOff)
	if err != nil {
		return "", fmt.Errorf("class at %#x: %w", class, err)
	}
	s.classNames[class] = n
	return n, nil
}

// categoryName gives "Class(Category)"; the class is "?" when it cannot be told.
func (s *sliceReader) categoryName(cat uint64) (string, error) {
	name, err := s.nameAt(cat)
	if err != nil {
		return "", fmt.Errorf("category at %#x: %w", cat, err)
	}
	class := "?"
	target, bound, err := s.im.pointer(cat + categoryClsOff)
	switch {
	case err != nil:
	case bound != "":
		class = strings.TrimPrefix(bound, "_OBJC_CLASS_$_")
	case target != 0:
		if n, err := s.className(target); err == nil {
			class = n
		}
	}
	return class + "(" + name + ")", nil
}

// categoryLike accepts "Class(Category)" with identifier-like parts.
func categoryLike(s string) bool {
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return false
	}
	class, cat := s[:open], s[open+1:len(s)-1]
	return (class == "?" || identifier(class, false)) && identifier(cat, false)
}
