package session

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzReadHAR feeds ReadHAR arbitrary bytes: it must never panic (entries are read without
// the per-entry recover here, so a panic surfaces), reading through ReadHARFile must give the
// same result, and whatever it accepts must export as HAR that reads back with the same number
// of flows and markers.
func FuzzReadHAR(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "har", "*.har"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var buf bytes.Buffer
	if err := WriteHAR(&buf, exportSession(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := readHAR(bytes.NewReader(data), nil, "fuzz", false)
		r := bytes.NewReader(data)
		s2, err2 := readHAR(r, r, "fuzz", false)
		if fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("ReadHAR: %v; ReadHARFile: %v", err, err2)
		}
		if err != nil {
			return
		}
		if len(s2.Flows) != len(s.Flows) || len(s2.Errors) != len(s.Errors) {
			t.Fatalf("ReadHAR: %d flows %d problems; ReadHARFile: %d flows %d problems", len(s.Flows), len(s.Errors), len(s2.Flows), len(s2.Errors))
		}
		// Whatever is accepted must be storable: Store.Import refuses times outside int64 ns.
		times := []time.Time{s.Started, s.Ended}
		for _, m := range s.Markers {
			times = append(times, m.Time)
		}
		for _, f := range s.Flows {
			times = append(times, f.Time, f.End)
		}
		for _, tm := range times {
			if _, err := timeToNS(tm); err != nil {
				t.Fatalf("accepted a time the store refuses: %v", err)
			}
		}
		var out bytes.Buffer
		if err := WriteHAR(&out, s); err != nil {
			t.Fatalf("WriteHAR of an accepted HAR: %v", err)
		}
		again, err := readHAR(bytes.NewReader(out.Bytes()), nil, "fuzz", false)
		if err != nil {
			t.Fatalf("re-reading our own export: %v\n%s", err, out.Bytes())
		}
		if len(again.Flows) != len(s.Flows) || len(again.Markers) != len(s.Markers) {
			t.Fatalf("round trip: %d flows %d markers, then %d flows %d markers",
				len(s.Flows), len(s.Markers), len(again.Flows), len(again.Markers))
		}
	})
}
