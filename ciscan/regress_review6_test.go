package ciscan

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"testing"
)

// Review 6, R3: Codex saves a tool's output as JSON inside a JSON string, so its
// line breaks are \\n on disk. The allow marker's text line ran to the end of the
// output, and one allowed fixture hid every secret printed after it.
func TestR3AllowMarkerDoubleEncodedLines(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	tok := ghTok(11)
	env := "FIXTURE=AKIAZZZZ7BFIQTZPH4MN # scrubgate:allow\nGITHUB_TOKEN=" + tok + "\nAWS_ACCESS_KEY_ID=AKIARLE67BFIQTZPH4MN\n"
	inner, _ := json.Marshal(map[string]any{"output": env, "metadata": map[string]any{"exit_code": 0}})
	for _, depth := range []int{1, 2, 3} {
		out := string(inner)
		for d := 1; d < depth; d++ { // one more JSON encoding per level
			b, _ := json.Marshal(out)
			out = string(b[1 : len(b)-1])
		}
		line, _ := json.Marshal(map[string]any{"type": "response_item", "payload": map[string]any{"type": "function_call_output", "call_id": "c", "output": out}})
		write(t, "r.jsonl", append(line, '\n'))
		res := run(t, Options{Paths: []string{"r.jsonl"}})
		var rules []string
		for _, it := range res.Items {
			rules = append(rules, it.Finding.RuleID)
		}
		if len(res.Items) != 2 || res.Suppressed != 1 {
			t.Errorf("depth %d: findings %v, %d suppressed inline; want the token and the key reported, the fixture suppressed", depth, rules, res.Suppressed)
		}
	}
}

// Review 6, R5: a UTF-16 member of a tar archive could not be read a second time,
// so its findings kept the offsets of the decoded text and the scan ended with an
// error (exit 2: the Action skipped its upload).
func TestR5UTF16TarMember(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	text := "PS C:\\> type .env\r\nGITHUB_TOKEN=" + ghTok(5) + "\r\n"
	data := utf16Bytes(text, false, true)
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "logs/ps.txt", Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
	tw.Write(data)
	tw.Close()
	write(t, "a.tar", tb.Bytes())
	res := run(t, Options{Paths: []string{"a.tar"}})
	_, _, off := posOf(text, "ghp_")
	if len(res.Errors) != 0 || len(res.Items) != 1 || res.Items[0].Start.Offset != utf16Off(text, off, true) {
		t.Fatalf("errors %+v, findings %s; want the token at UTF-16 offset %d", res.Errors, dumpItems(res), utf16Off(text, off, true))
	}
}

// Review 7: a tar member of type '7' (a contiguous file, extracted as a regular
// one) was skipped unscanned.
func TestR7ContiguousTarMember(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	data := "GITHUB_TOKEN=" + ghTok(6) + "\n"
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "env.txt", Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeCont})
	tw.Write([]byte(data))
	tw.Close()
	write(t, "c.tar", tb.Bytes())
	if res := run(t, Options{Paths: []string{"c.tar"}}); len(res.Items) != 1 {
		t.Fatalf("findings %s, want the token in the contiguous member", dumpItems(res))
	}
}
