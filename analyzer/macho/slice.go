package macho

import (
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blacktop/go-macho"
	"github.com/sdkflow/sdkflow/model"
)

// sliceReader gathers the facts of one Mach-O image.
type sliceReader struct {
	rd         *reader
	lay        *layout
	f          *macho.File
	im         *image
	sf         *model.SliceFacts
	classNames map[uint64]string
}

// slice reads one Mach-O image (a thin file, a fat slice or an archive member). The error is
// non-nil only when not even the header could be read.
func (rd *reader) slice(r *io.SectionReader, member string) (model.SliceFacts, error) {
	sf := model.SliceFacts{Member: member}
	lay, err := readLayout(r, r.Size(), rd.opt)
	if lay == nil {
		return sf, err
	}
	sf.Arch = archName(lay.cpu, lay.sub)
	sf.FileType = fileTypeName(lay.fileType)
	sf.Encrypted = lay.encrypted
	sf.CodeSigned = lay.codeSigned
	if err != nil {
		sf.Errors = append(sf.Errors, err.Error())
		return sf, nil
	}
	sf.Errors = append(sf.Errors, lay.problems...)
	s := &sliceReader{rd: rd, lay: lay, sf: &sf, classNames: map[uint64]string{}}
	if err := guard(func() error {
		f, err := newGoMachoFile(r, lay)
		s.f = f
		return err
	}); err != nil {
		s.note("reading load commands: " + err.Error())
		finish(&sf)
		return sf, nil
	}
	if err := guard(func() error { s.im = newImage(s.f, r, r.Size(), lay, rd.opt); return nil }); err != nil {
		s.note("mapping sections: " + err.Error())
		finish(&sf)
		return sf, nil
	}
	s.part("load commands", func() error { s.loads(); return nil })
	s.part("symbols", s.symbols)
	s.part("exports", s.exports)
	if !sf.Encrypted {
		s.part("Objective-C metadata", func() error { s.objcNames(); return nil })
		s.part("Swift types", s.swiftTypes)
		s.part("C strings", s.cstrings)
		s.part("class symbols", func() error { s.classesFromSymbols(); return nil })
	}
	finish(&sf)
	return sf, nil
}

// newGoMachoFile has go-macho parse the load commands readLayout found sound.
func newGoMachoFile(r io.ReaderAt, lay *layout) (*macho.File, error) {
	return macho.NewFile(r, macho.FileConfig{LoadIncluding: lay.include})
}

func (s *sliceReader) note(msg string) { s.sf.Errors = append(s.sf.Errors, msg) }

// part runs one reader of the slice; its failure (or panic) is recorded and the rest goes on.
func (s *sliceReader) part(what string, fn func() error) {
	if err := guard(fn); err != nil {
		s.note(what + ": " + err.Error())
	}
}

// guard turns a panic in fn into an error.
func guard(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed input (parser panic: %v)", p)
			if debugPanics {
				err = fmt.Errorf("%w\n%s", err, debug.Stack())
			}
		}
	}()
	return fn()
}

// debugPanics adds stack traces to recovered panics; tests turn it on.
var debugPanics = false

func (s *sliceReader) loads() {
	for _, l := range s.f.Loads {
		switch c := l.(type) {
		case *macho.LoadDylib:
			s.dylib(c.Dylib, model.DylibLoad)
		case *macho.WeakDylib:
			s.dylib(c.Dylib, model.DylibWeak)
		case *macho.ReExportDylib:
			s.dylib(c.Dylib, model.DylibReexport)
		case *macho.LazyLoadDylib:
			s.dylib(c.Dylib, model.DylibLazy)
		case *macho.UpwardDylib:
			s.dylib(c.Dylib, model.DylibUpward)
		case *macho.IDDylib:
			s.sf.InstallName = c.Name
		case *macho.Rpath:
			s.sf.Rpaths = append(s.sf.Rpaths, c.Path)
		case *macho.BuildVersion:
			s.sf.MinOS, s.sf.SDK = version(uint32(c.Minos)), version(uint32(c.Sdk))
		case *macho.VersionMin:
			if s.sf.MinOS == "" {
				s.sf.MinOS, s.sf.SDK = version(uint32(c.Version)), version(uint32(c.Sdk))
			}
		}
	}
}

