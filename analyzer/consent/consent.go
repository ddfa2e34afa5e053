// Package consent holds the rules that turn an app's inventory and declarations, and the
// traffic of test sessions, into findings with stable rule IDs (model.Rules). Static rules
// (SDKF010-SDKF017) read apps only; traffic rules read sessions, and some read both.
//
// A rule is a small value implementing Rule. Evaluate runs every rule whose inputs are
// present, records the others as skipped with the reason, gives each finding its default
// severity and a stable fingerprint, and orders the result. Rules are registered with
// Register from an init function, one file per rule:
//
//	func init() { Register(beforeConsent{}) }
//
//	type beforeConsent struct{}
//
//	func (beforeConsent) Info() model.RuleInfo { return ruleInfo("SDKF001") }
//
//	func (beforeConsent) Check(in *Input) []model.Finding {
//		// read in.Sessions (and in.Apps, in.Privacy(i) for rules that need both); return
//		// findings whose first evidence is the request (kind flow, session, flow index)
//	}
//
// A rule whose RuleInfo.Needs input is absent is skipped with the reason; one that needs more
// (the signature set) implements Prerequisite. Only SDKs at confidence medium or high drive
// findings (privacy.Confident).
//
// Traffic rules (SDKF001-SDKF006, SDKF020, SDKF021) register with registerTraffic instead, so
// that `sdkflow scan`, which never has traffic, does not list them as skipped; the report
// pipeline runs AllRules (see traffic.go).
package consent

import (
	"fmt"
	"slices"
	"sync"

	"github.com/sdkflow/sdkflow/analyzer/privacy"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/signatures"
)

// Signatures looks up an SDK's signature by id; *signatures.Set implements it.
type Signatures interface {
	Get(id string) (*signatures.Signature, bool)
}

// Input is everything rules may read. Rules must not modify it.
type Input struct {
	Apps     []model.App
	Sessions []model.Session
	// Signatures is the set the apps were scanned with; rules that need an SDK's consent flags
	// are skipped without it.
	Signatures Signatures
	// FirstParty are domains the tester declares the app's own (--first-party), besides those
	// read from the apps' bundle ids: traffic to them is not sent to a third party.
	FirstParty []string

	privacyOnce sync.Once
	privacy     []*privacy.Analysis
}

// Privacy returns the required-reason analysis of Apps[i], computed once.
func (in *Input) Privacy(i int) *privacy.Analysis {
	in.privacyOnce.Do(func() {
		in.privacy = make([]*privacy.Analysis, len(in.Apps))
		for j := range in.Apps {
			in.privacy[j] = privacy.Analyze(&in.Apps[j])
		}
	})
	return in.privacy[i]
}

// Rule is one check. Check returns the findings; Evaluate fills in what the rule leaves empty
// (Rule, Severity, Fingerprint), so a rule sets only what it knows.
type Rule interface {
	Info() model.RuleInfo
	Check(in *Input) []model.Finding
}

// Prerequisite is implemented by rules that need more than their RuleInfo.Needs says (a
// signature set, say). Missing returns why the rule cannot run, "" when it can.
type Prerequisite interface {
	Missing(in *Input) string
}

var (
	registryMu sync.Mutex
	registry   []Rule
)

// Register adds a rule to those Evaluate runs by default. It is meant for init functions; a
// second rule with the same ID is a programming error and panics at start-up.
func Register(r Rule) {
	registryMu.Lock()
	defer registryMu.Unlock()
	id := r.Info().ID
	for _, x := range registry {
		if x.Info().ID == id {
			panic("consent: rule " + id + " registered twice")
		}
	}
	registry = append(registry, r)
}

// Registered returns the registered rules in ID order.
func Registered() []Rule {
	registryMu.Lock()
	defer registryMu.Unlock()
	out := slices.Clone(registry)
	slices.SortFunc(out, func(a, b Rule) int { return compareIDs(a.Info().ID, b.Info().ID) })
	return out
}

func compareIDs(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Options select the rules to run.
type Options struct {
	// Rules replaces the registered rules when non-nil.
	Rules []Rule
	// FirstParty is copied to Input.FirstParty by Run.
	FirstParty []string
}

// Evaluate runs the rules over in. Rules whose inputs are missing are skipped with a reason;
// a rule that fails is skipped too, with the failure as the reason, and the others go on.
// Findings come back in canonical order with unique fingerprints.
func Evaluate(in *Input, opt Options) (findings []model.Finding, skipped []model.SkippedRule) {
	rules := opt.Rules
	if rules == nil {
		rules = Registered()
	}
	for _, r := range rules {
		info := r.Info()
		if reason := missingInput(in, info); reason != "" {
			skipped = append(skipped, model.SkippedRule{Rule: info.ID, Reason: reason})
			continue
		}
		if p, ok := r.(Prerequisite); ok {
			if reason := p.Missing(in); reason != "" {
				skipped = append(skipped, model.SkippedRule{Rule: info.ID, Reason: reason})
				continue
			}
		}
		got, err := check(r, in)
		if err != nil {
			skipped = append(skipped, model.SkippedRule{Rule: info.ID, Reason: err.Error()})
			continue
		}
		for _, f := range got {
			if f.Rule == "" {
				f.Rule = info.ID
			}
			if f.Severity == "" {
				f.Severity = info.Severity
			}
			if f.Fingerprint == "" {
				f.Fingerprint = Fingerprint(&f)
			}
			findings = append(findings, f)
		}
	}
	slices.SortStableFunc(findings, model.CompareFindings)
	uniqueFingerprints(findings)
	return findings, skipped
}

// check runs one rule, turning a panic into an error: a bug in one rule must not cost the
// user the rest of the report.
func check(r Rule, in *Input) (out []model.Finding, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("internal error in rule %s: %v", r.Info().ID, p)
		}
	}()
	return r.Check(in), nil
}

func missingInput(in *Input, info model.RuleInfo) string {
	apps, sessions := len(in.Apps) > 0, len(in.Sessions) > 0
	switch info.Needs {
	case model.NeedsStatic:
		if !apps {
			return "needs an app (give the app to scan, or --app to report)"
		}
	case model.NeedsTraffic:
		if !sessions {
			return "needs a captured session (--session or --har)"
		}
	case model.NeedsBoth:
		switch {
		case !apps && !sessions:
			return "needs an app and a captured session"
		case !apps:
			return "needs an app (--app) besides the session"
		case !sessions:
			return "needs a captured session (--session or --har) besides the app"
		}
	}
	return ""
}

// ruleInfo returns the catalogue entry of a rule ID; the ID must be in model.Rules.
func ruleInfo(id string) model.RuleInfo {
	info, ok := model.Rule(id)
	if !ok {
		panic("consent: rule " + id + " is not in model.Rules")
	}
	return info
}
