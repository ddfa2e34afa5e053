package consent

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

func init() { Register(trackingWithoutUsage{}) }

// trackingWithoutUsage is SDKF015: a binary links AdSupport or AppTrackingTransparency but the
// app's Info.plist has no NSUserTrackingUsageDescription (or an empty one), so the app cannot
// ask for tracking permission.
type trackingWithoutUsage struct{}

func (trackingWithoutUsage) Info() model.RuleInfo { return ruleInfo("SDKF015") }

const usageKey = "NSUserTrackingUsageDescription"

var trackingFrameworks = []string{"AdSupport", "AppTrackingTransparency"}

// trackingFramework returns the framework a dylib install name is, if it is one of ours.
func trackingFramework(installName string) string {
	for _, fw := range trackingFrameworks {
		if strings.HasSuffix(installName, "/"+fw+".framework/"+fw) {
			return fw
		}
	}
	return ""
}

func (trackingWithoutUsage) Check(in *Input) []model.Finding {
	var out []model.Finding
	for i := range in.Apps {
		v := newAppView(&in.Apps[i])
		root := v.root()
		if root == nil {
			continue // a framework scanned alone has no app Info.plist to hold the key
		}
		info := v.infos[root.Path]
		if info == nil {
			continue
		}
		value, has := info.Values[usageKey]
		if s, ok := value.(string); has && ok && strings.TrimSpace(s) != "" {
			continue
		}
		var linking []model.Evidence
		var bins []string
		frameworks := map[string]bool{}
		for _, b := range v.app.Binaries {
			for _, d := range b.Linked {
				if fw := trackingFramework(d.Name); fw != "" {
					detail := "linked"
					if d.Kind != model.DylibLoad {
						detail = "linked (" + d.Kind + ")"
					}
					linking = append(linking, model.Evidence{Kind: model.EvidenceDylib, Path: b.Path, Value: d.Name, Detail: detail})
					bins = append(bins, b.Path)
					frameworks[fw] = true
				}
			}
		}
		if len(linking) == 0 {
			continue
		}
		bins = slices.Compact(bins)
		var fws []string
		for _, fw := range trackingFrameworks {
			if frameworks[fw] {
				fws = append(fws, fw)
			}
		}
		state := "has no " + usageKey
		detail := "absent"
		if has {
			state = "has an empty " + usageKey
			detail = "empty"
		}
		msg := fmt.Sprintf("%s links %s, but %s %s, so the app cannot ask for tracking permission (on iOS 14.5 and later the advertising identifier then stays all zeros; earlier systems hand it out without asking).",
			prose.ListAtMost(v.rels(bins), 3), prose.List(fws), v.rel(info.Path), state)
		fix := fmt.Sprintf("Add %s (a sentence telling the user why) to %s and request authorization with ATTrackingManager before reading the advertising identifier, or remove %s.",
			usageKey, v.rel(info.Path), prose.List(fws))
		ev := append([]model.Evidence{{Kind: model.EvidencePlistKey, Path: info.Path, Value: usageKey, Detail: detail}}, linking...)
		out = append(out, model.Finding{SDK: soleSDK(v, bins), App: appID(v.app), Message: msg, Fix: fix, Evidence: ev})
	}
	return out
}

// soleSDK returns the SDK that holds every one of the binaries, when exactly one does and none
// is a main executable (whose code is the app's as much as any SDK's); "" otherwise.
func soleSDK(v *appView, bins []string) string {
	owner := ""
	for _, p := range bins {
		b := v.bins[p]
		if b == nil || v.idx.IsMainExecutable(b) {
			return ""
		}
		ids := v.idx.SDKsIn(p)
		if len(ids) != 1 || (owner != "" && owner != ids[0]) {
			return ""
		}
		owner = ids[0]
	}
	return owner
}
