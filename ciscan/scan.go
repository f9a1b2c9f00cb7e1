package ciscan

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/scrubgate/scrubgate/internal/sniff"
	"github.com/scrubgate/scrubgate/report"
	"github.com/scrubgate/scrubgate/scanner"
)

// runner is one Run: the workers share it.
type runner struct {
	opts Options
	s    *scanner.Scanner

	mu   sync.Mutex // guards res while the scan runs
	res  *Result
	prog *progress
}

func (r *runner) addSkip(file, reason string) {
	r.mu.Lock()
	r.res.Skipped = append(r.res.Skipped, Skip{File: file, Reason: reason})
	r.mu.Unlock()
}

func (r *runner) addError(file, reason string) {
	r.mu.Lock()
	r.res.Errors = append(r.res.Errors, Skip{File: file, Reason: reason})
	r.mu.Unlock()
}

func (r *runner) countExcluded() {
	r.mu.Lock()
	r.res.Excluded++
	r.mu.Unlock()
}

func (r *runner) redacting() bool { return r.opts.RedactInPlace || r.opts.RedactTo != "" }

func (r *runner) run(ctx context.Context) error {
	var roots []root
	var staged []job
	var err error
	if r.opts.Staged {
		staged, err = r.stagedJobs(ctx)
	} else {
		roots, err = r.resolve()
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if r.opts.Progress != nil {
		r.prog = newProgress(r.opts.Progress)
		defer r.prog.done()
	}

	jobs := make(chan job, 256)
	go func() {
		defer close(jobs)
		if r.opts.Staged {
			for _, j := range staged {
				select {
				case jobs <- j:
				case <-ctx.Done():
					return
				}
			}
			return
		}
		r.enumerate(ctx, roots, jobs)
	}()
	results := make(chan *fileResult, 64)
	var wg sync.WaitGroup
	for i := 0; i < r.opts.workers(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{r: r}
			for j := range jobs {
				if ctx.Err() != nil {
					continue // cancelled: drain without scanning
				}
				results <- w.process(ctx, j)
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	for fr := range results {
		r.merge(fr)
	}
	return ctx.Err()
}

// fileResult is what a worker found in one job.
type fileResult struct {
	files      []File
	items      []report.Item
	skips      []Skip
	errs       []Skip
	suppressed int
	bytes      int64
	redacted   string
	splits     []SplitFinding
}

func (fr *fileResult) skip(file, reason string) {
	fr.skips = append(fr.skips, Skip{File: file, Reason: reason})
}

func (r *runner) merge(fr *fileResult) {
	r.mu.Lock()
	res := r.res
	res.Files = append(res.Files, fr.files...)
	res.Items = append(res.Items, fr.items...)
	res.Skipped = append(res.Skipped, fr.skips...)
	res.Errors = append(res.Errors, fr.errs...)
	res.Suppressed += fr.suppressed
	res.Split = append(res.Split, fr.splits...)
	res.Bytes += fr.bytes
	if fr.redacted != "" {
		res.Redacted = append(res.Redacted, fr.redacted)
	}
	files, bytes := len(res.Files), res.Bytes
	r.mu.Unlock()
	if r.prog != nil {
		r.prog.update(files, bytes)
	}
}

// worker scans one job at a time: memory per worker is bounded by the scanner's
// stream buffers, whatever the size of the input.
type worker struct {
	r     *runner
	small []byte // a small input, scanned whole
}

// unit is one scanned stream: a file, or a member of a zip archive.
type unit struct {
	name    string
	layers  layers
	mode    scanner.Mode
	format  string
	found   int                  // findings, suppressed ones included
	secrets []scanner.KnownValue // found secrets, kept only when redacting
	partial bool                 // not scanned to the end (the reason is in the skips)
	tar     bool                 // a tar archive, scanned member by member (not rewritten)
	inTar   bool                 // a member of a tar archive
	// utf16Parts: findings in UTF-16 parts of a UTF-8 file, which redaction
	// cannot replace
	utf16Parts bool
	reopen     func() (io.ReadCloser, error)
}

func (w *worker) process(ctx context.Context, j job) *fileResult {
	fr := &fileResult{}
	opts := &w.r.opts
	src, err := w.open(ctx, j)
	if err != nil {
		fr.skip(j.display, "cannot read it: "+errReason(err).Error())
		return fr
	}
	defer src.Close()
	if src.zip {
		// the limit applies to each member: an archive is never read whole
		w.scanZip(ctx, j, src, fr)
		return fr
	}
	if opts.MaxSize > 0 && j.size > opts.MaxSize {
		fr.skip(j.display, tooLarge(j.size, opts.MaxSize))
		return fr
	}
	u := w.scanUnit(j.display, src.r, src.reopen, fr)
	if w.r.redacting() {
		w.redact(j, u, fr)
	}
	return fr
}

// source is an opened job: a stream, and for inputs that must be read twice (UTF-16
// offsets, redaction) or need random access (zip), a way to open it again.
type source struct {
	r      io.Reader
	reopen func() (io.ReadCloser, error)
	zip    bool
	ra     io.ReaderAt
	size   int64
	close  []func()
}

func (s *source) Close() {
	for i := len(s.close) - 1; i >= 0; i-- {
		s.close[i]()
	}
}

func (w *worker) open(ctx context.Context, j job) (*source, error) {
	src := &source{}
	if j.path != "" {
		f, err := os.Open(j.path)
		if err != nil {
			return nil, err
		}
		src.close = append(src.close, func() { f.Close() })
		st, err := f.Stat()
		if err != nil {
			src.Close()
			return nil, err
		}
		if st.IsDir() {
			src.Close()
			return nil, errors.New("is a directory")
		}
		path := j.path
		src.reopen = func() (io.ReadCloser, error) { return os.Open(path) }
		var head [4]byte
		n, _ := io.ReadFull(f, head[:])
		if st.Mode().IsRegular() && isZip(head[:n]) {
			src.zip, src.ra, src.size = true, f, st.Size()
			return src, nil
		}
		if st.Mode().IsRegular() {
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				src.Close()
				return nil, err
			}
			src.r = f
			return src, nil
		}
		// a pipe or device named on the command line: read once, like standard input
		src.reopen = nil
		return w.spoolIfNeeded(io.MultiReader(bytes.NewReader(head[:n]), f), src)
	}
	rc, err := j.open(ctx)
	if err != nil {
		return nil, err
	}
	src.close = append(src.close, func() { rc.Close() })
	return w.spoolIfNeeded(rc, src)
}

// spoolIfNeeded reads a stream that can be read only once. Plain text is scanned as it
// comes; an archive, a compressed stream or UTF-16 text is first copied to a temporary
// file (at most the size limit), since it needs random access or a second reading.
func (w *worker) spoolIfNeeded(r io.Reader, src *source) (*source, error) {
	br := bufio.NewReaderSize(r, sniff.UTF16Sniff)
	head, _ := br.Peek(sniff.UTF16Sniff)
	if _, _, utf16 := sniff.UTF16(head); !isZip(head) && !isCompressed(head) && !utf16 {
		src.r = br
		return src, nil
	}
	tmp, err := os.CreateTemp("", "scrubgate-spool-*")
	if err != nil {
		src.Close()
		return nil, fmt.Errorf("cannot spool the input to a temporary file: %w", err)
	}
	src.close = append(src.close, func() { tmp.Close(); os.Remove(tmp.Name()) })
	var in io.Reader = br
	if lim := w.r.opts.MaxSize; lim > 0 {
		in = &limitReader{r: br, left: lim, limit: lim}
	}
	size, err := io.Copy(tmp, in)
	if err != nil {
		src.Close()
		return nil, err
	}
	name := tmp.Name()
	src.reopen = func() (io.ReadCloser, error) { return os.Open(name) }
	if isZip(head) {
		src.zip, src.ra, src.size = true, tmp, size
		return src, nil
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		src.Close()
		return nil, err
	}
	src.r = tmp
	return src, nil
}

// scanUnit scans one stream and adds its findings, file and skips to fr.
func (w *worker) scanUnit(name string, raw io.Reader, reopen func() (io.ReadCloser, error), fr *fileResult) *unit {
	return w.scanUnitIn(name, raw, reopen, fr, false)
}

func (w *worker) scanUnitIn(name string, raw io.Reader, reopen func() (io.ReadCloser, error), fr *fileResult, inTar bool) *unit {
	opts := &w.r.opts
	u := &unit{name: name, reopen: reopen, inTar: inTar}
	d, err := decode(raw, opts.MaxSize)
	if err != nil {
		fr.skip(name, reasonFor(err, 0))
		u.partial = true
		return u
	}
	defer d.Close()
	head, _ := d.r.Peek(peekSize)
	if !inTar && sniff.TarHeader(head) {
		// A tar archive (.tar, .tar.gz, .tgz, .tar.zst): every member is scanned as
		// its own input, named archive.tar!member, so compressed and UTF-16 members
		// are decoded like files.
		u.tar = true
		before := len(fr.items) + fr.suppressed
		w.scanTar(name, d.r, fr)
		u.found = len(fr.items) + fr.suppressed - before
		return u
	}
	u.format, u.mode = detectFormat(head, name, opts.InputFormat)
	u.layers = d.layers
	t := newLineTracker(d.r)
	var found []scanner.Finding
	var sa *sseAssembler
	var src io.Reader = t
	var pw *io.PipeWriter
	var done chan struct{}
	if u.format == FormatSSE || u.format == FormatNDJSONStream {
		// the same bytes go to the event reader that reassembles split secrets
		sa = newSSEAssembler(w.r.s)
		sa.lines = u.format == FormatNDJSONStream
		var pr *io.PipeReader
		pr, pw = io.Pipe()
		done = make(chan struct{})
		go func() {
			defer close(done)
			defer func() {
				if p := recover(); p != nil {
					sa.err = errors.New("internal error while reassembling SSE deltas")
					sa.found = nil
				}
				io.Copy(io.Discard, pr) // keep the scanner's side flowing if assembly stopped
			}()
			sa.run(pr)
		}()
		src = io.TeeReader(t, pw)
	}
	collect := func(f scanner.Finding) { found = append(found, f) }
	if small, perr := d.r.Peek(peekSize); perr == io.EOF {
		// The whole input is in the buffer already: scan a copy of it in one go, as
		// ScanReader would (same engine, same positions) but without its stream
		// buffers, which dominate the cost of many small files.
		w.small = append(w.small[:0], small...)
		if _, err = io.Copy(io.Discard, src); err == nil { // through the tracker (and the SSE assembler)
			for _, f := range w.r.s.ScanMode(w.small, u.mode) {
				collect(f)
			}
		}
	} else {
		err = w.r.s.ScanReader(src, u.mode, collect)
	}
	if sa != nil {
		pw.Close()
		<-done
		var splits []SplitFinding
		found, splits = sa.merge(found, name)
		fr.splits = append(fr.splits, splits...)
		if sa.err != nil {
			fr.skip(name, "secrets split across SSE events were not looked for past the point where reading events failed: "+cleanErr(sa.err).Error())
		}
	}
	fr.bytes += t.n
	format := u.format
	if ls := d.layers.describe(); ls != "" {
		format += " (" + ls + ")"
	}
	fr.files = append(fr.files, File{Path: name, Format: format})
	if err != nil {
		fr.skip(name, reasonFor(err, t.n))
		u.partial = true
	}
	if l, ok := d.layers.utf16(); ok && len(found) > 0 {
		bom := 0
		if l.bom {
			bom = 2
		}
		if err := w.utf16Positions(found, reopen, bom); err != nil {
			fr.errs = append(fr.errs, Skip{File: name, Reason: "cannot map positions back to the UTF-16 bytes: " + errReason(err).Error()})
		}
	}
	_, utf16 := d.layers.utf16()
	if !utf16 && u.format == FormatText && t.nuls >= minSegmentNULs && reopen != nil && err == nil {
		// A log that is UTF-8 but holds UTF-16 parts (PowerShell 5.1's >> appends
		// UTF-16 to a UTF-8 file): the parts are decoded and scanned too.
		seg := w.scanUTF16Segments(reopen)
		found = append(found, seg...)
		// the text redactor cannot see into the UTF-16 parts: no copy that looks
		// clean and is not
		u.utf16Parts = len(seg) > 0
	}
	u.found = len(found)
	for i := range found {
		f := &found[i]
		if w.r.redacting() && f.Encoding == "" && len(f.Secret()) >= scanner.MinKnownValueLen {
			u.secrets = append(u.secrets, scanner.KnownValue{Value: f.Secret(), Kind: f.Kind, Label: "learned-" + f.Kind})
		}
		if t.suppresses(f, u.mode, utf16) {
			fr.suppressed++
			continue
		}
		fr.items = append(fr.items, report.Item{File: name, Finding: public(f)})
	}
	return u
}

// minSegmentNULs: a text file needs this many NULs before its UTF-16 parts are
// looked for.
const minSegmentNULs = 16

// scanUTF16Segments reads a text input again and scans the runs of UTF-16LE text
// (printable ASCII and line breaks, each followed by a NUL) that it holds, reporting
// findings at their line and byte offset in the file.
func (w *worker) scanUTF16Segments(reopen func() (io.ReadCloser, error)) []scanner.Finding {
	rc, err := reopen()
	if err != nil {
		return nil
	}
	defer rc.Close()
	d, err := decode(rc, w.r.opts.MaxSize)
	if err != nil {
		return nil
	}
	defer d.Close()
	var found []scanner.Finding
	var seg []byte     // decoded text of the current run
	var segStart int64 // file offset of the run
	var segLine int    // line of the run's start
	line, off := 1, int64(0)
	flush := func() {
		if len(seg) >= 16 {
			for _, f := range w.r.s.ScanMode(seg, scanner.ModeText) {
				f.Start.Offset = segStart + 2*f.Start.Offset
				f.End.Offset = segStart + 2*f.End.Offset
				f.Start.Line += segLine - 1
				f.End.Line += segLine - 1
				f.Encoding = "utf-16le"
				found = append(found, f)
			}
		}
		seg = seg[:0]
	}
	var prev int = -1 // the byte before, when it may start a UTF-16 unit
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			break
		}
		switch {
		case prev >= 0 && c == 0 && (prev >= 0x20 && prev < 0x7f || prev == '\n' || prev == '\r' || prev == '\t'):
			if len(seg) == 0 {
				segStart, segLine = off-1, line
				if prev == '\n' {
					segLine--
				}
			}
			seg = append(seg, byte(prev))
			if len(seg) >= 1<<20 { // long runs are scanned in parts
				flush()
			}
			prev = -1
		case prev >= 0:
			flush()
			prev = int(c)
		default:
			prev = int(c)
		}
		if c == '\n' {
			line++
		}
		off++
	}
	flush()
	return found
}

