package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
)

// MaxAnnotations is how many annotations of one type (error, warning, notice)
// GitHub Actions shows for a step; more are dropped. The github format emits at
// most this many ::error and ::warning commands and summarises the rest.
const MaxAnnotations = 10

// writeGitHub writes GitHub Actions workflow commands. Findings are ranked by
// confidence (high first), then file, line and column; the first MaxAnnotations
// become ::error annotations and the rest are listed as plain log lines and summed
// up, by rule and file count, in a ::notice. Skipped files become ::warning
// annotations (as many as GitHub shows, the rest summed up). Input text reaches the
// log only escaped inside a command or between ::stop-commands:: markers, so a file
// name cannot inject a workflow command.
func writeGitHub(w io.Writer, r *Result) error {
	var b strings.Builder
	ranked := Ranked(r.Items)
	shown := ranked[:min(len(ranked), MaxAnnotations)]
	for i := range shown {
		it := &shown[i]
		b.WriteString(githubCommand("error", githubFindingProps(r.Root, it), githubMessage(it)))
	}
	var log []string // plain lines, printed with workflow commands stopped
	if rest := ranked[len(shown):]; len(rest) > 0 {
		b.WriteString(githubCommand("notice", []prop{{"title", "scrubgate: more findings than annotations"}},
			fmt.Sprintf("%d more finding(s) not annotated (GitHub shows %d per step): %s. All are listed in the job log and the SARIF report.",
				len(rest), MaxAnnotations, summariseByRule(rest))))
		log = append(log, fmt.Sprintf("%d more finding(s), not annotated:", len(rest)))
		for i := range rest {
			it := &rest[i]
			log = append(log, fmt.Sprintf("  %s:%d:%d  %s  [%s]  %s", githubName(r.Root, it.File), it.Start.Line, it.Start.Column,
				it.RuleID, it.Confidence, detail(it)))
		}
	}
	skips := r.Skipped
	if len(skips) > MaxAnnotations {
		skips = skips[:MaxAnnotations-1]
	}
	for _, s := range skips {
		var props []prop
		if f := githubPath(r.Root, s.File); f != "" {
			props = append(props, prop{"file", f})
		}
		props = append(props, prop{"title", "scrubgate: file not scanned"})
		b.WriteString(githubCommand("warning", props, Printable(githubName(r.Root, s.File)+" was not scanned: "+s.Reason)))
	}
	if rest := r.Skipped[len(skips):]; len(rest) > 0 {
		b.WriteString(githubCommand("warning", []prop{{"title", "scrubgate: files not scanned"}},
			fmt.Sprintf("%d more file(s) were not scanned; they are listed in the job log.", len(rest))))
		log = append(log, fmt.Sprintf("%d more file(s) not scanned:", len(rest)))
		for _, s := range rest {
			log = append(log, "  "+githubName(r.Root, s.File)+": "+s.Reason)
		}
	}
	b.WriteString(stopCommands(log))
	sum := r.Summary
	line := fmt.Sprintf("%d finding(s) in %d file(s) scanned, %d skipped", sum.Findings, sum.Files, sum.Skipped)
	if sum.Suppressed > 0 {
		line += fmt.Sprintf(", %d suppressed (%d by baseline)", sum.Suppressed, sum.Baselined)
	}
	if len(r.Items) > 0 {
		line += fmt.Sprintf("; %d file(s) with findings", filesWithFindings(r.Items))
	}
	b.WriteString("scrubgate: " + line + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Ranked returns the items ordered for attention: confidence high to low, then
// file, line, column and rule. The input is not modified.
func Ranked(items []Item) []Item {
	out := append([]Item(nil), items...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if ra, rb := a.Confidence.Rank(), b.Confidence.Rank(); ra != rb {
			return ra > rb
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Start.Line != b.Start.Line {
			return a.Start.Line < b.Start.Line
		}
		if a.Start.Column != b.Start.Column {
			return a.Start.Column < b.Start.Column
		}
		return a.RuleID < b.RuleID
	})
	return out
}

// summariseByRule says, per rule, how many findings in how many files:
// "github-pat: 8 in 3 file(s), jwt: 4 in 1 file(s)", rules by count then id.
func summariseByRule(items []Item) string {
	type agg struct {
		id    string
		n     int
		files map[string]bool
	}
	byRule := map[string]*agg{}
	for _, it := range items {
		a := byRule[it.RuleID]
		if a == nil {
			a = &agg{id: it.RuleID, files: map[string]bool{}}
			byRule[it.RuleID] = a
		}
		a.n++
		a.files[it.File] = true
	}
	list := make([]*agg, 0, len(byRule))
	for _, a := range byRule {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].id < list[j].id
	})
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = fmt.Sprintf("%s: %d in %d file(s)", a.id, a.n, len(a.files))
	}
	return strings.Join(parts, ", ")
}

