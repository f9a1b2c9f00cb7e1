package providers

import (
	"context"
	"net/http"
	"strings"
)

// Flavor is the family of an API, which decides the shape of errors.
type Flavor int

// The flavors: OpenAI and everything OpenAI-compatible (chat completions,
// Responses, embeddings, Azure OpenAI, OpenRouter, vLLM, Ollama), and Anthropic.
const (
	FlavorOpenAI Flavor = iota
	FlavorAnthropic
)

// FlavorOf tells the API family from a request path.
func FlavorOf(path string) Flavor {
	if strings.HasSuffix(path, "/messages") || strings.HasSuffix(path, "/messages/count_tokens") || strings.Contains(path, "/messages/batches") {
		return FlavorAnthropic
	}
	return FlavorOpenAI
}

type flavorKey struct{}

// WithFlavor returns a context that makes the errors Transport answers for a
// request take flavor f's shape, for a route whose path does not tell its API
// (/v1/models and /v1/files are served by both OpenAI and Anthropic).
func WithFlavor(ctx context.Context, f Flavor) context.Context {
	return context.WithValue(ctx, flavorKey{}, f)
}

// flavorOfRequest is the flavor set with WithFlavor, else the one of the path.
func flavorOfRequest(req *http.Request) Flavor {
	if f, ok := req.Context().Value(flavorKey{}).(Flavor); ok {
		return f
	}
	return FlavorOf(req.URL.Path)
}

// ErrorBody renders an error in the API's own shape, so SDKs surface it as an API
// error with the message. code is a short machine-readable reason.
func ErrorBody(f Flavor, status int, code, msg string) []byte {
	if f == FlavorAnthropic {
		typ := "invalid_request_error"
		switch {
		case status == http.StatusRequestEntityTooLarge:
			typ = "request_too_large"
		case status >= 500:
			typ = "api_error"
		}
		return []byte(`{"type":"error","error":{"type":` + string(encodeString(nil, typ)) + `,"message":` + string(encodeString(nil, msg)) + `}}`)
	}
	typ := "invalid_request_error"
	if status >= 500 {
		typ = "server_error"
	}
	return []byte(`{"error":{"message":` + string(encodeString(nil, msg)) + `,"type":` + string(encodeString(nil, typ)) +
		`,"param":null,"code":` + string(encodeString(nil, code)) + `}}`)
}

// OwnErrorHeader marks error responses that scrubgate made itself (blocks, refused
// bodies), as opposed to the upstream's.
const OwnErrorHeader = "X-Scrubgate-Error"

// ErrorResponse builds a complete error response in the API's shape.
func ErrorResponse(req *http.Request, status int, code, msg string) *http.Response {
	body := ErrorBody(flavorOfRequest(req), status, code, msg)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(OwnErrorHeader, code)
	return &http.Response{
		Status: http.StatusText(status), StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: nopCloser{strings.NewReader(string(body))}, ContentLength: int64(len(body)), Request: req,
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }
