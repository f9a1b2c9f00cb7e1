package echo

import (
	"bytes"
	"encoding/json"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"
)

// dialect is the provider whose error shape a route uses.
type dialect int

const (
	openAI dialect = iota
	anthropic
)

// dialectOf: the Messages routes are Anthropic's; the models list and unknown
// paths are Anthropic's when the request carries the anthropic-version header that
// every Anthropic client sends; everything else is OpenAI's.
func dialectOf(rt route, r *http.Request) dialect {
	switch rt {
	case routeMessages, routeCountTokens:
		return anthropic
	case routeModels, routeNone:
		if r.Header.Get("Anthropic-Version") != "" {
			return anthropic
		}
	}
	return openAI
}

// openAIErrorBody is OpenAI's error shape.
type openAIErrorBody struct {
	Error openAIError `json:"error"`
}

type openAIError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// anthropicErrorBody is Anthropic's error shape.
type anthropicErrorBody struct {
	Type  string         `json:"type"` // "error"
	Error anthropicError `json:"error"`
}

type anthropicError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// openAIErrorKind returns the error type and code OpenAI uses for a status.
func openAIErrorKind(status int) (typ, code string) {
	switch {
	case status == http.StatusUnauthorized:
		return "invalid_request_error", "invalid_api_key"
	case status == http.StatusNotFound:
		return "invalid_request_error", "unknown_url"
	case status == http.StatusTooManyRequests:
		return "requests", "rate_limit_exceeded"
	case status >= 500:
		return "server_error", "server_error"
	}
	return "invalid_request_error", ""
}

// anthropicErrorType returns the error type Anthropic uses for a status.
func anthropicErrorType(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "authentication_error"
	case http.StatusPaymentRequired:
		return "billing_error"
	case http.StatusForbidden:
		return "permission_error"
	case http.StatusNotFound:
		return "not_found_error"
	case http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case http.StatusTooManyRequests:
		return "rate_limit_error"
	case http.StatusGatewayTimeout:
		return "timeout_error"
	case 529:
		return "overloaded_error"
	}
	if status >= 500 {
		return "api_error"
	}
	return "invalid_request_error"
}

// writeError answers status with msg in the dialect's error shape.
func writeError(w http.ResponseWriter, d dialect, status int, msg string) {
	writeErrorCode(w, d, status, "", msg)
}

// writeErrorCode is writeError with an OpenAI error code other than the status's
// usual one.
func writeErrorCode(w http.ResponseWriter, d dialect, status int, code, msg string) {
	var v any
	if d == anthropic {
		v = anthropicErrorBody{Type: "error", Error: anthropicError{Type: anthropicErrorType(status), Message: msg}}
	} else {
		typ, usual := openAIErrorKind(status)
		if code == "" {
			code = usual
		}
		e := openAIError{Message: msg, Type: typ}
		if code != "" {
			e.Code = &code
		}
		v = openAIErrorBody{Error: e}
	}
	b, _ := marshal(v) // plain structs of strings: cannot fail
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
}

// marshal encodes v as JSON without HTML escaping (the providers do not escape <, >
// and &).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// chunks yields s in pieces of at most n runes each; a rune is never split. An
// empty s yields nothing.
func chunks(s string, n int) iter.Seq[string] {
	return func(yield func(string) bool) {
		for len(s) > 0 {
			i, runes := 0, 0
			for i < len(s) && runes < n {
				_, size := utf8.DecodeRuneInString(s[i:])
				i += size
				runes++
			}
			if !yield(s[:i]) {
				return
			}
			s = s[i:]
		}
	}
}

// namedTool is a tool offered in a Responses or Messages request: its type and
// name are all the server uses.
type namedTool struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// toolArguments is the JSON source of the arguments of the tool call the server
// makes: {"input": text}.
func toolArguments(text string) string {
	b, _ := marshal(struct {
		Input string `json:"input"`
	}{text}) // a struct of one string: cannot fail
	return string(b)
}

// textOf returns the text of a message content that is either a JSON string or an
// array of parts: the concatenated text of the parts whose type is one of
// partTypes. Anything else has no text.
func textOf(content json.RawMessage, partTypes ...string) string {
	if s, ok := asString(content); ok {
		return s
	}
	var parts []json.RawMessage
	if json.Unmarshal(content, &parts) != nil {
		return ""
	}
	var text []byte
	for _, raw := range parts {
		var p struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if json.Unmarshal(raw, &p) == nil && slices.Contains(partTypes, p.Type) {
			text = append(text, p.Text...)
		}
	}
	return string(text)
}

// asString returns the value of a JSON string, and false for any other JSON.
func asString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}
