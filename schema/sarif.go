package schema

import _ "embed"

// SARIF is the official OASIS JSON Schema of SARIF 2.1.0 (errata 01, draft-04), byte for byte
// as published, so the SARIF encoder's output is checked against the standard itself.
//
//go:embed sarif-2.1.0.json
var SARIF []byte
