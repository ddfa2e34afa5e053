package privacy

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

// Use is one required-reason API that a binary references, for one category.
type Use struct {
	Category string `json:"category"`
	// Name is the symbol or selector, exactly as in the binary.
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Member is the archive member that references it, for static libraries.
	Member string `json:"member,omitempty"`
}

func compareUses(a, b Use) int {
	return cmp.Or(strings.Compare(a.Category, b.Category), strings.Compare(a.Name, b.Name),
		strings.Compare(a.Kind, b.Kind), strings.Compare(a.Member, b.Member))
}

// Detection is what one binary's facts say about required-reason APIs.
type Detection struct {
	// Uses are sorted by category, then name, and free of duplicates across slices.
	Uses []Use
	// SelectorsUnread is set when a slice was encrypted: its selector references sit in the
	// encrypted __TEXT range and were not read, so systemUptime (SystemBootTime) and
	// activeInputModes (ActiveKeyboards) could not be looked for there. Symbols live in
	// __LINKEDIT, which FairPlay leaves readable, so the other checks still hold.
	SelectorsUnread bool
}

// Detect finds required-reason API references in a binary's facts: imported symbols (C
// functions, data constants, Objective-C classes) and selector references, every one matched
// by its exact name. Symbols a binary defines itself are not uses of Apple's API.
func Detect(f *model.MachOFacts) Detection {
	var d Detection
	if f == nil {
		return d
	}
	seen := map[Use]bool{}
	add := func(a *API, member string) {
		for _, c := range a.Categories {
			u := Use{Category: c, Name: a.Name, Kind: a.Kind, Member: member}
			if !seen[u] {
				seen[u] = true
				d.Uses = append(d.Uses, u)
			}
		}
	}
	scan := func(sl *model.SliceFacts) {
		for _, s := range sl.ImportedSymbols {
			if a, ok := symbolAPIs[s]; ok {
				add(a, sl.Member)
			}
		}
		if sl.Encrypted {
			d.SelectorsUnread = true
			return
		}
		for _, s := range sl.Selectors {
			if a, ok := selectorAPIs[s]; ok {
				add(a, sl.Member)
			}
		}
	}
	for i := range f.Slices {
		scan(&f.Slices[i])
	}
	for i := range f.Members {
		scan(&f.Members[i])
	}
	slices.SortFunc(d.Uses, compareUses)
	return d
}
