package echo_test

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/providers/echo"
)

type chatCompletion struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index   int `json:"index"`
		Message struct {
			Role             string  `json:"role"`
			Content          *string `json:"content"`
			ReasoningContent *string `json:"reasoning_content"`
			ToolCalls        []struct {
				ID       string `json:"id"`
				Type     string `json:"type"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage `json:"usage"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type chatChunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Role             string  `json:"role"`
			Content          *string `json:"content"`
			ReasoningContent *string `json:"reasoning_content"`
			ToolCalls        []struct {
				Index    *int   `json:"index"`
				ID       string `json:"id"`
				Type     string `json:"type"`
				Function struct {
					Name      string  `json:"name"`
					Arguments *string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage `json:"usage"`
}

// chatBody builds a chat request whose last user message is text.
func chatBody(model, text string, stream bool, extra string) string {
	return fmt.Sprintf(`{"model":%q,"stream":%t,"messages":[{"role":"system","content":"be brief"},`+
		`{"role":"user","content":"an earlier turn"},{"role":"assistant","content":"ok"},`+
		`{"role":"user","content":%s}]%s}`, model, stream, jsonString(text), extra)
}

const weatherTools = `,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}},` +
	`{"type":"function","function":{"name":"other"}}]`

func TestChat(t *testing.T) {
	for _, tc := range texts {
		for _, tools := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/tools=%t", tc.name, tools), func(t *testing.T) {
				extra := ""
				if tools {
					extra = weatherTools
				}
				var got chatCompletion
				decodeJSON(t, serve(echo.New(), "POST", "/v1/chat/completions", chatBody("gpt-test", tc.text, false, extra)), &got)
				if got.Object != "chat.completion" || got.Model != "gpt-test" || !strings.HasPrefix(got.ID, "chatcmpl-") || got.Created == 0 {
					t.Errorf("envelope: %+v", got)
				}
				if len(got.Choices) != 1 || got.Choices[0].Message.Role != "assistant" {
					t.Fatalf("choices: %+v", got.Choices)
				}
				c := got.Choices[0]
				if tools {
					if c.FinishReason != "tool_calls" || c.Message.Content != nil || len(c.Message.ToolCalls) != 1 {
						t.Fatalf("tool answer: %+v", c)
					}
					call := c.Message.ToolCalls[0]
					if call.Type != "function" || call.Function.Name != "get_weather" || !strings.HasPrefix(call.ID, "call_") {
						t.Errorf("tool call: %+v", call)
					}
					if in := parseArgs(t, call.Function.Arguments); in != tc.text {
						t.Errorf("arguments input = %q, want %q", in, tc.text)
					}
				} else {
					if c.FinishReason != "stop" || c.Message.Content == nil || *c.Message.Content != tc.text {
						t.Errorf("answer: %+v, want content %q", c, tc.text)
					}
				}
				if u := got.Usage; u == nil || u.TotalTokens != u.PromptTokens+u.CompletionTokens || u.PromptTokens == 0 {
					t.Errorf("usage: %+v", u)
				}
			})
		}
	}
}

// chatStream holds what a streamed chat answer added up to.
type chatStream struct {
	content, reasoning, args string
	toolName, toolID         string
	finish                   string
	usage                    *usage
	reasoningAfterContent    bool
}

