package scanner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// handleReplace is position-dependent on purpose: chunked output must match the
// whole-input output including every finding's position and path.
func positionalReplace(f Finding) []byte {
	return []byte(fmt.Sprintf("<%s@%d:%d-%d:%d%s>", f.RuleID, f.Start.Line, f.Start.Column, f.End.Line, f.End.Column, f.JSONPath))
}

// streamIn writes src to a Writer in chunks chosen by rng and returns the output.
func streamIn(t testing.TB, s *Scanner, src []byte, mode Mode, rng *rand.Rand, maxChunk int) []byte {
	var out bytes.Buffer
	w := s.NewWriter(&out, mode, positionalReplace, nil)
	for rest := src; len(rest) > 0; {
		n := 1 + rng.IntN(maxChunk)
		if n > len(rest) {
			n = len(rest)
		}
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// propertyCorpus mixes every rule example with prose, code, stray bytes and JSON.
func propertyCorpus(s *Scanner) (text, jsonl []byte) {
	var tb, jb bytes.Buffer
	filler := []string{
		"The token limit applies per request; see the key points below.\n",
		"func (k *Key) Token() string { return k.secret } // password policy\n",
		"\xff\x00 stray bytes \xc3 and é 日本語 ✓\n",
		"max_tokens=1024 api version 2 secret sauce\n",
	}
	for i, r := range s.rules {
		for _, ex := range r.Examples {
			tb.WriteString(filler[i%len(filler)])
			tb.WriteString(ex.Text)
			tb.WriteString("\n")
			line, _ := json.Marshal(map[string]any{"role": "tool", "n": i, "content": []any{map[string]string{"type": "text", "text": ex.Text}}})
			jb.Write(line)
			jb.WriteString("\n")
		}
	}
	tb.WriteString("tail " + ghToken(9))
	jb.WriteString(`{"broken": "unterminated \u00` + "\n" + `{"ok":"` + ghToken(10) + `"}`)
	return tb.Bytes(), jb.Bytes()
}

func TestWriterAnyChunkingEqualsWhole(t *testing.T) {
	s := testScanner(t)
	text, jsonl := propertyCorpus(s)
	cases := []struct {
		name string
		src  []byte
		mode Mode
	}{{"text", text, ModeText}, {"jsonl", jsonl, ModeJSONL}, {"json-as-one", jsonl, ModeJSON}, {"text-of-json", jsonl, ModeText}}
	for _, c := range cases {
		want := s.RedactMode(c.src, c.mode, positionalReplace)
		if bytes.Equal(want, c.src) {
			t.Fatalf("%s: nothing redacted", c.name)
		}
		for seed := uint64(0); seed < 6; seed++ {
			rng := rand.New(rand.NewPCG(seed, 42))
			for _, maxChunk := range []int{1, 3, 17, 256, 4096} {
				src, want := c.src, want
				if maxChunk < 16 { // tiny chunks: a prefix keeps the test quick
					if seed > 1 {
						continue
					}
					src = src[:min(len(src), 24<<10)]
					want = s.RedactMode(src, c.mode, positionalReplace)
				}
				got := streamIn(t, s, src, c.mode, rng, maxChunk)
				if !bytes.Equal(got, want) {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					lo := max(0, i-80)
					t.Fatalf("%s seed %d chunk<=%d: differs at %d:\nwant …%q\ngot  …%q", c.name, seed, maxChunk, i,
						want[lo:min(len(want), i+80)], got[lo:min(len(got), i+80)])
				}
			}
		}
	}
}

func TestWriterDoesNotHoldOrdinaryText(t *testing.T) {
	s := testScanner(t)
	var out bytes.Buffer
	w := s.NewWriter(&out, ModeText, Mask, nil)
	w.Write([]byte("Hello there, this is plain prose with no credentials at all. "))
	// only the last word may be held (it could still grow into a token)
	if w.Held() > int64(len("all. ")) {
		t.Fatalf("held %d bytes of ordinary text: emitted %q", w.Held(), out.String())
	}
	tok := ghToken(11)
	w.Write([]byte("Now " + tok[:20]))
	if strings.Contains(out.String(), tok[:8]) {
		t.Fatalf("partial token flushed: %q", out.String())
	}
	w.Write([]byte(tok[20:] + " end"))
	w.Close()
	if st := w.Stats(); st.GateChecks == 0 || st.RegexRuns == 0 {
		t.Fatalf("stats not counted: %+v", st)
	}
	if strings.Contains(out.String(), tok[4:]) || !strings.Contains(out.String(), "[REDACTED:github-pat] end") {
		t.Fatalf("output %q", out.String())
	}
}

func TestWriterAbortMasksHeldTail(t *testing.T) {
	s := testScanner(t)
	var out bytes.Buffer
	w := s.NewWriter(&out, ModeText, Mask, nil)
	tok := ghToken(12)
	w.Write([]byte("partial: " + tok[:30]))
	if err := w.Abort([]byte("[TRUNCATED]")); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), tok[:10]) || !strings.HasSuffix(out.String(), "[TRUNCATED]") {
		t.Fatalf("abort output %q", out.String())
	}
}

