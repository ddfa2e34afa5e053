package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/session"
)

// The helper process: a proxy recording into the real session store, killed by the test.
func TestHelperProxyProcess(t *testing.T) {
	if os.Getenv("SDKFLOW_PROXY_HELPER") != "1" {
		t.Skip("helper process for TestKill9KeepsEveryAnsweredFlow")
	}
	dir := os.Getenv("SDKFLOW_PROXY_STORE")
	ca, err := LoadOrCreateCA(filepath.Join(dir, "ca"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := session.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSession(context.Background(), "kill"); err != nil {
		t.Fatal(err)
	}
	upCA, err := os.ReadFile(os.Getenv("SDKFLOW_PROXY_UPSTREAM_CA"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(upCA)
	if block == nil {
		t.Fatal("no upstream CA")
	}
	upstreamCert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(ca, Options{
		Session:       "kill",
		Recorder:      store,
		MapHost:       map[string]string{"graph.facebook.com": os.Getenv("SDKFLOW_PROXY_UPSTREAM")},
		UpstreamRoots: []*x509.Certificate{upstreamCert},
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("LISTENING %s\n", l.Addr())
	os.Stdout.Sync()
	p.Serve(l)
}

func TestKill9KeepsEveryAnsweredFlow(t *testing.T) {
	up := newUpstream(t)
	dir := t.TempDir()
	upCAFile := filepath.Join(dir, "upstream-ca.pem")
	if err := os.WriteFile(upCAFile, up.ca.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProxyProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "SDKFLOW_PROXY_HELPER=1", "SDKFLOW_PROXY_STORE="+dir,
		"SDKFLOW_PROXY_UPSTREAM="+up.addr(), "SDKFLOW_PROXY_UPSTREAM_CA="+upCAFile)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "LISTENING "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		t.Fatal("the helper did not start")
	}
	go io.Copy(io.Discard, stdout)
	ca, err := LoadOrCreateCA(filepath.Join(dir, "ca"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	tr := &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: addr})}
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	var mu sync.Mutex
	answered := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%d-%d", w, i)
				path := "/echo"
				if i%3 == 0 {
					path = "/big" // responses that span many writes
				}
				res, err := client.Get("https://graph.facebook.com" + path + "?id=" + id)
				if err != nil {
					continue
				}
				_, err = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if err == nil && res.StatusCode == 200 {
					mu.Lock()
					answered[id] = true
					mu.Unlock()
				}
			}
		}()
	}
	// Let a stream of requests run, then kill the proxy in the middle of it.
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(answered)
		mu.Unlock()
		if n >= 300 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()

	store, err := session.Open(dir)
	if err != nil {
		t.Fatalf("the store does not open after kill -9: %v", err)
	}
	defer store.Close()
	sess, err := store.Load(context.Background(), "kill")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, f := range sess.Flows {
		if u, err := url.Parse(f.URL); err == nil {
			stored[u.Query().Get("id")] = true
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(answered) < 50 {
		t.Fatalf("only %d requests answered before the kill", len(answered))
	}
	missing := 0
	for id := range answered {
		if !stored[id] {
			missing++
			if missing < 5 {
				t.Errorf("request %s was answered but is not in the store", id)
			}
		}
	}
	t.Logf("%d answered, %d stored, %d missing", len(answered), len(sess.Flows), missing)
	if missing > 0 {
		t.Errorf("%d answered requests lost", missing)
	}
}
