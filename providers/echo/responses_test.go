package echo_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/providers/echo"
)

type responseObject struct {
	ID        string `json:"id"`
	Object    string `json:"object"`
	CreatedAt int64  `json:"created_at"`
	Status    string `json:"status"`
	Model     string `json:"model"`
	Output    []struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Status  string `json:"status"`
		Role    string `json:"role"`
		Content []struct {
			Type        string `json:"type"`
			Text        string `json:"text"`
			Annotations []any  `json:"annotations"`
		} `json:"content"`
		CallID    string `json:"call_id"`
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"output"`
	Usage *struct {
		InputTokens  int `json:"input_tokens"`
		OutputTokens int `json:"output_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

// answer returns the single output item's text or, for a function call, its name
// and the input of its arguments.
func (r responseObject) answer(t *testing.T) (text, tool string) {
	t.Helper()
	if len(r.Output) != 1 {
		t.Fatalf("output has %d items", len(r.Output))
	}
	it := r.Output[0]
	switch it.Type {
	case "message":
		if it.Role != "assistant" || it.Status != "completed" || !strings.HasPrefix(it.ID, "msg_") ||
			len(it.Content) != 1 || it.Content[0].Type != "output_text" || it.Content[0].Annotations == nil {
			t.Fatalf("message item %+v", it)
		}
		return it.Content[0].Text, ""
	case "function_call":
		if it.Status != "completed" || !strings.HasPrefix(it.ID, "fc_") || it.CallID == "" || it.Name == "" {
			t.Fatalf("function_call item %+v", it)
		}
		return parseArgs(t, it.Arguments), it.Name
	}
	t.Fatalf("output item type %q", it.Type)
	return "", ""
}

// responsesInputs are ways to send text as the last user-ish turn.
func responsesInputs(text string) map[string]string {
	s := jsonString(text)
	return map[string]string{
		"string":  s,
		"message": `[{"role":"user","content":"earlier"},{"role":"assistant","content":"ok"},{"role":"user","content":` + s + `}]`,
		"parts": `[{"type":"message","role":"developer","content":"rules"},{"type":"message","role":"user","content":[` +
			`{"type":"input_text","text":` + s + `},{"type":"input_image","image_url":"data:x"}]}]`,
	}
}

const shellTool = `,"tools":[{"type":"web_search"},{"type":"function","name":"shell","parameters":{"type":"object"}}]`

func TestResponses(t *testing.T) {
	for _, tc := range texts {
		for form, input := range responsesInputs(tc.text) {
			for _, tools := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/tools=%t", tc.name, form, tools), func(t *testing.T) {
					extra := ""
					if tools {
						extra = shellTool
					}
					rec := serve(echo.New(), "POST", "/v1/responses", `{"model":"gpt-x","input":`+input+extra+`}`)
					var got responseObject
					decodeJSON(t, rec, &got)
					if got.Object != "response" || got.Status != "completed" || got.Model != "gpt-x" ||
						!strings.HasPrefix(got.ID, "resp_") || got.CreatedAt == 0 || got.Usage == nil || got.Usage.TotalTokens == 0 {
						t.Errorf("envelope %+v", got)
					}
					if hasKey(t, rec.Body.Bytes(), "output_text") {
						t.Error("output_text is an SDK convenience, not part of the wire")
					}
					text, tool := got.answer(t)
					if text != tc.text || tool != map[bool]string{true: "shell"}[tools] {
						t.Errorf("answer %q tool %q; want %q", text, tool, tc.text)
					}
				})
			}
		}
	}
}

// TestResponsesTurns covers which item is echoed and when a tool is called.
func TestResponsesTurns(t *testing.T) {
	cases := []struct {
		name, input, extra string
		text, tool         string
	}{
		{"tool output after the user turn is echoed as text", `[{"role":"user","content":"run it"},` +
			`{"type":"function_call","call_id":"call_1","name":"shell","arguments":"{}"},` +
			`{"type":"function_call_output","call_id":"call_1","output":"done: key=abc"}]`, shellTool, "done: key=abc", ""},
		{"tool output as parts", `[{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]}]`,
			"", "ab", ""},
		{"user turn after tool output", `[{"type":"function_call_output","call_id":"c","output":"old"},{"role":"user","content":"new"}]`,
			shellTool, "new", "shell"},
		{"tool_choice none", `"q"`, shellTool + `,"tool_choice":"none"`, "q", ""},
		{"tool_choice names a function", `"q"`, `,"tools":[{"type":"function","name":"a"},{"type":"function","name":"b"}],"tool_choice":{"type":"function","name":"b"}`, "q", "b"},
		{"no input", `null`, "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got responseObject
			decodeJSON(t, serve(echo.New(), "POST", "/v1/responses", `{"model":"m","input":`+tc.input+tc.extra+`}`), &got)
			if text, tool := got.answer(t); text != tc.text || tool != tc.tool {
				t.Errorf("answer %q tool %q; want %q tool %q", text, tool, tc.text, tc.tool)
			}
		})
	}
}

