package signatures

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Exodus Privacy publishes its tracker database (reports.exodus-privacy.eu.org/api/trackers)
// under the ODbL: sdkflow never bundles it, but converts a copy the user supplies. Its code
// signatures are Java packages, so they are kept for Android only; its network signatures are
// host regexes, converted to host rules.

const (
	maxExodusSize     = 32 << 20
	maxExodusTrackers = 5000
	exodusLicence     = "Exodus Privacy tracker database, ODbL 1.0 (https://opendatacommons.org/licenses/odbl/1-0/)"
)

// ExodusImport is the result of converting an Exodus tracker file.
type ExodusImport struct {
	Signatures []*Signature
	// Warnings name the parts that could not be converted (e.g. a host regex too complex to
	// turn into a host rule); the rest of the tracker is kept.
	Warnings []string
}

type exodusFile struct {
	Trackers map[string]exodusTracker `json:"trackers"`
}

type exodusTracker struct {
	ID               int      `json:"id"`
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	CodeSignature    string   `json:"code_signature"`
	NetworkSignature string   `json:"network_signature"`
	Website          string   `json:"website"`
	Categories       []string `json:"categories"`
}

var exodusCategories = map[string]string{
	"advertisement":   "advertising",
	"analytics":       "analytics",
	"crash reporting": "crash-reporting",
	"profiling":       "analytics",
	"identification":  "other",
	"location":        "other",
}

// ImportExodus converts the JSON of Exodus's trackers API into signatures with ids
// "exodus-<name>", network rules from network_signature and Android packages from
// code_signature. It never panics on malformed input.
func ImportExodus(r io.Reader) (imp *ExodusImport, err error) {
	defer func() {
		if p := recover(); p != nil {
			imp, err = nil, fmt.Errorf("reading Exodus trackers: unreadable input (%v)", p)
		}
	}()
	data, err := io.ReadAll(io.LimitReader(r, maxExodusSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading Exodus trackers: %w", err)
	}
	if len(data) > maxExodusSize {
		return nil, fmt.Errorf("reading Exodus trackers: larger than %d bytes", maxExodusSize)
	}
	var f exodusFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("reading Exodus trackers: %w", err)
	}
	if len(f.Trackers) == 0 {
		return nil, fmt.Errorf("reading Exodus trackers: no \"trackers\" object (expected the JSON of the trackers API)")
	}
	if len(f.Trackers) > maxExodusTrackers {
		return nil, fmt.Errorf("reading Exodus trackers: more than %d trackers", maxExodusTrackers)
	}
	keys := make([]string, 0, len(f.Trackers))
	for k := range f.Trackers {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, errA := strconv.Atoi(keys[i])
		b, errB := strconv.Atoi(keys[j])
		if errA == nil && errB == nil {
			return a < b
		}
		return keys[i] < keys[j]
	})
	imp = &ExodusImport{}
	used := map[string]bool{}
	for _, k := range keys {
		t := f.Trackers[k]
		if t.ID == 0 {
			t.ID, _ = strconv.Atoi(k)
		}
		sig, warnings := exodusSignature(t, used)
		imp.Warnings = append(imp.Warnings, warnings...)
		if sig != nil {
			imp.Signatures = append(imp.Signatures, sig)
		}
	}
	return imp, nil
}

