package bundle

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"github.com/klauspost/compress/zip"
)

// zipDecompressor, when set, replaces the deflate decompressor (klauspost/compress/flate, the
// zip package's default); benchmarks use it to compare with the standard library.
var zipDecompressor zip.Decompressor

// Local file header: 30 fixed bytes, then the name and the extra field.
const localHeaderLen = 30

func isZipMagic(b []byte) bool {
	return len(b) >= 4 && b[0] == 'P' && b[1] == 'K' &&
		(b[2] == 3 && b[3] == 4 || b[2] == 5 && b[3] == 6 || b[2] == 7 && b[3] == 8)
}

// openZip reads the central directory of the archive at s.Path and builds the tree. Entry
// data is not read, except link targets and the first bytes of stored entries.
func (s *Source) openZip(size int64) error {
	f, err := os.Open(s.Path)
	if err != nil {
		return fmt.Errorf("%s: cannot open: %w", s.Path, unwrapPathError(err))
	}
	s.zipFile, s.zipSize = f, size
	var head [4]byte
	n, _ := f.ReadAt(head[:], 0)
	if size == 0 {
		return fmt.Errorf("%s: empty file: %w", s.Path, ErrUnknownKind)
	}
	if !isZipMagic(head[:n]) {
		return fmt.Errorf("%s: not a zip archive (an .ipa is one) nor a directory: it starts with %x: %w", s.Path, head[:n], ErrUnknownKind)
	}

	// The directory is read by count, bounded before each entry is kept: a hostile archive can
	// claim any count and pack entries 46 bytes apart.
	entries := 0
	zr, err := zip.NewReaderWithOptions(f, size, zip.ReaderOptions{NameDecoder: func(h *zip.FileHeader) error {
		entries++
		if entries > s.lim.MaxEntries {
			return errTooMany{s.lim.MaxEntries}
		}
		h.Comment = "" // never used; no reason to hold it
		return nil
	}})
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return fmt.Errorf("%s: %s: %w", s.Path, describeZipError(err), err)
	}
	if zipDecompressor != nil {
		zr.RegisterDecompressor(zip.Deflate, zipDecompressor)
	}
	s.zip = zr
	s.tree = newTree("", s.lim.MaxEntries, len(zr.File)+len(zr.File)/8)

	dupes := map[string]bool{}
	for _, zf := range zr.File {
		if err := s.addZipEntry(zf, dupes); err != nil {
			return fmt.Errorf("%s: %w", s.Path, err)
		}
	}
	s.refuseOverlaps()
	s.checkLinks()
	return nil
}

func describeZipError(err error) string {
	var tooMany errTooMany
	switch {
	case errors.As(err, &tooMany):
		return "too many entries"
	case errors.Is(err, zip.ErrFormat):
		return "not a valid zip archive (truncated, or its central directory is damaged)"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "truncated zip archive"
	default:
		return "reading the zip central directory"
	}
}

// addZipEntry validates one directory entry and adds it to the tree, or records why not.
func (s *Source) addZipEntry(zf *zip.File, dupes map[string]bool) error {
	name, isDir, reason := checkName(zf.Name)
	if reason != "" {
		s.problem(zf.Name, "entry refused: %s", reason)
		return nil
	}
	mode := zf.Mode()
	n := &node{kind: kindFile, zf: zf, size: int64(zf.UncompressedSize64), csize: int64(zf.CompressedSize64)}
	switch {
	case isDir || mode.IsDir():
		n = &node{kind: kindDir}
	case mode&fs.ModeSymlink != 0:
		n.kind = kindLink
	}
	if n.kind != kindDir {
		n.stored = zf.Method == zip.Store
		if why := s.entryRefusal(zf); why != "" {
			s.problem(name, "entry refused: %s", why)
			n.refused = true
		}
	}
	if n.kind == kindLink && !n.refused {
		target, err := s.readLinkTarget(zf)
		if err != nil {
			s.problem(name, "entry refused: reading symbolic link: %v", err)
			n.refused = true
		} else if why := checkLinkTarget(target); why != "" {
			s.problem(name, "entry refused: %s", why)
			n.refused = true
		}
		n.target = target
	}
	if dupes[name] {
		return nil // already reported; every copy stays refused
	}
	why, err := s.tree.add(name, n)
	if err != nil {
		return err
	}
	switch why {
	case "":
	case "duplicate name":
		dupes[name] = true
		s.tree.nodes[name].refused = true
		s.problem(name, "entry refused: duplicate name; every copy is refused, since readers disagree on which one counts")
	default:
		s.problem(name, "entry refused: %s", why)
	}
	return nil
}

