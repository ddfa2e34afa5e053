package plist

import (
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/sdkflow/sdkflow/model"
)

// Manifest keys.
const (
	KeyTracking           = "NSPrivacyTracking"
	KeyTrackingDomains    = "NSPrivacyTrackingDomains"
	KeyCollectedDataTypes = "NSPrivacyCollectedDataTypes"
	KeyAccessedAPITypes   = "NSPrivacyAccessedAPITypes"

	KeyDataType         = "NSPrivacyCollectedDataType"
	KeyDataTypeLinked   = "NSPrivacyCollectedDataTypeLinked"
	KeyDataTypeTracking = "NSPrivacyCollectedDataTypeTracking"
	KeyDataTypePurposes = "NSPrivacyCollectedDataTypePurposes"
	KeyAPIType          = "NSPrivacyAccessedAPIType"
	KeyAPIReasons       = "NSPrivacyAccessedAPITypeReasons"
)

// Problem severities: SeverityError for what App Store Connect rejects (ITMS-91108),
// SeverityWarning for the rest.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

const maxProblems = 200

// ParseManifest reads a privacy manifest found at path (inside the bundle at bundle) and
// checks it against Apple's format and constants. The error is non-nil only when the data is
// not a property list at all; every problem with its content is in Problems.
func ParseManifest(data []byte, path, bundle string) (model.PrivacyManifest, error) {
	m := model.PrivacyManifest{Path: path, Bundle: bundle}
	v, _, err := decode(data)
	if err != nil {
		return m, err
	}
	c := &checker{m: &m}
	root, ok := v.(map[string]any)
	if !ok {
		c.errorf("", "the root is %s; a privacy manifest is a dictionary", typeName(v))
		return m, nil
	}
	keys := make([]string, 0, len(root))
	for k := range root {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		val := root[k]
		switch k {
		case KeyTracking:
			if b, ok := val.(bool); ok {
				m.Tracking = &b
			} else {
				c.errorf(k, "is %s; it must be a Boolean", typeName(val))
			}
		case KeyTrackingDomains:
			c.trackingDomains(val)
		case KeyCollectedDataTypes:
			c.collectedDataTypes(val)
		case KeyAccessedAPITypes:
			c.accessedAPITypes(val)
		default:
			c.warnf(k, "is not a privacy manifest key")
		}
	}
	if m.Tracking != nil && *m.Tracking && len(m.TrackingDomains) == 0 {
		c.warnf(KeyTrackingDomains, "%s is true but no tracking domain is declared; Apple asks for at least one", KeyTracking)
	}
	slices.SortStableFunc(m.Problems, func(a, b model.ManifestProblem) int { return compareKeys(a.Key, b.Key) })
	return m, nil
}

type checker struct {
	m *model.PrivacyManifest
}

func (c *checker) add(key, severity, format string, args ...any) {
	if len(c.m.Problems) >= maxProblems {
		return
	}
	if len(c.m.Problems) == maxProblems-1 {
		c.m.Problems = append(c.m.Problems, model.ManifestProblem{Key: key, Severity: SeverityWarning,
			Message: fmt.Sprintf("more than %d problems; the rest are not listed", maxProblems)})
		return
	}
	c.m.Problems = append(c.m.Problems, model.ManifestProblem{Key: key, Severity: severity, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) errorf(key, format string, args ...any) { c.add(key, SeverityError, format, args...) }
func (c *checker) warnf(key, format string, args ...any) {
	c.add(key, SeverityWarning, format, args...)
}

// array checks that val is an array, reporting an error otherwise (ITMS-91108 rejects a
// string where an array belongs) and a warning when it is empty.
func (c *checker) array(key string, val any) ([]any, bool) {
	l, ok := val.([]any)
	if !ok {
		c.errorf(key, "is %s; it must be an array", typeName(val))
		return nil, false
	}
	if len(l) == 0 {
		c.warnf(key, "is an empty array; leave the key out when there is nothing to declare")
	}
	if len(l) > maxListItems {
		c.warnf(key, "has %d entries; only the first %d were read", len(l), maxListItems)
		l = l[:maxListItems]
	}
	return l, true
}

// strings reads an array of strings; the map is from each string's index in the array.
func (c *checker) strings(key string, val any) (idx []int, out []string) {
	l, ok := c.array(key, val)
	if !ok {
		return nil, nil
	}
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			c.errorf(fmt.Sprintf("%s[%d]", key, i), "is %s; it must be a string", typeName(e))
			continue
		}
		idx, out = append(idx, i), append(out, s)
	}
	return idx, out
}

func (c *checker) trackingDomains(val any) {
	idx, domains := c.strings(KeyTrackingDomains, val)
	for n, d := range domains {
		key := fmt.Sprintf("%s[%d]", KeyTrackingDomains, idx[n])
		switch {
		case strings.TrimSpace(d) == "":
			c.warnf(key, "is an empty string")
			continue
		case strings.Contains(d, "://") || strings.ContainsAny(d, "/?# ") || net.ParseIP(d) != nil:
			c.warnf(key, "%q is not a domain name (write the host alone, e.g. example.com)", d)
		}
		c.m.TrackingDomains = append(c.m.TrackingDomains, d)
	}
	c.m.TrackingDomains = tidy(c.m.TrackingDomains)
}

