package signatures

import (
	"fmt"
	"math/rand"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// The static pass calls Match for every fact of an app: a large app has ~6,000 classes and
// 100,000 symbols. These benchmarks match 100,000 class names against the real set and against
// a synthetic set ten times larger; the cost per name should stay roughly flat.
//
//	go test ./signatures -run '^$' -bench Match -benchmem

// syntheticSet returns base plus factor-1 clones of every signature, each with its literals
// rotated to other letters (same lengths, same pattern kinds), so the automaton grows tenfold
// with realistic literals that mostly do not occur in real class names.
func syntheticSet(base *Set, factor int) *Set {
	sigs := append([]*Signature(nil), base.sigs...)
	for k := 1; k < factor; k++ {
		for _, s := range base.sigs {
			c := &Signature{ID: fmt.Sprintf("%s-syn%d", s.ID, k), Name: s.Name, Vendor: s.Vendor, Category: s.Category, Tracker: s.Tracker}
			c.Match.Classes = rotatePatterns(s.Match.Classes, k)
			c.Match.SwiftModules = rotatePatterns(s.Match.SwiftModules, k)
			c.Match.Frameworks = rotatePatterns(s.Match.Frameworks, k)
			c.Match.Symbols = rotatePatterns(s.Match.Symbols, k)
			sigs = append(sigs, c)
		}
	}
	return newSet("synthetic", sigs, nil)
}

var regexLiteral = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_]{2,}`)

func rotatePatterns(pats []string, k int) []string {
	var out []string
	for _, p := range pats {
		if strings.HasPrefix(p, regexPrefix) {
			lit := regexLiteral.FindString(p)
			if lit == "" {
				continue
			}
			out = append(out, "re:^"+regexp.QuoteMeta(rotate(lit, k))+"[0-9A-Za-z]*$")
			continue
		}
		out = append(out, rotate(p, k))
	}
	return out
}

// rotate shifts letters by k, keeping case, digits, punctuation and the {version} token.
func rotate(s string, k int) string {
	if i := strings.Index(s, versionToken); i >= 0 {
		return rotate(s[:i], k) + versionToken + rotate(s[i+len(versionToken):], k)
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = 'a' + (c-'a'+byte(k))%26
		case 'A' <= c && c <= 'Z':
			b[i] = 'A' + (c-'A'+byte(k))%26
		}
	}
	return string(b)
}

// classCorpus is n class names shaped like a large app's: mostly the app's own and framework
// names, about 5% names of real SDKs, 2% mangled Swift names.
func classCorpus(set *Set, n int) []string {
	rng := rand.New(rand.NewSource(42))
	words := strings.Fields(`View Controller Manager Cell Model Service Data Store Cache Request Response Handler
		Delegate Provider Item List Table Collection Button Label Image Loader Session Account User Profile Feed
		Settings Player Video Audio Map Location Search Result Filter Config Helper Util Event Tracker Analytics`)
	prefixes := strings.Fields("NS UI ZL XYZ App My RN RCT SK ABC Core Main TT KC")
	var sdk []string
	for _, s := range set.sigs {
		for _, c := range s.Match.Classes {
			if !strings.ContainsAny(c, "*{") && !strings.HasPrefix(c, regexPrefix) {
				sdk = append(sdk, c)
			}
		}
	}
	out := make([]string, n)
	for i := range out {
		switch r := rng.Intn(100); {
		case r < 5:
			out[i] = sdk[rng.Intn(len(sdk))]
		case r < 7:
			mod := prefixes[rng.Intn(len(prefixes))] + words[rng.Intn(len(words))]
			cls := words[rng.Intn(len(words))] + words[rng.Intn(len(words))]
			out[i] = fmt.Sprintf("_TtC%d%s%d%s", len(mod), mod, len(cls), cls)
		default:
			var b strings.Builder
			b.WriteString(prefixes[rng.Intn(len(prefixes))])
			for w := 0; w < 1+rng.Intn(3); w++ {
				b.WriteString(words[rng.Intn(len(words))])
			}
			out[i] = b.String()
		}
	}
	return out
}

func benchSets(b *testing.B) (real, synthetic *Set, corpus []string) {
	real, err := Embedded()
	if err != nil {
		b.Fatal(err)
	}
	synthetic = syntheticSet(real, 10)
	return real, synthetic, classCorpus(real, 100_000)
}

func matchAll(m *Matcher, corpus []string) int {
	hits := 0
	for _, c := range corpus {
		hits += len(m.Match(model.EvidenceClass, c))
	}
	return hits
}

// BenchmarkMatch100kClasses reports the time to match 100,000 class names (one op) against
// each set.
func BenchmarkMatch100kClasses(b *testing.B) {
	real, synthetic, corpus := benchSets(b)
	for _, c := range []struct {
		name string
		set  *Set
	}{{fmt.Sprintf("set=real-%d", real.Len()), real}, {fmt.Sprintf("set=synthetic-%d", synthetic.Len()), synthetic}} {
		b.Run(c.name, func(b *testing.B) {
			m := c.set.Matcher()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				matchAll(m, corpus)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(corpus)), "ns/class")
		})
	}
}

// BenchmarkMatchScaling measures both sets in the same run, interleaved in chunks of 1,000
// names so that other load on the machine falls on both alike, and reports wall and CPU times
// per 100,000 names and their ratios (synthetic 10x set / real set).
func BenchmarkMatchScaling(b *testing.B) {
	real, synthetic, corpus := benchSets(b)
	mReal, mSyn := real.Matcher(), synthetic.Matcher()
	var wallReal, wallSyn, cpuReal, cpuSyn time.Duration
	const chunk = 1000
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for lo := 0; lo < len(corpus); lo += chunk {
			part := corpus[lo:min(lo+chunk, len(corpus))]
			for k, m := range []*Matcher{mReal, mSyn} {
				if i%2 == 1 {
					k, m = 1-k, []*Matcher{mReal, mSyn}[1-k] // alternate which set goes first
				}
				c0, w0 := cpuTime(), time.Now()
				matchAll(m, part)
				w, c := time.Since(w0), cpuTime()-c0
				if k == 0 {
					wallReal, cpuReal = wallReal+w, cpuReal+c
				} else {
					wallSyn, cpuSyn = wallSyn+w, cpuSyn+c
				}
			}
		}
	}
	n := time.Duration(b.N)
	b.ReportMetric(float64((wallReal/n).Microseconds())/1000, "ms-real")
	b.ReportMetric(float64((wallSyn/n).Microseconds())/1000, "ms-10x")
	b.ReportMetric(float64(wallSyn)/float64(wallReal), "wall-ratio")
	if cpuReal > 0 {
		b.ReportMetric(float64(cpuSyn)/float64(cpuReal), "cpu-ratio")
	}
	b.Logf("100,000 class names: real set (%d signatures) %v wall, %v CPU; synthetic set (%d signatures) %v wall, %v CPU",
		real.Len(), wallReal/n, cpuReal/n, synthetic.Len(), wallSyn/n, cpuSyn/n)
}

// TestSyntheticSetIsValid keeps the benchmark honest: the clones compile, and the rotated
// patterns do not match the real SDKs' names.
func TestSyntheticSetIsValid(t *testing.T) {
	real := mustEmbedded(t)
	syn := syntheticSet(real, 10)
	if syn.Len() != 10*real.Len() {
		t.Fatalf("synthetic set has %d signatures", syn.Len())
	}
	for _, s := range syn.sigs {
		for _, f := range s.Match.fields() {
			for _, p := range f.list {
				if _, err := compilePattern(p, foldKind(f.kind)); err != nil {
					t.Fatalf("%s: %v", s.ID, err)
				}
			}
		}
	}
	corpus := classCorpus(real, 2000)
	if a, b := matchAll(real.Matcher(), corpus), matchAll(syn.Matcher(), corpus); a == 0 || b < a {
		t.Errorf("hits: real %d, synthetic %d", a, b)
	}
}
