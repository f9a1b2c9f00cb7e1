package providers

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"github.com/scrubgate/scrubgate/internal/sniff"
	"github.com/scrubgate/scrubgate/scanner"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Archives and compressed files sent in a request (multipart uploads to /v1/files,
// base64 documents): zip and the formats built on it (.docx, .xlsx, .pptx, .odt,
// .jar), gzip, zstd, and tar inside them. Scanned as they arrive they are
// compressed bytes that hide what their members hold, so the members are read,
// bounded, and scanned. A member cannot be rewritten without re-packing the
// archive, so a secret in one blocks the request (alert-only and allowed findings
// pass). Archives scrubgate cannot read (7z, rar, xz, bzip2, lz4; encrypted
// members, unknown zip methods, damaged archives, nesting deeper than
// maxArchiveDepth, more than maxArchiveMembers members) are refused with 415;
// members that add up to more than the body limit with 413. Archives are
// recognised by their bytes, not by the declared media type (the sender's word).

const (
	// maxArchiveDepth bounds archives inside archives (a .docx in a .zip in a
	// .tar.gz is three).
	maxArchiveDepth = 4
	// maxArchiveMembers bounds the members of all the archives of one body.
	maxArchiveMembers = 10000
)

// refusedError is a body refused because it cannot be scanned (Status 415) or is
// too large once expanded (413).
type refusedError struct {
	status int
	msg    string
}

func (e *refusedError) Error() string { return e.msg }

func unscannableArchive(format string, args ...any) error {
	return &refusedError{http.StatusUnsupportedMediaType, fmt.Sprintf(format, args...) + "; scrubgate cannot scan it, so it was not passed on (send the files uncompressed, or as zip, gzip or tar)"}
}

// archiveKind names the archive or compression format data starts with, or "".
// Formats scrubgate can read are zip, gzip, zstd and tar; the others are named
// to be refused.
func archiveKind(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")), bytes.HasPrefix(data, []byte("PK\x07\x08")):
		return "zip"
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		return "gzip"
	case bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "zstd"
	case sniff.TarHeader(data):
		return "tar"
	case bytes.HasPrefix(data, []byte("7z\xbc\xaf\x27\x1c")):
		return "7z"
	case bytes.HasPrefix(data, []byte("Rar!\x1a\x07")):
		return "rar"
	case bytes.HasPrefix(data, []byte("\xfd7zXZ\x00")):
		return "xz"
	case len(data) >= 10 && string(data[:3]) == "BZh" && data[3] >= '1' && data[3] <= '9' && string(data[4:10]) == "1AY&SY":
		return "bzip2"
	case bytes.HasPrefix(data, []byte{0x04, 0x22, 0x4d, 0x18}):
		return "lz4"
	}
	return ""
}

// archiveScan reads the archives of one body within one budget.
type archiveScan struct {
	left    int64 // bytes members may still expand to
	limit   int64
	members int
}

func newArchiveScan(limit int64) *archiveScan { return &archiveScan{left: limit, limit: limit} }

// archives returns the budget of the body an editor rewrites.
func (e *editor) archives() *archiveScan {
	if e.arch == nil {
		e.arch = newArchiveScan(e.s.expandLimit())
	}
	return e.arch
}

