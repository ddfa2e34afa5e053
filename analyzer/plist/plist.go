// Package plist reads the property lists of an app: every Info.plist into model.InfoPlist and
// every privacy manifest (PrivacyInfo.xcprivacy) into model.PrivacyManifest, checked against
// Apple's constants, which it exports for the rules.
//
// XML, binary and OpenStep property lists are decoded with howett.net/plist, after bounding
// their size, nesting and (binary) expansion, and under recover().
package plist

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// Bounds on what one file contributes.
const (
	maxValueLen  = 4096   // a scalar kept in InfoPlist.Values
	maxListItems = 10_000 // entries read from one array or dictionary
)

// ParseInfo reads an Info.plist found at path (inside the bundle at bundle). The error is
// non-nil when the data is not a property list with a dictionary at its root.
func ParseInfo(data []byte, path, bundle string) (model.InfoPlist, error) {
	info := model.InfoPlist{Path: path, Bundle: bundle}
	v, format, err := decode(data)
	if err != nil {
		return info, err
	}
	info.Format = format
	root, ok := v.(map[string]any)
	if !ok {
		return info, fmt.Errorf("the root is %s, not a dictionary", typeName(v))
	}
	info.BundleID = str(root["CFBundleIdentifier"])
	info.Name = str(root["CFBundleName"])
	if info.Name == "" {
		info.Name = str(root["CFBundleDisplayName"])
	}
	info.Executable = str(root["CFBundleExecutable"])
	info.PackageType = str(root["CFBundlePackageType"])
	info.ShortVersion = str(root["CFBundleShortVersionString"])
	info.Version = str(root["CFBundleVersion"])
	info.MinOS = str(root["MinimumOSVersion"])
	if info.MinOS == "" {
		info.MinOS = str(root["LSMinimumSystemVersion"])
	}

	info.Keys = make([]string, 0, len(root))
	for k, val := range root {
		info.Keys = append(info.Keys, k)
		if s, ok := scalar(val); ok {
			if info.Values == nil {
				info.Values = map[string]any{}
			}
			info.Values[k] = s
		}
	}
	slices.Sort(info.Keys)

	for _, t := range list(root["CFBundleURLTypes"]) {
		schemes := dict(t)["CFBundleURLSchemes"]
		if s := str(schemes); s != "" { // a lone string where an array belongs
			info.URLSchemes = append(info.URLSchemes, s)
		}
		for _, s := range list(schemes) {
			if s := str(s); s != "" {
				info.URLSchemes = append(info.URLSchemes, s)
			}
		}
	}
	info.URLSchemes = tidy(info.URLSchemes)

	if raw, ok := root["NSAppTransportSecurity"]; ok {
		ats := dict(raw)
		info.ATS = &model.ATS{}
		if b, ok := Bool(ats["NSAllowsArbitraryLoads"]); ok {
			info.ATS.AllowsArbitraryLoads = &b
		}
		if b, ok := Bool(ats["NSAllowsArbitraryLoadsInWebContent"]); ok {
			info.ATS.AllowsArbitraryLoadsInWebContent = &b
		}
		for d := range dict(ats["NSExceptionDomains"]) {
			info.ATS.ExceptionDomains = append(info.ATS.ExceptionDomains, d)
		}
		info.ATS.ExceptionDomains = tidy(info.ATS.ExceptionDomains)
	}

	for _, l := range list(root["AvailableLibraries"]) {
		lib := dict(l)
		id, p := str(lib["LibraryIdentifier"]), str(lib["LibraryPath"])
		switch {
		case id != "" && p != "":
			info.XCFrameworkLibraries = append(info.XCFrameworkLibraries, id+"/"+p)
		case id != "":
			info.XCFrameworkLibraries = append(info.XCFrameworkLibraries, id)
		}
	}
	info.XCFrameworkLibraries = tidy(info.XCFrameworkLibraries)
	return info, nil
}

// Bool reads a value as a boolean the way the frameworks that read Info.plists do: a real
// boolean, a number (non-zero is true), or a string such as "YES", "true", "1", "NO", "false",
// "0" (any case). ok is false for anything else, including a missing value (nil).
func Bool(value any) (b, ok bool) {
	switch v := value.(type) {
	case bool:
		return v, true
	case uint64:
		return v != 0, true
	case int64:
		return v != 0, true
	case int:
		return v != 0, true
	case float64:
		return v != 0, true
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "yes", "true", "1":
			return true, true
		case "no", "false", "0":
			return false, true
		}
	}
	return false, false
}

// scalar gives the value kept in InfoPlist.Values: strings (bounded), booleans, numbers, and
// dates as RFC 3339 text. Containers and data are left out.
func scalar(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		if len(x) > maxValueLen {
			x = x[:maxValueLen]
		}
		return x, true
	case bool, uint64, int64:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64), true // JSON has no NaN
		}
		return x, true
	case time.Time:
		return x.UTC().Format(time.RFC3339), true
	}
	return nil, false
}

// str reads a string, or a number written where a string belongs (CFBundleVersion 3).
func str(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > maxValueLen {
			return x[:maxValueLen]
		}
		return x
	case uint64:
		return strconv.FormatUint(x, 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

func list(v any) []any {
	l, _ := v.([]any)
	if len(l) > maxListItems {
		l = l[:maxListItems]
	}
	return l
}

func dict(v any) map[string]any {
	d, _ := v.(map[string]any)
	return d
}

func tidy(l []string) []string {
	slices.Sort(l)
	return slices.Compact(l)
}

// typeName names a decoded value's property-list type for messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "missing"
	case string:
		return "a string"
	case bool:
		return "a Boolean"
	case uint64, int64, float64:
		return "a number"
	case time.Time:
		return "a date"
	case []byte:
		return "data"
	case []any:
		return "an array"
	case map[string]any:
		return "a dictionary"
	}
	return fmt.Sprintf("%T", v)
}
