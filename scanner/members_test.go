package scanner

import (
	"bytes"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/bench/corpus"
)

func TestScanModeMembers(t *testing.T) {
	s := testScanner(t)
	for _, c := range []struct {
		src  string
		mode Mode
		want bool
	}{
		{`{"a":{"arguments":"{}"}}`, ModeJSON, true},
		{`{"a":{"argum\u0065nts":"{}"}}`, ModeJSON, true},       // decoded, as parsers read it
		{`{"a":"arguments","b":["logprobs"]}`, ModeJSON, false}, // values are no member names
		{`{"arguments_x":1,"x_logprobs":2}`, ModeJSON, false},
		{"{\"a\":1}\n{\"logprobs\":null}\n", ModeJSONL, true},
		{`"arguments": {}`, ModeText, false},
		{`{"arguments":`, ModeJSON, true}, // broken JSON is read leniently
	} {
		_, got := s.ScanModeMembers([]byte(c.src), c.mode, "arguments", "logprobs")
		if got != c.want {
			t.Errorf("%q: %v, want %v", c.src, got, c.want)
		}
	}
	// Deeper than the view follows, a name could hide unseen: the answer is yes.
	deep := []byte(`{"a":` + strings.Repeat("[", 300) + `{"x":1}` + strings.Repeat("]", 300) + `}`)
	if _, got := s.ScanModeMembers(deep, ModeJSON, "arguments"); !got {
		t.Fatal("input nested beyond the followed depth must answer yes")
	}
	// Past the name index's bound, names are still found.
	src := []byte("{")
	for i := range maxIndexedNames + 10 {
		src = append(src, `"n`+itoa(i)+`":0,`...)
	}
	src = append(src, `"logprobs":0}`...)
	if _, got := s.ScanModeMembers(src, ModeJSON, "logprobs"); !got {
		t.Fatal("a name after the index filled up was not found")
	}
}

// A finished scan's view is kept for reuse; the text it decoded is not.
func TestReleasedViewKeepsNoText(t *testing.T) {
	s := testScanner(t)
	text := "Zq8vXw3Ty6Lp0Rn5Ks2Md9Hb4"
	src := []byte(`{"note":"` + text + `","` + text + `_name":"x\n` + text + `"}`)
	s.ScanMode(src, ModeJSON)
	j := getJSONView(false)
	defer j.release()
	if cap(j.view) < len(src) {
		t.Skip("the view was not kept (the free list was full)")
	}
	if bytes.Contains(j.view[:cap(j.view)], []byte(text[:8])) {
		t.Fatal("a reused view still holds text of the previous input")
	}
	if len(j.names) != 0 || len(j.index) != 0 {
		t.Fatalf("a reused view still holds member names: %d, %d", len(j.names), len(j.index))
	}
}

// A one-shot JSONL scan follows the structure only where a finding is (its line is
// read again); the findings, paths and positions are those of a view that followed
// it throughout.
func TestLazyJSONLMatchesEager(t *testing.T) {
	s := testScanner(t)
	src, _ := corpus.Transcripts(1<<20, 3)
	lazy := s.ScanMode(src, ModeJSONL)
	eager, _ := s.ScanModeMembers(src, ModeJSONL, "x")
	if len(lazy) < 20 || !sameFindings(lazy, eager) {
		t.Fatalf("lazy %d findings, eager %d, or they differ", len(lazy), len(eager))
	}
	paths := 0
	for _, f := range lazy {
		if f.JSONPath != "" && f.JSONPath != "$" {
			paths++
		}
	}
	if paths < len(lazy)/2 {
		t.Fatalf("only %d of %d findings have a path", paths, len(lazy))
	}
}
