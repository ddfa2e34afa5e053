package model

// SDK is one third-party SDK found in an app.
type SDK struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Vendor      string `json:"vendor"`
	Category    string `json:"category"`
	Tracker     bool   `json:"tracker"`
	AppleListed bool   `json:"appleListed,omitempty"`
	Version     string `json:"version"`
	// Confidence is high, medium or low: how strongly the evidence kinds together prove presence.
	Confidence string `json:"confidence"`
	// Binaries are the paths of the binaries that hold the SDK's code (its framework binary, or
	// the main executable when it is linked statically).
	Binaries []string `json:"binaries,omitempty"`
	// Bundles are the paths of the SDK's own bundles (framework, resource bundle).
	Bundles  []string   `json:"bundles,omitempty"`
	Evidence []Evidence `json:"evidence"`
}

// Confidence levels.
const (
	ConfidenceLow    = "low"
	ConfidenceMedium = "medium"
	ConfidenceHigh   = "high"
)

// Evidence kinds. Static kinds name where in the app a signature matched; dynamic kinds point
// at captured traffic or markers.
const (
	EvidenceFramework   = "framework"    // a framework or dylib file/folder name
	EvidenceBundleID    = "bundle-id"    // CFBundleIdentifier of a nested bundle
	EvidenceClass       = "class"        // an Objective-C class name
	EvidenceSwiftModule = "swift-module" // a Swift module in a mangled or demangled type name
	EvidenceSymbol      = "symbol"       // an imported or exported symbol
	EvidenceDylib       = "dylib"        // a linked dylib install name
	EvidencePlistKey    = "plist-key"    // an Info.plist key
	EvidenceURLScheme   = "url-scheme"   // a CFBundleURLSchemes entry
	EvidenceString      = "string"       // a C string in a binary
	EvidenceManifest    = "privacy-manifest"
	EvidenceFile        = "file" // a file in the app (an Info.plist, a binary)
	EvidenceFlow        = "flow" // a captured request
	EvidenceMarker      = "marker"
	EvidenceTLSFailure  = "tls-failure"
)

// Evidence is one fact that supports an SDK or a finding. Static evidence names a path inside
// the app and the value that matched; dynamic evidence names a session and a flow index.
type Evidence struct {
	Kind  string `json:"kind"`
	Path  string `json:"path,omitempty"`
	Value string `json:"value,omitempty"`
	// Pattern is the signature pattern that matched, so a reader can see how it matched.
	Pattern string `json:"pattern,omitempty"`
	// Session and Flow locate a captured request (Flow is the flow's index in the session).
	Session string `json:"session,omitempty"`
	Flow    *int   `json:"flow,omitempty"`
	// Detail is free text that explains the evidence (e.g. "time since launch 2.1s").
	Detail string `json:"detail,omitempty"`
}