// entryRefusal checks what the directory says about an entry, before any byte is read.
func (s *Source) entryRefusal(zf *zip.File) string {
	csize, usize := zf.CompressedSize64, zf.UncompressedSize64
	switch {
	case zf.Flags&0x1 != 0:
		return "encrypted entry"
	case zf.Method != zip.Store && zf.Method != zip.Deflate:
		return fmt.Sprintf("unsupported compression method %d", zf.Method)
	case csize > uint64(s.zipSize):
		return fmt.Sprintf("compressed size %d is larger than the archive", csize)
	case zf.Method == zip.Store && csize != usize:
		return fmt.Sprintf("stored entry whose sizes disagree (%d bytes stored, %d declared)", csize, usize)
	case usize > ratioFloor && float64(usize) > s.lim.MaxRatio*float64(csize):
		return fmt.Sprintf("declared compression ratio %.0f:1 is over the limit of %.0f:1 (zip bomb?)",
			float64(usize)/max(float64(csize), 1), s.lim.MaxRatio)
	}
	return ""
}

func (s *Source) readLinkTarget(zf *zip.File) (string, error) {
	if zf.UncompressedSize64 > maxLinkTarget {
		return "", fmt.Errorf("target of %d bytes, over the limit of %d", zf.UncompressedSize64, maxLinkTarget)
	}
	rc, err := s.openZipEntry(zf)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLinkTarget+1))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// refuseOverlaps refuses entries whose data overlaps another entry's (the overlapping-file zip
// bomb: many entries that inflate the same bytes). Finding every local header costs one read
// per entry, so it is done only when the sizes cannot add up: entries that do not overlap fit
// in the archive with their headers. When they do add up, overlaps cannot amplify: every entry
// inflates at most MaxRatio times its compressed size, and those sizes sum to no more than the
// archive, just as for an honest archive.
func (s *Source) refuseOverlaps() {
	var need int64
	for _, zf := range s.zip.File {
		need += localHeaderLen + int64(len(zf.Name)) + int64(min(zf.CompressedSize64, uint64(s.zipSize)))
		if need > s.zipSize {
			break
		}
	}
	if need <= s.zipSize {
		return
	}
	type span struct {
		start, data, end int64
		zf               *zip.File
	}
	spans := make([]span, 0, len(s.zip.File))
	for _, zf := range s.zip.File {
		if zf.CompressedSize64 > uint64(s.zipSize) {
			continue // refused already
		}
		off, err := zf.DataOffset()
		if err != nil {
			s.refuseEntry(zf, "local header unreadable: %v", err)
			continue
		}
		start := off - localHeaderLen - int64(len(zf.Name))
		spans = append(spans, span{start: start, data: off, end: off + int64(zf.CompressedSize64), zf: zf})
	}
	slices.SortFunc(spans, func(a, b span) int {
		switch {
		case a.data < b.data:
			return -1
		case a.data > b.data:
			return 1
		}
		return 0
	})
	var maxEnd int64 = -1
	var owner *zip.File
	overlapping := map[*zip.File]bool{}
	for _, sp := range spans {
		if sp.start < maxEnd {
			overlapping[sp.zf] = true
			overlapping[owner] = true
		}
		if sp.end > maxEnd {
			maxEnd, owner = sp.end, sp.zf
		}
	}
	for _, zf := range s.zip.File {
		if overlapping[zf] {
			s.refuseEntry(zf, "data overlaps another entry's (zip bomb?)")
		}
	}
}

// refuseEntry marks the tree node of zf refused, if zf is the entry the tree holds.
func (s *Source) refuseEntry(zf *zip.File, format string, args ...any) {
	name, _, reason := checkName(zf.Name)
	if reason != "" {
		return // never added
	}
	if n := s.tree.nodes[name]; n != nil && n.zf == zf && !n.refused {
		n.refused = true
		s.problem(name, "entry refused: "+format, args...)
	}
}

