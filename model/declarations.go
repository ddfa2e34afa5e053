package model

// Declarations are what the app says about itself: every Info.plist and privacy manifest.
type Declarations struct {
	InfoPlists       []InfoPlist       `json:"infoPlists"`
	PrivacyManifests []PrivacyManifest `json:"privacyManifests"`
	// Privacy is all manifests merged, as Xcode's privacy report does; nil until computed.
	Privacy *PrivacyReport `json:"privacy,omitempty"`
}

// InfoPlist is one parsed Info.plist.
type InfoPlist struct {
	Path         string   `json:"path"`
	Bundle       string   `json:"bundle"`
	Format       string   `json:"format"` // xml, binary, openstep
	BundleID     string   `json:"bundleId,omitempty"`
	Name         string   `json:"name,omitempty"`
	Executable   string   `json:"executable,omitempty"`
	PackageType  string   `json:"packageType,omitempty"`
	ShortVersion string   `json:"shortVersion,omitempty"`
	Version      string   `json:"version,omitempty"`
	MinOS        string   `json:"minOS,omitempty"`
	URLSchemes   []string `json:"urlSchemes,omitempty"`
	// Keys are every top-level key, sorted.
	Keys []string `json:"keys"`
	// Values holds the top-level scalar values (string, bool, number, date as RFC 3339), so
	// consent flags can be read whatever their type in the file.
	Values map[string]any `json:"values,omitempty"`
	// ATS is the NSAppTransportSecurity dictionary's relevant flags.
	ATS *ATS `json:"ats,omitempty"`
	// XCFrameworkLibraries lists AvailableLibraries entries of an .xcframework's Info.plist.
	XCFrameworkLibraries []string `json:"xcframeworkLibraries,omitempty"`
}

// ATS is the part of NSAppTransportSecurity that matters for SDKF016.
type ATS struct {
	AllowsArbitraryLoads             *bool    `json:"allowsArbitraryLoads,omitempty"`
	AllowsArbitraryLoadsInWebContent *bool    `json:"allowsArbitraryLoadsInWebContent,omitempty"`
	ExceptionDomains                 []string `json:"exceptionDomains,omitempty"`
}

// PrivacyManifest is one parsed PrivacyInfo.xcprivacy.
type PrivacyManifest struct {
	Path               string              `json:"path"`
	Bundle             string              `json:"bundle"`
	Tracking           *bool               `json:"tracking,omitempty"`
	TrackingDomains    []string            `json:"trackingDomains,omitempty"`
	CollectedDataTypes []CollectedDataType `json:"collectedDataTypes,omitempty"`
	AccessedAPITypes   []AccessedAPIType   `json:"accessedAPITypes,omitempty"`
	// Problems are content errors App Store Connect rejects (ITMS-91108) or warns about.
	Problems []ManifestProblem `json:"problems,omitempty"`
}

// CollectedDataType is one NSPrivacyCollectedDataTypes entry.
type CollectedDataType struct {
	Type     string   `json:"type"`
	Linked   bool     `json:"linked"`
	Tracking bool     `json:"tracking"`
	Purposes []string `json:"purposes,omitempty"`
}

// AccessedAPIType is one NSPrivacyAccessedAPITypes entry.
type AccessedAPIType struct {
	Category string   `json:"category"`
	Reasons  []string `json:"reasons,omitempty"`
}

// ManifestProblem is one invalid key or value in a privacy manifest.
type ManifestProblem struct {
	// Key is the key path, e.g. NSPrivacyAccessedAPITypes[0].NSPrivacyAccessedAPITypeReasons.
	Key      string `json:"key"`
	Message  string `json:"message"`
	Severity string `json:"severity"` // error (rejected on upload) or warning
}

// PrivacyReport is the app's manifests merged, by data type, as Xcode's privacy report shows.
type PrivacyReport struct {
	Tracking        bool                `json:"tracking"`
	TrackingDomains []AttributedValue   `json:"trackingDomains,omitempty"`
	DataTypes       []PrivacyReportType `json:"dataTypes,omitempty"`
	AccessedAPIs    []PrivacyReportAPI  `json:"accessedAPIs,omitempty"`
}

// AttributedValue is a value together with the manifests (and SDKs) that declare it.
type AttributedValue struct {
	Value     string   `json:"value"`
	Manifests []string `json:"manifests"`
	SDKs      []string `json:"sdks,omitempty"`
}

// PrivacyReportType is one data type across all manifests.
type PrivacyReportType struct {
	Type      string   `json:"type"`
	Linked    bool     `json:"linked"`
	Tracking  bool     `json:"tracking"`
	Purposes  []string `json:"purposes"`
	Manifests []string `json:"manifests"`
	SDKs      []string `json:"sdks,omitempty"`
}

// PrivacyReportAPI is one required-reason API category across all manifests.
type PrivacyReportAPI struct {
	Category  string   `json:"category"`
	Reasons   []string `json:"reasons"`
	Manifests []string `json:"manifests"`
	SDKs      []string `json:"sdks,omitempty"`
}
