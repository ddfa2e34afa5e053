package consent

import (
	"github.com/sdkflow/sdkflow/model"
)

// Run is the merge stage over a report that holds apps and sessions: it fills each app's
// merged privacy report (Declarations.Privacy) and adds what the privacy check could not see
// to the app's limitations, then evaluates the rules and appends their findings and skipped
// rules to the report.
func Run(r *model.Report, sigs Signatures, opt Options) {
	in := &Input{Apps: r.Apps, Sessions: r.Sessions, Signatures: sigs, FirstParty: opt.FirstParty}
	for i := range r.Apps {
		a := in.Privacy(i)
		r.Apps[i].Declarations.Privacy = a.Report
		r.Apps[i].Limitations = append(r.Apps[i].Limitations, a.Limitations...)
	}
	findings, skipped := Evaluate(in, opt)
	r.Findings = append(r.Findings, findings...)
	r.SkippedRules = append(r.SkippedRules, skipped...)
}