// readChatStream checks the chunk sequence of a streamed chat answer.
func readChatStream(t *testing.T, events []sseEvent, chunk int, includeUsage bool) chatStream {
	t.Helper()
	if len(events) < 3 || events[len(events)-1].Data != "[DONE]" {
		t.Fatalf("stream does not end with [DONE]: %v", events)
	}
	var s chatStream
	var id string
	for i, ev := range events[:len(events)-1] {
		if ev.Name != "" {
			t.Errorf("chat chunk with an event name %q", ev.Name)
		}
		var c chatChunk
		unmarshalData(t, ev, &c)
		if c.Object != "chat.completion.chunk" || c.ID == "" || (id != "" && c.ID != id) {
			t.Errorf("chunk %d envelope: %s", i, ev.Data)
		}
		id = c.ID
		if includeUsage != hasKey(t, []byte(ev.Data), "usage") {
			t.Errorf("chunk %d: usage key present = %t, want %t", i, !includeUsage, includeUsage)
		}
		if s.finish != "" { // only the usage chunk may follow the finish chunk
			if !includeUsage || len(c.Choices) != 0 || c.Usage == nil || i != len(events)-2 {
				t.Errorf("chunk %d after the finish chunk: %s", i, ev.Data)
			}
			s.usage = c.Usage
			continue
		}
		if includeUsage && c.Usage != nil {
			t.Errorf("chunk %d carries usage before the end: %s", i, ev.Data)
		}
		if len(c.Choices) != 1 {
			t.Fatalf("chunk %d: %d choices", i, len(c.Choices))
		}
		ch := c.Choices[0]
		d := ch.Delta
		if (i == 0) != (d.Role == "assistant") {
			t.Errorf("chunk %d: role %q (the first chunk, and only it, carries the role)", i, d.Role)
		}
		if ch.FinishReason != nil {
			s.finish = *ch.FinishReason
			if d.Role != "" || d.Content != nil || d.ReasoningContent != nil || d.ToolCalls != nil {
				t.Errorf("finish chunk has a non-empty delta: %s", ev.Data)
			}
			continue
		}
		if d.ReasoningContent != nil {
			if s.content != "" {
				s.reasoningAfterContent = true
			}
			if i > 0 {
				checkPiece(t, *d.ReasoningContent, chunk)
			}
			s.reasoning += *d.ReasoningContent
		}
		if d.Content != nil {
			if i > 0 {
				checkPiece(t, *d.Content, chunk)
			}
			s.content += *d.Content
		}
		for _, tc := range d.ToolCalls {
			if tc.Index == nil || *tc.Index != 0 || tc.Function.Arguments == nil {
				t.Fatalf("tool call delta without index 0 or arguments: %s", ev.Data)
			}
			if s.toolName == "" {
				if tc.ID == "" || tc.Type != "function" || tc.Function.Name == "" || *tc.Function.Arguments != "" {
					t.Errorf("first tool call delta: %s", ev.Data)
				}
				s.toolName, s.toolID = tc.Function.Name, tc.ID
				continue
			}
			if tc.ID != "" || tc.Type != "" || tc.Function.Name != "" {
				t.Errorf("later tool call delta carries more than index and arguments: %s", ev.Data)
			}
			checkPiece(t, *tc.Function.Arguments, chunk)
			s.args += *tc.Function.Arguments
		}
	}
	if s.finish == "" {
		t.Fatal("no finish chunk")
	}
	if includeUsage && s.usage == nil {
		t.Error("include_usage: no usage chunk")
	}
	return s
}

func TestChatStreaming(t *testing.T) {
	for _, tc := range texts {
		for _, chunk := range []int{1, 4, 7} {
			for _, includeUsage := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/chunk=%d/usage=%t", tc.name, chunk, includeUsage), func(t *testing.T) {
					extra := ""
					if includeUsage {
						extra = `,"stream_options":{"include_usage":true}`
					}
					rec := serve(echo.New(echo.WithChunkSize(chunk)), "POST", "/v1/chat/completions", chatBody("m", tc.text, true, extra))
					s := readChatStream(t, streamEvents(t, rec), chunk, includeUsage)
					if s.content != tc.text || s.finish != "stop" || s.reasoning != "" || s.toolName != "" {
						t.Errorf("stream gave content %q finish %q reasoning %q tool %q; want %q", s.content, s.finish, s.reasoning, s.toolName, tc.text)
					}
					if includeUsage && s.usage.TotalTokens != s.usage.PromptTokens+s.usage.CompletionTokens {
						t.Errorf("usage %+v", s.usage)
					}
				})
			}
		}
	}
}

func TestChatStreamingToolCalls(t *testing.T) {
	for _, tc := range texts {
		for _, chunk := range []int{1, 3, 4} {
			t.Run(fmt.Sprintf("%s/chunk=%d", tc.name, chunk), func(t *testing.T) {
				rec := serve(echo.New(echo.WithChunkSize(chunk)), "POST", "/openai/deployments/gpt/chat/completions?api-version=2024-10-21",
					chatBody("", tc.text, true, weatherTools))
				s := readChatStream(t, streamEvents(t, rec), chunk, false)
				if s.finish != "tool_calls" || s.toolName != "get_weather" || s.content != "" {
					t.Errorf("finish %q tool %q content %q", s.finish, s.toolName, s.content)
				}
				if in := parseArgs(t, s.args); in != tc.text {
					t.Errorf("re-joined arguments give input %q, want %q", in, tc.text)
				}
			})
		}
	}
}

func TestChatReasoning(t *testing.T) {
	const text = "think about ünïcode"
	for _, tools := range []bool{false, true} {
		t.Run(fmt.Sprintf("tools=%t", tools), func(t *testing.T) {
			extra := ""
			if tools {
				extra = weatherTools
			}
			rec := serve(echo.New(), "POST", "/api/v1/chat/completions", chatBody("deepseek/echo-reasoning-1", text, true, extra))
			s := readChatStream(t, streamEvents(t, rec), 4, false)
			if s.reasoning != text || s.reasoningAfterContent {
				t.Errorf("reasoning %q (after content: %t), want %q first", s.reasoning, s.reasoningAfterContent, text)
			}
			if tools {
				if in := parseArgs(t, s.args); in != text || s.toolName != "get_weather" {
					t.Errorf("tool %q input %q", s.toolName, in)
				}
			} else if s.content != text {
				t.Errorf("content %q", s.content)
			}

			var got chatCompletion
			decodeJSON(t, serve(echo.New(), "POST", "/v1/chat/completions", chatBody("echo-reasoning-1", text, false, extra)), &got)
			if r := got.Choices[0].Message.ReasoningContent; r == nil || *r != text {
				t.Errorf("non-streaming reasoning_content %v", r)
			}
		})
	}
}

