package bundle

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/klauspost/compress/zip"
)

type nodeKind uint8

const (
	kindDir nodeKind = iota + 1
	kindFile
	kindLink
)

// node is one name in the input: a directory (explicit or implied by a longer name), a regular
// file, or a symbolic link.
type node struct {
	kind   nodeKind
	size   int64 // file: bytes once inflated
	csize  int64 // file: bytes in the archive
	stored bool  // file: kept uncompressed in the archive
	zf     *zip.File
	target string // link: the raw target
	// refused marks a name that must not be served (an unsafe link, a duplicate); it stays in
	// the tree so that nothing else can take its place.
	refused bool
}

// tree is the input's names, every path slash-separated and clean. For a directory input all
// paths start with top, the input's base name; for an archive top is "".
type tree struct {
	top      string
	nodes    map[string]*node
	maxNodes int
	// names lists files and links, dirs directories and links the links alone, in the order
	// they were added.
	names, dirs, links []string
}

var (
	errNotExist = fs.ErrNotExist
	errLoop     = errors.New("symbolic link loop")
	errEscape   = errors.New("symbolic link leads outside the input")
	errNotDir   = errors.New("a path component is not a directory")
)

// newTree makes an empty tree; sizeHint is the expected number of names.
func newTree(top string, maxNodes, sizeHint int) *tree {
	t := &tree{top: top, nodes: make(map[string]*node, min(sizeHint, maxNodes)+1), maxNodes: maxNodes}
	if top != "" {
		t.nodes[top] = &node{kind: kindDir} // the input itself does not count
		t.dirs = append(t.dirs, top)
		t.maxNodes++
	}
	return t
}

// errTooMany aborts building a tree that would pass MaxEntries.
type errTooMany struct{ max int }

func (e errTooMany) Error() string {
	return fmt.Sprintf("more than %d entries (files, directories and links)", e.max)
}

func (e errTooMany) Unwrap() error { return ErrLimit }

// add inserts p with its implied parent directories. It returns a reason when p cannot be
// added (the name clashes with another), and errTooMany when the tree would grow past its
// bound.
func (t *tree) add(p string, n *node) (reason string, err error) {
	// Find the nearest existing ancestor first, so a clash leaves nothing half-inserted.
	var missing []string
	for d := parent(p); d != ""; d = parent(d) {
		e, ok := t.nodes[d]
		if ok {
			if e.kind != kindDir {
				return fmt.Sprintf("a parent, %s, is not a directory", printable(d)), nil
			}
			break
		}
		missing = append(missing, d)
	}
	if e, ok := t.nodes[p]; ok {
		switch {
		case e.kind == kindDir && n.kind == kindDir:
			return "", nil
		case e.kind == kindDir:
			return "the name is also a directory", nil
		default:
			return "duplicate name", nil
		}
	}
	if len(t.nodes)+len(missing)+1 > t.maxNodes {
		limit := t.maxNodes
		if t.top != "" {
			limit--
		}
		return "", errTooMany{limit}
	}
	for _, d := range missing {
		t.nodes[d] = &node{kind: kindDir}
		t.dirs = append(t.dirs, d)
	}
	t.nodes[p] = n
	if n.kind == kindDir {
		t.dirs = append(t.dirs, p)
	} else {
		t.names = append(t.names, p)
	}
	if n.kind == kindLink {
		t.links = append(t.links, p)
	}
	return "", nil
}

// parent returns the directory part of a clean slash path, "" at the top. Unlike path.Dir
// it never allocates.
func parent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// within reports whether p is inside the tree's top.
func (t *tree) within(p string) bool {
	if p == ".." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
		return false
	}
	return t.top == "" || p == t.top || strings.HasPrefix(p, t.top+"/")
}

// resolve follows symbolic links in every component of p and returns the real path (one
// with no links in it) and its node. Links are resolved inside the tree only.
func (t *tree) resolve(p string) (string, *node, error) {
	hops := 0
	cur, rest := "", p
	for rest != "" {
		comp, tail, _ := strings.Cut(rest, "/")
		next := comp
		if cur != "" {
			next = cur + "/" + comp
		}
		n, ok := t.nodes[next]
		if !ok {
			return next, nil, errNotExist
		}
		if n.refused {
			return next, n, ErrRefused
		}
		if n.kind == kindLink {
			hops++
			if hops > maxLinkHops {
				return next, n, errLoop
			}
			dest := path.Join(cur, n.target)
			if path.IsAbs(n.target) || !t.within(dest) {
				return next, n, errEscape
			}
			if tail != "" {
				dest += "/" + tail
			}
			cur, rest = "", dest
			continue
		}
		if tail != "" && n.kind != kindDir {
			return next, n, errNotDir
		}
		cur, rest = next, tail
	}
	if cur == "" {
		// The tree's root: only reachable for an archive, through a link to ".".
		return "", &node{kind: kindDir}, nil
	}
	return cur, t.nodes[cur], nil
}

// checkLink classifies the link at p once the tree is complete. It returns a reason when the
// link must be refused: it escapes, loops, dangles or points at one of its own ancestors
// (which makes any walker that follows links loop forever).
func (t *tree) checkLink(p string) string {
	n := t.nodes[p]
	if n.target == "" {
		return "symbolic link with an empty target"
	}
	if path.IsAbs(n.target) {
		return fmt.Sprintf("symbolic link to an absolute path (%s)", printable(n.target))
	}
	real, dest, err := t.resolve(p)
	switch {
	case errors.Is(err, errEscape):
		return fmt.Sprintf("symbolic link leads outside the input (%s)", printable(n.target))
	case errors.Is(err, errLoop):
		return fmt.Sprintf("symbolic link loop (%s)", printable(n.target))
	case errors.Is(err, ErrRefused):
		return fmt.Sprintf("symbolic link to a refused entry (%s)", printable(n.target))
	case err != nil:
		return fmt.Sprintf("symbolic link target does not exist (%s)", printable(n.target))
	}
	if dest.kind == kindDir && (real == "" || real == parent(p) || strings.HasPrefix(p, real+"/")) {
		return fmt.Sprintf("symbolic link loop: it points at its own parent directory (%s)", printable(n.target))
	}
	return ""
}
