package bundle

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

// bundleKinds maps a directory extension to its bundle kind.
var bundleKinds = map[string]string{
	".app":         model.BundleApp,
	".appex":       model.BundleExtension,
	".framework":   model.BundleFramework,
	".bundle":      model.BundleResource,
	".xcframework": model.BundleXCFramework,
}

// inputKinds maps the extension of an input (or of the outermost thing in a zip) to its kind.
var inputKinds = map[string]string{
	".app":         KindApp,
	".xcarchive":   KindXCArchive,
	".framework":   KindFramework,
	".xcframework": KindXCFramework,
}

// Where a bundle may keep its Info.plist and privacy manifest, in order of preference.
var resourceDirs = []string{"", "Resources/", "Versions/Current/Resources/", "Versions/A/Resources/", "Contents/"}

// ext returns the extension of p's last element, or "" when that element is only an
// extension (".app" is not a bundle).
func ext(p string) string {
	base := path.Base(p)
	e := path.Ext(base)
	if e == base {
		return ""
	}
	return e
}

func stem(p string) string {
	base := path.Base(p)
	return strings.TrimSuffix(base, path.Ext(base))
}

// ignoredDir reports whether p lies in a tree of no interest for bundles: macOS archive
// metadata (__MACOSX) and debug symbols (.dSYM), whose contents mirror the real bundles.
func ignoredDir(p string) bool {
	for elem := range strings.SplitSeq(p, "/") {
		if elem == "__MACOSX" || strings.HasSuffix(elem, ".dSYM") {
			return true
		}
	}
	return false
}

func bundleKind(p string) string {
	k := bundleKinds[ext(p)]
	if k == model.BundleApp && path.Base(parent(p)) == "Watch" {
		return model.BundleWatchApp
	}
	return k
}

// layout finds the input's kind and root, its bundles and files, once the tree is built.
func (s *Source) layout() error {
	var dirs []string
	for _, p := range s.tree.dirs {
		if n := s.tree.nodes[p]; !n.refused && (bundleKinds[ext(p)] != "" || ext(p) == ".xcarchive") && !ignoredDir(p) {
			dirs = append(dirs, p)
		}
	}
	slices.Sort(dirs)
	// Names mostly come in order already (zip tools write them so), which makes this sort cheap.
	names := s.tree.names
	slices.Sort(names)
	s.files = make([]File, 0, len(names))
	for _, p := range names {
		n := s.tree.nodes[p]
		switch {
		case n.refused:
		case n.kind == kindFile:
			s.files = append(s.files, File{Path: p, Size: n.size, CompressedSize: n.csize, Stored: n.stored, Real: p})
		case n.kind == kindLink:
			if real, dest, err := s.tree.resolve(p); err == nil && dest.kind == kindFile {
				s.files = append(s.files, File{Path: p, Size: dest.size, CompressedSize: dest.csize, Stored: dest.stored, Link: n.target, Real: real})
			}
		}
	}
	if err := s.findRoot(dirs); err != nil {
		return err
	}

	index := map[string]int{}
	for _, d := range dirs {
		if k := bundleKind(d); k != "" {
			index[d] = len(s.bundles)
			s.bundles = append(s.bundles, Bundle{Path: d, Kind: k})
		}
	}
	owners := map[string]string{} // directory -> nearest enclosing bundle ("" for none)
	var ownerOf func(dir string) string
	ownerOf = func(dir string) string {
		if dir == "" {
			return ""
		}
		if o, ok := owners[dir]; ok {
			return o
		}
		o := ""
		if _, ok := index[dir]; ok {
			o = dir
		} else {
			o = ownerOf(parent(dir))
		}
		owners[dir] = o
		return o
	}
	for i := range s.bundles {
		b := &s.bundles[i]
		b.Parent = ownerOf(parent(b.Path))
		b.InfoPlist = s.findResource(b, "Info.plist")
		b.PrivacyManifest = s.findResource(b, "PrivacyInfo.xcprivacy")
	}
	candidates := map[string][]File{}
	for _, f := range s.files {
		owner := ownerOf(parent(f.Path))
		if owner != "" && s.binaryCandidate(f, owner) {
			candidates[owner] = append(candidates[owner], f)
		}
	}
	for owner, files := range candidates {
		b := &s.bundles[index[owner]]
		b.Binaries = dedupeBinaries(b.Path, files)
	}
	return nil
}

