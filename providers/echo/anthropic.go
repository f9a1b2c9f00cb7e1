package echo

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"iter"
)

// Anthropic Messages API: POST /v1/messages and /v1/messages/count_tokens.

type messagesRequest struct {
	Model      string          `json:"model"`
	Messages   []roleContent   `json:"messages"`
	Stream     bool            `json:"stream"`
	Tools      []namedTool     `json:"tools"`
	ToolChoice json.RawMessage `json:"tool_choice"`
	Thinking   *struct {
		Type string `json:"type"`
	} `json:"thinking"`
}

// lastUserTurn returns the text of the last user message: string content, or its
// text blocks and the content of its tool_result blocks concatenated in order;
// fromTool reports whether it held a tool_result.
func lastUserTurn(msgs []roleContent) (text string, fromTool bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role != "user" {
			continue
		}
		if s, ok := asString(msgs[i].Content); ok {
			return s, false
		}
		var blocks []json.RawMessage
		if json.Unmarshal(msgs[i].Content, &blocks) != nil {
			return "", false
		}
		var out []byte
		for _, raw := range blocks {
			var b struct {
				Type    string          `json:"type"`
				Text    string          `json:"text"`
				Content json.RawMessage `json:"content"`
			}
			if json.Unmarshal(raw, &b) != nil {
				continue
			}
			switch b.Type {
			case "text":
				out = append(out, b.Text...)
			case "tool_result":
				out = append(out, textOf(b.Content, "text")...)
				fromTool = true
			}
		}
		return string(out), fromTool
	}
	return "", false
}

// anthropicToolName returns the tool to call: the one tool_choice names, else the
// first client tool; "" when there is none or tool_choice is "none".
func anthropicToolName(tools []namedTool, choice json.RawMessage) string {
	if len(tools) == 0 {
		return ""
	}
	var c namedTool
	if json.Unmarshal(choice, &c) == nil {
		switch {
		case c.Type == "none":
			return ""
		case c.Type == "tool" && c.Name != "":
			return c.Name
		}
	}
	for _, t := range tools {
		if (t.Type == "" || t.Type == "custom") && t.Name != "" {
			return t.Name
		}
	}
	return ""
}

type anthropicMessage struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"` // "message"
	Role         string         `json:"role"`
	Model        string         `json:"model"`
	Content      []any          `json:"content"`
	StopReason   *string        `json:"stop_reason"`
	StopSequence *string        `json:"stop_sequence"`
	Usage        anthropicUsage `json:"usage"`
}

