package consent

import (
	"fmt"

	"github.com/sdkflow/sdkflow/model"
)

func init() { Register(listedUnsigned{}) }

// listedUnsigned is SDKF017 (ITMS-91065): a binary that holds an SDK on Apple's list has no code
// signature. When the app's own executable is unsigned too, the app has simply not been signed
// yet (a CI build before export), and signing will cover every framework: nothing is reported.
// Static libraries are never signed themselves and are left out.
type listedUnsigned struct{}

func (listedUnsigned) Info() model.RuleInfo { return ruleInfo("SDKF017") }

func (listedUnsigned) Check(in *Input) []model.Finding {
	var out []model.Finding
	for i := range in.Apps {
		v := newAppView(&in.Apps[i])
		if r := v.root(); r != nil {
			if exe := v.bins[r.Executable]; exe == nil || !exe.CodeSigned {
				continue
			}
		}
		for _, s := range v.confidentSDKs() {
			if !s.AppleListed {
				continue
			}
			for _, p := range s.Binaries {
				b := v.bins[p]
				if b == nil || b.CodeSigned || b.Type == "archive" || v.idx.IsMainExecutable(b) {
					continue
				}
				container := b.Bundle
				if container == "" {
					container = p
				}
				msg := fmt.Sprintf("%s holds %s, which is on Apple's list of commonly used SDKs, and has no code signature. App Store Connect rejects this (ITMS-91065).", v.rel(p), sdkName(s))
				fix := fmt.Sprintf("Use the vendor's signed distribution of %s, or sign %s when repackaging it (codesign --sign IDENTITY --timestamp).", sdkName(s), v.rel(container))
				ev := []model.Evidence{{Kind: model.EvidenceFile, Path: p, Value: "LC_CODE_SIGNATURE", Detail: "absent"}}
				ev = append(ev, sdkEvidence(s)...)
				out = append(out, model.Finding{SDK: s.ID, App: appID(v.app), Message: msg, Fix: fix, Evidence: ev})
			}
		}
	}
	return out
}
