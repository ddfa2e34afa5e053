package proxy

import (
	"container/list"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"time"
)

// leafIssuer issues the per-host server certificates the proxy shows clients, signed by the CA
// and cached per host.
//
// martian's mitm.Config does the same with an RSA-2048 leaf key; an RSA signature in every
// client handshake costs about a millisecond of CPU, which capped the proxy at a few hundred new
// connections per second. An ECDSA P-256 leaf key signs in tens of microseconds and is accepted
// by iOS, browsers and curl alike. One key serves every leaf (as in martian): the leaves differ
// only in their names.
type leafIssuer struct {
	ca  *CA
	key *ecdsa.PrivateKey

	mu    sync.Mutex
	cache map[string]*list.Element // host -> element of order holding *tls.Certificate
	order *list.List               // most recently used first
	max   int
}

type cachedLeaf struct {
	host string
	cert *tls.Certificate
}

// maxLeafHosts bounds the cache: a client inventing host names cannot grow it without end.
const maxLeafHosts = 10000

// leafValidity is the validity on each side of now: tolerant of a phone's clock, well inside
// Apple's 825-day limit for server certificates.
const leafValidity = 7 * 24 * time.Hour

func newLeafIssuer(ca *CA) (*leafIssuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the leaf key: %w", err)
	}
	return &leafIssuer{ca: ca, key: key, cache: make(map[string]*list.Element), order: list.New(), max: maxLeafHosts}, nil
}

// certificate returns the leaf for host (a DNS name or an IP address, without port).
func (li *leafIssuer) certificate(host string) (*tls.Certificate, error) {
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "" {
		return nil, fmt.Errorf("no server name to issue a certificate for")
	}
	now := time.Now()
	li.mu.Lock()
	if el, ok := li.cache[host]; ok {
		c := el.Value.(*cachedLeaf).cert
		if now.Before(c.Leaf.NotAfter.Add(-time.Hour)) {
			li.order.MoveToFront(el)
			li.mu.Unlock()
			return c, nil
		}
	}
	li.mu.Unlock()

	cert, err := li.issue(host, now)
	if err != nil {
		return nil, err
	}
	li.mu.Lock()
	defer li.mu.Unlock()
	if el, ok := li.cache[host]; ok {
		el.Value.(*cachedLeaf).cert = cert
		li.order.MoveToFront(el)
		return cert, nil
	}
	li.cache[host] = li.order.PushFront(&cachedLeaf{host: host, cert: cert})
	for li.order.Len() > li.max {
		old := li.order.Remove(li.order.Back()).(*cachedLeaf)
		delete(li.cache, old.host)
	}
	return cert, nil
}

func (li *leafIssuer) issue(host string, now time.Time) (*tls.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	cn := host
	if len(cn) > 64 { // the X.520 limit on a common name; the SAN carries the full name
		cn = cn[:64]
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"sdkflow test proxy"}},
		NotBefore:             now.Add(-leafValidity),
		NotAfter:              now.Add(leafValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, li.ca.Cert, li.key.Public(), li.ca.Key)
	if err != nil {
		return nil, fmt.Errorf("issuing a certificate for %q: %w", host, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der, li.ca.Cert.Raw}, PrivateKey: li.key, Leaf: leaf}, nil
}
