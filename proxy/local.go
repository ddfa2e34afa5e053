package proxy

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/sdkflow/sdkflow/model"
)

var eventPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// ParseEvent checks a marker event: one of the model's events or any single word (letters,
// digits, '.', '_', '-'; at most 64), folded to lower case.
func ParseEvent(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if !eventPattern.MatchString(e) {
		return "", fmt.Errorf("invalid marker event %q: use launch, consent-accepted, consent-declined, "+
			"att-authorized, att-denied, note, or one word of letters, digits, '.', '_' or '-'", s)
	}
	return e, nil
}

// maxNote bounds a marker's note, in runes.
const maxNote = 1000

// CleanNote bounds a note and removes control characters (it ends up in terminals and reports).
func CleanNote(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= maxNote {
			break
		}
		if r == '\n' || r == '\t' {
			r = ' '
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			continue
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// serveLocal answers the proxy's own URLs: the marker URL and the install page.
func (p *Proxy) serveLocal(req *http.Request, host string) *http.Response {
	if host == MarkHost {
		return p.serveMark(req)
	}
	rb := &responseBuffer{header: http.Header{}}
	p.localHandler.ServeHTTP(rb, req)
	return rb.response(req)
}

// serveMark records http://sdkflow.mark/EVENT?note=TEXT from the device (or a UI test script).
func (p *Proxy) serveMark(req *http.Request) *http.Response {
	event, err := ParseEvent(strings.Trim(req.URL.Path, "/"))
	if err != nil {
		return textResponse(req, http.StatusBadRequest, "sdkflow: "+err.Error()+"\n")
	}
	m := model.Marker{Event: event, Time: time.Now(), Note: CleanNote(req.URL.Query().Get("note")), Source: "url"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Mark(ctx, m); err != nil {
		return textResponse(req, http.StatusServiceUnavailable, "sdkflow: could not store the marker\n")
	}
	return textResponse(req, http.StatusOK, fmt.Sprintf("sdkflow: marked %s at %s\n", event, m.Time.Format(time.RFC3339Nano)))
}

func (p *Proxy) newLocalHandler() http.Handler {
	mux := http.NewServeMux()
	serveCA := func(der bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ContentTypeCACert)
			if der {
				w.Header().Set("Content-Disposition", `attachment; filename="sdkflow-ca.crt"`)
				w.Write(p.ca.Cert.Raw)
				return
			}
			w.Header().Set("Content-Disposition", `attachment; filename="sdkflow-ca.pem"`)
			w.Write(p.ca.PEM())
		}
	}
	mux.HandleFunc("GET /sdkflow-ca.pem", serveCA(false))
	mux.HandleFunc("GET /sdkflow-ca.crt", serveCA(true))
	mux.HandleFunc("GET /sdkflow.mobileconfig", func(w http.ResponseWriter, r *http.Request) {
		prof, err := p.ca.MobileConfig()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ContentTypeMobileConfig)
		w.Header().Set("Content-Disposition", `attachment; filename="sdkflow.mobileconfig"`)
		w.Write(prof)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		installPage.Execute(w, map[string]string{
			"Name":        p.ca.Cert.Subject.CommonName,
			"Fingerprint": p.ca.Fingerprint(),
			"Expires":     p.ca.Cert.NotAfter.Format("2006-01-02"),
		})
	})
	return mux
}

var installPage = template.Must(template.New("install").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>sdkflow: install the test CA</title>
<style>body{font-family:-apple-system,system-ui,sans-serif;max-width:40em;margin:1em auto;padding:0 1em;line-height:1.5}
a.button{display:block;padding:.8em;margin:.6em 0;background:#0a58ca;color:#fff;text-align:center;border-radius:.5em;text-decoration:none}
.warn{background:#fff3cd;padding:.6em;border-radius:.4em}code{word-break:break-all}</style></head>
<body>
<h1>sdkflow test proxy</h1>
<p>To let sdkflow record this device's HTTPS traffic, trust its certificate authority:</p>
<h2>iPhone / iPad</h2>
<ol>
<li><a class="button" href="/sdkflow.mobileconfig">Download the profile</a> (open this page in Safari), then tap <b>Allow</b>.</li>
<li>Open <b>Settings &gt; General &gt; VPN &amp; Device Management</b>, select <b>sdkflow test proxy CA</b> and tap <b>Install</b>.</li>
<li>Open <b>Settings &gt; General &gt; About &gt; Certificate Trust Settings</b> and turn on full trust for <b>{{.Name}}</b>.</li>
</ol>
<h2>Other devices and browsers</h2>
<p><a class="button" href="/sdkflow-ca.pem">Certificate (PEM)</a><a class="button" href="/sdkflow-ca.crt">Certificate (DER, .crt)</a></p>
<p>SHA-256 fingerprint: <code>{{.Fingerprint}}</code><br>Valid until {{.Expires}}.</p>
<p class="warn"><b>Remove this certificate from the device when testing is over</b> (Settings &gt; General &gt;
VPN &amp; Device Management &gt; the profile &gt; Remove Profile). While it is trusted, whoever holds
its key can read this device's HTTPS traffic.</p>
<h2>Markers</h2>
<p>Scripts on the device can mark moments of the test: <code>http://sdkflow.mark/launch</code>,
<code>http://sdkflow.mark/consent-accepted</code>, <code>http://sdkflow.mark/note?note=TEXT</code>.</p>
</body></html>
`))

// responseBuffer collects a local handler's response.
type responseBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *responseBuffer) Header() http.Header { return r.header }
func (r *responseBuffer) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *responseBuffer) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *responseBuffer) response(req *http.Request) *http.Response {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.header.Set("Cache-Control", "no-store")
	return &http.Response{
		StatusCode:    r.status,
		Status:        fmt.Sprintf("%d %s", r.status, http.StatusText(r.status)),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        r.header,
		Body:          io.NopCloser(bytes.NewReader(r.body.Bytes())),
		ContentLength: int64(r.body.Len()),
		Request:       req,
	}
}
