package consent

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"

	"github.com/sdkflow/sdkflow/analyzer/privacy"

	"github.com/sdkflow/sdkflow/model"
)

func init() { registerTraffic(trackerWithoutSDK{}) }

// trackerWithoutSDK is SDKF020: traffic attributed to a tracker SDK that the static pass did
// not find in any app given. An SDK of the same vendor in the app counts as a match (its
// requests share the vendor's hosts). One finding per SDK per session.
type trackerWithoutSDK struct{}

func (trackerWithoutSDK) Info() model.RuleInfo { return ruleInfo("SDKF020") }

func (trackerWithoutSDK) Missing(in *Input) string {
	if in.Signatures == nil {
		return "needs the signature set (it says which SDKs track)"
	}
	return ""
}

func (trackerWithoutSDK) Check(in *Input) []model.Finding {
	t := newTrafficView(in)
	found := map[string]bool{}
	inApp := func(id string) bool {
		if v, ok := found[id]; ok {
			return v
		}
		ok := t.hasSDKOrVendor(id)
		found[id] = ok
		return ok
	}
	groups := groupFlows(in.Sessions, func(_ *model.Session, f *model.Flow) (string, bool) {
		return "", f.SDK != nil && t.tracker(*f.SDK) && !t.parties.firstParty(f) && !inApp(*f.SDK)
	})
	var out []model.Finding
	for _, g := range groups {
		s := g.session
		first := g.first(func(f *model.Flow) bool { return carries(f, personal) })
		types := g.types(personal)
		low := ""
		for _, v := range t.views {
			if sd := v.sdk(g.sdk); sd != nil {
				low = fmt.Sprintf(" (the static pass saw it only at %s confidence)", sd.Confidence)
			}
		}
		msg := sentences(
			fmt.Sprintf("The app contacted %s, a host of %s, %s, but the static pass found no %s SDK in the app%s.",
				prose.ListAtMost(g.hosts(), 3), t.sdkLabel(g.sdk), since(s, first), cmpOr(t.vendorOf(g.sdk), t.sdkLabel(g.sdk)), low),
			nonEmpty(len(types) > 0, fmt.Sprintf("The requests carried %s.", typeList(types))),
			"The SDK may be hidden (encrypted, or linked statically under other names), the requests may come from a web view, or another SDK may forward the data.",
			fmt.Sprintf("%s.", capitalize(prose.Plural(len(g.flows), "request", "requests"))),
		)
		fix := fmt.Sprintf("Find the code that sends these requests (search the app's binaries and web content for %s) before claiming the app is free of %s; if the app holds the SDK under another name, add its classes or frameworks to a signature file (--signatures).",
			prose.ListAtMost(g.hosts(), 3), t.sdkLabel(g.sdk))
		ev := flowsEvidence(g, first, personal)
		out = append(out, model.Finding{SDK: g.sdk, App: t.appOf(""), Message: msg, Fix: fix, Evidence: ev})
	}
	return out
}

// hasSDKOrVendor reports whether an app holds the SDK, or another SDK of its vendor, at
// medium or high confidence.
func (t *trafficView) hasSDKOrVendor(id string) bool {
	if _, s := t.appSDK(id); s != nil {
		return true
	}
	vendor := t.vendorOf(id)
	if vendor == "" {
		return false
	}
	for _, v := range t.views {
		for i := range v.app.SDKs {
			if s := &v.app.SDKs[i]; privacy.Confident(s) && s.Vendor == vendor {
				return true
			}
		}
	}
	return false
}

// vendorOf is the vendor the signature names, "" when unknown.
func (t *trafficView) vendorOf(id string) string {
	if t.in.Signatures == nil {
		return ""
	}
	if sig, ok := t.in.Signatures.Get(id); ok {
		return sig.Vendor
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
