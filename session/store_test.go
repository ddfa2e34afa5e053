package session

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2020, 3, 26, 14, 5, 6, 123456789, time.UTC)

// sampleFlow has every stored field set, including bytes that are not UTF-8.
func sampleFlow(i int) model.Flow {
	start := t0.Add(time.Duration(i) * 1500 * time.Millisecond)
	return model.Flow{
		Kind:        model.FlowHTTP,
		Time:        start,
		End:         start.Add(42*time.Millisecond + 7),
		Client:      "127.0.0.1:51234",
		Method:      "POST",
		URL:         fmt.Sprintf("https://graph.facebook.com/v6.0/1234/activities?i=%d&sdk=ios", i),
		Host:        "graph.facebook.com",
		HTTPVersion: "HTTP/1.1",
		ServerName:  "graph.facebook.com",
		Status:      200,
		StatusText:  "OK",
		Request: model.Message{
			Headers: []model.Header{
				{Name: "Host", Value: "graph.facebook.com"},
				{Name: "content-type", Value: "application/x-www-form-urlencoded"},
				{Name: "X-Odd", Value: "caf\xe9"},
				{Name: "Accept", Value: "*/*"},
			},
			Body:     []byte("event=MOBILE_APP_INSTALL&advertiser_id=00000000-0000-0000-0000-000000000000"),
			BodySize: 74,
		},
		Response: model.Message{
			Headers: []model.Header{
				{Name: "Content-Type", Value: "application/octet-stream"},
				{Name: "Set-Cookie", Value: "a=1; Path=/"},
				{Name: "set-cookie", Value: "b=2"},
			},
			Body:      []byte{0, 1, 2, 0xff, 0xfe, 'x'},
			BodySize:  4096,
			Truncated: true,
		},
		Timings: model.Timings{Blocked: -1, DNS: 1.5, Connect: 10, SSL: 8.25, Send: 0.5, Wait: 30, Receive: 2},
		Error:   "",
		Extra:   map[string]any{"_resourceType": "xhr", "_priority": 3.0},
	}
}

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.CreateSession(ctx, "zoom-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, "zoom-1"); err != nil { // idempotent
		t.Fatal(err)
	}
	var want []model.Flow
	for i := range 3 {
		f := sampleFlow(i)
		idx, err := s.AddFlow(ctx, "zoom-1", &f)
		if err != nil {
			t.Fatal(err)
		}
		if idx != i || f.Index != i {
			t.Fatalf("index = %d (f.Index %d), want %d", idx, f.Index, i)
		}
		want = append(want, f)
	}
	tls := model.Flow{Kind: model.FlowTLSFailure, Time: t0.Add(time.Minute), Method: "CONNECT", URL: "https://pinned.example:443",
		Host: "pinned.example", ServerName: "pinned.example", Error: "client does not trust the proxy's certificate"}
	if _, err := s.AddFlow(ctx, "zoom-1", &tls); err != nil {
		t.Fatal(err)
	}
	want = append(want, tls)
	markers := []model.Marker{
		{Event: model.MarkLaunch, Time: t0.Add(-time.Second), Source: "key"},
		{Event: model.MarkConsentDeclined, Time: t0.Add(5 * time.Second), Note: "tapped \"No\"", Source: "cli"},
	}
	for _, m := range markers {
		if err := s.AddMarker(ctx, "zoom-1", m); err != nil {
			t.Fatal(err)
		}
	}

	got, err := s.Load(ctx, "zoom-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "zoom-1" || got.Source != "store" {
		t.Errorf("name/source = %q/%q", got.Name, got.Source)
	}
	if !reflect.DeepEqual(got.Markers, markers) {
		t.Errorf("markers:\n got %+v\nwant %+v", got.Markers, markers)
	}
	if len(got.Flows) != len(want) {
		t.Fatalf("%d flows, want %d", len(got.Flows), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got.Flows[i], want[i]) {
			t.Errorf("flow %d:\n got %+v\nwant %+v", i, got.Flows[i], want[i])
		}
	}
	if !got.Ended.Equal(tls.Time) {
		t.Errorf("ended = %v, want %v", got.Ended, tls.Time)
	}

	var n int
	if err := s.Each(ctx, "zoom-1", func(f *model.Flow) error {
		if f.Index != n {
			t.Errorf("Each: index %d at position %d", f.Index, n)
		}
		n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Errorf("Each saw %d flows", n)
	}
	stop := errors.New("stop")
	if err := s.Each(ctx, "zoom-1", func(*model.Flow) error { return stop }); err != stop {
		t.Errorf("Each error = %v, want the callback's", err)
	}

	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("list = %+v", list)
	}
	sum := list[0]
	if sum.Name != "zoom-1" || sum.Flows != 4 || sum.Markers != 2 || sum.TLSFailures != 1 ||
		!sum.FirstFlow.Equal(t0) || !sum.LastFlow.Equal(tls.Time) || sum.Created.IsZero() {
		t.Errorf("summary = %+v", sum)
	}

	if err := s.Remove(ctx, "zoom-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "zoom-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load after Remove: %v", err)
	}
	if err := s.Remove(ctx, "zoom-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Remove: %v", err)
	}
	if list, _ := s.List(ctx); len(list) != 0 {
		t.Errorf("list after remove = %+v", list)
	}
}

