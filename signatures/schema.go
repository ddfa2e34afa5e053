package signatures

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SchemaJSON is the JSON Schema of one signature file (schema.json), for editors and CI.
//
//go:embed schema.json
var SchemaJSON []byte

const schemaURL = "https://sdkflow.dev/schema/signature.schema.json"

var (
	schemaOnce     sync.Once
	compiledSchema *jsonschema.Schema
	schemaErr      error
	printer        = message.NewPrinter(language.English)
)

func signatureSchema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
		if err != nil {
			schemaErr = fmt.Errorf("signature schema: %w", err)
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource(schemaURL, doc); err != nil {
			schemaErr = fmt.Errorf("signature schema: %w", err)
			return
		}
		compiledSchema, schemaErr = c.Compile(schemaURL)
	})
	return compiledSchema, schemaErr
}

type schemaError struct {
	path []string
	key  string // the offending key, for unknown-key errors
	msg  string
}

// schemaErrors validates a decoded file against the schema and flattens the result into one
// error per failing value, in document order.
func schemaErrors(v any) []schemaError {
	sch, err := signatureSchema()
	if err != nil {
		return []schemaError{{msg: err.Error()}}
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []schemaError{{msg: err.Error()}}
	}
	var out []schemaError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if _, ok := e.ErrorKind.(*kind.AnyOf); ok && len(e.InstanceLocation) == 0 {
			out = append(out, schemaError{msg: "the signature matches nothing: give static matchers under match, or network rules"})
			return
		}
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		se := schemaError{path: e.InstanceLocation, msg: describe(e)}
		if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok && len(ap.Properties) > 0 {
			se.key = ap.Properties[0]
		}
		out = append(out, se)
	}
	walk(ve)
	return out
}

// describe words a schema error for an auditor: where, then what.
func describe(e *jsonschema.ValidationError) string {
	where := strings.Join(e.InstanceLocation, ".")
	msg := e.ErrorKind.LocalizedString(printer)
	if ap, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
		keys := strings.Join(ap.Properties, ", ")
		if where == "" {
			return fmt.Sprintf("unknown key %s", keys)
		}
		return fmt.Sprintf("%s: unknown key %s", where, keys)
	}
	if _, ok := e.ErrorKind.(*kind.OneOf); ok && len(e.InstanceLocation) == 2 && e.InstanceLocation[0] == "network" {
		msg = "a network rule needs exactly one of host, hostSuffix and hostPattern"
	}
	if where == "" {
		return msg
	}
	return where + ": " + msg
}
