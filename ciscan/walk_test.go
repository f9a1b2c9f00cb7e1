package ciscan

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func scannedPaths(res *Result) []string {
	var out []string
	for _, f := range res.Files {
		out = append(out, f.Path)
	}
	sort.Strings(out)
	return out
}

func TestWalkIncludeExcludeAndGlobs(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	for _, p := range []string{
		"logs/a.jsonl", "logs/b.txt", "logs/old/c.jsonl", "vendor/x.jsonl", "src/main.go",
		".git/config", "sub/.git/HEAD", "README.md",
	} {
		write(t, p, []byte("clean\n"))
	}
	cases := []struct {
		name            string
		paths, inc, exc []string
		want            []string
		excluded        int
	}{
		{"walk skips .git", []string{"."}, nil, nil,
			[]string{"README.md", "logs/a.jsonl", "logs/b.txt", "logs/old/c.jsonl", "src/main.go", "vendor/x.jsonl"}, 0},
		{"include by base name", []string{"."}, []string{"*.jsonl"}, nil,
			[]string{"logs/a.jsonl", "logs/old/c.jsonl", "vendor/x.jsonl"}, 3},
		{"exclude a directory", []string{"."}, []string{"*.jsonl"}, []string{"vendor"},
			[]string{"logs/a.jsonl", "logs/old/c.jsonl"}, 4},
		{"exclude with **", []string{"."}, nil, []string{"logs/**/*.jsonl", "vendor/**"},
			[]string{"README.md", "logs/b.txt", "src/main.go"}, 3},
		{"exclude relative to the walk root", []string{"logs"}, nil, []string{"old/**"},
			[]string{"logs/a.jsonl", "logs/b.txt"}, 1},
		{"glob expanded by us", []string{"logs/**/*.jsonl"}, nil, nil,
			[]string{"logs/a.jsonl", "logs/old/c.jsonl"}, 0},
		{"glob results are filtered", []string{"logs/**/*.jsonl"}, nil, []string{"old"},
			[]string{"logs/a.jsonl"}, 1},
		{"explicit files are always scanned", []string{"vendor/x.jsonl", "logs"}, []string{"*.md"}, []string{"vendor"},
			[]string{"vendor/x.jsonl"}, 3},
		{"a file named twice is scanned once", []string{"logs/b.txt", "./logs/b.txt", "logs"}, nil, nil,
			[]string{"logs/a.jsonl", "logs/b.txt", "logs/old/c.jsonl"}, 0},
	}
	for _, c := range cases {
		res := run(t, Options{Paths: c.paths, Include: c.inc, Exclude: c.exc})
		if got := scannedPaths(res); strings.Join(got, ",") != strings.Join(c.want, ",") || res.Excluded != c.excluded {
			t.Errorf("%s: scanned %v (excluded %d), want %v (excluded %d)", c.name, got, res.Excluded, c.want, c.excluded)
		}
	}
	for _, bad := range [][]string{{"missing.txt"}, {"nomatch/*.zzz"}, {"-", "-"}} {
		if _, err := Run(context.Background(), Options{Paths: bad, Scanner: defaultScanner(t)}); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	// a symbolic link to a directory named on the command line is followed
	os.Symlink("logs", "logs-link")
	if res := run(t, Options{Paths: []string{"logs-link"}}); strings.Join(scannedPaths(res), ",") != "logs-link/a.jsonl,logs-link/b.txt,logs-link/old/c.jsonl" {
		t.Errorf("linked directory: %v", scannedPaths(res))
	}
	if _, err := Run(context.Background(), Options{Paths: []string{"."}, Exclude: []string{"[oops"}, Scanner: defaultScanner(t)}); err == nil {
		t.Error("bad pattern accepted")
	}
}

func TestRespectGitignore(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	os.Mkdir(".git", 0o755)
	write(t, ".git/info/exclude", []byte("*.local\n"))
	write(t, ".gitignore", []byte("# build output\n/build/\n*.log\n!keep.log\ncache/\n"))
	write(t, "app/.gitignore", []byte("secrets.txt\n!*.log\n"))
	for _, p := range []string{
		"build/out.txt", "app/build/out.txt", "x.log", "keep.log", "app/debug.log",
		"app/secrets.txt", "app/cache/c.txt", "cache/c.txt", "main.go", "my.local", "app/ok.txt",
	} {
		write(t, p, []byte("clean\n"))
	}
	res := run(t, Options{Paths: []string{"."}, RespectGitignore: true})
	want := []string{".gitignore", "app/.gitignore", "app/build/out.txt", "app/debug.log", "app/ok.txt", "keep.log", "main.go"}
	if got := scannedPaths(res); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("scanned %v\nwant    %v", got, want)
	}
	// from a subdirectory the parent's .gitignore still applies
	res = run(t, Options{Paths: []string{"app"}, RespectGitignore: true})
	want = []string{"app/.gitignore", "app/build/out.txt", "app/debug.log", "app/ok.txt"}
	if got := scannedPaths(res); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("from app: scanned %v\nwant    %v", got, want)
	}
	// an ignored file named explicitly is scanned; without the flag nothing is ignored
	res = run(t, Options{Paths: []string{"x.log", "app/secrets.txt"}, RespectGitignore: true})
	if len(res.Files) != 2 {
		t.Errorf("explicit: %v", scannedPaths(res))
	}
	if res := run(t, Options{Paths: []string{"."}}); len(res.Files) != 13 {
		t.Errorf("without --respect-gitignore: %v", scannedPaths(res))
	}
}

