// Command ciscanbench measures `scrubgate scan` on a directory of mixed agent
// transcripts: throughput with every core, against the engine scanning the same files
// one after another on one core, and peak memory (RSS) of each.
//
//	go run ./bench/cmd/ciscanbench                          # 1 GB in $TMPDIR/scrubgate-ciscanbench
//	go run ./bench/cmd/ciscanbench -size 64MB               # a small run, e.g. in CI
//	SCRUBGATE_BENCH_SIZE=200MB go run ./bench/cmd/ciscanbench
//
// The directory is generated once with bench/corpus (deterministic: the same size
// gives the same bytes) and reused while its size matches: about 60% JSONL
// transcripts (OpenAI and Claude Code shapes, a planted secret every ~20 KB), 25%
// mixed text logs with no secret, 15% gzip-compressed transcripts, in files of 16 KB
// to 8 MB, a tenth of them small. Each measurement runs in a child process, so its
// peak RSS is its own: "engine" is scanner.ScanReader over each file in turn in one
// goroutine, "ciscan" is ciscan.Run over the directory with a worker per core.
// Throughput counts the bytes scanned (decompressed).
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/scrubgate/scrubgate/bench/corpus"
	"github.com/scrubgate/scrubgate/ciscan"
	"github.com/scrubgate/scrubgate/scanner"
)

func main() {
	defSize := os.Getenv("SCRUBGATE_BENCH_SIZE")
	if defSize == "" {
		defSize = "1GB"
	}
	sizeFlag := flag.String("size", defSize, "total size of the generated directory (e.g. 1GB, 64MB); env SCRUBGATE_BENCH_SIZE")
	dir := flag.String("dir", filepath.Join(os.TempDir(), "scrubgate-ciscanbench"), "directory for the generated corpus")
	phase := flag.String("phase", "", "internal: run one measurement (engine or ciscan) and print it as JSON")
	flag.Parse()
	if err := run(*sizeFlag, *dir, *phase); err != nil {
		fmt.Fprintln(os.Stderr, "ciscanbench:", err)
		os.Exit(2)
	}
}

type measurement struct {
	Phase   string  `json:"phase"`
	Bytes   int64   `json:"bytes"`
	Files   int     `json:"files"`
	Finds   int     `json:"findings"`
	Seconds float64 `json:"seconds"`
	Procs   int     `json:"procs"`
	PeakRSS int64   `json:"peak_rss_kib"`
	CPU     float64 `json:"cpu_seconds"` // user + system time of the whole process
}

func run(sizeFlag, dir, phase string) error {
	s, err := scanner.Default()
	if err != nil {
		return err
	}
	switch phase {
	case "engine":
		return report(measureEngine(s, dir))
	case "ciscan":
		return report(measureCIScan(s, dir))
	case "":
	default:
		return fmt.Errorf("unknown phase %q", phase)
	}
	size, err := parseSize(sizeFlag)
	if err != nil {
		return err
	}
	if err := generate(dir, size); err != nil {
		return err
	}
	fmt.Printf("corpus: %s (%s)\n", dir, sizeFlag)
	var ms []measurement
	for _, p := range []string{"engine", "ciscan"} {
		m, err := child(dir, p)
		if err != nil {
			return err
		}
		ms = append(ms, m)
		fmt.Printf("%-7s %6.0f MB in %5d files, %6d findings, %6.2f s, %6.1f MB/s with %d core(s), %6.1f MB per CPU-second, peak RSS %5.1f MB\n",
			m.Phase, float64(m.Bytes)/1e6, m.Files, m.Finds, m.Seconds, float64(m.Bytes)/1e6/m.Seconds, m.Procs, float64(m.Bytes)/1e6/m.CPU, float64(m.PeakRSS)/1024)
	}
	eng, ci := ms[0], ms[1]
	perCore := float64(ci.Bytes) / ci.Seconds / float64(ci.Procs)
	fmt.Printf("ciscan per core: %.1f MB/s = %.0f%% of the single-file engine on one core (wall clock; on a busy machine cores are shared)\n",
		perCore/1e6, 100*perCore/(float64(eng.Bytes)/eng.Seconds))
	fmt.Printf("ciscan per CPU-second: %.0f%% of the engine's (includes start-up: compiling the rules)\n",
		100*(float64(ci.Bytes)/ci.CPU)/(float64(eng.Bytes)/eng.CPU))
	return nil
}

