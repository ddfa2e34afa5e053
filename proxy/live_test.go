package proxy

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

func TestLiveViewPlainLines(t *testing.T) {
	var out bytes.Buffer
	v := NewLiveView(&out, false, func(host, path string) string {
		if strings.HasSuffix(host, "facebook.com") {
			return "facebook"
		}
		return ""
	})
	at := time.Date(2026, 1, 2, 9, 30, 0, 0, time.UTC)
	v.Handle(Event{Flow: &model.Flow{Time: at, Method: "POST", Host: "graph.facebook.com", Party: "facebook.com",
		URL: "https://graph.facebook.com/v2/activities?x=\x1b[31m", Status: 200, Response: model.Message{BodySize: 2048}}})
	v.Handle(Event{Marker: &model.Marker{Time: at, Event: model.MarkConsentAccepted, Source: "key"}})
	v.Handle(Event{Flow: &model.Flow{Kind: model.FlowTLSFailure, Time: at, Host: "pinned.example", Error: ReasonSuspectedPinned}})
	v.Close()
	got := out.String()
	for _, want := range []string{"09:30:00  POST", "graph.facebook.com", "/v2/activities", "2.0 kB", "200  facebook",
		"marker consent-accepted (key)", "TLS  pinned.example", "1 flows recorded (1 TLS failures)"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "\x1b") {
		t.Errorf("captured escape sequences reached the output: %q", got)
	}
}

func TestLiveViewTerminalStatus(t *testing.T) {
	var out bytes.Buffer
	v := NewLiveView(&out, true, nil)
	v.Handle(Event{Flow: &model.Flow{Time: time.Now(), Method: "GET", Host: "app-measurement.com", Party: "app-measurement.com", URL: "https://app-measurement.com/a", Status: 204}})
	v.Handle(Event{Marker: &model.Marker{Time: time.Now(), Event: model.MarkConsentDeclined}})
	v.Handle(Event{Marker: &model.Marker{Time: time.Now(), Event: model.MarkATTDenied}})
	got := out.String()
	last := got[strings.LastIndex(got, "\r\x1b[K"):]
	for _, want := range []string{"after refusal", "ATT denied", "1 flows", "app-measurement.com 1", "keys l c d a n m q"} {
		if !strings.Contains(last, want) {
			t.Errorf("status line %q lacks %q", last, want)
		}
	}
	if !strings.Contains(got, "\r\n") {
		t.Error("lines must end in CR LF for a raw-mode terminal")
	}
}

func TestReadKeys(t *testing.T) {
	var mu sync.Mutex
	var marks []string
	var prompts []string
	quit := false
	input := "lcx" + "m" + "tap\x7fped OK\r" + "m" + "gone\x1b" + "adnq" + "l"
	ReadKeys(strings.NewReader(input), func(event, note string) {
		mu.Lock()
		marks = append(marks, event+"|"+note)
		mu.Unlock()
	}, func(p *string) {
		if p != nil {
			prompts = append(prompts, *p)
		}
	}, func() { quit = true })
	want := "[launch| consent-accepted| note|taped OK att-authorized| consent-declined| att-denied|]"
	if got := strings.Join(strings.Fields(strings.Join(marks, " ")), " "); "["+got+"]" != strings.Join(strings.Fields(want), " ") {
		t.Errorf("marks %q", marks)
	}
	if !quit {
		t.Error("q did not quit")
	}
	if len(prompts) == 0 || prompts[len(prompts)-1] != "gone" {
		t.Errorf("prompts %q", prompts)
	}
}

func TestQRCode(t *testing.T) {
	qr, err := QRCode("http://192.168.1.20:8080/")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(qr, "\n"), "\n")
	if len(lines) < 10 || !strings.ContainsAny(qr, "▀▄█") {
		t.Errorf("QR code:\n%s", qr)
	}
}

func TestParseEventAndNote(t *testing.T) {
	for in, want := range map[string]string{"launch": "launch", "Consent-Accepted": "consent-accepted", " tap2 ": "tap2"} {
		if got, err := ParseEvent(in); err != nil || got != want {
			t.Errorf("ParseEvent(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "two words", "../x", "a/b", strings.Repeat("x", 65), "-lead"} {
		if _, err := ParseEvent(bad); err == nil {
			t.Errorf("ParseEvent(%q) accepted", bad)
		}
	}
	if got := CleanNote("a\x1b[2Jb\nc"); got != "a[2Jb c" {
		t.Errorf("CleanNote %q", got)
	}
	if got := CleanNote(strings.Repeat("é", 5000)); len([]rune(got)) != maxNote {
		t.Errorf("note of %d runes", len([]rune(got)))
	}
}
