// Package allow reads allow files: YAML lists of findings a team has accepted, each with a
// reason and optionally an expiry date. An accepted finding is marked Suppressed and stays in
// every report, so nothing is hidden; suppressed findings never fail a build (--fail-on).
//
//	allow:
//	  - rule: SDKF010                  # a rule ID
//	    sdk: facebook-core             # a signature id
//	    reason: Auto-logging is turned on at runtime only after consent (ConsentManager.swift).
//	    expires: 2026-06-30            # last day the entry applies (optional)
//	  - path: "Payload/*.app/Frameworks/Legacy.framework/**"
//	    reason: Vendor ships the manifest in the next release (ticket PRIV-12).
//
// An entry matches a finding when every field it gives matches: rule, sdk and app (a bundle
// id) exactly, fingerprint exactly, and path as a glob ("*" within a path segment, "**" across
// segments) against the path of the finding's primary evidence. Every entry needs a reason
// and at least one of the matching fields. An entry past its expiry date no longer
// suppresses anything and is reported as a warning, so accepted risks get looked at again.
package allow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/sdkflow/sdkflow/model"
	"go.yaml.in/yaml/v3"
)

// Bounds on an allow file: real ones are a few dozen entries.
const (
	MaxSize    = 1 << 20
	MaxEntries = 10_000
	maxField   = 4096
)

// dateLayout is the format of expires.
const dateLayout = "2006-01-02"

// File is a parsed allow file.
type File struct {
	// Path is the file as named on the command line; suppressions cite it.
	Path    string
	SHA256  string
	Size    int64
	Entries []Entry
}

// Entry is one accepted finding pattern.
type Entry struct {
	Rule        string
	SDK         string
	App         string
	Path        string // a glob over the primary evidence path
	Fingerprint string
	Reason      string
	// Expires is the last day the entry applies, as written (YYYY-MM-DD); "" for never.
	Expires string
	expires time.Time
	// Line is the entry's line in the file.
	Line int
}

// Error is a problem with an allow file, located by line.
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Load reads and parses an allow file.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading allow file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading allow file: %w", path, err)
	}
	if len(data) > MaxSize {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("allow file larger than %d bytes", MaxSize)}
	}
	return Parse(data, path)
}

// Parse parses an allow file's content; name is used in errors and suppressions.
func Parse(data []byte, name string) (file *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			file, err = nil, &Error{Path: name, Msg: fmt.Sprintf("unreadable YAML (%v)", r)}
		}
	}()
	if len(data) > MaxSize {
		return nil, &Error{Path: name, Msg: fmt.Sprintf("allow file larger than %d bytes", MaxSize)}
	}
	sum := sha256.Sum256(data)
	file = &File{Path: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))}

	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return file, nil // an empty file accepts nothing
		}
		return nil, &Error{Path: name, Msg: "not valid YAML: " + err.Error()}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{Path: name, Line: extra.Line, Msg: "more than one YAML document"}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return file, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{Path: name, Line: root.Line, Msg: "want a mapping with an allow: list"}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "allow":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue
			}
			if v.Kind != yaml.SequenceNode {
				return nil, &Error{Path: name, Line: v.Line, Msg: "allow: want a list of entries"}
			}
			if len(v.Content) > MaxEntries {
				return nil, &Error{Path: name, Line: v.Line, Msg: fmt.Sprintf("more than %d entries", MaxEntries)}
			}
			for _, n := range v.Content {
				e, err := parseEntry(n, name)
				if err != nil {
					return nil, err
				}
				file.Entries = append(file.Entries, e)
			}
		default:
			return nil, &Error{Path: name, Line: k.Line, Msg: fmt.Sprintf("unknown key %.64q (want allow)", k.Value)}
		}
	}
	return file, nil
}

