package model

// RuleInfo describes one rule: its stable ID (never renumbered), what it finds, what it needs,
// and how to fix what it finds. Encoders read it for rule metadata (SARIF rules, help text).
type RuleInfo struct {
	ID       string
	Title    string
	Severity Severity // default severity; a rule may raise or lower it per finding
	// Needs says which inputs the rule reads: static (an app), traffic (a session), both.
	Needs string
	// ITMS lists the App Store Connect codes the rule reproduces.
	ITMS []string
	Help string
}

// Inputs a rule can need.
const (
	NeedsStatic  = "static"
	NeedsTraffic = "traffic"
	NeedsBoth    = "both"
)

// Rules is the rule catalogue, in ID order.
var Rules = []RuleInfo{
	{ID: "SDKF001", Title: "Personal data sent to a third party before consent", Severity: SeverityHigh, Needs: NeedsTraffic,
		Help: "A third-party SDK sent personal data (an identifier, or device data that fingerprints the device) before the user was asked for consent. Defer the SDK's initialisation or automatic collection until consent is given (for example FacebookAutoLogAppEventsEnabled=false in Info.plist, then enable it at runtime after consent)."},
	{ID: "SDKF002", Title: "Personal data sent to a third party after consent was declined", Severity: SeverityCritical, Needs: NeedsTraffic,
		Help: "A third-party SDK sent personal data after the user declined consent. The refusal must stop collection: disable the SDK (or its automatic collection) when consent is declined."},
	{ID: "SDKF003", Title: "Advertising ID sent while App Tracking Transparency was not authorized", Severity: SeverityHigh, Needs: NeedsTraffic,
		Help: "A non-zero advertising identifier (IDFA) left the device while ATT was denied or not yet determined. iOS returns the all-zero IDFA unless tracking is authorized, so a real value means it was cached, obtained elsewhere, or ATT was bypassed."},
	{ID: "SDKF004", Title: "Tracker domain contacted but not declared in NSPrivacyTrackingDomains", Severity: SeverityMedium, Needs: NeedsBoth,
		Help: "The app contacted a tracking domain that no privacy manifest in the app declares under NSPrivacyTrackingDomains. iOS 17+ blocks declared tracking domains until ATT is authorized; undeclared ones are not blocked. Declare the domain in the manifest of the bundle that contacts it (and set NSPrivacyTracking to true)."},
	{ID: "SDKF005", Title: "Data type observed in traffic but not declared in NSPrivacyCollectedDataTypes", Severity: SeverityMedium, Needs: NeedsBoth,
		Help: "Traffic carried a data type that no privacy manifest in the app declares under NSPrivacyCollectedDataTypes. Add the NSPrivacyCollectedDataType entry (with linked, tracking and purposes) to the manifest of the SDK or app that sends it, and to the App Store privacy label."},
	{ID: "SDKF006", Title: "Data sent off-device though its declared required reason forbids that", Severity: SeverityHigh, Needs: NeedsBoth,
		Help: "A value obtained through a required-reason API (disk space, system boot time, active keyboards) was sent off the device, but every reason the app declares for that API category forbids sending it off the device. Stop sending the value, or declare a reason that allows it if one truly applies."},
	{ID: "SDKF010", Title: "SDK collects automatically at launch (consent flag absent or on)", Severity: SeverityMedium, Needs: NeedsStatic,
		Help: "The SDK's Info.plist flag that controls automatic collection at launch is absent (the SDK's default is to collect) or turned on, so data leaves the device before any consent prompt can run. Set the flag to its consent-safe value and enable collection at runtime once the user agrees."},
	{ID: "SDKF011", Title: "Required-reason API used without a declaration", Severity: SeverityHigh, Needs: NeedsStatic, ITMS: []string{"ITMS-91053"},
		Help: "A binary uses an API from a required-reason category, but the privacy manifest that covers it declares no reason for that category. App Store Connect rejects the upload (ITMS-91053). Add an NSPrivacyAccessedAPITypes entry with the category and the reason code that matches the use."},
	{ID: "SDKF012", Title: "SDK on Apple's list without its own privacy manifest", Severity: SeverityHigh, Needs: NeedsStatic, ITMS: []string{"ITMS-91061"},
		Help: "An SDK on Apple's list of commonly used third-party SDKs is present without its own PrivacyInfo.xcprivacy, including when it is repackaged inside another framework. App Store Connect rejects the upload (ITMS-91061). Update the SDK to a version that ships a privacy manifest."},
	{ID: "SDKF013", Title: "Tracking domains declared while NSPrivacyTracking is false", Severity: SeverityHigh, Needs: NeedsStatic, ITMS: []string{"ITMS-91064", "ITMS-91107"},
		Help: "A privacy manifest lists NSPrivacyTrackingDomains while NSPrivacyTracking is false or absent. App Store Connect rejects the upload (ITMS-91064; ITMS-91107 for any manifest in the bundle). Set NSPrivacyTracking to true, or remove the domains if the bundle does not track."},
	{ID: "SDKF014", Title: "Invalid privacy manifest content", Severity: SeverityHigh, Needs: NeedsStatic, ITMS: []string{"ITMS-91108"},
		Help: "A privacy manifest has keys or values of the wrong format: a wrong value type, an unknown constant, display text instead of a constant, or a reason code under the wrong category. App Store Connect rejects the upload (ITMS-91108). Correct the value named in the finding."},
	{ID: "SDKF015", Title: "App links AdSupport or AppTrackingTransparency without NSUserTrackingUsageDescription", Severity: SeverityMedium, Needs: NeedsStatic,
		Help: "A binary links AdSupport or AppTrackingTransparency, but the app's Info.plist has no NSUserTrackingUsageDescription, so the app cannot ask for tracking permission. Add the usage description and request authorization before reading the advertising identifier, or remove the framework."},
	{ID: "SDKF016", Title: "App Transport Security disabled for all loads", Severity: SeverityMedium, Needs: NeedsStatic,
		Help: "NSAppTransportSecurity/NSAllowsArbitraryLoads is true, so any connection may use plain HTTP and personal data can travel unencrypted. Remove the key and add NSExceptionDomains for the hosts that truly need it."},
	{ID: "SDKF017", Title: "SDK on Apple's list shipped as a binary without a code signature", Severity: SeverityHigh, Needs: NeedsStatic, ITMS: []string{"ITMS-91065"},
		Help: "A binary that holds an SDK on Apple's list of commonly used third-party SDKs has no code signature. App Store Connect rejects the upload (ITMS-91065). Use the vendor's signed distribution, or sign the framework when repackaging it."},
	{ID: "SDKF020", Title: "Tracker traffic with no matching SDK found in the app", Severity: SeverityMedium, Needs: NeedsBoth,
		Help: "The app contacted a tracker whose SDK the static pass did not find: the SDK may be hidden (encrypted or statically linked under other names), the request may come from a web view, or the data may be forwarded server-side. Find the code that sends it before claiming the app is free of that tracker."},
	{ID: "SDKF021", Title: "Certificate pinning prevented inspection of a tracker host", Severity: SeverityLow, Needs: NeedsTraffic,
		Help: "The client refused the proxy's certificate for a tracker host (certificate pinning, or the CA is not trusted), so what it sent could not be inspected. The report cannot prove what this host received; repeat the test with pinning disabled on a test build."},
}

// Rule returns the catalogue entry for an ID.
func Rule(id string) (RuleInfo, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return RuleInfo{}, false
}
