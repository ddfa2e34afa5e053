package model

// Severity orders findings; --fail-on compares against it.
type Severity string

// Severities, lowest first.
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

var severityRank = map[Severity]int{
	SeverityInfo: 1, SeverityLow: 2, SeverityMedium: 3, SeverityHigh: 4, SeverityCritical: 5,
}

// Rank returns the severity's order (0 for unknown values).
func (s Severity) Rank() int { return severityRank[s] }

// AtLeast reports whether s is as severe as t or more.
func (s Severity) AtLeast(t Severity) bool { return s.Rank() >= t.Rank() && s.Rank() > 0 }

// ParseSeverity accepts a severity name; ok is false for anything else.
func ParseSeverity(s string) (Severity, bool) {
	sev := Severity(s)
	return sev, sev.Rank() > 0
}

// Finding is one rule violation, with the facts that prove it.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// SDK is the signature id of the SDK concerned, "" when the app itself is.
	SDK string `json:"sdk"`
	// App is the bundle id of the app concerned, "" for traffic-only findings.
	App     string `json:"app,omitempty"`
	Message string `json:"message"`
	// Fix says what to change, with the exact key or reason code.
	Fix string `json:"fix,omitempty"`
	// Evidence lists the primary evidence first (the request or the file), then related
	// evidence (the SDK binary, the Info.plist key, the marker).
	Evidence []Evidence `json:"evidence"`
	// Fingerprint is stable across runs on the same inputs, for SARIF and allow files.
	Fingerprint string `json:"fingerprint"`
	// Suppressed is set when an allow-file entry accepts this finding.
	Suppressed *Suppression `json:"suppressed,omitempty"`
}

// Suppression is an accepted finding's justification.
type Suppression struct {
	Reason  string `json:"reason"`
	Expires string `json:"expires,omitempty"`
	Source  string `json:"source"` // the allow file
}
