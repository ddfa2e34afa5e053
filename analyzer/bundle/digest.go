package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Digest returns the SHA-256 (hex) and size of the input at p, so that a report can prove
// which input it was made from.
//
// For a file it is the SHA-256 of its bytes and its size.
//
// For a directory it is a tree digest, stable across machines and copies: the entries under p
// (no link followed) are sorted by their slash-separated path relative to p, compared as
// bytes, and each contributes one record to a SHA-256:
//
//	kind NUL path NUL hex NEWLINE
//
// where kind is "f" for a regular file (hex: the SHA-256 of its content), "l" for a symbolic
// link (hex: the SHA-256 of its target text) and "o" for anything else (hex empty).
// Directories contribute only through what they hold, so empty ones are not seen. Size is
// the sum of the regular files' sizes. The directory's own name is not part of the digest.
func Digest(p string) (sha256hex string, size int64, err error) {
	fi, err := os.Stat(p)
	if err != nil {
		return "", 0, fmt.Errorf("%s: digest: %w", p, unwrapPathError(err))
	}
	if !fi.IsDir() {
		if !fi.Mode().IsRegular() {
			return "", 0, fmt.Errorf("%s: digest: %w", p, ErrNotFile)
		}
		f, err := os.Open(p)
		if err != nil {
			return "", 0, fmt.Errorf("%s: digest: %w", p, unwrapPathError(err))
		}
		defer f.Close()
		sum, n, err := hashReader(f)
		if err != nil {
			return "", 0, fmt.Errorf("%s: digest: %w", p, err)
		}
		return sum, n, nil
	}
	return digestTree(p)
}

func hashReader(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

type treeEntry struct {
	rel  string // slash-separated, relative to the tree's root
	kind byte
}

func digestTree(p string) (string, int64, error) {
	root, err := os.OpenRoot(p)
	if err != nil {
		return "", 0, fmt.Errorf("%s: digest: %w", p, unwrapPathError(err))
	}
	defer root.Close()
	maxEntries := DefaultLimits().MaxEntries
	var entries []treeEntry
	err = walkRoot(root, func(rel string, d fs.DirEntry, err error) (bool, error) {
		if err != nil {
			return false, err
		}
		if len(entries) >= maxEntries {
			return false, fmt.Errorf("more than %d entries: %w", maxEntries, ErrLimit)
		}
		slash := filepath.ToSlash(rel)
		switch t := d.Type(); {
		case t.IsDir():
			return true, nil
		case t.IsRegular():
			entries = append(entries, treeEntry{slash, 'f'})
		case t&fs.ModeSymlink != 0:
			entries = append(entries, treeEntry{slash, 'l'})
		default:
			entries = append(entries, treeEntry{slash, 'o'})
		}
		return false, nil
	})
	if err != nil {
		return "", 0, fmt.Errorf("%s: digest: %w", p, unwrapPathError(err))
	}
	slices.SortFunc(entries, func(a, b treeEntry) int { return strings.Compare(a.rel, b.rel) })

	h := sha256.New()
	var total int64
	for _, e := range entries {
		var sum string
		switch e.kind {
		case 'f':
			f, err := root.OpenFile(filepath.FromSlash(e.rel), os.O_RDONLY|openNonblock, 0)
			if err != nil {
				return "", 0, fmt.Errorf("%s: digest: %w", filepath.Join(p, e.rel), unwrapPathError(err))
			}
			fi, err := f.Stat()
			if err == nil && !fi.Mode().IsRegular() {
				err = ErrNotFile
			}
			var n int64
			if err == nil {
				sum, n, err = hashReader(f)
			}
			f.Close()
			if err != nil {
				return "", 0, fmt.Errorf("%s: digest: %w", filepath.Join(p, e.rel), err)
			}
			total += n
		case 'l':
			target, err := root.Readlink(filepath.FromSlash(e.rel))
			if err != nil {
				return "", 0, fmt.Errorf("%s: digest: %w", filepath.Join(p, e.rel), unwrapPathError(err))
			}
			s := sha256.Sum256([]byte(filepath.ToSlash(target)))
			sum = hex.EncodeToString(s[:])
		}
		h.Write([]byte{e.kind, 0})
		h.Write([]byte(e.rel))
		h.Write([]byte{0})
		h.Write([]byte(sum))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)), total, nil
}
