// Package proxy is the scrubbing gateway behind `scrubgate serve`: a gin server that
// agents point their base URL at. It routes OpenAI-style, Azure OpenAI and
// Anthropic APIs to their upstreams (or to the built-in echo upstream), scrubs every
// request and response through providers.Transport, authenticates agents by gateway
// key or derives a tenant from the caller's own credential (pass-through), applies
// each tenant's policy (redact, block, alert-only, allowlists, disabled rules, a
// global observe mode), learns every secret it redacts as a known value of the
// tenant, and turns each finding into an event: JSON log, Prometheus metrics on a
// separate admin listener, and an optional webhook.
//
// No log line, metric label, error or event holds a secret, a raw path, a query or
// a header value.
package proxy
