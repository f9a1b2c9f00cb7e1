package providers

import (
	"errors"
	"strings"
	"testing"
)

// A tool call's arguments are JSON source inside a JSON string, decoded a second
// time to scan them. Whether a body has arguments was decided by looking for the
// bytes "arguments" in quotes, so a member name spelled with an escape
// ("argum\u0065nts", which every JSON parser reads as arguments) skipped the second
// decoding, and a secret escaped inside the arguments went through. The scan's own
// (decoded) member names decide now.
func TestR11EscapedArgumentsNameStillDecodedTwice(t *testing.T) {
	s, _ := newTestScrubber(t)
	aws := "AKIAQ3ZR7TLMXW2KJ5NP"
	escaped := `\\u0041` + aws[1:] // the A of AKIA written as \u0041 inside the arguments' JSON
	for _, name := range []string{`arguments`, `argum\u0065nts`, `\u0061rguments`} {
		body := `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"call_1","type":"function",` +
			`"function":{"name":"f","` + name + `":"{\"k\":\"` + escaped + `\"}"}}]}]}`
		out, res, err := s.Body(Request, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Redactions != 1 || strings.Contains(string(out), aws[4:]) {
			t.Fatalf("member %q: the escaped key in the arguments was not redacted (%d redactions): %s", name, res.Redactions, out)
		}
	}
}

// The same in a JSON lines body (a batch input file): each line is looked at alone.
func TestR11EscapedArgumentsNameInJSONLines(t *testing.T) {
	s, _ := newTestScrubber(t)
	aws := "AKIAQ3ZR7TLMXW2KJ5NP"
	line := func(name string) string {
		return `{"custom_id":"r1","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function",` +
			`"function":{"name":"f","` + name + `":"{\"k\":\"\\u0041` + aws[1:] + `\"}"}}]}]}}`
	}
	body := line("arguments") + "\n" + line(`argum\u0065nts`) + "\n"
	out, res, err := s.Body(Request, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if res.Redactions != 2 || strings.Contains(string(out), aws[4:]) {
		t.Fatalf("want both lines' keys redacted, got %d: %s", res.Redactions, out)
	}
}

// A line with a \u escape gets its tree only in case it hides a tree member; a
// line too deep for a tree is refused only when it really has one.
func TestR11DeepEscapedLineRefusedOnlyWithTreeMembers(t *testing.T) {
	s, _ := newTestScrubber(t)
	l1 := `{"custom_id":"r1","body":{"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}]}}`
	deep := func(name string) string {
		return `{"custom_id":"r2","body":{"` + name + `":` + strings.Repeat("[", 130) + `"caf\u00e9"` + strings.Repeat("]", 130) + `}}`
	}
	if _, _, err := s.Body(Request, []byte(l1+"\n"+deep("x")+"\n")); err != nil {
		t.Fatalf("a deep line without tree members was refused: %v", err)
	}
	if _, _, err := s.Body(Request, []byte(l1+"\n"+deep(`argum\u0065nts`)+"\n")); err != ErrUnscannable {
		t.Fatalf("a deep line with an escaped arguments member: err = %v, want ErrUnscannable", err)
	}
}

// A body that is not valid JSON gets no tree, so its tool-call arguments would not
// be decoded a second time: when it has them, it is refused instead of being
// forwarded with a secret escaped inside them (review).
func TestR11BrokenJSONWithArgumentsRefused(t *testing.T) {
	s, _ := newTestScrubber(t)
	aws := "AKIAQ3ZR7TLMXW2KJ5NP"
	args := `"arguments":"{\"k\":\"\\u0041` + aws[1:] + `\"}"`
	broken := `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f",` + args + `}}]}` // one ] short
	if out, _, err := s.Body(Request, []byte(broken)); err != ErrUnscannable {
		t.Fatalf("broken JSON with arguments: err = %v (secret passed: %v)", err, strings.Contains(string(out), aws[4:]))
	}
	lines := `{"custom_id":"r1","body":{"messages":[]}}` + "\n" + `{"custom_id":"r2","body":{"function":{` + args + `}}` + "\n"
	if _, _, err := s.Body(Request, []byte(lines)); err != ErrUnscannable {
		t.Fatalf("a broken JSON line with arguments: err = %v", err)
	}
	// Broken JSON without anything that needs a tree is still scanned leniently.
	out, res, err := s.Body(Request, []byte(`{"messages":[{"role":"user","content":"key `+aws+`"}`))
	if err != nil || res.Redactions != 1 || strings.Contains(string(out), aws) {
		t.Fatalf("lenient scan of broken JSON: %v, %d redactions", err, res.Redactions)
	}
}

// Tool-call arguments nested deeper than the scanner's view follows (256) are not
// seen as member names, so neither the JSON body nor a JSONL body is refused, and
// the secret escaped inside the arguments went through unredacted (review). Now
// such a body is refused.
func TestR11DeepArgumentsRefusedOrRedacted(t *testing.T) {
	s, _ := newTestScrubber(t)
	aws := "AKIAQ3ZR7TLMXW2KJ5NP"
	args := `{"tool_calls":[{"function":{"name":"f","arguments":"{\"k\":\"\\u0041` + aws[1:] + `\"}"}}]}`
	for _, depth := range []int{200, 300} {
		doc := `{"model":"m","x":` + strings.Repeat("[", depth) + args + strings.Repeat("]", depth) + `}`
		for _, body := range []string{doc, `{"custom_id":"a"}` + "\n" + doc + "\n"} {
			out, _, err := s.Body(Request, []byte(body))
			if errors.Is(err, ErrUnscannable) {
				continue
			}
			if err != nil {
				t.Fatalf("depth %d: %v", depth, err)
			}
			if strings.Contains(string(out), aws[4:]) {
				t.Errorf("depth %d, jsonl=%v: escaped secret in arguments passed unredacted", depth, strings.Contains(body, "\n"))
			}
		}
	}
}

// Body is also given text that merely starts with '[' or '{' (multipart text parts,
// non-JSON responses): such text is scanned leniently, not refused
// for mentioning a base64 data: URL or "arguments" (review).
func TestR11TextStartingLikeJSONNotRefused(t *testing.T) {
	s, _ := newTestScrubber(t)
	for _, body := range []string{
		"[![logo](data:image/png;base64,iVBORw0KGgo=)](https://example.com)\n\nSome README text.\n",
		"{{ template }} \"arguments\": see docs\n",
	} {
		_, _, err := s.Body(Request, []byte(body))
		if errors.Is(err, ErrUnscannable) {
			t.Errorf("refused non-JSON text: %q", body)
		}
	}
}

// Locations deep in a body are rendered in one pass (they were concatenated level
// by level, for every finding: quadratic in the depth).
func TestR11DeepLocations(t *testing.T) {
	s, rec := newTestScrubber(t)
	tok := ghToken("D33pLo")
	depth := 100
	body := `{"messages":[{"role":"tool","content":` + strings.Repeat(`{"k":`, depth) + `["` + tok + `","` + tok + `"]` + strings.Repeat("}", depth) + `}]}`
	out, res, err := s.Body(Request, []byte(body))
	if err != nil || res.Redactions != 2 || strings.Contains(string(out), tok) {
		t.Fatalf("err %v, %d redactions", err, res.Redactions)
	}
	want := "$.messages[0].content" + strings.Repeat(".k", depth)
	if len(rec.hits) != 2 || rec.hits[0].Location != want+"[0]" || rec.hits[1].Location != want+"[1]" {
		t.Fatalf("locations: %d hits, %.80q", len(rec.hits), rec.hits[0].Location)
	}
}
