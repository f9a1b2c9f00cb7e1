package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/scrubgate/scrubgate/ciscan"
	"github.com/scrubgate/scrubgate/report"
	"github.com/scrubgate/scrubgate/rules"
	"github.com/scrubgate/scrubgate/scanner"
)

type scanFlags struct {
	format, inputFormat, mode string
	include, exclude          []string
	gitignore, staged         bool
	maxSize                   string
	failOn                    string
	failOnSkip                bool
	baseline, writeBaseline   string
	inPlace                   bool
	redactTo, redactWith      string
	tenant                    string
	workers                   int
	verbose                   bool
}

func newScanCmd(ef *engineFlags) *cobra.Command {
	var sf scanFlags
	cmd := &cobra.Command{
		Use:   "scan [PATH... | -]",
		Short: "Report secrets in files, directories, archives, standard input or staged changes",
		Long: "scan reads files, directories (recursively; .git is skipped), glob patterns and - (standard input),\n" +
			"or with --staged what is staged in git, and reports every secret with file:line:column, rule,\n" +
			"confidence and a preview that shows at most a public prefix and the length. gzip, zstd and zip\n" +
			"files are read through (zip members as archive.zip!member), UTF-16 text is decoded; Claude Code\n" +
			"and Codex session logs, JSON, JSONL and SSE captures are recognised.\n\n" +
			"A finding on a line containing scrubgate:allow is suppressed; --baseline hides known findings.\n" +
			"Exit status: 0 clean, 1 findings at or above --fail-on, 2 error (also: an input that could not\n" +
			"be scanned, with --fail-on-skip; a redacted copy that could not be written).",
		RunE: func(c *cobra.Command, args []string) error { return runScan(c, ef, &sf, args) },
	}
	f := cmd.Flags()
	f.StringVarP(&sf.format, "format", "f", "text", "output format: "+strings.Join(report.Formats, ", "))
	f.StringVar(&sf.inputFormat, "input-format", "auto", "input format: auto (per file), text, json, jsonl or sse")
	f.StringVar(&sf.mode, "mode", "", "old name of --input-format")
	_ = f.MarkDeprecated("mode", "use --input-format")
	f.StringArrayVar(&sf.include, "include", nil, "scan only files matching this glob (** for any depth; no slash: the base name); repeatable")
	f.StringArrayVar(&sf.exclude, "exclude", nil, "skip files and directories matching this glob; repeatable")
	f.BoolVar(&sf.gitignore, "respect-gitignore", false, "skip what .gitignore files ignore")
	f.StringVar(&sf.maxSize, "max-size", "256MiB", "largest input scanned, also after decompression (e.g. 10MB, 1GiB; 0: no limit); larger ones are reported as skipped")
	f.StringVar(&sf.failOn, "fail-on", "low", "lowest confidence that makes the scan fail: low, medium or high")
	f.BoolVar(&sf.failOnSkip, "fail-on-skip", false, "exit 2 if any input could not be scanned completely")
	f.BoolVar(&sf.staged, "staged", false, "scan the contents staged in git (for a pre-commit hook); PATHs restrict it")
	f.StringVar(&sf.baseline, "baseline", "", "report only findings not listed in this baseline `FILE`")
	f.StringVar(&sf.writeBaseline, "write-baseline", "", "write every current finding to `FILE` and exit 0")
	f.BoolVar(&sf.inPlace, "redact-in-place", false, "rewrite every file with a finding, secrets replaced (format, compression, encoding and mode kept)")
	f.StringVar(&sf.redactTo, "redact-to", "", "write a scrubbed copy of every scanned file under `DIR`")
	f.StringVar(&sf.redactWith, "redact-with", "handle", "replacement of redacted secrets: handle (keyed by SCRUBGATE_KEY) or mask")
	f.StringVar(&sf.tenant, "tenant", "", "tenant the handles of redacted secrets are minted for")
	f.IntVarP(&sf.workers, "jobs", "j", 0, "files scanned in parallel (default: the number of CPUs)")
	f.BoolVarP(&sf.verbose, "verbose", "v", false, "list every input scanned and its detected format on stderr")
	return cmd
}

