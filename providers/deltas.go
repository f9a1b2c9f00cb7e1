package providers

import (
	"bytes"
	"strconv"
	"strings"
)

// Delta is one streamed fragment of a text-bearing field: a piece of assistant
// text, reasoning, a refusal or tool-call arguments. Fragments with the same Key
// belong to one field of one stream and are scanned as one text.
type Delta struct {
	// Key identifies the field across events, e.g. "chat/chatcmpl-1/0/content",
	// "chat/chatcmpl-1/0/tool/2/arguments", "messages/1/text_delta",
	// "responses/output_text/msg_1/0/0".
	Key string
	// Path is the JSON path of the fragment in the event's data.
	Path string
	// Text is the decoded fragment.
	Text string
	// JSONSource is set when the field's text is JSON source (tool-call arguments):
	// it is scanned in JSON mode, so escapes inside it cannot hide a secret.
	JSONSource bool
	// Start and End are the raw span of the fragment's string token in the data.
	Start, End int

	node *node
	// chatFrame, for chat chunks, builds the frame of a synthetic chunk that
	// carries more text of this field from the chunk head (id, model, …):
	// before + JSON string + after. Other shapes reuse their own (scrubbed) event.
	chatFrame func(head string) (before, after string)
}

// Ends says which fields an event closes.
type Ends struct {
	// Prefixes closes every field whose key starts with one of them.
	Prefixes []string
	// All closes every field (end of the stream).
	All bool
	// Abnormal is set for an error event: held text is masked, not flushed.
	Abnormal bool
}

