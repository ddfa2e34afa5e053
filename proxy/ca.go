package proxy

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File names inside the CA directory.
const (
	// CAKeyFile holds the CA certificate and its private key (mode 0600).
	CAKeyFile = "sdkflow-ca.pem"
	// CACertFile holds the CA certificate alone, for installing on a device.
	CACertFile = "sdkflow-ca-cert.pem"
)

// CAValidity is how long a new CA is valid: long enough for a test campaign of several months,
// short enough that a CA forgotten on a phone stops being trusted within a year.
const CAValidity = 365 * 24 * time.Hour

// CA is the certificate authority the proxy signs its per-host certificates with.
//
// The key is ECDSA P-256: iOS (and every TLS client we test with) trusts ECDSA roots, a P-256
// key is generated instantly (RSA-2048 takes a noticeable and variable time, which matters for
// `ca rotate` and for tests), it signs leaves an order of magnitude faster than RSA, and it keeps
// the install profile small.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Dir is the directory the CA was loaded from ("" for an in-memory CA).
	Dir string
}

// NewCA makes a fresh CA, unique to this call: its own key, a random serial, and a subject that
// names the machine and the date so a tester can tell installs apart in the phone's settings.
func NewCA(now time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the CA key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generating the CA serial: %w", err)
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown host"
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         fmt.Sprintf("sdkflow CA %s %s", host, now.UTC().Format("2006-01-02")),
			Organization:       []string{"sdkflow"},
			OrganizationalUnit: []string{"test proxy: remove from devices after testing"},
		},
		// A little back-dating tolerates a phone whose clock runs slow.
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("signing the CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing the new CA certificate: %w", err)
	}
	return &CA{Cert: cert, Key: key}, nil
}

// LoadOrCreateCA loads the CA from dir, creating dir (mode 0700) and a new CA on first use.
// Two processes starting at once agree on one CA: the file is created with a hard link, which
// fails if another process got there first, and then that CA is loaded.
func LoadOrCreateCA(dir string) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%s: creating the CA directory: %w", dir, err)
	}
	if err := checkPrivateDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, CAKeyFile)
	ca, err := loadCA(path)
	if errors.Is(err, os.ErrNotExist) {
		fresh, err := NewCA(time.Now())
		if err != nil {
			return nil, err
		}
		if err := writeCA(dir, fresh, false); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		ca, err = loadCA(path)
		if err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	ca.Dir = dir
	if err := ca.writeCertFile(); err != nil {
		return nil, err
	}
	return ca, nil
}

// RotateCA replaces the CA in dir with a new one. Devices that trusted the old CA must install
// the new one (and should remove the old).
func RotateCA(dir string) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%s: creating the CA directory: %w", dir, err)
	}
	if err := checkPrivateDir(dir); err != nil {
		return nil, err
	}
	fresh, err := NewCA(time.Now())
	if err != nil {
		return nil, err
	}
	if err := writeCA(dir, fresh, true); err != nil {
		return nil, err
	}
	fresh.Dir = dir
	if err := fresh.writeCertFile(); err != nil {
		return nil, err
	}
	return fresh, nil
}

// Rotate replaces this CA on disk with a new one and returns the new CA.
func (ca *CA) Rotate() (*CA, error) {
	if ca.Dir == "" {
		return nil, errors.New("rotating an in-memory CA")
	}
	return RotateCA(ca.Dir)
}

// CertPath is the file holding the certificate alone.
func (ca *CA) CertPath() string { return filepath.Join(ca.Dir, CACertFile) }

// PEM is the certificate in PEM form.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// Fingerprint is the SHA-256 of the certificate, as colon-separated hex (what iOS shows).
func (ca *CA) Fingerprint() string {
	sum := sha256.Sum256(ca.Cert.Raw)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// SPKIHash is the base64 SHA-256 of the CA's public key (the form browsers take for
// certificate pinning exceptions).
func (ca *CA) SPKIHash() string { return spkiHash(ca.Cert) }

func checkPrivateDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: checking the CA directory: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: the CA directory is not a directory", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("%s: restricting the CA directory to its owner: %w", dir, err)
		}
	}
	return nil
}

func loadCA(path string) (*CA, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: the CA file is not a regular file", path)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: the CA key is readable by other users (mode %04o); it may have "+
			"leaked: run `sdkflow ca rotate`, or `chmod 600` it if you are sure it did not",
			path, fi.Mode().Perm())
	}
	if fi.Size() > 1<<20 {
		return nil, fmt.Errorf("%s: the CA file is too large to be a CA (%d bytes)", path, fi.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the CA: %w", path, err)
	}
	ca, err := parseCA(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ca, nil
}

// parseCA reads a certificate and a private key (PKCS#8, EC or PKCS#1) from PEM data and checks
// that they belong together.
func parseCA(data []byte) (*CA, error) {
	var cert *x509.Certificate
	var key crypto.Signer
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			if cert != nil {
				continue
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parsing the CA certificate: %w", err)
			}
			cert = c
		case "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY":
			k, err := parsePrivateKey(block)
			if err != nil {
				return nil, fmt.Errorf("parsing the CA key: %w", err)
			}
			key = k
		}
	}
	if cert == nil || key == nil {
		return nil, errors.New("the CA file needs a CERTIFICATE and a PRIVATE KEY block")
	}
	if !cert.IsCA {
		return nil, errors.New("the certificate is not a CA certificate")
	}
	if !publicKeysEqual(cert.PublicKey, key.Public()) {
		return nil, errors.New("the CA key does not match the CA certificate")
	}
	return &CA{Cert: cert, Key: key}, nil
}

func parsePrivateKey(block *pem.Block) (crypto.Signer, error) {
	var k any
	var err error
	switch block.Type {
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("unsupported key type %T", k)
	}
	return s, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	x, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && x.Equal(b)
}

// writeCA writes cert and key to dir/CAKeyFile with mode 0600. Without replace it fails with
// os.ErrExist when the file is already there.
func writeCA(dir string, ca *CA, replace bool) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(ca.Key)
	if err != nil {
		return fmt.Errorf("encoding the CA key: %w", err)
	}
	var buf bytes.Buffer
	buf.Write(ca.PEM())
	if err := pem.Encode(&buf, &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}); err != nil {
		return fmt.Errorf("encoding the CA key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".sdkflow-ca-*.tmp")
	if err != nil {
		return fmt.Errorf("%s: writing the CA: %w", dir, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: writing the CA: %w", tmp.Name(), err)
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: writing the CA: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: writing the CA: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: writing the CA: %w", tmp.Name(), err)
	}
	path := filepath.Join(dir, CAKeyFile)
	if replace {
		err = os.Rename(tmp.Name(), path)
	} else {
		err = os.Link(tmp.Name(), path)
	}
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return err
		}
		return fmt.Errorf("%s: installing the CA: %w", path, err)
	}
	return nil
}

// writeCertFile keeps CACertFile in step with the CA (it is derived, so rewriting it is safe).
func (ca *CA) writeCertFile() error {
	path := ca.CertPath()
	want := ca.PEM()
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, want) {
		return nil
	}
	tmp, err := os.CreateTemp(ca.Dir, ".sdkflow-ca-cert-*.tmp")
	if err != nil {
		return fmt.Errorf("%s: writing the CA certificate: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(want); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: writing the CA certificate: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: writing the CA certificate: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: writing the CA certificate: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: writing the CA certificate: %w", path, err)
	}
	return nil
}
