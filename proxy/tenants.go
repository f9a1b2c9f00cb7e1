package proxy

import (
	"container/list"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/scrubgate/scrubgate/providers"
	"github.com/scrubgate/scrubgate/scanner"
	"github.com/scrubgate/scrubgate/vault"
)

// identity is who sent a request: an agent (with its tenant) or, in pass-through
// mode, a tenant derived from the caller's own credential.
type identity struct {
	agent  *agentEntry // nil in pass-through mode
	tenant *tenantState
}

func (id identity) agentID() string {
	if id.agent == nil {
		return ""
	}
	return id.agent.ID
}

// agentEntry is a configured agent with its credentials resolved.
type agentEntry struct {
	Agent
	creds map[string]resolvedCredential
}

type resolvedCredential struct {
	header string
	value  string
}

// tenantState is a tenant's scanner (with its known values) and policy.
type tenantState struct {
	id      string
	scanner *scanner.Scanner
	policy  *policy
	// configured tenants are kept forever; pass-through ones are evicted LRU.
	configured bool

	mu      sync.Mutex
	learned map[string]bool // fingerprints already added as known values
}

// maxLearned bounds the known values a tenant learns from its own traffic, and
// maxLearnedPerRequest what one request may add: learning rebuilds the tenant's
// matcher, so it is done once per request, after it, and a request full of
// distinct tokens cannot make it expensive.
//
// Each known value costs the matcher a few hundred KiB (cloudflare/ahocorasick
// allocates a full table per trie node), so learning is kept to configured tenants
// (pass-through tenants, whose ids any caller can mint, learn only when
// learn_pass_through is set) and bounded per tenant.
const (
	maxLearned           = 256
	maxLearnedPerRequest = 32
)

// learnBatch adds the secrets a request revealed to the tenant's known values, so
// they are caught again wherever they reappear, bare or out of context.
func (t *tenantState) learnBatch(fs []learned, passThrough bool) {
	if len(fs) == 0 || (!t.configured && !passThrough) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var add []scanner.KnownValue
	for _, f := range fs {
		if t.learned[f.fingerprint] || len(t.learned) >= maxLearned {
			continue
		}
		t.learned[f.fingerprint] = true
		add = append(add, scanner.KnownValue{Value: f.value, Kind: f.kind, Label: "seen-" + f.rule})
	}
	if len(add) > 0 {
		_ = t.scanner.AddKnownValues(add...)
	}
}

// learned is a secret caught in a request, queued for learnBatch.
type learned struct {
	value                   []byte
	kind, rule, fingerprint string
}

// learnQueue collects a request's secrets to learn (bounded).
type learnQueue struct {
	mu    sync.Mutex
	items []learned
	seen  map[string]bool
}

func (q *learnQueue) add(f *scanner.Finding) {
	secret := f.Secret()
	if len(secret) < scanner.MinKnownValueLen || f.Source == scanner.SourceKnown {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) >= maxLearnedPerRequest || q.seen[f.Fingerprint] {
		return
	}
	if q.seen == nil {
		q.seen = map[string]bool{}
	}
	q.seen[f.Fingerprint] = true
	q.items = append(q.items, learned{value: append([]byte(nil), secret...), kind: f.Kind, rule: f.RuleID, fingerprint: f.Fingerprint})
}

func (q *learnQueue) take() []learned {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}

// policy is a compiled Policy.
type policy struct {
	actions   map[string]providers.Action
	disabled  map[string]bool
	allowFP   map[string]bool
	allowRule map[string]bool
	allowPath []string
	alertOnly bool
}

