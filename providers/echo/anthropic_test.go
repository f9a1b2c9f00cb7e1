package echo_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/scrubgate/scrubgate/providers/echo"
)

type anthropicBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	Thinking  string          `json:"thinking"`
	Signature string          `json:"signature"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

type anthropicMessage struct {
	ID           string           `json:"id"`
	Type         string           `json:"type"`
	Role         string           `json:"role"`
	Model        string           `json:"model"`
	Content      []anthropicBlock `json:"content"`
	StopReason   *string          `json:"stop_reason"`
	StopSequence *string          `json:"stop_sequence"`
	Usage        *struct {
		InputTokens  int `json:"input_tokens"`
		OutputTokens int `json:"output_tokens"`
	} `json:"usage"`
}

// messagesBody builds a Messages request whose last user turn is text.
func messagesBody(text string, stream bool, extra string) string {
	return fmt.Sprintf(`{"model":"claude-echo","max_tokens":1024,"stream":%t,"system":[{"type":"text","text":"sys"}],`+
		`"messages":[{"role":"user","content":"earlier"},{"role":"assistant","content":[{"type":"text","text":"ok"}]},`+
		`{"role":"user","content":[{"type":"text","text":%s}]}]%s}`, stream, jsonString(text), extra)
}

const bashTool = `,"tools":[{"type":"web_search_20250305","name":"web_search"},{"name":"Bash","description":"run","input_schema":{"type":"object"}}]`
const thinkingOn = `,"thinking":{"type":"enabled","budget_tokens":2048}`

// messagesVariant is a combination of tools and thinking.
type messagesVariant struct{ tools, thinking bool }

func (v messagesVariant) extra() string {
	s := ""
	if v.tools {
		s += bashTool
	}
	if v.thinking {
		s += thinkingOn
	}
	return s
}

var messagesVariants = []messagesVariant{{false, false}, {true, false}, {false, true}, {true, true}}

// checkMessage checks a complete message's content against the echoed text.
func checkMessage(t *testing.T, m anthropicMessage, v messagesVariant, text string) {
	t.Helper()
	if m.Type != "message" || m.Role != "assistant" || m.Model != "claude-echo" || !strings.HasPrefix(m.ID, "msg_") ||
		m.StopSequence != nil || m.Usage == nil || m.Usage.InputTokens == 0 {
		t.Errorf("envelope %+v", m)
	}
	blocks := m.Content
	if v.thinking {
		if len(blocks) == 0 || blocks[0].Type != "thinking" || blocks[0].Thinking != text || blocks[0].Signature == "" {
			t.Fatalf("want a thinking block first: %+v", blocks)
		}
		blocks = blocks[1:]
	}
	if len(blocks) != 1 {
		t.Fatalf("content %+v", m.Content)
	}
	b := blocks[0]
	if v.tools {
		if b.Type != "tool_use" || b.Name != "Bash" || !strings.HasPrefix(b.ID, "toolu_") || m.StopReason == nil || *m.StopReason != "tool_use" {
			t.Fatalf("tool_use %+v", m)
		}
		if in := parseArgs(t, string(b.Input)); in != text {
			t.Errorf("tool input %q, want %q", in, text)
		}
		return
	}
	if b.Type != "text" || b.Text != text || m.StopReason == nil || *m.StopReason != "end_turn" {
		t.Errorf("answer %+v, want text %q", m, text)
	}
}

func TestMessages(t *testing.T) {
	for _, tc := range texts {
		for _, v := range messagesVariants {
			t.Run(fmt.Sprintf("%s/%+v", tc.name, v), func(t *testing.T) {
				var got anthropicMessage
				decodeJSON(t, serve(echo.New(), "POST", "/v1/messages", messagesBody(tc.text, false, v.extra())), &got)
				checkMessage(t, got, v, tc.text)
			})
		}
	}
}

// TestMessagesTurns covers which turn is echoed and when a tool is called.
func TestMessagesTurns(t *testing.T) {
	cases := []struct {
		name, messages, extra string
		text                  string
		tool                  bool
	}{
		{"string content", `[{"role":"user","content":"plain"}]`, bashTool, "plain", true},
		{"tool_result is echoed as text", `[{"role":"user","content":"run"},` +
			`{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{}}]},` +
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"out: pw=x"},{"type":"text","text":" (reminder)"}]}]`,
			bashTool, "out: pw=x (reminder)", false},
		{"tool_result blocks", `[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"a"},{"type":"image","source":{}},{"type":"text","text":"b"}]}]}]`,
			"", "ab", false},
		{"tool_choice none", `[{"role":"user","content":"q"}]`, bashTool + `,"tool_choice":{"type":"none"}`, "q", false},
		{"tool_choice names a tool", `[{"role":"user","content":"q"}]`,
			`,"tools":[{"name":"A","input_schema":{}},{"name":"B","input_schema":{}}],"tool_choice":{"type":"tool","name":"B"}`, "q", true},
		{"thinking disabled", `[{"role":"user","content":"q"}]`, `,"thinking":{"type":"disabled"}`, "q", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got anthropicMessage
			decodeJSON(t, serve(echo.New(), "POST", "/v1/messages", `{"model":"claude-echo","max_tokens":5,"messages":`+tc.messages+tc.extra+`}`), &got)
			if len(got.Content) != 1 {
				t.Fatalf("content %+v", got.Content)
			}
			b := got.Content[0]
			if tc.tool {
				want := "Bash"
				if strings.Contains(tc.extra, `"name":"B"`) {
					want = "B"
				}
				if b.Type != "tool_use" || b.Name != want || parseArgs(t, string(b.Input)) != tc.text {
					t.Errorf("want a call to %s with input %q: %+v", want, tc.text, b)
				}
			} else if b.Type != "text" || b.Text != tc.text {
				t.Errorf("want text %q: %+v", tc.text, b)
			}
		})
	}
}

