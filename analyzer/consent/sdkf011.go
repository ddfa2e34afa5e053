package consent

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"path"
	"strings"

	"github.com/sdkflow/sdkflow/analyzer/privacy"
	"github.com/sdkflow/sdkflow/model"
)

func init() { Register(undeclaredAPI{}) }

// undeclaredAPI is SDKF011 (ITMS-91053): a binary uses a required-reason API category that no
// manifest covering it declares with a reason.
type undeclaredAPI struct{}

func (undeclaredAPI) Info() model.RuleInfo { return ruleInfo("SDKF011") }

// maxUseEvidence bounds the symbols listed per finding; one proves the use.
const maxUseEvidence = 8

func (undeclaredAPI) Check(in *Input) []model.Finding {
	var out []model.Finding
	for i := range in.Apps {
		v := newAppView(&in.Apps[i])
		for _, b := range in.Privacy(i).Binaries {
			for _, m := range b.Missing {
				out = append(out, undeclaredFinding(v, &b, &m))
			}
		}
	}
	return out
}

func undeclaredFinding(v *appView, b *privacy.BinaryUse, m *privacy.Missing) model.Finding {
	cat := m.Category
	var names []string
	for _, u := range m.Uses {
		names = append(names, u.Name)
	}
	var who, sdk string
	switch {
	case b.MainExecutable && len(b.SDKs) > 0:
		who = fmt.Sprintf("The main executable %s (which also holds the statically linked %s, so the use may be theirs or the app's own)",
			v.rel(b.Binary), v.sdkNames(b.SDKs))
	case b.MainExecutable:
		who = "The main executable " + v.rel(b.Binary)
	case len(b.SDKs) == 1:
		sdk = b.SDKs[0]
		who = fmt.Sprintf("%s (%s)", v.rel(b.Binary), sdkName(v.sdk(sdk)))
	case len(b.SDKs) > 1:
		who = fmt.Sprintf("%s (which holds %s; the use cannot be pinned to one of them)", v.rel(b.Binary), v.sdkNames(b.SDKs))
	default:
		who = v.rel(b.Binary)
	}
	msg := fmt.Sprintf("%s uses %s APIs (%s) without a declaration. ", who, cat, prose.ListAtMost(names, 4))
	target := manifestTarget(v, b)
	switch {
	case len(m.ListedWithoutReason) > 0:
		msg += fmt.Sprintf("%s lists the category without a reason code.", strings.Join(v.rels(m.ListedWithoutReason), ", "))
	case len(b.Covering) == 0:
		msg += fmt.Sprintf("No privacy manifest covers the binary (expected at %s).", v.rel(target))
	default:
		msg += fmt.Sprintf("The manifest that covers the binary (%s) does not declare the category.", strings.Join(v.rels(b.Covering), ", "))
	}
	if len(m.DeclaredElsewhere) > 0 && !b.MainExecutable {
		msg += fmt.Sprintf(" %s declares it, but each framework needs its own declaration.", strings.Join(v.rels(m.DeclaredElsewhere), ", "))
	}
	msg += " App Store Connect rejects this (ITMS-91053)."

	entry := fmt.Sprintf("an NSPrivacyAccessedAPITypes entry with NSPrivacyAccessedAPIType %s and, under NSPrivacyAccessedAPITypeReasons, the reason code that matches the use", cat)
	if codes := reasonCodes(cat); codes != "" {
		entry += " (" + codes + ")"
	}
	var fix string
	if sdk != "" {
		fix = fmt.Sprintf("Update %s to a version whose privacy manifest declares %s; until then the vendor's manifest at %s needs %s.",
			sdkName(v.sdk(sdk)), cat, v.rel(target), entry)
	} else {
		fix = fmt.Sprintf("Add to %s %s.", v.rel(target), entry)
	}

	ev := []model.Evidence{{Kind: model.EvidenceFile, Path: b.Binary, Value: cat, Detail: "uses " + privacy.ShortCategory(cat) + " without a declaration"}}
	for i, u := range m.Uses {
		if i == maxUseEvidence {
			ev = append(ev, model.Evidence{Kind: model.EvidenceSymbol, Path: b.Binary, Detail: fmt.Sprintf("and %d more", len(m.Uses)-i)})
			break
		}
		detail := "imported " + u.Kind
		if u.Kind == privacy.KindSelector {
			detail = "selector reference"
		}
		if u.Member != "" {
			detail += " in " + u.Member
		}
		ev = append(ev, model.Evidence{Kind: model.EvidenceSymbol, Path: b.Binary, Value: u.Name, Detail: detail})
	}
	for _, p := range b.Covering {
		ev = append(ev, model.Evidence{Kind: model.EvidenceManifest, Path: p, Detail: "covers the binary; no reason declared for " + privacy.ShortCategory(cat)})
	}
	return model.Finding{SDK: sdk, App: appID(v.app), Message: msg, Fix: fix, Evidence: ev}
}

// manifestTarget is the manifest a declaration belongs in: the one of the binary's bundle,
// existing or to be created.
func manifestTarget(v *appView, b *privacy.BinaryUse) string {
	if bd := v.idx.Bundle(b.Bundle); bd != nil && bd.PrivacyManifest != "" {
		return bd.PrivacyManifest
	}
	if b.Bundle == "" {
		return path.Join(path.Dir(b.Binary), "PrivacyInfo.xcprivacy")
	}
	return b.Bundle + "/PrivacyInfo.xcprivacy"
}
