package ciscan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// job is one input handed to a worker: a file on disk, standard input or a staged
// blob.
type job struct {
	display string      // the name in reports: slash-separated, control characters escaped
	path    string      // the file on disk; "" for standard input and staged blobs
	size    int64       // -1 when unknown
	mode    fs.FileMode // permissions of the file on disk, for redacted copies
	dest    string      // where the redacted file goes ("" when not redacting)
	// open returns the raw bytes of standard input or a staged blob.
	open func(ctx context.Context) (io.ReadCloser, error)
}

// root is one resolved command-line path.
type root struct {
	arg      string // as given (cleaned)
	dir      bool
	explicit bool // named on the command line, not found by a glob
	symlink  bool // a glob matched a symbolic link (not followed, as in walks)
}

// resolve turns the command-line paths into roots, expanding glob patterns. A path
// that does not exist and a pattern that matches nothing are errors.
func (r *runner) resolve() ([]root, error) {
	var roots []root
	stdin := false
	for _, arg := range r.opts.Paths {
		if arg == "-" {
			if stdin {
				return nil, errors.New("standard input (-) given twice")
			}
			stdin = true
			roots = append(roots, root{arg: "-", explicit: true})
			continue
		}
		if arg == "" {
			return nil, errors.New("empty path")
		}
		clean := filepath.Clean(arg)
		st, err := os.Stat(clean)
		if err == nil {
			roots = append(roots, root{arg: clean, dir: st.IsDir(), explicit: true})
			continue
		}
		if !hasMeta(arg) {
			if _, lerr := os.Lstat(clean); lerr == nil {
				// a dangling symbolic link or an unreadable parent: the worker records why
				roots = append(roots, root{arg: clean, explicit: true})
				continue
			}
			if isNotExist(err) {
				return nil, fmt.Errorf("%s: no such file or directory", displayName(arg))
			}
			return nil, fmt.Errorf("%s: %w", displayName(arg), errReason(err))
		}
		matches, gerr := doublestar.FilepathGlob(arg)
		if gerr != nil {
			return nil, fmt.Errorf("bad glob pattern %q", arg)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("no file matches %q", arg)
		}
		for _, m := range matches {
			st, err := os.Lstat(m)
			if err != nil {
				continue
			}
			roots = append(roots, root{arg: m, dir: st.IsDir(), symlink: st.Mode()&fs.ModeSymlink != 0})
		}
	}
	return roots, nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[{") }

func validPattern(p string) bool { return p != "" && doublestar.ValidatePattern(filepath.ToSlash(p)) }

// enumerate sends a job for every input under roots.
func (r *runner) enumerate(ctx context.Context, roots []root, jobs chan<- job) {
	dests := map[string]string{}
	seen := map[string]bool{} // a file named twice, or inside a directory also named, is scanned once
	send := func(j job) bool {
		if j.path != "" {
			key := filepath.Clean(j.path)
			if abs, err := filepath.Abs(key); err == nil {
				key = abs
			}
			if seen[key] {
				return true
			}
			seen[key] = true
		}
		if r.opts.RedactTo != "" {
			if other, dup := dests[j.dest]; dup {
				r.addError(j.display, "not redacted: its copy would overwrite the copy of "+other)
				j.dest = ""
			} else {
				dests[j.dest] = j.display
			}
		}
		select {
		case jobs <- j:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, rt := range roots {
		switch {
		case rt.arg == "-":
			if !send(job{display: "-", size: -1, open: func(context.Context) (io.ReadCloser, error) {
				return io.NopCloser(r.opts.Stdin), nil
			}}) {
				return
			}
		case rt.dir:
			if !r.walk(ctx, rt, send) {
				return
			}
		default:
			if !rt.explicit {
				if r.excluded(rt.arg, rt.arg, false) || r.excludedParent(rt.arg) ||
					(r.opts.RespectGitignore && newGitignore(filepath.Dir(rt.arg)).ignored(rt.arg, false)) {
					r.countExcluded()
					continue
				}
				if rt.symlink {
					r.addSkip(displayName(rt.arg), symlinkReason)
					continue
				}
			}
			st, err := os.Stat(rt.arg)
			size, mode := int64(-1), fs.FileMode(0o644)
			if err == nil {
				mode = st.Mode().Perm()
				if st.Mode().IsRegular() {
					size = st.Size()
				}
			}
			if !send(job{display: displayName(rt.arg), path: rt.arg, size: size, mode: mode, dest: r.dest(rt, rt.arg)}) {
				return
			}
		}
	}
}

// walk sends the files under a directory root. It returns false when the scan was
// cancelled.
func (r *runner) walk(ctx context.Context, rt root, send func(job) bool) bool {
	var ign *gitignore
	if r.opts.RespectGitignore {
		ign = newGitignore(rt.arg)
	}
	redactTo := ""
	if r.opts.RedactTo != "" {
		redactTo, _ = filepath.Abs(r.opts.RedactTo)
	}
	start := rt.arg
	if st, err := os.Lstat(start); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		start += string(filepath.Separator) // a link named on the command line is followed
	}
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			what := "cannot read the directory"
			if d == nil || !d.IsDir() {
				what = "cannot read it"
			}
			r.addSkip(displayName(p), what+": "+errReason(err).Error())
			if d != nil && d.IsDir() && p != start {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p == start {
				return nil
			}
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			if redactTo != "" {
				if abs, _ := filepath.Abs(p); abs == redactTo {
					return filepath.SkipDir
				}
			}
			if r.excluded(p, rel(rt.arg, p), true) || (ign != nil && ign.ignored(p, true)) {
				r.countExcluded()
				return filepath.SkipDir
			}
			return nil
		}
		if r.excluded(p, rel(rt.arg, p), false) || (ign != nil && ign.ignored(p, false)) {
			r.countExcluded()
			return nil
		}
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			// Not followed in walks (its target is scanned where it lives, or named
			// on the command line); counted with the excluded paths, since it is no
			// file left unread.
			r.countExcluded()
			return nil
		case !t.IsRegular():
			r.addSkip(displayName(p), "not a regular file")
			return nil
		}
		size, mode := int64(-1), fs.FileMode(0o644)
		if info, err := d.Info(); err == nil {
			size, mode = info.Size(), info.Mode().Perm()
		}
		if !send(job{display: displayName(p), path: p, size: size, mode: mode, dest: r.dest(rt, p)}) {
			return context.Canceled
		}
		return nil
	})
	return err == nil
}

const symlinkReason = "symbolic link, not followed (name it on the command line to scan its target)"

func rel(base, p string) string {
	r, err := filepath.Rel(base, p)
	if err != nil {
		return p
	}
	return r
}

// excluded applies --include and --exclude to a path (as displayed, and relative to
// the walk's root). Directories are pruned by --exclude only.
func (r *runner) excluded(p, relp string, dir bool) bool {
	full, relp := filepath.ToSlash(p), filepath.ToSlash(relp)
	for _, pat := range r.opts.Exclude {
		if matchPattern(pat, full, relp) {
			return true
		}
	}
	if dir || len(r.opts.Include) == 0 {
		return false
	}
	for _, pat := range r.opts.Include {
		if matchPattern(pat, full, relp) {
			return false
		}
	}
	return true
}

// excludedParent applies --exclude to the directories of a path found by a glob, as a
// walk would have pruned them.
func (r *runner) excludedParent(p string) bool {
	if len(r.opts.Exclude) == 0 {
		return false
	}
	for d := filepath.Dir(p); d != "." && d != string(filepath.Separator) && d != filepath.Dir(d); d = filepath.Dir(d) {
		if r.excluded(d, d, true) {
			return true
		}
	}
	return false
}

// matchPattern: a pattern without a slash matches the base name at any depth; one
// with a slash matches the whole path, as displayed or relative to the walk's root.
func matchPattern(pat, full, relp string) bool {
	pat = filepath.ToSlash(pat)
	if !strings.Contains(pat, "/") {
		ok, _ := doublestar.Match(pat, path.Base(full))
		return ok
	}
	pat = strings.TrimPrefix(pat, "./")
	for _, p := range []string{full, relp} {
		if ok, _ := doublestar.Match(pat, p); ok {
			return true
		}
	}
	return false
}

// dest is where the redacted copy of file p (found under root rt) goes: the file
// itself in place, or under RedactTo as cp -r would put it.
func (r *runner) dest(rt root, p string) string {
	switch {
	case r.opts.RedactInPlace:
		// A symbolic link named on the command line: the file it points to is the
		// one that holds the secrets (replacing the link would leave them there).
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return real
		}
		return p
	case r.opts.RedactTo == "":
		return ""
	}
	name := filepath.Base(rt.arg)
	if name == "." || name == ".." || name == string(filepath.Separator) {
		if abs, err := filepath.Abs(rt.arg); err == nil {
			name = filepath.Base(abs)
		}
	}
	if name == string(filepath.Separator) || name == "." {
		name = "root"
	}
	if !rt.dir {
		return filepath.Join(r.opts.RedactTo, name)
	}
	return filepath.Join(r.opts.RedactTo, name, rel(rt.arg, p))
}

// displayName is how a path appears in reports: slash-separated, with control
// characters escaped so that a file name cannot forge report lines.
func displayName(p string) string {
	p = filepath.ToSlash(p)
	if !strings.ContainsFunc(p, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		return p
	}
	var b strings.Builder
	for _, c := range p {
		if c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", c)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// errReason is the reason part of a file error, without the path (which the report
// shows already).
func errReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
