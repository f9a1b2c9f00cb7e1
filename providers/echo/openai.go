package echo

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"
)

// defaultModel answers requests that name no model (Azure puts it in the path).
const defaultModel = "echo-1"

func modelOr(m string) string {
	if m == "" {
		return defaultModel
	}
	return m
}

// reasoningModel reports whether a model name asks for reasoning deltas.
func reasoningModel(m string) bool {
	return strings.Contains(strings.ToLower(m), "reasoning")
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type openAIUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func (x *exchange) openAIUsage(completion int) openAIUsage {
	p := tokens(len(x.body))
	return openAIUsage{PromptTokens: p, CompletionTokens: completion, TotalTokens: p + completion}
}

// usageField is the "usage" of a streamed chunk: absent unless the client asked
// for usage, then null on every chunk but the last.
func usageField(include bool) any {
	if include {
		return json.RawMessage("null")
	}
	return nil
}

// ---- chat completions ----

type chatRequest struct {
	Model         string          `json:"model"`
	Messages      []roleContent   `json:"messages"`
	Stream        bool            `json:"stream"`
	StreamOptions *streamOptions  `json:"stream_options"`
	Tools         []chatTool      `json:"tools"`
	ToolChoice    json.RawMessage `json:"tool_choice"`
}

type roleContent struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type chatTool struct {
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

// lastChatTurn returns the text of the last message from the user or a tool, and
// whether it came from a tool.
func lastChatTurn(msgs []roleContent) (string, bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		switch msgs[i].Role {
		case "user":
			return textOf(msgs[i].Content, "text"), false
		case "tool", "function":
			return textOf(msgs[i].Content, "text"), true
		}
	}
	return "", false
}

// chatToolName returns the function to call: the one tool_choice names, else the
// first function tool; "" when there is none or tool_choice is "none".
func chatToolName(tools []chatTool, choice json.RawMessage) string {
	if len(tools) == 0 {
		return ""
	}
	if s, ok := asString(choice); ok && s == "none" {
		return ""
	}
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(choice, &named) == nil && named.Type == "function" && named.Function.Name != "" {
		return named.Function.Name
	}
	for _, t := range tools {
		if (t.Type == "function" || t.Type == "") && t.Function.Name != "" {
			return t.Function.Name
		}
	}
	return ""
}

type chatCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	Choices           []chatChoice `json:"choices"`
	Usage             openAIUsage  `json:"usage"`
	SystemFingerprint string       `json:"system_fingerprint"`
}

type chatChoice struct {
	Index        int         `json:"index"`
	Message      chatMessage `json:"message"`
	Logprobs     any         `json:"logprobs"`
	FinishReason string      `json:"finish_reason"`
}

type chatMessage struct {
	Role             string         `json:"role"`
	Content          *string        `json:"content"`
	ReasoningContent *string        `json:"reasoning_content,omitempty"`
	Refusal          *string        `json:"refusal"`
	ToolCalls        []chatToolCall `json:"tool_calls,omitempty"`
}

type chatToolCall struct {
	ID       string           `json:"id"`
	Type     string           `json:"type"`
	Function chatFunctionCall `json:"function"`
}

type chatFunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type chatChunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	SystemFingerprint string        `json:"system_fingerprint"`
	Choices           []chunkChoice `json:"choices"`
	Usage             any           `json:"usage,omitempty"`
}

type chunkChoice struct {
	Index        int       `json:"index"`
	Delta        chatDelta `json:"delta"`
	Logprobs     any       `json:"logprobs"`
	FinishReason *string   `json:"finish_reason"`
}

type chatDelta struct {
	Role             string          `json:"role,omitempty"`
	Content          *string         `json:"content,omitempty"`
	ReasoningContent *string         `json:"reasoning_content,omitempty"`
	ToolCalls        []toolCallDelta `json:"tool_calls,omitempty"`
}

