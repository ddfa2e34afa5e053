package consent

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/analyzer/plist"
	"github.com/sdkflow/sdkflow/analyzer/privacy"
	"github.com/sdkflow/sdkflow/analyzer/traffic"
	"github.com/sdkflow/sdkflow/model"
)

func init() { registerTraffic(forbiddenOffDevice{}) }

// Data item types that hold the value of a required-reason API. Only disk space has a detector
// today (Facebook's extinfo before SDK v17, generic disk keys); a tester can plant the others
// as known values under these labels.
const (
	typeBootTime  = "boot-time"
	typeKeyboards = "active-keyboards"
)

// categoryValue names the value each category's APIs give, for messages.
var categoryValue = map[string]string{
	plist.CategoryDiskSpace:       "disk space",
	plist.CategorySystemBootTime:  "system boot time",
	plist.CategoryActiveKeyboards: "active keyboards",
}

// reasonCategories maps those data types to their required-reason API category.
var reasonCategories = map[string]string{
	traffic.TypeDiskSpace: plist.CategoryDiskSpace,
	typeBootTime:          plist.CategorySystemBootTime,
	typeKeyboards:         plist.CategoryActiveKeyboards,
}

// forbiddenOffDevice is SDKF006: a value from a required-reason API (disk space, system boot
// time, active keyboards) left the device although no reason declared for that category
// allows it to (reason tables of analyzer/plist). Declarations are read from the manifests
// covering the SDK's binaries, or from every manifest of the app for traffic no SDK in the app
// accounts for. No declaration at all counts too: then no reason allows it. Any destination
// counts. One finding per SDK (or party) and category per session.
type forbiddenOffDevice struct{}

func (forbiddenOffDevice) Info() model.RuleInfo { return ruleInfo("SDKF006") }

func reasonItem(it *model.DataItem) bool { _, ok := reasonCategories[it.Type]; return ok }

func (forbiddenOffDevice) Check(in *Input) []model.Finding {
	t := newTrafficView(in)
	groups := groupFlows(in.Sessions, func(_ *model.Session, f *model.Flow) (string, bool) {
		for i := range f.Data {
			if c, ok := reasonCategories[f.Data[i].Type]; ok {
				return c, true // a flow with several categories is rare; the first decides its group
			}
		}
		return "", false
	})
	var out []model.Finding
	for _, g := range groups {
		category := g.key
		inCategory := func(it *model.DataItem) bool { return reasonCategories[it.Type] == category }
		manifests, scope := t.reasonManifests(g.sdk)
		var declared []string
		allowed := false
		for _, p := range manifests {
			for _, e := range manifestAt(in, p).AccessedAPITypes {
				if e.Category != category {
					continue
				}
				for _, code := range e.Reasons {
					if ok, _ := plist.ReasonAllowsOffDevice(category, code); ok {
						allowed = true
					}
					if !slices.Contains(declared, code) {
						declared = append(declared, code)
					}
				}
			}
		}
		if allowed {
			continue
		}
		var values []string
		for _, f := range g.flows {
			for i := range f.Data {
				if it := &f.Data[i]; inCategory(it) && !slices.Contains(values, it.Value) && len(values) < 4 {
					values = append(values, bounded(it.Value, 32))
				}
			}
		}
		s := g.session
		first := g.flows[0]
		short := categoryValue[category]
		var why string
		switch {
		case len(manifests) == 0:
			why = fmt.Sprintf("%s, so no reason for %s is declared", scope, category)
		case len(declared) == 0:
			why = fmt.Sprintf("%s declare%s no reason for %s", scope, verbS(len(manifests)), category)
		default:
			why = fmt.Sprintf("the reasons %s declare%s for %s (%s) do not allow it to leave the device", scope, verbS(len(manifests)), category, describeReasons(category, declared))
		}
		msg := sentences(
			fmt.Sprintf("%s sent the device's %s (values %s) to %s %s: %s.", t.who(g), short, strings.Join(values, ", "), t.where(g), since(s, first), why),
			allowingReasons(category),
			fmt.Sprintf("%s.", capitalize(prose.Plural(len(g.flows), "request", "requests"))),
		)
		fix := fmt.Sprintf("Stop sending the %s value", short)
		switch {
		case strings.HasPrefix(g.sdk, "facebook") && category == plist.CategoryDiskSpace:
			fix += fmt.Sprintf(" (update %s: the Facebook SDK sends -1 in place of disk figures since v17)", t.sdkLabel(g.sdk))
		case g.sdk != "":
			fix += fmt.Sprintf(" (update %s to a version that does not send it)", t.sdkLabel(g.sdk))
		}
		fix += ", or declare a reason that allows it only if one truly applies."
		ev := flowsEvidence(g, first, inCategory)
		for _, p := range manifests {
			ev = append(ev, model.Evidence{Kind: model.EvidenceManifest, Path: p, Value: category, Detail: "covers the sender; declared reasons: " + orNone(declaredIn(in, p, category))})
		}
		ev = append(ev, t.staticEvidence(g.sdk)...)
		out = append(out, model.Finding{SDK: g.sdk, App: t.appOf(g.sdk), Message: msg, Fix: fix, Evidence: ev})
	}
	return out
}

