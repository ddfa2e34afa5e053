// Package schema embeds the JSON Schemas of sdkflow's machine-readable outputs, so tests and
// users validate against exactly the file published in the repository.
package schema

import _ "embed"

// Report is the JSON Schema (draft 2020-12) of the JSON report.
//
//go:embed report.schema.json
var Report []byte
