package vault

import (
	"container/list"
	"sync"
	"time"
)

// Entry is what the vault keeps about a minted handle: metadata only. The secret
// itself is not stored until a feature that resolves handles exists.
type Entry struct {
	Handle string
	Kind   string
	RuleID string
	Tenant string
	// Fingerprint is the keyed fingerprint of the secret (never the secret).
	Fingerprint string
	FirstSeen   time.Time
	LastSeen    time.Time
	Count       int
}

// Memory is an in-process vault with a time-to-live and a size bound: the least
// recently seen entries go first. It is safe for concurrent use.
type Memory struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	now     func() time.Time
	entries map[string]*list.Element  // by handle
	lru     *list.List                // front: most recently seen
	tenants map[string]map[string]int // fingerprint -> tenant -> live entries
}

// NewMemory returns a Memory vault; ttl <= 0 means entries do not expire, max <= 0
// means 100000 entries.
func NewMemory(ttl time.Duration, max int) *Memory {
	if max <= 0 {
		max = 100000
	}
	return &Memory{ttl: ttl, max: max, now: time.Now, entries: map[string]*list.Element{}, lru: list.New(), tenants: map[string]map[string]int{}}
}

// Record notes that a handle was minted (again) for a secret. It returns the other
// tenants that hold live handles for the same secret (by fingerprint): the same
// secret seen from two tenants is a leak to alert on.
func (m *Memory) Record(e Entry) (otherTenants []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.expire(now)
	if el, ok := m.entries[e.Handle]; ok {
		cur := el.Value.(*Entry)
		cur.LastSeen = now
		cur.Count++
		m.lru.MoveToFront(el)
	} else {
		e.FirstSeen, e.LastSeen, e.Count = now, now, 1
		m.entries[e.Handle] = m.lru.PushFront(&e)
		if e.Fingerprint != "" {
			ts := m.tenants[e.Fingerprint]
			if ts == nil {
				ts = map[string]int{}
				m.tenants[e.Fingerprint] = ts
			}
			ts[e.Tenant]++
		}
		for m.lru.Len() > m.max {
			m.remove(m.lru.Back())
		}
	}
	if e.Fingerprint != "" {
		for t := range m.tenants[e.Fingerprint] {
			if t != e.Tenant {
				otherTenants = append(otherTenants, t)
			}
		}
	}
	return otherTenants
}

// Lookup returns the entry of a handle, if it is live.
func (m *Memory) Lookup(handle string) (Entry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.now())
	if el, ok := m.entries[handle]; ok {
		return *el.Value.(*Entry), true
	}
	return Entry{}, false
}

// Len is the number of live entries.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.now())
	return m.lru.Len()
}

func (m *Memory) expire(now time.Time) {
	if m.ttl <= 0 {
		return
	}
	for el := m.lru.Back(); el != nil; el = m.lru.Back() {
		if now.Sub(el.Value.(*Entry).LastSeen) < m.ttl {
			return
		}
		m.remove(el)
	}
}

func (m *Memory) remove(el *list.Element) {
	e := m.lru.Remove(el).(*Entry)
	delete(m.entries, e.Handle)
	if ts := m.tenants[e.Fingerprint]; ts != nil {
		if ts[e.Tenant]--; ts[e.Tenant] <= 0 {
			delete(ts, e.Tenant)
		}
		if len(ts) == 0 {
			delete(m.tenants, e.Fingerprint)
		}
	}
}
