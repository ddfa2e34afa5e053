package bundle

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// readDirBatch is how many directory entries are read at a time, so that a directory with
// millions of entries is refused before it is held in memory.
const readDirBatch = 512

// openDir walks the directory at s.Path without following any link, and builds the tree.
// Every later read goes through an os.Root, so a link swapped in after the walk still cannot
// lead outside the input.
func (s *Source) openDir() error {
	abs, err := filepath.Abs(s.Path)
	if err != nil {
		return fmt.Errorf("%s: cannot open: %w", s.Path, err)
	}
	top := filepath.Base(abs)
	if _, _, why := checkName(top); why != "" || top == "." || strings.Contains(top, "/") {
		return fmt.Errorf("%s: directory name %s unusable (%s): %w", s.Path, printable(top), why, ErrUnknownKind)
	}
	root, err := os.OpenRoot(s.Path)
	if err != nil {
		return fmt.Errorf("%s: cannot open: %w", s.Path, unwrapPathError(err))
	}
	s.dir = root
	s.tree = newTree(top, s.lim.MaxEntries, 1024)

	err = walkRoot(root, func(rel string, e fs.DirEntry, err error) (bool, error) {
		if err != nil {
			s.problem(s.slashPath(rel), "directory unreadable: %v", unwrapPathError(err))
			return false, nil
		}
		return s.addDirEntry(rel, e)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	s.checkLinks()
	return nil
}

// slashPath turns a path relative to the input directory into a tree path.
func (s *Source) slashPath(rel string) string {
	if rel == "." {
		return s.tree.top
	}
	return s.tree.top + "/" + filepath.ToSlash(rel)
}

// walkRoot visits every entry under root, depth first, without following links, reading
// directories in batches so that a huge one is never held whole. fn gets each entry's path
// relative to root and says whether to descend into it; for a directory that cannot be read
// (or read to the end) it gets that directory, a nil entry and the error, and may return a
// nil error to carry on with what was read. An error returned by fn stops the walk.
func walkRoot(root *os.Root, fn func(rel string, e fs.DirEntry, err error) (bool, error)) error {
	stack := []string{"."}
	for len(stack) > 0 {
		dir := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		subdirs, err := walkOne(root, dir, fn)
		if err != nil {
			return err
		}
		stack = append(stack, subdirs...)
	}
	return nil
}

func walkOne(root *os.Root, dir string, fn func(string, fs.DirEntry, error) (bool, error)) ([]string, error) {
	d, err := root.Open(dir)
	if err != nil {
		_, err = fn(dir, nil, err)
		return nil, err
	}
	defer d.Close()
	var subdirs []string
	for {
		ents, err := d.ReadDir(readDirBatch)
		for _, e := range ents {
			child := filepath.Join(dir, e.Name())
			descend, err := fn(child, e, nil)
			if err != nil {
				return nil, err
			}
			if descend {
				subdirs = append(subdirs, child)
			}
		}
		if errors.Is(err, io.EOF) || (err == nil && len(ents) == 0) {
			return subdirs, nil
		}
		if err != nil {
			_, err = fn(dir, nil, err)
			return subdirs, err
		}
	}
}

// addDirEntry adds one walked entry; it reports whether the entry is a directory to descend.
func (s *Source) addDirEntry(rel string, e fs.DirEntry) (bool, error) {
	p := s.slashPath(rel)
	relSlash := filepath.ToSlash(rel)
	if _, _, why := checkName(relSlash); why != "" {
		s.problem(p, "refused: %s", why)
		return false, nil
	}
	if len(p) > maxNameLen {
		s.problem(p, "refused: path longer than %d bytes", maxNameLen)
		return false, nil
	}
	var n *node
	typ := e.Type()
	switch {
	case typ.IsDir():
		n = &node{kind: kindDir}
	case typ.IsRegular():
		info, err := e.Info()
		if err != nil {
			s.problem(p, "unreadable: %v", unwrapPathError(err))
			return false, nil
		}
		n = &node{kind: kindFile, size: info.Size(), csize: info.Size(), stored: true}
	case typ&fs.ModeSymlink != 0:
		target, err := s.dir.Readlink(rel)
		if err != nil {
			s.problem(p, "symbolic link unreadable: %v", unwrapPathError(err))
			return false, nil
		}
		n = &node{kind: kindLink, target: filepath.ToSlash(target)}
		if why := checkLinkTarget(target); why != "" {
			s.problem(p, "refused: %s", why)
			n.refused = true
		}
	default:
		s.problem(p, "refused: not a regular file, directory or symbolic link (%s)", typ)
		return false, nil
	}
	why, err := s.tree.add(p, n)
	if err != nil {
		return false, err
	}
	if why != "" {
		s.problem(p, "refused: %s", why)
		return false, nil
	}
	return n.kind == kindDir, nil
}

// openDirFile opens the regular file at real (a tree path with no links in it).
func (s *Source) openDirFile(real string) (*os.File, int64, error) {
	rel := "."
	if real != s.tree.top {
		rel = filepath.FromSlash(strings.TrimPrefix(real, s.tree.top+"/"))
	}
	// Non-blocking, so that a named pipe swapped in after the walk cannot hang the open.
	f, err := s.dir.OpenFile(rel, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, 0, unwrapPathError(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, ErrNotFile
	}
	return f, fi.Size(), nil
}