type toolCallDelta struct {
	Index    int               `json:"index"`
	ID       string            `json:"id,omitempty"`
	Type     string            `json:"type,omitempty"`
	Function functionCallDelta `json:"function"`
}

type functionCallDelta struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

const systemFingerprint = "fp_scrubgate_echo"

func (x *exchange) chat() {
	var req chatRequest
	if !x.decode(&req) {
		return
	}
	if len(req.Messages) == 0 {
		x.badRequest("messages: at least one message is required")
		return
	}
	text, fromTool := lastChatTurn(req.Messages)
	tool := ""
	if !fromTool {
		tool = chatToolName(req.Tools, req.ToolChoice)
	}
	model := modelOr(req.Model)
	reasoning := reasoningModel(model)
	id, created := newID("chatcmpl-"), time.Now().Unix()

	if req.Stream {
		x.chatStream(req, text, tool, reasoning, id, created, model)
		return
	}

	msg := chatMessage{Role: "assistant"}
	finish, completion := "stop", 0
	if reasoning {
		msg.ReasoningContent = &text
		completion += len(text)
	}
	if tool != "" {
		args := toolArguments(text)
		msg.ToolCalls = []chatToolCall{{ID: newID("call_"), Type: "function", Function: chatFunctionCall{Name: tool, Arguments: args}}}
		finish, completion = "tool_calls", completion+len(args)
	} else {
		msg.Content = &text
		completion += len(text)
	}
	x.writeJSON(chatCompletion{
		ID: id, Object: "chat.completion", Created: created, Model: model,
		Choices:           []chatChoice{{Message: msg, FinishReason: finish}},
		Usage:             x.openAIUsage(tokens(completion)),
		SystemFingerprint: systemFingerprint,
	})
}

func (x *exchange) chatStream(req chatRequest, text, tool string, reasoning bool, id string, created int64, model string) {
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	st := x.startStream()
	chunk := func(d chatDelta, finish *string) chatChunk {
		return chatChunk{
			ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
			SystemFingerprint: systemFingerprint,
			Choices:           []chunkChoice{{Delta: d, FinishReason: finish}},
			Usage:             usageField(includeUsage),
		}
	}
	empty := ""
	completion := 0

	// The first chunk carries the role; for a plain tool call it also opens the call.
	first := chatDelta{Role: "assistant", Content: &empty}
	var openCall toolCallDelta
	if tool != "" {
		openCall = toolCallDelta{Type: "function", ID: newID("call_"), Function: functionCallDelta{Name: tool}}
	}
	if tool != "" && !reasoning {
		first = chatDelta{Role: "assistant", ToolCalls: []toolCallDelta{openCall}}
	}
	if st.event("", chunk(first, nil)) != nil {
		return
	}
	if reasoning {
		for piece := range chunks(text, x.s.chunk) {
			if st.delta("", chunk(chatDelta{ReasoningContent: &piece}, nil)) != nil {
				return
			}
		}
		completion += len(text)
		if tool != "" && st.event("", chunk(chatDelta{ToolCalls: []toolCallDelta{openCall}}, nil)) != nil {
			return
		}
	}
	finish := "stop"
	if tool != "" {
		args := toolArguments(text)
		for piece := range chunks(args, x.s.chunk) {
			d := chatDelta{ToolCalls: []toolCallDelta{{Function: functionCallDelta{Arguments: piece}}}}
			if st.delta("", chunk(d, nil)) != nil {
				return
			}
		}
		finish, completion = "tool_calls", completion+len(args)
	} else {
		for piece := range chunks(text, x.s.chunk) {
			if st.delta("", chunk(chatDelta{Content: &piece}, nil)) != nil {
				return
			}
		}
		completion += len(text)
	}
	st.finishing()
	if st.event("", chunk(chatDelta{}, &finish)) != nil {
		return
	}
	if includeUsage {
		u := chatChunk{
			ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
			SystemFingerprint: systemFingerprint, Choices: []chunkChoice{},
			Usage: x.openAIUsage(tokens(completion)),
		}
		if st.event("", u) != nil {
			return
		}
	}
	st.raw("", []byte("[DONE]"))
}

