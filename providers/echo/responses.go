package echo

import (
	"encoding/json"
	"time"
)

// OpenAI Responses API: POST /v1/responses.

type responsesRequest struct {
	Model        string          `json:"model"`
	Input        json.RawMessage `json:"input"`
	Instructions json.RawMessage `json:"instructions"`
	Stream       bool            `json:"stream"`
	Tools        json.RawMessage `json:"tools"`
	ToolChoice   json.RawMessage `json:"tool_choice"`
}

type inputItem struct {
	Type    string          `json:"type"`
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	Output  json.RawMessage `json:"output"`
}

// lastResponsesTurn returns the text of the last user message or tool output in
// the input, and whether it was a tool output.
func lastResponsesTurn(input json.RawMessage) (string, bool, error) {
	if len(input) == 0 || string(input) == "null" {
		return "", false, nil
	}
	if s, ok := asString(input); ok {
		return s, false, nil
	}
	var items []inputItem
	if err := json.Unmarshal(input, &items); err != nil {
		return "", false, err
	}
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		switch {
		case it.Type == "function_call_output" || it.Type == "custom_tool_call_output":
			return textOf(it.Output, "input_text", "output_text", "text"), true, nil
		case it.Role == "user" && (it.Type == "" || it.Type == "message"):
			return textOf(it.Content, "input_text", "text"), false, nil
		}
	}
	return "", false, nil
}

// namedToolName returns the function to call: the one tool_choice names, else
// the first function tool; "" when there is none or tool_choice is "none".
func namedToolName(tools []namedTool, choice json.RawMessage) string {
	if len(tools) == 0 {
		return ""
	}
	if s, ok := asString(choice); ok && s == "none" {
		return ""
	}
	var named namedTool
	if json.Unmarshal(choice, &named) == nil && named.Type == "function" && named.Name != "" {
		return named.Name
	}
	for _, t := range tools {
		if t.Type == "function" && t.Name != "" {
			return t.Name
		}
	}
	return ""
}

type response struct {
	ID                 string          `json:"id"`
	Object             string          `json:"object"`
	CreatedAt          int64           `json:"created_at"`
	Status             string          `json:"status"`
	Error              any             `json:"error"`
	IncompleteDetails  any             `json:"incomplete_details"`
	Instructions       json.RawMessage `json:"instructions"`
	MaxOutputTokens    any             `json:"max_output_tokens"`
	Model              string          `json:"model"`
	Output             []any           `json:"output"`
	ParallelToolCalls  bool            `json:"parallel_tool_calls"`
	PreviousResponseID any             `json:"previous_response_id"`
	Reasoning          struct {
		Effort  any `json:"effort"`
		Summary any `json:"summary"`
	} `json:"reasoning"`
	Store       bool    `json:"store"`
	Temperature float64 `json:"temperature"`
	Text        struct {
		Format struct {
			Type string `json:"type"`
		} `json:"format"`
	} `json:"text"`
	ToolChoice json.RawMessage `json:"tool_choice"`
	Tools      json.RawMessage `json:"tools"`
	TopP       float64         `json:"top_p"`
	Truncation string          `json:"truncation"`
	Usage      *responseUsage  `json:"usage"`
	User       any             `json:"user"`
	Metadata   struct{}        `json:"metadata"`
}

type responseUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

type messageItem struct {
	ID      string       `json:"id"`
	Type    string       `json:"type"` // "message"
	Status  string       `json:"status"`
	Role    string       `json:"role"`
	Content []outputText `json:"content"`
}

type outputText struct {
	Type        string `json:"type"` // "output_text"
	Text        string `json:"text"`
	Annotations []any  `json:"annotations"`
	Logprobs    []any  `json:"logprobs"`
}

