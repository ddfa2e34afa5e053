package schema_test

import (
	"testing"

	"github.com/sdkflow/sdkflow/internal/schemacheck"
	"github.com/sdkflow/sdkflow/schema"
)

func TestCycloneDXSchemaCompilesOffline(t *testing.T) {
	s, err := schemacheck.Compile(schema.CycloneDX, schema.CycloneDXRefs())
	if err != nil {
		t.Fatal(err)
	}
	if err := schemacheck.Validate(s, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`)); err != nil {
		t.Fatalf("a minimal BOM did not validate: %v", err)
	}
	// The SPDX list is reached through its reference: an unknown licence id fails.
	bad := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"x","licenses":[{"license":{"id":"Not-A-Licence"}}]}]}`
	if err := schemacheck.Validate(s, []byte(bad)); err == nil {
		t.Fatal("an unknown SPDX licence id validated")
	}
}
