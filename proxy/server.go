package proxy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scrubgate/scrubgate/providers"
	"github.com/scrubgate/scrubgate/providers/echo"
	"github.com/scrubgate/scrubgate/scanner"
	"github.com/scrubgate/scrubgate/vault"
)

// Server is the scrubbing gateway.
type Server struct {
	cfg       *Config
	log       *slog.Logger
	scanner   *scanner.Scanner
	keys      vault.Keys
	vault     *vault.Memory
	tenants   *tenants
	metrics   *metrics
	webhook   *webhook
	transport *providers.Transport
	proxies   map[string]*httputil.ReverseProxy // by provider
	engine    *gin.Engine
	// split is set when the openai and anthropic upstreams differ, so a
	// credential sent to the wrong one would reach another provider.
	split bool

	echo     *echo.Server
	echoSrv  *http.Server
	echoOnce sync.Once
}

// Options are what New needs besides the config.
type Options struct {
	// Scanner is the compiled rule pack (shared, read-only; tenants clone it).
	Scanner *scanner.Scanner
	// Keys derive handles, fingerprints and tenant ids (see LoadOrCreateKey).
	Keys vault.Keys
	// Logger receives the JSON log; nil discards it.
	Logger *slog.Logger
	// UpstreamTransport makes the upstream requests; nil builds one from the
	// config's timeouts.
	UpstreamTransport http.RoundTripper
}

// New builds a Server from a validated config.
func New(cfg *Config, o Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Scanner == nil {
		return nil, errors.New("proxy: no scanner")
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: log, keys: o.Keys, metrics: newMetrics(), proxies: map[string]*httputil.ReverseProxy{}}
	s.scanner = o.Scanner.WithFingerprintKey(o.Keys.FingerprintKey())
	s.vault = vault.NewMemory(cfg.Vault.TTL.or(24*time.Hour), cfg.Vault.MaxEntries)
	ts, err := newTenants(cfg, s.scanner, tenantKey(o.Keys))
	if err != nil {
		return nil, err
	}
	s.tenants = ts
	if cfg.Webhook.URL != "" {
		secret := ""
		if cfg.Webhook.SecretEnv != "" {
			secret = os.Getenv(cfg.Webhook.SecretEnv)
		}
		s.webhook = newWebhook(cfg.Webhook, secret, log, s.metrics)
	}
	base := o.UpstreamTransport
	if base == nil {
		base = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: cfg.Timeouts.Connect.or(10 * time.Second), KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   cfg.Timeouts.Connect.or(10 * time.Second),
			ResponseHeaderTimeout: cfg.Timeouts.Header.or(10 * time.Minute),
			IdleConnTimeout:       cfg.Timeouts.Idle.or(90 * time.Second),
			MaxIdleConnsPerHost:   64,
			ForceAttemptHTTP2:     true,
		}
	}
	s.transport = &providers.Transport{Base: base, MaxBody: cfg.MaxBodyBytes, OnStreamEnd: s.streamEnded,
		OnStreamEvent: func(_ *http.Request, held int64) { s.metrics.streamHeld.Observe(float64(held)) }}
	targets := map[string]string{}
	for _, p := range []string{"openai", "anthropic"} {
		target, err := s.upstreamURL(p)
		if err != nil {
			return nil, err
		}
		targets[p] = target.String()
		s.proxies[p] = s.reverseProxy(p, target)
	}
	s.split = targets["openai"] != targets["anthropic"]
	s.engine = s.routes()
	return s, nil
}

func tenantKey(k vault.Keys) []byte {
	return append([]byte("scrubgate tenant v1\x00"), k.FingerprintKey()...)
}

// upstreamURL resolves a provider's upstream, starting the echo upstream if asked.
func (s *Server) upstreamURL(provider string) (*url.URL, error) {
	u := s.cfg.Upstreams[provider]
	if u == "" {
		u = s.cfg.Upstream
	}
	if u == "" {
		u = map[string]string{"openai": DefaultOpenAIUpstream, "anthropic": DefaultAnthropicUpstream}[provider]
	}
	if u == Echo {
		return s.startEcho()
	}
	pu, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	pu.Path = strings.TrimSuffix(pu.Path, "/")
	pu.RawPath = strings.TrimSuffix(pu.RawPath, "/")
	return pu, nil
}