func (e Ends) closes(key string) bool {
	if e.All {
		return true
	}
	for _, p := range e.Prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// StreamDeltas reads one event of a provider stream (its SSE event name and data)
// and returns the text fragments it carries and the fields it closes. It knows
// OpenAI chat completion chunks (content, reasoning_content, reasoning, refusal,
// audio transcripts, OpenRouter reasoning_details, tool-call arguments), legacy
// completion chunks, Responses API events (every *.delta with a text delta; *.done
// closes), audio transcription events, Assistants thread.message.delta events,
// Anthropic Messages events (text_delta, thinking_delta, input_json_delta;
// content_block_stop closes) and Ollama's native NDJSON chunks. Data that is not
// JSON yields no deltas ("[DONE]" closes everything). Keys of chat chunks include
// the chunk id, so several streams in one capture stay apart.
func StreamDeltas(name string, data []byte) ([]Delta, Ends, error) {
	if string(bytes.TrimSpace(data)) == "[DONE]" {
		return nil, Ends{All: true}, nil
	}
	root, err := parseTree(data)
	if err != nil {
		return nil, Ends{}, err
	}
	ds, ends := classify(name, root, data, true)
	for i := range ds {
		ds[i].Path = ds[i].node.path()
	}
	return ds, ends, nil
}

// classify finds the deltas and the closed fields of a parsed event. withID keys
// chat fields by chunk id (captures); a live stream is one response, and some
// servers change the id from chunk to chunk.
func classify(name string, root *node, data []byte, withID bool) ([]Delta, Ends) {
	if root.kind != '{' {
		return nil, Ends{}
	}
	typ := root.str(data, "type")
	if typ == "" {
		typ = name
	}
	switch {
	case typ == "content_block_delta":
		return anthropicDelta(root, data), Ends{}
	case typ == "content_block_stop":
		return nil, Ends{Prefixes: []string{"messages/" + root.num(data, "index") + "/"}}
	case typ == "message_stop":
		return nil, Ends{All: true}
	case typ == "error":
		return nil, Ends{All: true, Abnormal: true}
	case strings.HasPrefix(typ, "response."):
		return responsesEvent(strings.TrimPrefix(typ, "response."), "responses/", root, data)
	case strings.HasPrefix(typ, "transcript.text."): // audio transcription streams
		return responsesEvent(strings.TrimPrefix(typ, "transcript.text."), "transcript/", root, data)
	case name == "thread.message.delta" || root.str(data, "object") == "thread.message.delta":
		return assistantsDelta(root, data), Ends{}
	case name == "thread.run.step.delta" || root.str(data, "object") == "thread.run.step.delta":
		return assistantsStepDelta(root, data), Ends{}
	case name == "thread.run.step.completed" || name == "thread.run.step.failed" || name == "thread.run.step.cancelled":
		return nil, Ends{Prefixes: []string{"threadstep/" + root.str(data, "id") + "/"}}
	case name == "thread.message.completed" || name == "thread.run.completed" || name == "done":
		return nil, Ends{All: name != "thread.message.completed", Prefixes: []string{"thread/" + root.str(data, "id") + "/"}}
	}
	var ds []Delta
	var ends Ends
	if choices := root.get("choices"); choices != nil && choices.kind == '[' {
		ds, ends = chatChunk(root, choices, data, withID)
	} else if done := root.get("done"); done != nil && done.kind == 'l' { // Ollama native NDJSON
		ds, ends = ollamaChunk(root, data, string(data[done.start:done.end]) == "true")
	}
	// A failure reported inside the stream: a top-level error (OpenAI's and
	// Ollama's mid-stream errors; OpenRouter's error chunk, which also has a choice
	// with finish_reason "error") ends every field abnormally, and so does a choice
	// that finished with "error". The upstream died, possibly in the middle of a
	// secret: what was held is masked, not flushed.
	if e := root.get("error"); e != nil && (e.kind == '{' || e.kind == '"' && e.end-e.start > 2) || ends.Abnormal {
		return ds, Ends{All: true, Abnormal: true}
	}
	return ds, ends
}

func anthropicDelta(root *node, data []byte) []Delta {
	d := root.get("delta")
	dt := d.str(data, "type")
	var field string
	switch dt {
	case "text_delta":
		field = "text"
	case "thinking_delta":
		field = "thinking"
	case "input_json_delta":
		field = "partial_json"
	default:
		return nil // signature_delta is opaque; citations_delta is scanned as a whole
	}
	v := d.get(field)
	if v == nil || v.kind != '"' {
		return nil
	}
	return []Delta{newDelta("messages/"+root.num(data, "index")+"/"+dt, v, data, dt == "input_json_delta", nil)}
}

// responsesEvent handles Responses API events (and audio transcription events,
// which follow the same *.delta / *.done pattern). typ is the type after its
// family prefix.
func responsesEvent(typ, family string, root *node, data []byte) ([]Delta, Ends) {
	switch typ {
	case "completed", "incomplete", "done":
		if family == "responses/" || typ == "done" && family == "transcript/" {
			return nil, Ends{All: true}
		}
	case "failed", "error":
		return nil, Ends{All: true, Abnormal: true}
	}
	if typ == "done" { // transcript.text.done
		return nil, Ends{All: true}
	}
	if typ == "delta" || strings.HasSuffix(typ, ".delta") {
		v := root.get("delta")
		if v == nil || v.kind != '"' || strings.HasSuffix(typ, "audio.delta") || strings.Contains(typ, "partial_image") {
			return nil, Ends{}
		}
		field := strings.TrimSuffix(typ, ".delta")
		json := strings.Contains(field, "arguments")
		return []Delta{newDelta(responsesKey(family, field, root, data), v, data, json, nil)}, Ends{}
	}
	if strings.HasSuffix(typ, ".done") {
		field := strings.TrimSuffix(typ, ".done")
		return nil, Ends{Prefixes: []string{responsesKey(family, field, root, data)}}
	}
	return nil, Ends{}
}

func responsesKey(family, field string, root *node, data []byte) string {
	return family + field + "/" + root.str(data, "item_id") + "/" + root.num(data, "output_index") + "/" +
		root.num(data, "content_index") + "/" + root.num(data, "summary_index")
}

// assistantsDelta handles Assistants API thread.message.delta events.
func assistantsDelta(root *node, data []byte) []Delta {
	var ds []Delta
	content := root.get("delta").get("content")
	if content == nil || content.kind != '[' {
		return nil
	}
	for _, part := range content.members {
		if v := part.get("text").get("value"); v != nil && v.kind == '"' {
			idx := part.num(data, "index")
			ds = append(ds, newDelta("thread/"+root.str(data, "id")+"/"+idx+"/text", v, data, false, nil))
		}
	}
	return ds
}

// assistantsStepDelta handles Assistants API run-step deltas: code interpreter
// input and function arguments of tool calls, streamed in fragments.
func assistantsStepDelta(root *node, data []byte) []Delta {
	var ds []Delta
	tcs := root.get("delta").get("step_details").get("tool_calls")
	if tcs == nil || tcs.kind != '[' {
		return nil
	}
	for _, tc := range tcs.members {
		ti := jsonNumber(tc.num(data, "index"), tc.index)
		prefix := "threadstep/" + root.str(data, "id") + "/" + ti + "/"
		if v := tc.get("code_interpreter").get("input"); v != nil && v.kind == '"' {
			ds = append(ds, newDelta(prefix+"code", v, data, false, nil))
		}
		if v := tc.get("function").get("arguments"); v != nil && v.kind == '"' {
			ds = append(ds, newDelta(prefix+"arguments", v, data, true, nil))
		}
	}
	return ds
}

// ollamaChunk handles Ollama's native streaming chunks (/api/chat, /api/generate).
func ollamaChunk(root *node, data []byte, done bool) ([]Delta, Ends) {
	var ds []Delta
	if m := root.get("message"); m != nil {
		for _, f := range []string{"content", "thinking"} {
			if v := m.get(f); v != nil && v.kind == '"' {
				ds = append(ds, newDelta("ollama/message/"+f, v, data, false, nil))
			}
		}
	}
	for _, f := range []string{"response", "thinking"} {
		if v := root.get(f); v != nil && v.kind == '"' {
			ds = append(ds, newDelta("ollama/"+f, v, data, false, nil))
		}
	}
	var ends Ends
	if done {
		ends.All = true
	}
	return ds, ends
}

// chatFields are the text-bearing members of a chat completion chunk's delta (and
// "text" of a legacy completion chunk). Other members (role, tool ids and names)
// are short and are scanned whole with the rest of the event.
var chatFields = []string{"content", "reasoning_content", "reasoning", "refusal"}

// chatFieldFrames are the frame openings of chatFields' synthetic deltas.
var chatFieldFrames = func() []string {
	out := make([]string, len(chatFields))
	for i, f := range chatFields {
		out[i] = `"delta":{"` + f + `":`
	}
	return out
}()

func chatChunk(root, choices *node, data []byte, withID bool) ([]Delta, Ends) {
	var ds []Delta
	var ends Ends
	id := ""
	if withID {
		id = root.str(data, "id")
	}
	for _, c := range choices.members {
		if c.kind != '{' {
			continue
		}
		idx := jsonNumber(c.num(data, "index"), c.index)
		prefix := "chat/" + id + "/" + idx + "/"
		add := func(key string, v *node, jsonSource bool, before, after string) {
			ds = append(ds, newDelta(prefix+key, v, data, jsonSource, func(head string) (string, string) {
				return head + `"choices":[{"index":` + idx + `,` + before, after
			}))
		}
		if d := c.get("delta"); d != nil && d.kind == '{' {
			for i, f := range chatFields {
				if v := d.get(f); v != nil && v.kind == '"' {
					add(f, v, false, chatFieldFrames[i], `}}]}`)
				}
			}
			// Content as an array of parts (Mistral's reasoning models): text parts,
			// and thinking parts that hold text parts.
			if parts := d.get("content"); parts != nil && parts.kind == '[' {
				for _, p := range parts.members {
					pi := strconv.Itoa(p.index)
					if v := p.get("text"); v != nil && v.kind == '"' {
						add("content/"+pi+"/text", v, false, `"delta":{"content":[{"type":"text","text":`, `}]}}]}`)
					}
					if th := p.get("thinking"); th != nil && th.kind == '[' {
						for _, q := range th.members {
							if v := q.get("text"); v != nil && v.kind == '"' {
								add("content/"+pi+"/thinking/"+strconv.Itoa(q.index), v, false,
									`"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":`, `}]}]}}]}`)
							}
						}
					}
				}
			}
			// Reasoning comes before the answer: once answer text arrives, the
			// reasoning fields of the choice are done, so their held tails go out
			// before the answer does.
			if v := d.get("content"); v != nil && (v.kind == '"' && v.end-v.start > 2 || v.kind == '[') {
				ends.Prefixes = append(ends.Prefixes, prefix+"reasoning")
			}
			if v := d.get("audio").get("transcript"); v != nil && v.kind == '"' {
				add("audio/transcript", v, false, `"delta":{"audio":{"transcript":`, `}}}]}`)
			}
			if rd := d.get("reasoning_details"); rd != nil && rd.kind == '[' { // OpenRouter
				for _, r := range rd.members {
					ri := jsonNumber(r.num(data, "index"), r.index)
					for _, f := range []string{"text", "summary"} {
						if v := r.get(f); v != nil && v.kind == '"' {
							typ := string(encodeString(nil, r.str(data, "type")))
							add("reasoning_details/"+ri+"/"+f, v, false,
								`"delta":{"reasoning_details":[{"index":`+ri+`,"type":`+typ+`,"`+f+`":`, `}]}}]}`)
						}
					}
				}
			}
			if tcs := d.get("tool_calls"); tcs != nil && tcs.kind == '[' {
				for _, tc := range tcs.members {
					ti := jsonNumber(tc.num(data, "index"), tc.index)
					if v := tc.get("function").get("arguments"); v != nil && v.kind == '"' {
						add("tool/"+ti+"/arguments", v, true, `"delta":{"tool_calls":[{"index":`+ti+`,"function":{"arguments":`, `}}]}}]}`)
					}
				}
			}
			if v := d.get("function_call").get("arguments"); v != nil && v.kind == '"' {
				add("function_call/arguments", v, true, `"delta":{"function_call":{"arguments":`, `}}}]}`)
			}
		}
		if v := c.get("text"); v != nil && v.kind == '"' { // legacy completions
			add("text", v, false, `"text":`, `}]}`)
		}
		if fr := c.get("finish_reason"); fr != nil && fr.kind == '"' && fr.end-fr.start > 2 { // "" is not an end
			ends.Prefixes = append(ends.Prefixes, prefix)
			// OpenRouter ends a choice that failed mid-stream with "error": an
			// abnormal end (Ends has one flag, so the fields this chunk closes
			// are all masked, which errs on the safe side).
			ends.Abnormal = ends.Abnormal || fr.text(data) == "error"
		}
	}
	return ds, ends
}

// chatHead renders the chunk-level members a client expects on every chunk (from
// an already scrubbed chunk), up to and including the comma before "choices".
func chatHead(root *node, data []byte) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range root.keys {
		switch k {
		case "id", "object", "created", "model", "system_fingerprint", "service_tier", "provider":
			b.Write(encodeString(nil, k))
			b.WriteByte(':')
			m := root.members[i]
			b.Write(data[m.start:m.end])
			b.WriteByte(',')
		}
	}
	return b.String()
}

// jsonNumber returns s if it is a plain integer, else the fallback position.
func jsonNumber(s string, fallback int) string {
	if _, err := strconv.Atoi(s); err != nil {
		return strconv.Itoa(max(fallback, 0))
	}
	return s
}

// newDelta describes a fragment. chatFrame is set for chat chunks (see Delta).
func newDelta(key string, v *node, data []byte, jsonSource bool, chatFrame func(head string) (string, string)) Delta {
	return Delta{Key: key, Text: v.text(data), JSONSource: jsonSource, Start: v.start, End: v.end, node: v, chatFrame: chatFrame}
}