func TestWriterMemoryIsBoundedOnEndlessInput(t *testing.T) {
	s := testScanner(t)
	w := s.NewWriter(discard{}, ModeText, Mask, nil)
	line := []byte("token=abc password: x " + strings.Repeat("word ", 30) + "\n")
	for i := 0; i < 20000; i++ {
		w.Write(line)
	}
	if held := w.Held(); held > int64(s.maxHold+s.kw.maxLen+64) {
		t.Fatalf("held %d bytes", held)
	}
	if n := len(w.p.raw); n > 4*(1<<16)+s.maxBack*4 {
		t.Fatalf("retained %d bytes of input", n)
	}
	// one endless token: bounded by the base64 cap
	w2 := s.NewWriter(discard{}, ModeText, Mask, nil)
	chunk := []byte(strings.Repeat("Ab9", 1000))
	for i := 0; i < 200; i++ {
		w2.Write(chunk)
	}
	if held := w2.Held(); held > int64(maxBase64Run+s.maxHold+4096) {
		t.Fatalf("endless token held %d bytes", held)
	}
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

// fuzzSeeds are small inputs with secrets in several shapes: fuzzing mutates them
// quickly, where a large seed would make every execution slow.
func fuzzSeeds(s *Scanner) [][]byte {
	var out [][]byte
	for i, r := range s.rules {
		if i%9 == 0 && len(r.Examples) > 0 && len(r.Examples[0].Text) < 400 {
			out = append(out, []byte(r.Examples[0].Text))
		}
	}
	return append(out,
		[]byte(`{"a":"\u0067hp_`+ghToken(14)[4:]+`","b":[1,{"c":"Bearer q8Zr2LmX9vTn4KpW7sYd3GhJ"}]}`),
		[]byte("x: "+base64Std("token="+ghToken(15))+"\n\xff\x00"),
		// terminal codes around secrets, in text and as JSON escapes, one unfinished
		[]byte("GITHUB_TOKEN=\x1b[1m"+ghToken(16)+"\x1b[0m\n\x1b[33mDB_PASSWORD\x1b[m\x1b[K=Xk9pL2vQ7wRt5zYq\x1b[0m\n\x1b[38;5"),
		[]byte(wrap("registry auth: "+ghToken(17)+"\nmore text, and more text to wrap the lines\n", 76, "\n", "  ")+"tail\n"),
		[]byte(`{"out":"\u001b[32mok\u001b[0m AWS_KEY=\u001B[1mAKIARLE67BFIQTZPH4MN\u001b[0m","e":"\u001b[3"}`),
		[]byte("a.env:1:T=\x1b[01;31m\x1b[Kghp_\x1b[m\x1b[K"+ghToken(18)[4:]+"\n\x1b[1m\x1b[m"),
		[]byte(`{"o":"k=\u001b[01;31m\u001b[KAKIA\u001b[m\u001b[KRLE67BFIQTZPH4MN\u001b[m\u001b"}`),
		[]byte("key: \x1b[31mAKIARLE67BFIQTZPH4MN\x1b[m\x1b[32mAKIAZQ4M7PXN2TRB6KLW\x1b[m\n3/4\x1b[1G\x1b[2K"+ghToken(19)+"\x1b[1mab\x1b[0mcd\n"),
	)
}

func FuzzWriterChunking(f *testing.F) {
	s := testScanner(f)
	for i, seed := range fuzzSeeds(s) {
		f.Add(seed, uint64(i), uint8(i))
	}
	f.Add([]byte(`{"a":"\u0067hp_`+ghToken(13)[4:]+`"}`), uint64(3), uint8(1))
	f.Fuzz(func(t *testing.T, src []byte, seed uint64, m uint8) {
		mode := []Mode{ModeText, ModeJSON, ModeJSONL}[int(m)%3]
		want := s.RedactMode(src, mode, positionalReplace)
		got := streamIn(t, s, src, mode, rand.New(rand.NewPCG(seed, 7)), 1+int(seed%97))
		if !bytes.Equal(got, want) {
			t.Fatalf("mode %v: chunked output differs\nwant %q\ngot  %q", mode, want, got)
		}
	})
}

func FuzzScan(f *testing.F) {
	s := testScanner(f)
	for _, seed := range fuzzSeeds(s) {
		f.Add(seed)
	}
	f.Add([]byte("Authorization: Bearer \xffq8Zr2LmX9vTn4KpW7sYd3GhJ"))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, mode := range []Mode{ModeText, ModeJSON, ModeJSONL} {
			fs := s.ScanMode(src, mode)
			prev := int64(-1)
			for _, fd := range fs {
				if fd.Start.Offset < 0 || fd.End.Offset > int64(len(src)) || fd.Start.Offset >= fd.End.Offset {
					t.Fatalf("bad span %d..%d of %d", fd.Start.Offset, fd.End.Offset, len(src))
				}
				if fd.Start.Offset < prev {
					t.Fatalf("overlapping or unsorted findings")
				}
				prev = fd.End.Offset
				if fd.Start.Line < 1 || fd.Start.Column < 1 {
					t.Fatalf("bad position %+v", fd.Start)
				}
			}
			// a lazy JSONL view (structure only where a finding is) and an eager
			// one (ScanModeMembers follows the structure throughout) agree
			if mode == ModeJSONL {
				eager, _ := s.ScanModeMembers(src, mode, "x")
				if !sameFindings(fs, eager) {
					t.Fatalf("lazy and eager JSONL views disagree:\n%v\n%v", fs, eager)
				}
			}
			// redaction removes every finding's bytes (masks contain no secret)
			out := s.RedactMode(src, mode, func(Finding) []byte { return []byte("#") })
			if len(fs) == 0 && !bytes.Equal(out, src) {
				t.Fatalf("no findings but output changed")
			}
		}
	})
}