// TestChatTurns covers which turn is echoed and when a tool is called.
func TestChatTurns(t *testing.T) {
	cases := []struct {
		name, body   string
		text, tool   string // the echoed text; the tool called, if any
		wantToolCall bool
	}{
		{"parts", `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"one "},` +
			`{"type":"image_url","image_url":{"url":"data:x"}},{"type":"text","text":"two"}]}]}`, "one two", "", false},
		{"last user after assistant", `{"model":"m","messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}`, "q", "", false},
		{"tool result is echoed as text", `{"model":"m","messages":[{"role":"user","content":"q"},` +
			`{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},` +
			`{"role":"tool","tool_call_id":"call_1","content":"sunny, token=abc"}]` + weatherTools + `}`, "sunny, token=abc", "", false},
		{"tool result parts", `{"model":"m","messages":[{"role":"tool","tool_call_id":"c","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}`, "ab", "", false},
		{"tool_choice none", `{"model":"m","messages":[{"role":"user","content":"q"}],"tool_choice":"none"` + weatherTools + `}`, "q", "", false},
		{"tool_choice names a tool", `{"model":"m","messages":[{"role":"user","content":"q"}],` +
			`"tool_choice":{"type":"function","function":{"name":"other"}}` + weatherTools + `}`, "q", "other", true},
		{"tool_choice required", `{"model":"m","messages":[{"role":"user","content":"q"}],"tool_choice":"required"` + weatherTools + `}`, "q", "get_weather", true},
		{"no user turn", `{"model":"m","messages":[{"role":"system","content":"s"}]}`, "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got chatCompletion
			decodeJSON(t, serve(echo.New(), "POST", "/v1/chat/completions", tc.body), &got)
			m := got.Choices[0].Message
			if tc.wantToolCall {
				if len(m.ToolCalls) != 1 || m.ToolCalls[0].Function.Name != tc.tool || parseArgs(t, m.ToolCalls[0].Function.Arguments) != tc.text {
					t.Errorf("want a call to %s with input %q: %+v", tc.tool, tc.text, m)
				}
				return
			}
			if len(m.ToolCalls) != 0 || m.Content == nil || *m.Content != tc.text {
				t.Errorf("want text %q: %+v", tc.text, m)
			}
		})
	}
}