func compilePolicy(p Policy, alertOnly bool) *policy {
	c := &policy{actions: map[string]providers.Action{}, disabled: set(p.Disabled), allowFP: set(p.Allow.Fingerprints),
		allowRule: set(p.Allow.Rules), allowPath: p.Allow.Paths, alertOnly: alertOnly}
	for r, a := range p.Actions {
		c.actions[r] = providers.Action(a)
	}
	return c
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// decide returns the action for a hit.
func (p *policy) decide(h *providers.Hit) providers.Action {
	if p.disabled[h.Finding.RuleID] || p.allowed(h) {
		return providers.ActionAllow
	}
	if p.alertOnly {
		return providers.ActionAlertOnly
	}
	if a, ok := p.actions[h.Finding.RuleID]; ok {
		return a
	}
	return providers.ActionRedact
}

func (p *policy) allowed(h *providers.Hit) bool {
	if p.allowFP[h.Finding.Fingerprint] || p.allowRule[h.Finding.RuleID] {
		return true
	}
	loc := h.Location
	if i := strings.Index(loc, ":$"); i >= 0 && eventName(loc[:i]) {
		// a streamed event's name before its path: the path is the event's own.
		// Other prefixes (an upload's part, an archive member, a JSONL line, a
		// base64 document) name another document, which body paths do not cover.
		loc = loc[i+1:]
	}
	for _, pat := range p.allowPath {
		if strings.HasSuffix(pat, "*") {
			if strings.HasPrefix(loc, strings.TrimSuffix(pat, "*")) {
				return true
			}
		} else if loc == pat {
			return true
		}
	}
	return false
}

// eventName reports whether s can be an SSE event name (content_block_delta,
// response.output_text.delta).
func eventName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// tenants holds every tenant's state.
type tenants struct {
	base          *scanner.Scanner
	tenantKey     []byte
	defaultPolicy *policy

	mu         sync.Mutex
	configured map[string]*tenantState
	dynamic    map[string]*list.Element // pass-through tenants, LRU
	lru        *list.List
	maxDynamic int
	agents     []*agentEntry
}

// maxPassThroughTenants bounds the pass-through tenants kept in memory (each keeps
// its learned known values).
const maxPassThroughTenants = 1024

func newTenants(cfg *Config, base *scanner.Scanner, tenantKey []byte) (*tenants, error) {
	ts := &tenants{base: base, tenantKey: tenantKey, defaultPolicy: compilePolicy(cfg.Default, cfg.AlertOnly),
		configured: map[string]*tenantState{}, dynamic: map[string]*list.Element{}, lru: list.New(), maxDynamic: maxPassThroughTenants}
	for _, t := range cfg.Tenants {
		st := ts.newState(t.ID, true)
		if t.Policy != nil {
			st.policy = compilePolicy(*t.Policy, cfg.AlertOnly)
		}
		var known []scanner.KnownValue
		for _, k := range t.Known {
			known = append(known, scanner.KnownValue{Value: []byte(os.Getenv(k.ValueEnv)), Kind: k.Kind, Label: k.Label, Canary: k.Canary})
		}
		if len(known) > 0 {
			if err := st.scanner.AddKnownValues(known...); err != nil {
				return nil, err
			}
		}
		ts.configured[t.ID] = st
	}
	for _, a := range cfg.Agents {
		e := &agentEntry{Agent: a, creds: map[string]resolvedCredential{}}
		for p, c := range a.Credentials {
			e.creds[p] = resolvedCredential{header: http.CanonicalHeaderKey(c.Header), value: os.Getenv(c.ValueEnv)}
		}
		if _, ok := ts.configured[a.Tenant]; !ok {
			ts.configured[a.Tenant] = ts.newState(a.Tenant, true)
		}
		ts.agents = append(ts.agents, e)
	}
	return ts, nil
}

func (ts *tenants) newState(id string, configured bool) *tenantState {
	return &tenantState{id: id, scanner: ts.base.Clone(), policy: ts.defaultPolicy, configured: configured, learned: map[string]bool{}}
}

// passThrough returns the tenant of a caller's own credential: a keyed hash of it,
// so tenants are separated without keeping the credential.
func (ts *tenants) passThrough(credential string) *tenantState {
	id := "anonymous"
	if credential != "" {
		mac := hmac.New(sha256.New, ts.tenantKey)
		mac.Write([]byte(credential))
		id = "pt-" + hex.EncodeToString(mac.Sum(nil)[:8])
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if el, ok := ts.dynamic[id]; ok {
		ts.lru.MoveToFront(el)
		return el.Value.(*tenantState)
	}
	st := ts.newState(id, false)
	ts.dynamic[id] = ts.lru.PushFront(st)
	for ts.lru.Len() > ts.maxDynamic {
		old := ts.lru.Remove(ts.lru.Back()).(*tenantState)
		delete(ts.dynamic, old.id)
	}
	return st
}

// agentByKey finds the agent whose stored hash matches key, comparing with every
// agent in constant time.
func (ts *tenants) agentByKey(key string) *agentEntry {
	var found *agentEntry
	for _, a := range ts.agents {
		if vault.GatewayKeyMatches(key, a.KeyHash) && found == nil {
			found = a
		}
	}
	return found
}

// credentialHeaders are the headers that carry a caller's provider credential.
var credentialHeaders = []string{"Authorization", "X-Api-Key", "Api-Key"}

// presentedCredentials returns the credentials a request carries, in header order
// (Authorization without its Bearer scheme).
func presentedCredentials(h http.Header) []string {
	var out []string
	for _, name := range credentialHeaders {
		for _, v := range h.Values(name) {
			v = strings.TrimSpace(v)
			if name == "Authorization" {
				// any scheme (Bearer, Token, …) and any whitespace after it
				if f := strings.Fields(v); len(f) == 2 {
					v = f[1]
				}
			}
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}
