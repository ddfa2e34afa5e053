// Package report holds what every output format shares: the Encoder interface, encoder options,
// and Finalize, which puts a report into the canonical order all encoders rely on. Encoders live
// in one package per format under report/ and are looked up in report/registry.
package report

import (
	"io"

	"github.com/sdkflow/sdkflow/model"
)

// Encoder renders a report in one format. Encoders are pure: they write to w and nothing else.
type Encoder interface {
	// Name is the format name used with -o FORMAT.
	Name() string
	// Encode writes r, which must have been through Finalize.
	Encode(w io.Writer, r *model.Report, opt Options) error
}

// Options tune human-facing encoders; machine formats ignore them.
type Options struct {
	// Color enables ANSI colour (only when writing to a terminal).
	Color bool
	// Width is the terminal width in columns; 0 means unknown.
	Width int
}
