package html

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBound(t *testing.T) {
	for _, c := range []struct {
		in    string
		limit int
		want  string
		cut   bool
	}{
		{"plain", 10, "plain", false},
		{"abcdef", 3, "abc", true},
		{"a\u202eb", 10, "a⟦U+202E⟧b", false},
		{"line\nbreak\x00", 20, "line⟦U+000A⟧break⟦U+0000⟧", false},
		{"zero\u200bwidth\ufeff", 20, "zero⟦U+200B⟧width⟦U+FEFF⟧", false},
		{"bad \xff utf-8", 20, "bad \uFFFD utf-8", false},
		{"日本語テキスト", 3, "日本語", true},
	} {
		got := bound(c.in, c.limit)
		if got.S != c.want || got.Cut() != c.cut {
			t.Errorf("bound(%q, %d) = %q cut %v; want %q cut %v", c.in, c.limit, got.S, got.Cut(), c.want, c.cut)
		}
		if got.Cut() && got.Total != utf8.RuneCountInString(strings.ToValidUTF8(c.in, "\uFFFD")) {
			t.Errorf("bound(%q): total %d", c.in, got.Total)
		}
	}
}

func TestSeconds(t *testing.T) {
	for in, want := range map[float64]string{
		0: "0.0 s", 1.204: "1.2 s", 99.94: "99.9 s", 125: "2 min 5 s", 3725: "1 h 2 min", -0.5: "−0.5 s", 1e12: "a very long time",
	} {
		if got := seconds(in); got != want {
			t.Errorf("seconds(%g) = %q, want %q", in, got, want)
		}
	}
}

func TestDataTypesPhrase(t *testing.T) {
	got := dataTypesPhrase([]string{"advertising-id", "disk-space", "carrier", "time-zone", "device-model", "my-label"})
	if want := "device model, time zone, carrier, disk space, my-label and the advertising ID"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got := dataTypesPhrase([]string{"latitude", "longitude"}); got != "location" {
		t.Errorf("coordinates: %q", got)
	}
}
