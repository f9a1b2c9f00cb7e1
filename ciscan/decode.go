package ciscan

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/scrubgate/scrubgate/internal/sniff"
)

// An input is read "as it really is": compressed streams are decompressed (several
// layers, e.g. .json.gz.zst, up to maxLayers) and UTF-16 text is decoded, so the
// scanner always sees UTF-8. The layers found are kept so that a redacted copy can be
// written back in the same form.

type layerKind int

const (
	layerGzip layerKind = iota + 1
	layerZstd
	layerUTF16
)

// layer is one transformation between the bytes on disk and the text scanned.
type layer struct {
	kind layerKind
	gz   gzip.Header // layerGzip: the header, to write it back
	be   bool        // layerUTF16: big endian
	bom  bool        // layerUTF16: the text starts with a byte order mark
}

type layers []layer

const maxLayers = 4

// zstdMaxWindow bounds the memory one zstd stream may claim (its window size).
const zstdMaxWindow = 64 << 20

var (
	magicGzip = []byte{0x1f, 0x8b}
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicZip  = []byte("PK\x03\x04")
	magicZipE = []byte("PK\x05\x06") // an empty archive
)

func isZip(head []byte) bool {
	return bytes.HasPrefix(head, magicZip) || bytes.HasPrefix(head, magicZipE)
}

// isCompressed reports whether head starts a gzip or zstd stream.
func isCompressed(head []byte) bool {
	return bytes.HasPrefix(head, magicGzip) || bytes.HasPrefix(head, magicZstd)
}

// errZipInStream is returned for a zip archive inside a compressed stream or another
// archive: reading one needs random access, which a stream does not give.
var errZipInStream = errors.New("a zip archive inside a compressed stream or another archive is not scanned")

// decoded is an input opened through its layers.
type decoded struct {
	r       *bufio.Reader // the UTF-8 text
	layers  layers
	closers []io.Closer
	bufs    []*bufio.Reader // to give back to readerPool
}

func (d *decoded) Close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i].Close()
	}
	for _, b := range d.bufs {
		b.Reset(nil)
		readerPool.Put(b)
	}
	d.bufs = nil
}

// readerPool recycles the 64 KiB buffers of decode: a scan of many small files
// would otherwise spend more time allocating and collecting them than scanning.
var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, peekSize) }}

func (d *decoded) reader(r io.Reader) *bufio.Reader {
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(r)
	d.bufs = append(d.bufs, br)
	return br
}

// describe names the layers, outermost first: "gzip, utf-16le".
func (ls layers) describe() string {
	var parts []string
	for _, l := range ls {
		switch l.kind {
		case layerGzip:
			parts = append(parts, "gzip")
		case layerZstd:
			parts = append(parts, "zstd")
		case layerUTF16:
			if l.be {
				parts = append(parts, "utf-16be")
			} else {
				parts = append(parts, "utf-16le")
			}
		}
	}
	return strings.Join(parts, ", ")
}

func (ls layers) utf16() (layer, bool) {
	for _, l := range ls {
		if l.kind == layerUTF16 {
			return l, true
		}
	}
	return layer{}, false
}

// peekSize is how much of a stream is looked at to recognise what it is.
const peekSize = 64 << 10

// decode opens r through its compression layers and text encoding. limit, if
// positive, bounds the size of the input and of each decompressed stream: reading
// fails with errTooLarge once it is exceeded.
func decode(r io.Reader, limit int64) (*decoded, error) {
	return decodeText(r, limit, false)
}

