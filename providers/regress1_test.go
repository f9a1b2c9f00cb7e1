package providers

import (
	"strings"
	"testing"
)

// R1: the skip-list is matched by member name / string prefix anywhere in a document,
// so any JSON member named "signature" or "encrypted_content", or any string that
// merely starts with "data:image/png;base64,", is never scrubbed.
func TestReviewSkipListByNameAnywhere(t *testing.T) {
	s, _ := newTestScrubber(t)
	tok := ghToken("Ab3dE5")
	cases := map[string]string{
		// Anthropic non-streamed response: model-chosen tool input key
		"anthropic tool_use input": `{"type":"message","content":[{"type":"tool_use","id":"toolu_1","name":"http","input":{"signature":"` + tok + `"}}]}`,
		// chat response: tool-call arguments (nested JSON source)
		"chat tool args": `{"choices":[{"message":{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"encrypted_content\":\"` + tok + `\"}"}}]}}]}`,
		// plain assistant text that begins like a data URL
		"chat content data-url": `{"choices":[{"message":{"role":"assistant","content":"data:image/png;base64,AAAA here is the token ` + tok + `"}}]}`,
		// request: user text
		"request user text": `{"messages":[{"role":"user","content":"data:image/png;base64, ` + tok + `"}]}`,
	}
	for name, body := range cases {
		out, _, err := s.Body(Response, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), tok) {
			t.Errorf("%s: secret passed unscrubbed: %s", name, out)
		}
	}
}

// R1b: Responses stream: the deltas are redacted, but the *.done / response.completed
// events repeat the full text and skip it because it starts with "data:image/…;base64,".
func TestReviewResponsesDoneLeaksSkippedText(t *testing.T) {
	s, _ := newTestScrubber(t)
	tok := ghToken("Ab3dE5")
	text := "data:image/png;base64,AAAA token " + tok
	in := `event: response.output_text.delta
data: {"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":` + jsonStr(text) + `}

event: response.output_text.done
data: {"type":"response.output_text.done","item_id":"msg_1","output_index":0,"content_index":0,"text":` + jsonStr(text) + `}

event: response.completed
data: {"type":"response.completed","response":{"id":"resp_1","output":[{"type":"message","id":"msg_1","content":[{"type":"output_text","text":` + jsonStr(text) + `}]}]}}

`
	out := runStream(t, s, in)
	if strings.Contains(out, tok) {
		t.Fatalf("secret reached the client:\n%s", out)
	}
}

// R1c: Responses function call whose (model-chosen) argument is named "signature":
// the argument deltas are redacted, the *.done / output_item.done / response.completed
// repeats are not.
func TestReviewResponsesArgsSignatureKey(t *testing.T) {
	s, _ := newTestScrubber(t)
	tok := ghToken("Ab3dE5")
	args := `{"signature":"` + tok + `"}`
	in := `event: response.function_call_arguments.delta
data: {"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":` + jsonStr(args) + `}

event: response.function_call_arguments.done
data: {"type":"response.function_call_arguments.done","item_id":"fc_1","output_index":0,"arguments":` + jsonStr(args) + `}

event: response.output_item.done
data: {"type":"response.output_item.done","output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"http","arguments":` + jsonStr(args) + `}}

`
	out := runStream(t, s, in)
	if strings.Contains(out, tok) {
		t.Fatalf("secret reached the client:\n%s", out)
	}
}
