package model

import (
	"cmp"
	"strings"
)

// CompareEvidence orders evidence by kind, path, value, session, flow, pattern and detail.
func CompareEvidence(a, b Evidence) int {
	return cmp.Or(
		strings.Compare(a.Kind, b.Kind),
		strings.Compare(a.Path, b.Path),
		strings.Compare(a.Value, b.Value),
		strings.Compare(a.Session, b.Session),
		cmp.Compare(flowIndex(a.Flow), flowIndex(b.Flow)),
		strings.Compare(a.Pattern, b.Pattern),
		strings.Compare(a.Detail, b.Detail),
	)
}

func flowIndex(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// CompareFindings orders findings most severe first, then by rule, app, SDK, primary evidence
// and message, so that the order is total for distinct findings.
func CompareFindings(a, b Finding) int {
	if c := cmp.Compare(b.Severity.Rank(), a.Severity.Rank()); c != 0 {
		return c
	}
	return cmp.Or(
		strings.Compare(a.Rule, b.Rule),
		strings.Compare(a.App, b.App),
		strings.Compare(a.SDK, b.SDK),
		compareEvidenceLists(a.Evidence, b.Evidence),
		strings.Compare(a.Message, b.Message),
	)
}

func compareEvidenceLists(a, b []Evidence) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := CompareEvidence(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}
