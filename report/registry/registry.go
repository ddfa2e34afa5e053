// Package registry knows every report format by name.
package registry

import (
	"slices"

	"github.com/sdkflow/sdkflow/report"
	"github.com/sdkflow/sdkflow/report/cyclonedx"
	"github.com/sdkflow/sdkflow/report/html"
	jsonreport "github.com/sdkflow/sdkflow/report/json"
	"github.com/sdkflow/sdkflow/report/markdown"
	"github.com/sdkflow/sdkflow/report/sarif"
	"github.com/sdkflow/sdkflow/report/table"
)

var encoders = map[string]report.Encoder{}

func add(e report.Encoder) { encoders[e.Name()] = e }

func init() {
	add(jsonreport.Encoder{})
	add(table.Encoder{})
	add(sarif.Encoder{})
	add(markdown.Encoder{})
	add(cyclonedx.Encoder{})
	add(html.Encoder{})
}

// Lookup returns the encoder for a format name.
func Lookup(name string) (report.Encoder, bool) {
	e, ok := encoders[name]
	return e, ok
}

// Names lists the format names, sorted.
func Names() []string {
	names := make([]string, 0, len(encoders))
	for n := range encoders {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
