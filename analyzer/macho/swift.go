package macho

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Swift context descriptor kinds (the low five bits of the flags word).
const (
	swiftModule    = 0
	swiftExtension = 1
	swiftAnonymous = 2
	swiftProtocol  = 3
	swiftOpaque    = 4
	swiftClass     = 16
	swiftEnumLast  = 31
)

// swiftTypes reads the qualified names ("Module.Outer.Inner") of the types listed in
// __swift5_types. Only names are read: a descriptor's flags, parent and name fields, and its
// parents' the same way, up to a bounded depth. go-macho's GetSwiftTypes reads the whole
// metadata and allocates what truncated descriptors claim, which a crafted file turns into a
// fatal out-of-memory.
func (s *sliceReader) swiftTypes() error {
	if !s.lay.is64 {
		return nil // noted with the Objective-C metadata
	}
	secs := s.im.sections("__TEXT", "__swift5_types", "__swift5_types2")
	if s.im.object && len(secs) > 0 {
		// The relative pointers of an object file are relocations still to be applied.
		return errors.New("not read from object files; link the library to see them")
	}
	var firstErr error
	failed := 0
	for _, sec := range secs {
		data, err := s.im.data(sec)
		if err != nil {
			return err
		}
		for off := 0; off+4 <= len(data); off += 4 {
			if len(s.sf.SwiftTypes) >= s.rd.opt.MaxNames {
				return fmt.Errorf("more than %d Swift types; the rest were not read", s.rd.opt.MaxNames)
			}
			rel := int32(s.im.bo.Uint32(data[off:]))
			slot := sec.addr + uint64(off)
			target := uint64(int64(slot) + int64(rel&^3))
			var desc uint64
			switch rel & 3 {
			case 0: // direct type descriptor
				desc = target
			case 1: // indirect: a pointer to the descriptor
				t, bound, err := s.im.pointer(target)
				if err != nil || bound != "" {
					continue
				}
				desc = t
			default: // Objective-C class names: listed with the classes
				continue
			}
			name, err := s.swiftName(desc)
			if err != nil {
				failed++
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			if identifier(name, false) {
				s.sf.SwiftTypes = append(s.sf.SwiftTypes, name)
			}
		}
	}
	if firstErr != nil {
		return fmt.Errorf("%d Swift type names unreadable, first: %w", failed, firstErr)
	}
	return nil
}

const maxSwiftDepth = 16

func (s *sliceReader) swiftName(desc uint64) (string, error) {
	var parts []string
	for depth := 0; desc != 0; depth++ {
		if depth >= maxSwiftDepth {
			return "", fmt.Errorf("Swift descriptor %#x nests deeper than %d", desc, maxSwiftDepth)
		}
		head, err := s.im.bytesAt(desc, 8)
		if err != nil {
			return "", fmt.Errorf("Swift descriptor %#x: %w", desc, err)
		}
		kind := s.im.bo.Uint32(head) & 0x1f
		switch {
		case kind == swiftModule, kind == swiftProtocol, kind >= swiftClass && kind <= swiftEnumLast:
			name, err := s.relString(desc + 8)
			if err != nil {
				return "", fmt.Errorf("Swift descriptor %#x: %w", desc, err)
			}
			parts = append(parts, name)
		case kind == swiftExtension, kind == swiftAnonymous, kind == swiftOpaque:
			// No name of their own; the chain goes on through the parent.
		default:
			return "", fmt.Errorf("Swift descriptor %#x has unknown kind %d", desc, kind)
		}
		if kind == swiftModule {
			break
		}
		rel := int32(s.im.bo.Uint32(head[4:]))
		if rel == 0 {
			break
		}
		parent := uint64(int64(desc+4) + int64(rel&^1))
		if rel&1 != 0 { // indirect: through a pointer, often bound to another image's module
			t, bound, err := s.im.pointer(parent)
			if err != nil || bound != "" {
				break
			}
			parent = t
		}
		desc = parent
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("Swift descriptor has no name")
	}
	slices.Reverse(parts)
	return strings.Join(parts, "."), nil
}

// relString follows the 32-bit relative pointer at addr to a C string.
func (s *sliceReader) relString(addr uint64) (string, error) {
	b, err := s.im.bytesAt(addr, 4)
	if err != nil {
		return "", err
	}
	rel := int32(s.im.bo.Uint32(b))
	return s.im.cstring(uint64(int64(addr) + int64(rel)))
}
