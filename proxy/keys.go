package proxy

import (
	"bufio"
	"io"
	"unicode/utf8"

	"github.com/sdkflow/sdkflow/model"
)

// KeyEvents maps the live view's keys to marker events.
var KeyEvents = map[byte]string{
	'l': model.MarkLaunch,
	'c': model.MarkConsentAccepted,
	'd': model.MarkConsentDeclined,
	'a': model.MarkATTAuthorized,
	'n': model.MarkATTDenied,
}

// ReadKeys reads the live view's keys from r (a terminal in raw mode) until r ends or the
// tester quits (q or Ctrl-C). Each marker key calls mark at once; m opens a prompt for a note
// (Enter saves it, Esc or Ctrl-C cancels it). prompt shows the note being typed (nil: none).
func ReadKeys(r io.Reader, mark func(event, note string), prompt func(*string), quit func()) {
	br := bufio.NewReader(r)
	for {
		b, err := br.ReadByte()
		if err != nil {
			return
		}
		switch {
		case b == 'q' || b == 'Q' || b == 0x03 || b == 0x04:
			quit()
			return
		case b == 'm' || b == 'M':
			if note, ok := readNote(br, prompt); ok {
				mark(model.MarkNote, note)
			}
		default:
			lower := b
			if 'A' <= b && b <= 'Z' {
				lower = b + 'a' - 'A'
			}
			if ev, ok := KeyEvents[lower]; ok {
				mark(ev, "")
			}
		}
	}
}

// readNote edits one line of text. ok is false when cancelled or when the input ended.
func readNote(br *bufio.Reader, prompt func(*string)) (string, bool) {
	var text []byte
	show := func() {
		s := string(text)
		prompt(&s)
	}
	show()
	defer prompt(nil)
	for {
		b, err := br.ReadByte()
		if err != nil {
			return "", false
		}
		switch b {
		case '\r', '\n':
			note := CleanNote(string(text))
			return note, note != ""
		case 0x1b, 0x03: // Esc, Ctrl-C
			if b == 0x1b {
				skipEscapeSequence(br)
			}
			return "", false
		case 0x7f, 0x08: // Backspace
			if len(text) > 0 {
				_, n := utf8.DecodeLastRune(text)
				text = text[:len(text)-n]
			}
		default:
			if b >= 0x20 && len(text) < maxNote*4 {
				text = append(text, b)
			}
		}
		show()
	}
}

// skipEscapeSequence drops the rest of a CSI or SS3 sequence (an arrow key, say) already
// waiting after an Esc, so its bytes are not taken for marker keys.
func skipEscapeSequence(br *bufio.Reader) {
	if br.Buffered() == 0 {
		return
	}
	next, _ := br.Peek(1)
	if next[0] != '[' && next[0] != 'O' {
		return
	}
	br.ReadByte()
	for i := 0; i < 16 && br.Buffered() > 0; i++ {
		c, _ := br.ReadByte()
		if c >= 0x40 && c <= 0x7e {
			return
		}
	}
}