func report(m measurement, err error) error {
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(m)
}

// child runs one phase in a new process and adds its peak RSS.
func child(dir, phase string) (measurement, error) {
	exe, err := os.Executable()
	if err != nil {
		return measurement{}, err
	}
	cmd := exec.Command(exe, "-dir", dir, "-phase", phase)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return measurement{}, fmt.Errorf("%s: %w", phase, err)
	}
	var m measurement
	if err := json.Unmarshal(out, &m); err != nil {
		return m, err
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.PeakRSS = ru.Maxrss // KiB on Linux
		m.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	return m, nil
}

// measureEngine scans every file in turn on one goroutine, as `scrubgate scan FILE`
// of one file would: decompress, detect the mode, stream through ScanReader.
func measureEngine(s *scanner.Scanner, dir string) (measurement, error) {
	m := measurement{Phase: "engine", Procs: 1}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	start := time.Now()
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return m, err
		}
		var r io.Reader = f
		if strings.HasSuffix(p, ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				return m, err
			}
		}
		cr := &countReader{r: r}
		br := bufio.NewReaderSize(cr, 64<<10)
		head, _ := br.Peek(64 << 10)
		if err := s.ScanReader(br, scanner.DetectMode(head), func(scanner.Finding) { m.Finds++ }); err != nil {
			return m, err
		}
		f.Close()
		m.Bytes += cr.n
		m.Files++
	}
	m.Seconds = time.Since(start).Seconds()
	return m, nil
}

func measureCIScan(s *scanner.Scanner, dir string) (measurement, error) {
	m := measurement{Phase: "ciscan", Procs: runtime.GOMAXPROCS(0)}
	start := time.Now()
	res, err := ciscan.Run(context.Background(), ciscan.Options{Paths: []string{dir}, Scanner: s, MaxSize: ciscan.DefaultMaxSize, Exclude: []string{".size"}})
	if err != nil {
		return m, err
	}
	m.Seconds = time.Since(start).Seconds()
	m.Bytes, m.Files, m.Finds = res.Bytes, len(res.Files), len(res.Items)
	if len(res.Skipped) > 0 || len(res.Errors) > 0 {
		return m, fmt.Errorf("%d skipped, %d errors", len(res.Skipped), len(res.Errors))
	}
	return m, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// generate writes the corpus unless dir already holds one of this size.
func generate(dir string, size int64) error {
	stamp := filepath.Join(dir, ".size")
	if b, err := os.ReadFile(stamp); err == nil && strings.TrimSpace(string(b)) == strconv.FormatInt(size, 10) {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	fmt.Printf("generating %d bytes of transcripts in %s ...\n", size, dir)
	var total int64
	for i := 0; total < size; i++ {
		seed := uint64(i + 1)
		n := fileSize(i)
		if rem := size - total; int64(n) > rem {
			n = int(rem)
		}
		sub := filepath.Join(dir, fmt.Sprintf("project-%02d", i%16))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		var err error
		switch k := i % 20; {
		case k < 12:
			data, _ := corpus.Transcripts(n, seed)
			err = os.WriteFile(filepath.Join(sub, fmt.Sprintf("session-%05d.jsonl", i)), data, 0o644)
		case k < 17:
			err = os.WriteFile(filepath.Join(sub, fmt.Sprintf("tool-%05d.log", i)), corpus.CleanMixed(n, seed), 0o644)
		default:
			data, _ := corpus.Transcripts(n, seed)
			err = writeGzip(filepath.Join(sub, fmt.Sprintf("archived-%05d.jsonl.gz", i)), data)
		}
		if err != nil {
			return err
		}
		total += int64(n)
	}
	return os.WriteFile(stamp, []byte(strconv.FormatInt(size, 10)+"\n"), 0o644)
}

// fileSize: a tenth of the files are small (16-64 KB), the rest 1-8 MB.
func fileSize(i int) int {
	h := uint32(i)*2654435761 + 12345
	if i%10 == 0 {
		return 16<<10 + int(h%(48<<10))
	}
	return 1<<20 + int(h%(7<<20))
}

func writeGzip(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}} {
		if strings.HasSuffix(t, u.suf) {
			t, mult = strings.TrimSuffix(t, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q (e.g. 1GB, 64MB)", s)
	}
	return n * mult, nil
}
