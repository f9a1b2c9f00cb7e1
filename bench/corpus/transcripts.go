package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var userPrompts = []string{
	"The tests in internal/auth are failing after the refactor, can you take a look?",
	"Why does the deploy to staging fail with a 401? It worked yesterday.",
	"Add a --dry-run flag to the sync command and update the README.",
	"Can you find where we set max_tokens and make it configurable?",
	"Please rotate the usage of the API key so it comes from the secret manager instead of the env file.",
	"Summarize what changed in the last five commits.",
	"The password reset email is sent twice. Find out why.",
	"Refactor the token cache so it is safe for concurrent use.",
	"Write a test for the key rotation job.",
	"Check why the container can't reach the database.",
	"ログイン処理でトークンの有効期限が切れたときの挙動を確認してください。",
	"Peux-tu vérifier pourquoi le déploiement échoue ? 🙏",
	"Our CI says the lint step failed, fix it please.",
	"What does the auth middleware do with an expired token?",
}

var assistantNotes = []string{
	"I'll start by looking at the project layout.",
	"Let me run the tests to see the failure.",
	"Let me check the configuration the service loads at startup.",
	"I'll read the file that builds the client.",
	"The failure comes from the token refresh path; let me look at the store.",
	"Let me check the environment the service is running with.",
	"I'll look at the request the client sends.",
	"The tests pass now. Summary: the refresh check used the wrong clock skew, and the key ID was not logged.",
	"Done. I moved the API key lookup into config.go and documented the variable in the README.",
	"Found it: the retry loop re-sent the email after a timeout even though the first send succeeded.",
}

// describe is the short description Claude Code attaches to a Bash call.
func describe(cmd string) string {
	for _, d := range [][2]string{
		{"go test", "Run the test suite"}, {"go vet", "Run go vet"}, {"ls ", "List files"}, {"git log", "Show recent commits"},
		{"git diff", "Show the diff"}, {"git status", "Show working tree status"}, {"git clone", "Clone the repository"},
		{"kubectl", "Inspect the cluster"}, {"curl", "Send the request"}, {"cat .env", "Check the environment file"},
		{"cat ", "Show the file"}, {"grep", "Search the code"}, {"docker", "Run docker"}, {"pip ", "Install dependencies"},
		{"npm ", "Configure npm"}, {"export ", "Set the environment variable"}, {"tail", "Show recent log lines"},
	} {
		if strings.Contains(cmd, d[0]) {
			return d[1]
		}
	}
	return "Run the command"
}

// cleanTool returns a tool invocation with clean output.
func cleanTool(r *rand.Rand) (tool string, input string, output string) {
	switch r.IntN(7) {
	case 0, 1:
		s := expand(r, pick(r, shellSnippets...))
		cmd, out, _ := strings.Cut(strings.TrimPrefix(s, "$ "), "\n")
		return "bash", cmd, out
	case 2:
		path := fill(r, "path")
		return "read", path, expand(r, pick(r, goSnippets...))
	case 3:
		path := fill(r, "dir") + "/" + fill(r, "pyfile")
		return "read", path, expand(r, pick(r, pySnippets...))
	case 4:
		var b strings.Builder
		for i := between(r, 3, 12); i > 0; i-- {
			b.WriteString(expand(r, pick(r, logSnippets...)))
		}
		return "bash", "tail -n 50 /var/log/" + pick(r, repoNames...) + ".log", b.String()
	case 5:
		return "bash", pick(r, "cat package.json", "gh api repos/"+pick(r, orgs...)+"/"+pick(r, repoNames...)+"/commits/main", "cat config.json", "kubectl get pod -o json | jq .items[0]"), cleanJSON(r)
	default:
		return "bash", "git diff --stat", expand(r, " @{path} | @{n} ++++--\n internal/auth/token_test.go | @{n} +++++++\n 2 files changed, @{n} insertions(+), @{n} deletions(-)\n")
	}
}

func numbered(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	var b strings.Builder
	for i, l := range lines {
		fmt.Fprintf(&b, "%6d\u2192%s\n", i+1, l)
	}
	return b.String()
}

// transcript writes episodes as JSONL lines.
type transcript struct {
	r       *rand.Rand
	claude  bool
	enc     jenc
	session string
	cwd     string
	parent  string
	version string
}

func newTranscript(r *rand.Rand) *transcript {
	t := &transcript{r: r, claude: r.IntN(2) == 0, session: randUUID(r)}
	t.enc = jCompact
	if !t.claude && r.IntN(3) == 0 {
		t.enc = jPython
	}
	t.cwd = "/home/" + pick(r, "dev", "ubuntu", "runner") + "/src/" + pick(r, repoNames...)
	t.version = fmt.Sprintf("1.0.%d", between(r, 30, 120))
	return t
}

func (t *transcript) line(v jObj) rich { return cat(t.enc.encode(v), "\n") }

