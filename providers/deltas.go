package providers

import (
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
	// frame returns the frame of a synthetic event that carries more text of this
	// field: before + JSON string + after. It is built only when needed.
	frame func() (before, after []byte)
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
// tool-call arguments), legacy completion chunks, Responses API events (every
// *.delta with a text delta; *.done closes), and Anthropic Messages events
// (text_delta, thinking_delta, input_json_delta; content_block_stop closes). Data
// that is not JSON yields no deltas ("[DONE]" closes everything).
func StreamDeltas(name string, data []byte) ([]Delta, Ends, error) {
	if string(data) == "[DONE]" {
		return nil, Ends{All: true}, nil
	}
	root, err := parseTree(data)
	if err != nil {
		return nil, Ends{}, err
	}
	ds, ends := classify(name, root, data)
	for i := range ds {
		ds[i].Path = ds[i].node.path()
	}
	return ds, ends, nil
}

// classify finds the deltas and the closed fields of a parsed event.
func classify(name string, root *node, data []byte) ([]Delta, Ends) {
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
		return responsesEvent(typ, root, data)
	}
	if choices := root.get("choices"); choices != nil && choices.kind == '[' {
		return chatChunk(root, choices, data)
	}
	return nil, Ends{}
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

// responsesEvent handles Responses API stream events.
func responsesEvent(typ string, root *node, data []byte) ([]Delta, Ends) {
	switch typ {
	case "response.completed", "response.incomplete", "response.done":
		return nil, Ends{All: true}
	case "response.failed", "response.error":
		return nil, Ends{All: true, Abnormal: true}
	}
	if strings.HasSuffix(typ, ".delta") {
		v := root.get("delta")
		if v == nil || v.kind != '"' || strings.HasSuffix(typ, "audio.delta") {
			return nil, Ends{}
		}
		field := strings.TrimSuffix(strings.TrimPrefix(typ, "response."), ".delta")
		json := strings.Contains(field, "arguments")
		return []Delta{newDelta(responsesKey(field, root, data), v, data, json, nil)}, Ends{}
	}
	if strings.HasSuffix(typ, ".done") {
		field := strings.TrimSuffix(strings.TrimPrefix(typ, "response."), ".done")
		return nil, Ends{Prefixes: []string{responsesKey(field, root, data)}}
	}
	return nil, Ends{}
}

func responsesKey(field string, root *node, data []byte) string {
	return "responses/" + field + "/" + root.str(data, "item_id") + "/" + root.num(data, "output_index") + "/" +
		root.num(data, "content_index") + "/" + root.num(data, "summary_index")
}

// chatFields are the text-bearing members of a chat completion chunk's delta (and
// "text" of a legacy completion chunk). Other members (role, tool ids and names)
// are short and are scanned whole with the rest of the event.
var chatFields = []string{"content", "reasoning_content", "reasoning", "refusal"}

func chatChunk(root, choices *node, data []byte) ([]Delta, Ends) {
	var ds []Delta
	var ends Ends
	id := root.str(data, "id")
	for _, c := range choices.members {
		if c.kind != '{' {
			continue
		}
		idx := c.num(data, "index")
		if idx == "" {
			idx = strconv.Itoa(c.index)
		}
		prefix := "chat/" + id + "/" + idx + "/"
		choiceHead := func() string { return chatHead(root, data) + `"choices":[{"index":` + jsonNumber(idx) + `,` }
		if d := c.get("delta"); d != nil && d.kind == '{' {
			for _, f := range chatFields {
				if v := d.get(f); v != nil && v.kind == '"' {
					ds = append(ds, newDelta(prefix+f, v, data, false, func() []string { return []string{choiceHead() + `"delta":{"` + f + `":`, `}}]}`} }))
				}
			}
			if tcs := d.get("tool_calls"); tcs != nil && tcs.kind == '[' {
				for _, tc := range tcs.members {
					ti := tc.num(data, "index")
					if ti == "" {
						ti = strconv.Itoa(tc.index)
					}
					if v := tc.get("function").get("arguments"); v != nil && v.kind == '"' {
						ds = append(ds, newDelta(prefix+"tool/"+ti+"/arguments", v, data, true, func() []string {
							return []string{choiceHead() + `"delta":{"tool_calls":[{"index":` + jsonNumber(ti) + `,"function":{"arguments":`, `}}]}}]}`}
						}))
					}
				}
			}
			if v := d.get("function_call").get("arguments"); v != nil && v.kind == '"' {
				ds = append(ds, newDelta(prefix+"function_call/arguments", v, data, true, func() []string {
					return []string{choiceHead() + `"delta":{"function_call":{"arguments":`, `}}}]}`}
				}))
			}
		}
		if v := c.get("text"); v != nil && v.kind == '"' { // legacy completions
			ds = append(ds, newDelta(prefix+"text", v, data, false, func() []string { return []string{choiceHead() + `"text":`, `}]}`} }))
		}
		if fr := c.get("finish_reason"); fr != nil && fr.kind == '"' {
			ends.Prefixes = append(ends.Prefixes, prefix)
		}
	}
	return ds, ends
}

// chatHead copies the chunk-level members a client expects on every chunk.
func chatHead(root *node, data []byte) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range root.keys {
		switch k {
		case "id", "object", "created", "model", "system_fingerprint", "service_tier":
			b.WriteString(string(encodeString(nil, k)))
			b.WriteByte(':')
			m := root.members[i]
			b.Write(data[m.start:m.end])
			b.WriteByte(',')
		}
	}
	return b.String()
}

func jsonNumber(s string) string {
	if _, err := strconv.Atoi(s); err != nil {
		return "0"
	}
	return s
}

// newDelta describes a fragment. frame, if not nil, builds the synthetic event's
// frame; otherwise the event itself is the frame (its other members are metadata).
func newDelta(key string, v *node, data []byte, jsonSource bool, frame func() []string) Delta {
	d := Delta{Key: key, Text: v.text(data), JSONSource: jsonSource, Start: v.start, End: v.end, node: v}
	if frame != nil {
		d.frame = func() ([]byte, []byte) { f := frame(); return []byte(f[0]), []byte(f[1]) }
	} else {
		d.frame = func() ([]byte, []byte) { return data[:v.start], data[v.end:] }
	}
	return d
}