// findRoot sets Kind and Root from the candidate directories (sorted bundle and archive
// directories).
func (s *Source) findRoot(dirs []string) error {
	top := s.tree.top
	if top != "" {
		switch kind := inputKinds[ext(top)]; kind {
		case KindApp, KindFramework, KindXCFramework:
			s.Kind, s.Root = kind, top
			return nil
		case KindXCArchive:
			return s.archiveRoot(top, dirs)
		}
	}
	prefix := ""
	if top != "" {
		prefix = top + "/"
	}
	var apps []string
	for _, d := range dirs {
		if parent(d)+"/" == prefix+"Payload/" && ext(d) == ".app" {
			apps = append(apps, d)
		}
	}
	if len(apps) > 0 {
		s.Kind, s.Root = KindIPA, apps[0]
		if top != "" {
			s.Kind = KindApp // an unzipped .ipa
		}
		if len(apps) > 1 {
			s.problem(prefix+"Payload", "%d apps under Payload/; %s is taken as the main one", len(apps), apps[0])
		}
		return nil
	}
	best := ""
	for _, d := range dirs {
		if inputKinds[ext(d)] == "" {
			continue
		}
		if best == "" || strings.Count(d, "/") < strings.Count(best, "/") {
			best = d
		}
	}
	if best == "" {
		what := "zip archive"
		if top != "" {
			what = "directory"
		}
		msg := fmt.Sprintf("%s: %s: it holds no Payload/*.app, .app, .xcarchive, .framework or .xcframework", s.Path, what)
		if len(s.problems) > 0 {
			msg += fmt.Sprintf(" (%d entries refused, first %s: %s)", len(s.problems)+s.dropped, s.problems[0].Path, s.problems[0].Message)
		}
		return fmt.Errorf("%s: %w", msg, ErrUnknownKind)
	}
	if kind := inputKinds[ext(best)]; kind == KindXCArchive {
		return s.archiveRoot(best, dirs)
	} else {
		s.Kind, s.Root = kind, best
	}
	return nil
}

// archiveRoot sets the root of an .xcarchive: its Products/Applications/*.app.
func (s *Source) archiveRoot(archive string, dirs []string) error {
	s.Kind = KindXCArchive
	apps := archive + "/Products/Applications/"
	for _, d := range dirs {
		if parent(d)+"/" == apps && ext(d) == ".app" {
			s.Root = d
			return nil
		}
	}
	return fmt.Errorf("%s: an .xcarchive without Products/Applications/*.app: %w", s.Path, ErrUnknownKind)
}

// findResource returns the path of the bundle's own file named name, or "".
func (s *Source) findResource(b *Bundle, name string) string {
	dirs := resourceDirs
	if b.Kind == model.BundleXCFramework {
		dirs = dirs[:1]
	}
	for _, d := range dirs {
		p := b.Path + "/" + d + name
		if _, _, err := s.lookup(p); err == nil {
			return p
		}
	}
	return ""
}

// binaryCandidate reports whether f, which belongs to the bundle at owner, may be Mach-O.
func (s *Source) binaryCandidate(f File, owner string) bool {
	rel := strings.TrimPrefix(f.Path, owner+"/")
	if strings.Contains(rel, "_CodeSignature/") || ignoredDir(parent(rel)) {
		return false
	}
	base := path.Base(f.Path)
	if base == stem(owner) {
		return true
	}
	switch path.Ext(base) {
	case ".dylib", ".a":
		return true
	case "":
		return f.Size >= 4 && isMachOMagic(s.peek(f, 4))
	}
	return false
}

// peek returns the first n bytes of f when that is cheap: a directory input, or a stored
// zip entry. It returns nil otherwise.
func (s *Source) peek(f File, n int) []byte {
	node := s.tree.nodes[f.Real]
	if node == nil || node.kind != kindFile {
		return nil
	}
	if node.zf != nil {
		return s.peekZip(node.zf, n)
	}
	if s.dir == nil {
		return nil
	}
	file, _, err := s.openDirFile(f.Real)
	if err != nil {
		return nil
	}
	defer file.Close()
	buf := make([]byte, n)
	if _, err := file.ReadAt(buf, 0); err != nil {
		return nil
	}
	return buf
}

// isMachOMagic reports whether b starts like a thin or fat Mach-O file or an ar archive.
func isMachOMagic(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	switch string(b[:4]) {
	case "\xfe\xed\xfa\xce", "\xce\xfa\xed\xfe", // 32-bit
		"\xfe\xed\xfa\xcf", "\xcf\xfa\xed\xfe", // 64-bit
		"\xca\xfe\xba\xbe", "\xbe\xba\xfe\xca", // fat
		"\xca\xfe\xba\xbf", "\xbf\xba\xfe\xca", // fat with 64-bit offsets
		"!<ar": // static library
		return true
	}
	return false
}

// dedupeBinaries keeps one path per real file: the one named after the bundle directly in it
// (X.framework/X rather than X.framework/Versions/A/X), else the shortest.
func dedupeBinaries(bundle string, files []File) []string {
	named := bundle + "/" + stem(bundle)
	best := map[string]string{}
	better := func(a, b string) bool {
		switch {
		case a == named:
			return true
		case b == named:
			return false
		case len(a) != len(b):
			return len(a) < len(b)
		}
		return a < b
	}
	for _, f := range files {
		if cur, ok := best[f.Real]; !ok || better(f.Path, cur) {
			best[f.Real] = f.Path
		}
	}
	out := make([]string, 0, len(best))
	for _, p := range best {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
