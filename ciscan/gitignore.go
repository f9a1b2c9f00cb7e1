package ciscan

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// gitignore answers whether git would ignore a path, from the .gitignore files of its
// directory and every parent up to the repository root, and the repository's
// .git/info/exclude. (The user's global excludes file is not read: a CI machine does
// not have it, and a scan should not depend on who runs it.)
type gitignore struct {
	top   string                  // the repository root, or the start when not in one
	files map[string][]ignoreRule // directory -> rules of its .gitignore
	dirs  map[string]bool         // directory -> ignored (itself or a parent)
	// git, in a repository where git runs, is git's own answer: the untracked
	// paths it ignores (directories with a trailing slash). Tracked files are never
	// ignored, and negations work exactly as git applies them.
	git map[string]bool
}

type ignoreRule struct {
	pattern  string // doublestar syntax
	negate   bool
	dirOnly  bool
	basename bool // no slash in the pattern: matches the name at any depth
}

// maxIgnoreFile bounds what is read of one .gitignore file.
const maxIgnoreFile = 1 << 20

func newGitignore(start string) *gitignore {
	abs, err := filepath.Abs(start)
	if err != nil {
		abs = start
	}
	top := abs
	for d := abs; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			top = d
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	g := &gitignore{top: top, files: map[string][]ignoreRule{}, dirs: map[string]bool{}}
	if _, err := os.Lstat(filepath.Join(top, ".git")); err == nil {
		g.git = gitIgnoredPaths(top)
	}
	if data, err := readFileAtMost(filepath.Join(top, ".git", "info", "exclude"), maxIgnoreFile); err == nil {
		g.files[""] = parseGitignore(data)
	}
	return g
}

// ignored reports whether p (a file, or a directory when dir) is ignored, itself or
// through an ignored parent directory.
func (g *gitignore) ignored(p string, dir bool) bool {
	abs, err := filepath.Abs(p)
	if err != nil || !within(g.top, abs) || abs == g.top {
		return false
	}
	if g.git != nil {
		r := filepath.ToSlash(rel(g.top, abs))
		for {
			if g.git[r] || g.git[r+"/"] {
				return true
			}
			i := strings.LastIndexByte(r, '/')
			if i < 0 {
				return false
			}
			r = r[:i]
		}
	}
	if g.dirIgnored(filepath.Dir(abs)) {
		return true
	}
	if dir {
		return g.dirIgnored(abs)
	}
	return g.match(abs, false)
}

func (g *gitignore) dirIgnored(d string) bool {
	if d == g.top || !within(g.top, d) {
		return false
	}
	if v, ok := g.dirs[d]; ok {
		return v
	}
	v := g.dirIgnored(filepath.Dir(d)) || g.match(d, true)
	g.dirs[d] = v
	return v
}

// match applies the rules that can see abs, lowest precedence first: info/exclude,
// then .gitignore files from the top down to abs's directory. The last match wins.
func (g *gitignore) match(abs string, dir bool) bool {
	ignored := false
	apply := func(rules []ignoreRule, base string) {
		if len(rules) == 0 {
			return
		}
		relp := filepath.ToSlash(rel(base, abs))
		name := path.Base(relp)
		for _, r := range rules {
			if r.dirOnly && !dir {
				continue
			}
			subject := relp
			if r.basename {
				subject = name
			}
			if ok, _ := doublestar.Match(r.pattern, subject); ok {
				ignored = !r.negate
			}
		}
	}
	apply(g.files[""], g.top)
	parent := filepath.Dir(abs)
	var chain []string
	for d := parent; within(g.top, d); d = filepath.Dir(d) {
		chain = append(chain, d)
		if d == g.top {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		apply(g.load(chain[i]), chain[i])
	}
	return ignored
}

func (g *gitignore) load(dir string) []ignoreRule {
	rules, ok := g.files[dir]
	if !ok {
		if data, err := readFileAtMost(filepath.Join(dir, ".gitignore"), maxIgnoreFile); err == nil {
			rules = parseGitignore(data)
		}
		g.files[dir] = rules
	}
	return rules
}

// within reports whether p is dir or inside it (both absolute and clean).
func within(dir, p string) bool {
	if p == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(p, dir)
}

// parseGitignore reads gitignore syntax: blank lines and # comments are skipped,
// trailing spaces dropped unless escaped, ! negates, a trailing / matches directories
// only, a slash elsewhere anchors the pattern to the file's directory, \ escapes.
func parseGitignore(data []byte) []ignoreRule {
	var rules []ignoreRule
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxIgnoreFile)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, "\\ ") {
			line = line[:len(line)-1]
		}
		if line == "" {
			continue
		}
		var r ignoreRule
		if line[0] == '!' {
			r.negate = true
			line = line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly = true
			line = strings.TrimRight(line, "/")
		}
		if line == "" {
			continue
		}
		if strings.Contains(line, "/") {
			line = strings.TrimPrefix(line, "/")
		} else {
			r.basename = true
		}
		r.pattern = toDoublestar(line)
		if !doublestar.ValidatePattern(r.pattern) {
			continue // git ignores what it cannot parse too
		}
		rules = append(rules, r)
	}
	return rules
}

// toDoublestar escapes what doublestar reads differently from git: braces are
// alternatives for doublestar and plain characters for git.
func toDoublestar(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
		case c == '{' || c == '}':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func readFileAtMost(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAtMost(f, limit)
}

// gitIgnoredPaths asks git which untracked paths of the repository at top it
// ignores; nil when git cannot tell (not installed, not a work tree).
func gitIgnoredPaths(top string) map[string]bool {
	cmd := exec.Command("git", append(append([]string{"-C", top}, safeGitConfig...), "ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z")...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	m := map[string]bool{}
	for _, p := range bytes.Split(out, []byte{0}) {
		if len(p) > 0 {
			m[string(p)] = true
		}
	}
	return m
}
