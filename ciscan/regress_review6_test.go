package ciscan

import (
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