func TestStoreIndexesPerSession(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, n := range []string{"a", "b"} {
		if err := s.CreateSession(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		for _, n := range []string{"a", "b"} {
			f := sampleFlow(i)
			idx, err := s.AddFlow(ctx, n, &f)
			if err != nil || idx != i {
				t.Fatalf("%s: idx %d err %v, want %d", n, idx, err, i)
			}
		}
	}
}

func TestStoreRefusals(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, name := range []string{"", "a b", "../x", "x/y", string(bytes.Repeat([]byte("a"), 65)), "é"} {
		if err := s.CreateSession(ctx, name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("CreateSession(%q) = %v, want ErrInvalidName", name, err)
		}
	}
	if err := s.CreateSession(ctx, string(bytes.Repeat([]byte("a"), 64))); err != nil {
		t.Errorf("64-character name: %v", err)
	}
	f := sampleFlow(0)
	if _, err := s.AddFlow(ctx, "missing", &f); !errors.Is(err, ErrNotFound) {
		t.Errorf("AddFlow to a missing session: %v", err)
	}
	if err := s.AddMarker(ctx, "missing", model.Marker{Event: "launch", Time: t0}); !errors.Is(err, ErrNotFound) {
		t.Errorf("AddMarker to a missing session: %v", err)
	}
	if err := s.CreateSession(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	f.Time = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.AddFlow(ctx, "x", &f); err == nil {
		t.Error("AddFlow took a time outside the storable range")
	}
	f = sampleFlow(0)
	f.Extra = map[string]any{"_bad": func() {}}
	if _, err := s.AddFlow(ctx, "x", &f); err == nil {
		t.Error("AddFlow took an extra that is not JSON")
	}
}

func TestStoreImportReplace(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	sess := &model.Session{Name: "imp", Source: "/tmp/x.har", Started: t0, Ended: t0.Add(time.Hour),
		Markers: []model.Marker{{Event: "launch", Time: t0}},
		Flows:   []model.Flow{sampleFlow(0), sampleFlow(1)},
		Errors:  []model.Error{{Path: "/tmp/x.har", Stage: "har", Message: "entry 3: no request"}}}
	if err := s.Import(ctx, sess, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Import(ctx, sess, false); !errors.Is(err, ErrExists) {
		t.Errorf("second import: %v, want ErrExists", err)
	}
	sess.Flows = sess.Flows[:1]
	if err := s.Import(ctx, sess, true); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, "imp")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Flows) != 1 || got.Source != "/tmp/x.har" || !got.Started.Equal(t0) || !got.Ended.Equal(t0.Add(time.Hour)) ||
		!reflect.DeepEqual(got.Errors, sess.Errors) || len(got.Markers) != 1 {
		t.Errorf("replaced session = %+v", got)
	}
	f := sampleFlow(5)
	if idx, err := s.AddFlow(ctx, "imp", &f); err != nil || idx != 1 {
		t.Errorf("AddFlow after import: %d, %v", idx, err)
	}
}

func TestStoreFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "sdkflow")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.CreateSession(ctx, "m"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check := func(path string, want os.FileMode) {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got&^want != 0 {
			t.Errorf("%s mode %v, want at most %v", path, got, want)
		}
	}
	check(dir, 0o700)
	check(filepath.Join(dir, DBName), 0o600)
	check(filepath.Join(dir, DBName+"-wal"), 0o600)
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
	var version int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) {
		t.Errorf("user_version = %d, %v", version, err)
	}
}

func TestStoreRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "elsewhere.db")
	if err := os.Symlink(target, filepath.Join(dir, DBName)); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(dir); err == nil {
		s.Close()
		t.Fatal("Open followed a symlink")
	}
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("symlink target was created")
	}
}

