package proxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/scrubgate/scrubgate/providers"
)

// Config is the gateway's configuration (YAML; see docs/PROXY.md).
type Config struct {
	// Listen is the address of the API listener (default 127.0.0.1:8080).
	Listen string `yaml:"listen"`
	// AdminListen is the address of the admin listener with /metrics, /healthz and
	// /readyz (default 127.0.0.1:9090; "off" disables it).
	AdminListen string `yaml:"admin_listen"`
	// Upstream is the default upstream for every route: a base URL, or "echo" for
	// the built-in fake LLM. Empty means per-provider defaults.
	Upstream string `yaml:"upstream"`
	// Upstreams overrides the upstream per provider: keys "openai", "anthropic".
	Upstreams map[string]string `yaml:"upstreams"`
	// Key is the master key (handles, fingerprints, tenant hashes); KeyFile is
	// where a generated one is kept. SCRUBGATE_KEY overrides both.
	Key     string `yaml:"key"`
	KeyFile string `yaml:"key_file"`
	// MaxBodyBytes bounds request bodies and whole response bodies.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// Timeouts toward upstream.
	Timeouts Timeouts `yaml:"timeouts"`
	// TLS for the API listener; required when it is not on loopback unless
	// AllowPlaintext is set (TLS terminated in front of scrubgate).
	TLS            TLS  `yaml:"tls"`
	AllowPlaintext bool `yaml:"allow_plaintext"`
	// AlertOnly turns every action into alert-only: observe mode for a first
	// rollout. Secrets pass; every finding is still an event.
	AlertOnly bool `yaml:"alert_only"`
	// Thinking is the policy for secrets in signed Anthropic thinking blocks sent
	// back in requests: "block" (default) or "alert".
	Thinking string `yaml:"thinking_policy"`
	// RequireAgent refuses requests that do not present a gateway key (no
	// pass-through).
	RequireAgent bool `yaml:"require_agent"`
	// Vault bounds the handle metadata kept in memory.
	Vault VaultConfig `yaml:"vault"`
	// Webhook receives alert events (optional).
	Webhook WebhookConfig `yaml:"webhook"`
	// Default is the policy of tenants that have no entry of their own (including
	// pass-through tenants).
	Default Policy `yaml:"default_policy"`
	// Tenants and Agents.
	Tenants []Tenant `yaml:"tenants"`
	Agents  []Agent  `yaml:"agents"`
	// LearnPassThrough lets pass-through tenants learn the secrets they reveal as
	// known values too (configured tenants always do). Off by default: learning
	// costs memory, and any caller can mint pass-through tenants.
	LearnPassThrough bool `yaml:"learn_pass_through"`
	// ForwardHeaders adds request headers to the allowlist forwarded upstream
	// (e.g. a provider's beta header scrubgate does not know yet).
	ForwardHeaders []string `yaml:"forward_headers"`
	// ShutdownGrace is how long open streams may drain on shutdown.
	ShutdownGrace Duration `yaml:"shutdown_grace"`
}

// Timeouts toward upstream.
type Timeouts struct {
	Connect Duration `yaml:"connect"` // TCP+TLS connect (default 10s)
	Header  Duration `yaml:"header"`  // until response headers (default 10m: long prompts)
	Idle    Duration `yaml:"idle"`    // idle pooled connections (default 90s)
}

// TLS names a certificate and key.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// VaultConfig bounds the memory vault.
type VaultConfig struct {
	TTL        Duration `yaml:"ttl"`         // default 24h
	MaxEntries int      `yaml:"max_entries"` // default 100000
}

// WebhookConfig is the alert webhook.
type WebhookConfig struct {
	URL        string   `yaml:"url"`
	Queue      int      `yaml:"queue"`       // bounded queue (default 1024); full means dropped
	MaxRetries int      `yaml:"max_retries"` // default 5
	Timeout    Duration `yaml:"timeout"`     // per attempt (default 5s)
	// SecretEnv names an environment variable whose value signs each delivery
	// (X-Scrubgate-Signature: sha256=HMAC of the body).
	SecretEnv string `yaml:"secret_env"`
	// MinSeverity is the least severity sent: low, medium (default) or high.
	MinSeverity string `yaml:"min_severity"`
}

// Policy is what a tenant does with findings.
type Policy struct {
	// Actions maps a rule id to redact, block or alert-only (default redact).
	Actions map[string]string `yaml:"actions"`
	// Disabled rule ids are ignored entirely.
	Disabled []string `yaml:"disabled_rules"`
	// Allow lists expected findings: they pass and are logged as allowed.
	Allow Allowlist `yaml:"allow"`
}

// Allowlist matches findings that are expected.
type Allowlist struct {
	Fingerprints []string `yaml:"fingerprints"`
	Rules        []string `yaml:"rules"`
	// Paths are JSON paths ($.metadata.trace_id); a trailing * matches a prefix.
	Paths []string `yaml:"paths"`
}

// Tenant is a named tenant with its own policy and known values.
type Tenant struct {
	ID     string       `yaml:"id"`
	Policy *Policy      `yaml:"policy"`
	Known  []KnownValue `yaml:"known_values"`
}

// KnownValue is a registered secret or canary, read from the environment (values
// never live in the config file).
type KnownValue struct {
	Label    string `yaml:"label"`
	ValueEnv string `yaml:"value_env"`
	Kind     string `yaml:"kind"`
	Canary   bool   `yaml:"canary"`
}