// zeroBlock is a tar block of zeros (end of archive, padding).
var zeroBlock [512]byte

// scanTar scans the regular-file members of a tar stream.
func (w *worker) scanTar(name string, r io.Reader, fr *fileResult) {
	br := bufio.NewReaderSize(r, 512)
	tr := tar.NewReader(br)
	var total int64
	startBytes := fr.bytes
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			// Past the end blocks: a second archive (cat a.tar b.tar, which tar -i
			// reads) is read on; anything else is scanned as what follows.
			for { // whole zero blocks: end blocks and padding (a header may start with zeros)
				b, _ := br.Peek(512)
				if len(b) < 512 || !bytes.Equal(b, zeroBlock[:]) {
					break
				}
				br.Discard(512)
			}
			if head, _ := br.Peek(512); sniff.TarHeader(head) {
				tr = tar.NewReader(br)
				continue
			}
			for { // zeros that are no whole block, before what follows
				b, err := br.Peek(1)
				if err != nil || b[0] != 0 {
					break
				}
				br.Discard(1)
			}
			if _, err := br.Peek(1); err == nil {
				w.scanUnitIn(name+"!(after the end)", br, nil, fr, true)
			}
			return
		}
		if err != nil {
			fr.skip(name, "the tar archive could not be read to its end: "+cleanErr(err).Error())
			return
		}
		member := name + "!" + displayName(hdr.Name)
		switch {
		case hdr.Typeflag == tar.TypeLink || hdr.Typeflag == tar.TypeSymlink || hdr.Typeflag == tar.TypeChar ||
			hdr.Typeflag == tar.TypeBlock || hdr.Typeflag == tar.TypeDir || hdr.Typeflag == tar.TypeFifo:
			continue // links, devices, directories; every other type holds data (POSIX: an unknown one is a file)
		case w.r.opts.MaxSize > 0 && hdr.Size > w.r.opts.MaxSize:
			fr.skip(member, tooLarge(hdr.Size, w.r.opts.MaxSize))
			continue
		}
		total += hdr.Size
		if w.r.opts.MaxSize > 0 && (total > 4*w.r.opts.MaxSize || fr.bytes-startBytes > 4*w.r.opts.MaxSize) {
			fr.skip(member, fmt.Sprintf("the archive's members add up to more than %d bytes (four times the size limit); raise --max-size to scan it all", 4*w.r.opts.MaxSize))
			return
		}
		if hdr.Size > maxBufferedMember {
			w.scanUnitIn(member, tr, nil, fr, true)
			continue
		}
		// A member is read into memory so that it can be read twice, as a file can:
		// UTF-16 text maps its findings back to its own bytes on a second reading.
		data, err := io.ReadAll(io.LimitReader(tr, hdr.Size))
		w.scanUnitIn(member, bytes.NewReader(data), func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		}, fr, true)
		if err != nil { // what was read is scanned; the rest is not
			fr.skip(name, "the tar archive could not be read to its end: "+cleanErr(err).Error())
			return
		}
	}
}

