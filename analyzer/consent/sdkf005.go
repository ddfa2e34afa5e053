package consent

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/analyzer/traffic"
	"github.com/sdkflow/sdkflow/model"
)

func init() { registerTraffic(undeclaredDataType{}) }

// undeclaredDataType is SDKF005: traffic to a third party carried a data type that no privacy
// manifest in the app declares under NSPrivacyCollectedDataTypes. The app's manifests are
// merged as Xcode's privacy report merges them (an SDK's declaration counts for the app), and
// precise location covers coarse. The app's own traffic is left out: what it keeps for
// delivering its service cannot be told apart from collection by the requests alone. One
// finding per SDK (or unknown party) per session, listing the undeclared types.
type undeclaredDataType struct{}

func (undeclaredDataType) Info() model.RuleInfo { return ruleInfo("SDKF005") }

func (undeclaredDataType) Check(in *Input) []model.Finding {
	t := newTrafficView(in)
	declared := map[string]bool{}
	for i := range in.Apps {
		if r := in.Privacy(i).Report; r != nil {
			for _, d := range r.DataTypes {
				declared[d.Type] = true
			}
		}
	}
	if declared[traffic.ManifestPreciseLocation] {
		declared[traffic.ManifestCoarseLocation] = true
	}
	undeclared := func(it *model.DataItem) bool { return it.ManifestType != "" && !declared[it.ManifestType] }
	groups := groupFlows(in.Sessions, func(_ *model.Session, f *model.Flow) (string, bool) {
		return "", !t.parties.firstParty(f) && carries(f, undeclared)
	})
	var out []model.Finding
	for _, g := range groups {
		byType := map[string]map[string]bool{} // manifest type → data types
		for _, f := range g.flows {
			for i := range f.Data {
				if it := &f.Data[i]; undeclared(it) {
					if byType[it.ManifestType] == nil {
						byType[it.ManifestType] = map[string]bool{}
					}
					byType[it.ManifestType][it.Type] = true
				}
			}
		}
		mts := make([]string, 0, len(byType))
		for mt := range byType {
			mts = append(mts, mt)
		}
		slices.Sort(mts)
		var parts []string
		for _, mt := range mts {
			parts = append(parts, fmt.Sprintf("%s (%s)", mt, typeList(byType[mt])))
		}
		s := g.session
		first := mostUndeclared(g, undeclared)
		msg := sentences(
			fmt.Sprintf("%s received %s, but no privacy manifest in the app declares %s under NSPrivacyCollectedDataTypes.",
				t.where(g), prose.List(parts), map[bool]string{true: "it", false: "them"}[len(mts) == 1]),
			fmt.Sprintf("Sent by %s, first %s; %s.", lowerFirst(t.who(g)), since(s, g.flows[0]), prose.Plural(len(g.flows), "request", "requests")),
		)
		fix := fmt.Sprintf("Add an NSPrivacyCollectedDataTypes entry for %s (with NSPrivacyCollectedDataTypeLinked, NSPrivacyCollectedDataTypeTracking and the purposes) to %s, and to the App Store privacy label.",
			strings.Join(mts, ", "), t.manifestFor(g.sdk))
		ev := flowsEvidence(g, first, undeclared)
		ev = append(ev, t.staticEvidence(g.sdk)...)
		out = append(out, model.Finding{SDK: g.sdk, App: t.appOf(g.sdk), Message: msg, Fix: fix, Evidence: ev})
	}
	return out
}

func lowerFirst(s string) string {
	if strings.HasPrefix(s, "The app") {
		return "the app" + s[len("The app"):]
	}
	return s
}

// mostUndeclared is the earliest flow carrying the most undeclared manifest types: the
// request that shows the most of what is missing.
func mostUndeclared(g *flowGroup, undeclared func(it *model.DataItem) bool) *model.Flow {
	best, bestN := g.flows[0], -1
	for _, f := range g.flows {
		seen := map[string]bool{}
		for i := range f.Data {
			if it := &f.Data[i]; undeclared(it) {
				seen[it.ManifestType] = true
			}
		}
		if len(seen) > bestN {
			best, bestN = f, len(seen)
		}
	}
	return best
}