type anthropicEvent struct {
	Type         string            `json:"type"`
	Index        *int              `json:"index"`
	Message      *anthropicMessage `json:"message"`
	ContentBlock *anthropicBlock   `json:"content_block"`
	Delta        *struct {
		Type         string  `json:"type"`
		Text         *string `json:"text"`
		Thinking     *string `json:"thinking"`
		Signature    *string `json:"signature"`
		PartialJSON  *string `json:"partial_json"`
		StopReason   *string `json:"stop_reason"`
		StopSequence *string `json:"stop_sequence"`
	} `json:"delta"`
	Usage *struct {
		OutputTokens int `json:"output_tokens"`
	} `json:"usage"`
}

// readMessageStream rebuilds the message a stream describes, checking the event
// grammar on the way, and returns it with the sequence of event names (runs of
// deltas collapsed).
func readMessageStream(t *testing.T, events []sseEvent, chunk int) (anthropicMessage, []string) {
	t.Helper()
	var msg anthropicMessage
	var names []string
	open := -1 // index of the open block
	var partial string
	for _, ev := range events {
		var e anthropicEvent
		unmarshalData(t, ev, &e)
		if e.Type != ev.Name {
			t.Fatalf("event %q carries type %q", ev.Name, e.Type)
		}
		if len(names) == 0 || names[len(names)-1] != ev.Name || ev.Name != "content_block_delta" {
			names = append(names, ev.Name)
		}
		switch ev.Name {
		case "message_start":
			if e.Message == nil || len(e.Message.Content) != 0 || e.Message.StopReason != nil {
				t.Fatalf("message_start %s", ev.Data)
			}
			msg = *e.Message
		case "content_block_start":
			if e.Index == nil || *e.Index != len(msg.Content) || open != -1 || e.ContentBlock == nil {
				t.Fatalf("content_block_start %s", ev.Data)
			}
			open = *e.Index
			msg.Content = append(msg.Content, *e.ContentBlock)
			partial = ""
		case "content_block_delta":
			if e.Index == nil || *e.Index != open || e.Delta == nil {
				t.Fatalf("content_block_delta %s", ev.Data)
			}
			b := &msg.Content[open]
			switch d := e.Delta; {
			case d.Type == "text_delta" && b.Type == "text":
				checkPiece(t, *d.Text, chunk)
				b.Text += *d.Text
			case d.Type == "thinking_delta" && b.Type == "thinking":
				checkPiece(t, *d.Thinking, chunk)
				b.Thinking += *d.Thinking
			case d.Type == "signature_delta" && b.Type == "thinking":
				b.Signature = *d.Signature
			case d.Type == "input_json_delta" && b.Type == "tool_use":
				checkPiece(t, *d.PartialJSON, chunk)
				partial += *d.PartialJSON
			default:
				t.Fatalf("delta %s in a %s block", d.Type, b.Type)
			}
		case "content_block_stop":
			if e.Index == nil || *e.Index != open {
				t.Fatalf("content_block_stop %s", ev.Data)
			}
			if msg.Content[open].Type == "tool_use" {
				msg.Content[open].Input = json.RawMessage(partial)
			}
			open = -1
		case "message_delta":
			if e.Delta == nil || e.Delta.StopReason == nil || e.Usage == nil || e.Usage.OutputTokens == 0 {
				t.Fatalf("message_delta %s", ev.Data)
			}
			msg.StopReason = e.Delta.StopReason
		case "ping", "message_stop":
		default:
			t.Fatalf("unknown event %q", ev.Name)
		}
	}
	return msg, names
}

func TestMessagesStreaming(t *testing.T) {
	for _, tc := range texts {
		for _, v := range messagesVariants {
			for _, chunk := range []int{1, 4} {
				t.Run(fmt.Sprintf("%s/%+v/chunk=%d", tc.name, v, chunk), func(t *testing.T) {
					rec := serve(echo.New(echo.WithChunkSize(chunk)), "POST", "/anthropic/v1/messages", messagesBody(tc.text, true, v.extra()))
					msg, names := readMessageStream(t, streamEvents(t, rec), chunk)
					checkMessage(t, msg, v, tc.text)

					// A block has deltas unless it is a text block of empty text (a thinking
					// block always has its signature delta, a tool call its arguments).
					hasDeltas := []bool{v.tools || tc.text != ""}
					if v.thinking {
						hasDeltas = []bool{true, hasDeltas[0]}
					}
					want := []string{"message_start"}
					for i, d := range hasDeltas {
						want = append(want, "content_block_start")
						if i == 0 {
							want = append(want, "ping")
						}
						if d {
							want = append(want, "content_block_delta")
						}
						want = append(want, "content_block_stop")
					}
					want = append(want, "message_delta", "message_stop")
					if !reflect.DeepEqual(names, want) {
						t.Errorf("events\n got %v\nwant %v", names, want)
					}
				})
			}
		}
	}
}

func TestCountTokens(t *testing.T) {
	var got struct {
		InputTokens int `json:"input_tokens"`
	}
	body := messagesBody(strings.Repeat("x", 400), false, "")
	decodeJSON(t, serve(echo.New(), "POST", "/v1/messages/count_tokens", body), &got)
	if got.InputTokens < 100 || got.InputTokens > len(body) {
		t.Errorf("input_tokens %d for %d bytes", got.InputTokens, len(body))
	}
}
