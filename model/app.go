package model

// App is everything the static pass learned about one input (an .ipa, .app, .xcarchive,
// .framework or .xcframework).
type App struct {
	// Path is the input path as given on the command line.
	Path string `json:"path"`
	Kind string `json:"kind"`
	// BundleID, Name, Version and Build come from the main bundle's Info.plist.
	BundleID string `json:"bundleId"`
	Name     string `json:"name,omitempty"`
	Version  string `json:"version"`
	Build    string `json:"build,omitempty"`
	MinOS    string `json:"minOS,omitempty"`

	Bundles      []Bundle     `json:"bundles"`
	Binaries     []Binary     `json:"binaries"`
	SDKs         []SDK        `json:"sdks"`
	Declarations Declarations `json:"declarations"`
	// Limitations say what the static pass could not see (encrypted binaries, for instance), so
	// that an empty SDK list is never mistaken for a clean app.
	Limitations []string `json:"limitations,omitempty"`
	Errors      []Error  `json:"errors"`
}

// DisplayName is what to call the app in prose: its name, else its bundle id, else its path.
func (a *App) DisplayName() string {
	switch {
	case a.Name != "":
		return a.Name
	case a.BundleID != "":
		return a.BundleID
	}
	return a.Path
}

// Bundle kinds.
const (
	BundleApp         = "app"
	BundleFramework   = "framework"
	BundleExtension   = "appex"
	BundleWatchApp    = "watch-app"
	BundleResource    = "bundle"
	BundleXCFramework = "xcframework"
)

// Bundle is one bundle directory inside the app: the main app, an embedded framework, an app
// extension, a watch app or a resource bundle.
type Bundle struct {
	Path       string `json:"path"`
	Kind       string `json:"kind"`
	BundleID   string `json:"bundleId,omitempty"`
	Name       string `json:"name,omitempty"`
	Version    string `json:"version,omitempty"`
	Build      string `json:"build,omitempty"`
	Executable string `json:"executable,omitempty"` // path of the bundle's main binary, if any
	// Parent is the path of the enclosing bundle ("" for the outermost one).
	Parent string `json:"parent,omitempty"`
	// InfoPlist and PrivacyManifest are paths of the bundle's own files, "" when absent.
	InfoPlist       string `json:"infoPlist,omitempty"`
	PrivacyManifest string `json:"privacyManifest,omitempty"`
}
