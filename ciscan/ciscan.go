package ciscan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/scrubgate/scrubgate/report"
	"github.com/scrubgate/scrubgate/scanner"
)

// DefaultMaxSize is the default limit on the size of one input (MaxSize).
const DefaultMaxSize = 256 << 20

// Input formats accepted by Options.InputFormat.
var InputFormats = []string{"auto", "text", "json", "jsonl", "sse"}

// Options describe one scan. Scanner is required; everything else has a usable zero
// value (scan nothing but the given paths, no size limit of zero meaning none: set
// MaxSize to DefaultMaxSize for the command's default).
type Options struct {
	// Paths are files, directories and glob patterns; "-" is standard input.
	Paths []string
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Include and Exclude are glob patterns (doublestar syntax, ** for any number of
	// directories) that select the files of directory walks and glob expansions. A
	// pattern without a slash matches the file's base name at any depth; one with a
	// slash matches the path as displayed. Files named explicitly are always scanned.
	Include, Exclude []string
	// RespectGitignore skips what .gitignore files (in the walked directories and
	// their parents up to the repository root) ignore.
	RespectGitignore bool
	// MaxSize is the largest input scanned, in bytes, also after decompression; 0 means
	// no limit. Larger inputs are recorded as skipped.
	MaxSize int64
	// InputFormat forces a format: "text", "json", "jsonl" or "sse"; "" or "auto"
	// detects it per file.
	InputFormat string
	// Staged scans the contents staged in the git repository at Dir instead of files
	// on disk (Paths, if any, then restrict the staged files to those under them;
	// Include and Exclude apply to their names).
	Staged bool
	// Dir is the working directory for git (default ".").
	Dir string

	// Scanner is the compiled rule pack. Run derives a scanner with FingerprintKey from it.
	Scanner *scanner.Scanner
	// FingerprintKey keys finding fingerprints. It is derived from SCRUBGATE_KEY; nil
	// when no key is configured, in which case fingerprints are random per run and
	// baselines are built from rule, file and JSON path only.
	FingerprintKey []byte

	// Baseline is a baseline file: findings it lists are not reported.
	Baseline string
	// WriteBaseline receives every finding of this scan (after inline allows).
	WriteBaseline string

	// RedactInPlace rewrites every file with a finding, secrets replaced by Replace.
	RedactInPlace bool
	// RedactTo writes a scrubbed copy of every scanned file under this directory,
	// laid out as cp -r would (a directory argument keeps its name).
	RedactTo string
	// Replace returns the replacement of a secret (a vault handle, or a mask).
	// Required when redacting.
	Replace func(scanner.Finding) []byte

	// Workers is the number of files scanned at once (default runtime.GOMAXPROCS).
	Workers int
	// Progress, if set, receives a one-line progress display (carriage returns)
	// while many files are scanned. Pass a terminal only.
	Progress io.Writer
}

// Skip is an input that was not (completely) scanned, and why.
type Skip = report.Skip

// File is one input that was scanned and the format it was read in, e.g.
// "claude-code" or "jsonl (gzip, utf-16le)".
type File struct {
	Path   string `json:"path"`
	Format string `json:"format"`
}

// Result is what a scan found. Items, Skipped, Files and Errors are sorted.
type Result struct {
	// Root is the absolute directory relative paths are relative to.
	Root string
	// Items are the reported findings: not suppressed inline, not in the baseline.
	Items []report.Item
	// Files are the inputs scanned (archive members each count as one).
	Files []File
	// Skipped are inputs not scanned, or scanned only in part, with the reason.
	Skipped []Skip
	// Errors are failures that do not stop the scan, e.g. a redacted copy that could
	// not be written. They make the command exit with status 2.
	Errors []Skip
	// Split tells, for each finding reassembled from SSE deltas, which events carried
	// its pieces (the finding itself is among Items, unless suppressed).
	Split []SplitFinding
	// Suppressed counts findings on a line marked scrubgate:allow.
	Suppressed int
	// Baselined counts findings listed in the baseline.
	Baselined int
	// Excluded counts files left out of walks by --exclude, --include or .gitignore.
	Excluded int
	// Bytes is the amount of text scanned (after decompression and decoding).
	Bytes int64
	// Redacted lists the files written by redaction (in place or the copies).
	Redacted []string
	// BaselineWritten counts the entries written to Options.WriteBaseline.
	BaselineWritten int
}

// Run scans what opts describe. The error is for problems that make the scan
// meaningless (a path that does not exist, a bad pattern, an unreadable baseline,
// git failing); problems with single inputs are recorded in the Result.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Scanner == nil {
		return nil, errors.New("ciscan: no scanner")
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	s := opts.Scanner
	if opts.FingerprintKey != nil {
		s = s.WithFingerprintKey(opts.FingerprintKey)
	}
	root, err := filepath.Abs(orDot(opts.Dir))
	if err != nil {
		return nil, err
	}
	var base *baseline
	if opts.Baseline != "" {
		if base, err = readBaselineFile(opts.Baseline, opts.FingerprintKey); err != nil {
			return nil, err
		}
	}
	res := &Result{Root: root}
	r := &runner{opts: opts, s: s, res: res}
	if err := r.run(ctx); err != nil {
		return nil, err
	}
	res.sort()
	if opts.WriteBaseline != "" {
		n, err := writeBaselineFile(opts.WriteBaseline, res.Items, opts.FingerprintKey)
		if err != nil {
			return nil, err
		}
		res.BaselineWritten = n
	}
	if base != nil {
		res.Items, res.Baselined = base.filter(res.Items)
	}
	return res, nil
}

