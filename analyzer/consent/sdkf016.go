package consent

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"strconv"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

func init() { Register(arbitraryLoads{}) }

// arbitraryLoads is SDKF016: NSAppTransportSecurity/NSAllowsArbitraryLoads is true in the
// Info.plist of an app, extension or watch app. From iOS 10, the key is ignored when
// NSAllowsArbitraryLoadsInWebContent is present, so such a plist is reported only for apps that
// still run on earlier systems.
type arbitraryLoads struct{}

func (arbitraryLoads) Info() model.RuleInfo { return ruleInfo("SDKF016") }

func (arbitraryLoads) Check(in *Input) []model.Finding {
	var out []model.Finding
	for i := range in.Apps {
		v := newAppView(&in.Apps[i])
		for _, info := range v.app.Declarations.InfoPlists {
			b := v.idx.Bundle(info.Bundle)
			if b == nil || info.ATS == nil || info.ATS.AllowsArbitraryLoads == nil || !*info.ATS.AllowsArbitraryLoads {
				continue
			}
			switch b.Kind {
			case model.BundleApp, model.BundleExtension, model.BundleWatchApp:
			default:
				continue // iOS reads ATS settings from the process's main bundle only
			}
			if info.ATS.AllowsArbitraryLoadsInWebContent != nil && !before10(info.MinOS) {
				continue
			}
			msg := fmt.Sprintf("%s sets NSAppTransportSecurity/NSAllowsArbitraryLoads to true: every connection of %s may use plain HTTP, so personal data can travel unencrypted.",
				v.rel(info.Path), base(b.Path))
			fix := fmt.Sprintf("Remove NSAllowsArbitraryLoads from NSAppTransportSecurity in %s, and list the hosts that truly need plain HTTP under NSExceptionDomains.", v.rel(info.Path))
			if n := len(info.ATS.ExceptionDomains); n > 0 {
				fix += fmt.Sprintf(" The plist already has %d exception domain(s) (%s).", n, prose.ListAtMost(info.ATS.ExceptionDomains, 5))
			}
			ev := []model.Evidence{{Kind: model.EvidencePlistKey, Path: info.Path, Value: "NSAppTransportSecurity/NSAllowsArbitraryLoads", Detail: "true"}}
			out = append(out, model.Finding{App: appID(v.app), Message: msg, Fix: fix, Evidence: ev})
		}
	}
	return out
}

// before10 reports whether a deployment target is below iOS 10 ("" counts as recent).
func before10(minOS string) bool {
	major, _, _ := strings.Cut(minOS, ".")
	n, err := strconv.Atoi(major)
	return err == nil && n < 10
}
