package signatures

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bounds on user-supplied signature files: they are outside input like any other.
const (
	maxFileSize  = 1 << 20
	maxFiles     = 10000
	maxYAMLDepth = 32
	maxErrors    = 100 // per file: past this the rest is noise
)

// FileError is a problem in one signature file, at a line when one is known.
type FileError struct {
	Path string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	yamlLineError = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// ParseFile parses and checks one signature file's content. name is the path used in errors;
// its base name (without .yaml or .yml) must equal the id. It never panics.
func ParseFile(name string, data []byte) (sig *Signature, errs []error) {
	defer func() {
		if r := recover(); r != nil {
			sig, errs = nil, []error{&FileError{Path: name, Msg: fmt.Sprintf("unreadable signature file (%v)", r)}}
		}
	}()
	fail := func(line int, format string, args ...any) {
		if len(errs) < maxErrors {
			errs = append(errs, &FileError{Path: name, Line: line, Msg: fmt.Sprintf(format, args...)})
		}
	}
	if len(data) > maxFileSize {
		fail(0, "file larger than %d bytes", maxFileSize)
		return nil, errs
	}
	root, err := parseYAML(data)
	if err != nil {
		line, msg := splitYAMLError(err)
		fail(line, "%s", msg)
		return nil, errs
	}
	generic, err := toGeneric(root, 0)
	if err != nil {
		line, msg := splitYAMLError(err)
		fail(line, "%s", msg)
		return nil, errs
	}
	schemaErrs := schemaErrors(generic)
	for _, ve := range schemaErrs {
		fail(lineOf(root, ve.path, ve.key), "%s", ve.msg)
	}
	sig = new(Signature)
	if err := root.Decode(sig); err != nil {
		if len(schemaErrs) == 0 { // otherwise the schema has said it better
			line, msg := splitYAMLError(err)
			fail(line, "%s", msg)
		}
		return nil, sortByLine(errs)
	}
	sig.Source = name
	for _, e := range checkSignature(sig, fileID(name)) {
		if len(schemaErrs) > 0 && !(len(e.path) > 1 && (e.path[0] == "match" || e.path[0] == "trackingDomains")) {
			continue // with the schema failing, only pattern errors add news
		}
		fail(lineOf(root, e.path, ""), "%s", e.msg)
	}
	if len(errs) > 0 {
		return nil, sortByLine(errs)
	}
	return sig, nil
}

func sortByLine(errs []error) []error {
	sort.SliceStable(errs, func(i, j int) bool {
		a, _ := errs[i].(*FileError)
		b, _ := errs[j].(*FileError)
		return a != nil && b != nil && a.Line < b.Line
	})
	return errs
}

// parseYAML reads exactly one YAML document whose root is a mapping.
func parseYAML(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("line %d: more than one YAML document (one signature per file)", line)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("empty file")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: a signature file is a mapping of keys (id, name, ...)", root.Line)
	}
	return root, nil
}

// splitYAMLError turns "yaml: line 5: msg" into (5, "msg").
func splitYAMLError(err error) (int, string) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLineError.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		if parserProblems[m[2]] {
			n++ // the YAML parser (unlike its scanner) reports these lines counting from 0
		}
		return n, m[2]
	}
	return 0, msg
}

// parserProblems are the messages of go.yaml.in/yaml/v3's parser stage.
var parserProblems = map[string]bool{
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
}

// toGeneric converts the YAML tree into JSON-like values for schema validation.
func toGeneric(n *yaml.Node, depth int) (any, error) {
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("line %d: nested deeper than %d levels", n.Line, maxYAMLDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nil, fmt.Errorf("line %d: YAML aliases are not allowed in signature files", n.Line)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || (k.Tag != "!!str" && k.Tag != "") {
				return nil, fmt.Errorf("line %d: keys must be strings", k.Line)
			}
			if k.Value == "<<" {
				return nil, fmt.Errorf("line %d: YAML merge keys are not allowed in signature files", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: key %q appears twice", k.Line, k.Value)
			}
			gv, err := toGeneric(v, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = gv
		}
		return m, nil
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			gv, err := toGeneric(c, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, gv)
		}
		return a, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str", "!!binary", "!!timestamp":
			return n.Value, nil
		case "!!null":
			return nil, nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %v", n.Line, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// lineOf finds the line of the value at path (JSON-pointer tokens); with key set, the line of
// that key inside the mapping at path. It falls back to the deepest node it reached.
func lineOf(root *yaml.Node, path []string, key string) int {
	n := root
	for _, tok := range path {
		next := child(n, tok)
		if next == nil {
			break
		}
		n = next
	}
	if key != "" && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i].Line
			}
		}
	}
	return n.Line
}

