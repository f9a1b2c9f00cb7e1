package providers

import (
	"strings"
	"testing"
)

// R15: tool-call arguments are JSON source written by the model; when it is not
// valid JSON, text outside string literals is not scanned in JSON mode, and the
// outer finding over the same span is excluded: the token reaches the client.
func TestReviewArgumentsBareTokenOutsideStrings(t *testing.T) {
	tok := ghToken("Ab3dE5")
	for _, args := range []string{
		`{"token": ` + tok + `}`,
		`{"cmd":"deploy"} ` + tok,
		`{"n": 1, ` + tok + `: 2}`,
	} {
		body := `{"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":` + jsonStr(args) + `}}]}}]}`
		s, _ := newTestScrubber(t)
		out, _, _ := s.Body(Response, []byte(body))
		if strings.Contains(string(out), tok) {
			t.Errorf("non-stream, args %q: token passed", args)
		}
		st := runStream(t, s, chatStream([]string{"x"}, []string{args[:len(args)/2], args[len(args)/2:]}))
		if strings.Contains(st, tok) {
			t.Errorf("stream, args %q: token passed", args)
		}
	}
}
