package schema_test

import (
	"testing"

	"github.com/sdkflow/sdkflow/internal/schemacheck"
	"github.com/sdkflow/sdkflow/schema"
)

func TestReportSchemaCompiles(t *testing.T) {
	s, err := schemacheck.Compile(schema.Report, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := schemacheck.Validate(s, []byte(`{"schemaVersion":"1.0"}`)); err == nil {
		t.Fatal("an incomplete report validated")
	}
}
