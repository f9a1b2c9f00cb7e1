package scanner

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/scrubgate/scrubgate/bench/corpus"
)

var DbgTime map[string]time.Duration
var DbgN map[string]int

func TestDbgRuns(t *testing.T) {
	s := testScanner(t)
	data := corpus.CleanMixed(4<<20, 11)
	s.ScanMode(data, ModeText)
	DbgTime = map[string]time.Duration{}
	DbgN = map[string]int{}
	s.ScanMode(data, ModeText)
	type kv struct {
		k string
		v time.Duration
		n int
	}
	var kvs []kv
	var tot time.Duration
	for k, v := range DbgTime {
		kvs = append(kvs, kv{k, v, DbgN[k]})
		tot += v
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].v > kvs[j].v })
	fmt.Println("total", tot, kvs[:min(15, len(kvs))])
}