func (s *sliceReader) dylib(d macho.Dylib, kind string) {
	// A dylib_use_command carries the kind in flags rather than in the command.
	switch {
	case d.Flags&0x1 != 0:
		kind = model.DylibWeak
	case d.Flags&0x2 != 0:
		kind = model.DylibReexport
	case d.Flags&0x4 != 0:
		kind = model.DylibUpward
	}
	s.sf.Dylibs = append(s.sf.Dylibs, model.Dylib{Name: d.Name, Kind: kind})
}

// Symbol type bits (nlist n_type).
const (
	nStab = 0xe0
	nPext = 0x10
	nType = 0x0e
	nExt  = 0x01
	nUndf = 0x0
	nAbs  = 0x2
	nIndr = 0xa
	nSect = 0xe
)

func (s *sliceReader) symbols() error {
	if s.f.Symtab == nil {
		return nil
	}
	for _, sym := range s.f.Symtab.Syms {
		t := uint8(sym.Type)
		if t&nStab != 0 || sym.Name == "" {
			continue
		}
		switch typ := t & nType; {
		case typ == nUndf && t&nExt != 0 && sym.Value == 0:
			s.sf.ImportedSymbols = append(s.sf.ImportedSymbols, sym.Name)
		case t&nExt != 0 && t&nPext == 0 && (typ == nSect || typ == nAbs || typ == nIndr):
			s.sf.ExportedSymbols = append(s.sf.ExportedSymbols, sym.Name)
		}
	}
	return nil
}

// classesFromSymbols adds the classes defined here that the symbol table names, which is all
// an object file offers before linking and survives in unstripped images.
func (s *sliceReader) classesFromSymbols() {
	if s.f.Symtab == nil {
		return
	}
	for _, sym := range s.f.Symtab.Syms {
		t := uint8(sym.Type)
		if t&nStab != 0 || t&nType != nSect {
			continue
		}
		if n, ok := strings.CutPrefix(sym.Name, "_OBJC_CLASS_$_"); ok && identifier(n, false) {
			s.sf.ObjCClasses = append(s.sf.ObjCClasses, n)
		}
	}
}

func (s *sliceReader) exports() error {
	sp := s.lay.exportsTrie
	if sp.size == 0 {
		sp = s.lay.exportInfo
	}
	if sp.size == 0 {
		return nil
	}
	if int64(sp.size) > s.rd.opt.MaxSectionSize {
		return fmt.Errorf("export trie of %d bytes is above the bound", sp.size)
	}
	data := make([]byte, sp.size)
	if _, err := s.im.r.ReadAt(data, int64(sp.off)); err != nil {
		return fmt.Errorf("reading the export trie: %w", err)
	}
	return walkExportTrie(data, s.rd.opt.MaxNames, func(name string) {
		s.sf.ExportedSymbols = append(s.sf.ExportedSymbols, name)
	})
}

// cstrings keeps the printable strings of __TEXT,__cstring, bounded in number and length.
func (s *sliceReader) cstrings() error {
	opt := s.rd.opt
	seen := map[string]bool{}
	for _, sec := range s.im.sections("__TEXT", "__cstring") {
		data, err := s.im.data(sec)
		if err != nil {
			return err
		}
		for len(data) > 0 {
			i := 0
			for i < len(data) && data[i] != 0 {
				i++
			}
			str := data[:i]
			if i < len(data) {
				i++
			}
			data = data[i:]
			if len(str) < opt.MinStringLen || !printable(str) {
				continue
			}
			if len(str) > opt.MaxStringLen {
				str = cut(str, opt.MaxStringLen)
			}
			if seen[string(str)] {
				continue
			}
			if len(seen) >= opt.MaxStrings {
				s.note(fmt.Sprintf("C strings: more than %d; the rest were not kept", opt.MaxStrings))
				return nil
			}
			seen[string(str)] = true
			s.sf.Strings = append(s.sf.Strings, string(str))
		}
	}
	return nil
}

func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}

// cut shortens b to at most n bytes without splitting a UTF-8 sequence.
func cut(b []byte, n int) []byte {
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:n]
}

// finish sorts every list and removes duplicates, as the model promises.
func finish(sf *model.SliceFacts) {
	for _, l := range []*[]string{&sf.Rpaths, &sf.ImportedSymbols, &sf.ExportedSymbols, &sf.ObjCClasses,
		&sf.ObjCCategories, &sf.ObjCProtocols, &sf.SwiftTypes, &sf.Selectors, &sf.Strings} {
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
	slices.SortFunc(sf.Dylibs, func(a, b model.Dylib) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	sf.Dylibs = slices.Compact(sf.Dylibs)
}