// ---- legacy completions ----

type completionRequest struct {
	Model         string          `json:"model"`
	Prompt        json.RawMessage `json:"prompt"`
	Stream        bool            `json:"stream"`
	StreamOptions *streamOptions  `json:"stream_options"`
}

type textCompletion struct {
	ID                string             `json:"id"`
	Object            string             `json:"object"`
	Created           int64              `json:"created"`
	Model             string             `json:"model"`
	SystemFingerprint string             `json:"system_fingerprint"`
	Choices           []completionChoice `json:"choices"`
	Usage             any                `json:"usage,omitempty"`
}

type completionChoice struct {
	Text         string  `json:"text"`
	Index        int     `json:"index"`
	Logprobs     any     `json:"logprobs"`
	FinishReason *string `json:"finish_reason"`
}

// promptText is the prompt: a string, or the first element of an array of strings.
// Token-array prompts have no text.
func promptText(raw json.RawMessage) string {
	if s, ok := asString(raw); ok {
		return s
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		s, _ := asString(list[0])
		return s
	}
	return ""
}

func (x *exchange) completions() {
	var req completionRequest
	if !x.decode(&req) {
		return
	}
	text := promptText(req.Prompt)
	model := modelOr(req.Model)
	id, created := newID("cmpl-"), time.Now().Unix()
	stop := "stop"
	obj := func(choices []completionChoice, usage any) textCompletion {
		return textCompletion{
			ID: id, Object: "text_completion", Created: created, Model: model,
			SystemFingerprint: systemFingerprint, Choices: choices, Usage: usage,
		}
	}
	usage := x.openAIUsage(tokens(len(text)))
	if !req.Stream {
		x.writeJSON(obj([]completionChoice{{Text: text, FinishReason: &stop}}, usage))
		return
	}
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	st := x.startStream()
	for piece := range chunks(text, x.s.chunk) {
		if st.delta("", obj([]completionChoice{{Text: piece}}, usageField(includeUsage))) != nil {
			return
		}
	}
	st.finishing()
	if st.event("", obj([]completionChoice{{FinishReason: &stop}}, usageField(includeUsage))) != nil {
		return
	}
	if includeUsage && st.event("", obj([]completionChoice{}, usage)) != nil {
		return
	}
	st.raw("", []byte("[DONE]"))
}

// ---- embeddings ----

type embeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     *int            `json:"dimensions"`
}

type embeddingList struct {
	Object string          `json:"object"`
	Data   []embeddingItem `json:"data"`
	Model  string          `json:"model"`
	Usage  struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

type embeddingItem struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding any    `json:"embedding"` // []float32, or a base64 string of little-endian float32s
}

const (
	embeddingDims    = 8
	maxEmbeddingDims = 3072
)

// embeddingInputs splits the input into the values to embed: a string, an array of
// strings, an array of token ids, or an array of arrays of token ids. Each value is
// identified by its JSON text, so equal inputs get equal vectors.
func embeddingInputs(raw json.RawMessage) ([][]byte, bool) {
	if s, ok := asString(raw); ok {
		return [][]byte{[]byte(s)}, s != ""
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, false
	}
	var ids []int64
	if json.Unmarshal(raw, &ids) == nil { // one input given as token ids
		return [][]byte{raw}, true
	}
	out := make([][]byte, 0, len(list))
	for _, item := range list {
		if s, ok := asString(item); ok && s != "" {
			out = append(out, []byte(s))
			continue
		}
		if json.Unmarshal(item, &ids) != nil || len(ids) == 0 {
			return nil, false
		}
		out = append(out, item)
	}
	return out, true
}

