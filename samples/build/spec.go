package main

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxSpecSize bounds a spec file; hand-written specs are small, generated ones (bench/scan)
// list thousands of classes and files.
const maxSpecSize = 4 << 20

// Spec is one app: the root of a spec file. Extensions and watch apps use the same shape.
type Spec struct {
	Bundle `yaml:",inline"`
	// Output is where the .ipa goes, relative to the spec (default: the spec's path with .ipa).
	Output string `yaml:"output"`
	// MinOS is the deployment target of every binary (default 14.0).
	MinOS string `yaml:"minOS"`
	// Stored lists glob patterns (path.Match, against the entry name and its base name) of files
	// stored uncompressed in the zip, as image-heavy IPAs do.
	Stored []string `yaml:"stored"`
	// URLSchemes fill CFBundleURLTypes[0].CFBundleURLSchemes.
	URLSchemes []string `yaml:"urlSchemes"`
	// PlugIns go to PlugIns/<name>.appex; Watch to Watch/<name>.app.
	Extensions []*Spec `yaml:"extensions"`
	Watch      *Spec   `yaml:"watch"`
	// Dylibs are loose dynamic libraries under Frameworks/.
	Dylibs []*Bundle `yaml:"dylibs"`
}

// Bundle is what apps, extensions, frameworks, dylibs and resource bundles share. Not every
// field applies to every kind; validate says which.
type Bundle struct {
	Binary `yaml:",inline"`
	// BundleID, Version and Build become CFBundleIdentifier, CFBundleShortVersionString and
	// CFBundleVersion.
	BundleID string `yaml:"bundleId"`
	Version  string `yaml:"version"`
	Build    string `yaml:"build"`
	// InfoPlist holds extra top-level Info.plist keys; they override the generated ones.
	InfoPlist map[string]any `yaml:"infoPlist"`
	// PlistFormat is xml (default) or binary, for this bundle's Info.plist.
	PlistFormat string `yaml:"plistFormat"`
	// PrivacyManifest is a file, relative to the spec, copied as PrivacyInfo.xcprivacy.
	PrivacyManifest string `yaml:"privacyManifest"`
	// Files are extra plain files in the bundle: path → content.
	Files map[string]string `yaml:"files"`
	// FilesFrom are extra files copied from disk: path in the bundle → file relative to the spec.
	FilesFrom map[string]string `yaml:"filesFrom"`
	// Frameworks go to Frameworks/<name>.framework/<name> and are linked by the bundle's executable.
	Frameworks []*Bundle `yaml:"frameworks"`
	// ResourceBundles go to <name>.bundle.
	ResourceBundles []*Bundle `yaml:"resourceBundles"`
	// Linked says whether the parent executable links this framework or dylib (default true).
	// False embeds it without an LC_LOAD_DYLIB, like a plug-in loaded at run time.
	Linked *bool `yaml:"linked"`
}

// Binary holds the fields of anything that becomes a Mach-O file.
type Binary struct {
	Name      string `yaml:"name"`
	Code      `yaml:",inline"`
	Arch      []string  `yaml:"arch"`
	Encrypted bool      `yaml:"encrypted"`
	Signed    *bool     `yaml:"signed"`
	Static    []*Static `yaml:"static"`
}

// Static is SDK code linked statically into a binary (an .a loaded with -force_load).
type Static struct {
	Name string `yaml:"name"`
	Code `yaml:",inline"`
}

// Code is what goes into an object file: our sources plus generated declarations.
type Code struct {
	Sources   []string `yaml:"sources"`
	Classes   []Class  `yaml:"classes"`
	Symbols   []Symbol `yaml:"symbols"`
	Strings   []string `yaml:"strings"`
	Selectors []string `yaml:"selectors"`
	Imports   []Import `yaml:"imports"`
	Links     []Link   `yaml:"links"`
	// Blobs are files (relative to the spec) included verbatim in a __DATA,__blob section, to
	// give a binary bulk without writing code.
	Blobs []string `yaml:"blobs"`
}

// Class is a generated ObjC class: a plain name, or {name, super, methods}.
type Class struct {
	Name    string   `yaml:"name"`
	Super   string   `yaml:"super"`
	Methods []string `yaml:"methods"`
}

