package ciscan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/providers/sse"
)

func chatChunk(content string) string {
	b, _ := json.Marshal(content)
	return `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"content":` + string(b) + `}}]}` + "\n\n"
}

func anthropicDelta(text string) string {
	b, _ := json.Marshal(text)
	return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + string(b) + "}}\n\n"
}

func responsesDelta(text string) string {
	b, _ := json.Marshal(text)
	return "event: response.output_text.delta\r\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":" + string(b) + "}\r\n\r\n"
}

func toolArgs(args string) string {
	b, _ := json.Marshal(args)
	return `data: {"id":"chatcmpl-2","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":` + string(b) + `}}]}}]}` + "\n\n"
}

type sseCase struct {
	name    string
	capture string
	pieces  []string // the token's pieces, in order, each in its own event
	events  []int    // lines of the data: lines that carry them
	more    int      // other findings in the capture (after the split one)
}

func sseCases() []sseCase {
	t1, t2, t3, t4, t5 := ghTok(1100), ghTok(1101), ghTok(1102), ghTok(1103), ghTok(1104)
	return []sseCase{
		{name: "chat.sse",
			capture: ": keep-alive\n\n" + chatChunk("Here is the token: ") + chatChunk(t1[:10]) + chatChunk(t1[10:25]) + chatChunk(t1[25:]+" — done") +
				`data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n",
			pieces: []string{t1[:10], t1[10:25], t1[25:]}, events: []int{5, 7, 9}},
		{name: "anthropic.sse",
			capture: "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"}}\n\n" +
				"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
				anthropicDelta("café \"export\" GITHUB_TOKEN="+t2[:7]) + anthropicDelta(t2[7:]+"\n") +
				"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
			pieces: []string{t2[:7], t2[7:]}, events: []int{8, 11}},
		{name: "responses.sse",
			capture: responsesDelta("token ") + responsesDelta(t3[:20]) + responsesDelta(t3[20:]) +
				"event: response.output_text.done\r\ndata: {\"type\":\"response.output_text.done\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"text\":\"token " + t3 + "\"}\r\n\r\n",
			pieces: []string{t3[:20], t3[20:]}, events: []int{5, 8}, more: 1}, // the .done event repeats the token
		{name: "tool-args.sse",
			capture: toolArgs(`{"command":"export GITHUB_TOKEN=`+t4[:30]) + toolArgs(t4[30:]+`; ./deploy.sh"}`) +
				`data: {"id":"chatcmpl-2","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}` + "\n\n",
			pieces: []string{t4[:30], t4[30:]}, events: []int{1, 3}},
		// the context is split from the value: the value itself is whole in one event
		{name: "context.sse",
			capture: chatChunk("export GITHUB_") + chatChunk("TOKEN=") + chatChunk(t5) + chatChunk("\n"),
			pieces:  []string{t5}, events: nil},
	}
}

// TestSSESplitSecretsAreReassembled checks that a token split across data: events is
// found, reported at the first fragment's exact position (and ending at the last
// one's), with the events' lines, and that the partial findings inside it are gone.
func TestSSESplitSecretsAreReassembled(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	for _, c := range sseCases() {
		write(t, c.name, []byte(c.capture))
	}
	res := run(t, Options{Paths: []string{"."}})
	for _, c := range sseCases() {
		idx := itemsIn(res, c.name)
		if len(idx) != 1+c.more {
			t.Errorf("%s: %d findings, want %d\n%s", c.name, len(idx), 1+c.more, dumpItems(res))
			continue
		}
		it := res.Items[idx[0]]
		first, last := c.pieces[0], c.pieces[len(c.pieces)-1]
		line, col, off := posOf(c.capture, first)
		// the last piece: its last occurrence (the .done event repeats the whole text)
		lastAt := strings.Index(c.capture, last)
		if len(c.pieces) > 1 {
			lastAt = strings.Index(c.capture[off+int64(len(first)):], last) + int(off) + len(first)
		}
		eline, ecol, _ := posOf(c.capture[:lastAt+len(last)]+"\x00", "\x00")
		if it.RuleID != "github-pat" || it.Confidence != "high" || it.Start.Line != line || it.Start.Column != col || it.Start.Offset != off {
			t.Errorf("%s: %s [%s] at %d:%d@%d, want github-pat [high] at %d:%d@%d", c.name, it.RuleID, it.Confidence, it.Start.Line, it.Start.Column, it.Start.Offset, line, col, off)
		}
		if it.End.Line != eline || it.End.Column != ecol || it.End.Offset != int64(lastAt+len(last)) {
			t.Errorf("%s: ends at %d:%d@%d, want %d:%d@%d", c.name, it.End.Line, it.End.Column, it.End.Offset, eline, ecol, lastAt+len(last))
		}
		if c.events != nil {
			var split *SplitFinding
			for i := range res.Split {
				if res.Split[i].File == c.name {
					split = &res.Split[i]
				}
			}
			if split == nil || !equalInts(split.Events, c.events) || split.Line != line {
				t.Errorf("%s: split %+v, want events %v", c.name, split, c.events)
			}
			// The report carries the events with the finding, in every format's data.
			rep := res.Report("test", nil)
			if ri := rep.Items[idx[0]]; !equalInts(ri.Events, c.events) {
				t.Errorf("%s: report item events %v, want %v", c.name, ri.Events, c.events)
			}
		}
		if !strings.HasPrefix(it.JSONPath, "$.") {
			t.Errorf("%s: JSON path %q", c.name, it.JSONPath)
		}
	}
	formats := map[string]string{}
	for _, f := range res.Files {
		formats[f.Path] = f.Format
	}
	if formats["chat.sse"] != "sse" || formats["anthropic.sse"] != "sse" {
		t.Errorf("formats %v", formats)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSSERedactedCaptureRescansClean redacts captures with split secrets: the copies
// are valid SSE whose JSON payloads parse, hold no piece of the tokens and re-scan
// clean, reassembly included; a gzip-compressed capture stays gzip.
func TestSSERedactedCaptureRescansClean(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	for _, c := range sseCases() {
		write(t, filepath.Join("in", c.name), []byte(c.capture))
	}
	write(t, "in/chat.sse.gz", gzipBytes(t, []byte(sseCases()[0].capture)))
	res := run(t, Options{Paths: []string{"in"}, RedactTo: "out"})
	if len(res.Errors) != 0 || len(res.Items) != len(sseCases())+2 {
		t.Fatalf("redact:\n%s", dumpItems(res))
	}
	again := run(t, Options{Paths: []string{"out"}})
	if len(again.Items) != 0 || len(again.Skipped) != 0 {
		t.Fatalf("redacted captures are not clean:\n%s", dumpItems(again))
	}
	for _, c := range sseCases() {
		data, err := os.ReadFile(filepath.Join("out", "in", c.name))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range c.pieces {
			if len(p) >= 8 && bytes.Contains(data, []byte(p)) {
				t.Errorf("%s: a piece of the token is still there", c.name)
			}
		}
		rd := sse.NewReader(bytes.NewReader(data), 0)
		n := 0
		for {
			ev, err := rd.Next()
			if err != nil {
				break
			}
			n++
			if ev.HasData && string(ev.Data) != "[DONE]" && !json.Valid(ev.Data) {
				t.Errorf("%s: event %d is not JSON: %s", c.name, n, ev.Data)
			}
		}
		if n == 0 {
			t.Errorf("%s: no events in the copy", c.name)
		}
	}
}

func TestJSONStringIndex(t *testing.T) {
	cases := []struct {
		raw  string
		k    int
		want int
	}{
		{`"abc"`, 0, 1}, {`"abc"`, 2, 3}, {`"abc"`, 3, 4}, {`"abc"`, 9, 4},
		{`"a\nb"`, 2, 4}, {`"\u00e9x"`, 2, 7}, {`"\ud83d\ude00x"`, 4, 13},
		{`"éx"`, 2, 3}, {`"\ud800x"`, 3, 7}, {"\"\xffx\"", 3, 2}, {`"`, 5, 0}, {``, 1, 0},
	}
	for _, c := range cases {
		if got := jsonStringIndex([]byte(c.raw), c.k); got != c.want {
			t.Errorf("%q at %d: %d, want %d", c.raw, c.k, got, c.want)
		}
	}
}

// A complete secret in another choice, between the pieces of a split one, is
// reported too (it was once taken for a piece of the split secret).
func TestSSEInterleavedChoicesKeepTheirFindings(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	split, whole := ghTok(501), ghTok(502)
	chunk := func(idx int, s string) string {
		return `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":` + strconv.Itoa(idx) + `,"delta":{"content":"` + s + `"}}]}` + "\n\n"
	}
	capture := chunk(0, "k "+split[:15]) + chunk(1, "token "+whole+" here") + chunk(0, split[15:30]) + chunk(0, split[30:]) + "data: [DONE]\n\n"
	write(t, "n2.sse", []byte(capture))
	res := run(t, Options{Paths: []string{"n2.sse"}})
	if len(res.Items) != 2 {
		t.Fatalf("want the split and the whole token, got:\n%s", dumpItems(res))
	}
	if res.Items[0].Start.Line != 1 || res.Items[1].Start.Line != 3 {
		t.Fatalf("positions:\n%s", dumpItems(res))
	}
}

// A long stream keeps only the fragments a finding can still reach, and a secret
// split at its very end is still found where it is.
func TestSSELongStreamPrunesFragments(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	tok := ghTok(701)
	var b strings.Builder
	chunk := func(s string) {
		b.WriteString(`data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"` + s + `"}}]}` + "\n\n")
	}
	for i := 0; i < 5000; i++ {
		chunk("word ")
	}
	chunk("key " + tok[:10])
	chunk(tok[10:])
	b.WriteString("data: [DONE]\n\n")
	write(t, "long.sse", []byte(b.String()))
	res := run(t, Options{Paths: []string{"long.sse"}})
	if len(res.Items) != 1 || res.Items[0].Start.Line != 2*5000+1 {
		t.Fatalf("findings:\n%s", dumpItems(res))
	}
	a := newSSEAssembler(defaultScanner(t))
	a.run(strings.NewReader(strings.Repeat(`data: {"choices":[{"index":0,"delta":{"content":"word "}}]}`+"\n\n", 20000)))
	if a.peak > 4000 || a.peak == 0 { // bounded by the hold-back and a 4 KiB margin, not by the stream
		t.Fatalf("a field held up to %d fragments of 20000", a.peak)
	}
}

// Captured NDJSON streams (Ollama's native API) are reassembled like SSE captures,
// and their redacted copies replace a split secret and stay one JSON object a line.
func TestNDJSONStreamCapture(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	tok := ghTok(801)
	line := func(s string, done bool) string {
		return `{"model":"llama3","message":{"role":"assistant","content":"` + s + `"},"done":` + strconv.FormatBool(done) + "}\n"
	}
	capture := line("the key ", false) + line(tok[:14], false) + line(tok[14:]+" ok", false) + line("", true)
	write(t, "ollama.ndjson", []byte(capture))
	res := run(t, Options{Paths: []string{"ollama.ndjson"}})
	if len(res.Items) != 1 || res.Items[0].Start.Line != 2 || res.Files[0].Format != FormatNDJSONStream {
		t.Fatalf("findings:\n%s\nfiles %+v", dumpItems(res), res.Files)
	}
	res = run(t, Options{Paths: []string{"ollama.ndjson"}, RedactInPlace: true})
	if len(res.Errors) != 0 {
		t.Fatal(dumpItems(res))
	}
	out, _ := os.ReadFile("ollama.ndjson")
	var text strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var m struct{ Message struct{ Content string } }
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("redacted line is not JSON: %q", l)
		}
		text.WriteString(m.Message.Content)
	}
	if strings.Contains(text.String(), tok[:14]) || strings.Contains(text.String(), tok[14:]) || !strings.Contains(text.String(), "[[scrub:") {
		t.Fatalf("redacted stream text %q", text.String())
	}
}
