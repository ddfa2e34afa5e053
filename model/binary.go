package model

// Binary is one Mach-O file (thin or fat) inside an app. The summary fields are reported; the
// full facts stay in memory for matching and rules, since a large app has tens of thousands of
// symbols that no reader of a report wants inline.
type Binary struct {
	Path   string `json:"path"`
	Bundle string `json:"bundle,omitempty"` // path of the bundle that holds it
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size"`
	// Type is the Mach-O file type of the first slice: execute, dylib, bundle, object, archive.
	Type        string   `json:"type"`
	Archs       []string `json:"archs"`
	Encrypted   bool     `json:"encrypted"`
	CodeSigned  bool     `json:"codeSigned"`
	InstallName string   `json:"installName,omitempty"`
	Linked      []Dylib  `json:"linked,omitempty"`
	Rpaths      []string `json:"rpaths,omitempty"`
	Counts      Counts   `json:"counts"`

	Facts *MachOFacts `json:"-"`
}

// Counts summarise a binary's facts for the report.
type Counts struct {
	Classes         int `json:"classes"`
	ImportedSymbols int `json:"importedSymbols"`
	ExportedSymbols int `json:"exportedSymbols"`
	SwiftTypes      int `json:"swiftTypes"`
	Selectors       int `json:"selectors"`
}

// Dylib kinds, after the load command that names them.
const (
	DylibLoad     = "load"
	DylibWeak     = "weak"
	DylibReexport = "reexport"
	DylibLazy     = "lazy"
	DylibUpward   = "upward"
)

// Dylib is one linked library.
type Dylib struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// MachOFacts is what was read from every slice of one Mach-O file.
type MachOFacts struct {
	Slices []SliceFacts
	// Members holds the object files of a static archive (ar), one entry per member and slice.
	Members []SliceFacts
	// Errors are problems with the container itself (a fat header entry out of range, a
	// truncated archive, a bound reached); problems inside one slice are in its Errors.
	Errors []string
}

// SliceFacts is what one architecture slice of a Mach-O file yields. Lists are sorted and
// free of duplicates. When Encrypted is true, ObjC names, selectors and strings were not read:
// they would be ciphertext read as text.
type SliceFacts struct {
	Arch        string
	FileType    string
	Member      string // archive member name, for objects inside a static library
	Encrypted   bool
	CodeSigned  bool
	InstallName string
	MinOS       string
	SDK         string
	Dylibs      []Dylib
	Rpaths      []string
	// ImportedSymbols are undefined external symbols (what the binary uses from others).
	ImportedSymbols []string
	// ExportedSymbols are defined external symbols (what it offers, including the
	// _OBJC_CLASS_$_ symbols of classes linked in statically).
	ExportedSymbols []string
	ObjCClasses     []string
	ObjCCategories  []string // "Class(Category)"
	ObjCProtocols   []string
	SwiftTypes      []string
	Selectors       []string
	// Strings are C strings from __TEXT,__cstring, bounded in number and length.
	Strings []string
	// Errors are parts that could not be read (e.g. a corrupt ObjC section); the rest stands.
	Errors []string
}
