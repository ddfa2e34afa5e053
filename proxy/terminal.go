package proxy

import (
	"fmt"
	"os"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/term"
)

// RawMode puts the terminal f into raw mode (keys arrive one at a time, unechoed) and returns the
// function that restores it; call it on every way out.
func RawMode(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, fmt.Errorf("switching the terminal to raw mode: %w", err)
	}
	return func() { term.Restore(fd, old) }, nil
}

// QRCode renders text as a QR code in half-block characters, two modules per character row,
// drawn black on white whatever the terminal's colours (phone cameras want dark on light).
func QRCode(text string) (string, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("making the QR code: %w", err)
	}
	bm := q.Bitmap() // includes the quiet zone
	var b strings.Builder
	for y := 0; y < len(bm); y += 2 {
		b.WriteString("\x1b[30;107m")
		for x := range bm[y] {
			top := bm[y][x]
			bottom := y+1 < len(bm) && bm[y+1][x]
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString("\x1b[0m\n")
	}
	return b.String(), nil
}