// Report returns the result in the form package report renders, with the rule pack
// version and the rules' metadata (for SARIF). Findings suppressed inline or by the
// baseline are counted, skipped inputs listed. Errors are not part of it.
func (r *Result) Report(rulePack string, rules []report.RuleInfo) *report.Result {
	items := r.Items
	if len(r.Split) > 0 {
		type at struct {
			file, rule string
			line, col  int
		}
		events := map[at][]int{}
		for _, s := range r.Split {
			events[at{s.File, s.RuleID, s.Line, s.Column}] = s.Events
		}
		items = append([]report.Item(nil), r.Items...)
		for i := range items {
			it := &items[i]
			it.Events = events[at{it.File, it.RuleID, it.Start.Line, it.Start.Column}]
		}
	}
	rep := &report.Result{
		Items: items, RulePack: rulePack, Root: r.Root, Rules: rules,
		Summary: report.Summary{
			Files: len(r.Files), Findings: len(r.Items),
			Suppressed: r.Suppressed + r.Baselined, Baselined: r.Baselined,
		},
	}
	for _, s := range r.Skipped {
		rep.Skip(s.File, s.Reason)
	}
	return rep
}

func (o *Options) check() error {
	if o.InputFormat != "" && !contains(InputFormats, o.InputFormat) {
		return fmt.Errorf("unknown input format %q (want %s)", o.InputFormat, strings.Join(InputFormats, ", "))
	}
	if o.MaxSize < 0 {
		return errors.New("the size limit must be 0 (none) or positive")
	}
	if o.RedactInPlace && o.RedactTo != "" {
		return errors.New("choose either in-place redaction or a directory for redacted copies, not both")
	}
	redact := o.RedactInPlace || o.RedactTo != ""
	if redact && o.Replace == nil {
		return errors.New("ciscan: redaction needs a replacement function")
	}
	if redact && o.Staged {
		return errors.New("staged contents cannot be redacted: redact the files, then stage them again")
	}
	if !o.Staged && len(o.Paths) == 0 {
		return errors.New("nothing to scan: give paths, - for standard input, or scan staged files")
	}
	for _, p := range o.Paths {
		if p == "-" && redact {
			return errors.New("standard input cannot be redacted in place or to a directory: use scrubgate redact")
		}
	}
	for _, pats := range [][]string{o.Include, o.Exclude} {
		for _, p := range pats {
			if !validPattern(p) {
				return fmt.Errorf("bad glob pattern %q", p)
			}
		}
	}
	return nil
}

func (o *Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (r *Result) sort() {
	sort.SliceStable(r.Items, func(i, j int) bool {
		a, b := &r.Items[i], &r.Items[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Start.Offset != b.Start.Offset {
			return a.Start.Offset < b.Start.Offset
		}
		return a.RuleID < b.RuleID
	})
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Path < r.Files[j].Path })
	for _, l := range [][]Skip{r.Skipped, r.Errors} {
		sort.SliceStable(l, func(i, j int) bool { return l[i].File < l[j].File })
	}
	sort.Strings(r.Redacted)
	sort.SliceStable(r.Split, func(i, j int) bool {
		if r.Split[i].File != r.Split[j].File {
			return r.Split[i].File < r.Split[j].File
		}
		return r.Split[i].Line < r.Split[j].Line
	})
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isNotExist reports whether err says a file does not exist (for clear messages).
func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
