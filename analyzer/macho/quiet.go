package macho

import (
	"io"
	"log"
	"sync"
)

// go-macho writes to the standard logger on input it does not know. The logger is global, so
// silencing it is reference-counted: the first of several concurrent Reads saves the output
// and discards, the last one restores it.
var quiet struct {
	sync.Mutex
	depth int
	saved io.Writer
}

func silenceLog() (restore func()) {
	quiet.Lock()
	if quiet.depth == 0 {
		quiet.saved = log.Writer()
		log.SetOutput(io.Discard)
	}
	quiet.depth++
	quiet.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			quiet.Lock()
			quiet.depth--
			if quiet.depth == 0 {
				log.SetOutput(quiet.saved)
				quiet.saved = nil
			}
			quiet.Unlock()
		})
	}
}