func (t *transcript) ccEnvelope(typ string, msg jObj, extra ...jKV) jObj {
	u := randUUID(t.r)
	parent := any(jRaw("null"))
	if t.parent != "" {
		parent = t.parent
	}
	o := jObj{{"parentUuid", parent}, {"isSidechain", jRaw("false")}, {"userType", "external"}, {"cwd", t.cwd},
		{"sessionId", t.session}, {"version", t.version}, {"gitBranch", pick(t.r, "main", "main", "fix/token-refresh", "feature/dry-run")},
		{"type", typ}, {"message", msg}}
	o = append(o, extra...)
	o = append(o, jKV{"uuid", u}, jKV{"timestamp", timestamp(t.r)})
	t.parent = u
	return o
}

// user is a user chat message.
func (t *transcript) user(content any) rich {
	if t.claude {
		return t.line(t.ccEnvelope("user", jObj{{"role", "user"}, {"content", content}}))
	}
	return t.line(jObj{{"role", "user"}, {"content", content}})
}

// assistantText is a plain assistant reply.
func (t *transcript) assistantText(text string) rich {
	r := t.r
	if t.claude {
		msg := jObj{{"id", msgID(r)}, {"type", "message"}, {"role", "assistant"}, {"model", pick(r, models[4:]...)},
			{"content", jArr{jObj{{"type", "text"}, {"text", text}}}}, {"stop_reason", "end_turn"}, {"stop_sequence", jRaw("null")},
			{"usage", jObj{{"input_tokens", between(r, 4, 900)}, {"cache_creation_input_tokens", between(r, 0, 5000)}, {"cache_read_input_tokens", between(r, 1000, 90000)}, {"output_tokens", between(r, 20, 900)}}}}
		return t.line(t.ccEnvelope("assistant", msg, jKV{"requestId", reqID(r)}))
	}
	if r.IntN(4) == 0 {
		return t.line(openAIResponse(r, text))
	}
	return t.line(jObj{{"role", "assistant"}, {"content", text}})
}

// toolStep is an assistant tool call and its result. tool is bash, read or write;
// input is the command or path, content the file content for write.
func (t *transcript) toolStep(tool string, input, content, output rich, note string) rich {
	r := t.r
	if t.claude {
		var name string
		var in jObj
		switch tool {
		case "bash":
			name, in = "Bash", jObj{{"command", input}, {"description", describe(input.String())}}
		case "read":
			name, in = "Read", jObj{{"file_path", cat(t.cwd+"/", input)}}
		default:
			name, in = "Write", jObj{{"file_path", cat(t.cwd+"/", input)}, {"content", content}}
		}
		id := tooluID(r)
		var blocks jArr
		if note != "" {
			blocks = append(blocks, jObj{{"type", "text"}, {"text", note}})
		}
		blocks = append(blocks, jObj{{"type", "tool_use"}, {"id", id}, {"name", name}, {"input", in}})
		msg := jObj{{"id", msgID(r)}, {"type", "message"}, {"role", "assistant"}, {"model", pick(r, models[4:]...)},
			{"content", blocks}, {"stop_reason", "tool_use"}, {"stop_sequence", jRaw("null")},
			{"usage", jObj{{"input_tokens", between(r, 4, 900)}, {"cache_read_input_tokens", between(r, 1000, 90000)}, {"output_tokens", between(r, 20, 400)}}}}
		a := t.line(t.ccEnvelope("assistant", msg, jKV{"requestId", reqID(r)}))
		res := output
		if tool == "read" {
			res = cat(numbered(output.String()))
		}
		if tool == "write" {
			res = cat("File created successfully at: " + t.cwd + "/" + input.String())
		}
		var extra []jKV
		if tool == "bash" {
			extra = append(extra, jKV{"toolUseResult", jObj{{"stdout", output}, {"stderr", ""}, {"interrupted", jRaw("false")}, {"isImage", jRaw("false")}}})
		}
		u := t.line(t.ccEnvelope("user", jObj{{"role", "user"}, {"content", jArr{jObj{{"tool_use_id", id}, {"type", "tool_result"}, {"content", res}, {"is_error", jRaw("false")}}}}}, extra...))
		return cat(a, u)
	}
	var name string
	var args jObj
	switch tool {
	case "bash":
		name, args = "run_shell", jObj{{"command", input}}
	case "read":
		name, args = "read_file", jObj{{"path", input}}
	default:
		name, args = "write_file", jObj{{"path", input}, {"content", content}}
	}
	id := callID(r)
	var noteV any = jRaw("null")
	if note != "" {
		noteV = note
	}
	a := t.line(jObj{{"role", "assistant"}, {"content", noteV}, {"tool_calls", jArr{jObj{{"id", id}, {"type", "function"},
		{"function", jObj{{"name", name}, {"arguments", jCompact.encode(args)}}}}}}})
	res := output
	if tool == "write" {
		res = cat(fmt.Sprintf("wrote %d bytes to %s", content.Len(), input.String()))
	}
	return cat(a, t.line(jObj{{"role", "tool"}, {"tool_call_id", id}, {"content", res}}))
}

