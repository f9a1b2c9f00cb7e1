package proxy

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Severity says how much an event matters.
type Severity string

// The severities. High marks leakage attempts: a secret in a completion, a canary
// anywhere, a known secret reappearing, the same secret from two tenants.
const (
	SeverityLow    Severity = "low"
	SeverityMedium Severity = "medium"
	SeverityHigh   Severity = "high"
)

func severityRank(s Severity) int {
	switch s {
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 2
}

// Event is one finding in traffic, as logged, counted and sent to the webhook. It
// never holds the secret: only its keyed fingerprint and the handle.
type Event struct {
	Time        time.Time `json:"time"`
	RequestID   string    `json:"request_id"`
	Agent       string    `json:"agent,omitempty"`
	Tenant      string    `json:"tenant"`
	Direction   string    `json:"direction"`
	Route       string    `json:"route"`
	Location    string    `json:"location"`
	RuleID      string    `json:"rule_id"`
	Kind        string    `json:"kind"`
	Confidence  string    `json:"confidence"`
	Fingerprint string    `json:"fingerprint"`
	// Action is what was done: redacted, blocked, alerted (alert-only) or allowed.
	Action   string   `json:"action"`
	Handle   string   `json:"handle,omitempty"`
	Severity Severity `json:"severity"`
	// Reasons explain a high severity: completion, canary, known-value,
	// cross-tenant, thinking-block.
	Reasons []string `json:"reasons,omitempty"`
}

// logAttrs renders the event for slog.
func (e *Event) logAttrs() []any {
	attrs := []any{
		slog.String("request_id", e.RequestID), slog.String("tenant", e.Tenant), slog.String("direction", e.Direction),
		slog.String("route", e.Route), slog.String("location", e.Location), slog.String("rule_id", e.RuleID),
		slog.String("kind", e.Kind), slog.String("confidence", e.Confidence), slog.String("fingerprint", e.Fingerprint),
		slog.String("action", e.Action), slog.String("severity", string(e.Severity)),
	}
	if e.Agent != "" {
		attrs = append(attrs, slog.String("agent", e.Agent))
	}
	if e.Handle != "" {
		attrs = append(attrs, slog.String("handle", e.Handle))
	}
	if len(e.Reasons) > 0 {
		attrs = append(attrs, slog.Any("reasons", e.Reasons))
	}
	return attrs
}

// webhook delivers events asynchronously: a bounded queue, retries with backoff,
// and a drop counter. It never slows a request: a full queue drops the event.
type webhook struct {
	url     string
	client  *http.Client
	q       chan []byte
	retries int
	secret  []byte
	min     Severity
	log     *slog.Logger
	m       *metrics
	stop    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	backoff time.Duration
}

func newWebhook(cfg WebhookConfig, secret string, log *slog.Logger, m *metrics) *webhook {
	if cfg.URL == "" {
		return nil
	}
	qlen := cfg.Queue
	if qlen <= 0 {
		qlen = 1024
	}
	retries := cfg.MaxRetries
	if retries <= 0 {
		retries = 5
	}
	min := Severity(cfg.MinSeverity)
	if min == "" {
		min = SeverityMedium
	}
	w := &webhook{url: cfg.URL, client: &http.Client{Timeout: cfg.Timeout.or(5 * time.Second)}, q: make(chan []byte, qlen),
		retries: retries, secret: []byte(secret), min: min, log: log, m: m, stop: make(chan struct{}), backoff: 200 * time.Millisecond}
	w.wg.Add(1)
	go w.run()
	return w
}

// send queues an event, or drops it (and counts the drop) when the queue is full.
func (w *webhook) send(e *Event) {
	if severityRank(e.Severity) < severityRank(w.min) {
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	select {
	case w.q <- b:
		w.m.webhookQueue.Set(float64(len(w.q)))
	default:
		w.m.webhookDropped.Inc()
	}
}

func (w *webhook) run() {
	defer w.wg.Done()
	for {
		select {
		case b := <-w.q:
			w.m.webhookQueue.Set(float64(len(w.q)))
			w.deliver(b)
		case <-w.stop:
			for { // drain what is queued, with no more retries than one attempt each
				select {
				case b := <-w.q:
					w.post(b)
				default:
					return
				}
			}
		}
	}
}

func (w *webhook) deliver(b []byte) {
	delay := w.backoff
	for attempt := 0; attempt <= w.retries; attempt++ {
		if w.post(b) {
			w.m.webhookSent.Inc()
			return
		}
		if attempt == w.retries {
			break
		}
		select {
		case <-time.After(delay):
		case <-w.stop:
			return
		}
		if delay *= 2; delay > 10*time.Second {
			delay = 10 * time.Second
		}
	}
	w.m.webhookDropped.Inc()
	w.log.Warn("alert webhook delivery failed; event dropped", slog.Int("attempts", w.retries+1))
}

func (w *webhook) post(b []byte) bool {
	req, err := http.NewRequest(http.MethodPost, w.url, bytes.NewReader(b))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "scrubgate-webhook")
	if len(w.secret) > 0 {
		mac := hmac.New(sha256.New, w.secret)
		mac.Write(b)
		req.Header.Set("X-Scrubgate-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		w.m.webhookFailures.Inc()
		return false
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		w.m.webhookFailures.Inc()
		return false
	}
	return true
}

// close stops the worker after delivering what is queued, or when ctx ends.
func (w *webhook) close(ctx context.Context) {
	w.once.Do(func() { close(w.stop) })
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
