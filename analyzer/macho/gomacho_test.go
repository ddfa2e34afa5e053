package macho

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/blacktop/go-macho"
)

// TestAgreesWithGoMacho checks the bounded readers of this package against go-macho's own
// (unbounded) ones on the trusted fixtures: the same classes, categories, protocols,
// selectors and exports.
func TestAgreesWithGoMacho(t *testing.T) {
	for _, name := range []string{"TrackKit.dylib", "TrackKit-chained.dylib", "TrackKitApp"} {
		t.Run(name, func(t *testing.T) {
			b := readFixture(t, name)
			ours := read(t, b).Slices[0]
			f, err := macho.NewFile(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			var classes, cats, protos, sels, exports []string
			cl, err := f.GetObjCClasses()
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cl {
				classes = append(classes, c.Name)
			}
			cs, err := f.GetObjCCategories()
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				class := "?"
				if c.Class != nil && c.Class.Name != "" {
					class = c.Class.Name
				}
				cats = append(cats, class+"("+c.Name+")")
			}
			ps, err := f.GetObjCProtocols()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				protos = append(protos, p.Name)
			}
			sr, err := f.GetObjCSelectorReferences()
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range sr {
				sels = append(sels, s.Name)
			}
			ex, err := f.DyldExports()
			if err != nil {
				ex, err = f.GetExports()
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ex {
				exports = append(exports, e.Name)
			}
			// Our class list also holds the classes named by the symbol table.
			same(t, "classes", ours.ObjCClasses, classes)
			same(t, "categories", ours.ObjCCategories, cats)
			same(t, "protocols", ours.ObjCProtocols, protos)
			same(t, "selectors", ours.Selectors, sels)
			for _, e := range exports {
				if !slices.Contains(ours.ExportedSymbols, e) {
					t.Errorf("export %s missing", e)
				}
			}
		})
	}
}

func same(t *testing.T, what string, ours, theirs []string) {
	t.Helper()
	slices.Sort(theirs)
	theirs = slices.Compact(theirs)
	if !slices.Equal(ours, theirs) {
		t.Errorf("%s: ours %s, go-macho %s", what, strings.Join(ours, ","), strings.Join(theirs, ","))
	}
}
