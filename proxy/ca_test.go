package proxy

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"howett.net/plist"
)

func TestLoadOrCreateCAIsPrivateAndStable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "ca")
	ca, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("CA dir mode %v, %v", fi.Mode().Perm(), err)
	}
	fi, err = os.Stat(filepath.Join(dir, CAKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("CA key mode %v, %v", fi.Mode().Perm(), err)
	}
	cert, err := os.ReadFile(ca.CertPath())
	if err != nil || !bytes.Equal(cert, ca.PEM()) || bytes.Contains(cert, []byte("PRIVATE")) {
		t.Errorf("cert file %q, %v", cert, err)
	}
	again, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cert.Equal(ca.Cert) {
		t.Error("the CA changed between runs")
	}
	c := ca.Cert
	if !c.IsCA || !c.MaxPathLenZero || c.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("not a proper CA: IsCA %v, usage %v", c.IsCA, c.KeyUsage)
	}
	if v := c.NotAfter.Sub(c.NotBefore); v < 300*24*time.Hour {
		t.Errorf("validity %v is too short for a test campaign", v)
	}
}

func TestCAsAreUniquePerInstall(t *testing.T) {
	a, err := LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if a.SPKIHash() == b.SPKIHash() || a.Cert.SerialNumber.Cmp(b.Cert.SerialNumber) == 0 {
		t.Error("two installs share a key or serial")
	}
}

func TestConcurrentFirstUseAgreesOnOneCA(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	cas := make([]*CA, 8)
	errs := make([]error, 8)
	for i := range cas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cas[i], errs[i] = LoadOrCreateCA(dir)
		}()
	}
	wg.Wait()
	for i := range cas {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !cas[i].Cert.Equal(cas[0].Cert) {
			t.Fatal("concurrent first use made two CAs")
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestRotateReplacesTheCA(t *testing.T) {
	dir := t.TempDir()
	old, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := old.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Cert.Equal(old.Cert) || !loaded.Cert.Equal(fresh.Cert) {
		t.Error("rotate did not replace the CA")
	}
	cert, _ := os.ReadFile(loaded.CertPath())
	if !bytes.Equal(cert, fresh.PEM()) {
		t.Error("the certificate file still holds the old CA")
	}
}

func TestCAReadableByOthersIsRefused(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadOrCreateCA(dir); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, CAKeyFile), 0o644)
	if _, err := LoadOrCreateCA(dir); err == nil {
		t.Error("a world-readable CA key was used")
	}
}

func TestBrokenCAFileIsAClearError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, CAKeyFile), []byte("-----BEGIN CERTIFICATE-----\nnope\n"), 0o600)
	if _, err := LoadOrCreateCA(dir); err == nil {
		t.Error("a broken CA file loaded")
	}
	other, _ := NewCA(time.Now())
	mine, _ := NewCA(time.Now())
	mixed := &CA{Cert: mine.Cert, Key: other.Key}
	dir2 := t.TempDir()
	if err := writeCA(dir2, mixed, false); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateCA(dir2); err == nil {
		t.Error("a CA whose key does not match its certificate loaded")
	}
}

// Leaves must meet Apple's rules for TLS server certificates (iOS 13+): a SAN with the name,
// the serverAuth EKU, validity of at most 825 days, an RSA key of 2048 bits or more or ECDSA,
// SHA-2 signatures; and they must chain to our CA.
func TestLeavesMeetApplesRules(t *testing.T) {
	ca, err := NewCA(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	li, err := newLeafIssuer(ca)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"graph.facebook.com", "10.1.2.3"} {
		cert, err := li.certificate(name)
		if err != nil {
			t.Fatal(err)
		}
		leaf := cert.Leaf
		if v := leaf.NotAfter.Sub(leaf.NotBefore); v > 825*24*time.Hour {
			t.Errorf("%s: validity %v exceeds 825 days", name, v)
		}
		hasServerAuth := false
		for _, u := range leaf.ExtKeyUsage {
			hasServerAuth = hasServerAuth || u == x509.ExtKeyUsageServerAuth
		}
		if !hasServerAuth {
			t.Errorf("%s: no serverAuth EKU", name)
		}
		if leaf.SignatureAlgorithm != x509.ECDSAWithSHA256 {
			t.Errorf("%s: signed with %v", name, leaf.SignatureAlgorithm)
		}
		pool := x509.NewCertPool()
		pool.AddCert(ca.Cert)
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if name == "10.1.2.3" && len(leaf.IPAddresses) != 1 {
			t.Errorf("IP literal without an IP SAN")
		}
		if name != "10.1.2.3" && (len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != name) {
			t.Errorf("SAN %v", leaf.DNSNames)
		}
		// The same host is served from the cache.
		again, _ := li.certificate(name)
		if again != cert {
			t.Errorf("%s: leaf not cached", name)
		}
	}
}

func TestMobileConfigInstallsTheRoot(t *testing.T) {
	ca, err := NewCA(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	data, err := ca.MobileConfig()
	if err != nil {
		t.Fatal(err)
	}
	var prof map[string]any
	if _, err := plist.Unmarshal(data, &prof); err != nil {
		t.Fatal(err)
	}
	if prof["PayloadType"] != "Configuration" || prof["PayloadVersion"] != uint64(1) {
		t.Errorf("profile %v", prof)
	}
	payloads := prof["PayloadContent"].([]any)
	p := payloads[0].(map[string]any)
	if p["PayloadType"] != "com.apple.security.root" || !bytes.Equal(p["PayloadContent"].([]byte), ca.Cert.Raw) {
		t.Errorf("payload %v", p)
	}
	if bytes.Contains(data, []byte("PRIVATE")) || bytes.Contains(data, []byte("pkcs12")) {
		t.Error("the profile carries key material")
	}
	again, _ := ca.MobileConfig()
	if !bytes.Equal(data, again) {
		t.Error("the profile is not stable for one CA")
	}
}

func TestLeafCacheIsBounded(t *testing.T) {
	ca, _ := NewCA(time.Now())
	li, err := newLeafIssuer(ca)
	if err != nil {
		t.Fatal(err)
	}
	li.max = 3
	for i := 0; i < 10; i++ {
		if _, err := li.certificate(fmt.Sprintf("h%d.example", i)); err != nil {
			t.Fatal(err)
		}
	}
	if len(li.cache) != 3 || li.order.Len() != 3 {
		t.Errorf("cache holds %d", len(li.cache))
	}
	if _, err := li.certificate(""); err == nil {
		t.Error("a certificate for no name")
	}
}