// scanArchive scans the members of the archive data (of the given kind) and
// reports what it finds through e; a secret blocks.
func (e *editor) scanArchive(data []byte, kind, loc string, depth int) error {
	a := e.archives()
	if depth > maxArchiveDepth {
		return unscannableArchive("%s holds archives nested more than %d deep", loc, maxArchiveDepth)
	}
	switch kind {
	case "zip":
		// Every member has a central directory record: counting their signatures
		// bounds what zip.NewReader allocates before it allocates it.
		if a.members+bytes.Count(data, []byte("PK\x01\x02")) > maxArchiveMembers {
			return unscannableArchive("%s holds more than %d archive members", loc, maxArchiveMembers)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
			return unscannableArchive("%s is a damaged zip archive", loc)
		}
		meta := []string{zr.Comment}
		for _, f := range zr.File {
			meta = append(meta, f.Name, f.Comment)
		}
		if err := e.scanMetadata(meta, loc); err != nil {
			return err
		}
		for _, f := range zr.File {
			a.members++
			if f.FileInfo().IsDir() {
				continue
			}
			at := loc + "!" + memberLabel(f.Name)
			if f.Flags&1 != 0 {
				return unscannableArchive("%s is encrypted", at)
			}
			rc, err := f.Open()
			if err != nil {
				return unscannableArchive("%s uses a compression method scrubgate cannot read", at)
			}
			member, err := a.read(rc, at)
			rc.Close()
			if err != nil {
				return err
			}
			if err := e.scanMember(member, at, depth); err != nil {
				return err
			}
		}
		return nil
	case "gzip", "zstd":
		var r io.Reader
		var gr *gzipMembers
		if kind == "gzip" {
			var err error
			if gr, err = newGzipMembers(data); err != nil {
				return unscannableArchive("%s is damaged gzip", loc)
			}
			r = gr
		} else {
			zr, err := newZstdReader(bytes.NewReader(data))
			if err != nil {
				return unscannableArchive("%s is zstd that scrubgate cannot decode", loc)
			}
			defer zr.Close()
			r = zr
		}
		at := loc + "(" + kind + ")"
		member, err := a.read(r, at)
		if err != nil {
			return err
		}
		if gr != nil { // every member's header, now that all are read
			if err := e.scanMetadata(gr.meta, loc); err != nil {
				return err
			}
		}
		return e.scanMember(member, at, depth)
	case "tar":
		src := bytes.NewReader(data)
		tr := tar.NewReader(src)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				// What follows the end blocks (a second archive, as cat a.tar b.tar
				// makes and tar -i reads, or anything else) is read too.
				rest := skipZeroBlocks(data[src.Size()-int64(src.Len()):])
				if len(bytes.TrimLeft(rest, "\x00")) == 0 {
					return nil
				}
				if a.members++; a.members > maxArchiveMembers { // each archive of a chain counts
					return unscannableArchive("%s holds more than %d archive members", loc, maxArchiveMembers)
				}
				if archiveKind(rest) != "tar" {
					// anything else (zeros that are no whole block may come first)
					return e.scanMember(bytes.TrimLeft(rest, "\x00"), loc+"(after the end)", depth)
				}
				data = rest
				src = bytes.NewReader(data)
				tr = tar.NewReader(src)
				continue
			}
			if err != nil {
				return unscannableArchive("%s is a damaged tar archive", loc)
			}
			if a.members++; a.members > maxArchiveMembers {
				return unscannableArchive("%s holds more than %d archive members", loc, maxArchiveMembers)
			}
			meta := []string{h.Name, h.Linkname, h.Uname, h.Gname}
			for _, k := range slices.Sorted(maps.Keys(h.PAXRecords)) {
				meta = append(meta, k+"="+h.PAXRecords[k])
			}
			if err := e.scanMetadata(meta, loc); err != nil {
				return err
			}
			at := loc + "!" + memberLabel(h.Name)
			if sparse(h) {
				return unscannableArchive("%s is a sparse file", at) // its holes would expand
			}
			if !tarFile(h) {
				continue
			}
			// A regular member is stored as it is, within data (already bounded):
			// it needs no budget.
			member, err := io.ReadAll(io.LimitReader(tr, int64(len(data))))
			if err != nil {
				return unscannableArchive("%s could not be read", at)
			}
			if err := e.scanMember(member, at, depth); err != nil {
				return err
			}
		}
	}
	return unscannableArchive("%s is a %s archive, a format scrubgate does not read", loc, kind)
}

// sparse reports whether a tar member is a sparse file (GNU, or GNU in PAX).
func sparse(h *tar.Header) bool {
	if h.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// read reads a member within the body's budget (413 beyond it).
func (a *archiveScan) read(r io.Reader, at string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, a.left+1))
	if err != nil && zstdTooLarge(err) || int64(len(b)) > a.left {
		return nil, &refusedError{http.StatusRequestEntityTooLarge, fmt.Sprintf("the archive members in this body expand to more than scrubgate's limit of %d bytes, so it was not passed on", a.limit)}
	}
	if err != nil {
		return nil, unscannableArchive("%s could not be read (damaged)", at)
	}
	a.left -= int64(len(b))
	return b, nil
}

// scanMember scans one member: an archive again (one level deeper), or its bytes
// (JSON-aware when they are JSON; UTF-16 text decoded too). A secret blocks.
func (e *editor) scanMember(member []byte, at string, depth int) error {
	if kind := archiveKind(member); kind != "" {
		return e.scanArchive(member, kind, at, depth+1)
	}
	views := [][]byte{member}
	if be, ok := utf16Of(member, ""); ok {
		text, _ := decodeUTF16(member, be)
		views = append(views, text)
	}
	if bytes.IndexByte(member, 0) >= 0 {
		views = append(views, asciiViews(member)...)
	}
	for _, v := range views {
		if err := e.scanMemberText(v, at); err != nil {
			return err
		}
	}
	return nil
}

// scanMemberText reads a member as a body is read (JSON-aware, base64 documents
// decoded, tool-call arguments read again, token lists joined), but a member
// cannot be edited: if anything in it would be replaced, the request is blocked
// instead, and the hits are reported so.
func (e *editor) scanMemberText(v []byte, at string) error {
	var hits []Hit
	c := *e.s
	c.Report, c.Observe = func(h *Hit) { hits = append(hits, *h) }, nil
	out, res, err := c.body(e.dir, v, e.archives(), at)
	edited := err == nil && !bytes.Equal(out, v)
	var blocked *BlockedError
	for i := range hits {
		h := &hits[i]
		if edited && h.Action == ActionRedact {
			h.Action, h.Handle = ActionBlock, ""
			if blocked == nil {
				blocked = &BlockedError{RuleID: h.Finding.RuleID, Location: h.Location, Direction: e.dir, Unrewritable: true}
			}
		}
		if e.s.Report != nil {
			e.s.Report(h)
		}
	}
	e.res.add(res)
	if err != nil {
		return err
	}
	if blocked != nil {
		e.res.Redactions -= res.Redactions
		return blocked
	}
	return nil
}