func parseEntry(n *yaml.Node, name string) (Entry, error) {
	e := Entry{Line: n.Line}
	fail := func(line int, format string, args ...any) (Entry, error) {
		return Entry{}, &Error{Path: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if n.Kind != yaml.MappingNode {
		return fail(n.Line, "an entry must be a mapping (rule, sdk, app, path, fingerprint, reason, expires)")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return fail(k.Line, "%.64q given twice", k.Value)
		}
		seen[k.Value] = true
		if v.Kind != yaml.ScalarNode || (v.Tag == "!!null" && k.Value != "expires") {
			return fail(v.Line, "%.64q: want a single value", k.Value)
		}
		if len(v.Value) > maxField {
			return fail(v.Line, "%.64q: longer than %d bytes", k.Value, maxField)
		}
		val := strings.TrimSpace(v.Value)
		switch k.Value {
		case "rule":
			id := strings.ToUpper(val)
			if _, ok := model.Rule(id); !ok {
				return fail(v.Line, "rule %.64q is not a rule ID (SDKF001...)", val)
			}
			e.Rule = id
		case "sdk":
			e.SDK = val
		case "app":
			e.App = val
		case "fingerprint":
			e.Fingerprint = val
		case "path":
			if !doublestar.ValidatePattern(val) {
				return fail(v.Line, "path %.200q is not a valid glob", val)
			}
			e.Path = val
		case "reason":
			e.Reason = val
		case "expires":
			if v.Tag == "!!null" || val == "" {
				continue
			}
			t, err := time.Parse(dateLayout, val)
			if err != nil {
				return fail(v.Line, "expires %.64q: want a date as YYYY-MM-DD", val)
			}
			e.Expires, e.expires = val, t
		default:
			return fail(k.Line, "unknown field %.64q (want rule, sdk, app, path, fingerprint, reason, expires)", k.Value)
		}
	}
	if e.Reason == "" {
		return fail(n.Line, "entry has no reason: say why the finding is accepted")
	}
	if e.Rule == "" && e.SDK == "" && e.App == "" && e.Path == "" && e.Fingerprint == "" {
		return fail(n.Line, "entry matches everything: give at least one of rule, sdk, app, path, fingerprint")
	}
	return e, nil
}

// Matches reports whether the entry accepts a finding (expiry aside).
func (e *Entry) Matches(f *model.Finding) bool {
	if e.Rule != "" && e.Rule != f.Rule {
		return false
	}
	if e.SDK != "" && e.SDK != f.SDK {
		return false
	}
	if e.App != "" && e.App != f.App {
		return false
	}
	if e.Fingerprint != "" && e.Fingerprint != f.Fingerprint {
		return false
	}
	if e.Path != "" {
		if len(f.Evidence) == 0 {
			return false
		}
		ok, err := doublestar.Match(e.Path, f.Evidence[0].Path)
		if err != nil || !ok {
			return false
		}
	}
	return true
}

// Expired reports whether the entry's last day is before today's date.
func (e *Entry) Expired(today time.Time) bool {
	if e.Expires == "" {
		return false
	}
	y, m, d := today.Date()
	return e.expires.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Apply marks the findings the file accepts as suppressed, by the first live entry that
// matches. It returns warnings for expired entries, which suppress nothing. today is the date
// the expiry is judged against (the caller's clock, so tests and reruns can fix it).
func (file *File) Apply(findings []model.Finding, today time.Time) (warnings []string) {
	for _, e := range file.expired(today) {
		warnings = append(warnings, fmt.Sprintf("%s:%d: %s", file.Path, e.Line, e.expiredMessage()))
	}
	for i := range findings {
		f := &findings[i]
		if f.Suppressed != nil {
			continue
		}
		for j := range file.Entries {
			e := &file.Entries[j]
			if e.Expired(today) || !e.Matches(f) {
				continue
			}
			f.Suppressed = &model.Suppression{Reason: e.Reason, Expires: e.Expires, Source: fmt.Sprintf("%s:%d", file.Path, e.Line)}
			break
		}
	}
	return warnings
}

// Input records the file among a report's inputs.
func (file *File) Input() model.Input {
	return model.Input{Path: file.Path, Kind: "allow-file", SHA256: file.SHA256, Size: file.Size}
}

func (e *Entry) describe() string {
	var parts []string
	for _, kv := range [][2]string{{"rule", e.Rule}, {"sdk", e.SDK}, {"app", e.App}, {"path", e.Path}, {"fingerprint", e.Fingerprint}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// ApplyReport applies the file to a report's findings, records the file among the report's
// inputs, and records each warning as a report error (stage "allow") so that every output
// shows it. It returns the warnings for the terminal.
func (file *File) ApplyReport(r *model.Report, today time.Time) []string {
	r.Inputs = append(r.Inputs, file.Input())
	for _, e := range file.expired(today) {
		r.Errors = append(r.Errors, model.Error{Path: file.Path, Stage: "allow",
			Message: fmt.Sprintf("line %d: %s", e.Line, e.expiredMessage())})
	}
	return file.Apply(r.Findings, today)
}

func (file *File) expired(today time.Time) []*Entry {
	var out []*Entry
	for i := range file.Entries {
		if e := &file.Entries[i]; e.Expired(today) {
			out = append(out, e)
		}
	}
	return out
}

func (e *Entry) expiredMessage() string {
	return fmt.Sprintf("allow entry expired on %s and no longer suppresses findings (%s)", e.Expires, e.describe())
}
