// Package model holds the types shared by every stage of sdkflow: the static inventory, the
// captured sessions, the findings, and the report that carries them all. It has no logic beyond
// small helpers, so any encoder or rule can depend on it without pulling in the others.
package model

import "time"

// SchemaVersion is the version of the JSON report schema (schema/report.schema.json).
// Bump the minor part for additions, the major part for anything a consumer could trip on.
const SchemaVersion = "1.0"

// Report is the one result every encoder renders.
type Report struct {
	SchemaVersion string    `json:"schemaVersion"`
	Tool          Tool      `json:"tool"`
	GeneratedAt   time.Time `json:"generatedAt,omitzero"`
	Inputs        []Input   `json:"inputs"`
	Apps          []App     `json:"apps"`
	Sessions      []Session `json:"sessions"`
	Findings      []Finding `json:"findings"`
	// SkippedRules lists rules that could not run for lack of an input (e.g. no app given).
	SkippedRules []SkippedRule `json:"skippedRules,omitempty"`
	// Errors are problems that concern no single app or session.
	Errors []Error `json:"errors,omitempty"`
}

// Tool identifies what produced the report, so a reader can reproduce it.
type Tool struct {
	Name       string        `json:"name"`
	Version    string        `json:"version"`
	Signatures SignatureInfo `json:"signatures"`
}

// SignatureInfo identifies the signature set a report was made with.
type SignatureInfo struct {
	Version string `json:"version"`
	Count   int    `json:"count"`
	// Digest is the sha256 over the canonical form of every signature in use, embedded and
	// user-supplied alike: two reports with the same digest matched against the same knowledge.
	Digest string `json:"digest"`
	// Sources are the user-supplied signature files, in the order they were applied.
	Sources []string `json:"sources,omitempty"`
}

// Input is one file or directory the report was made from.
type Input struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"` // ipa, app, xcarchive, framework, xcframework, har, session, known-values, allow-file
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
}

// SkippedRule records a rule that did not run and why.
type SkippedRule struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// Error is a non-fatal problem kept in the report instead of aborting the run.
type Error struct {
	// Path is the input, or the file inside it, the problem concerns.
	Path string `json:"path"`
	// Stage names the part of the pipeline that met the problem: input, bundle, macho, plist,
	// manifest, har, session, decode, signatures.
	Stage   string `json:"stage"`
	Message string `json:"message"`
}

func (e Error) Error() string {
	if e.Path == "" {
		return e.Stage + ": " + e.Message
	}
	return e.Path + ": " + e.Message
}
