package ciscan

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Staged contents are what a commit would record: the names come from
// `git diff --cached --name-only -z --diff-filter=ACMRT` (added, copied, modified, type-changed,
// renamed), the bytes from the index (`git cat-file blob <id>`), not from the working
// tree, whose copy may differ.

type stagedFile struct {
	name string // relative to the repository root, slash-separated
	mode string // git mode: 100644, 100755, 120000 (symlink), 160000 (submodule)
	oid  string
	typ  string
	size int64
}

// git runs git in dir and returns its standard output. Its error messages are git's
// own (about paths and repositories, never file contents).
// safeGitConfig neutralises the settings of a repository's own config that make git
// run commands (a scanned repository may be hostile: core.fsmonitor runs a
// program on every status-like command), and keeps git from asking for anything.
var safeGitConfig = []string{"-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", "-c", "core.hooksPath=/dev/null",
	"-c", "diff.external=", "-c", "core.pager=cat"}

func git(ctx context.Context, dir string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append(append([]string{"-C", dir}, safeGitConfig...), args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", args[0], msg)
	}
	return out.Bytes(), nil
}

// listStaged returns the repository root and its staged files, restricted to those
// under the given paths (relative to dir) if any. Names are relative to the root.
func listStaged(ctx context.Context, dir string, under []string) (string, []stagedFile, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", nil, errors.New("scanning staged files needs git on the PATH")
	}
	top, err := git(ctx, dir, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", nil, err
	}
	repo := strings.TrimSpace(string(top))
	files, err := stagedIn(ctx, dir, repo, under)
	return repo, files, err
}

func stagedIn(ctx context.Context, dir, repo string, under []string) ([]stagedFile, error) {
	names, err := git(ctx, repo, nil, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMRT")
	if err != nil {
		return nil, err
	}
	prefixes, err := stagedPrefixes(dir, repo, under)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range bytes.Split(names, []byte{0}) {
		if len(n) > 0 && underAny(string(n), prefixes) {
			want[string(n)] = true
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	// modes and object ids of the index entries
	index, err := git(ctx, repo, nil, "ls-files", "--stage", "-z")
	if err != nil {
		return nil, err
	}
	var files []stagedFile
	for _, rec := range bytes.Split(index, []byte{0}) {
		meta, name, ok := bytes.Cut(rec, []byte{'\t'})
		if !ok || !want[string(name)] {
			continue
		}
		f := strings.Fields(string(meta)) // mode, object id, stage
		if len(f) != 3 || f[2] != "0" {
			continue
		}
		files = append(files, stagedFile{name: string(name), mode: f[0], oid: f[1]})
	}
	// types and sizes, in one batch (object ids contain no newline)
	var q bytes.Buffer
	for _, f := range files {
		q.WriteString(f.oid + "\n")
	}
	info, err := git(ctx, repo, q.Bytes(), "cat-file", "--batch-check")
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(info))
	for i := 0; sc.Scan() && i < len(files); i++ {
		f := strings.Fields(sc.Text()) // "<oid> <type> <size>" or "<oid> missing"
		if len(f) == 3 {
			files[i].typ = f[1]
			files[i].size, _ = strconv.ParseInt(f[2], 10, 64)
		} else {
			files[i].typ = "missing"
		}
	}
	return files, nil
}

// stagedPrefixes turns paths (relative to dir) into prefixes relative to the root.
func stagedPrefixes(dir, repo string, under []string) ([]string, error) {
	var out []string
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	absRepo, _ := filepath.EvalSymlinks(repo)
	if d, err := filepath.EvalSymlinks(absDir); err == nil {
		absDir = d
	}
	for _, u := range under {
		p := u
		if !filepath.IsAbs(p) {
			p = filepath.Join(absDir, p)
		}
		r, err := filepath.Rel(absRepo, p)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("%s is outside the git repository", displayName(u))
		}
		out = append(out, filepath.ToSlash(r))
	}
	return out, nil
}

func underAny(name string, prefixes []string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if p == "." || name == p || strings.HasPrefix(name, p+"/") {
			return true
		}
	}
	return false
}

// stagedJobs resolves the staged files into jobs (or skips).
func (r *runner) stagedJobs(ctx context.Context) ([]job, error) {
	top, files, err := listStaged(ctx, orDot(r.opts.Dir), r.opts.Paths)
	if err != nil {
		return nil, err
	}
	r.res.Root = top // staged names are relative to the repository root
	var jobs []job
	for _, f := range files {
		f := f
		if r.excluded(f.name, f.name, false) || r.excludedParent(f.name) {
			r.countExcluded()
			continue
		}
		switch {
		case f.mode == "160000":
			r.addSkip(displayName(f.name), "submodule: scan it in its own repository")
			continue
		case f.typ != "blob":
			r.addSkip(displayName(f.name), "not in the git object store ("+f.typ+")")
			continue
		}
		jobs = append(jobs, job{display: displayName(f.name), size: f.size, open: func(ctx context.Context) (io.ReadCloser, error) {
			return gitBlob(ctx, top, f.oid)
		}})
	}
	return jobs, nil
}

// gitBlob streams a blob out of git.
func gitBlob(ctx context.Context, repo, oid string) (io.ReadCloser, error) {
	cmd := exec.CommandContext(ctx, "git", append(append([]string{"-C", repo}, safeGitConfig...), "cat-file", "blob", oid)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return &cmdReader{r: out, cmd: cmd, errb: &errb}, nil
}

// cmdReader reads a command's output; Close waits for the command and reports how it
// failed.
type cmdReader struct {
	r    io.ReadCloser
	cmd  *exec.Cmd
	errb *bytes.Buffer
	eof  bool
	err  error // what Read returns once the output has ended
}

func (c *cmdReader) Read(p []byte) (int, error) {
	if c.eof {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	if err == io.EOF {
		c.eof, c.err = true, io.EOF
		if werr := c.cmd.Wait(); werr != nil {
			c.err = fmt.Errorf("git cat-file: %s", clip(strings.TrimSpace(c.errb.String()), 200))
		}
		return n, c.err
	}
	return n, err
}

func (c *cmdReader) Close() error {
	if !c.eof {
		c.r.Close()
		c.eof = true
		return c.cmd.Wait()
	}
	return nil
}
