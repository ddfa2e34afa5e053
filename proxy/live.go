package proxy

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/mattn/go-isatty"
	"golang.org/x/term"

	"github.com/sdkflow/sdkflow/model"
)

// Attribute names the SDK a request belongs to ("" when none is known); the live view takes it
// as a function so the proxy does not depend on the signature set.
type Attribute func(host, path string) string

// LiveView shows a session as it is recorded. On a terminal: one line per flow and marker, and a
// status line kept at the bottom with the phase, the ATT state, per-SDK counts and the keys. Off
// a terminal: plain log lines, nothing redrawn.
type LiveView struct {
	w         io.Writer
	tty       bool
	attribute Attribute
	width     func() int

	mu     sync.Mutex
	flows  int
	fails  int
	counts map[string]int
	phase  string
	att    string
	prompt *string
}

// NewLiveView writes to w; tty selects the terminal form. attribute may be nil.
func NewLiveView(w io.Writer, tty bool, attribute Attribute) *LiveView {
	v := &LiveView{w: w, tty: tty, attribute: attribute, counts: map[string]int{},
		phase: model.PhaseBeforeConsent, att: model.ATTNotDetermined, width: func() int { return 100 }}
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		v.width = func() int {
			if wd, _, err := term.GetSize(int(f.Fd())); err == nil && wd > 20 {
				return wd
			}
			return 100
		}
	}
	return v
}

// Handle shows one event. It is safe to call from several goroutines.
func (v *LiveView) Handle(e Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var line string
	switch {
	case e.Flow != nil:
		line = v.flowLine(e.Flow)
	case e.Marker != nil:
		line = v.markerLine(e.Marker)
	case e.Notice != "":
		line = e.Time.Format("15:04:05") + "  ! " + clean(e.Notice, 300)
	default:
		return
	}
	v.printLocked(line)
}

// Printf shows a line of the command's own (start-up notes and the like).
func (v *LiveView) Printf(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.printLocked(fmt.Sprintf(format, args...))
}

// SetPrompt shows text being typed for a note; nil hides the prompt.
func (v *LiveView) SetPrompt(text *string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.prompt = text
	if v.tty {
		v.drawStatusLocked()
	}
}

// Close leaves the terminal on a fresh line with a summary.
func (v *LiveView) Close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tty {
		io.WriteString(v.w, "\r\x1b[K")
	}
	fmt.Fprintf(v.w, "%d flows recorded (%d TLS failures)%s", v.flows, v.fails, v.eol())
}

func (v *LiveView) eol() string {
	if v.tty {
		return "\r\n" // the terminal may be in raw mode, where \n does not return the carriage
	}
	return "\n"
}

func (v *LiveView) printLocked(line string) {
	if v.tty {
		io.WriteString(v.w, "\r\x1b[K"+truncate(line, v.width()-1)+"\r\n")
		v.drawStatusLocked()
		return
	}
	io.WriteString(v.w, line+"\n")
}

func (v *LiveView) drawStatusLocked() {
	var b strings.Builder
	b.WriteString("\r\x1b[K\x1b[7m")
	if v.prompt != nil {
		b.WriteString(" note (Enter to save, Esc to cancel): " + *v.prompt)
		b.WriteString("\x1b[0m")
		io.WriteString(v.w, b.String())
		return
	}
	s := fmt.Sprintf(" %s · ATT %s · %d flows", strings.ReplaceAll(v.phase, "-", " "), v.att, v.flows)
	if v.fails > 0 {
		s += fmt.Sprintf(" · %d TLS failures", v.fails)
	}
	type kv struct {
		k string
		n int
	}
	var top []kv
	for k, n := range v.counts {
		top = append(top, kv{k, n})
	}
	slices.SortFunc(top, func(a, b kv) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.k, b.k)
	})
	for i, e := range top {
		if i == 4 {
			s += " …"
			break
		}
		s += fmt.Sprintf(" · %s %d", e.k, e.n)
	}
	s += " │ keys l c d a n m q "
	b.WriteString(truncate(s, v.width()-1))
	b.WriteString("\x1b[0m")
	io.WriteString(v.w, b.String())
}

func (v *LiveView) flowLine(f *model.Flow) string {
	t := f.Time.Format("15:04:05")
	host := f.Host
	switch f.Kind {
	case model.FlowTLSFailure:
		v.fails++
		return fmt.Sprintf("%s  TLS  %-28s %s", t, clean(host, 60), clean(f.Error, 200))
	case model.FlowTunnel:
		v.flows++
		return fmt.Sprintf("%s  TUNNEL %s  ↑%s ↓%s (passthrough)", t, clean(host, 60),
			size(f.Request.BodySize), size(f.Response.BodySize))
	}
	v.flows++
	path := pathOf(f.URL)
	sdk := ""
	if v.attribute != nil {
		sdk = v.attribute(host, path)
	}
	key := sdk
	if key == "" {
		key = f.Party
	}
	if key != "" {
		v.counts[key]++
	}
	status := fmt.Sprint(f.Status)
	if f.Error != "" && f.Status == 0 {
		status = "ERR"
	}
	line := fmt.Sprintf("%s  %-6s %-28s %-40s %7s  %3s", t, clean(f.Method, 8), clean(host, 60),
		clean(path, 40), size(f.Response.BodySize), status)
	if sdk != "" {
		line += "  " + clean(sdk, 40)
	}
	if f.Error != "" {
		line += "  (" + clean(f.Error, 120) + ")"
	}
	return line
}

func (v *LiveView) markerLine(m *model.Marker) string {
	switch m.Event {
	case model.MarkConsentAccepted:
		v.phase = model.PhaseAfterConsent
	case model.MarkConsentDeclined:
		v.phase = model.PhaseAfterRefusal
	case model.MarkATTAuthorized:
		v.att = model.ATTAuthorized
	case model.MarkATTDenied:
		v.att = model.ATTDenied
	}
	line := fmt.Sprintf("%s  ── marker %s", m.Time.Format("15:04:05"), clean(m.Event, 64))
	if m.Note != "" {
		line += ": " + clean(m.Note, 200)
	}
	if m.Source != "" {
		line += " (" + m.Source + ")"
	}
	return line + " ──"
}

// clean makes captured text safe for a terminal: no control characters (no escape sequences
// from a hostile app), bounded length.
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return truncate(s, n)
}

func truncate(s string, n int) string {
	if n <= 1 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
}

// pathOf is the path and query of a URL as recorded, without parsing it (a hostile URL may not
// parse).
func pathOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexByte(u, '/'); i >= 0 {
		return u[i:]
	}
	return "/"
}

// KeyHelp explains the live view's keys.
const KeyHelp = "Keys: l launch · c consent · d declined · a ATT allowed · n ATT denied · m note · q quit"
