package ciscan

import (
	"archive/zip"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/text/transform"

	"github.com/scrubgate/scrubgate/providers"
	"github.com/scrubgate/scrubgate/providers/sse"
	"github.com/scrubgate/scrubgate/scanner"
)

// Redaction is fail-closed: every secret the scanner detects is replaced, including
// those suppressed by scrubgate:allow or the baseline (suppressing hides a finding
// from the report; it does not make the secret harmless). A secret found in context is
// also replaced where it reappears bare in the same input, as `scrubgate redact` does.
// A file that was not scanned completely is not redacted (a partial copy would look
// clean and is not): that is an error of the scan.

// redact writes the scrubbed copy of a file that is not an archive.
func (w *worker) redact(j job, u *unit, fr *fileResult) {
	switch {
	case u.tar:
		fr.errs = append(fr.errs, Skip{File: j.display, Reason: "not redacted: tar archives are scanned member by member but not rewritten; extract, redact, re-pack"})
		return
	case u.utf16Parts:
		fr.errs = append(fr.errs, Skip{File: j.display, Reason: "not redacted: secrets in its UTF-16 parts cannot be redacted in a UTF-8 file; convert it to one encoding first"})
		return
	case u.partial:
		fr.errs = append(fr.errs, Skip{File: j.display, Reason: "not redacted: it was not scanned completely"})
		return
	case u.reopen == nil || j.path == "":
		fr.errs = append(fr.errs, Skip{File: j.display, Reason: "not redacted: only regular files can be redacted"})
		return
	case u.found == 0 && w.r.opts.RedactInPlace:
		return
	}
	var err error
	if u.found == 0 {
		err = copyFileAtomic(j.path, j.dest, j.mode)
	} else {
		err = writeAtomic(j.dest, j.mode, func(out io.Writer) error {
			raw, err := u.reopen()
			if err != nil {
				return err
			}
			defer raw.Close()
			return w.redactStream(raw, out, u)
		})
	}
	if err != nil {
		fr.errs = append(fr.errs, Skip{File: j.display, Reason: "not redacted: " + errReason(err).Error()})
		return
	}
	fr.redacted = displayName(j.dest)
}

// redactStream reads one input through its layers, replaces every secret and writes
// it out through the same layers.
func (w *worker) redactStream(raw io.Reader, out io.Writer, u *unit) error {
	d, err := decode(raw, w.r.opts.MaxSize)
	if err != nil {
		return err
	}
	defer d.Close()
	if !sameLayers(d.layers, u.layers) {
		return errors.New("the file changed during the scan")
	}
	enc, finish, err := u.layers.encoder(out)
	if err != nil {
		return err
	}
	s := w.r.s
	if len(u.secrets) > 0 {
		s = s.Clone()
		if err := s.AddKnownValues(u.secrets...); err != nil {
			return err
		}
	}
	if u.format == FormatSSE || u.format == FormatNDJSONStream {
		if err := w.redactSSE(s, d.r, enc, u.format == FormatNDJSONStream); err != nil {
			return err
		}
		return finish()
	}
	rw := s.NewWriter(enc, u.mode, w.r.opts.Replace, nil)
	if _, err := io.Copy(rw, d.r); err != nil {
		return err
	}
	if err := rw.Close(); err != nil {
		return err
	}
	return finish()
}

// errNotPureSSE refuses to rewrite a capture with lines that are no SSE field:
// rewriting it as events would drop them.
var errNotPureSSE = errors.New("it holds lines that are not SSE fields, which a rewrite would drop; redact it as text or JSON lines (--input-format)")

// redactSSE rewrites an SSE capture as the proxy rewrites a live stream: every
// streamed field has its own redactor, so a secret split across events is replaced
// too. Events are written back in canonical form (data: lines, LF line ends).
func (w *worker) redactSSE(s *scanner.Scanner, r io.Reader, out io.Writer, lines bool) error {
	// A copy for the record keeps no signed or encrypted value sacred: everything
	// the scan can report is replaced.
	sc := &providers.Scrubber{Scanner: s, Handle: func(f *scanner.Finding) string { return string(w.r.opts.Replace(*f)) }, ScanEverything: true}
	// An HTTP response head before the stream (curl -i) is kept, redacted as text.
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64 << 10)
	if n := sseHeaderLen(head); n > 0 {
		pre := make([]byte, n)
		if _, err := io.ReadFull(br, pre); err != nil {
			return err
		}
		if _, err := out.Write(s.RedactMode(pre, scanner.ModeText, w.r.opts.Replace)); err != nil {
			return err
		}
	}
	st := sc.NewStream(out)
	var rd interface{ Next() (*sse.Event, error) } = sse.NewReader(br, 0)
	if lines {
		st = sc.NewLineStream(out)
		rd = &ndjsonEvents{br: br}
	}
	for {
		ev, err := rd.Next()
		if ev != nil {
			if ev.Unknown > 0 {
				return errNotPureSSE
			}
			if werr := st.Event(ev); werr != nil {
				return werr
			}
		}
		if u, ok := rd.(interface{ Unknown() int }); ok && u.Unknown() > 0 {
			return errNotPureSSE
		}
		if errors.Is(err, io.EOF) || errors.Is(err, sse.ErrTruncated) {
			break
		}
		if err != nil {
			return err
		}
	}
	return st.Close()
}

