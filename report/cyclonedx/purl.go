package cyclonedx

import (
	"path"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

// cocoaPodsPrefix starts the CFBundleIdentifier CocoaPods stamps into every framework it builds
// from a pod (org.cocoapods.<product name>). Vendors' prebuilt frameworks carry their own ids,
// so for those the pod is not known and no purl is written.
const cocoaPodsPrefix = "org.cocoapods."

// podOfModule names the pods whose framework (module) name differs from the pod name, because
// the podspec sets module_name. A module in this table with an empty pod is ambiguous (two pods
// build it), so it gets no purl.
var podOfModule = map[string]string{
	"FBLPromises":  "PromisesObjC",
	"Promises":     "PromisesSwift",
	"grpc":         "gRPC-Core",
	"grpcpp":       "gRPC-C++",
	"openssl_grpc": "BoringSSL-GRPC",
	"absl":         "abseil",
	"leveldb":      "leveldb-library",
	"Lottie":       "lottie-ios",
	"Cordova":      "CapacitorCordova",
	"hermes":       "hermes-engine",
	"Reachability": "", // Reachability (Objective-C) or ReachabilitySwift
}

// podPURL is the SDK's package URL (pkg:cocoapods/NAME@VERSION) when CocoaPods built exactly one
// framework of it, and "" otherwise.
func podPURL(a *model.App, s *model.SDK) string {
	var modules []string
	for _, b := range a.Bundles {
		if b.Kind == model.BundleFramework && strings.HasPrefix(b.BundleID, cocoaPodsPrefix) && slices.Contains(s.Bundles, b.Path) {
			modules = append(modules, frameworkName(b.Path))
		}
	}
	if len(a.Bundles) == 0 {
		// No bundle list: the SDK's own bundle-id evidence names the framework's Info.plist.
		for _, e := range s.Evidence {
			if e.Kind == model.EvidenceBundleID && strings.HasPrefix(e.Value, cocoaPodsPrefix) && path.Base(e.Path) == "Info.plist" {
				modules = append(modules, frameworkName(path.Dir(e.Path)))
			}
		}
	}
	slices.Sort(modules)
	modules = slices.Compact(modules)
	if len(modules) != 1 || modules[0] == "" {
		return ""
	}
	pod := modules[0]
	if p, ok := podOfModule[pod]; ok {
		pod = p
	}
	if pod == "" {
		return ""
	}
	purl := "pkg:cocoapods/" + purlEscape(pod)
	if s.Version != "" {
		purl += "@" + purlEscape(s.Version)
	}
	return purl
}

// frameworkName is X for a path ending in X.framework, "" otherwise.
func frameworkName(p string) string {
	base := path.Base(p)
	name, ok := strings.CutSuffix(base, ".framework")
	if !ok || name == "" || len(name) > 100 {
		return ""
	}
	return name
}

// purlEscape percent-encodes everything but the characters the purl specification leaves
// unencoded in a name or version.
func purlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-_~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
