package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// builder turns one spec into the files of an app, in a private work directory.
type builder struct {
	tc      *toolchain
	specDir string
	minOS   string
	work    string
	// linkArchs are the architectures every dynamic library is built for, so that any binary of
	// the app can link it; only the library's own architectures are shipped.
	linkArchs []string
	entries   []entry
	seq       int
}

// linkable is a dynamic library built from the spec, as other binaries link it.
type linkable struct {
	name   string            // framework name, or dylib file name
	slices map[string]string // arch → unpatched thin file
}

// binaryJob describes one Mach-O file to build.
type binaryJob struct {
	bin         *Binary
	fileName    string // the file's name in the bundle (also the code signature identifier)
	dylib       bool
	installName string
	version     string
	deps        []*linkable // linked by default (the executable's frameworks)
	scope       []*linkable // what `links` may name besides stub frameworks
	rpaths      []string
}

func (b *builder) tempDir(what string) (string, error) {
	b.seq++
	dir := filepath.Join(b.work, fmt.Sprintf("%03d-%s", b.seq, sanitize(what)))
	return dir, os.MkdirAll(dir, 0o755)
}

func sanitize(s string) string {
	return regexp.MustCompile(`[^A-Za-z0-9_.-]`).ReplaceAllString(s, "_")
}

// buildApp builds an app, extension or watch app whose bundle is at prefix ("Payload/X.app/").
// parentScope holds the frameworks of the enclosing app (an extension may link them).
func (b *builder) buildApp(ctx context.Context, s *Spec, prefix, packageType string, parentScope []*linkable) error {
	order, err := linkOrder(s.Frameworks, s.Dylibs)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	var local []*linkable
	var linked []*linkable
	for _, x := range order {
		isFramework := contains(s.Frameworks, x)
		job := binaryJob{bin: &x.Binary, fileName: x.Name, dylib: true, version: x.Version,
			scope: append(append([]*linkable{}, local...), parentScope...)}
		var binPath, bundleDir string
		if isFramework {
			job.installName = "@rpath/" + x.Name + ".framework/" + x.Name
			job.rpaths = []string{"@executable_path/Frameworks", "@loader_path/Frameworks"}
			bundleDir = prefix + "Frameworks/" + x.Name + ".framework/"
			binPath = bundleDir + x.Name
		} else {
			job.installName = "@rpath/" + x.Name
			binPath = prefix + "Frameworks/" + x.Name
		}
		lib, err := b.buildBinary(ctx, job, binPath)
		if err != nil {
			return err
		}
		local = append(local, lib)
		if x.isLinked() {
			linked = append(linked, lib)
		}
		if isFramework {
			if err := b.addBundleFiles(x, bundleDir, b.infoPlist(x, "FMWK", x.Name, nil)); err != nil {
				return err
			}
		}
	}

	rpaths := []string{"@executable_path/Frameworks"}
	if packageType == "XPC!" {
		rpaths = append(rpaths, "@executable_path/../../Frameworks")
	}
	job := binaryJob{bin: &s.Binary, fileName: s.Name, deps: linked,
		scope: append(append([]*linkable{}, local...), parentScope...), rpaths: rpaths}
	if _, err := b.buildBinary(ctx, job, prefix+s.Name); err != nil {
		return err
	}

	for _, e := range s.Extensions {
		if err := b.buildApp(ctx, e, prefix+"PlugIns/"+e.Name+".appex/", "XPC!", local); err != nil {
			return err
		}
	}
	if s.Watch != nil {
		if err := b.buildApp(ctx, s.Watch, prefix+"Watch/"+s.Watch.Name+".app/", "APPL", nil); err != nil {
			return err
		}
	}
	if packageType == "APPL" {
		b.entries = append(b.entries, entry{name: prefix + "PkgInfo", mode: 0o644, data: []byte("APPL????")})
	}
	return b.addBundleFiles(&s.Bundle, prefix, b.infoPlist(&s.Bundle, packageType, s.Name, s.URLSchemes))
}