// TestSkipAccounting: nothing is skipped silently.
func TestSkipAccounting(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	tok := ghTok(700)
	write(t, "ok.txt", []byte("clean\n"))
	write(t, "big.txt", []byte(strings.Repeat("x", 2000)))
	write(t, "bomb.txt.gz", gzipBytes(t, []byte("GITHUB_TOKEN="+tok+"\n"+strings.Repeat("y", 5000))))
	write(t, "zips.zip", zipBytes(t,
		zipMember{name: "small.txt", data: []byte("fine\n")},
		zipMember{name: "large.txt", data: []byte(strings.Repeat("z", 3000))},
		zipMember{name: "inner.zip", data: zipBytes(t, zipMember{name: "a", data: []byte("a")})},
	))
	os.Symlink("ok.txt", "link.txt")
	os.Symlink("missing-target", "dangling.txt")
	if err := syscall.Mkfifo("fifo", 0o644); err != nil {
		t.Fatal(err)
	}
	res := run(t, Options{Paths: []string{"."}, MaxSize: 1000})
	want := map[string]string{
		"big.txt":            "larger than the size limit (1999 bytes > 1000 bytes)",
		"bomb.txt.gz":        "only the first 1000 bytes scanned",
		"zips.zip!large.txt": "larger than the size limit",
		"zips.zip!inner.zip": "zip archive inside",
		"fifo":               "not a regular file",
	}
	// Symbolic links met in a walk are not followed and count as excluded, not
	// skipped: their targets are files of their own.
	if res.Excluded != 2 {
		t.Errorf("excluded = %d, want the 2 links", res.Excluded)
	}
	// the generated big file is 2000 bytes
	want["big.txt"] = "larger than the size limit (2000 bytes > 1000 bytes)"
	got := map[string]string{}
	for _, s := range res.Skipped {
		got[s.File] = s.Reason
	}
	for f, reason := range want {
		if !strings.Contains(got[f], reason) {
			t.Errorf("%s: skip reason %q, want %q", f, got[f], reason)
		}
	}
	if len(got) != len(want) {
		t.Errorf("skips %v", got)
	}
	// the part of the large gzip stream that was read is still reported
	if len(res.Items) != 1 || res.Items[0].File != "bomb.txt.gz" {
		t.Errorf("findings:\n%s", dumpItems(res))
	}
	// a symbolic link named explicitly is followed; a dangling one is a skip
	res = run(t, Options{Paths: []string{"link.txt", "dangling.txt"}})
	if len(res.Files) != 1 || len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, "no such file") {
		t.Errorf("explicit links: files %v\n%s", scannedPaths(res), dumpItems(res))
	}
	// MaxSize 0: no limit
	res = run(t, Options{Paths: []string{"big.txt", "bomb.txt.gz"}})
	if len(res.Skipped) != 0 {
		t.Errorf("no limit:\n%s", dumpItems(res))
	}
}

func TestUnreadableFileIsSkipped(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	dir := t.TempDir()
	p := write(t, filepath.Join(dir, "secret.txt"), []byte("x"))
	os.Chmod(p, 0)
	res := run(t, Options{Paths: []string{dir}})
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, "permission denied") {
		t.Errorf("%s", dumpItems(res))
	}
}

func TestStdin(t *testing.T) {
	tok := ghTok(800)
	for _, c := range []struct {
		name, format string
		data         []byte
	}{
		{"plain", "text", []byte("x\nGITHUB_TOKEN=" + tok + "\n")},
		{"gzip", "text (gzip)", gzipBytes(t, []byte("x\nGITHUB_TOKEN="+tok+"\n"))},
		{"utf-16", "text (utf-16le)", utf16Bytes("x\nGITHUB_TOKEN="+tok+"\n", false, true)},
		{"zip", "text", zipBytes(t, zipMember{name: "m.txt", data: []byte("x\nGITHUB_TOKEN=" + tok + "\n")})},
	} {
		res := run(t, Options{Paths: []string{"-"}, Stdin: strings.NewReader(string(c.data))})
		if len(res.Items) != 1 || res.Items[0].Start.Line != 2 || res.Items[0].Start.Column != 14 || len(res.Files) != 1 || res.Files[0].Format != c.format {
			t.Errorf("%s: %v\n%s", c.name, res.Files, dumpItems(res))
		}
	}
}

