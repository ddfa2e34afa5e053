package macho

import (
	"bytes"
	"errors"
	"fmt"
)

// walkExportTrie lists the symbol names of an export trie. Every node is visited at most
// once and names are bounded, so a trie whose edges loop or fan out cannot make the walk
// recurse without end or grow exponentially, as go-macho's recursive parser would.
// maxTrieNameBytes bounds the names pending in one walk; a real trie of 100,000 exports
// needs a few megabytes.
const maxTrieNameBytes = 256 << 20

func walkExportTrie(data []byte, limit int, emit func(string)) error {
	type item struct {
		off    uint64
		prefix string
	}
	seen := map[uint64]bool{}
	stack := []item{{0, ""}}
	count, prefixBytes := 0, 0
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[it.off] {
			return fmt.Errorf("export trie node %#x is reached twice", it.off)
		}
		seen[it.off] = true
		if it.off >= uint64(len(data)) {
			return fmt.Errorf("export trie node %#x lies outside the trie (%d bytes)", it.off, len(data))
		}
		r := bytes.NewReader(data[it.off:])
		termSize, err := uleb(r)
		if err != nil {
			return fmt.Errorf("export trie node %#x: %w", it.off, err)
		}
		if termSize > uint64(r.Len()) {
			return fmt.Errorf("export trie node %#x: terminal runs past the trie", it.off)
		}
		if termSize > 0 && it.prefix != "" {
			if count >= limit {
				return errTooMany
			}
			count++
			emit(it.prefix)
		}
		r.Seek(int64(termSize), 1)
		nChildren, err := r.ReadByte()
		if err != nil {
			return fmt.Errorf("export trie node %#x: %w", it.off, err)
		}
		for i := 0; i < int(nChildren); i++ {
			var label bytes.Buffer
			for {
				c, err := r.ReadByte()
				if err != nil {
					return fmt.Errorf("export trie node %#x: unterminated edge", it.off)
				}
				if c == 0 {
					break
				}
				label.WriteByte(c)
			}
			child, err := uleb(r)
			if err != nil {
				return fmt.Errorf("export trie node %#x: %w", it.off, err)
			}
			if len(it.prefix)+label.Len() > maxNameLen {
				return errors.New("export trie name too long")
			}
			if prefixBytes += len(it.prefix) + label.Len(); prefixBytes > maxTrieNameBytes {
				return errors.New("export trie names exceed the bound")
			}
			stack = append(stack, item{child, it.prefix + label.String()})
		}
	}
	return nil
}
