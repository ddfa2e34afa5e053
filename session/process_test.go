package session

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// The tests below re-execute the test binary as a second process that writes to the store.
const (
	childModeEnv  = "SDKFLOW_SESSION_TEST_CHILD"
	childDirEnv   = "SDKFLOW_SESSION_TEST_DIR"
	childCountEnv = "SDKFLOW_SESSION_TEST_COUNT"
)

// TestChildWriter is not a test: it is the body of the child process. It adds flows to session
// "s" and prints each committed index on its own line.
func TestChildWriter(t *testing.T) {
	mode := os.Getenv(childModeEnv)
	if mode == "" {
		t.Skip("runs only as the child process of TestKill9 and TestConcurrentWriters")
	}
	count, _ := strconv.Atoi(os.Getenv(childCountEnv))
	s, err := Open(os.Getenv(childDirEnv))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	if err := s.CreateSession(ctx, "s"); err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	deadline := time.Now().Add(time.Minute) // a child the parent forgot stops by itself
	for i := 0; i < count && time.Now().Before(deadline); i++ {
		f := sampleFlow(i)
		f.Client = "child"
		idx, err := s.AddFlow(ctx, "s", &f)
		if err != nil {
			fmt.Fprintln(out, "error:", err)
			out.Flush()
			os.Exit(2)
		}
		if mode == "marker" && i%10 == 0 {
			if err := s.AddMarker(ctx, "s", model.Marker{Event: "note", Time: f.Time, Source: "child"}); err != nil {
				fmt.Fprintln(out, "error:", err)
				out.Flush()
				os.Exit(2)
			}
		}
		// Printed only after the commit returned: the parent's proof that it is durable.
		fmt.Fprintln(out, idx)
		out.Flush()
	}
	s.Close()
	os.Exit(0)
}

func startChild(t *testing.T, mode, dir string, count int) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childDirEnv+"="+dir, childCountEnv+"="+strconv.Itoa(count))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(stdout)
}

func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	cmd, lines := startChild(t, "kill", dir, 1_000_000)
	var printed []int
	killed := false
	for lines.Scan() {
		idx, err := strconv.Atoi(lines.Text())
		if err != nil {
			t.Fatalf("child: %s", lines.Text())
		}
		printed = append(printed, idx)
		if len(printed) == 300 && !killed {
			// Mid-stream: the child is between commits or inside one.
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err := cmd.Wait()
	if !killed {
		t.Fatalf("child ended before it was killed: %v", err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed by SIGKILL: %v", err)
	}

	s, err := Open(dir)
	if err != nil {
		t.Fatalf("store does not open after kill -9: %v", err)
	}
	defer s.Close()
	var check string
	if err := s.db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	stored := map[int]bool{}
	if err := s.Each(context.Background(), "s", func(f *model.Flow) error {
		stored[f.Index] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, idx := range printed {
		if !stored[idx] {
			t.Errorf("flow %d was reported committed but is missing after kill -9", idx)
		}
	}
	t.Logf("child printed %d indexes, store holds %d flows", len(printed), len(stored))
	// The store must still take writes, continuing the numbering.
	f := sampleFlow(0)
	idx, err := s.AddFlow(context.Background(), "s", &f)
	if err != nil || idx != len(stored) {
		t.Errorf("AddFlow after recovery: %d, %v (want %d)", idx, err, len(stored))
	}
}

func TestConcurrentWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	const perWriter = 150
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.CreateSession(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	cmd, lines := startChild(t, "marker", dir, perWriter)

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 2 {
		wg.Go(func() {
			for i := range perWriter {
				f := sampleFlow(i)
				f.Client = fmt.Sprintf("goroutine-%d", w)
				if _, err := s.AddFlow(ctx, "s", &f); err != nil {
					errs <- err
					return
				}
				if i%25 == 0 {
					if err := s.AddMarker(ctx, "s", model.Marker{Event: "note", Time: f.Time, Source: f.Client}); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	// A reader in a second store handle, as `session show` in another terminal would be.
	done := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		r, err := Open(dir)
		if err != nil {
			errs <- err
			return
		}
		defer r.Close()
		for {
			select {
			case <-done:
				return
			default:
			}
			sess, err := r.Load(ctx, "s")
			if err != nil {
				errs <- fmt.Errorf("reader: %w", err)
				return
			}
			for i, f := range sess.Flows {
				if f.Index != i {
					errs <- fmt.Errorf("reader: flow at %d has index %d", i, f.Index)
					return
				}
			}
			if _, err := r.List(ctx); err != nil {
				errs <- fmt.Errorf("reader: %w", err)
				return
			}
		}
	}()

	var childLines int
	for lines.Scan() {
		if _, err := strconv.Atoi(lines.Text()); err != nil {
			t.Errorf("child: %s", lines.Text())
		}
		childLines++
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("child: %v", err)
	}
	wg.Wait()
	close(done)
	<-readerDone
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	sess, err := s.Load(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * perWriter; len(sess.Flows) != want || childLines != perWriter {
		t.Fatalf("%d flows (child printed %d), want %d", len(sess.Flows), childLines, want)
	}
	byClient := map[string]int{}
	for i, f := range sess.Flows {
		if f.Index != i {
			t.Fatalf("flow at %d has index %d", i, f.Index)
		}
		byClient[f.Client]++
	}
	if byClient["child"] != perWriter || byClient["goroutine-0"] != perWriter || byClient["goroutine-1"] != perWriter {
		t.Errorf("flows by writer: %v", byClient)
	}
	if want := 2*(perWriter/25) + perWriter/10; len(sess.Markers) != want {
		t.Errorf("%d markers, want %d", len(sess.Markers), want)
	}
}
