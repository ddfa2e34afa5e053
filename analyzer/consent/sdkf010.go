package consent

import (
	"fmt"
	"slices"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/signatures"
)

func init() { Register(autoCollection{}) }

// autoCollection is SDKF010: an SDK's Info.plist consent flag is absent (and the SDK's
// default is to collect) or set to collect, so data leaves at launch before any prompt.
type autoCollection struct{}

func (autoCollection) Info() model.RuleInfo { return ruleInfo("SDKF010") }

func (autoCollection) Missing(in *Input) string {
	if in.Signatures == nil {
		return "needs the signature set (it lists each SDK's consent flags)"
	}
	return ""
}

func (autoCollection) Check(in *Input) []model.Finding {
	var out []model.Finding
	for i := range in.Apps {
		v := newAppView(&in.Apps[i])
		for _, s := range v.confidentSDKs() {
			sig, ok := in.Signatures.Get(s.ID)
			if !ok || len(sig.ConsentFlags) == 0 {
				continue
			}
			for _, host := range v.hosts(s) {
				info := v.infos[host.Path]
				if info == nil {
					continue // the missing or unreadable Info.plist is already an error of the scan
				}
				// CollectingFlags leaves out flags whose master switch (gatedBy) is off.
				for _, flag := range sig.CollectingFlags(info.Values) {
					out = append(out, flagFinding(v, s, info, flag))
				}
			}
		}
	}
	return out
}

// flagFinding describes a flag that leaves collection on: absent with a collecting default,
// set to collect, or set to something the SDK cannot read as its safe value.
func flagFinding(v *appView, s *model.SDK, info *model.InfoPlist, flag signatures.ConsentFlag) model.Finding {
	_, scalar := info.Values[flag.Key]
	value := info.Values[flag.Key]
	present := scalar || slices.Contains(info.Keys, flag.Key)
	var state, detail string
	switch {
	case !present && flag.Default == signatures.FlagUnset:
		state = fmt.Sprintf("%s is absent from %s, so no consent default is set", flag.Key, v.rel(info.Path))
		detail = "absent (no default)"
	case !present:
		state = fmt.Sprintf("%s is absent from %s and defaults to %s", flag.Key, v.rel(info.Path), flag.Default)
		detail = "absent (default " + flag.Default + ")"
	case !scalar:
		state = fmt.Sprintf("%s in %s is not a plain value the SDK can read as %s", flag.Key, v.rel(info.Path), flag.Safe)
		detail = "set to a non-scalar value"
	default:
		state = fmt.Sprintf("%s is set to %s in %s", flag.Key, shown(value), v.rel(info.Path))
		detail = "set to " + shown(value)
	}
	msg := fmt.Sprintf("%s collects at launch: %s", sdkName(s), state)
	if flag.Controls != "" {
		msg += " (it controls " + flag.Controls + ")"
	}
	msg += "."
	fix := fmt.Sprintf("Set %s to %s (%s) in %s, and turn collection on at runtime once the user consents.",
		flag.Key, flag.Safe, plistXML(flag.Safe), v.rel(info.Path))
	if flag.Note != "" {
		fix += " Note: " + flag.Note
	}
	ev := []model.Evidence{{Kind: model.EvidencePlistKey, Path: info.Path, Value: flag.Key, Detail: detail}}
	ev = append(ev, sdkEvidence(s)...)
	return model.Finding{SDK: s.ID, App: appID(v.app), Message: msg, Fix: fix, Evidence: ev}
}

// shown renders a plist value for a message: strings quoted, everything bounded, since a plist
// is outside input.
func shown(v any) string {
	const limit = 64
	var s string
	if str, ok := v.(string); ok {
		if len(str) > limit {
			str = str[:limit] + "…"
		}
		s = fmt.Sprintf("%q", str)
	} else {
		s = fmt.Sprintf("%v", v)
	}
	if len(s) > limit+8 {
		s = s[:limit] + "…"
	}
	return s
}