// embed derives a deterministic unit vector of dims components from the input.
func embed(input []byte, dims int) []float32 {
	v := make([]float32, dims)
	var norm float64
	seed := sha256.Sum256(input)
	block := seed
	for i := range v {
		if i%8 == 0 && i > 0 {
			block = sha256.Sum256(append(seed[:], byte(i/8), byte(i/8>>8)))
		}
		u := binary.LittleEndian.Uint32(block[(i%8)*4:])
		f := float64(u)/float64(math.MaxUint32)*2 - 1
		v[i] = float32(f)
		norm += f * f
	}
	if norm > 0 {
		n := math.Sqrt(norm)
		for i := range v {
			v[i] = float32(float64(v[i]) / n)
		}
	}
	return v
}

func (x *exchange) embeddings() {
	var req embeddingRequest
	if !x.decode(&req) {
		return
	}
	inputs, ok := embeddingInputs(req.Input)
	if !ok {
		x.badRequest("input: must be a non-empty string, an array of non-empty strings, or token ids")
		return
	}
	dims := embeddingDims
	if req.Dimensions != nil {
		if *req.Dimensions < 1 || *req.Dimensions > maxEmbeddingDims {
			x.badRequest("dimensions: must be between 1 and 3072")
			return
		}
		dims = *req.Dimensions
	}
	switch req.EncodingFormat {
	case "", "float", "base64":
	default:
		x.badRequest(`encoding_format: must be "float" or "base64"`)
		return
	}
	out := embeddingList{Object: "list", Model: modelOr(req.Model), Data: make([]embeddingItem, len(inputs))}
	n := 0
	for i, in := range inputs {
		v := embed(in, dims)
		item := embeddingItem{Object: "embedding", Index: i, Embedding: v}
		if req.EncodingFormat == "base64" {
			b := make([]byte, 0, 4*len(v))
			for _, f := range v {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
			}
			item.Embedding = base64.StdEncoding.EncodeToString(b)
		}
		out.Data[i] = item
		n += len(in)
	}
	out.Usage.PromptTokens = tokens(n)
	out.Usage.TotalTokens = tokens(n)
	x.writeJSON(out)
}

// ---- models ----

// modelIDs are the models the server lists; any model name is accepted elsewhere.
var modelIDs = []string{"echo-1", "echo-reasoning-1", "claude-echo"}

// modelsCreated is the fixed creation time of the listed models (2025-01-01).
const modelsCreated = 1735689600

type openAIModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

type anthropicModel struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	CreatedAt   string `json:"created_at"`
}

func modelObject(d dialect, id string) any {
	if d == anthropic {
		return anthropicModel{Type: "model", ID: id, DisplayName: id,
			CreatedAt: time.Unix(modelsCreated, 0).UTC().Format(time.RFC3339)}
	}
	return openAIModel{ID: id, Object: "model", Created: modelsCreated, OwnedBy: "scrubgate-echo"}
}

// models answers the models list (id == "") or one model, in OpenAI's shape or,
// for Anthropic clients, Anthropic's.
func (x *exchange) models(id string) {
	if id != "" {
		for _, m := range modelIDs {
			if m == id {
				x.writeJSON(modelObject(x.d, id))
				return
			}
		}
		msg := "The model '" + id + "' does not exist; the echo upstream lists " + strings.Join(modelIDs, ", ")
		writeErrorCode(x.w, x.d, http.StatusNotFound, "model_not_found", msg)
		return
	}
	data := make([]any, len(modelIDs))
	for i, m := range modelIDs {
		data[i] = modelObject(x.d, m)
	}
	if x.d == anthropic {
		x.writeJSON(struct {
			Data    []any  `json:"data"`
			HasMore bool   `json:"has_more"`
			FirstID string `json:"first_id"`
			LastID  string `json:"last_id"`
		}{data, false, modelIDs[0], modelIDs[len(modelIDs)-1]})
		return
	}
	x.writeJSON(struct {
		Object string `json:"object"`
		Data   []any  `json:"data"`
	}{"list", data})
}