// maxBufferedMember bounds the tar members read into memory (see scanTar); a
// larger one is scanned as a stream, and UTF-16 findings in it get no raw offsets.
const maxBufferedMember = 32 << 20

// public copies a finding without its secret bytes, so that results kept until the
// end of a scan do not hold secrets in memory.
func public(f *scanner.Finding) scanner.Finding {
	return scanner.Finding{
		RuleID: f.RuleID, Description: f.Description, Kind: f.Kind, Source: f.Source,
		Start: f.Start, End: f.End, Confidence: f.Confidence, Fingerprint: f.Fingerprint,
		Preview: f.Preview, Length: f.Length, JSONPath: f.JSONPath, Encoding: f.Encoding,
		Canary: f.Canary,
	}
}

func tooLarge(size, limit int64) string {
	return fmt.Sprintf("larger than the size limit (%s > %s); raise --max-size to scan it", humanSize(size), humanSize(limit))
}

// reasonFor turns a read error into a skip reason that never quotes input bytes.
func reasonFor(err error, scanned int64) string {
	var tl errTooLarge
	switch {
	case errors.As(err, &tl):
		if scanned > 0 {
			return fmt.Sprintf("only the first %s scanned: %s; raise --max-size to scan it all", humanSize(scanned), tl.Error())
		}
		return tl.Error() + "; raise --max-size to scan it"
	case errors.Is(err, errZipInStream):
		return err.Error()
	case scanned > 0:
		return fmt.Sprintf("read error after %d bytes (findings before it are reported): %s", scanned, cleanErr(errReason(err)))
	}
	return "cannot read it: " + cleanErr(errReason(err)).Error()
}

