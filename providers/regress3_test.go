package providers

import (
	"bytes"
	"runtime"
	"testing"
	"time"
)

// R7: parseTree allocates a node per JSON value; Body parses the whole request
// whenever it contains `"arguments"` (or any finding). A small-valued array makes
// the gateway allocate ~100x the body size, from one unauthenticated request.
func TestReviewParseTreeAmplification(t *testing.T) {
	s, _ := newTestScrubber(t)
	const n = 4 << 20 // 8 MiB body
	body := make([]byte, 0, 2*n+32)
	body = append(body, `{"arguments":"x","a":[`...)
	body = append(body, bytes.Repeat([]byte("0,"), n)...)
	body = append(body, "0]}"...)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	if _, _, err := s.Body(Request, body); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("body %d MiB: allocated %d MiB in %v", len(body)>>20, alloc>>20, time.Since(start))
	if alloc > uint64(len(body))*20 {
		t.Fatalf("allocation amplification %dx", alloc/uint64(len(body)))
	}
}

func TestReviewParseTreeLiveHeap(t *testing.T) {
	const n = 4 << 20
	body := append([]byte(`[`), bytes.Repeat([]byte("0,"), n)...)
	body = append(body, "0]"...)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	root, err := parseTree(body)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	live := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	runtime.KeepAlive(root)
	if live > int64(len(body)) {
		t.Fatalf("%d MiB document: live tree %d MiB (numbers in arrays must cost no node)", len(body)>>20, live>>20)
	}
	// A document that needs more nodes than the budget is not parsed at all.
	objs := append([]byte(`[`), bytes.Repeat([]byte(`{"a":0},`), maxTreeNodes)...)
	objs = append(objs, `{"a":0}]`...)
	if _, err := parseTree(objs); err == nil {
		t.Fatal("a document over the node budget was parsed")
	}
}
