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

// isSSE: the first line that is not blank or an SSE comment (": keep-alive") is a
// data:, event:, id: or retry: field.
func isSSE(head []byte) bool {
	rest := bytes.TrimPrefix(head, []byte("\ufeff"))
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimRight(line, "\r")
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			continue
		case line[0] == ':':
			continue
		}
		for _, f := range []string{"data:", "event:", "id:", "retry:"} {
			if bytes.HasPrefix(line, []byte(f)) {
				return true
			}
		}
		return false
	}
	return false
}

// jsonlKind recognises agent session logs among JSON lines by the envelope of their
// first complete lines (at most 4 are looked at): Claude Code writes
// {"type":"user"|"assistant","message":{"role":…,"content":…},"sessionId":…,"uuid":…}
// and {"type":"summary","leafUuid":…}; Codex CLI writes
// {"timestamp":…,"type":"session_meta"|"response_item"|"event_msg"|"turn_context","payload":…}.
func jsonlKind(head []byte) string {
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