// checkLinks refuses links that escape, loop, dangle or point at their own ancestors.
func (s *Source) checkLinks() {
	var links []string
	for _, p := range s.tree.links {
		if !s.tree.nodes[p].refused {
			links = append(links, p)
		}
	}
	slices.Sort(links)
	var refused []string
	for _, p := range links {
		if why := s.tree.checkLink(p); why != "" {
			refused = append(refused, p)
			s.problem(p, "entry refused: %s", why)
		}
	}
	for _, p := range refused {
		s.tree.nodes[p].refused = true
	}
}

// openZipEntry opens an entry's content, bounded by the archive's limits.
func (s *Source) openZipEntry(zf *zip.File) (io.ReadCloser, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	return &boundedReader{rc: rc, s: s, csize: int64(zf.CompressedSize64), inflating: zf.Method != zip.Store}, nil
}

// boundedReader counts the bytes that come out of the decompressor and stops at the ratio and
// total limits, whatever the headers said.
type boundedReader struct {
	rc        io.ReadCloser
	s         *Source
	csize     int64
	inflating bool
	read      int64
	err       error
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.rc.Read(p)
	b.read += int64(n)
	if b.inflating && n > 0 {
		lim := &b.s.lim
		if total := b.s.inflated.Add(int64(n)); total > lim.MaxTotalInflated {
			b.err = fmt.Errorf("more than %d bytes inflated from the archive in all: %w", lim.MaxTotalInflated, ErrLimit)
			return 0, b.err
		}
		if b.read > ratioFloor && float64(b.read) > lim.MaxRatio*float64(b.csize) {
			b.err = fmt.Errorf("inflates more than %.0f times its compressed size (zip bomb?): %w", lim.MaxRatio, ErrLimit)
			return 0, b.err
		}
	}
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

func (b *boundedReader) Close() error { return b.rc.Close() }

// readZipFull reads a whole entry of the given (declared) size, and checks that it ends there
// and that its checksum holds.
func (s *Source) readZipFull(zf *zip.File, size int64) ([]byte, error) {
	rc, err := s.openZipEntry(zf)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := make([]byte, size)
	if _, err := io.ReadFull(rc, buf); err != nil {
		return nil, describeReadError(err)
	}
	if err := expectEOF(rc); err != nil {
		return nil, err
	}
	return buf, nil
}

// expectEOF reads past the end of an entry: the zip reader checks the CRC only then.
func expectEOF(r io.Reader) error {
	var one [1]byte
	n, err := r.Read(one[:])
	if n > 0 || err == nil {
		return errors.New("entry is longer than its declared size")
	}
	if err != io.EOF {
		return describeReadError(err)
	}
	return nil
}

func describeReadError(err error) error {
	switch {
	case errors.Is(err, zip.ErrChecksum):
		return fmt.Errorf("content does not match its checksum: %w", err)
	case errors.Is(err, zip.ErrFormat):
		return fmt.Errorf("entry is longer than its declared size, or damaged: %w", err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("entry is shorter than its declared size, or truncated: %w", io.ErrUnexpectedEOF)
	}
	return err
}

// storedSection returns the in-place bytes of a stored entry.
func (s *Source) storedSection(zf *zip.File) (*io.SectionReader, error) {
	off, err := zf.DataOffset()
	if err != nil {
		return nil, fmt.Errorf("reading the local header: %w", err)
	}
	size := int64(zf.UncompressedSize64)
	if off < 0 || off > s.zipSize || size > s.zipSize-off {
		return nil, errors.New("entry data lies beyond the end of the archive")
	}
	return io.NewSectionReader(s.zipFile, off, size), nil
}

// peekZip returns the first bytes of a stored entry, or nil when that is not cheap.
func (s *Source) peekZip(zf *zip.File, n int) []byte {
	if zf.Method != zip.Store || int64(zf.UncompressedSize64) < int64(n) {
		return nil
	}
	sec, err := s.storedSection(zf)
	if err != nil {
		return nil
	}
	buf := make([]byte, n)
	if _, err := sec.ReadAt(buf, 0); err != nil {
		return nil
	}
	return buf
}