type prop struct{ key, value string }

func githubFindingProps(root string, it *Item) []prop {
	var ps []prop
	if f := githubPath(root, it.File); f != "" {
		ps = append(ps, prop{"file", f})
		if it.Start.Line >= 1 {
			ps = append(ps, prop{"line", fmt.Sprint(it.Start.Line)})
			if it.Start.Column >= 1 {
				ps = append(ps, prop{"col", fmt.Sprint(it.Start.Column)})
			}
			if it.End.Line >= it.Start.Line && it.End.Column >= 1 {
				ps = append(ps, prop{"endLine", fmt.Sprint(it.End.Line)}, prop{"endColumn", fmt.Sprint(it.End.Column)})
			}
		}
	}
	desc := it.Description
	if desc == "" {
		desc = it.RuleID
	}
	return append(ps, prop{"title", "scrubgate: " + desc})
}

func githubMessage(it *Item) string {
	return Printable(fmt.Sprintf("%s [%s]: %s. %s", it.RuleID, orUnknown(string(it.Confidence)), detail(it), remedy))
}

// githubPath is the file as GitHub resolves annotation paths: relative to the
// repository root with forward slashes. Standard input has no path.
func githubPath(root, file string) string {
	if file == "-" {
		return ""
	}
	if rel, ok := relPath(root, file); ok {
		return rel
	}
	return file
}

// githubName is how the log names a file: its annotation path, or "-" for standard
// input.
func githubName(root, file string) string {
	if p := githubPath(root, file); p != "" {
		return p
	}
	return file
}

// githubCommand formats ::name key=value,...::message with the runner's escaping.
func githubCommand(name string, props []prop, msg string) string {
	var b strings.Builder
	b.WriteString("::" + name)
	for i, p := range props {
		if i == 0 {
			b.WriteString(" ")
		} else {
			b.WriteString(",")
		}
		b.WriteString(p.key + "=" + EscapeProperty(p.value))
	}
	b.WriteString("::" + EscapeData(msg) + "\n")
	return b.String()
}

// stopCommands prints lines that hold input text (file names, JSON paths) as plain
// log text: between ::stop-commands::TOKEN and ::TOKEN:: the runner takes no line for
// a workflow command, whatever it contains (the runner also reads "##[" anywhere in
// a line, so indenting would not be enough). The token is a hash of the lines, so no
// line can end the block early, and the output stays deterministic. Control
// characters are escaped, so each line stays one line.
func stopCommands(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	var body strings.Builder
	for _, l := range lines {
		body.WriteString(Printable(l) + "\n")
	}
	sum := sha256.Sum256([]byte(body.String()))
	token := "scrubgate-" + hex.EncodeToString(sum[:16])
	return "::stop-commands::" + token + "\n" + body.String() + "::" + token + "::\n"
}

// EscapeData escapes a workflow command's message as the Actions runner expects:
// % as %25, CR as %0D, LF as %0A.
func EscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// EscapeProperty escapes a workflow command's property value: as EscapeData, plus
// : as %3A and , as %2C.
func EscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
