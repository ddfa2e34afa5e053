// Package json renders a report as JSON following schema/report.schema.json.
package json

import (
	"encoding/json"
	"io"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

// Encoder writes the versioned JSON report.
type Encoder struct{}

// Name implements report.Encoder.
func (Encoder) Name() string { return "json" }

// Encode implements report.Encoder. HTML-significant characters stay escaped (\u003c), so the
// output is safe to embed wherever captured content might otherwise be read as markup.
func (Encoder) Encode(w io.Writer, r *model.Report, _ report.Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