func runScan(c *cobra.Command, ef *engineFlags, sf *scanFlags, args []string) error {
	if !contains(report.Formats, sf.format) {
		return fmt.Errorf("unknown --format %q (want %s)", sf.format, strings.Join(report.Formats, ", "))
	}
	if sf.mode != "" {
		sf.inputFormat = sf.mode
	}
	if !contains(ciscan.InputFormats, sf.inputFormat) {
		return fmt.Errorf("unknown --input-format %q (want %s)", sf.inputFormat, strings.Join(ciscan.InputFormats, ", "))
	}
	failOn := rules.Confidence(sf.failOn)
	if failOn.Rank() == 0 {
		return fmt.Errorf("unknown --fail-on %q (want low, medium or high)", sf.failOn)
	}
	maxSize, err := parseSize(sf.maxSize)
	if err != nil {
		return fmt.Errorf("--max-size: %w", err)
	}
	if sf.redactWith != "handle" && sf.redactWith != "mask" {
		return fmt.Errorf("unknown --redact-with %q (want handle or mask)", sf.redactWith)
	}
	if len(args) == 0 && !sf.staged {
		return fmt.Errorf("nothing to scan: give a PATH, - for standard input, or --staged")
	}
	_, ks, s, err := ef.setup(c, "auto")
	if err != nil {
		return err
	}
	opts := ciscan.Options{
		Paths: args, Stdin: c.InOrStdin(),
		Include: sf.include, Exclude: sf.exclude, RespectGitignore: sf.gitignore,
		MaxSize: maxSize, InputFormat: sf.inputFormat, Staged: sf.staged,
		Scanner:  s,
		Baseline: sf.baseline, WriteBaseline: sf.writeBaseline,
		RedactInPlace: sf.inPlace, RedactTo: sf.redactTo,
		Workers: sf.workers,
	}
	if os.Getenv("SCRUBGATE_KEY") != "" {
		opts.FingerprintKey = ks.FingerprintKey()
	}
	if sf.redactWith == "mask" {
		opts.Replace = scanner.Mask
	} else {
		opts.Replace = func(f scanner.Finding) []byte { return []byte(ks.Mint(sf.tenant, f.Kind, f.Secret()).String()) }
	}
	stderr := c.ErrOrStderr()
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		opts.Progress = f
	}
	// Ctrl-C stops handing out files and lets the ones being written finish (no
	// half-written redacted copy, no temporary file left); a second one kills.
	ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	res, err := ciscan.Run(ctx, opts)
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted: the scan did not finish")
	}
	if err != nil {
		return err
	}

	out := bufio.NewWriter(c.OutOrStdout())
	rep := res.Report(s.Version(), report.RulesFromPack(ef.used))
	color := false
	if f, ok := c.OutOrStdout().(*os.File); ok && os.Getenv("NO_COLOR") == "" && term.IsTerminal(int(f.Fd())) {
		color = true
	}
	if err := report.WriteOptions(out, sf.format, rep, report.Options{Color: color}); err != nil {
		return err
	}
	// What the report formats do not carry goes after the text report, or to stderr
	// when stdout is machine-readable.
	notes := io.Writer(out)
	if sf.format != "text" {
		notes = stderr
	}
	writeNotes(notes, res, sf)
	if sf.verbose {
		for _, f := range res.Files {
			fmt.Fprintf(stderr, "scanned %s as %s\n", f.Path, f.Format)
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	switch {
	case len(res.Errors) > 0:
		return exitStatus{exitError}
	case sf.failOnSkip && len(res.Skipped) > 0:
		fmt.Fprintf(stderr, "scrubgate: %d input(s) not scanned completely (--fail-on-skip)\n", len(res.Skipped))
		return exitStatus{exitError}
	case sf.writeBaseline != "":
		return nil
	}
	for _, it := range res.Items {
		if it.Confidence.Rank() >= failOn.Rank() {
			return exitStatus{exitFindings}
		}
	}
	return nil
}

// writeNotes reports what the report formats do not carry: errors, the events that
// carried secrets split across SSE deltas, excluded files, the baseline written and
// redaction.
func writeNotes(w io.Writer, res *ciscan.Result, sf *scanFlags) {
	for _, s := range res.Errors {
		fmt.Fprintf(w, "error %s: %s\n", s.File, s.Reason)
	}
	for _, sp := range res.Split {
		lines := make([]string, len(sp.Events))
		for i, l := range sp.Events {
			lines[i] = strconv.Itoa(l)
		}
		// (The stream's key is not printed: it holds upstream-chosen ids, which
		// could carry a secret or a workflow command.)
		fmt.Fprintf(w, "split across SSE events: %s:%d:%d %s, pieces on lines %s\n",
			report.Printable(sp.File), sp.Line, sp.Column, sp.RuleID, strings.Join(lines, ", "))
	}
	if res.Excluded > 0 {
		fmt.Fprintf(w, "%d file(s) or directories excluded (--include, --exclude, .gitignore)\n", res.Excluded)
	}
	if sf.writeBaseline != "" {
		fmt.Fprintf(w, "baseline %s written: %d entr%s\n", sf.writeBaseline, res.BaselineWritten, plural(res.BaselineWritten, "y", "ies"))
	}
	if n := len(res.Redacted); n > 0 {
		where := "in place"
		if sf.redactTo != "" {
			where = "to " + sf.redactTo
		}
		fmt.Fprintf(w, "redacted %d file(s) %s. Rotate the credentials all the same: version control history, backups and earlier copies still hold them.\n", n, where)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// parseSize reads a size: a number of bytes, or with a unit (KB, MB, GB: powers of
// 1000; KiB, MiB, GiB: powers of 1024; K, M, G alone: powers of 1024).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size (e.g. 256MiB, 10MB, 0)", s)
	}
	mult := map[string]int64{
		"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
		"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
		"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
		"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
	}[strings.ToLower(strings.TrimSpace(t[i:]))]
	if mult == 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 256MiB, 10MB, 0)", s)
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * mult, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
