package analyzer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/sdkflow/sdkflow/analyzer/bundle"
	"github.com/sdkflow/sdkflow/analyzer/macho"
	"github.com/sdkflow/sdkflow/analyzer/plist"
	"github.com/sdkflow/sdkflow/model"
)

// maxPlistSize bounds an Info.plist or privacy manifest read into memory; real ones are a few KB.
const maxPlistSize = 8 << 20

type scan struct {
	ctx   context.Context
	src   *bundle.Source
	opt   Options
	input string

	app   model.App
	infos map[string]*model.InfoPlist // by bundle path
	found *collector
}

func (s *scan) run() model.App {
	s.app = model.App{Path: s.input, Kind: s.src.Kind}
	s.infos = map[string]*model.InfoPlist{}
	s.found = newCollector(s.opt.Signatures)
	s.app.Errors = append(s.app.Errors, s.src.Problems()...)

	bundles := s.src.Bundles()
	for _, b := range bundles {
		s.readBundle(b)
	}
	s.describeApp()
	s.readBinaries(bundles)
	s.matchDeclarations()
	s.app.SDKs = s.found.sdks(s.infos)
	return s.app
}

// readBundle parses a bundle's Info.plist and privacy manifest and records the bundle.
func (s *scan) readBundle(b bundle.Bundle) {
	mb := model.Bundle{
		Path: b.Path, Kind: b.Kind, Parent: b.Parent,
		InfoPlist: b.InfoPlist, PrivacyManifest: b.PrivacyManifest,
	}
	if b.InfoPlist != "" {
		if info, ok := s.parseInfo(b); ok {
			s.infos[b.Path] = info
			mb.BundleID, mb.Name = info.BundleID, info.Name
			mb.Version, mb.Build = info.ShortVersion, info.Version
			mb.Executable = s.executablePath(b, info.Executable)
		}
	} else if needsInfoPlist(b.Kind) {
		s.errorf(b.Path, "plist", "missing Info.plist")
	}
	if mb.Executable == "" {
		mb.Executable = s.executablePath(b, "")
	}
	if b.PrivacyManifest != "" {
		s.parseManifest(b)
	}
	s.app.Bundles = append(s.app.Bundles, mb)
}

func needsInfoPlist(kind string) bool {
	switch kind {
	case model.BundleApp, model.BundleExtension, model.BundleWatchApp, model.BundleFramework:
		return true
	}
	return false
}

func (s *scan) parseInfo(b bundle.Bundle) (*model.InfoPlist, bool) {
	data, err := s.src.ReadFile(b.InfoPlist, maxPlistSize)
	if err != nil {
		s.errorf(b.InfoPlist, "plist", "reading Info.plist: %v", err)
		return nil, false
	}
	info, err := plist.ParseInfo(data, b.InfoPlist, b.Path)
	if err != nil {
		s.errorf(b.InfoPlist, "plist", "parsing Info.plist: %v", err)
		return nil, false
	}
	s.app.Declarations.InfoPlists = append(s.app.Declarations.InfoPlists, info)
	return &s.app.Declarations.InfoPlists[len(s.app.Declarations.InfoPlists)-1], true
}

func (s *scan) parseManifest(b bundle.Bundle) {
	data, err := s.src.ReadFile(b.PrivacyManifest, maxPlistSize)
	if err != nil {
		s.errorf(b.PrivacyManifest, "manifest", "reading privacy manifest: %v", err)
		return
	}
	m, err := plist.ParseManifest(data, b.PrivacyManifest, b.Path)
	if err != nil {
		// Not a property list at all: App Store Connect rejects it (ITMS-91108), so it stays
		// in the report as a manifest with one problem rather than vanishing.
		m = model.PrivacyManifest{Path: b.PrivacyManifest, Bundle: b.Path, Problems: []model.ManifestProblem{{
			Key: "", Message: "not a property list: " + err.Error(), Severity: "error",
		}}}
	}
	s.app.Declarations.PrivacyManifests = append(s.app.Declarations.PrivacyManifests, m)
}

// executablePath finds the bundle's main binary: CFBundleExecutable when given, else the file
// named after the bundle, at the top or (macOS-style frameworks) under Versions/Current.
func (s *scan) executablePath(b bundle.Bundle, name string) string {
	if name == "" {
		base := path.Base(b.Path)
		name = strings.TrimSuffix(base, path.Ext(base))
	}
	if strings.Contains(name, "/") || name == "." || name == ".." {
		return ""
	}
	for _, dir := range []string{"", "Versions/Current/", "Versions/A/"} {
		p := b.Path + "/" + dir + name
		if _, ok := s.src.Stat(p); ok {
			return p
		}
	}
	return ""
}

// describeApp fills the app's identity from its outermost bundle.
func (s *scan) describeApp() {
	info := s.infos[s.src.Root]
	if info == nil {
		return
	}
	s.app.BundleID, s.app.Name = info.BundleID, info.Name
	s.app.Version, s.app.Build, s.app.MinOS = info.ShortVersion, info.Version, info.MinOS
}