func sameLayers(a, b layers) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].kind != b[i].kind || a[i].be != b[i].be || a[i].bom != b[i].bom {
			return false
		}
	}
	return true
}

// encoder stacks the writers that undo the layers: text is encoded back to UTF-16
// (with its byte order mark), then compressed as it was. finish closes them in order.
func (ls layers) encoder(dst io.Writer) (io.Writer, func() error, error) {
	w := dst
	var closers []io.Closer
	for _, l := range ls {
		switch l.kind {
		case layerGzip:
			gz := gzip.NewWriter(w)
			gz.Header = l.gz
			closers, w = append(closers, gz), gz
		case layerZstd:
			zw, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
			if err != nil {
				return nil, nil, err
			}
			closers, w = append(closers, zw), zw
		case layerUTF16:
			if l.bom {
				bom := []byte{0xFF, 0xFE}
				if l.be {
					bom = []byte{0xFE, 0xFF}
				}
				if _, err := w.Write(bom); err != nil {
					return nil, nil, err
				}
			}
			tw := transform.NewWriter(w, l.encoding().NewEncoder())
			closers, w = append(closers, tw), tw
		}
	}
	finish := func() error {
		for i := len(closers) - 1; i >= 0; i-- {
			if err := closers[i].Close(); err != nil {
				return err
			}
		}
		return nil
	}
	return w, finish, nil
}

// redactZip writes a copy of an archive in which the members with findings are
// redacted and every other member is copied as it was (compressed bytes included).
func (w *worker) redactZip(j job, src *source, zr *zip.Reader, units []*unit, complete bool, fr *fileResult) {
	found, tarFound := 0, false
	for _, u := range units {
		if u != nil {
			found += u.found
			tarFound = tarFound || (u.tar && u.found > 0) || u.utf16Parts
		}
	}
	switch {
	case tarFound:
		fr.errs = append(fr.errs, Skip{File: j.display, Reason: "not redacted: a member holds findings it cannot rewrite (a tar archive, or UTF-16 parts in a UTF-8 file); extract, redact, re-pack"})
		return
	case !complete:
		fr.errs = append(fr.errs, Skip{File: j.display, Reason: "not redacted: not every member was scanned"})
		return
	case j.path == "":
		fr.errs = append(fr.errs, Skip{File: j.display, Reason: "not redacted: only regular files can be redacted"})
		return
	case found == 0 && w.r.opts.RedactInPlace:
		return
	}
	var err error
	if found == 0 {
		err = copyFileAtomic(j.path, j.dest, j.mode)
	} else {
		err = writeAtomic(j.dest, j.mode, func(out io.Writer) error {
			zw := zip.NewWriter(out)
			if err := zw.SetComment(zr.Comment); err != nil {
				return err
			}
			for i, f := range zr.File {
				u := units[i]
				if u == nil || u.found == 0 {
					if err := zw.Copy(f); err != nil {
						return err
					}
					continue
				}
				hdr := f.FileHeader
				// sizes and checksum are the writer's to fill in
				hdr.CRC32, hdr.CompressedSize64, hdr.UncompressedSize64 = 0, 0, 0
				hdr.Extra = dropSizeExtras(hdr.Extra)
				mw, err := zw.CreateHeader(&hdr)
				if err != nil {
					return err
				}
				rc, err := f.Open()
				if err != nil {
					return err
				}
				err = w.redactStream(rc, mw, u)
				rc.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", displayName(f.Name), err)
				}
			}
			return zw.Close()
		})
	}
	if err != nil {
		fr.errs = append(fr.errs, Skip{File: j.display, Reason: "not redacted: " + errReason(err).Error()})
		return
	}
	fr.redacted = displayName(j.dest)
}

// dropSizeExtras removes the extra fields that the zip writer writes itself for a
// rewritten member (zip64 sizes, extended timestamp), so they do not appear twice.
func dropSizeExtras(extra []byte) []byte {
	var out []byte
	for len(extra) >= 4 {
		id := uint16(extra[0]) | uint16(extra[1])<<8
		n := int(uint16(extra[2]) | uint16(extra[3])<<8)
		if 4+n > len(extra) {
			break
		}
		if id != 0x0001 && id != 0x5455 {
			out = append(out, extra[:4+n]...)
		}
		extra = extra[4+n:]
	}
	return out
}

// writeAtomic writes a file through fill into a temporary file beside dest, gives it
// mode and renames it over dest: readers see the old file or the new one, never half.
func writeAtomic(dest string, mode os.FileMode, fill func(io.Writer) error) error {
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".scrubgate-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := fill(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, dest); err != nil {
		return err
	}
	ok = true
	return nil
}

// copyFileAtomic copies a file that had nothing to redact to its place among the
// redacted copies.
func copyFileAtomic(src, dest string, mode os.FileMode) error {
	return writeAtomic(dest, mode, func(out io.Writer) error {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(out, f)
		return err
	})
}