// utf16Positions maps the byte offsets of findings in decoded UTF-16 text back to the
// UTF-16 bytes, reading the input a second time (lines and columns, counted in
// characters, are the same in both).
func (w *worker) utf16Positions(found []scanner.Finding, reopen func() (io.ReadCloser, error), bom int) error {
	if reopen == nil {
		return errors.New("the input cannot be read again")
	}
	var offs []int64
	for _, f := range found {
		offs = append(offs, f.Start.Offset, f.End.Offset)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	raw, err := reopen()
	if err != nil {
		return err
	}
	defer raw.Close()
	d, err := decode(raw, 0)
	if err != nil {
		return err
	}
	defer d.Close()
	mapped, err := mapUTF16Offsets(d.r, bom, offs)
	if err != nil {
		return err
	}
	to := make(map[int64]int64, len(offs))
	for i, o := range offs {
		to[o] = mapped[i]
	}
	for i := range found {
		found[i].Start.Offset = to[found[i].Start.Offset]
		found[i].End.Offset = to[found[i].End.Offset]
	}
	return nil
}

// scanZip scans every member of a zip archive as its own unit, named
// archive.zip!member/path.
func (w *worker) scanZip(ctx context.Context, j job, src *source, fr *fileResult) {
	zr, err := zip.NewReader(src.ra, src.size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		fr.skip(j.display, "not a readable zip archive: "+cleanErr(err).Error())
		return
	}
	opts := &w.r.opts
	units := make([]*unit, len(zr.File))
	complete := true
	// A zip bomb repeats one compressed stream under many names, or declares huge
	// members: members sharing their data are skipped, and the whole archive has a
	// budget of four times the size limit.
	seenData := map[int64]bool{}
	var total uint64
	startBytes := fr.bytes
	for i, f := range zr.File {
		if ctx.Err() != nil {
			return
		}
		if f.FileInfo().IsDir() {
			continue
		}
		name := j.display + "!" + displayName(f.Name)
		off, offErr := f.DataOffset()
		total += f.UncompressedSize64
		switch {
		case offErr == nil && seenData[off] && f.CompressedSize64 > 0:
			fr.skip(name, "zip member shares its data with another member (a zip bomb?)")
			complete = false
			continue
		case opts.MaxSize > 0 && (total > 4*uint64(opts.MaxSize) || fr.bytes-startBytes > 4*opts.MaxSize):
			fr.skip(name, fmt.Sprintf("the archive's members add up to more than %d bytes (four times the size limit); raise --max-size to scan it all", 4*opts.MaxSize))
			complete = false
			continue
		case f.Flags&0x1 != 0:
			fr.skip(name, "encrypted zip member")
			complete = false
			continue
		case opts.MaxSize > 0 && f.UncompressedSize64 > uint64(opts.MaxSize):
			fr.skip(name, tooLarge(int64(min(f.UncompressedSize64, 1<<62)), opts.MaxSize))
			complete = false
			continue
		}
		if offErr == nil {
			seenData[off] = true
		}
		rc, err := f.Open()
		if err != nil {
			fr.skip(name, "cannot read the zip member: "+cleanErr(err).Error())
			complete = false
			continue
		}
		br := bufio.NewReaderSize(rc, 4)
		if head, _ := br.Peek(4); isZip(head) {
			rc.Close()
			fr.skip(name, errZipInStream.Error())
			complete = false
			continue
		}
		u := w.scanUnit(name, br, f.Open, fr)
		rc.Close()
		units[i] = u
		complete = complete && !u.partial
	}
	if w.r.redacting() {
		w.redactZip(j, src, zr, units, complete, fr)
	}
}