// binaryJob is one Mach-O file to read.
type binaryJob struct {
	path, bundle string
	declared     bool // named by CFBundleExecutable or the bundle's name: must be Mach-O
}

func (s *scan) binaryJobs(bundles []bundle.Bundle) []binaryJob {
	seen := map[string]bool{}
	var jobs []binaryJob
	add := func(p, b string, declared bool) {
		if p == "" || seen[p] {
			return
		}
		seen[p] = true
		jobs = append(jobs, binaryJob{path: p, bundle: b, declared: declared})
	}
	for i, b := range bundles {
		add(s.app.Bundles[i].Executable, b.Path, b.Kind != model.BundleResource && b.Kind != model.BundleXCFramework)
		for _, p := range b.Binaries {
			add(p, b.Path, false)
		}
	}
	slices.SortFunc(jobs, func(a, b binaryJob) int { return strings.Compare(a.path, b.path) })
	return jobs
}

type binaryResult struct {
	bin  model.Binary
	errs []model.Error
	ok   bool
}

func (s *scan) readBinaries(bundles []bundle.Bundle) {
	jobs := s.binaryJobs(bundles)
	results := make([]binaryResult, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := 0; w < s.opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = s.readBinary(jobs[i])
				if s.opt.Progress != nil {
					mu.Lock()
					done++
					s.opt.Progress(Progress{Input: s.input, Done: done, Total: len(jobs), Path: jobs[i].path})
					mu.Unlock()
				}
			}
		}()
	}
	for i := range jobs {
		if s.ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := s.ctx.Err(); err != nil {
		s.errorf(s.input, "input", "scan interrupted: %v", err)
	}

	for _, r := range results {
		s.app.Errors = append(s.app.Errors, r.errs...)
		if !r.ok {
			continue
		}
		s.app.Binaries = append(s.app.Binaries, r.bin)
		s.found.binary(&r.bin)
		if r.bin.Encrypted {
			s.app.Limitations = append(s.app.Limitations, fmt.Sprintf(
				"%s is encrypted (FairPlay): its class names, selectors and strings were not read, so an SDK linked statically into it may be missed; decrypt it for a full scan",
				r.bin.Path))
		}
	}
}

func (s *scan) readBinary(j binaryJob) binaryResult {
	fail := func(stage, msg string) binaryResult {
		return binaryResult{errs: []model.Error{{Path: j.path, Stage: stage, Message: msg}}}
	}
	bin, err := s.src.OpenBinary(j.path)
	if err != nil {
		return fail("bundle", "opening binary: "+err.Error())
	}
	defer bin.Close()
	size := bin.Size()
	facts, err := macho.Read(bin, size, macho.Options{})
	if err != nil {
		if errors.Is(err, macho.ErrNotMachO) && !j.declared {
			return binaryResult{}
		}
		return fail("macho", err.Error())
	}
	b := summarize(j.path, j.bundle, size, facts)
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(bin, 0, size)); err == nil {
		b.SHA256 = hex.EncodeToString(h.Sum(nil))
	}
	// What could not be read inside the file is reported; the facts that were read stand.
	r := binaryResult{bin: b, ok: true}
	note := func(where, msg string) {
		r.errs = append(r.errs, model.Error{Path: j.path, Stage: "macho", Message: where + msg})
	}
	for _, msg := range facts.Errors {
		note("", msg)
	}
	for _, sl := range append(append([]model.SliceFacts(nil), facts.Slices...), facts.Members...) {
		where := sl.Arch + " slice: "
		if sl.Member != "" {
			where = sl.Member + " (" + sl.Arch + "): "
		}
		for _, msg := range sl.Errors {
			note(where, msg)
		}
	}
	if len(facts.Slices) == 0 && len(facts.Members) == 0 {
		note("", "no readable slice")
	}
	return r
}

func (s *scan) errorf(p, stage, format string, args ...any) {
	s.app.Errors = append(s.app.Errors, model.Error{Path: p, Stage: stage, Message: fmt.Sprintf(format, args...)})
}

// matchDeclarations matches what the bundles declare: names, bundle ids, Info.plist keys and
// URL schemes.
func (s *scan) matchDeclarations() {
	for _, b := range s.app.Bundles {
		switch b.Kind {
		case model.BundleFramework, model.BundleResource, model.BundleXCFramework:
			// A framework is matched by its name and id even as the input itself (an SDK
			// vendor auditing its own deliverable).
			base := path.Base(b.Path)
			s.found.match(model.EvidenceFramework, strings.TrimSuffix(base, path.Ext(base)), b.Path, "", b.Path)
		default:
			if b.Path == s.src.Root {
				continue // the app's own id says nothing about the SDKs inside it
			}
		}
		if b.BundleID != "" {
			s.found.match(model.EvidenceBundleID, b.BundleID, b.InfoPlist, "", b.Path)
		}
	}
	for _, info := range s.app.Declarations.InfoPlists {
		for _, k := range info.Keys {
			s.found.match(model.EvidencePlistKey, k, info.Path, "", "")
		}
		for _, scheme := range info.URLSchemes {
			s.found.match(model.EvidenceURLScheme, scheme, info.Path, "", "")
		}
	}
}
