package plist

import "strings"

// Prefixes of Apple's privacy manifest constants.
const (
	DataTypePrefix = "NSPrivacyCollectedDataType"
	PurposePrefix  = "NSPrivacyCollectedDataTypePurpose"
	CategoryPrefix = "NSPrivacyAccessedAPICategory"
)

// DataTypes are the 35 NSPrivacyCollectedDataType values Apple defines.
var DataTypes = prefixed(DataTypePrefix,
	// Contact info
	"Name", "EmailAddress", "PhoneNumber", "PhysicalAddress", "OtherUserContactInfo",
	// Health and fitness
	"Health", "Fitness",
	// Financial info
	"PaymentInfo", "CreditInfo", "OtherFinancialInfo",
	// Location
	"PreciseLocation", "CoarseLocation",
	// Sensitive info, contacts
	"SensitiveInfo", "Contacts",
	// User content ("PhotosorVideos" with a lower-case "or", as Apple spells it)
	"EmailsOrTextMessages", "PhotosorVideos", "AudioData", "GameplayContent", "CustomerSupport", "OtherUserContent",
	// Browsing and search history
	"BrowsingHistory", "SearchHistory",
	// Identifiers, purchases
	"UserID", "DeviceID", "PurchaseHistory",
	// Usage data
	"ProductInteraction", "AdvertisingData", "OtherUsageData",
	// Diagnostics
	"CrashData", "PerformanceData", "OtherDiagnosticData",
	// Surroundings and body (visionOS)
	"EnvironmentScanning", "Hands", "Head",
	// Other
	"OtherDataTypes",
)

// Purposes are the six NSPrivacyCollectedDataTypePurpose values.
var Purposes = prefixed(PurposePrefix,
	"ThirdPartyAdvertising", "DeveloperAdvertising", "Analytics", "ProductPersonalization",
	"AppFunctionality", "Other")

// Required-reason API categories (NSPrivacyAccessedAPIType values).
const (
	CategoryFileTimestamp   = "NSPrivacyAccessedAPICategoryFileTimestamp"
	CategorySystemBootTime  = "NSPrivacyAccessedAPICategorySystemBootTime"
	CategoryDiskSpace       = "NSPrivacyAccessedAPICategoryDiskSpace"
	CategoryActiveKeyboards = "NSPrivacyAccessedAPICategoryActiveKeyboards"
	CategoryUserDefaults    = "NSPrivacyAccessedAPICategoryUserDefaults"
)

// Categories lists the required-reason API categories.
var Categories = []string{CategoryFileTimestamp, CategorySystemBootTime, CategoryDiskSpace,
	CategoryActiveKeyboards, CategoryUserDefaults}

// OffDevice says whether the value a required-reason API gives may leave the device under a
// reason.
type OffDevice string

// What a reason allows.
const (
	// OffDeviceAllowed: Apple's text puts no limit on sending the value.
	OffDeviceAllowed OffDevice = "allowed"
	// OffDeviceForbidden: the value may not leave the device.
	OffDeviceForbidden OffDevice = "forbidden"
	// OffDeviceUserInitiated: only inside a report the user chooses to send.
	OffDeviceUserInitiated OffDevice = "user-initiated"
	// OffDeviceDerivedOnly: the value itself may not leave, intervals computed from it may
	// (boot time under 35F9.1).
	OffDeviceDerivedOnly OffDevice = "derived-only"
)

// Reason is one approved reason code for a required-reason API category.
type Reason struct {
	Code      string
	Category  string
	Use       string // the allowed use, in short
	OffDevice OffDevice
}

