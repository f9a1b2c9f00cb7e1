package ciscan

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestHugeFileIsStreamed scans a 64 MiB file generated on the fly: the findings at
// its middle and end are reported at their exact lines, and the heap never comes
// close to holding the file.
func TestHugeFileIsStreamed(t *testing.T) {
	size := 64 << 20
	if testing.Short() || raceEnabled {
		size = 8 << 20 // the race detector slows scanning tenfold
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "huge.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	line := "2025-09-01T10:00:00Z INFO request served in 12ms path=/v1/items status=200 bytes=512\n"
	lines, written := 0, 0
	var wantLines []int
	plant := func() {
		tok := "GITHUB_TOKEN=" + ghTok(1000+lines) + "\n"
		w.WriteString(tok)
		written += len(tok)
		lines++
		wantLines = append(wantLines, lines)
	}
	for written+len(line)+64 < size {
		if written >= size/2 && len(wantLines) == 0 {
			plant()
		}
		w.WriteString(line)
		written += len(line)
		lines++
	}
	plant()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak {
				peak = m.HeapInuse
			}
		}
	}()
	res := run(t, Options{Paths: []string{path}, MaxSize: DefaultMaxSize})
	close(stop)
	wg.Wait()

	if len(res.Items) != 2 || res.Bytes != int64(written) {
		t.Fatalf("bytes %d of %d\n%s", res.Bytes, written, dumpItems(res))
	}
	for i, it := range res.Items {
		if it.Start.Line != wantLines[i] || it.Start.Column != 14 {
			t.Errorf("finding %d at %d:%d, want %d:14", i, it.Start.Line, it.Start.Column, wantLines[i])
		}
	}
	if grew := int64(peak) - int64(base); grew > 24<<20 {
		t.Errorf("heap grew by %d MiB scanning a %d MiB file", grew>>20, size>>20)
	}
	t.Logf("heap in use grew by at most %.1f MiB for a %d MiB file", float64(int64(peak)-int64(base))/(1<<20), size>>20)
}