func FuzzJSONView(f *testing.F) {
	f.Add([]byte(`{"a":"b\n\u00e9\ud83d\ude00\/","c":[1,"x"]}`), uint8(5))
	f.Add([]byte("{\"a\":\"\\ud83d\n\"}\n[\"\\"), uint8(1))
	f.Fuzz(func(t *testing.T, src []byte, cut uint8) {
		whole := newJSONView(true)
		whole.feed(src)
		whole.flush()
		parts := newJSONView(true)
		c := int(cut) % (len(src) + 1)
		parts.feed(src[:c])
		parts.feed(src[c:])
		parts.flush()
		if !bytes.Equal(whole.view, parts.view) {
			t.Fatalf("view depends on chunking: %q vs %q", whole.view, parts.view)
		}
		if whole.rawNext != int64(len(src)) {
			t.Fatalf("consumed %d of %d raw bytes", whole.rawNext, len(src))
		}
		// every view offset maps into the raw input, monotonically
		prev := int64(0)
		for v := int64(0); v <= int64(len(whole.view)); v++ {
			r := whole.toRawStart(v)
			if r < prev || r > int64(len(src)) {
				t.Fatalf("view %d maps to raw %d (prev %d, len %d)", v, r, prev, len(src))
			}
			prev = r
		}
		if valid := json.Valid(src); valid && !bytes.Contains(src, []byte{'\n'}) {
			// for valid JSON the decoded string contents match encoding/json's
			for _, sg := range whole.segs {
				if sg.ve < 0 {
					t.Fatalf("valid JSON left a string open")
				}
			}
		}
	})
}

// sameFindings compares findings field by field (secrets included).
func sameFindings(a, b []Finding) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.RuleID != y.RuleID || x.Start != y.Start || x.End != y.End || x.JSONPath != y.JSONPath ||
			x.Fingerprint != y.Fingerprint || x.Preview != y.Preview || !bytes.Equal(x.secret, y.secret) {
			return false
		}
	}
	return true
}
