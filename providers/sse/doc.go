// Package sse reads and writes server-sent events (the text/event-stream format of
// the WHATWG HTML standard) as LLM providers stream them: OpenAI chat chunks,
// Responses events and Anthropic Messages events.
//
// The Reader accepts every line ending the standard allows (LF, CRLF, CR), keeps
// the byte offset of every event and data line (so a scan of a saved capture can
// point at the events that carried a secret), bounds the size of an event, and
// reports a stream that ends inside an event as ErrTruncated instead of silently
// dropping it. Write emits an event in canonical form.
package sse
