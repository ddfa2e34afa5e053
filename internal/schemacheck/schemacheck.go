// Package schemacheck validates documents against JSON Schemas (draft 4 to 2020-12) that are
// held in memory, with no network access: the schemas sdkflow checks its outputs against are
// committed to the repository.
package schemacheck

import (
	"bytes"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Compile compiles a schema. Other schemas it references by $id can be passed in refs (id →
// document); nothing is fetched.
func Compile(schema []byte, refs map[string][]byte) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(noNetwork{})
	for id, doc := range refs {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", id, err)
		}
		if err := c.AddResource(id, v); err != nil {
			return nil, err
		}
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	const main = "mem://schema.json"
	if err := c.AddResource(main, v); err != nil {
		return nil, err
	}
	return c.Compile(main)
}

// Validate checks doc against a compiled schema; the error lists every violation.
func Validate(s *jsonschema.Schema, doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("document is not JSON: %w", err)
	}
	return s.Validate(v)
}

type noNetwork struct{}

func (noNetwork) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not available offline", url)
}
