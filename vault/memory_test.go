package vault

import (
	"sort"
	"testing"
	"time"
)

func TestMemoryTTLAndBound(t *testing.T) {
	m := NewMemory(time.Minute, 2)
	now := time.Unix(1000, 0)
	m.now = func() time.Time { return now }
	m.Record(Entry{Handle: "a", Tenant: "t1", Fingerprint: "f1"})
	m.Record(Entry{Handle: "b", Tenant: "t1", Fingerprint: "f2"})
	m.Record(Entry{Handle: "a", Tenant: "t1", Fingerprint: "f1"}) // a is now most recent
	m.Record(Entry{Handle: "c", Tenant: "t1", Fingerprint: "f3"}) // evicts b
	if _, ok := m.Lookup("b"); ok {
		t.Fatal("least recently seen entry was not evicted")
	}
	if e, ok := m.Lookup("a"); !ok || e.Count != 2 {
		t.Fatalf("a = %+v %v", e, ok)
	}
	now = now.Add(2 * time.Minute)
	if m.Len() != 0 {
		t.Fatalf("entries outlived their TTL: %d", m.Len())
	}
}

func TestMemoryCrossTenant(t *testing.T) {
	m := NewMemory(0, 0)
	if o := m.Record(Entry{Handle: "h1", Tenant: "acme", Fingerprint: "fp"}); len(o) != 0 {
		t.Fatalf("first sighting: %v", o)
	}
	if o := m.Record(Entry{Handle: "h1", Tenant: "acme", Fingerprint: "fp"}); len(o) != 0 {
		t.Fatalf("same tenant again: %v", o)
	}
	o := m.Record(Entry{Handle: "h2", Tenant: "globex", Fingerprint: "fp"})
	sort.Strings(o)
	if len(o) != 1 || o[0] != "acme" {
		t.Fatalf("other tenants = %v, want [acme]", o)
	}
}

func TestGatewayKey(t *testing.T) {
	k := NewGatewayKey()
	if !ValidGatewayKey(k) || len(k) != 40 {
		t.Fatalf("new key %d chars, valid %v", len(k), ValidGatewayKey(k))
	}
	bad := k[:10] + string(k[10]^1) + k[11:]
	if ValidGatewayKey(bad) {
		t.Fatal("a changed key passed the checksum")
	}
	h := HashGatewayKey(k)
	if !GatewayKeyMatches(k, h) || GatewayKeyMatches(bad, h) || GatewayKeyMatches(k, "sha256:00") {
		t.Fatal("hash comparison wrong")
	}
}
