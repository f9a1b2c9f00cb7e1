package proxy

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the gateway's Prometheus metrics, on their own registry. Labels name
// route templates, rule ids, directions and configured tenants only: never a raw
// path, query, header value or secret. Pass-through tenants (unbounded, derived
// from credentials) are counted under the label "pass-through".
type metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.CounterVec
	latency         *prometheus.HistogramVec
	scrubTime       *prometheus.HistogramVec
	bytesScanned    *prometheus.CounterVec
	findings        *prometheus.CounterVec
	blocks          *prometheus.CounterVec
	streamHeld      prometheus.Histogram
	streams         *prometheus.CounterVec
	upstreamErrors  *prometheus.CounterVec
	webhookQueue    prometheus.Gauge
	webhookDropped  prometheus.Counter
	webhookSent     prometheus.Counter
	webhookFailures prometheus.Counter
	leaks           *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scrubgate_requests_total", Help: "Requests by route template and status code."}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "scrubgate_request_duration_seconds", Help: "Request duration by route template (whole stream for streams).",
		Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 15, 60, 300}}, []string{"route"})
	m.scrubTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "scrubgate_scrub_duration_seconds", Help: "Time spent scrubbing whole bodies, by direction.",
		Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .05, .1, .5}}, []string{"direction"})
	m.bytesScanned = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scrubgate_bytes_scanned_total", Help: "Body bytes scanned, by direction."}, []string{"direction"})
	m.findings = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scrubgate_findings_total", Help: "Findings by rule, direction, tenant and action."}, []string{"rule", "direction", "tenant", "action"})
	m.blocks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scrubgate_blocks_total", Help: "Requests or responses blocked by policy, by rule and direction."}, []string{"rule", "direction"})
	m.leaks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scrubgate_leakage_attempts_total", Help: "High-severity events by reason."}, []string{"reason"})
	m.streamHeld = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "scrubgate_stream_held_bytes", Help: "Bytes a stream's redactors held back, sampled after each event.",
		Buckets: []float64{0, 8, 32, 64, 128, 256, 1024, 4096, 16384}})
	m.streams = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scrubgate_streams_total", Help: "Scrubbed event streams by how they ended (normal, abnormal)."}, []string{"end"})
	m.upstreamErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scrubgate_upstream_errors_total", Help: "Upstream failures by route template and kind (connect, timeout, status_5xx, status_4xx, canceled)."}, []string{"route", "kind"})
	m.webhookQueue = prometheus.NewGauge(prometheus.GaugeOpts{Name: "scrubgate_webhook_queue_length", Help: "Alert events waiting for the webhook."})
	m.webhookDropped = prometheus.NewCounter(prometheus.CounterOpts{Name: "scrubgate_webhook_dropped_total", Help: "Alert events dropped (queue full or retries exhausted)."})
	m.webhookSent = prometheus.NewCounter(prometheus.CounterOpts{Name: "scrubgate_webhook_sent_total", Help: "Alert events delivered to the webhook."})
	m.webhookFailures = prometheus.NewCounter(prometheus.CounterOpts{Name: "scrubgate_webhook_failures_total", Help: "Failed webhook delivery attempts."})
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.scrubTime, m.bytesScanned, m.findings, m.blocks, m.leaks, m.streamHeld, m.streams,
		m.upstreamErrors, m.webhookQueue, m.webhookDropped, m.webhookSent, m.webhookFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	return m
}
