package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ANSI styles of the text format, used only with Options.Color.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

type painter bool

func (p painter) paint(style, s string) string {
	if !p || s == "" {
		return s
	}
	return style + s + ansiReset
}

func confidenceStyle(c string) string {
	switch c {
	case "high":
		return ansiRed
	case "medium":
		return ansiYellow
	}
	return ansiCyan
}

// writeText prints findings grouped by file, then the skipped files with their reasons,
// then one summary line. Names from the input are printed with control characters
// escaped, so a file name cannot move the cursor or recolour the terminal.
func writeText(w io.Writer, r *Result, opts Options) error {
	p := painter(opts.Color)
	var b strings.Builder
	file := ""
	for i := range r.Items {
		it := &r.Items[i]
		if i == 0 || it.File != file {
			if i > 0 {
				b.WriteString("\n")
			}
			file = it.File
			b.WriteString(p.paint(ansiBold, Printable(file)) + "\n")
		}
		fmt.Fprintf(&b, "  %s  %s  %s  %s\n", Printable(location(it)), p.paint(ansiBold, Printable(it.RuleID)),
			p.paint(confidenceStyle(string(it.Confidence)), "["+string(it.Confidence)+"]"), Printable(detail(it)))
	}
	if len(r.Items) > 0 {
		b.WriteString("\n")
	}
	if len(r.Skipped) > 0 {
		b.WriteString(p.paint(ansiYellow, "skipped (not scanned):") + "\n")
		for _, s := range r.Skipped {
			fmt.Fprintf(&b, "  %s  %s\n", Printable(s.File), p.paint(ansiDim, Printable(s.Reason)))
		}
		b.WriteString("\n")
	}
	s := r.Summary
	line := fmt.Sprintf("%d finding(s) in %d file(s) scanned, %d skipped", s.Findings, s.Files, s.Skipped)
	if s.Suppressed > 0 {
		line += fmt.Sprintf(", %d suppressed (%d by baseline, %d inline)", s.Suppressed, s.Baselined, s.Suppressed-s.Baselined)
	}
	if len(r.Items) > 0 {
		line += fmt.Sprintf("; %d file(s) with findings", filesWithFindings(r.Items))
	}
	style := ansiGreen
	if s.Findings > 0 {
		style = ansiRed
	} else if s.Skipped > 0 {
		style = ansiYellow
	}
	b.WriteString(p.paint(style, line) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Printable escapes control characters (C0, DEL, C1) and invalid UTF-8 as \xNN or
// \u00NN, leaving every other character as it is: file names and paths printed on a
// terminal or a CI log cannot drive it.
func Printable(s string) string {
	clean := true
	for _, c := range s {
		if isControl(c) || c == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case isControl(c):
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func isControl(c rune) bool { return c < 0x20 || (c >= 0x7f && c < 0xa0) }
