package ciscan

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/scrubgate/scrubgate/scanner"
)

// Formats reported for scanned inputs.
const (
	FormatText       = "text"
	FormatJSON       = "json"
	FormatJSONL      = "jsonl"
	FormatSSE        = "sse"
	FormatClaudeCode = "claude-code" // a Claude Code session (JSONL)
	FormatCodex      = "codex"       // a Codex CLI session rollout (JSONL)
	// FormatNDJSONStream is a captured newline-delimited JSON stream (Ollama's
	// native /api/chat and /api/generate): JSON lines whose deltas are reassembled
	// like those of an SSE capture.
	FormatNDJSONStream = "ndjson-stream"
)

// detectFormat chooses how to read an input from its first bytes (head, UTF-8) or
// the forced format; the name only tells a one-line .jsonl file from JSON. The scanner
// reads Claude Code and Codex sessions as JSONL, like any JSONL: recognising them
// tells the user what was understood.
func detectFormat(head []byte, name, forced string) (string, scanner.Mode) {
	switch forced {
	case "text":
		return FormatText, scanner.ModeText
	case "json":
		return FormatJSON, scanner.ModeJSON
	case "jsonl":
		return FormatJSONL, scanner.ModeJSONL
	case "sse":
		return FormatSSE, scanner.ModeJSONL
	}
	if isSSE(head) {
		return FormatSSE, scanner.ModeJSONL
	}
	if t := bytes.TrimLeft(head, " \t\r\n\ufeff"); len(t) > 0 && t[0] != '{' && t[0] != '[' {
		return FormatText, scanner.ModeText // (the scanner's own guess would take an "id:" line for SSE)
	}
	switch scanner.DetectMode(head) {
	case scanner.ModeJSONL:
		return jsonlKind(head), scanner.ModeJSONL
	case scanner.ModeJSON:
		if jsonLinesWithControlBytes(head) || jsonlName(name) {
			return jsonlKind(head), scanner.ModeJSONL
		}
		return FormatJSON, scanner.ModeJSON
	}
	return FormatText, scanner.ModeText
}

// jsonlName: the name, less compression suffixes, ends in .jsonl or .ndjson.
func jsonlName(name string) bool {
	name = strings.ToLower(name)
	for _, ext := range []string{".gz", ".zst", ".zstd"} {
		name = strings.TrimSuffix(name, ext)
	}
	return strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".ndjson")
}

// jsonLinesWithControlBytes recognises JSON lines whose first line is valid JSON but
// for raw control bytes (a NUL, an escape sequence from a terminal) inside strings:
// transcripts of tool output have them, and they must not turn JSONL into one
// (broken) JSON document.
func jsonLinesWithControlBytes(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n\ufeff")
	line, rest, found := bytes.Cut(t, []byte("\n"))
	if !found || len(bytes.TrimSpace(rest)) == 0 {
		return false
	}
	clean := make([]byte, len(line))
	for i, c := range line {
		if c < 0x20 {
			c = ' '
		}
		clean[i] = c
	}
	return json.Valid(clean)
}

// isSSE: the head reads as an event stream: every complete line is a field
// (data:, event:, id:, retry:), a comment (": keep-alive") or blank, and at least one
// is a data: line. A capture may start with the HTTP response's status line and
// headers (curl -i); they are skipped up to the first blank line. A YAML file or a
// log whose first line happens to start with "id:" or "data:" is not a stream.
func isSSE(head []byte) bool {
	rest := sseBody(bytes.TrimPrefix(head, []byte("\ufeff")))
	data := false
	for {
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			break // an incomplete last line says nothing
		}
		line := bytes.TrimRight(rest[:nl], "\r")
		rest = rest[nl+1:]
		switch {
		case len(bytes.TrimSpace(line)) == 0 || line[0] == ':':
			continue
		case bytes.HasPrefix(line, []byte("data:")):
			data = true
			continue
		case bytes.HasPrefix(line, []byte("event:")) || bytes.HasPrefix(line, []byte("id:")) || bytes.HasPrefix(line, []byte("retry:")):
			continue
		}
		return false
	}
	return data
}

// sseBody skips an HTTP status line and headers at the start of a capture (curl -i):
// everything up to and including the first blank line, when the first line is an
// HTTP/1.x or HTTP/2 status line.
func sseBody(b []byte) []byte {
	if n := sseHeaderLen(b); n > 0 {
		return b[n:]
	}
	return b
}

// sseHeaderLen is the length of an HTTP response head at the start of b (status
// line, headers, blank line), or 0.
func sseHeaderLen(b []byte) int {
	if !bytes.HasPrefix(b, []byte("HTTP/")) {
		return 0
	}
	at := 0
	for at < len(b) {
		line, _, found := bytes.Cut(b[at:], []byte("\n"))
		if !found {
			return 0
		}
		at += len(line) + 1
		if len(bytes.TrimRight(line, "\r")) == 0 {
			return at
		}
	}
	return 0
}

// jsonlKind recognises agent session logs among JSON lines by the envelope of their
// first complete lines (at most 4 are looked at): Claude Code writes
// {"type":"user"|"assistant","message":{"role":…,"content":…},"sessionId":…,"uuid":…}
// and {"type":"summary","leafUuid":…}; Codex CLI writes
// {"timestamp":…,"type":"session_meta"|"response_item"|"event_msg"|"turn_context","payload":…}.
func jsonlKind(head []byte) string {
	if ndjsonStream(head) {
		return FormatNDJSONStream
	}
	rest := head
	for i := 0; i < 4; i++ {
		line, more, found := bytes.Cut(rest, []byte("\n"))
		if !found {
			break // an incomplete last line says nothing
		}
		rest = more
		var env struct {
			Type      *string `json:"type"`
			SessionID *string `json:"sessionId"`
			UUID      *string `json:"uuid"`
			LeafUUID  *string `json:"leafUuid"`
			Message   *struct {
				Role *string `json:"role"`
			} `json:"message"`
			Timestamp *string          `json:"timestamp"`
			Payload   *json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(bytes.TrimSpace(line), &env) != nil || env.Type == nil {
			continue
		}
		switch t := *env.Type; {
		case env.Timestamp != nil && env.Payload != nil &&
			(t == "session_meta" || t == "response_item" || t == "event_msg" || t == "turn_context" || t == "compacted"):
			return FormatCodex
		case (t == "user" || t == "assistant") && env.Message != nil && (env.Message.Role != nil || env.SessionID != nil || env.UUID != nil),
			t == "summary" && env.LeafUUID != nil:
			return FormatClaudeCode
		}
	}
	return FormatJSONL
}

// ndjsonStream recognises a captured Ollama stream: its first complete line is an
// object with a boolean "done" and a "message" object or a "response" string.
func ndjsonStream(head []byte) bool {
	line, _, found := bytes.Cut(bytes.TrimLeft(head, " \t\r\n"), []byte("\n"))
	if !found {
		return false
	}
	var c struct {
		Done     *bool            `json:"done"`
		Message  *json.RawMessage `json:"message"`
		Response *string          `json:"response"`
	}
	return json.Unmarshal(bytes.TrimSpace(line), &c) == nil && c.Done != nil && (c.Message != nil || c.Response != nil)
}