// Symbol is a generated exported C data symbol: a plain C name, or {name, value}.
type Symbol struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

// Import is a reference to a symbol of the stub SDK (or a linked framework), by its raw symbol
// name (`_stat`, `_OBJC_CLASS_$_NSUserDefaults`): a plain name, or {name, weak}.
type Import struct {
	Name string `yaml:"name"`
	Weak bool   `yaml:"weak"`
}

// Link is a linked framework: a plain name, or {name, weak}. The name is a framework of the
// stub SDK, or a framework or dylib built from the same spec.
type Link struct {
	Name string `yaml:"name"`
	Weak bool   `yaml:"weak"`
}

func (c *Class) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&c.Name)
	}
	type plain Class
	return decodeStrict(n, (*plain)(c))
}

func (s *Symbol) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&s.Name)
	}
	type plain Symbol
	return decodeStrict(n, (*plain)(s))
}

func (i *Import) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&i.Name)
	}
	type plain Import
	return decodeStrict(n, (*plain)(i))
}

func (l *Link) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&l.Name)
	}
	type plain Link
	return decodeStrict(n, (*plain)(l))
}

// decodeStrict decodes a mapping node rejecting unknown keys (node.Decode does not).
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a name or a mapping", n.Line)
	}
	known := map[string]bool{}
	for _, k := range yamlKeys(v) {
		known[k] = true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; !known[k] {
			return fmt.Errorf("line %d: unknown field %q", n.Content[i].Line, k)
		}
	}
	return n.Decode(v)
}