// versionedBase reports whether an upstream URL's path names an API version (a
// segment such as v1, v1beta, v2alpha1): it is then a base URL as the providers
// document them for their SDKs (https://api.openai.com/v1,
// https://api.groq.com/openai/v1, https://generativelanguage.googleapis.com/v1beta/openai),
// and it stands in for the route's own version prefix. Without one (a host, or
// https://host/prefix) the route's whole path is appended to it. Anthropic's SDKs
// append /v1/messages to their base URL, so there only a final /v1 is the
// version (a gateway's own version, as in Cloudflare AI Gateway's
// https://gateway.ai.cloudflare.com/v1/ACCOUNT/GATEWAY/anthropic, is not).
func versionedBase(provider, path string) bool {
	if provider == "anthropic" {
		return strings.HasSuffix(path, "/v1")
	}
	for _, seg := range strings.Split(path, "/") {
		if len(seg) < 2 || seg[0] != 'v' || seg[1] < '0' || seg[1] > '9' {
			continue
		}
		i := 1
		for i < len(seg) && seg[i] >= '0' && seg[i] <= '9' {
			i++
		}
		for i < len(seg) && (seg[i] >= 'a' && seg[i] <= 'z' || seg[i] >= '0' && seg[i] <= '9') {
			i++
		}
		if i == len(seg) {
			return true
		}
	}
	return false
}

// versionPrefixes are the route prefixes that carry an API version, longest first.
var versionPrefixes = []string{"/openai/v1", "/api/v1", "/v1"}

// stripVersionPrefix removes the route's version prefix from an outbound URL, so a
// versioned base URL takes its place.
func stripVersionPrefix(u *url.URL) {
	for _, p := range versionPrefixes {
		if rest, ok := strings.CutPrefix(u.Path, p); ok && (rest == "" || rest[0] == '/') {
			u.Path = rest
			if raw, ok := strings.CutPrefix(u.RawPath, p); ok {
				u.RawPath = raw
			} else {
				u.RawPath = ""
			}
			return
		}
	}
}

// startEcho runs the built-in fake LLM on a loopback port.
func (s *Server) startEcho() (*url.URL, error) {
	var err error
	s.echoOnce.Do(func() {
		var ln net.Listener
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return
		}
		s.echo = echo.New()
		s.echoSrv = &http.Server{Handler: s.echo, ReadHeaderTimeout: 10 * time.Second}
		go s.echoSrv.Serve(ln)
		s.echoSrv.Addr = ln.Addr().String()
	})
	if err != nil {
		return nil, fmt.Errorf("starting the echo upstream: %w", err)
	}
	return &url.URL{Scheme: "http", Host: s.echoSrv.Addr}, nil
}

// Echo returns the built-in echo upstream when the server uses it (for the demo
// and tests: it records what the "provider" received), or nil.
func (s *Server) Echo() *echo.Server { return s.echo }

// forwardedHeaders are the request headers sent upstream; everything else a client
// sends is dropped. Credentials are handled separately.
var forwardedHeaders = []string{
	"Content-Type", "Accept", "User-Agent", "Idempotency-Key",
	"Openai-Organization", "Openai-Project", "Openai-Beta",
	"Anthropic-Version", "Anthropic-Beta", "Anthropic-Dangerous-Direct-Browser-Access",
	"X-Ms-Client-Request-Id", "Http-Referer", "X-Title", // Azure, OpenRouter
	"Originator", "Session_id", "Conversation_id", "X-Client-Request-Id", "Version", "X-App", // Codex CLI, Claude Code
	"Content-Encoding",
}

// forwardedPrefixes are header-name prefixes forwarded as well: the SDKs'
// platform headers (x-stainless-lang, -os, -arch, -runtime, -retry-count, …).
var forwardedPrefixes = []string{"X-Stainless-"}

type ctxKey int

const (
	ctxIdentity ctxKey = iota
	ctxRoute
)

type requestInfo struct {
	id       identity
	route    string
	reqID    string
	provider string
	learn    learnQueue
}