func child(n *yaml.Node, tok string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == tok {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		i, err := strconv.Atoi(tok)
		if err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

// fileID is the id a file must carry: its base name without the extension.
func fileID(name string) string {
	base := filepath.Base(name)
	return strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml")
}

type located struct {
	path []string
	key  string
	msg  string
}

// checkSignature holds the rules the schema cannot say: ids and file names, pattern syntax,
// host rules.
func checkSignature(s *Signature, wantID string) []located {
	var out []located
	add := func(msg string, path ...string) { out = append(out, located{path: path, msg: msg}) }
	if !idPattern.MatchString(s.ID) {
		add(fmt.Sprintf("id %q is not lowercase kebab case", s.ID), "id")
	} else if s.ID != wantID {
		add(fmt.Sprintf("id %q does not match the file name %q (the file must be named %s.yaml)", s.ID, wantID, s.ID), "id")
	}
	if s.Match.Count() == 0 && len(s.Network) == 0 && (s.Android == nil || len(s.Android.Packages) == 0) {
		add("the signature matches nothing: give static matchers under match, or network rules", "match")
	}
	for _, f := range s.Match.fields() {
		for i, raw := range f.list {
			if _, err := compilePattern(raw, foldKind(f.kind)); err != nil {
				add(err.Error(), "match", f.key, strconv.Itoa(i))
			}
		}
	}
	for i := range s.Network {
		if _, err := compileHostRule(&s.Network[i]); err != nil {
			add(err.Error(), "network", strconv.Itoa(i))
		}
	}
	for i, d := range s.TrackingDomains {
		if err := checkDomain(d, 2); err != nil {
			add(fmt.Sprintf("tracking domain %q %v", d, err), "trackingDomains", strconv.Itoa(i))
		}
	}
	if s.AppleListed && len(s.AppleNames) == 0 {
		add("appleListed is true but appleNames is empty: give the names Apple lists", "appleNames")
	}
	seen := map[string]bool{}
	for i, f := range s.ConsentFlags {
		if seen[f.Key] {
			add(fmt.Sprintf("consent flag %q appears twice", f.Key), "consentFlags", strconv.Itoa(i))
		}
		seen[f.Key] = true
		if f.GatedBy != "" && (f.GatedBy == f.Key || !slices.ContainsFunc(s.ConsentFlags, func(g ConsentFlag) bool { return g.Key == f.GatedBy })) {
			add(fmt.Sprintf("consent flag %q: gatedBy %q is not another consent flag of this signature", f.Key, f.GatedBy), "consentFlags", strconv.Itoa(i), "gatedBy")
		}
		if f.Safe == FlagUnset {
			add(fmt.Sprintf("consent flag %q: safe must be true or false", f.Key), "consentFlags", strconv.Itoa(i), "safe")
		}
	}
	return out
}

// loadedFile is one parsed file, kept with its id's line for duplicate reports.
type loadedFile struct {
	sig  *Signature
	path string
}

// readPaths reads every signature file named by paths (files, or the *.yaml and *.yml files
// directly inside directories), in a stable order.
func readPaths(paths []string) ([]loadedFile, []error) {
	var files []string
	var errs []error
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: reading signatures: %w", p, err))
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		// Only the directory's own files: subdirectories (test data, notes) are not signatures.
		entries, err := os.ReadDir(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: reading signatures: %w", p, err))
			continue
		}
		n := 0
		for _, d := range entries {
			name := d.Name()
			if !d.Type().IsRegular() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
				continue // symlinks too: never read outside the directory named
			}
			if n++; n > maxFiles {
				errs = append(errs, fmt.Errorf("%s: reading signatures: more than %d files", p, maxFiles))
				break
			}
			files = append(files, filepath.Join(p, name))
		}
	}
	var out []loadedFile
	for _, f := range files {
		data, err := readBounded(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sig, ferrs := ParseFile(f, data)
		errs = append(errs, ferrs...)
		if sig != nil {
			out = append(out, loadedFile{sig: sig, path: f})
		}
	}
	// Two user files with one id: which one wins would depend on file order, so refuse.
	first := map[string]string{}
	for _, lf := range out {
		if prev, ok := first[lf.sig.ID]; ok {
			line := idLine(lf.path)
			errs = append(errs, &FileError{Path: lf.path, Line: line,
				Msg: fmt.Sprintf("duplicate id %q (also defined in %s)", lf.sig.ID, prev)})
			continue
		}
		first[lf.sig.ID] = lf.path
	}
	return out, errs
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: reading signatures: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading signatures: %w", path, err)
	}
	return data, nil
}

// idLine finds the line of the id key, for duplicate-id errors.
func idLine(path string) int {
	data, err := readBounded(path)
	if err != nil {
		return 0
	}
	root, err := parseYAML(data)
	if err != nil {
		return 0
	}
	return lineOf(root, nil, "id")
}

// Validate checks a signature file, or every *.yaml / *.yml file under a directory, and
// returns every problem found, each naming its file and (where known) line. nil means valid.
func Validate(path string) []error {
	_, errs := readPaths([]string{path})
	return errs
}

// Load returns base with the signatures in paths (files or directories) added, or replacing
// base entries with the same id. A nil base starts from an empty set. Any invalid file fails
// the whole load: a partly applied override would silently change what a scan finds.
func Load(base *Set, paths ...string) (*Set, error) {
	files, errs := readPaths(paths)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	byID := map[string]*Signature{}
	version := ""
	var sources []string
	if base != nil {
		for _, s := range base.sigs {
			byID[s.ID] = s
		}
		version = base.version
		sources = append(sources, base.sources...)
	}
	for _, f := range files {
		byID[f.sig.ID] = f.sig
		sources = append(sources, f.path)
	}
	sigs := make([]*Signature, 0, len(byID))
	for _, s := range byID {
		sigs = append(sigs, s)
	}
	return newSet(version, sigs, sources), nil
}

// ValidateAll checks several files or directories together, so that an id defined in two of
// them is reported too.
func ValidateAll(paths ...string) []error {
	_, errs := readPaths(paths)
	return errs
}