type anthropicUsage struct {
	InputTokens              int `json:"input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	OutputTokens             int `json:"output_tokens"`
}

type textBlock struct {
	Type string `json:"type"` // "text"
	Text string `json:"text"`
}

type thinkingBlock struct {
	Type      string `json:"type"` // "thinking"
	Thinking  string `json:"thinking"`
	Signature string `json:"signature"`
}

type toolUseBlock struct {
	Type  string          `json:"type"` // "tool_use"
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

// Streaming events.

type typed struct {
	Type string `json:"type"`
}

type messageStartEvent struct {
	Type    string           `json:"type"`
	Message anthropicMessage `json:"message"`
}

type blockStartEvent struct {
	Type         string `json:"type"`
	Index        int    `json:"index"`
	ContentBlock any    `json:"content_block"`
}

type blockDeltaEvent struct {
	Type  string `json:"type"`
	Index int    `json:"index"`
	Delta any    `json:"delta"`
}

type blockStopEvent struct {
	Type  string `json:"type"`
	Index int    `json:"index"`
}

type messageDeltaEvent struct {
	Type  string `json:"type"`
	Delta struct {
		StopReason   string  `json:"stop_reason"`
		StopSequence *string `json:"stop_sequence"`
	} `json:"delta"`
	Usage struct {
		OutputTokens int `json:"output_tokens"`
	} `json:"usage"`
}

type textDelta struct {
	Type string `json:"type"` // "text_delta"
	Text string `json:"text"`
}

type thinkingDelta struct {
	Type     string `json:"type"` // "thinking_delta"
	Thinking string `json:"thinking"`
}

type signatureDelta struct {
	Type      string `json:"type"` // "signature_delta"
	Signature string `json:"signature"`
}

type inputJSONDelta struct {
	Type        string `json:"type"` // "input_json_delta"
	PartialJSON string `json:"partial_json"`
}

// fakeSignature stands in for the signature of a thinking block: opaque base64,
// different for every text, verifiable by nobody.
func fakeSignature(thinking string) string {
	sum := sha256.Sum256([]byte("scrubgate-echo thinking signature\x00" + thinking))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func (x *exchange) messages() {
	var req messagesRequest
	if !x.decode(&req) {
		return
	}
	if len(req.Messages) == 0 {
		x.badRequest("messages: at least one message is required")
		return
	}
	text, fromTool := lastUserTurn(req.Messages)
	tool := ""
	if !fromTool {
		tool = anthropicToolName(req.Tools, req.ToolChoice)
	}
	thinking := req.Thinking != nil && req.Thinking.Type != "" && req.Thinking.Type != "disabled"
	args := toolArguments(text)
	toolID := newID("toolu_01")

	stop, out := "end_turn", len(text)
	if tool != "" {
		stop, out = "tool_use", len(args)
	}
	if thinking {
		out += len(text)
	}
	msg := anthropicMessage{
		ID: newID("msg_01"), Type: "message", Role: "assistant", Model: modelOr(req.Model), Content: []any{},
		Usage: anthropicUsage{InputTokens: tokens(len(x.body)), OutputTokens: max(1, tokens(out))},
	}

	if !req.Stream {
		if thinking {
			msg.Content = append(msg.Content, thinkingBlock{"thinking", text, fakeSignature(text)})
		}
		if tool != "" {
			msg.Content = append(msg.Content, toolUseBlock{"tool_use", toolID, tool, json.RawMessage(args)})
		} else {
			msg.Content = append(msg.Content, textBlock{"text", text})
		}
		msg.StopReason = &stop
		x.writeJSON(msg)
		return
	}

	st := x.startStream()
	start := msg
	start.Usage.OutputTokens = 1
	if st.event("message_start", messageStartEvent{"message_start", start}) != nil {
		return
	}
	index := 0
	pinged := false
	// block streams one content block: its start, a ping after the first start, the
	// deltas and its stop.
	block := func(startBlock any, pieces iter.Seq[string], delta func(string) any, extra ...any) bool {
		if st.event("content_block_start", blockStartEvent{"content_block_start", index, startBlock}) != nil {
			return false
		}
		if !pinged {
			pinged = true
			if st.event("ping", typed{"ping"}) != nil {
				return false
			}
		}
		for p := range pieces {
			if st.delta("content_block_delta", blockDeltaEvent{"content_block_delta", index, delta(p)}) != nil {
				return false
			}
		}
		for _, d := range extra {
			if st.event("content_block_delta", blockDeltaEvent{"content_block_delta", index, d}) != nil {
				return false
			}
		}
		if st.event("content_block_stop", blockStopEvent{"content_block_stop", index}) != nil {
			return false
		}
		index++
		return true
	}
	if thinking && !block(thinkingBlock{Type: "thinking"}, chunks(text, x.s.chunk),
		func(p string) any { return thinkingDelta{"thinking_delta", p} },
		signatureDelta{"signature_delta", fakeSignature(text)}) {
		return
	}
	var ok bool
	if tool != "" {
		ok = block(toolUseBlock{"tool_use", toolID, tool, json.RawMessage("{}")}, chunks(args, x.s.chunk),
			func(p string) any { return inputJSONDelta{"input_json_delta", p} })
	} else {
		ok = block(textBlock{Type: "text"}, chunks(text, x.s.chunk),
			func(p string) any { return textDelta{"text_delta", p} })
	}
	if !ok {
		return
	}
	st.finishing()
	md := messageDeltaEvent{Type: "message_delta"}
	md.Delta.StopReason = stop
	md.Usage.OutputTokens = msg.Usage.OutputTokens
	if st.event("message_delta", md) != nil {
		return
	}
	st.event("message_stop", typed{"message_stop"})
}

// countTokens answers POST /v1/messages/count_tokens with a rough estimate.
func (x *exchange) countTokens() {
	var req struct {
		Messages []roleContent `json:"messages"`
	}
	if !x.decode(&req) {
		return
	}
	if len(req.Messages) == 0 {
		x.badRequest("messages: at least one message is required")
		return
	}
	x.writeJSON(struct {
		InputTokens int `json:"input_tokens"`
	}{max(1, tokens(len(x.body)))})
}
