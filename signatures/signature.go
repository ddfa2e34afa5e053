package signatures

import "github.com/sdkflow/sdkflow/model"

// Signature describes one SDK: who makes it, how it shows up in an app bundle, what it sends
// over the network, and which Info.plist keys control its collection.
type Signature struct {
	// ID is lowercase kebab case and equals the file name without its extension.
	ID       string `yaml:"id" json:"id"`
	Name     string `yaml:"name" json:"name"`
	Vendor   string `yaml:"vendor" json:"vendor"`
	Category string `yaml:"category" json:"category"`
	// Tracker is true for SDKs that tracker lists treat as trackers (advertising, attribution,
	// analytics, and crash reporters that send device data to a third party).
	Tracker     bool     `yaml:"tracker" json:"tracker"`
	Website     string   `yaml:"website" json:"website"`
	References  []string `yaml:"references" json:"references"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	// AppleListed is true for SDKs on Apple's list of commonly used third-party SDKs that must
	// ship their own privacy manifest (ITMS-91061); AppleNames are the names Apple lists.
	AppleListed bool     `yaml:"appleListed,omitempty" json:"appleListed,omitempty"`
	AppleNames  []string `yaml:"appleNames,omitempty" json:"appleNames,omitempty"`

	Match        Matchers      `yaml:"match,omitempty" json:"match"`
	Network      []NetworkRule `yaml:"network,omitempty" json:"network,omitempty"`
	ConsentFlags []ConsentFlag `yaml:"consentFlags,omitempty" json:"consentFlags,omitempty"`
	// TrackingDomains are the domains the SDK is expected to declare in the
	// NSPrivacyTrackingDomains of its own privacy manifest.
	TrackingDomains []string `yaml:"trackingDomains,omitempty" json:"trackingDomains,omitempty"`
	// Android holds code signatures that apply to Android apps only (for instance Java packages
	// imported from Exodus); the iOS matcher never uses them.
	Android *Android `yaml:"android,omitempty" json:"android,omitempty"`

	// Source is where the signature was loaded from: "embedded:<file>" or a user file path.
	Source string `yaml:"-" json:"-"`
}

// Matchers are the static patterns, one list per kind of fact. Pattern syntax (README.md):
// "Name" exact, "Prefix*", "*Suffix", "*Part*", an optional "{version}" token that captures a
// version, and "re:<RE2>" for the rare case that needs a regex (it must contain a literal).
type Matchers struct {
	Frameworks   []string `yaml:"frameworks,omitempty" json:"frameworks,omitempty"`
	BundleIDs    []string `yaml:"bundleIds,omitempty" json:"bundleIds,omitempty"`
	Classes      []string `yaml:"classes,omitempty" json:"classes,omitempty"`
	SwiftModules []string `yaml:"swiftModules,omitempty" json:"swiftModules,omitempty"`
	Symbols      []string `yaml:"symbols,omitempty" json:"symbols,omitempty"`
	Dylibs       []string `yaml:"dylibs,omitempty" json:"dylibs,omitempty"`
	PlistKeys    []string `yaml:"plistKeys,omitempty" json:"plistKeys,omitempty"`
	URLSchemes   []string `yaml:"urlSchemes,omitempty" json:"urlSchemes,omitempty"`
	Strings      []string `yaml:"strings,omitempty" json:"strings,omitempty"`
}

// field pairs an evidence kind with its YAML key and its pattern list.
type field struct {
	kind, key string
	list      []string
}

func (m *Matchers) fields() []field {
	return []field{
		{model.EvidenceFramework, "frameworks", m.Frameworks},
		{model.EvidenceBundleID, "bundleIds", m.BundleIDs},
		{model.EvidenceClass, "classes", m.Classes},
		{model.EvidenceSwiftModule, "swiftModules", m.SwiftModules},
		{model.EvidenceSymbol, "symbols", m.Symbols},
		{model.EvidenceDylib, "dylibs", m.Dylibs},
		{model.EvidencePlistKey, "plistKeys", m.PlistKeys},
		{model.EvidenceURLScheme, "urlSchemes", m.URLSchemes},
		{model.EvidenceString, "strings", m.Strings},
	}
}

// Count is the number of static patterns.
func (m *Matchers) Count() int {
	n := 0
	for _, f := range m.fields() {
		n += len(f.list)
	}
	return n
}

// NetworkRule attributes traffic to the SDK. Exactly one of Host (exact name), HostSuffix (the
// domain and all its subdomains, at a label boundary) and HostPattern ("*" within labels, e.g.
// "safetrack*.singular.net") is set. Paths, when present, restrict the rule to matching URL
// paths ("*" within one segment, "**" across segments).
type NetworkRule struct {
	Host        string   `yaml:"host,omitempty" json:"host,omitempty"`
	HostSuffix  string   `yaml:"hostSuffix,omitempty" json:"hostSuffix,omitempty"`
	HostPattern string   `yaml:"hostPattern,omitempty" json:"hostPattern,omitempty"`
	Paths       []string `yaml:"paths,omitempty" json:"paths,omitempty"`
	// Purpose says what the endpoint is for ("app events", "install attribution").
	Purpose string `yaml:"purpose" json:"purpose"`
}

// Pattern is the rule's host as one string: "graph.facebook.com", ".facebook.com" for a
// suffix rule, or the host pattern.
func (r *NetworkRule) Pattern() string {
	switch {
	case r.Host != "":
		return r.Host
	case r.HostSuffix != "":
		return "." + r.HostSuffix
	}
	return r.HostPattern
}

// Flag values for ConsentFlag.Default and Safe.
const (
	FlagTrue  = "true"
	FlagFalse = "false"
	// FlagUnset is a default only: the SDK has no behaviour of its own for the key until set.
	FlagUnset = "unset"
)

// ConsentFlag is an Info.plist key that controls whether the SDK collects data at launch.
type ConsentFlag struct {
	Key string `yaml:"key" json:"key"`
	// Default is the behaviour when the key is absent: "true", "false" or "unset".
	Default string `yaml:"default" json:"default"`
	// Safe is the value that keeps the SDK quiet until consent is given at runtime.
	Safe string `yaml:"safe" json:"safe"`
	// Controls says what the key governs.
	Controls string `yaml:"controls" json:"controls"`
	Note     string `yaml:"note,omitempty" json:"note,omitempty"`
	// GatedBy names another flag of the same signature that switches collection off as a
	// whole: while that one is at its safe value, this one does not matter.
	GatedBy string `yaml:"gatedBy,omitempty" json:"gatedBy,omitempty"`
}

// CollectingFlags returns the consent flags that leave collection on at launch, given the
// top-level values of the app's Info.plist (model.InfoPlist.Values): absent and unsafe by
// default, or set to another value than the safe one. A flag whose master switch (GatedBy) is
// safe is left out.
func (s *Signature) CollectingFlags(values map[string]any) []ConsentFlag {
	safe := map[string]bool{}
	for i := range s.ConsentFlags {
		f := &s.ConsentFlags[i]
		v, ok := values[f.Key]
		safe[f.Key] = f.IsSafe(v, ok)
	}
	var out []ConsentFlag
	for _, f := range s.ConsentFlags {
		if !safe[f.Key] && !(f.GatedBy != "" && safe[f.GatedBy]) {
			out = append(out, f)
		}
	}
	return out
}

// IsSafe reports whether an Info.plist value keeps the SDK from collecting before consent.
// present is false when the key is absent; value is the plist's scalar value (bool, string or
// number, as model.InfoPlist.Values holds it).
func (f *ConsentFlag) IsSafe(value any, present bool) bool {
	if !present {
		return f.Default == f.Safe
	}
	return flagString(value) == f.Safe
}

// flagString normalises a plist scalar to "true" / "false" where it reads as a boolean.
func flagString(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return FlagTrue
		}
		return FlagFalse
	case string:
		switch x {
		case "YES", "yes", "true", "TRUE", "True", "1":
			return FlagTrue
		case "NO", "no", "false", "FALSE", "False", "0":
			return FlagFalse
		}
		return x
	case int, int64, uint64, float64:
		switch x {
		case 0, int64(0), uint64(0), float64(0):
			return FlagFalse
		}
		return FlagTrue
	}
	return ""
}

// Android holds Android-only code signatures.
type Android struct {
	// Packages are Java package prefixes (e.g. "com.facebook.appevents").
	Packages []string `yaml:"packages,omitempty" json:"packages,omitempty"`
	// Source names where they came from (e.g. "Exodus Privacy tracker 66, ODbL 1.0").
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
}