type functionCallItem struct {
	ID        string `json:"id"`
	Type      string `json:"type"` // "function_call"
	Status    string `json:"status"`
	Arguments string `json:"arguments"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
}

// Streaming events.

type responseEvent struct {
	Type           string   `json:"type"`
	SequenceNumber int      `json:"sequence_number"`
	Response       response `json:"response"`
}

type outputItemEvent struct {
	Type           string `json:"type"`
	SequenceNumber int    `json:"sequence_number"`
	OutputIndex    int    `json:"output_index"`
	Item           any    `json:"item"`
}

type contentPartEvent struct {
	Type           string     `json:"type"`
	SequenceNumber int        `json:"sequence_number"`
	ItemID         string     `json:"item_id"`
	OutputIndex    int        `json:"output_index"`
	ContentIndex   int        `json:"content_index"`
	Part           outputText `json:"part"`
}

type textDeltaEvent struct {
	Type           string `json:"type"`
	SequenceNumber int    `json:"sequence_number"`
	ItemID         string `json:"item_id"`
	OutputIndex    int    `json:"output_index"`
	ContentIndex   int    `json:"content_index"`
	Delta          string `json:"delta"`
	Logprobs       []any  `json:"logprobs"`
}

type textDoneEvent struct {
	Type           string `json:"type"`
	SequenceNumber int    `json:"sequence_number"`
	ItemID         string `json:"item_id"`
	OutputIndex    int    `json:"output_index"`
	ContentIndex   int    `json:"content_index"`
	Text           string `json:"text"`
	Logprobs       []any  `json:"logprobs"`
}

type argumentsDeltaEvent struct {
	Type           string `json:"type"`
	SequenceNumber int    `json:"sequence_number"`
	ItemID         string `json:"item_id"`
	OutputIndex    int    `json:"output_index"`
	Delta          string `json:"delta"`
}

type argumentsDoneEvent struct {
	Type           string `json:"type"`
	SequenceNumber int    `json:"sequence_number"`
	ItemID         string `json:"item_id"`
	OutputIndex    int    `json:"output_index"`
	Name           string `json:"name"`
	Arguments      string `json:"arguments"`
}

func (x *exchange) responses() {
	var req responsesRequest
	if !x.decode(&req) {
		return
	}
	var tools []namedTool
	if len(req.Tools) > 0 && json.Unmarshal(req.Tools, &tools) != nil {
		x.badRequest("tools: must be an array of tool objects")
		return
	}
	text, fromTool, err := lastResponsesTurn(req.Input)
	if err != nil {
		x.badRequest("input: must be a string or an array of input items: " + err.Error())
		return
	}
	tool := ""
	if !fromTool {
		tool = namedToolName(tools, req.ToolChoice)
	}

	resp := response{
		ID: newID("resp_"), Object: "response", CreatedAt: time.Now().Unix(), Status: "in_progress",
		Instructions: rawOrNull(req.Instructions), Model: modelOr(req.Model), Output: []any{},
		ParallelToolCalls: true, Temperature: 1, TopP: 1, Truncation: "disabled",
		ToolChoice: rawOr(req.ToolChoice, `"auto"`), Tools: rawOr(req.Tools, `[]`),
	}
	resp.Text.Format.Type = "text"

	msgID, callID, fcID := newID("msg_"), newID("call_"), newID("fc_")
	args := toolArguments(text)
	out := len(text)
	if tool != "" {
		out = len(args)
	}
	usage := &responseUsage{InputTokens: tokens(len(x.body)), OutputTokens: tokens(out)}
	usage.TotalTokens = usage.InputTokens + usage.OutputTokens
	done := func(status string) any {
		if tool != "" {
			item := functionCallItem{ID: fcID, Type: "function_call", Status: status, CallID: callID, Name: tool}
			if status == "completed" {
				item.Arguments = args
			}
			return item
		}
		item := messageItem{ID: msgID, Type: "message", Status: status, Role: "assistant", Content: []outputText{}}
		if status == "completed" {
			item.Content = []outputText{{Type: "output_text", Text: text, Annotations: []any{}, Logprobs: []any{}}}
		}
		return item
	}
	completed := resp
	completed.Status = "completed"
	completed.Output = []any{done("completed")}
	completed.Usage = usage

	if !req.Stream {
		x.writeJSON(completed)
		return
	}

	st := x.startStream()
	seq := 0
	next := func() int { seq++; return seq - 1 }
	send := func(typ string, v any) bool { return st.event(typ, v) == nil }
	if !send("response.created", responseEvent{"response.created", next(), resp}) ||
		!send("response.in_progress", responseEvent{"response.in_progress", next(), resp}) ||
		!send("response.output_item.added", outputItemEvent{"response.output_item.added", next(), 0, done("in_progress")}) {
		return
	}
	if tool != "" {
		for piece := range chunks(args, x.s.chunk) {
			if st.delta("response.function_call_arguments.delta", argumentsDeltaEvent{
				"response.function_call_arguments.delta", next(), fcID, 0, piece}) != nil {
				return
			}
		}
		st.finishing()
		if !send("response.function_call_arguments.done", argumentsDoneEvent{
			"response.function_call_arguments.done", next(), fcID, 0, tool, args}) {
			return
		}
	} else {
		empty := outputText{Type: "output_text", Annotations: []any{}, Logprobs: []any{}}
		if !send("response.content_part.added", contentPartEvent{"response.content_part.added", next(), msgID, 0, 0, empty}) {
			return
		}
		for piece := range chunks(text, x.s.chunk) {
			if st.delta("response.output_text.delta", textDeltaEvent{
				"response.output_text.delta", next(), msgID, 0, 0, piece, []any{}}) != nil {
				return
			}
		}
		st.finishing()
		full := empty
		full.Text = text
		if !send("response.output_text.done", textDoneEvent{"response.output_text.done", next(), msgID, 0, 0, text, []any{}}) ||
			!send("response.content_part.done", contentPartEvent{"response.content_part.done", next(), msgID, 0, 0, full}) {
			return
		}
	}
	if !send("response.output_item.done", outputItemEvent{"response.output_item.done", next(), 0, done("completed")}) {
		return
	}
	send("response.completed", responseEvent{"response.completed", next(), completed})
}

// rawOrNull returns raw, or JSON null when it is absent.
func rawOrNull(raw json.RawMessage) json.RawMessage {
	return rawOr(raw, "null")
}

func rawOr(raw json.RawMessage, def string) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(def)
	}
	return raw
}