// decodeText is decode; strict refuses UTF-16 text that does not decode exactly
// (a lone surrogate, an odd last byte), which could not be written back unchanged.
func decodeText(r io.Reader, limit int64, strict bool) (*decoded, error) {
	d := &decoded{}
	if limit > 0 {
		r = &limitReader{r: r, left: limit, limit: limit}
	}
	br := d.reader(r)
	for {
		head, _ := br.Peek(4)
		switch {
		case isZip(head) && len(d.layers) > 0:
			d.Close()
			return nil, errZipInStream
		case bytes.HasPrefix(head, magicGzip) || bytes.HasPrefix(head, magicZstd):
			if len(d.layers) == maxLayers {
				d.Close()
				return nil, fmt.Errorf("more than %d nested compression layers", maxLayers)
			}
			var next io.Reader
			l := layer{kind: layerGzip}
			if bytes.HasPrefix(head, magicGzip) {
				zr, err := gzip.NewReader(br)
				if err != nil {
					d.Close()
					return nil, fmt.Errorf("gzip: %w", cleanErr(err))
				}
				l.gz = zr.Header
				d.closers = append(d.closers, zr)
				next = zr
			} else {
				l.kind = layerZstd
				zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(zstdMaxWindow))
				if err != nil {
					d.Close()
					return nil, fmt.Errorf("zstd: %w", cleanErr(err))
				}
				d.closers = append(d.closers, closerFunc(func() error { zr.Close(); return nil }))
				next = zr
			}
			d.layers = append(d.layers, l)
			if limit > 0 {
				next = &limitReader{r: next, left: limit, limit: limit}
			}
			br = d.reader(next)
			continue
		}
		break
	}
	head, _ := br.Peek(sniff.UTF16Sniff)
	if be, bom, ok := sniff.UTF16(head); ok {
		l := layer{kind: layerUTF16, be: be, bom: bom > 0}
		br.Discard(bom)
		d.layers = append(d.layers, l)
		var src io.Reader = br
		if strict {
			src = &utf16Check{r: br, be: l.be}
		}
		br = d.reader(transform.NewReader(src, l.encoding().NewDecoder()))
	}
	d.r = br
	return d, nil
}

// encoding is the UTF-16 variant of a layerUTF16 (the byte order mark is handled
// apart: it is skipped when reading and written back when redacting).
func (l layer) encoding() encoding.Encoding {
	if l.be {
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	}
	return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
}

// closerFunc adapts a function to io.Closer.
type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// errTooLarge marks input that goes on past the size limit.
type errTooLarge struct{ limit int64 }

func (e errTooLarge) Error() string {
	return "larger than the size limit of " + humanSize(e.limit)
}

// limitReader fails once more than limit bytes have been read.
type limitReader struct {
	r           io.Reader
	left, limit int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// one more byte tells a stream of exactly limit bytes from a longer one
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errTooLarge{l.limit}
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// cleanErr keeps error messages of decoders free of input bytes: the compression
// libraries' messages are fixed strings plus offsets, but a defensive cut never hurts.
func cleanErr(err error) error {
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120] + "…"
	}
	return errors.New(msg)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// UTF-16

// utf16OffsetMapper maps offsets in the UTF-8 text decoded from UTF-16 back to byte
// offsets in the UTF-16 input: every character before the offset took one 2-byte unit,
// or two for characters beyond U+FFFF (4-byte UTF-8 sequences), after the byte order
// mark. It is fed the decoded text in order.
type utf16OffsetMapper struct {
	pos   int64 // decoded bytes seen
	units int64 // UTF-16 units before pos
	bom   int64
}

// advanceTo feeds decoded text b (starting at m.pos) and returns, for each target in
// targets (sorted, within b's range or at its end), the UTF-16 byte offset. It returns
// how many targets it resolved.
func (m *utf16OffsetMapper) feed(b []byte, targets []int64, out []int64) int {
	done := 0
	for i, c := range b {
		for done < len(targets) && targets[done] <= m.pos+int64(i) {
			out[done] = m.bom + 2*m.units
			done++
		}
		if c&0xC0 != 0x80 { // a character starts here
			if c >= 0xF0 {
				m.units += 2
			} else {
				m.units++
			}
		}
	}
	m.pos += int64(len(b))
	return done
}