// reasonManifests are the manifests whose reasons govern what the SDK sends, and how messages
// name them: those covering the SDK's binaries when the app holds it, else all of the app's.
func (t *trafficView) reasonManifests(sdk string) (paths []string, scope string) {
	if v, s := t.appSDK(sdk); s != nil {
		for _, b := range s.Binaries {
			if bin := v.bins[b]; bin != nil {
				paths = append(paths, v.idx.Covering(bin.Bundle)...)
			}
		}
		for _, b := range s.Bundles {
			paths = append(paths, v.idx.Covering(b)...)
		}
		slices.Sort(paths)
		paths = slices.Compact(paths)
		where := prose.ListAtMost(v.rels(s.Binaries), 2)
		if where == "" {
			where = sdkName(s)
		}
		if len(paths) == 0 {
			return nil, "no privacy manifest covers " + where
		}
		return paths, strings.Join(v.rels(paths), ", ")
	}
	for _, v := range t.views {
		for _, m := range v.app.Declarations.PrivacyManifests {
			paths = append(paths, m.Path)
		}
	}
	slices.Sort(paths)
	if len(paths) == 0 {
		return nil, "the app has no privacy manifest"
	}
	return paths, "the app's privacy manifests (" + prose.ListAtMost(paths, 3) + ")"
}

// verbS is the verb ending for a subject of n manifests: "declares" or "declare".
func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

func manifestAt(in *Input, p string) *model.PrivacyManifest {
	for i := range in.Apps {
		for j := range in.Apps[i].Declarations.PrivacyManifests {
			if m := &in.Apps[i].Declarations.PrivacyManifests[j]; m.Path == p {
				return m
			}
		}
	}
	return &model.PrivacyManifest{}
}

func declaredIn(in *Input, p, category string) []string {
	var out []string
	for _, e := range manifestAt(in, p).AccessedAPITypes {
		if e.Category == category {
			out = append(out, e.Reasons...)
		}
	}
	return out
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// describeReasons gives each declared code with what it allows off the device.
func describeReasons(category string, codes []string) string {
	var parts []string
	for _, c := range codes {
		r, ok := plist.LookupReason(category, c)
		if !ok {
			parts = append(parts, bounded(c, 16)+": not a reason Apple lists for this category")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %s, %s", r.Code, r.Use, offDeviceText(r.OffDevice)))
	}
	return strings.Join(parts, "; ")
}

func offDeviceText(o plist.OffDevice) string {
	switch o {
	case plist.OffDeviceAllowed:
		return "may leave the device"
	case plist.OffDeviceUserInitiated:
		return "may leave the device only in a report the user chooses to send"
	case plist.OffDeviceDerivedOnly:
		return "only intervals computed from it may leave the device"
	}
	return "may not leave the device"
}

// allowingReasons says which of Apple's reasons would let the value leave the device.
func allowingReasons(category string) string {
	var codes []string
	for _, r := range plist.Reasons {
		if r.Category == category && r.OffDevice == plist.OffDeviceAllowed {
			codes = append(codes, r.Code+" ("+r.Use+")")
		}
	}
	if len(codes) == 0 {
		return fmt.Sprintf("No reason Apple accepts for %s lets the value leave the device.", privacy.ShortCategory(category))
	}
	return fmt.Sprintf("Of Apple's reasons for %s, only %s lets the value leave the device.", privacy.ShortCategory(category), prose.List(codes))
}
