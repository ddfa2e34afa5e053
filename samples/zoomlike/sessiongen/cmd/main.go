// Command sessiongen writes the Zoomlike sample sessions:
//
//	go run ./samples/zoomlike/sessiongen/cmd -o samples/zoomlike
//
// writes session.har (the 2020 case: Facebook before any consent) and session-consented.har
// (the app asks first). go test ./samples/zoomlike/sessiongen checks the committed files.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sdkflow/sdkflow/samples/zoomlike/sessiongen"
)

func main() {
	dir := flag.String("o", "samples/zoomlike", "directory to write session.har and session-consented.har into")
	flag.Parse()
	for name, gen := range map[string]func() ([]sessiongen.Marker, []sessiongen.Entry){
		"session.har":           sessiongen.ZoomlikeLaunch,
		"session-consented.har": sessiongen.ZoomlikeConsented,
	} {
		var buf bytes.Buffer
		m, e := gen()
		if err := sessiongen.Write(&buf, m, e); err != nil {
			fmt.Fprintln(os.Stderr, "sessiongen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(filepath.Join(*dir, name), buf.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "sessiongen:", err)
			os.Exit(1)
		}
	}
}