func (s *Server) reverseProxy(provider string, target *url.URL) *httputil.ReverseProxy {
	allowed := append([]string(nil), forwardedHeaders...)
	for _, h := range s.cfg.ForwardHeaders {
		allowed = append(allowed, http.CanonicalHeaderKey(h))
	}
	versioned := versionedBase(provider, target.Path)
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			info := pr.In.Context().Value(ctxRoute).(*requestInfo)
			if versioned {
				stripVersionPrefix(pr.Out.URL)
			}
			pr.SetURL(target)
			pr.Out.Host = target.Host
			h := http.Header{}
			for _, name := range allowed {
				if v, ok := pr.In.Header[name]; ok {
					h[name] = append([]string(nil), v...)
				}
			}
			for name, v := range pr.In.Header {
				for _, p := range forwardedPrefixes {
					if strings.HasPrefix(name, p) {
						h[name] = append([]string(nil), v...)
					}
				}
			}
			if info.id.agent == nil {
				for _, name := range credentialHeaders {
					if v, ok := pr.In.Header[name]; ok {
						h[name] = append([]string(nil), v...)
					}
				}
			} else if c, ok := info.id.agent.creds[provider]; ok {
				v := c.value
				if c.header == "Authorization" {
					v = "Bearer " + v
				}
				h.Set(c.header, v)
			}
			pr.Out.Header = h
		},
		Transport:  s.transport,
		BufferPool: &copyBuffers,
		// FlushInterval 0: a whole (scanned, Content-Length) response goes out in
		// one write; streams (text/event-stream, or Content-Length -1, which the
		// scrubbing transport sets on every stream it rewrites) are still flushed
		// after every write by ReverseProxy itself. Flushing whole bodies write by
		// write cost ~40 µs a request in syscalls.
		ErrorHandler: s.upstreamError,
		ModifyResponse: func(resp *http.Response) error {
			info := resp.Request.Context().Value(ctxRoute).(*requestInfo)
			resp.Header.Del("Set-Cookie")
			resp.Header.Del("X-Scrubgate-Request-Id") // set by the handler; never the upstream's
			switch {
			case resp.StatusCode >= 500 && !isScrubgateError(resp):
				s.metrics.upstreamErrors.WithLabelValues(info.route, "status_5xx").Inc()
			case resp.StatusCode >= 400 && !isScrubgateError(resp):
				s.metrics.upstreamErrors.WithLabelValues(info.route, "status_4xx").Inc()
			}
			resp.Header.Del(providers.OwnErrorHeader)
			return nil
		},
	}
}

// copyBuffers lends ReverseProxy the 32 KB buffers it copies response bodies
// with, instead of one fresh buffer per request.
var copyBuffers = bufferPool{}

type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if buf, ok := b.p.Get().(*[]byte); ok {
		return *buf
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) { b.p.Put(&buf) }

// isScrubgateError reports whether a response was made by scrubgate itself (a
// block, a refused body) rather than by the upstream.
func isScrubgateError(resp *http.Response) bool {
	return resp.Header.Get(providers.OwnErrorHeader) != ""
}

// upstreamError answers when upstream could not be reached or failed before its
// response headers. The log names the kind of failure only.
func (s *Server) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	info := r.Context().Value(ctxRoute).(*requestInfo)
	kind, status, msg := "connect", http.StatusBadGateway, "scrubgate could not reach the upstream provider"
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		kind, status = "canceled", 499
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		kind, status, msg = "timeout", http.StatusGatewayTimeout, "the upstream provider did not answer in time"
	case errors.Is(err, providers.ErrNoScrubber):
		kind, msg = "internal", "scrubgate refused to send this request unscanned"
	}
	s.metrics.upstreamErrors.WithLabelValues(info.route, kind).Inc()
	s.log.Warn("upstream request failed", slog.String("request_id", info.reqID), slog.String("route", info.route), slog.String("kind", kind))
	if status == 499 {
		return // the client is gone
	}
	writeError(w, flavorOf(info.provider), status, "scrubgate_upstream", msg)
}

func writeError(w http.ResponseWriter, f providers.Flavor, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(providers.ErrorBody(f, status, code, msg))
}

// Handler is the API listener's handler.
func (s *Server) Handler() http.Handler { return s.engine }