func contains(list []*Bundle, x *Bundle) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// linkOrder orders an app's frameworks and dylibs so each comes after the siblings it links.
func linkOrder(frameworks, dylibs []*Bundle) ([]*Bundle, error) {
	all := append(append([]*Bundle{}, frameworks...), dylibs...)
	byName := map[string]*Bundle{}
	for _, x := range all {
		byName[x.Name] = x
	}
	var order []*Bundle
	state := map[*Bundle]int{} // 1 visiting, 2 done
	var visit func(x *Bundle, path []string) error
	visit = func(x *Bundle, path []string) error {
		switch state[x] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("frameworks link each other in a cycle: %s", strings.Join(append(path, x.Name), " → "))
		}
		state[x] = 1
		for _, l := range allLinks(&x.Binary) {
			if dep, ok := byName[l.Name]; ok && dep != x {
				if err := visit(dep, append(path, x.Name)); err != nil {
					return err
				}
			}
		}
		state[x] = 2
		order = append(order, x)
		return nil
	}
	for _, x := range all {
		if err := visit(x, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func allLinks(bin *Binary) []Link {
	links := append([]Link{}, bin.Links...)
	for _, s := range bin.Static {
		links = append(links, s.Links...)
	}
	return links
}

// buildBinary builds one Mach-O file for its architectures, adds the shipped file to the
// entries at entryName, and returns the unpatched slices for linking.
func (b *builder) buildBinary(ctx context.Context, job binaryJob, entryName string) (*linkable, error) {
	archs := job.bin.Arch
	if len(archs) == 0 {
		archs = []string{"arm64"}
	}
	buildArchs := archs
	if job.dylib {
		buildArchs = union(archs, b.linkArchs)
	}
	lib := &linkable{name: job.fileName, slices: map[string]string{}}
	var shipped []string
	for _, arch := range buildArchs {
		slice, err := b.buildSlice(ctx, job, arch)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %w", entryName, arch, err)
		}
		lib.slices[arch] = slice
		if !containsString(archs, arch) {
			continue
		}
		if job.bin.Encrypted {
			if slice, err = b.encryptedCopy(slice); err != nil {
				return nil, fmt.Errorf("%s (%s): %w", entryName, arch, err)
			}
		}
		shipped = append(shipped, slice)
	}
	file := shipped[0]
	if len(shipped) > 1 {
		dir, err := b.tempDir(job.fileName + "-fat")
		if err != nil {
			return nil, err
		}
		file = filepath.Join(dir, job.fileName)
		args := append([]string{"-create"}, shipped...)
		if err := b.tc.run(ctx, dir, b.tc.lipo, append(args, "-output", file)...); err != nil {
			return nil, fmt.Errorf("%s: %w", entryName, err)
		}
	}
	b.entries = append(b.entries, entry{name: entryName, mode: 0o755, file: file})
	return lib, nil
}

// buildSlice compiles and links one architecture of a binary.
func (b *builder) buildSlice(ctx context.Context, job binaryJob, arch string) (string, error) {
	dir, err := b.tempDir(job.fileName + "-" + arch)
	if err != nil {
		return "", err
	}
	bin := job.bin
	args := b.tc.linkFlags(arch, b.minOS)

	// Static SDKs first, each as its own archive loaded whole, as vendors ship them.
	for _, s := range bin.Static {
		objs, err := b.compileUnit(ctx, &s.Code, dir, s.Name, arch, false)
		if err != nil {
			return "", fmt.Errorf("static %s: %w", s.Name, err)
		}
		if len(objs) == 0 {
			continue
		}
		lib := filepath.Join(dir, "lib"+s.Name+".a")
		if err := b.tc.run(ctx, dir, b.tc.ar, append([]string{"rcsD", lib}, objs...)...); err != nil {
			return "", err
		}
		args = append(args, "-Wl,-force_load,"+lib)
	}
	withMain := !job.dylib && !hasSources(&bin.Code)
	objs, err := b.compileUnit(ctx, &bin.Code, dir, "main", arch, withMain)
	if err != nil {
		return "", err
	}
	args = append(args, objs...)

	if job.dylib {
		args = append(args, "-dynamiclib", "-install_name", job.installName)
		if v := dylibVersion(job.version); v != "" {
			args = append(args, "-current_version", v, "-compatibility_version", "1.0.0")
		}
	}
	for _, r := range job.rpaths {
		args = append(args, "-Wl,-rpath,"+r)
	}
	linkArgs, err := b.resolveLinks(job, arch)
	if err != nil {
		return "", err
	}
	args = append(args, linkArgs...)
	if bin.isSigned() {
		// ld64.lld signs only arm64 macOS output by default; iOS binaries must ask.
		args = append(args, "-Wl,-adhoc_codesign")
	} else {
		args = append(args, "-Wl,-no_adhoc_codesign")
	}
	out := filepath.Join(dir, "out", job.fileName)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	if err := b.tc.run(ctx, dir, b.tc.clang, append(args, "-o", out)...); err != nil {
		return "", err
	}
	return out, nil
}

func hasSources(c *Code) bool { return len(c.Sources) > 0 }

// resolveLinks turns a binary's links (and the frameworks its imports and superclasses need)
// into linker arguments.
func (b *builder) resolveLinks(job binaryJob, arch string) ([]string, error) {
	var args []string
	done := map[string]bool{}
	for _, d := range job.deps {
		args = append(args, d.slices[arch])
		done[d.name] = true
	}
	scope := map[string]*linkable{}
	for i := len(job.scope) - 1; i >= 0; i-- { // nearest wins
		scope[job.scope[i].name] = job.scope[i]
	}
	links := allLinks(job.bin)
	// Stub frameworks that generated references need, linked normally unless listed.
	for _, sym := range neededSymbols(job.bin) {
		if fw := b.tc.stubs[sym]; fw != "" {
			links = append(links, Link{Name: fw})
		}
	}
	for _, l := range links {
		if done[l.Name] {
			continue
		}
		done[l.Name] = true
		weak := l.Weak || weakListed(job.bin, l.Name)
		if dep, ok := scope[l.Name]; ok {
			if weak {
				args = append(args, "-Wl,-weak_library,"+dep.slices[arch])
			} else {
				args = append(args, dep.slices[arch])
			}
			continue
		}
		if !b.tc.frameworks[l.Name] {
			return nil, fmt.Errorf("link %q: neither a framework of this app nor a stub in %s", l.Name, b.tc.sdk)
		}
		if weak {
			args = append(args, "-weak_framework", l.Name)
		} else {
			args = append(args, "-framework", l.Name)
		}
	}
	return args, nil
}

func weakListed(bin *Binary, name string) bool {
	for _, l := range allLinks(bin) {
		if l.Name == name && l.Weak {
			return true
		}
	}
	return false
}

// neededSymbols lists the stub symbols generated code refers to: imports and the superclasses
// of generated classes.
func neededSymbols(bin *Binary) []string {
	var out []string
	add := func(c *Code) {
		for _, i := range c.Imports {
			out = append(out, i.Name)
		}
		for _, cl := range c.Classes {
			if cl.Super != "" {
				out = append(out, "_OBJC_CLASS_$_"+cl.Super)
			}
		}
	}
	add(&bin.Code)
	for _, s := range bin.Static {
		add(&s.Code)
	}
	return out
}

// compileUnit compiles the generated source, the blobs and the spec's sources of one code unit.
func (b *builder) compileUnit(ctx context.Context, c *Code, dir, unit, arch string, withMain bool) ([]string, error) {
	flags := b.tc.compileFlags(arch, b.minOS)
	var objs []string
	compile := func(src, obj string, extra ...string) error {
		args := append(append(append([]string{}, flags...), extra...), "-c", src, "-o", obj)
		if err := b.tc.run(ctx, dir, b.tc.clang, args...); err != nil {
			return err
		}
		objs = append(objs, obj)
		return nil
	}
	if gen := generatedObjC(c, withMain); gen != "" {
		src := filepath.Join(dir, unit+"-generated.m")
		if err := os.WriteFile(src, []byte(gen), 0o644); err != nil {
			return nil, err
		}
		if err := compile(src, filepath.Join(dir, unit+"-generated.o")); err != nil {
			return nil, err
		}
	}
	if len(c.Blobs) > 0 {
		var abs []string
		for _, f := range c.Blobs {
			abs = append(abs, filepath.Join(b.specDir, f))
		}
		src := filepath.Join(dir, unit+"-blobs.s")
		if err := os.WriteFile(src, []byte(generatedBlobs(abs)), 0o644); err != nil {
			return nil, err
		}
		if err := compile(src, filepath.Join(dir, unit+"-blobs.o")); err != nil {
			return nil, err
		}
	}
	for i, s := range c.Sources {
		src := filepath.Join(b.specDir, s)
		obj := filepath.Join(dir, fmt.Sprintf("%s-%d-%s.o", unit, i, strings.TrimSuffix(filepath.Base(s), filepath.Ext(s))))
		if err := compile(src, obj, "-x", sourceKind(s), "-I", filepath.Dir(src), "-I", b.specDir); err != nil {
			return nil, err
		}
	}
	return objs, nil
}

// dylibVersion accepts versions ld64 can encode (X[.Y[.Z]], small numbers).
func dylibVersion(v string) string {
	if regexp.MustCompile(`^[0-9]{1,5}(\.[0-9]{1,3}){0,2}$`).MatchString(v) {
		return v
	}
	return ""
}

func union(a, b []string) []string {
	out := append([]string{}, a...)
	for _, x := range b {
		if !containsString(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// allArchs collects every architecture named anywhere in the spec, arm64 first.
func allArchs(s *Spec) []string {
	seen := map[string]bool{"arm64": true}
	var walkBin func(*Binary)
	walkBin = func(bin *Binary) {
		for _, a := range bin.Arch {
			seen[a] = true
		}
	}
	var walkBundle func(*Bundle)
	walkBundle = func(x *Bundle) {
		walkBin(&x.Binary)
		for _, f := range x.Frameworks {
			walkBundle(f)
		}
	}
	var walkSpec func(*Spec)
	walkSpec = func(s *Spec) {
		walkBundle(&s.Bundle)
		for _, d := range s.Dylibs {
			walkBundle(d)
		}
		for _, e := range s.Extensions {
			walkSpec(e)
		}
		if s.Watch != nil {
			walkSpec(s.Watch)
		}
	}
	walkSpec(s)
	var out []string
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out) // arm64 < x86_64
	return out
}

// addBundleFiles adds a bundle's Info.plist, privacy manifest, resource bundles and extra files.
func (b *builder) addBundleFiles(x *Bundle, dir string, info map[string]any) error {
	data, err := encodePlist(info, x.plistBinary())
	if err != nil {
		return fmt.Errorf("%sInfo.plist: %w", dir, err)
	}
	b.entries = append(b.entries, entry{name: dir + "Info.plist", mode: 0o644, data: data})
	if err := b.addCommonFiles(x, dir); err != nil {
		return err
	}
	for _, r := range x.ResourceBundles {
		rdir := dir + r.Name + ".bundle/"
		if r.BundleID != "" || r.InfoPlist != nil || r.Version != "" {
			data, err := encodePlist(b.infoPlist(r, "BNDL", "", nil), r.plistBinary())
			if err != nil {
				return fmt.Errorf("%sInfo.plist: %w", rdir, err)
			}
			b.entries = append(b.entries, entry{name: rdir + "Info.plist", mode: 0o644, data: data})
		}
		if err := b.addCommonFiles(r, rdir); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) addCommonFiles(x *Bundle, dir string) error {
	if x.PrivacyManifest != "" {
		src := filepath.Join(b.specDir, x.PrivacyManifest)
		if _, err := os.Stat(src); err != nil {
			return fmt.Errorf("%s: privacy manifest: %w", dir, err)
		}
		b.entries = append(b.entries, entry{name: dir + "PrivacyInfo.xcprivacy", mode: 0o644, file: src})
	}
	for p, content := range x.Files {
		b.entries = append(b.entries, entry{name: dir + p, mode: 0o644, data: []byte(content)})
	}
	for p, from := range x.FilesFrom {
		src := filepath.Join(b.specDir, from)
		st, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("%s%s: %w", dir, p, err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s%s: %s is not a regular file", dir, p, src)
		}
		b.entries = append(b.entries, entry{name: dir + p, mode: fs.FileMode(0o644), file: src})
	}
	return nil
}

// infoPlist builds a bundle's Info.plist: the keys Xcode writes, then the spec's own keys.
func (b *builder) infoPlist(x *Bundle, packageType, executable string, urlSchemes []string) map[string]any {
	p := map[string]any{
		"CFBundleInfoDictionaryVersion": "6.0",
		"CFBundlePackageType":           packageType,
		"CFBundleName":                  x.Name,
		"CFBundleDevelopmentRegion":     "en",
	}
	if executable != "" {
		p["CFBundleExecutable"] = executable
		p["CFBundleSupportedPlatforms"] = []any{"iPhoneOS"}
		p["MinimumOSVersion"] = b.minOS
		p["DTPlatformName"] = "iphoneos"
	}
	if x.BundleID != "" {
		p["CFBundleIdentifier"] = x.BundleID
	}
	if x.Version != "" {
		p["CFBundleShortVersionString"] = x.Version
	}
	switch {
	case x.Build != "":
		p["CFBundleVersion"] = x.Build
	case x.Version != "":
		p["CFBundleVersion"] = x.Version
	}
	if packageType == "APPL" {
		p["LSRequiresIPhoneOS"] = true
		p["UIDeviceFamily"] = []any{1, 2}
		p["UIRequiredDeviceCapabilities"] = []any{"arm64"}
	}
	if len(urlSchemes) > 0 {
		schemes := make([]any, len(urlSchemes))
		for i, s := range urlSchemes {
			schemes[i] = s
		}
		p["CFBundleURLTypes"] = []any{map[string]any{"CFBundleURLSchemes": schemes}}
	}
	for k, v := range x.InfoPlist {
		p[k] = v
	}
	return p
}
