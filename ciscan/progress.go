package ciscan

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress shows a one-line count on a terminal while a scan takes a while: it
// starts after half a second, redraws at most five times a second, and erases itself.
type progress struct {
	w     io.Writer
	start time.Time
	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w, start: time.Now()} }

func (p *progress) update(files int, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.start) < 500*time.Millisecond || now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	secs := now.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "\rscrubgate: %d file(s), %.0f MB scanned, %.0f MB/s\033[K", files, float64(bytes)/1e6, float64(bytes)/1e6/secs)
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
