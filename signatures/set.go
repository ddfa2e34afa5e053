package signatures

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/sdkflow/sdkflow/model"
)

//go:embed *.yaml VERSION
var embedded embed.FS

// Set is an immutable collection of signatures, sorted by id.
type Set struct {
	version string
	sigs    []*Signature
	byID    map[string]*Signature
	sources []string
	digest  string

	matcherOnce sync.Once
	matcher     *Matcher
}

func newSet(version string, sigs []*Signature, sources []string) *Set {
	sort.Slice(sigs, func(i, j int) bool { return sigs[i].ID < sigs[j].ID })
	s := &Set{version: version, sigs: sigs, byID: make(map[string]*Signature, len(sigs)), sources: sources}
	for _, sig := range sigs {
		s.byID[sig.ID] = sig
	}
	s.digest = digest(sigs)
	return s
}

// digest is the sha256 of the canonical form: the JSON of every signature, sorted by id.
// JSON field order is fixed by the struct, so equal knowledge gives an equal digest whatever
// the YAML's formatting, comments or key order.
func digest(sigs []*Signature) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, s := range sigs {
		if err := enc.Encode(s); err != nil {
			// Signatures hold only strings, bools and slices: encoding cannot fail.
			panic(fmt.Sprintf("signatures: canonical form of %s: %v", s.ID, err))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

var (
	embeddedOnce sync.Once
	embeddedSet  *Set
	embeddedErr  error
)

// Embedded returns the default signature set built into the binary. It is parsed once.
func Embedded() (*Set, error) {
	embeddedOnce.Do(func() { embeddedSet, embeddedErr = loadEmbedded() })
	return embeddedSet, embeddedErr
}

func loadEmbedded() (*Set, error) {
	version, err := fs.ReadFile(embedded, "VERSION")
	if err != nil {
		return nil, fmt.Errorf("embedded signatures: %w", err)
	}
	names, err := fs.Glob(embedded, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("embedded signatures: %w", err)
	}
	var sigs []*Signature
	var errs []error
	for _, name := range names {
		data, err := fs.ReadFile(embedded, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sig, ferrs := ParseFile("signatures/"+name, data)
		errs = append(errs, ferrs...)
		if sig != nil {
			sig.Source = "embedded:" + name
			sigs = append(sigs, sig)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newSet(strings.TrimSpace(string(version)), sigs, nil), nil
}

// Info identifies the set for a report: version, count, digest and user sources.
func (s *Set) Info() model.SignatureInfo {
	return model.SignatureInfo{
		Version: s.version,
		Count:   len(s.sigs),
		Digest:  s.digest,
		Sources: append([]string(nil), s.sources...),
	}
}

// Version is the signature set's version (signatures/VERSION for the embedded set).
func (s *Set) Version() string { return s.version }

// All returns every signature, sorted by id. The signatures are shared: do not modify them.
func (s *Set) All() []*Signature { return append([]*Signature(nil), s.sigs...) }

// Get returns the signature with the given id.
func (s *Set) Get(id string) (*Signature, bool) {
	sig, ok := s.byID[id]
	return sig, ok
}

// Len is the number of signatures.
func (s *Set) Len() int { return len(s.sigs) }

// Matcher returns the set's compiled matcher, built on first use.
func (s *Set) Matcher() *Matcher {
	s.matcherOnce.Do(func() { s.matcher = newMatcher(s.sigs) })
	return s.matcher
}

// SDK returns the model form of a signature, without version, confidence or evidence.
func (sig *Signature) SDK() model.SDK {
	return model.SDK{
		ID: sig.ID, Name: sig.Name, Vendor: sig.Vendor, Category: sig.Category,
		Tracker: sig.Tracker, AppleListed: sig.AppleListed,
	}
}