func TestStoreNewerSchema(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations)+1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(dir); err == nil {
		s.Close()
		t.Fatal("Open accepted a database from a newer version")
	}
}

func TestStoreMigratesOldSchema(t *testing.T) {
	// A database left at schema version 1 by an older sdkflow, holding a session.
	dir := t.TempDir()
	path := filepath.Join(dir, DBName)
	if err := createPrivate(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(migrations[0] + `; PRAGMA user_version = 1;
		INSERT INTO sessions (name, created_ns) VALUES ('old', 1);`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version, indexes int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) {
		t.Errorf("user_version = %d, %v; want %d", version, err, len(migrations))
	}
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('flows_start', 'flows_tls_failures')`).Scan(&indexes); err != nil || indexes != 2 {
		t.Errorf("indexes of migration 2: %d, %v", indexes, err)
	}
	f := sampleFlow(0)
	if idx, err := s.AddFlow(context.Background(), "old", &f); err != nil || idx != 0 {
		t.Errorf("AddFlow to the migrated session: %d, %v", idx, err)
	}
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStoreBulkImportAndRemove(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	big := &model.Session{Name: "big", Markers: []model.Marker{{Event: "launch", Time: t0}}}
	for i := range 2*bulkChunk + 10 {
		big.Flows = append(big.Flows, sampleFlow(i%50))
	}
	if err := s.Import(ctx, big, false); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := s.Each(ctx, "big", func(f *model.Flow) error {
		if f.Index != n {
			t.Fatalf("flow %d at %d", f.Index, n)
		}
		n++
		return nil
	}); err != nil || n != len(big.Flows) {
		t.Fatalf("%d flows, %v", n, err)
	}

	// A failing import (a flow past the first chunk cannot be stored) leaves no trace and
	// does not touch the session it was to replace.
	bad := &model.Session{Name: "big", Flows: append([]model.Flow(nil), big.Flows...)}
	bad.Flows[bulkChunk+5].Time = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.Import(ctx, bad, true); err == nil {
		t.Fatal("import of an unstorable flow succeeded")
	}
	if got := countRows(t, s, "flows"); got != len(big.Flows) {
		t.Errorf("%d flow rows after the failed import, want %d", got, len(big.Flows))
	}
	if list, _ := s.List(ctx); len(list) != 1 || list[0].Flows != len(big.Flows) || list[0].Markers != 1 {
		t.Errorf("list after the failed import: %+v", list)
	}

	// Replacing swaps in the new session and deletes the old rows.
	small := &model.Session{Name: "big", Flows: big.Flows[:3]}
	if err := s.Import(ctx, small, true); err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, s, "flows"); got != 3 {
		t.Errorf("%d flow rows after replace, want 3", got)
	}
	if got := countRows(t, s, "markers"); got != 0 {
		t.Errorf("%d marker rows after replace, want 0", got)
	}

	if err := s.Remove(ctx, "big"); err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, s, "sessions") + countRows(t, s, "flows"); got != 0 {
		t.Errorf("%d rows left after remove", got)
	}
}

func TestStoreSweepsLeftovers(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	// What a process killed in the middle of an import or a removal leaves behind.
	old := time.Now().Add(-2 * staleImport).UnixNano()
	for _, row := range []struct {
		name    string
		created int64
	}{{"~import-dead", old}, {"~import-running", time.Now().UnixNano()}, {"~removed-dead", time.Now().UnixNano()}} {
		res, err := s.db.Exec(`INSERT INTO sessions (name, created_ns) VALUES (?, ?)`, row.name, row.created)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		row, err := encodeFlow(&model.Flow{Time: t0})
		if err != nil {
			t.Fatal(err)
		}
		err = s.writeTx(ctx, func(tx *sql.Tx) error {
			insert, err := tx.PrepareContext(ctx, insertFlowSQL)
			if err != nil {
				return err
			}
			defer insert.Close()
			return execInsert(ctx, insert, id, 0, row)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if list, _ := s.List(ctx); len(list) != 0 {
		t.Errorf("hidden sessions listed: %+v", list)
	}
	if err := s.Import(ctx, &model.Session{Name: "x"}, false); err != nil {
		t.Fatal(err)
	}
	var names []string
	rows, _ := s.db.Query(`SELECT name FROM sessions ORDER BY name`)
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	if !reflect.DeepEqual(names, []string{"x", "~import-running"}) {
		t.Errorf("sessions after sweep: %v", names)
	}
	if got := countRows(t, s, "flows"); got != 1 {
		t.Errorf("%d flow rows after sweep, want 1", got)
	}
}
