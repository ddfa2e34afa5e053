package consent

import (
	"fmt"
	"github.com/sdkflow/sdkflow/internal/prose"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

func init() { registerTraffic(undeclaredTrackingDomain{}) }

// undeclaredTrackingDomain is SDKF004: the app contacted a tracking domain that no privacy
// manifest in the app lists under NSPrivacyTrackingDomains, so iOS 17+ does not hold it back
// while ATT is not authorized. A host is a tracking domain when a tracker SDK's signature
// lists it among the domains the SDK should declare, or when a tracker SDK sent it an
// identifier or a device fingerprint. A declared domain covers its subdomains. One finding per
// SDK per session, listing the hosts.
type undeclaredTrackingDomain struct{}

func (undeclaredTrackingDomain) Info() model.RuleInfo { return ruleInfo("SDKF004") }

func (undeclaredTrackingDomain) Missing(in *Input) string {
	if in.Signatures == nil {
		return "needs the signature set (it says which SDKs track)"
	}
	return ""
}

func (undeclaredTrackingDomain) Check(in *Input) []model.Finding {
	t := newTrafficView(in)
	declared := declaredTrackingDomains(in)
	tracking := map[string]bool{} // sdk + host → the host is a tracking domain
	for si := range in.Sessions {
		for fi := range in.Sessions[si].Flows {
			f := &in.Sessions[si].Flows[fi]
			if f.SDK == nil || f.Host == "" || !t.tracker(*f.SDK) || t.parties.firstParty(f) {
				continue
			}
			if t.signatureDomain(*f.SDK, f.Host) || ofClass(classFingerprint)(f) {
				tracking[*f.SDK+"\x00"+f.Host] = true
			}
		}
	}
	groups := groupFlows(in.Sessions, func(_ *model.Session, f *model.Flow) (string, bool) {
		return "", f.SDK != nil && tracking[*f.SDK+"\x00"+f.Host] && !coveredBy(f.Host, declared)
	})
	var out []model.Finding
	for _, g := range groups {
		hosts := g.hosts()
		s := g.session
		first := g.first(ofClass(classFingerprint))
		types := g.types(personal)
		msg := sentences(
			fmt.Sprintf("%s contacted the tracking domain%s %s, which no privacy manifest in the app lists under NSPrivacyTrackingDomains.",
				t.who(g), prose.S(len(hosts)), prose.ListAtMost(hosts, 5)),
			"iOS 17 and later block declared tracking domains until the user authorizes tracking; undeclared ones are not blocked.",
			nonEmpty(len(types) > 0, fmt.Sprintf("The requests carried %s.", typeList(types))),
			fmt.Sprintf("First contact %s; %s.", since(s, first), prose.Plural(len(g.flows), "request", "requests")),
		)
		target := t.manifestFor(g.sdk)
		fix := fmt.Sprintf("List %s under NSPrivacyTrackingDomains in %s, with NSPrivacyTracking true", prose.ListAtMost(hosts, 10), target)
		if g.sdk != "" {
			fix += fmt.Sprintf(" (an update of %s that ships its own privacy manifest may declare %s already)", t.sdkLabel(g.sdk), map[bool]string{true: "it", false: "them"}[len(hosts) == 1])
		}
		fix += "."
		ev := flowsEvidence(g, first, personal)
		ev = append(ev, t.staticEvidence(g.sdk)...)
		out = append(out, model.Finding{SDK: g.sdk, App: t.appOf(g.sdk), Message: msg, Fix: fix, Evidence: ev})
	}
	return out
}

// declaredTrackingDomains are every NSPrivacyTrackingDomains entry of every app's manifests.
func declaredTrackingDomains(in *Input) []string {
	var out []string
	for i := range in.Apps {
		for _, m := range in.Apps[i].Declarations.PrivacyManifests {
			for _, d := range m.TrackingDomains {
				if d = normalizeDomain(d); d != "" {
					out = append(out, d)
				}
			}
		}
	}
	return out
}

// coveredBy reports whether host is one of the domains or a subdomain of one.
func coveredBy(host string, domains []string) bool {
	host = strings.ToLower(host)
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// signatureDomain reports whether the SDK's signature names host among its tracking domains.
func (t *trafficView) signatureDomain(sdk, host string) bool {
	sig, ok := t.in.Signatures.Get(sdk)
	return ok && coveredBy(host, sig.TrackingDomains)
}

// manifestFor is the manifest a declaration for the SDK belongs in, as messages name it: the
// SDK's own bundle's, else the app's.
func (t *trafficView) manifestFor(sdk string) string {
	if v, s := t.appSDK(sdk); s != nil {
		for _, b := range s.Bundles {
			if bd := v.idx.Bundle(b); bd != nil && bd.Kind == model.BundleFramework {
				if bd.PrivacyManifest != "" {
					return v.rel(bd.PrivacyManifest)
				}
				return v.rel(b + "/PrivacyInfo.xcprivacy")
			}
		}
	}
	if len(t.views) > 0 {
		v := t.views[0]
		if r := v.root(); r != nil {
			if r.PrivacyManifest != "" {
				return v.rel(r.PrivacyManifest)
			}
			return v.rel(r.Path + "/PrivacyInfo.xcprivacy")
		}
	}
	return "the app's PrivacyInfo.xcprivacy"
}

func nonEmpty(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}
