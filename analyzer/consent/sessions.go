package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"time"

	"github.com/sdkflow/sdkflow/analyzer/traffic"
	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/signatures"
)

// TrafficOptions say how AnalyzeSessions reads the sessions of a report.
type TrafficOptions struct {
	// Known are the tester's planted values (--known); nil for none.
	Known *traffic.KnownValues
	// Markers are EVENT@WHEN values (--marker), read against each session's first flow.
	Markers []string
	// ConsentRequest marks consent at the first request whose URL contains it (--consent-request).
	ConsentRequest string
	// MaxBody bounds a decoded body per layer; 0 for the traffic package's default.
	MaxBody int64
}

// AnalyzeSessions prepares captured sessions for the traffic rules: every flow is attributed
// to an SDK by the signature set's network rules, its body decoded and its data items found
// (traffic.Analyze), then every flow is placed on the consent timeline built from the
// session's markers, the extra markers and the consent request (traffic.ApplyTimeline). A
// marker that cannot be placed, or a consent request that matches no request, is an error
// kept in the session: the report is still made, and says so.
func AnalyzeSessions(sessions []model.Session, set *signatures.Set, opt TrafficOptions) {
	var attr func(host, path string) (string, string, bool)
	if set != nil {
		m := set.Matcher()
		attr = func(host, path string) (string, string, bool) {
			hit, ok := m.MatchHost(host, path)
			return hit.ID, hit.Purpose, ok
		}
	}
	for i := range sessions {
		s := &sessions[i]
		traffic.Analyze(s, traffic.Options{Attribute: attr, Known: opt.Known, MaxBody: opt.MaxBody})
		first := s.FirstFlowTime()
		var extra []model.Marker
		for _, v := range opt.Markers {
			m, err := traffic.ParseMarkerFlag(v, first)
			if err != nil {
				s.Errors = append(s.Errors, model.Error{Path: s.Source, Stage: "timeline", Message: err.Error()})
				continue
			}
			extra = append(extra, m)
		}
		if err := traffic.ApplyTimeline(s, extra, opt.ConsentRequest); err != nil {
			s.Errors = append(s.Errors, model.Error{Path: s.Source, Stage: "timeline", Message: err.Error()})
		}
	}
}

// SessionDigest is the sha256 of a session's recorded content, the "sha256" a report gives
// for a stored session (a HAR file's is the file's own). It covers what was captured and
// nothing sdkflow derives from it, so the same session gives the same digest in any version:
//
//	"sdkflow-session-digest/v1" then, each field written as its length in decimal, ":" and its
//	bytes: for every marker in stored order "marker", event, time, note, source; for every
//	flow in index order "flow", index, kind, time, end, method, URL, host, status, status
//	text, HTTP version, server name, error, then for the request and then the response the
//	header count, each header's name and value in wire order, the body as recorded (still
//	content-encoded), the body size on the wire and "1" or "0" for truncated.
//
// Times are RFC 3339 in UTC with nanoseconds, "" for none. Session name, source and the
// timings are left out: they describe the recording, not what was sent.
func SessionDigest(s *model.Session) string {
	h := sha256.New()
	w := digestWriter{h: h}
	w.str("sdkflow-session-digest/v1")
	for _, m := range s.Markers {
		w.str("marker")
		w.str(m.Event)
		w.time(m.Time)
		w.str(m.Note)
		w.str(m.Source)
	}
	for i := range s.Flows {
		f := &s.Flows[i]
		w.str("flow")
		w.int(int64(f.Index))
		w.str(f.Kind)
		w.time(f.Time)
		w.time(f.End)
		w.str(f.Method)
		w.str(f.URL)
		w.str(f.Host)
		w.int(int64(f.Status))
		w.str(f.StatusText)
		w.str(f.HTTPVersion)
		w.str(f.ServerName)
		w.str(f.Error)
		for _, m := range []*model.Message{&f.Request, &f.Response} {
			w.int(int64(len(m.Headers)))
			for _, hd := range m.Headers {
				w.str(hd.Name)
				w.str(hd.Value)
			}
			w.bytes(m.Body)
			w.int(m.BodySize)
			if m.Truncated {
				w.str("1")
			} else {
				w.str("0")
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

type digestWriter struct {
	h   hash.Hash
	buf []byte
}

func (w *digestWriter) bytes(b []byte) {
	w.buf = strconv.AppendInt(w.buf[:0], int64(len(b)), 10)
	w.buf = append(w.buf, ':')
	w.h.Write(w.buf)
	w.h.Write(b)
}

func (w *digestWriter) str(s string) {
	w.buf = strconv.AppendInt(w.buf[:0], int64(len(s)), 10)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
	w.h.Write(w.buf)
}

func (w *digestWriter) int(v int64) { w.str(strconv.FormatInt(v, 10)) }

func (w *digestWriter) time(t time.Time) {
	if t.IsZero() {
		w.str("")
		return
	}
	w.str(t.UTC().Format(time.RFC3339Nano))
}
