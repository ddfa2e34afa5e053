package model

import "time"

// Session is one recorded test session, from the store or imported from a HAR file.
type Session struct {
	Name string `json:"name"`
	// Source is "store" for a recorded session, or the HAR file's path.
	Source  string    `json:"source"`
	Started time.Time `json:"started,omitzero"`
	Ended   time.Time `json:"ended,omitzero"`
	Markers []Marker  `json:"markers"`
	Flows   []Flow    `json:"flows"`
	Errors  []Error   `json:"errors,omitempty"`
}

// FirstFlowTime is the earliest time of any flow, zero when no flow has one.
func (s *Session) FirstFlowTime() time.Time {
	var first time.Time
	for i := range s.Flows {
		t := s.Flows[i].Time
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}

// Marker events. Any other single word is accepted as a custom event.
const (
	MarkLaunch          = "launch"
	MarkConsentAccepted = "consent-accepted"
	MarkConsentDeclined = "consent-declined"
	MarkATTAuthorized   = "att-authorized"
	MarkATTDenied       = "att-denied"
	MarkNote            = "note"
)

// Marker is a moment the tester marked during a session.
type Marker struct {
	Event string    `json:"event"`
	Time  time.Time `json:"time"`
	Note  string    `json:"note,omitempty"`
	// Source says how it was set: key, cli, url, flag (--marker), consent-request.
	Source string `json:"source,omitempty"`
}

// Flow kinds.
const (
	FlowHTTP       = "http"        // a request and (usually) its response
	FlowTunnel     = "tunnel"      // a CONNECT tunnel relayed without interception (passthrough)
	FlowTLSFailure = "tls-failure" // the client refused our certificate, or opened and left
)

// Phases of a flow relative to the consent markers.
const (
	PhaseBeforeConsent = "before-consent"
	PhaseAfterConsent  = "after-consent"
	PhaseAfterRefusal  = "after-refusal"
)

// ATT states at the time of a flow.
const (
	ATTNotDetermined = "not-determined"
	ATTAuthorized    = "authorized"
	ATTDenied        = "denied"
)

// Flow is one captured exchange. The fields up to Data are reported; headers and bodies are
// kept for analysis and HAR export, and appear in reports only as decoded evidence.
type Flow struct {
	Index  int       `json:"index"`
	Kind   string    `json:"kind,omitempty"`
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	URL    string    `json:"url"`
	Host   string    `json:"host,omitempty"`
	Status int       `json:"status,omitempty"`
	// SDK is the signature id the flow is attributed to, nil when no signature knows the host.
	SDK *string `json:"sdk"`
	// Party is the registrable domain (eTLD+1) of the host, to group unknown third parties.
	Party string `json:"party,omitempty"`
	// Endpoint says what the endpoint is for, from the network signature that matched.
	Endpoint string `json:"endpoint,omitempty"`
	Phase    string `json:"phase"`
	ATT      string `json:"att,omitempty"`
	// SinceLaunch is the time since the launch marker (or the first flow), in seconds.
	SinceLaunch float64    `json:"sinceLaunch"`
	Data        []DataItem `json:"data"`
	// Error is set for failed flows (TLS failure reason, upstream error).
	Error string `json:"error,omitempty"`
	// Problems are decoding troubles met while analysing this flow (broken gzip and the like).
	Problems []string `json:"problems,omitempty"`
	// Exhibit is the exact request of a flow that a finding cites, so a report shows what
	// proves the finding; nil for every other flow.
	Exhibit *Exhibit `json:"exhibit,omitempty"`

	End         time.Time `json:"-"`
	Client      string    `json:"-"` // client address
	HTTPVersion string    `json:"-"`
	ServerName  string    `json:"-"` // SNI of the tunnel the flow came through
	Request     Message   `json:"-"`
	Response    Message   `json:"-"`
	StatusText  string    `json:"-"`
	Timings     Timings   `json:"-"`
	// Extra carries fields an importer found but sdkflow has no place for (HAR "_" fields).
	Extra map[string]any `json:"-"`
}

// Exhibit is a cited request as a reader needs to see it: the headers as sent and the body with
// its encodings and formats peeled, both bounded.
type Exhibit struct {
	Headers []Header `json:"headers"`
	// Layers are the encodings and formats removed from the body, outermost first.
	Layers []string `json:"layers,omitempty"`
	// Body is the decoded body as text (one "location = value" line per field for binary
	// formats), cut at a bound; BodySize is its full decoded size in bytes.
	Body      string `json:"body,omitempty"`
	BodySize  int    `json:"bodySize"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Message is the headers and body of one request or response.
type Message struct {
	Headers []Header
	// Body is the body as sent on the wire (still content-encoded), up to the recording bound.
	Body []byte
	// BodySize is the full size on the wire, which exceeds len(Body) when Truncated.
	BodySize  int64
	Truncated bool
}

// Header is one header line, in wire order and case.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Timings are the phases of a flow in milliseconds; -1 when not applicable.
type Timings struct {
	Blocked, DNS, Connect, SSL, Send, Wait, Receive float64
}

// HeaderValue returns the first value of the named header, case-insensitively.
func (m Message) HeaderValue(name string) string {
	for _, h := range m.Headers {
		if equalFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// DataItem is one piece of data found in a flow.
type DataItem struct {
	// Type is the kind of data: advertising-id, idfv, device-id, email, phone, latitude,
	// longitude, ip-address, device-name, device-model, os-version, locale, time-zone, carrier,
	// screen, cpu-cores, disk-space, user-data, event, app-id, or a known value's label.
	Type string `json:"type"`
	// Location says where: query.NAME, header.NAME, body.PATH (JSON pointer-ish, form field,
	// protobuf field numbers), path.
	Location string `json:"location"`
	// Value is the value as sent (after decoding layers), bounded in length.
	Value string `json:"value"`
	// Match says how it was found: adapter:NAME, key:NAME, shape, known:VARIANT (e.g.
	// known:sha256-hex).
	Match string `json:"match"`
	// ManifestType is the NSPrivacyCollectedDataType the item falls under.
	ManifestType string `json:"manifestType,omitempty"`
	// Personal is true for data that identifies or fingerprints a person or device.
	Personal bool `json:"personal"`
}