// Reasons are Apple's reason codes per category.
var Reasons = []Reason{
	{"DDA9.1", CategoryFileTimestamp, "display timestamps to the user", OffDeviceForbidden},
	{"C617.1", CategoryFileTimestamp, "files inside the app container, app group or the app's CloudKit container", OffDeviceAllowed},
	{"3B52.1", CategoryFileTimestamp, "files the user explicitly granted access to", OffDeviceAllowed},
	{"0A2A.1", CategoryFileTimestamp, "third-party SDK wrapper only", OffDeviceAllowed},
	{"35F9.1", CategorySystemBootTime, "elapsed time between in-app events, timers", OffDeviceDerivedOnly},
	{"8FFB.1", CategorySystemBootTime, "absolute timestamps of in-app events", OffDeviceAllowed},
	{"3D61.1", CategorySystemBootTime, "optional bug report the user chooses to submit", OffDeviceUserInitiated},
	{"85F4.1", CategoryDiskSpace, "display disk space to the user", OffDeviceForbidden},
	{"E174.1", CategoryDiskSpace, "check space before writing, clean up when low", OffDeviceForbidden},
	{"7D9E.1", CategoryDiskSpace, "optional bug report the user chooses to submit", OffDeviceUserInitiated},
	{"B728.1", CategoryDiskSpace, "health-research app", OffDeviceAllowed},
	{"3EC4.1", CategoryActiveKeyboards, "the app is a custom keyboard", OffDeviceForbidden},
	{"54BD.1", CategoryActiveKeyboards, "customise the UI for the active keyboard", OffDeviceForbidden},
	{"CA92.1", CategoryUserDefaults, "data readable only by the app itself", OffDeviceAllowed},
	{"1C8F.1", CategoryUserDefaults, "data shared within the same App Group", OffDeviceAllowed},
	{"C56D.1", CategoryUserDefaults, "third-party SDK wrapper only", OffDeviceAllowed},
	{"AC6B.1", CategoryUserDefaults, "MDM managed configuration keys", OffDeviceAllowed},
}

// LookupReason finds a reason code under a category.
func LookupReason(category, code string) (Reason, bool) {
	for _, r := range Reasons {
		if r.Category == category && r.Code == code {
			return r, true
		}
	}
	return Reason{}, false
}

// ReasonAllowsOffDevice says whether a declared reason lets the value leave the device as
// ordinary traffic. known is false for a code that is not Apple's under that category, which
// is a manifest problem rather than a permission. User-initiated reports and derived-only
// values count as not allowed: traffic that carries the value itself, unasked, contradicts
// them.
func ReasonAllowsOffDevice(category, code string) (allowed, known bool) {
	r, ok := LookupReason(category, code)
	if !ok {
		return false, false
	}
	return r.OffDevice == OffDeviceAllowed, true
}

// IsDataType, IsPurpose and IsCategory tell Apple's constants from anything else.
func IsDataType(s string) bool { return contains(DataTypes, s) }
func IsPurpose(s string) bool  { return contains(Purposes, s) }
func IsCategory(s string) bool { return contains(Categories, s) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func prefixed(prefix string, names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// suggest finds the constant that a display text or a miscased constant stands for
// ("App Functionality" → NSPrivacyCollectedDataTypePurposeAppFunctionality), "" if none.
func suggest(list []string, prefix, s string, aliases map[string]string) string {
	key := strings.TrimPrefix(squash(s), squash(prefix))
	if a, ok := aliases[key]; ok {
		return prefix + a
	}
	for _, c := range list {
		if squash(strings.TrimPrefix(c, prefix)) == key {
			return c
		}
	}
	return ""
}

// squash lower-cases s and keeps letters and digits only.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Display texts of App Store Connect that do not squash to their constant.
var purposeAliases = map[string]string{
	"developersadvertisingormarketing": "DeveloperAdvertising",
	"developeradvertisingormarketing":  "DeveloperAdvertising",
	"otherpurposes":                    "Other",
}

var dataTypeAliases = map[string]string{
	"deviceidentifier":      "DeviceID",
	"useridentifier":        "UserID",
	"photosvideos":          "PhotosorVideos",
	"othercontactinfo":      "OtherUserContactInfo",
	"otheruserscontactinfo": "OtherUserContactInfo",
	"otherdata":             "OtherDataTypes",
	"othertypesofdata":      "OtherDataTypes",
}