type responsesEvent struct {
	Type           string          `json:"type"`
	SequenceNumber *int            `json:"sequence_number"`
	ItemID         string          `json:"item_id"`
	OutputIndex    *int            `json:"output_index"`
	ContentIndex   *int            `json:"content_index"`
	Delta          *string         `json:"delta"`
	Text           *string         `json:"text"`
	Arguments      *string         `json:"arguments"`
	Name           string          `json:"name"`
	Item           json.RawMessage `json:"item"`
	Part           *struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"part"`
	Response *responseObject `json:"response"`
}

func TestResponsesStreaming(t *testing.T) {
	textSeq := []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
		"response.output_text.delta*", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"}
	toolSeq := []string{"response.created", "response.in_progress", "response.output_item.added",
		"response.function_call_arguments.delta*", "response.function_call_arguments.done", "response.output_item.done", "response.completed"}
	for _, tc := range texts {
		for _, tools := range []bool{false, true} {
			for _, chunk := range []int{1, 5} {
				t.Run(fmt.Sprintf("%s/tools=%t/chunk=%d", tc.name, tools, chunk), func(t *testing.T) {
					extra := ""
					if tools {
						extra = shellTool
					}
					rec := serve(echo.New(echo.WithChunkSize(chunk)), "POST", "/v1/responses",
						`{"model":"gpt-x","stream":true,"input":`+jsonString(tc.text)+extra+`}`)
					events := streamEvents(t, rec)
					var names, joinedSeq []string
					var joined, doneText, doneArgs, itemID string
					var completed *responseObject
					for i, ev := range events {
						var e responsesEvent
						unmarshalData(t, ev, &e)
						if e.Type != ev.Name {
							t.Errorf("event %q carries type %q", ev.Name, e.Type)
						}
						if e.SequenceNumber == nil || *e.SequenceNumber != i {
							t.Errorf("event %d %q: sequence_number %v", i, ev.Name, e.SequenceNumber)
						}
						if len(names) == 0 || names[len(names)-1] != ev.Name {
							names = append(names, ev.Name)
						}
						switch ev.Name {
						case "response.created", "response.in_progress":
							if e.Response == nil || e.Response.Status != "in_progress" || len(e.Response.Output) != 0 {
								t.Errorf("%s: %s", ev.Name, ev.Data)
							}
						case "response.output_item.added":
							var item struct{ ID, Type, Status string }
							json.Unmarshal(e.Item, &item)
							if item.Status != "in_progress" || e.OutputIndex == nil || *e.OutputIndex != 0 {
								t.Errorf("item added: %s", ev.Data)
							}
							itemID = item.ID
						case "response.output_text.delta", "response.function_call_arguments.delta":
							if e.Delta == nil || e.ItemID != itemID || e.OutputIndex == nil ||
								(ev.Name == "response.output_text.delta") != (e.ContentIndex != nil) {
								t.Fatalf("delta: %s", ev.Data)
							}
							checkPiece(t, *e.Delta, chunk)
							joined += *e.Delta
						case "response.output_text.done":
							doneText = *e.Text
						case "response.content_part.added", "response.content_part.done":
							if e.Part == nil || e.Part.Type != "output_text" || e.ItemID != itemID {
								t.Errorf("%s: %s", ev.Name, ev.Data)
							}
						case "response.function_call_arguments.done":
							doneArgs = *e.Arguments
							if e.Name != "shell" || e.ItemID != itemID {
								t.Errorf("arguments done: %s", ev.Data)
							}
						case "response.completed":
							completed = e.Response
						}
					}
					for _, n := range names {
						if strings.HasSuffix(n, ".delta") {
							n += "*"
						}
						joinedSeq = append(joinedSeq, n)
					}
					want := textSeq
					if tools {
						want = toolSeq
					}
					if tc.text == "" && !tools { // no text deltas at all
						want = slicesWithout(want, func(s string) bool { return strings.HasSuffix(s, "*") })
					}
					if !reflect.DeepEqual(joinedSeq, want) {
						t.Fatalf("event sequence\n got %v\nwant %v", joinedSeq, want)
					}
					if completed == nil || completed.Status != "completed" || completed.Usage == nil {
						t.Fatalf("response.completed: %+v", completed)
					}
					text, tool := completed.answer(t)
					if tools {
						if parseArgs(t, joined) != tc.text || doneArgs != joined || tool != "shell" || text != tc.text {
							t.Errorf("arguments: joined %q done %q completed %q/%q; want input %q", joined, doneArgs, tool, text, tc.text)
						}
					} else if joined != tc.text || doneText != tc.text || text != tc.text {
						t.Errorf("text: joined %q done %q completed %q; want %q", joined, doneText, text, tc.text)
					}
				})
			}
		}
	}
}

func slicesWithout(s []string, drop func(string) bool) []string {
	var out []string
	for _, v := range s {
		if !drop(v) {
			out = append(out, v)
		}
	}
	return out
}