func TestStagedScansTheIndex(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	chdir(t, dir)
	gitRun := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	gitRun("init", "-q", ".")
	tok, tok2 := ghTok(900), ghTok(901)
	write(t, "committed.txt", []byte("clean\n"))
	gitRun("add", "committed.txt")
	gitRun("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "init")
	write(t, "staged.txt", []byte("GITHUB_TOKEN="+tok+"\n"))
	write(t, "sub dir/new\nline.txt", []byte("ok\n"))
	gitRun("add", "staged.txt", "sub dir")
	// the working tree copy no longer has the secret: the staged one does
	write(t, "staged.txt", []byte("clean now\n"))
	write(t, "untracked.txt", []byte("GITHUB_TOKEN="+tok2+"\n"))
	res := run(t, Options{Staged: true})
	if got := scannedPaths(res); strings.Join(got, ",") != `staged.txt,sub dir/new\x0aline.txt` {
		t.Errorf("scanned %q", got)
	}
	if len(res.Items) != 1 || res.Items[0].File != "staged.txt" || res.Items[0].Start.Column != 14 {
		t.Errorf("%s", dumpItems(res))
	}
	// paths restrict the staged files, --exclude applies to their names
	res = run(t, Options{Staged: true, Paths: []string{"sub dir"}})
	if len(res.Files) != 1 || len(res.Items) != 0 {
		t.Errorf("restricted: %v", scannedPaths(res))
	}
	res = run(t, Options{Staged: true, Exclude: []string{"sub dir"}})
	if len(res.Files) != 1 || res.Excluded != 1 {
		t.Errorf("excluded: %v", scannedPaths(res))
	}
	if _, err := Run(context.Background(), Options{Staged: true, RedactInPlace: true, Replace: testMask, Scanner: defaultScanner(t)}); err == nil {
		t.Error("redacting staged contents accepted")
	}
	outside := t.TempDir()
	chdir(t, outside)
	if _, err := Run(context.Background(), Options{Staged: true, Scanner: defaultScanner(t)}); err == nil || !strings.Contains(err.Error(), "git") {
		t.Errorf("outside a repository: %v", err)
	}
}

// TestManySmallFiles scans 5000 files with every worker busy and checks the result is
// complete and in a deterministic order.
func TestManySmallFiles(t *testing.T) {
	dir := t.TempDir()
	n := 5000
	if testing.Short() || raceEnabled {
		n = 1000
	}
	for i := 0; i < n; i++ {
		body := fmt.Sprintf("file %d\nnothing here\n", i)
		if i%500 == 0 {
			body += "GITHUB_TOKEN=" + ghTok(i) + "\n"
		}
		write(t, filepath.Join(dir, fmt.Sprintf("d%02d", i%50), fmt.Sprintf("f%04d.txt", i)), []byte(body))
	}
	var first []string
	for round := 0; round < 2; round++ {
		res := run(t, Options{Paths: []string{dir}, Workers: runtime.GOMAXPROCS(0) + 2})
		if len(res.Files) != n || len(res.Items) != n/500 {
			t.Fatalf("files %d, findings %d", len(res.Files), len(res.Items))
		}
		var order []string
		for _, it := range res.Items {
			order = append(order, it.File)
		}
		if !sort.StringsAreSorted(order) {
			t.Fatal("findings not sorted")
		}
		if round == 0 {
			first = order
		} else if strings.Join(first, ",") != strings.Join(order, ",") {
			t.Fatal("order differs between runs")
		}
	}
}

func TestCancelledRun(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.txt"), []byte("x\n"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{Paths: []string{dir}, Scanner: defaultScanner(t)}); err != context.Canceled {
		t.Fatalf("err %v", err)
	}
}

func TestProgressLine(t *testing.T) {
	var b strings.Builder
	p := newProgress(&b)
	p.update(1, 1e6) // too early: nothing
	p.start = p.start.Add(-time.Second)
	p.update(10, 50e6)
	p.update(11, 51e6) // too soon after the last one
	p.done()
	out := b.String()
	if strings.Count(out, "scrubgate: ") != 1 || !strings.Contains(out, "10 file(s), 50 MB scanned") || !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("%q", out)
	}
	b.Reset()
	q := newProgress(&b)
	q.done()
	if b.Len() != 0 {
		t.Error("a scan too short for progress still erased a line")
	}
}

// An archive has a budget: four times the size limit in all, so many members each
// under the limit cannot make a scan endless; the rest is skipped, never silently.
func TestZipBudget(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	var members []zipMember
	for i := 0; i < 6; i++ {
		members = append(members, zipMember{name: fmt.Sprintf("m%d.txt", i), data: []byte(strings.Repeat("x", 900))})
	}
	write(t, "many.zip", zipBytes(t, members...))
	res := run(t, Options{Paths: []string{"many.zip"}, MaxSize: 1000})
	if len(res.Skipped) != 2 || !strings.Contains(res.Skipped[0].Reason, "four times the size limit") {
		t.Fatalf("skips %+v", res.Skipped)
	}
}