func exodusSignature(t exodusTracker, used map[string]bool) (*Signature, []string) {
	var warnings []string
	name := strings.TrimSpace(t.Name)
	if name == "" {
		return nil, []string{fmt.Sprintf("tracker %d: no name, skipped", t.ID)}
	}
	if len(name) > 128 {
		name = name[:128]
	}
	id := "exodus-" + kebab(name)
	if len(id) > 56 {
		id = strings.TrimRight(id[:56], "-")
	}
	if used[id] {
		id = fmt.Sprintf("%s-%d", id, t.ID)
	}
	used[id] = true
	page := fmt.Sprintf("https://reports.exodus-privacy.eu.org/trackers/%d/", t.ID)
	website := strings.TrimSpace(t.Website)
	if !strings.HasPrefix(website, "https://") && !strings.HasPrefix(website, "http://") || len(website) > 512 {
		website = page
	}
	category := "other"
	for _, c := range t.Categories {
		if m, ok := exodusCategories[strings.ToLower(strings.TrimSpace(c))]; ok {
			category = m
			break
		}
	}
	sig := &Signature{
		ID: id, Name: name, Vendor: name, Category: category, Tracker: true, Website: website,
		References:  []string{page, exodusLicence},
		Description: fmt.Sprintf("Imported from Exodus Privacy tracker %d. Network rules only: Exodus code signatures are Java packages (Android).", t.ID),
	}
	for _, alt := range splitAlternatives(t.NetworkSignature) {
		rule, ok := exodusHostRule(alt)
		if !ok {
			warnings = append(warnings, fmt.Sprintf("tracker %d (%s): host regex %q kept out: not a host name or simple pattern", t.ID, name, alt))
			continue
		}
		sig.Network = append(sig.Network, rule)
	}
	var packages []string
	for _, p := range strings.Split(t.CodeSignature, "|") {
		p = strings.Trim(strings.ReplaceAll(strings.TrimSpace(p), `\.`, "."), ".")
		if p != "" && len(p) <= 253 && len(packages) < 1000 {
			packages = append(packages, p)
		}
	}
	if len(packages) > 0 {
		sig.Android = &Android{Packages: packages, Source: fmt.Sprintf("Exodus Privacy tracker %d (ODbL 1.0)", t.ID)}
	}
	if len(sig.Network) == 0 && sig.Android == nil {
		return nil, append(warnings, fmt.Sprintf("tracker %d (%s): no usable signature, skipped", t.ID, name))
	}
	if len(sig.Network) > 200 {
		sig.Network = sig.Network[:200]
	}
	return sig, warnings
}

var nonKebab = regexp.MustCompile(`[^a-z0-9]+`)

func kebab(s string) string {
	k := strings.Trim(nonKebab.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if k == "" {
		k = "tracker"
	}
	return k
}

// splitAlternatives splits a regex on top-level '|'.
func splitAlternatives(re string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(re); i++ {
		switch re[i] {
		case '\\':
			i++
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, re[start:i])
				start = i + 1
			}
		}
	}
	out = append(out, re[start:])
	var kept []string
	for _, a := range out {
		if a = strings.TrimSpace(a); a != "" {
			kept = append(kept, a)
		}
	}
	return kept
}

var hostChars = regexp.MustCompile(`^[a-z0-9.*-]+$`)

// exodusHostRule converts one alternative of an Exodus host regex. Exodus matches the regex
// anywhere in the host name, so "api\.branch\.io" becomes a suffix rule for api.branch.io and
// its subdomains, and "\.facebook\.com" one for facebook.com; ".*" and ".+" inside a label
// become a host pattern.
func exodusHostRule(alt string) (NetworkRule, bool) {
	h := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(alt, "^"), "$"))
	for _, wild := range []string{".*", ".+", "[a-z0-9-]*", "[a-z0-9-]+", "[0-9]*", "[0-9]+", "\\d+", "\\d*"} {
		h = strings.ReplaceAll(h, wild, "*")
	}
	h = strings.ReplaceAll(h, `\.`, ".")
	h = strings.ReplaceAll(h, `\-`, "-")
	h = strings.TrimLeft(h, ".*")
	h = strings.TrimRight(h, ".")
	if !hostChars.MatchString(h) || strings.Contains(h, "**") {
		return NetworkRule{}, false
	}
	rule := NetworkRule{Purpose: "tracker host (Exodus Privacy network signature)"}
	if strings.Contains(h, "*") {
		rule.HostPattern = h
	} else {
		rule.HostSuffix = h
	}
	if _, err := compileHostRule(&rule); err != nil {
		return NetworkRule{}, false
	}
	return rule, true
}
