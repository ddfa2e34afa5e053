package signatures

import "github.com/sdkflow/sdkflow/model"

// Confidence grades the evidence for one SDK in one app:
//
//   - high: the SDK's own bundle id; or its container (framework folder, linked dylib) together
//     with its code (classes, symbols, Swift module) or its configuration (Info.plist key, URL
//     scheme); or its code together with its configuration; or three or more distinct code names.
//   - medium: one strong kind alone (a framework folder, a class, a plist key, ...).
//   - low: only weak hints (plain strings in a binary), or nothing.
//
// One weak hint never makes a tracker verdict on its own; kinds combine.
func Confidence(ev []model.Evidence) string {
	var container, bundleID, config bool
	codeValues := map[string]bool{}
	for _, e := range ev {
		switch e.Kind {
		case model.EvidenceBundleID:
			bundleID = true
		case model.EvidenceFramework, model.EvidenceDylib:
			container = true
		case model.EvidenceClass, model.EvidenceSymbol, model.EvidenceSwiftModule:
			codeValues[codeName(e.Value)] = true
		case model.EvidencePlistKey, model.EvidenceURLScheme:
			config = true
		}
	}
	code := len(codeValues) > 0
	switch {
	case bundleID,
		container && (code || config),
		code && config,
		len(codeValues) >= 3:
		return model.ConfidenceHigh
	case container, code, config:
		return model.ConfidenceMedium
	}
	return model.ConfidenceLow
}

// codeName makes "_OBJC_CLASS_$_X" and "X" count as one name.
func codeName(v string) string {
	if c, ok := objcClassFromSymbol(v); ok {
		return c
	}
	return v
}