// loadSpec reads and validates one spec file.
func loadSpec(specPath string) (*Spec, error) {
	f, err := os.Open(specPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(ioLimit(f, maxSpecSize+1)); err != nil {
		return nil, fmt.Errorf("%s: reading spec: %w", specPath, err)
	}
	if buf.Len() > maxSpecSize {
		return nil, fmt.Errorf("%s: spec larger than %d bytes", specPath, maxSpecSize)
	}
	s, err := parseSpec(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", specPath, err)
	}
	return s, nil
}

// parseSpec decodes and validates a spec, rejecting unknown fields.
func parseSpec(data []byte) (s *Spec, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("parsing spec: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	s = new(Spec)
	if err := dec.Decode(s); err != nil {
		return nil, fmt.Errorf("parsing spec: %w", err)
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

var (
	bundleNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_ .+-]*$`)
	cNameRE      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	rawSymbolRE  = regexp.MustCompile(`^[A-Za-z0-9_$.@]+$`)
	selectorRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(:([A-Za-z_][A-Za-z0-9_]*:)*)?$`)
	classNameRE  = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$.+-]*$`)
	versionRE    = regexp.MustCompile(`^[0-9A-Za-z._-]*$`)
	archNames    = map[string]bool{"arm64": true, "x86_64": true}
)

func (s *Spec) validate() error {
	if s.Output != "" {
		// The .ipa goes beside the spec or below it, never elsewhere.
		if err := checkEntryPath(filepath.ToSlash(s.Output)); err != nil || filepath.IsAbs(s.Output) {
			return fmt.Errorf("output %q: want a relative path below the spec's directory", s.Output)
		}
		if !strings.HasSuffix(s.Output, ".ipa") {
			return fmt.Errorf("output %q: want a .ipa file", s.Output)
		}
	}
	return s.validateApp("app")
}

func (s *Spec) validateApp(what string) error {
	if err := s.Bundle.validate(what, kindApp); err != nil {
		return err
	}
	if s.BundleID == "" {
		return fmt.Errorf("%s %q: bundleId is required", what, s.Name)
	}
	for _, sc := range s.URLSchemes {
		if sc == "" {
			return fmt.Errorf("%s %q: empty URL scheme", what, s.Name)
		}
	}
	for _, p := range s.Stored {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("%s %q: stored pattern %q: %w", what, s.Name, p, err)
		}
	}
	for _, d := range s.Dylibs {
		if err := d.validate("dylib", kindDylib); err != nil {
			return err
		}
		if !strings.HasSuffix(d.Name, ".dylib") {
			return fmt.Errorf("dylib %q: name must end in .dylib", d.Name)
		}
	}
	if err := uniqueNames(what+" "+s.Name+" frameworks and dylibs", s.Frameworks, s.Dylibs); err != nil {
		return err
	}
	for _, e := range s.Extensions {
		if e.Output != "" || e.MinOS != "" || e.Stored != nil || e.Watch != nil || e.Extensions != nil {
			return fmt.Errorf("extension %q: output, minOS, stored, watch and extensions belong to the app", e.Name)
		}
		if err := e.validateApp("extension"); err != nil {
			return err
		}
	}
	if w := s.Watch; w != nil {
		if w.Output != "" || w.MinOS != "" || w.Stored != nil || w.Watch != nil {
			return fmt.Errorf("watch app %q: output, minOS, stored and watch belong to the app", w.Name)
		}
		if err := w.validateApp("watch app"); err != nil {
			return err
		}
	}
	if s.MinOS != "" && !regexp.MustCompile(`^[0-9]+\.[0-9]+$`).MatchString(s.MinOS) {
		return fmt.Errorf("minOS %q: want MAJOR.MINOR", s.MinOS)
	}
	return nil
}

type bundleKind int

const (
	kindApp bundleKind = iota
	kindFramework
	kindDylib
	kindResources
)

func (b *Bundle) validate(what string, kind bundleKind) error {
	if !bundleNameRE.MatchString(b.Name) || b.Name == "." || b.Name == ".." {
		return fmt.Errorf("%s name %q: want letters, digits and ._+- only", what, b.Name)
	}
	where := fmt.Sprintf("%s %q", what, b.Name)
	if kind == kindResources {
		if !b.Binary.isEmpty() {
			return fmt.Errorf("%s: a resource bundle has no code", where)
		}
	} else if err := b.Binary.validate(where); err != nil {
		return err
	}
	if kind == kindDylib || kind == kindResources {
		if b.Frameworks != nil || b.ResourceBundles != nil {
			return fmt.Errorf("%s: cannot hold frameworks or resource bundles", where)
		}
	}
	if kind == kindDylib && (b.BundleID != "" || b.InfoPlist != nil || b.PrivacyManifest != "" ||
		b.Files != nil || b.FilesFrom != nil || b.PlistFormat != "") {
		return fmt.Errorf("%s: a loose dylib has no bundle (bundleId, infoPlist, privacyManifest, files)", where)
	}
	if kind == kindFramework && b.Frameworks != nil {
		return fmt.Errorf("%s: nested frameworks are not supported", where)
	}
	if kind == kindApp && b.Linked != nil {
		return fmt.Errorf("%s: linked applies to frameworks and dylibs", where)
	}
	if !versionRE.MatchString(b.Version) || !versionRE.MatchString(b.Build) {
		return fmt.Errorf("%s: version and build: want letters, digits and ._- only", where)
	}
	switch b.PlistFormat {
	case "", "xml", "binary":
	default:
		return fmt.Errorf("%s: plistFormat %q: want xml or binary", where, b.PlistFormat)
	}
	if b.PrivacyManifest != "" {
		if err := checkSpecRelative(b.PrivacyManifest); err != nil {
			return fmt.Errorf("%s: privacyManifest: %w", where, err)
		}
	}
	for p := range b.Files {
		if err := checkEntryPath(p); err != nil {
			return fmt.Errorf("%s: files: %w", where, err)
		}
	}
	for p, src := range b.FilesFrom {
		if err := checkEntryPath(p); err != nil {
			return fmt.Errorf("%s: filesFrom: %w", where, err)
		}
		if err := checkSpecRelative(src); err != nil {
			return fmt.Errorf("%s: filesFrom %q: %w", where, p, err)
		}
		if _, dup := b.Files[p]; dup {
			return fmt.Errorf("%s: %q is in both files and filesFrom", where, p)
		}
	}
	for _, f := range b.Frameworks {
		if err := f.validate("framework", kindFramework); err != nil {
			return err
		}
	}
	for _, r := range b.ResourceBundles {
		if err := r.validate("resource bundle", kindResources); err != nil {
			return err
		}
	}
	return uniqueNames(where+" resource bundles", b.ResourceBundles, nil)
}

func (b *Binary) isEmpty() bool {
	c := b.Code
	return len(c.Sources)+len(c.Classes)+len(c.Symbols)+len(c.Strings)+len(c.Selectors)+
		len(c.Imports)+len(c.Links)+len(c.Blobs)+len(b.Arch)+len(b.Static) == 0 &&
		!b.Encrypted && b.Signed == nil
}

func (b *Binary) validate(where string) error {
	seen := map[string]bool{}
	for _, a := range b.Arch {
		if !archNames[a] {
			return fmt.Errorf("%s: arch %q: want arm64 or x86_64", where, a)
		}
		if seen[a] {
			return fmt.Errorf("%s: arch %q listed twice", where, a)
		}
		seen[a] = true
	}
	if err := b.Code.validate(where); err != nil {
		return err
	}
	names := map[string]bool{}
	for _, s := range b.Static {
		if !cNameRE.MatchString(s.Name) {
			return fmt.Errorf("%s: static library name %q: want a C identifier", where, s.Name)
		}
		if names[s.Name] {
			return fmt.Errorf("%s: static library %q listed twice", where, s.Name)
		}
		names[s.Name] = true
		if err := s.Code.validate(fmt.Sprintf("%s: static %q", where, s.Name)); err != nil {
			return err
		}
	}
	return nil
}

func (c *Code) validate(where string) error {
	for _, src := range append(append([]string{}, c.Sources...), c.Blobs...) {
		if err := checkSpecRelative(src); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	for _, src := range c.Sources {
		switch filepath.Ext(src) {
		case ".m", ".c", ".s", ".S":
		default:
			return fmt.Errorf("%s: source %q: want .m, .c, .s or .S", where, src)
		}
	}
	for _, cl := range c.Classes {
		if !classNameRE.MatchString(cl.Name) {
			return fmt.Errorf("%s: class name %q", where, cl.Name)
		}
		if cl.Super != "" && !classNameRE.MatchString(cl.Super) {
			return fmt.Errorf("%s: class %q: superclass name %q", where, cl.Name, cl.Super)
		}
		for _, m := range cl.Methods {
			if !selectorRE.MatchString(strings.TrimPrefix(strings.TrimPrefix(m, "+"), "-")) {
				return fmt.Errorf("%s: class %q: method %q is not a selector", where, cl.Name, m)
			}
		}
	}
	for _, s := range c.Symbols {
		if !cNameRE.MatchString(s.Name) && !rawSymbolRE.MatchString(s.Name) {
			return fmt.Errorf("%s: symbol name %q", where, s.Name)
		}
	}
	for _, s := range c.Selectors {
		if !selectorRE.MatchString(s) {
			return fmt.Errorf("%s: selector %q", where, s)
		}
	}
	for _, i := range c.Imports {
		if !rawSymbolRE.MatchString(i.Name) {
			return fmt.Errorf("%s: import %q", where, i.Name)
		}
	}
	for _, l := range c.Links {
		if !bundleNameRE.MatchString(l.Name) {
			return fmt.Errorf("%s: link %q", where, l.Name)
		}
	}
	return nil
}

func uniqueNames(where string, a, b []*Bundle) error {
	seen := map[string]bool{}
	for _, x := range append(append([]*Bundle{}, a...), b...) {
		if seen[x.Name] {
			return fmt.Errorf("%s: %q appears twice", where, x.Name)
		}
		seen[x.Name] = true
	}
	return nil
}

// checkEntryPath accepts a clean relative slash path that stays inside the bundle.
func checkEntryPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || path.Clean(p) != p ||
		p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return fmt.Errorf("path %q: want a clean relative path inside the bundle", p)
	}
	return nil
}

// checkSpecRelative accepts a relative path; files next to or below the spec, or in sibling
// directories (shared sources), are fine, absolute paths are not.
func checkSpecRelative(p string) error {
	if p == "" || filepath.IsAbs(p) {
		return fmt.Errorf("file %q: want a path relative to the spec", p)
	}
	return nil
}

func (b *Bundle) isLinked() bool    { return b.Linked == nil || *b.Linked }
func (b *Binary) isSigned() bool    { return b.Signed == nil || *b.Signed }
func (b *Bundle) plistBinary() bool { return b.PlistFormat == "binary" }
