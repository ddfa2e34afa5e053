package consent

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

func init() { Register(listedWithoutManifest{}) }

// listedWithoutManifest is SDKF012 (ITMS-91061): an SDK on Apple's list of commonly used SDKs
// is present without a privacy manifest of its own, whether it ships as its own framework,
// is linked statically, or is repackaged inside another framework.
//
// What counts as the SDK's own manifest: for each of its frameworks, the manifest that covers
// the framework's binary (privacy.Index.Covering: the framework's own, or one in a resource
// bundle directly inside it); for code repackaged inside another framework's binary, a
// manifest in a resource bundle of the SDK's own. SDKs linked statically into an app's or
// extension's executable are not reported here: App Store Connect names framework binaries in
// ITMS-91061, and SDKF011 checks the executable's API use against the app's manifests.
type listedWithoutManifest struct{}

func (listedWithoutManifest) Info() model.RuleInfo { return ruleInfo("SDKF012") }

func (listedWithoutManifest) Check(in *Input) []model.Finding {
	var out []model.Finding
	for i := range in.Apps {
		v := newAppView(&in.Apps[i])
		for _, s := range v.confidentSDKs() {
			if !s.AppleListed {
				continue
			}
			out = append(out, checkListed(in, v, s)...)
		}
	}
	return out
}

func checkListed(in *Input, v *appView, s *model.SDK) []model.Finding {
	var names []string
	if in.Signatures != nil {
		if sig, ok := in.Signatures.Get(s.ID); ok {
			names = sig.AppleNames
		}
	}
	listedAs := sdkName(s)
	if len(names) > 0 {
		listedAs = strings.Join(names, ", ")
	}

	var frameworks, resourceManifests []string
	for _, p := range s.Bundles {
		b := v.idx.Bundle(p)
		if b == nil {
			continue
		}
		switch b.Kind {
		case model.BundleFramework:
			frameworks = append(frameworks, p)
		case model.BundleResource:
			if b.PrivacyManifest != "" {
				resourceManifests = append(resourceManifests, b.PrivacyManifest)
			}
		}
	}

	var out []model.Finding
	for _, fw := range listedFrameworks(frameworks, names) {
		if len(v.idx.Covering(fw)) > 0 {
			continue
		}
		msg := fmt.Sprintf("%s is on Apple's list of commonly used SDKs (as %s), but %s has no PrivacyInfo.xcprivacy. App Store Connect rejects this (ITMS-91061).",
			sdkName(s), listedAs, v.rel(fw))
		fix := fmt.Sprintf("Update %s to a version that ships its own privacy manifest (expected at %s/PrivacyInfo.xcprivacy).", sdkName(s), v.rel(fw))
		ev := []model.Evidence{{Kind: model.EvidenceFile, Path: fw, Value: "PrivacyInfo.xcprivacy", Detail: "absent from the SDK's framework"}}
		if b := v.idx.Bundle(fw); b != nil && b.Executable != "" {
			ev = append(ev, model.Evidence{Kind: model.EvidenceFile, Path: b.Executable, Detail: sdkName(s) + " binary"})
		}
		out = append(out, model.Finding{SDK: s.ID, App: appID(v.app), Message: msg, Fix: fix, Evidence: ev})
	}

	// Code in another framework's binary: repackaged. Code linked into an app's or
	// extension's executable is left to SDKF011, which checks that executable against the
	// app's manifests: App Store Connect names framework binaries in ITMS-91061.
	if len(resourceManifests) > 0 {
		return out
	}
	for _, p := range s.Binaries {
		bin := v.bins[p]
		if bin == nil || insideAny(bin.Bundle, frameworks) || v.idx.IsMainExecutable(bin) {
			continue
		}
		where := fmt.Sprintf("is repackaged inside %s", v.rel(bin.Bundle))
		if bin.Bundle == "" {
			where = fmt.Sprintf("is repackaged inside %s", v.rel(p))
		}
		msg := fmt.Sprintf("%s is on Apple's list of commonly used SDKs (as %s) and %s, with no privacy manifest of its own. Apple requires the listed SDK's manifest even when its code ships inside another binary. App Store Connect rejects this (ITMS-91061).",
			sdkName(s), listedAs, where)
		fix := fmt.Sprintf("Ship %s's own PrivacyInfo.xcprivacy with it: use a version that includes one (in its framework or a resource bundle), or, when repackaging it, carry its manifest into the repackaged bundle.", sdkName(s))
		ev := []model.Evidence{{Kind: model.EvidenceFile, Path: p, Value: "PrivacyInfo.xcprivacy", Detail: "holds " + sdkName(s) + " code; no manifest of the SDK's own"}}
		for _, e := range s.Evidence {
			if e.Path == p && (e.Kind == model.EvidenceClass || e.Kind == model.EvidenceSymbol) {
				ev = append(ev, e)
				break
			}
		}
		out = append(out, model.Finding{SDK: s.ID, App: appID(v.app), Message: msg, Fix: fix, Evidence: ev})
	}
	return out
}

// listedFrameworks picks the frameworks that carry a listed name; when none does (a renamed
// build), every framework of the SDK counts.
func listedFrameworks(frameworks, names []string) []string {
	if len(names) == 0 {
		return frameworks
	}
	var out []string
	for _, fw := range frameworks {
		name := strings.TrimSuffix(path.Base(fw), ".framework")
		if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) }) {
			out = append(out, fw)
		}
	}
	if len(out) == 0 {
		return frameworks
	}
	return out
}

// insideAny reports whether bundle p is one of dirs or inside one of them.
func insideAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}