// AdminHandler serves /metrics, /healthz and /readyz.
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", s.healthz)
	mux.HandleFunc("/readyz", s.readyz)
	return mux
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok"}`))
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"ready","rule_pack":%q}`, s.scanner.Version())
}

func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New() // not gin.Default: its logger and recovery print raw paths and headers
	e.HandleMethodNotAllowed = false
	e.Use(s.recoverer, s.observe)
	e.GET("/healthz", gin.WrapF(s.healthz))
	e.GET("/readyz", gin.WrapF(s.readyz))
	openai := s.handle(routeOpenAI)
	anthropic := s.handle(routeAnthropic)
	shared := s.handle(routeShared)
	for _, prefix := range []string{"/v1", "/openai/v1", "/api/v1"} {
		for _, p := range []string{"/chat/completions", "/completions", "/embeddings", "/responses", "/moderations", "/batches", "/uploads", "/images/generations", "/audio/transcriptions", "/audio/speech"} {
			e.POST(prefix+p, openai)
		}
		// Models and files are served by both APIs under /v1 (the Anthropic SDKs'
		// models.list and beta.files): the request's headers choose the provider.
		both := openai
		if prefix == "/v1" {
			both = shared
		}
		e.GET(prefix+"/models", both)
		e.GET(prefix+"/models/:model", both)
		e.POST(prefix+"/files", both)
		e.GET(prefix+"/files", both)
		e.GET(prefix+"/files/:id", both)
		e.GET(prefix+"/files/:id/content", both)
		e.DELETE(prefix+"/files/:id", both)
		e.GET(prefix+"/responses/:id", openai)
		e.GET(prefix+"/batches", openai)
		e.GET(prefix+"/batches/:id", openai)
		e.POST(prefix+"/batches/:id/cancel", openai)
		e.GET(prefix+"/realtime", s.refuseRealtime)
	}
	e.POST("/v1/messages", anthropic)
	e.POST("/v1/messages/count_tokens", anthropic)
	e.POST("/v1/messages/batches", anthropic)
	e.GET("/v1/messages/batches/:id", anthropic)
	e.GET("/v1/messages/batches/:id/results", anthropic)
	for _, p := range []string{"/chat/completions", "/completions", "/embeddings", "/responses"} {
		e.POST("/openai/deployments/:deployment"+p, openai) // Azure OpenAI
	}
	e.NoRoute(func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/v1/messages") {
			anthropic(c)
			return
		}
		shared(c)
	})
	return e
}

func (s *Server) refuseRealtime(c *gin.Context) {
	writeError(c.Writer, providers.FlavorOpenAI, http.StatusBadRequest, "scrubgate_unsupported",
		"scrubgate cannot scan Realtime (WebSocket) sessions yet, so it refuses them; use the HTTP APIs")
}

// recoverer turns a panic into a 500 without printing request details.
func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("internal error while handling a request", slog.String("route", routeOf(c)))
			if !c.Writer.Written() {
				writeError(c.Writer, providers.FlavorOf(c.Request.URL.Path), http.StatusInternalServerError, "scrubgate_internal", "scrubgate hit an internal error; nothing was forwarded")
			}
			c.Abort()
		}
	}()
	c.Next()
}

func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "other"
}

// observe records request counts and latency by route template.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := routeOf(c)
	s.metrics.requests.WithLabelValues(route, strconv.Itoa(c.Writer.Status())).Inc()
	s.metrics.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
}

// routeKind says how the provider of a route is chosen.
type routeKind int

const (
	routeOpenAI    routeKind = iota // an OpenAI (or OpenAI-compatible, Azure) path
	routeAnthropic                  // an Anthropic path (/v1/messages…)
	routeShared                     // a path both serve (/v1/models, /v1/files…), or an unknown one
)

func flavorOf(provider string) providers.Flavor {
	if provider == "anthropic" {
		return providers.FlavorAnthropic
	}
	return providers.FlavorOpenAI
}

// headerProvider tells which provider a request's headers are meant for. The
// Anthropic SDKs send anthropic-version on every request and their key in
// x-api-key (an OAuth token in Authorization: Bearer); the OpenAI SDKs send
// Authorization: Bearer, Azure OpenAI api-key. An anthropic-version header, or an
// x-api-key with neither Authorization nor api-key, means anthropic; anything
// else openai. conflict is set when the headers point to both (an Anthropic
// signal next to api-key, or x-api-key next to Authorization without
// anthropic-version): which provider the credential is for would be a guess.
func headerProvider(h http.Header) (provider string, conflict bool) {
	has := func(name string) bool { return strings.TrimSpace(h.Get(name)) != "" }
	auth, azure := has("Authorization"), has("Api-Key")
	switch {
	case has("Anthropic-Version"):
		return "anthropic", azure
	case has("X-Api-Key"):
		return "anthropic", auth || azure
	}
	return "openai", false
}

// providerFor chooses the provider of a request, or says why it is refused: a
// credential is never sent to a provider it was not meant for.
func (s *Server) providerFor(kind routeKind, h http.Header) (string, string) {
	if kind == routeAnthropic {
		return "anthropic", ""
	}
	p, conflict := headerProvider(h)
	if kind == routeShared {
		if conflict {
			return p, "OpenAI and Anthropic both serve this path, and the request's headers name both (anthropic-version or x-api-key next to Authorization or api-key); " +
				"scrubgate does not guess which provider a credential is for: send the headers of one provider only"
		}
		return p, ""
	}
	if p == "anthropic" && !conflict && s.split {
		return p, "this is an OpenAI route, but the request carries Anthropic headers (anthropic-version, or x-api-key without Authorization); " +
			"scrubgate does not send them to the OpenAI upstream: use the Anthropic API's paths, or OpenAI's headers"
	}
	return "openai", ""
}

// handle is the proxy handler for one kind of route.
func (s *Server) handle(kind routeKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		if r.Header.Get("Upgrade") != "" {
			s.refuseRealtime(c)
			return
		}
		provider, refusal := s.providerFor(kind, r.Header)
		flavor := flavorOf(provider)
		if refusal != "" {
			writeError(c.Writer, flavor, http.StatusBadRequest, "scrubgate_route", refusal)
			return
		}
		info := &requestInfo{route: routeOf(c), reqID: newRequestID(), provider: provider}
		c.Header("X-Scrubgate-Request-Id", info.reqID)
		id, status, msg := s.identify(r)
		if status != 0 {
			writeError(c.Writer, flavor, status, "scrubgate_auth", msg)
			return
		}
		if id.agent != nil {
			if _, ok := id.agent.creds[provider]; !ok {
				writeError(c.Writer, flavor, http.StatusForbidden, "scrubgate_auth", "no upstream credential is configured for this agent and provider")
				return
			}
		}
		info.id = id
		ctx := context.WithValue(r.Context(), ctxRoute, info)
		ctx = providers.WithScrubber(ctx, s.scrubber(info))
		ctx = providers.WithFlavor(ctx, flavor)
		s.proxies[provider].ServeHTTP(c.Writer, r.WithContext(ctx))
		id.tenant.learnBatch(info.learn.take(), s.cfg.LearnPassThrough)
	}
}

// identify authenticates a request: a gateway key names an agent; otherwise, in
// pass-through mode, the caller's credential names the tenant.
// A gateway key in any credential header makes the request an agent's (and is
// never forwarded); several credentials of which none is a gateway key are
// refused, since which one the provider would use is ambiguous.
func (s *Server) identify(r *http.Request) (identity, int, string) {
	creds := presentedCredentials(r.Header)
	distinct := map[string]bool{}
	for _, cred := range creds {
		distinct[cred] = true
		if strings.HasPrefix(cred, vault.GatewayKeyPrefix) {
			a := s.tenants.agentByKey(cred)
			if a == nil {
				return identity{}, http.StatusUnauthorized, "unknown scrubgate gateway key"
			}
			return identity{agent: a, tenant: s.tenants.configured[a.Tenant]}, 0, ""
		}
	}
	if s.cfg.RequireAgent {
		return identity{}, http.StatusUnauthorized, "this gateway requires a scrubgate gateway key (sgk_…) in Authorization, x-api-key or api-key"
	}
	if len(distinct) > 1 {
		return identity{}, http.StatusBadRequest, "the request carries several different credentials (Authorization, x-api-key, api-key); send one"
	}
	cred := ""
	if len(creds) > 0 {
		cred = creds[0]
	}
	return identity{tenant: s.tenants.passThrough(cred)}, 0, ""
}

func newRequestID() string {
	var b [12]byte
	rand.Read(b[:])
	return "req_" + hex.EncodeToString(b[:])
}

// tenantLabel is the metric label of a tenant: configured tenants by id,
// pass-through tenants together (their ids are unbounded).
func tenantLabel(t *tenantState) string {
	if t.configured {
		return t.id
	}
	return "pass-through"
}

// scrubber binds a request's tenant, policy and alert sink into a Scrubber.
func (s *Server) scrubber(info *requestInfo) *providers.Scrubber {
	t := info.id.tenant
	return &providers.Scrubber{
		Scanner:  t.scanner,
		Thinking: providers.ThinkingPolicy(s.cfg.Thinking),
		Handle: func(f *scanner.Finding) string {
			return s.keys.Mint(t.id, f.Kind, f.Secret()).String()
		},
		Decide: t.policy.decide,
		Report: func(h *providers.Hit) { s.report(info, h) },
		Observe: func(dir providers.Direction, size int, d time.Duration) {
			s.metrics.scrubTime.WithLabelValues(string(dir)).Observe(d.Seconds())
			s.metrics.bytesScanned.WithLabelValues(string(dir)).Add(float64(size))
		},
	}
}

// report turns a hit into an event: vault record, learning, log, metrics, webhook.
func (s *Server) report(info *requestInfo, h *providers.Hit) {
	t := info.id.tenant
	f := &h.Finding
	if t.policy.disabled[f.RuleID] {
		return
	}
	ev := Event{
		Time: time.Now().UTC(), RequestID: info.reqID, Agent: info.id.agentID(), Tenant: t.id, Direction: string(h.Direction),
		Route: info.route, Location: h.Location, RuleID: f.RuleID, Kind: f.Kind, Confidence: string(f.Confidence),
		Fingerprint: f.Fingerprint, Handle: h.Handle,
	}
	switch h.Action {
	case providers.ActionRedact:
		ev.Action = "redacted"
	case providers.ActionBlock:
		ev.Action = "blocked"
		s.metrics.blocks.WithLabelValues(f.RuleID, string(h.Direction)).Inc()
	case providers.ActionAlertOnly:
		ev.Action = "alerted"
	case providers.ActionAllow:
		ev.Action = "allowed"
	}
	if h.Direction == providers.Response {
		ev.Reasons = append(ev.Reasons, "completion")
	}
	if f.Canary {
		ev.Reasons = append(ev.Reasons, "canary")
	} else if f.Source == scanner.SourceKnown {
		ev.Reasons = append(ev.Reasons, "known-value")
	}
	if h.Thinking {
		ev.Reasons = append(ev.Reasons, "thinking-block")
	}
	if h.Action != providers.ActionAllow {
		handle := h.Handle
		if handle == "" {
			handle = s.keys.Mint(t.id, f.Kind, f.Secret()).String()
		}
		if others := s.vault.Record(vault.Entry{Handle: handle, Kind: f.Kind, RuleID: f.RuleID, Tenant: t.id, Fingerprint: f.Fingerprint}); len(others) > 0 {
			ev.Reasons = append(ev.Reasons, "cross-tenant")
		}
		info.learn.add(f)
	}
	switch {
	case len(ev.Reasons) > 0 && !(len(ev.Reasons) == 1 && ev.Reasons[0] == "thinking-block" && h.Action == providers.ActionBlock):
		ev.Severity = SeverityHigh
	case f.Confidence == "high" || f.Confidence == "medium":
		ev.Severity = SeverityMedium
	default:
		ev.Severity = SeverityLow
	}
	if ev.Action == "allowed" {
		ev.Severity = SeverityLow
	}
	for _, r := range ev.Reasons {
		if ev.Severity == SeverityHigh {
			s.metrics.leaks.WithLabelValues(r).Inc()
		}
	}
	s.metrics.findings.WithLabelValues(f.RuleID, string(h.Direction), tenantLabel(t), ev.Action).Inc()
	level := slog.LevelInfo
	if ev.Severity == SeverityHigh {
		level = slog.LevelWarn
	}
	s.log.Log(context.Background(), level, "secret found", ev.logAttrs()...)
	if s.webhook != nil {
		s.webhook.send(&ev)
	}
}

func (s *Server) streamEnded(r *http.Request, res providers.Result, abnormal bool) {
	end := "normal"
	if abnormal {
		end = "abnormal"
	}
	s.metrics.streams.WithLabelValues(end).Inc()
}

// Close releases background work: the webhook queue (delivered until ctx ends)
// and the echo upstream.
func (s *Server) Close(ctx context.Context) {
	if s.webhook != nil {
		s.webhook.close(ctx)
	}
	if s.echoSrv != nil {
		s.echoSrv.Shutdown(ctx)
	}
}
