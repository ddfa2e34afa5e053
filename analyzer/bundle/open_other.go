//go:build !unix

package bundle

// openNonblock is not needed where named pipes cannot appear in a walked tree.
const openNonblock = 0