// scanMetadata scans what an archive stores beside its members (names, comments,
// PAX records), a line each, as text that cannot be edited: a secret blocks.
func (e *editor) scanMetadata(meta []string, loc string) error {
	text := []byte(strings.Join(meta, "\n"))
	fs := e.s.Scanner.ScanMode(text, scanner.ModeText)
	if len(fs) == 0 {
		return nil
	}
	sub := editor{s: e.s, dir: e.dir, src: text, loc: loc + "(names)", frozen: true}
	err := sub.apply(fs, nil, false)
	e.res.add(sub.res)
	return err
}

// skipZeroBlocks drops the whole 512-byte blocks of zeros that start b (a tar's
// end blocks and padding; a header that starts with zeros, an empty name, is kept).
func skipZeroBlocks(b []byte) []byte {
	for len(b) >= 512 && allZero(b[:512]) {
		b = b[512:]
	}
	return b
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// gzipMembers reads every member of a gzip stream in turn, as one stream (as
// gzip -d does), keeping each member's header (file name, comment, extra field).
type gzipMembers struct {
	src  *bytes.Reader
	zr   *gzip.Reader
	meta []string
}

func newGzipMembers(data []byte) (*gzipMembers, error) {
	g := &gzipMembers{src: bytes.NewReader(data)}
	zr, err := gzip.NewReader(g.src)
	if err != nil {
		return nil, err
	}
	zr.Multistream(false)
	g.zr = zr
	g.header()
	return g, nil
}

func (g *gzipMembers) header() {
	g.meta = append(g.meta, g.zr.Name, g.zr.Comment, string(g.zr.Extra))
}

func (g *gzipMembers) Read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if err != io.EOF {
			return n, err
		}
		if g.src.Len() == 0 {
			return n, io.EOF
		}
		if err := g.zr.Reset(g.src); err != nil {
			return n, err // what follows is no gzip member: damaged
		}
		g.zr.Multistream(false)
		g.header()
		if n > 0 {
			return n, nil
		}
	}
}

// tarFile reports whether a tar member is to be read as file data.
func tarFile(h *tar.Header) bool {
	switch h.Typeflag {
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		return false
	}
	// Regular and contiguous files, and any type tar does not know (POSIX: read
	// as a regular file; GNU tar extracts it so): what has data is scanned.
	return true
}

// memberLabel is a member's path for locations: each part as safeName leaves it
// (a part that looks like a secret, or is unusual, reads [*]).
func memberLabel(name string) string {
	parts := strings.Split(strings.TrimPrefix(name, "/"), "/")
	if len(parts) > 16 {
		parts = append(parts[:1:1], "…", parts[len(parts)-1])
	}
	for i, p := range parts {
		if p != "…" {
			parts[i] = safeName(p)
		}
	}
	return strings.Join(parts, "/")
}

// scanArchivePart scans the members of an archive sent on its own (a multipart
// part) within budget and returns what it found.
func (s *Scrubber) scanArchivePart(dir Direction, data []byte, kind, loc string, budget *archiveScan) (Result, error) {
	e := editor{s: s, dir: dir, arch: budget}
	err := e.scanArchive(data, kind, loc, 1)
	return e.res, err
}

// asciiViews reads data with NUL bytes for the ASCII characters it may spell as
// UTF-16 or UTF-32 text, whatever its alignment or byte order, or as text with
// NUL characters. A secret in any of them blocks (they cannot be edited), so none
// may join binary bytes into a value:
//   - data read in 2-byte units from either alignment: a unit of an ASCII
//     character and a NUL is that character, two NULs are nothing (UTF-32), any
//     other unit a line break (UTF-16 of non-ASCII text, or binary);
//   - data with its NUL bytes dropped where they stand between single characters
//     (after two or more text bytes a NUL ends a binary string: a line break) and
//     every other byte that is not printable ASCII a line break.
func asciiViews(data []byte) [][]byte {
	views := make([][]byte, 0, 3)
	for align := 0; align < 2; align++ {
		out := make([]byte, 0, len(data)/2)
		for i := align; i+1 < len(data); i += 2 {
			c, pad := data[i], data[i+1]
			switch {
			case c == 0 && pad == 0:
			case pad == 0 && asciiText(c):
				out = append(out, c)
			default:
				out = append(out, '\n')
			}
		}
		views = append(views, out)
	}
	out := make([]byte, 0, len(data)/2)
	for i, c := range data {
		switch {
		case c == 0:
			if i >= 2 && data[i-1] != 0 && data[i-2] != 0 {
				out = append(out, '\n')
			}
		case asciiText(c):
			out = append(out, c)
		default:
			out = append(out, '\n')
		}
	}
	return append(views, out)
}

// asciiText: printable ASCII or the usual whitespace.
func asciiText(c byte) bool {
	return c >= 0x20 && c < 0x7f || c == '\t' || c == '\n' || c == '\r'
}
