package ciscan

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/scrubgate/scrubgate/bench/corpus"
)

// BenchmarkRun scans a directory of generated transcripts (16 files of 1 MB) and
// one of many small files (1000 of 4 KB) with a worker per core; MB/s counts the
// bytes scanned. For the 1 GB measurement see bench/cmd/ciscanbench.
func BenchmarkRun(b *testing.B) {
	s := defaultScanner(b)
	for _, c := range []struct {
		name  string
		files int
		size  int
	}{{"transcripts-16x1MB", 16, 1 << 20}, {"small-1000x4KB", 1000, 4 << 10}} {
		dir := b.TempDir()
		var total int64
		for i := 0; i < c.files; i++ {
			data, _ := corpus.Transcripts(c.size, uint64(i+1))
			write(b, filepath.Join(dir, fmt.Sprintf("s%04d.jsonl", i)), data)
			total += int64(len(data))
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				res, err := Run(context.Background(), Options{Paths: []string{dir}, Scanner: s})
				if err != nil || res.Bytes != total {
					b.Fatal(err)
				}
			}
		})
	}
}