func (c *checker) collectedDataTypes(val any) {
	l, ok := c.array(KeyCollectedDataTypes, val)
	if !ok {
		return
	}
	for i, e := range l {
		key := fmt.Sprintf("%s[%d]", KeyCollectedDataTypes, i)
		d, ok := e.(map[string]any)
		if !ok {
			c.errorf(key, "is %s; it must be a dictionary", typeName(e))
			continue
		}
		var entry model.CollectedDataType
		t, ok := d[KeyDataType].(string)
		switch {
		case d[KeyDataType] == nil:
			c.errorf(key+"."+KeyDataType, "is missing")
		case !ok:
			c.errorf(key+"."+KeyDataType, "is %s; it must be a string", typeName(d[KeyDataType]))
		case !IsDataType(t):
			msg := fmt.Sprintf("%q is not one of Apple's data types; Xcode's privacy report cannot show it", t)
			if s := suggest(DataTypes, DataTypePrefix, t, dataTypeAliases); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			c.warnf(key+"."+KeyDataType, "%s", msg)
		}
		entry.Type = t
		for _, b := range []struct {
			key string
			dst *bool
		}{{KeyDataTypeLinked, &entry.Linked}, {KeyDataTypeTracking, &entry.Tracking}} {
			switch v := d[b.key].(type) {
			case bool:
				*b.dst = v
			case nil:
				c.warnf(key+"."+b.key, "is missing; it counts as false")
			default:
				c.errorf(key+"."+b.key, "is %s; it must be a Boolean", typeName(v))
			}
		}
		if p, present := d[KeyDataTypePurposes]; present {
			pkey := key + "." + KeyDataTypePurposes
			idx, purposes := c.strings(pkey, p)
			for n, purpose := range purposes {
				if !IsPurpose(purpose) {
					msg := fmt.Sprintf("%q is not a purpose constant", purpose)
					if s := suggest(Purposes, PurposePrefix, purpose, purposeAliases); s != "" {
						msg += fmt.Sprintf("; write %s", s)
					}
					c.errorf(fmt.Sprintf("%s[%d]", pkey, idx[n]), "%s", msg)
					continue
				}
				entry.Purposes = append(entry.Purposes, purpose)
			}
			entry.Purposes = tidy(entry.Purposes)
		} else {
			c.warnf(key+"."+KeyDataTypePurposes, "is missing; the data type is declared with no purpose")
		}
		for k := range d {
			switch k {
			case KeyDataType, KeyDataTypeLinked, KeyDataTypeTracking, KeyDataTypePurposes:
			default:
				c.warnf(key+"."+k, "is not a key of a collected data type")
			}
		}
		c.m.CollectedDataTypes = append(c.m.CollectedDataTypes, entry)
	}
}

func (c *checker) accessedAPITypes(val any) {
	l, ok := c.array(KeyAccessedAPITypes, val)
	if !ok {
		return
	}
	for i, e := range l {
		key := fmt.Sprintf("%s[%d]", KeyAccessedAPITypes, i)
		d, ok := e.(map[string]any)
		if !ok {
			c.errorf(key, "is %s; it must be a dictionary", typeName(e))
			continue
		}
		var entry model.AccessedAPIType
		cat, ok := d[KeyAPIType].(string)
		switch {
		case d[KeyAPIType] == nil:
			c.errorf(key+"."+KeyAPIType, "is missing")
		case !ok:
			c.errorf(key+"."+KeyAPIType, "is %s; it must be a string", typeName(d[KeyAPIType]))
		case !IsCategory(cat):
			msg := fmt.Sprintf("%q is not a required-reason API category", cat)
			if s := suggest(Categories, CategoryPrefix, cat, nil); s != "" {
				msg += fmt.Sprintf("; write %s", s)
			}
			c.errorf(key+"."+KeyAPIType, "%s", msg)
		}
		entry.Category = cat
		rkey := key + "." + KeyAPIReasons
		if r, present := d[KeyAPIReasons]; present {
			idx, codes := c.strings(rkey, r)
			for n, code := range codes {
				entry.Reasons = append(entry.Reasons, code)
				if !IsCategory(cat) {
					continue // the category is already reported
				}
				if _, ok := LookupReason(cat, code); ok {
					continue
				}
				ckey := fmt.Sprintf("%s[%d]", rkey, idx[n])
				if other := categoryOf(code); other != "" {
					c.errorf(ckey, "%s is a reason for %s, not for %s", code, other, cat)
				} else {
					c.errorf(ckey, "%q is not an approved reason code for %s (codes: %s)", code, cat, strings.Join(codesOf(cat), ", "))
				}
			}
			entry.Reasons = tidy(entry.Reasons)
		} else {
			c.errorf(rkey, "is missing; every accessed API category needs at least one reason")
		}
		for k := range d {
			if k != KeyAPIType && k != KeyAPIReasons {
				c.warnf(key+"."+k, "is not a key of an accessed API type")
			}
		}
		c.m.AccessedAPITypes = append(c.m.AccessedAPITypes, entry)
	}
}

func categoryOf(code string) string {
	for _, r := range Reasons {
		if r.Code == code {
			return r.Category
		}
	}
	return ""
}

func codesOf(category string) []string {
	var out []string
	for _, r := range Reasons {
		if r.Category == category {
			out = append(out, r.Code)
		}
	}
	return out
}

// compareKeys orders key paths with array indexes compared as numbers: a[2] before a[10].
func compareKeys(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			i, j := digits(a), digits(b)
			na, nb := strings.TrimLeft(a[:i], "0"), strings.TrimLeft(b[:j], "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[i:], b[j:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}