// Agent is an agent that authenticates with a gateway key and never holds the
// provider's key.
type Agent struct {
	ID     string `yaml:"id"`
	Tenant string `yaml:"tenant"`
	// KeyHash is vault.HashGatewayKey of the agent's gateway key.
	KeyHash string `yaml:"key_sha256"`
	// Credentials the gateway injects upstream, per provider ("openai",
	// "anthropic"): the value comes from an environment variable.
	Credentials map[string]Credential `yaml:"credentials"`
}

// Credential is an upstream credential injected for an agent.
type Credential struct {
	// Header is Authorization (value sent as "Bearer <key>"), x-api-key or api-key.
	Header   string `yaml:"header"`
	ValueEnv string `yaml:"value_env"`
}

// Duration is a time.Duration written as "10s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (use e.g. 30s, 5m)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

func (d Duration) or(def time.Duration) time.Duration {
	if d > 0 {
		return time.Duration(d)
	}
	return def
}

// LoadConfig reads a YAML config file; unknown fields are errors.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &c, nil
}

// Defaults for upstreams.
const (
	DefaultOpenAIUpstream    = "https://api.openai.com"
	DefaultAnthropicUpstream = "https://api.anthropic.com"
	Echo                     = "echo"
)

// Validate fills defaults and checks the config, reporting every problem.
func (c *Config) Validate() error {
	var errs []error
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.AdminListen == "" {
		c.AdminListen = "127.0.0.1:9090"
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = providers.DefaultMaxBody
	}
	switch c.Thinking {
	case "":
		c.Thinking = string(providers.ThinkingBlock)
	case string(providers.ThinkingBlock), string(providers.ThinkingAlert):
	default:
		errs = append(errs, fmt.Errorf("thinking_policy %q: want block or alert", c.Thinking))
	}
	for _, u := range append([]string{c.Upstream}, c.Upstreams["openai"], c.Upstreams["anthropic"]) {
		if u == "" || u == Echo {
			continue
		}
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			errs = append(errs, fmt.Errorf("upstream %q: want an http(s) base URL or %q", u, Echo))
		}
	}
	for k := range c.Upstreams {
		if k != "openai" && k != "anthropic" {
			errs = append(errs, fmt.Errorf("upstreams: unknown provider %q (want openai or anthropic)", k))
		}
	}
	for _, h := range c.ForwardHeaders {
		switch strings.ToLower(h) {
		case "authorization", "x-api-key", "api-key", "cookie", "proxy-authorization":
			errs = append(errs, fmt.Errorf("forward_headers: %s carries credentials and is handled by scrubgate itself (pass-through or an agent's credential); remove it", h))
		}
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		errs = append(errs, errors.New("tls: set both cert_file and key_file"))
	}
	if c.TLS.CertFile == "" && !c.AllowPlaintext && !isLoopback(c.Listen) {
		errs = append(errs, fmt.Errorf("listen %s is not a loopback address: configure tls (cert_file, key_file) or set allow_plaintext when TLS ends in front of scrubgate", c.Listen))
	}
	errs = append(errs, c.Default.validate("default_policy")...)
	tenants := map[string]bool{}
	for i, t := range c.Tenants {
		if t.ID == "" || tenants[t.ID] {
			errs = append(errs, fmt.Errorf("tenants[%d]: id %q is empty or repeated", i, t.ID))
		}
		tenants[t.ID] = true
		if t.Policy != nil {
			errs = append(errs, t.Policy.validate(fmt.Sprintf("tenants[%d].policy", i))...)
		}
		for j, k := range t.Known {
			if k.ValueEnv == "" || os.Getenv(k.ValueEnv) == "" {
				errs = append(errs, fmt.Errorf("tenants[%d].known_values[%d] (%s): environment variable %q is not set", i, j, k.Label, k.ValueEnv))
			}
		}
	}
	agents := map[string]bool{}
	for i, a := range c.Agents {
		if a.ID == "" || agents[a.ID] {
			errs = append(errs, fmt.Errorf("agents[%d]: id %q is empty or repeated", i, a.ID))
		}
		agents[a.ID] = true
		if a.Tenant == "" {
			errs = append(errs, fmt.Errorf("agents[%d] (%s): tenant is required", i, a.ID))
		}
		if !strings.HasPrefix(a.KeyHash, "sha256:") || len(a.KeyHash) != len("sha256:")+64 {
			errs = append(errs, fmt.Errorf("agents[%d] (%s): key_sha256 must be the sha256:… line that `scrubgate keys new` prints", i, a.ID))
		}
		for p, cr := range a.Credentials {
			if p != "openai" && p != "anthropic" {
				errs = append(errs, fmt.Errorf("agents[%d] (%s): credentials for unknown provider %q", i, a.ID, p))
			}
			switch strings.ToLower(cr.Header) {
			case "authorization", "x-api-key", "api-key":
			default:
				errs = append(errs, fmt.Errorf("agents[%d] (%s): credential header %q: want Authorization, x-api-key or api-key", i, a.ID, cr.Header))
			}
			if cr.ValueEnv == "" || os.Getenv(cr.ValueEnv) == "" {
				errs = append(errs, fmt.Errorf("agents[%d] (%s): environment variable %q for the %s credential is not set", i, a.ID, cr.ValueEnv, p))
			}
		}
	}
	return errors.Join(errs...)
}

func (p *Policy) validate(where string) []error {
	var errs []error
	for rule, a := range p.Actions {
		switch providers.Action(a) {
		case providers.ActionRedact, providers.ActionBlock, providers.ActionAlertOnly:
		default:
			errs = append(errs, fmt.Errorf("%s.actions[%s]: %q is not redact, block or alert-only", where, rule, a))
		}
	}
	return errs
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
