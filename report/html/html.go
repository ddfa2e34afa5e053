// Package html renders a report as one self-contained HTML page for a reader who was not there:
// the verdict first (one sentence per recipient of personal data, built from the findings and
// the data items of the requests they cite), the findings by severity, a timeline picture per
// session (inline SVG), the evidence of each finding (the request with its data items, the
// consent marker it precedes or follows, the files in the app), the inventory, and the
// provenance (every input's sha256, the tool and signature set).
//
// The page fetches nothing and runs nothing: no script, inline CSS and SVG only, and a
// Content-Security-Policy that forbids every fetch should a hostile value ever slip through.
// Every captured or scanned value goes through html/template, is bounded in length (the full
// length is stated), has invisible and bidi control characters shown as code points, and is
// never made into a link.
package html

import (
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"io"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

// Encoder writes the HTML report.
type Encoder struct{}

// Name implements report.Encoder.
func (Encoder) Name() string { return "html" }

//go:embed report.html.tmpl
var pageTemplate string

var tmpl = htmltemplate.Must(htmltemplate.New("report").Parse(pageTemplate))

// Encode implements report.Encoder.
func (Encoder) Encode(w io.Writer, r *model.Report, _ report.Options) (err error) {
	defer func() {
		// A report is our own data, but its values come from hostile apps and captures: a bug
		// met on one of them must not take the whole run down.
		if p := recover(); p != nil {
			err = fmt.Errorf("html report: internal error: %v", p)
		}
	}()
	return render(w, r)
}

func render(w io.Writer, r *model.Report) error {
	if err := tmpl.Execute(w, build(r)); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}
