package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/report"
)

// reference is how the report was encoded before it was streamed: the output must not change.
func reference(r *model.Report) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	err := enc.Encode(r)
	return b.Bytes(), err
}

func encode(t testing.TB, r *model.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := (Encoder{}).Encode(&b, r, report.Options{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func checkSame(t testing.TB, name string, r *model.Report) {
	t.Helper()
	want, err := reference(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := encode(t, r); !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(i-80, 0)
		t.Fatalf("%s: output differs at byte %d:\n got: %q\nwant: %q", name, i, got[lo:min(i+80, len(got))], want[lo:min(i+80, len(want))])
	}
}

// sampleReports are the golden JSON reports of the samples, read back.
func sampleReports(t testing.TB) map[string][]byte {
	paths, err := filepath.Glob("../../samples/*/expected/report.json")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../../samples/rules/*/expected/report.json")
	out := map[string][]byte{}
	for _, p := range append(paths, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = b
	}
	if len(out) == 0 {
		t.Fatal("no sample reports")
	}
	return out
}

func TestEncodeMatchesSamples(t *testing.T) {
	for path, data := range sampleReports(t) {
		var r model.Report
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		checkSame(t, path, &r)
		// The golden file itself was written by the unstreamed encoder.
		if got := encode(t, &r); !bytes.Equal(got, data) {
			t.Errorf("%s: encoding the golden report again changes it", path)
		}
	}
}

func TestEncodeShapes(t *testing.T) {
	sdk := "facebook"
	flow := func(i int) model.Flow {
		return model.Flow{
			Index: i, Kind: model.FlowHTTP, Time: time.Date(2020, 3, 26, 14, 5, 6, i, time.UTC), Method: "POST",
			URL: "https://graph.facebook.com/<script>&x=\u2028", SDK: &sdk, Phase: model.PhaseBeforeConsent,
			Data:    []model.DataItem{{Type: "advertising-id", Location: "body.advertiser_id", Value: "\"<&>\"", Match: "key:advertiser_id", Personal: true}},
			Exhibit: &model.Exhibit{Headers: []model.Header{{Name: "Host", Value: "graph.facebook.com"}}, Body: "a\nb", BodySize: 3},
		}
	}
	cases := map[string]*model.Report{
		"empty":               {},
		"nil sessions":        {SchemaVersion: model.SchemaVersion, Sessions: nil, Findings: []model.Finding{}},
		"no sessions":         {Sessions: []model.Session{}},
		"session no flows":    {Sessions: []model.Session{{Name: "a", Markers: []model.Marker{}}}},
		"session empty flows": {Sessions: []model.Session{{Name: "a", Flows: []model.Flow{}, Markers: []model.Marker{}}}},
		"flows": {
			SchemaVersion: model.SchemaVersion,
			Tool:          model.Tool{Name: "sdkflow", Version: "test"},
			Inputs:        []model.Input{{Path: "a<b>.har", Kind: "har", SHA256: "00"}},
			Sessions: []model.Session{
				{Name: "one", Started: time.Unix(5, 0).UTC(), Markers: []model.Marker{{Event: "launch", Time: time.Unix(6, 0).UTC()}},
					Flows: []model.Flow{flow(0), flow(1), {Index: 2}}, Errors: []model.Error{{Stage: "har", Message: "x"}}},
				{Name: "two", Flows: []model.Flow{flow(0)}},
				{Name: "three"},
			},
			Findings:     []model.Finding{{Rule: "SDKF001", Severity: model.SeverityHigh, Evidence: []model.Evidence{}}},
			SkippedRules: []model.SkippedRule{{Rule: "SDKF004", Reason: "no app"}},
			Errors:       []model.Error{{Path: "p", Stage: "input", Message: "m"}},
		},
	}
	for name, r := range cases {
		checkSame(t, name, r)
	}
}

// manyFlows is a session large enough to be encoded in chunks on several cores.
func manyFlows(n int) *model.Report {
	sdks := []string{"facebook", "firebase", "appsflyer"}
	flows := make([]model.Flow, n)
	for i := range flows {
		f := &flows[i]
		f.Index, f.Method, f.Phase = i, "GET", model.PhaseBeforeConsent
		f.Time = time.Unix(1585231506, int64(i)*1e6).UTC()
		f.URL = fmt.Sprintf("https://host%d.example/p?i=%d&x=<%d>", i%7, i, i)
		f.SinceLaunch = float64(i) / 3
		if i%3 != 0 {
			f.SDK = &sdks[i%3]
			f.Data = []model.DataItem{{Type: "advertising-id", Location: "query.i", Value: fmt.Sprint(i), Match: "shape"}}
		}
		if i%500 == 7 {
			f.Exhibit = &model.Exhibit{Headers: []model.Header{{Name: "A", Value: "b&c"}}, Body: strings.Repeat("x", i%50), BodySize: i}
		}
	}
	return &model.Report{Sessions: []model.Session{{Name: "big", Flows: flows}, {Name: "small", Flows: flows[:min(3, n)]}}}
}

func TestEncodeManyFlows(t *testing.T) {
	for _, n := range []int{1, flowChunk - 1, flowChunk, flowChunk + 1, 5*flowChunk + 17} {
		checkSame(t, fmt.Sprint(n, " flows"), manyFlows(n))
	}
	// One core: encoded in line.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	checkSame(t, "one core", manyFlows(3*flowChunk))
}

func TestEncodeError(t *testing.T) {
	r := &model.Report{Sessions: []model.Session{{Name: "a", Flows: []model.Flow{{SinceLaunch: math.NaN()}}}}}
	err := (Encoder{}).Encode(&bytes.Buffer{}, r, report.Options{})
	var uve *json.UnsupportedValueError
	if !errors.As(err, &uve) {
		t.Fatalf("NaN in a flow: %v", err)
	}
	// In a chunk encoded on another core: the error stops the output, and nothing is left
	// running.
	before := runtime.NumGoroutine()
	for _, at := range []int{0, flowChunk + 3, 9 * flowChunk} {
		r = manyFlows(20 * flowChunk)
		r.Sessions[0].Flows[at].SinceLaunch = math.Inf(1)
		err = (Encoder{}).Encode(&bytes.Buffer{}, r, report.Options{})
		if !errors.As(err, &uve) {
			t.Fatalf("+Inf in flow %d: %v", at, err)
		}
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left running (%d before)", n, before)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestEncodeWriteError(t *testing.T) {
	r := manyFlows(20 * flowChunk)
	for _, n := range []int{0, 100 << 10, 1 << 20} {
		if err := (Encoder{}).Encode(&failWriter{n: n}, r, report.Options{}); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("write error after %d bytes: %v", n, err)
		}
	}
}

// FuzzEncode checks the streamed encoding against encoding/json's on any report a JSON
// document decodes into.
func FuzzEncode(f *testing.F) {
	for _, data := range sampleReports(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r model.Report
		if json.Unmarshal(data, &r) != nil {
			return
		}
		want, err := reference(&r)
		if err != nil {
			return
		}
		var got bytes.Buffer
		if err := (Encoder{}).Encode(&got, &r, report.Options{}); err != nil {
			t.Fatalf("encoding/json took it, the stream did not: %v", err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("output differs:\n got: %q\nwant: %q", got.Bytes(), want)
		}
	})
}
