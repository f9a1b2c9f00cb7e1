package bench

import (
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/scrubgate/scrubgate/bench/corpus"
	"github.com/scrubgate/scrubgate/scanner"
)

var (
	scanOnce sync.Once
	scanDef  *scanner.Scanner
	scanErr  error
)

func defaultScanner(tb testing.TB) *scanner.Scanner {
	tb.Helper()
	scanOnce.Do(func() { scanDef, scanErr = scanner.Default() })
	if scanErr != nil {
		tb.Fatal(scanErr)
	}
	return scanDef
}

func modeOf(format string) scanner.Mode {
	switch format {
	case "json":
		return scanner.ModeJSON
	case "jsonl":
		return scanner.ModeJSONL
	}
	return scanner.ModeText
}

// covered reports whether some finding covers the planted span completely.
func covered(fs []scanner.Finding, p corpus.Planted) bool {
	for _, f := range fs {
		if f.Start.Offset <= int64(p.Start) && f.End.Offset >= int64(p.End) {
			return true
		}
	}
	return false
}

func checkRecall(t *testing.T, name string, data []byte, planted []corpus.Planted, mode scanner.Mode) {
	t.Helper()
	s := defaultScanner(t)
	fs := s.ScanMode(data, mode)
	missed := map[string]int{}
	for _, p := range planted {
		if !covered(fs, p) {
			missed[p.Kind]++
			if missed[p.Kind] == 1 {
				lo, hi := max(0, p.Start-60), min(len(data), p.End+20)
				t.Errorf("%s: missed %s at %d..%d (context %q)", name, p.Kind, p.Start, p.End, maskSpan(data[lo:hi], p.Start-lo, p.End-lo))
			}
		}
	}
	// Findings beyond the planted ones are false positives (the generators plant
	// secrets only where they say).
	for _, f := range fs {
		hit := false
		for _, p := range planted {
			if f.Start.Offset < int64(p.End) && f.End.Offset > int64(p.Start) {
				hit = true
				break
			}
		}
		if !hit {
			lo, hi := max(0, int(f.Start.Offset)-60), min(len(data), int(f.End.Offset)+20)
			t.Errorf("%s: unexpected finding %s at %d (context %q)", name, f.RuleID, f.Start.Offset, data[lo:hi])
		}
	}
}

// maskSpan hides the planted secret in failure messages.
func maskSpan(b []byte, s, e int) string {
	out := append([]byte(nil), b[:s]...)
	out = append(out, []byte("<secret>")...)
	return string(append(out, b[e:]...))
}

func TestPlantedCorpusIsCaughtCompletely(t *testing.T) {
	for _, d := range corpus.PlantedCorpus(1) {
		checkRecall(t, d.Name, d.Data, d.Planted, modeOf(d.Format))
	}
}

func TestSecretDenseAndTranscriptsAreCaughtCompletely(t *testing.T) {
	data, planted := corpus.SecretDense(256<<10, 2)
	checkRecall(t, "secret-dense", data, planted, scanner.ModeText)
	tr, tp := corpus.Transcripts(1<<20, 3)
	checkRecall(t, "transcripts", tr, tp, scanner.ModeJSONL)
}

func TestCleanMixedHasNoFinding(t *testing.T) {
	s := defaultScanner(t)
	data := corpus.CleanMixed(1<<20, 4)
	for _, f := range s.ScanMode(data, scanner.ModeText) {
		lo, hi := max(0, int(f.Start.Offset)-60), min(len(data), int(f.End.Offset)+20)
		t.Errorf("clean mixed: %s at %d: %q", f.RuleID, f.Start.Offset, data[lo:hi])
	}
}

func TestRealCleanCorpusHasNoFinding(t *testing.T) {
	s := defaultScanner(t)
	files, err := filepath.Glob(filepath.Join("testdata", "clean", "*"))
	if err != nil || len(files) < 10 {
		t.Fatalf("clean corpus missing: %v (%d files)", err, len(files))
	}
	sort.Strings(files)
	for _, f := range files {
		if filepath.Ext(f) == ".md" && filepath.Base(f) == "SOURCES.md" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range s.Scan(data) {
			lo, hi := max(0, int(fd.Start.Offset)-60), min(len(data), int(fd.End.Offset)+20)
			t.Errorf("%s:%d:%d: %s %q", f, fd.Start.Line, fd.Start.Column, fd.RuleID, data[lo:hi])
		}
	}
}
