// Package echo is a fake LLM provider: an http.Handler that speaks the wire formats
// of the OpenAI API (chat completions, legacy completions, Responses, embeddings,
// models) and the Anthropic Messages API, and answers every conversation by
// echoing the text of its last user turn back as the assistant.
//
// It is the upstream behind `scrubgate serve --upstream echo`, so anyone can watch
// credentials being scrubbed without a provider account (whatever reaches the
// upstream comes straight back, so a secret that slipped through is visible in the
// answer), and it is the upstream of the proxy's end-to-end tests. Its answers are
// shaped like the real ones, streamed or not, so real SDKs and agents can parse
// them: go-openai, the openai and @anthropic-ai/sdk npm packages, Claude Code,
// Codex CLI.
//
// What is echoed: the text of the last turn that came from the user or from a tool.
// For chat completions that is the last message with role user, tool or function
// (array content: its text parts, concatenated); for Responses the last user
// message (string content or input_text parts) or function_call_output item; for
// Messages the last user message (string content, text blocks and the content of
// tool_result blocks, concatenated in order); for legacy completions the prompt.
//
// Tools: when a request offers function tools, the last turn came from the user and
// tool_choice is not "none", the answer is one call to the first tool (or the tool
// tool_choice names) with the arguments {"input": <echoed text>}. When the last turn
// is a tool result the answer is text, echoing the result, so an agent that runs
// the call and sends back its output gets a final answer instead of a loop of calls.
//
// Variants: a model whose name contains "reasoning" also returns the text as
// reasoning_content (chat completions) before the answer; an Anthropic request with
// thinking enabled gets a thinking block (same text, fake signature) first.
//
// Failures on demand, for tests of what sits in front: the request header
// X-Echo-Fail: 429 (any status from 400 to 599) makes the server answer with that
// status in the route's error shape; X-Echo-Fail: midstream sends the start of the
// answer (two deltas of a stream, half of a JSON body) and then aborts the
// connection.
//
// Streams are flushed after every event, cut into WithChunkSize runes per delta
// (never inside a UTF-8 character) and stop as soon as the client goes away. The
// server records every request it receives (LastRequest, Requests), so a test can
// check what actually reached the upstream.
package echo
