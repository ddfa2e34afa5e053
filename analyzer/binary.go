package analyzer

import (
	"slices"

	"github.com/sdkflow/sdkflow/model"
)

// summarize turns the facts of every slice into the binary's report entry.
func summarize(p, bundlePath string, size int64, facts *model.MachOFacts) model.Binary {
	b := model.Binary{Path: p, Bundle: bundlePath, Size: size, Facts: facts, CodeSigned: len(facts.Slices) > 0}
	seenLinked := map[model.Dylib]bool{}
	for _, sl := range facts.Slices {
		if b.Type == "" {
			b.Type = sl.FileType
		}
		b.Archs = append(b.Archs, sl.Arch)
		b.Encrypted = b.Encrypted || sl.Encrypted
		b.CodeSigned = b.CodeSigned && sl.CodeSigned
		if b.InstallName == "" {
			b.InstallName = sl.InstallName
		}
		for _, d := range sl.Dylibs {
			if !seenLinked[d] {
				seenLinked[d] = true
				b.Linked = append(b.Linked, d)
			}
		}
		b.Rpaths = append(b.Rpaths, sl.Rpaths...)
		b.Counts.Classes = max(b.Counts.Classes, len(sl.ObjCClasses))
		b.Counts.ImportedSymbols = max(b.Counts.ImportedSymbols, len(sl.ImportedSymbols))
		b.Counts.ExportedSymbols = max(b.Counts.ExportedSymbols, len(sl.ExportedSymbols))
		b.Counts.SwiftTypes = max(b.Counts.SwiftTypes, len(sl.SwiftTypes))
		b.Counts.Selectors = max(b.Counts.Selectors, len(sl.Selectors))
	}
	if len(facts.Slices) == 0 && len(facts.Members) > 0 {
		b.Type = "archive"
		for _, m := range facts.Members {
			if !slices.Contains(b.Archs, m.Arch) {
				b.Archs = append(b.Archs, m.Arch)
			}
			b.Counts.Classes += len(m.ObjCClasses)
			b.Counts.ExportedSymbols += len(m.ExportedSymbols)
			b.Counts.ImportedSymbols += len(m.ImportedSymbols)
		}
	}
	slices.Sort(b.Archs)
	b.Archs = slices.Compact(b.Archs)
	slices.Sort(b.Rpaths)
	b.Rpaths = slices.Compact(b.Rpaths)
	return b
}
