// Package providers knows the wire formats of LLM provider APIs (OpenAI chat
// completions, legacy completions, embeddings and the Responses API; Anthropic
// Messages; OpenAI-compatible servers such as OpenRouter, vLLM and Ollama) and
// scrubs them, with no server in it.
//
// A Scrubber rewrites a whole body (Body) or an event stream (NewStream): every JSON
// string value is scanned, except a short reviewed skip-list (signatures, encrypted
// reasoning, base64 media), and each secret is replaced by the handle the caller's
// Handle function returns; every other byte, field order and number is kept.
// Tool-call arguments, which are JSON source inside a string, are scanned in JSON
// mode. In streams every text-bearing field gets its own streaming redactor, so a
// secret split across events never reaches the client, while ordinary text flows on
// at once. Signed Anthropic thinking blocks sent back in requests are never edited:
// the ThinkingPolicy blocks the request or alerts.
//
// Transport does all of this in-process as an http.RoundTripper, for Go programs
// that call providers through an SDK. The package pulls in neither gin nor
// Prometheus.
package providers