// mapUTF16Offsets reads the decoded text r to its end and returns the UTF-16 byte
// offset of each decoded offset in offs (which must be sorted).
func mapUTF16Offsets(r io.Reader, bom int, offs []int64) ([]int64, error) {
	out := make([]int64, len(offs))
	m := utf16OffsetMapper{bom: int64(bom)}
	buf := make([]byte, 64<<10)
	done := 0
	for done < len(offs) {
		n, err := r.Read(buf)
		done += m.feed(buf[:n], offs[done:], out[done:])
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	for ; done < len(offs); done++ { // offsets at the very end
		out[done] = m.bom + 2*m.units
	}
	return out, nil
}

// Layered is an input opened through the layers scan reads (gzip and zstd, nested,
// then UTF-16 text), for a caller that rewrites a stream: `scrubgate redact` reads
// Text and writes its output through Encoder, so a compressed or UTF-16 input comes
// out in the same form, redacted.
type Layered struct{ d *decoded }

// ErrArchive refuses a zip archive as a stream: its members are read with random
// access, which `scan --redact-to` does.
var ErrArchive = errors.New("the input is a zip archive: redact it with scrubgate scan --redact-to DIR, which rewrites its members")

// ErrTarArchive refuses a tar archive (also compressed): a secret replaced by a
// handle of another length would break the sizes its headers give.
var ErrTarArchive = errors.New("the input is a tar archive, whose members cannot be rewritten in a stream: extract it and redact its files")

// Decode opens r through its layers. limit, if positive, bounds the input and each
// decompressed stream.
func Decode(r io.Reader, limit int64) (*Layered, error) {
	d, err := decodeText(r, limit, true)
	if err != nil {
		return nil, err
	}
	if head, _ := d.r.Peek(4); isZip(head) && len(d.layers) == 0 {
		d.Close()
		return nil, ErrArchive
	}
	if head, _ := d.r.Peek(peekSize); sniff.TarHeader(head) {
		d.Close()
		return nil, ErrTarArchive
	}
	return &Layered{d: d}, nil
}

// Text is the decoded UTF-8 text.
func (l *Layered) Text() io.Reader { return l.d.r }

// Layers names the layers, outermost first ("gzip, utf-16le"), or "" for none.
func (l *Layered) Layers() string { return l.d.layers.describe() }

// Encoder returns a writer that encodes text back into the input's layers, and the
// function that finishes them (call it after the last write).
func (l *Layered) Encoder(dst io.Writer) (io.Writer, func() error, error) {
	return l.d.layers.encoder(dst)
}

// Close releases the decoders.
func (l *Layered) Close() { l.d.Close() }

// ErrInexactUTF16 refuses UTF-16 input that a rewrite could not give back byte for
// byte.
var ErrInexactUTF16 = errors.New("the UTF-16 input holds an invalid sequence (a lone surrogate or an odd last byte), which cannot be written back unchanged")

// utf16Check passes UTF-16 bytes through and fails with ErrInexactUTF16 where they
// do not decode exactly.
type utf16Check struct {
	r       io.Reader
	be      bool
	odd     []byte // a byte of a code unit cut by the last read
	high    bool   // the last code unit was a high surrogate
	pending error
}

func (c *utf16Check) Read(p []byte) (int, error) {
	if c.pending != nil {
		return 0, c.pending
	}
	n, err := c.r.Read(p)
	b := append(c.odd, p[:n]...)
	k := len(b) &^ 1
	for i := 0; i < k; i += 2 {
		u := uint16(b[i]) | uint16(b[i+1])<<8
		if c.be {
			u = uint16(b[i])<<8 | uint16(b[i+1])
		}
		switch {
		case u >= 0xD800 && u < 0xDC00:
			if c.high {
				return 0, ErrInexactUTF16
			}
			c.high = true
		case u >= 0xDC00 && u < 0xE000:
			if !c.high {
				return 0, ErrInexactUTF16
			}
			c.high = false
		default:
			if c.high {
				return 0, ErrInexactUTF16
			}
		}
	}
	c.odd = append(c.odd[:0], b[k:]...)
	if err == io.EOF && (len(c.odd) > 0 || c.high) {
		if n > 0 {
			c.pending = ErrInexactUTF16
			return n, nil
		}
		return 0, ErrInexactUTF16
	}
	return n, err
}
