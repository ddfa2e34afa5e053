package schema

import _ "embed"

// CycloneDX is the official CycloneDX 1.6 JSON Schema (draft-07), byte for byte as the
// CycloneDX project publishes it, so the SBOM encoder's output is checked against the standard.
//
//go:embed cyclonedx-bom-1.6.schema.json
var CycloneDX []byte

// The schemas CycloneDX 1.6 references, also as published.
var (
	//go:embed cyclonedx-spdx.schema.json
	cycloneDXSPDX []byte
	//go:embed cyclonedx-jsf-0.82.schema.json
	cycloneDXJSF []byte
)

// CycloneDXRefs maps the $id of every schema CycloneDX references to its text, for
// schemacheck.Compile, so validation never reaches the network.
func CycloneDXRefs() map[string][]byte {
	return map[string][]byte{
		"http://cyclonedx.org/schema/spdx.schema.json":     cycloneDXSPDX,
		"http://cyclonedx.org/schema/jsf-0.82.schema.json": cycloneDXJSF,
	}
}
