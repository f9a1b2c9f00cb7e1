package providers

import (
	"encoding/json"
	"strings"
	"testing"
)

// R10: tool-call arguments are decoded a second time only when they start with
// '{' or '['. Arguments that are another JSON value (a string literal) or that sit
// in a JSONL body (batch input/output files, Anthropic batch results) are scanned
// after one decode only, so a \u escape chosen by the model hides a token that the
// client's JSON.parse(arguments) restores. The streaming path catches the same bytes.
func TestReviewArgumentsSecondDecode(t *testing.T) {
	tok := ghToken("Ab3dE5")
	inner := `"ghp_\u0041` + tok[5:] + `"` // JSON source: a string literal
	var dec string
	if err := json.Unmarshal([]byte(inner), &dec); err != nil || dec != tok {
		t.Fatalf("fixture: %v %q", err, dec)
	}
	argsJSON, _ := json.Marshal(inner)
	objArgs, _ := json.Marshal(`{"token":` + inner + `}`)
	cases := map[string]string{
		"string-literal args": `{"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":` + string(argsJSON) + `}}]}}]}`,
		"JSONL batch line":    `{"custom_id":"1","response":{"body":{"choices":[{"message":{"tool_calls":[{"function":{"name":"f","arguments":` + string(objArgs) + `}}]}}]}}}` + "\n" + `{"custom_id":"2"}`,
	}
	for name, body := range cases {
		s, _ := newTestScrubber(t)
		out, _, err := s.Body(Response, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), `\\u0041`+tok[5:]) {
			t.Errorf("%s: escaped token passed: %s", name, out)
		}
	}
}