func (t *transcript) systemPrompt() rich {
	if t.claude {
		return nil
	}
	return t.line(jObj{{"role", "system"}, {"content", "You are a coding agent working in " + t.cwd + ". Use the tools to inspect and change files. Never print secrets; refer to API keys and passwords by name."}})
}

func (t *transcript) cleanStep() rich {
	r := t.r
	if r.IntN(6) == 0 {
		return t.assistantText(expand(r, pick(r, proseSentences...)+" "+pick(r, proseSentences...)))
	}
	tool, in, outp := cleanTool(r)
	note := ""
	if r.IntN(2) == 0 {
		note = pick(r, assistantNotes[:7]...)
	}
	return t.toolStep(tool, cat(in), nil, cat(outp), note)
}

// secretStep is one step that exposes a secret of kind, the way agents leak them: a
// tool output (cat .env, kubectl, curl -v), a command the agent runs, a file it
// writes, or a user message with a pasted snippet.
func (t *transcript) secretStep(kind string) rich {
	r := t.r
	sh := showSecret(r, kind)
	switch {
	case sh.style == "shell" && r.IntN(2) == 0:
		return t.user(cat("I ran this and got "+pick(r, "a 401", "an error", "nothing back")+":\n\n```\n", sh.holder(), "```\n\nwhat am I doing wrong?"))
	case sh.style == "shell":
		return t.toolStep("bash", sh.cmd, nil, sh.out, pick(r, assistantNotes[:7]...))
	case r.IntN(5) == 0:
		return t.user(cat(pick(r, "Here's my config:", "This is what the file looks like:", "Output of "+sh.cmd.String()+":")+"\n```"+sh.lang+"\n", sh.out, "```\n"+pick(r, "Why is it not picked up?", "Is this right?", "Can you add it to the deployment?")))
	case sh.path != "" && sh.style != "file" && r.IntN(4) == 0:
		return t.toolStep("write", cat(sh.path), sh.out, nil, "I'll write the configuration file.")
	}
	return t.toolStep("bash", sh.cmd, nil, sh.out, pick(r, assistantNotes[:7]...))
}

// Transcripts returns exactly size bytes of a JSONL agent transcript (each line one
// JSON object): alternating sessions in OpenAI chat-message form (system/user/assistant
// messages, tool_calls whose "arguments" is a JSON string, "role":"tool" results) and
// Claude Code session form ({"type":"user"|"assistant","message":{...}} with tool_use
// and tool_result blocks). A secret is planted about every 20 KB. The transcript ends
// with a {"type":"summary"} line padded to hit size exactly (for size below about
// 40 bytes the last line may be a bare "{}" padded with spaces).
func Transcripts(size int, seed uint64) ([]byte, []Planted) {
	if size <= 0 {
		return []byte{}, nil
	}
	r := newRand(seed, streamTranscript)
	kc := &kindCycle{r: r}
	var o out
	const tailRoom = 128
	nextSecret := between(r, 4000, 20000)
	var t *transcript
	steps := 0
	for {
		var l rich
		switch {
		case t == nil || steps == 0:
			t = newTranscript(r)
			steps = between(r, 4, 14)
			l = cat(t.systemPrompt(), t.user(pick(r, userPrompts...)))
		case steps == 1:
			l = t.assistantText(pick(r, assistantNotes[7:]...))
			steps = 0
			t = nil
		case len(o.buf) >= nextSecret:
			l = t.secretStep(kc.next())
			steps--
		default:
			l = t.cleanStep()
			steps--
		}
		if len(o.buf)+l.Len() > size-tailRoom {
			break
		}
		before := len(o.planted)
		o.write(l)
		if len(o.planted) > before {
			nextSecret = len(o.buf) + between(r, 15000, 25000)
		}
	}
	summaryTail(r, &o, size)
	return o.buf, o.planted
}

// summaryTail appends one line that brings o to exactly size bytes.
func summaryTail(r *rand.Rand, o *out, size int) {
	rem := size - len(o.buf)
	if rem <= 0 {
		o.buf = o.buf[:size]
		return
	}
	leaf := randUUID(r)
	head := `{"type":"summary","summary":"`
	tail := `","leafUuid":"` + leaf + `"}` + "\n"
	if rem < len(head)+len(tail)+1 {
		tail = `"}` + "\n"
	}
	if rem < len(head)+len(tail)+1 {
		if rem < 3 {
			o.str(strings.Repeat("\n", rem))
			return
		}
		o.str("{}" + strings.Repeat(" ", rem-3) + "\n")
		return
	}
	n := rem - len(head) - len(tail)
	var b strings.Builder
	for b.Len() < n {
		for _, c := range []byte(expand(r, pick(r, proseSentences...)) + " ") {
			if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
				b.WriteByte(c)
			}
		}
	}
	o.str(head + b.String()[:n] + tail)
}