type textCompletion struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Model   string `json:"model"`
	Choices []struct {
		Text         string  `json:"text"`
		Index        int     `json:"index"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage `json:"usage"`
}

func TestCompletions(t *testing.T) {
	for _, tc := range texts {
		for _, prompt := range []string{jsonString(tc.text), "[" + jsonString(tc.text) + `,"second"]`} {
			t.Run(tc.name+"/"+prompt[:1], func(t *testing.T) {
				body := `{"model":"davinci-echo","prompt":` + prompt + `}`
				var got textCompletion
				decodeJSON(t, serve(echo.New(), "POST", "/v1/completions", body), &got)
				if got.Object != "text_completion" || got.Model != "davinci-echo" || len(got.Choices) != 1 ||
					got.Choices[0].Text != tc.text || *got.Choices[0].FinishReason != "stop" || got.Usage == nil {
					t.Errorf("got %+v, want text %q", got, tc.text)
				}

				body = `{"model":"davinci-echo","stream":true,"stream_options":{"include_usage":true},"prompt":` + prompt + `}`
				events := streamEvents(t, serve(echo.New(echo.WithChunkSize(3)), "POST", "/v1/completions", body))
				if len(events) < 3 || events[len(events)-1].Data != "[DONE]" {
					t.Fatalf("events %v", events)
				}
				var text string
				finished := false
				for _, ev := range events[:len(events)-2] {
					var c textCompletion
					unmarshalData(t, ev, &c)
					if c.Object != "text_completion" || len(c.Choices) != 1 || finished {
						t.Fatalf("chunk %s", ev.Data)
					}
					if c.Choices[0].FinishReason != nil {
						finished = *c.Choices[0].FinishReason == "stop"
						continue
					}
					checkPiece(t, c.Choices[0].Text, 3)
					text += c.Choices[0].Text
				}
				var u textCompletion
				unmarshalData(t, events[len(events)-2], &u)
				if text != tc.text || !finished || len(u.Choices) != 0 || u.Usage == nil {
					t.Errorf("streamed %q (finished %t), usage chunk %s; want %q", text, finished, events[len(events)-2].Data, tc.text)
				}
			})
		}
	}
}

type embeddingList struct {
	Object string `json:"object"`
	Model  string `json:"model"`
	Data   []struct {
		Object    string          `json:"object"`
		Index     int             `json:"index"`
		Embedding json.RawMessage `json:"embedding"`
	} `json:"data"`
	Usage struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

func embeddings(t *testing.T, body string) (embeddingList, [][]float32) {
	t.Helper()
	var got embeddingList
	decodeJSON(t, serve(echo.New(), "POST", "/v1/embeddings", body), &got)
	if got.Object != "list" || got.Usage.PromptTokens == 0 {
		t.Errorf("envelope %+v", got)
	}
	var vecs [][]float32
	for i, d := range got.Data {
		if d.Object != "embedding" || d.Index != i {
			t.Errorf("item %d: %+v", i, d)
		}
		var v []float32
		var s string
		if json.Unmarshal(d.Embedding, &s) == nil {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil || len(b)%4 != 0 {
				t.Fatalf("base64 embedding %q: %v", s, err)
			}
			for j := 0; j < len(b); j += 4 {
				v = append(v, math.Float32frombits(binary.LittleEndian.Uint32(b[j:])))
			}
		} else if err := json.Unmarshal(d.Embedding, &v); err != nil {
			t.Fatalf("embedding %s: %v", d.Embedding, err)
		}
		vecs = append(vecs, v)
	}
	return got, vecs
}

func TestEmbeddings(t *testing.T) {
	_, one := embeddings(t, `{"model":"text-embedding-3-small","input":"hello"}`)
	_, again := embeddings(t, `{"model":"text-embedding-3-small","input":"hello","encoding_format":"base64"}`)
	list, many := embeddings(t, `{"model":"e","input":["hello","world",[1,2,3]]}`)
	_, tokensOne := embeddings(t, `{"model":"e","input":[1,2,3]}`)
	_, wide := embeddings(t, `{"model":"e","input":"hello","dimensions":20}`)

	if len(one) != 1 || len(one[0]) != 8 {
		t.Fatalf("want one 8-dim vector, got %v", one)
	}
	var norm float64
	for _, f := range one[0] {
		norm += float64(f) * float64(f)
	}
	if math.Abs(norm-1) > 1e-5 {
		t.Errorf("vector norm² %v, want 1", norm)
	}
	if !reflect.DeepEqual(one[0], again[0]) || !reflect.DeepEqual(one[0], many[0]) {
		t.Errorf("same input, different vectors (float vs base64 vs list): %v %v %v", one[0], again[0], many[0])
	}
	if list.Model != "e" || len(many) != 3 || reflect.DeepEqual(many[0], many[1]) {
		t.Errorf("list of three: %v", many)
	}
	if !reflect.DeepEqual(many[2], tokensOne[0]) {
		t.Errorf("token-id input: %v vs %v", many[2], tokensOne[0])
	}
	if len(wide[0]) != 20 {
		t.Errorf("dimensions 20: got %d", len(wide[0]))
	}
}

func TestModels(t *testing.T) {
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID      string `json:"id"`
			Object  string `json:"object"`
			Created int64  `json:"created"`
			OwnedBy string `json:"owned_by"`
		} `json:"data"`
	}
	decodeJSON(t, serve(echo.New(), "GET", "/v1/models", ""), &list)
	var ids []string
	for _, m := range list.Data {
		if m.Object != "model" || m.Created == 0 || m.OwnedBy != "scrubgate-echo" {
			t.Errorf("model %+v", m)
		}
		ids = append(ids, m.ID)
	}
	if list.Object != "list" || !reflect.DeepEqual(ids, []string{"echo-1", "echo-reasoning-1", "claude-echo"}) {
		t.Errorf("list %+v", list)
	}

	var one struct{ ID, Object, OwnedBy string }
	decodeJSON(t, serve(echo.New(), "GET", "/api/v1/models/echo-reasoning-1", ""), &one)
	if one.ID != "echo-reasoning-1" || one.Object != "model" {
		t.Errorf("one model %+v", one)
	}

	var ant struct {
		Data []struct {
			Type, ID, DisplayName string
			CreatedAt             string `json:"created_at"`
		} `json:"data"`
		HasMore bool   `json:"has_more"`
		FirstID string `json:"first_id"`
		LastID  string `json:"last_id"`
	}
	decodeJSON(t, serve(echo.New(), "GET", "/v1/models", "", "anthropic-version", "2023-06-01"), &ant)
	if len(ant.Data) != 3 || ant.Data[2].ID != "claude-echo" || ant.Data[0].Type != "model" || ant.Data[0].CreatedAt == "" ||
		ant.FirstID != "echo-1" || ant.LastID != "claude-echo" {
		t.Errorf("anthropic list %+v", ant)
	}
}
