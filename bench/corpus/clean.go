package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// CleanMixed returns exactly size bytes of realistic mixed text (prose, Go, Python and
// JavaScript code, JSON tool output, shell sessions, log lines, YAML, markdown) with
// no credential in it. The words key, token, secret, password, auth and api appear
// often, as do UUIDs, git SHAs, sha256 digests, chatcmpl-/call_/toolu_ ids, non-ASCII
// text and a few invalid UTF-8 bytes. The last fragment is cut at size, possibly in
// the middle of a word or of a UTF-8 sequence.
func CleanMixed(size int, seed uint64) []byte {
	if size <= 0 {
		return []byte{}
	}
	r := newRand(seed, streamClean)
	buf := make([]byte, 0, size+4096)
	for len(buf) < size {
		buf = append(buf, cleanFragment(r)...)
	}
	return buf[:size]
}

// cleanFragment returns one self-contained clean fragment ending in a newline.
func cleanFragment(r *rand.Rand) string {
	var s string
	switch w := r.IntN(100); {
	case w < 22:
		s = paragraph(r)
	case w < 34:
		s = expand(r, pick(r, goSnippets...))
		if r.IntN(3) == 0 {
			s = "§§§go\n" + s + "§§§\n"
			s = strings.ReplaceAll(s, "§", "`")
		}
	case w < 44:
		s = expand(r, pick(r, pySnippets...))
	case w < 47:
		s = expand(r, pick(r, jsSnippets...))
	case w < 61:
		s = cleanJSON(r)
	case w < 72:
		s = expand(r, pick(r, shellSnippets...))
	case w < 82:
		var b strings.Builder
		for i := between(r, 2, 8); i > 0; i-- {
			b.WriteString(expand(r, pick(r, logSnippets...)))
		}
		s = b.String()
	case w < 90:
		s = expand(r, pick(r, markdownSnippets...))
	case w < 94:
		s = expand(r, pick(r, yamlSnippets...))
	case w < 99:
		s = gitDiff(r)
	default:
		s = binaryNoise(r)
	}
	return s + "\n"
}

func paragraph(r *rand.Rand) string {
	var b strings.Builder
	for i := between(r, 2, 6); i > 0; i-- {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if r.IntN(8) == 0 {
			b.WriteString(expand(r, pick(r, intlSentences...)))
		} else {
			b.WriteString(expand(r, pick(r, proseSentences...)))
		}
	}
	b.WriteByte('\n')
	return b.String()
}

// binaryNoise is a log line that quotes a few raw bytes, some of them invalid UTF-8.
func binaryNoise(r *rand.Rand) string {
	bad := pick(r, "\xff\xfe", "\xc3\x28", "\xe6\x97", "\x80\x81", "\xf0\x9f\x98", "\xed\xa0\x80")
	switch r.IntN(3) {
	case 0:
		return expand(r, "@{ts} WARN decode: invalid UTF-8 in field \"@{noun}\" at offset @{n3}: \""+bad+"\"\n")
	case 1:
		return expand(r, "$ head -c 64 data/@{noun}.bin | strings -n 3\n"+"PK\x03\x04"+bad+"mimetype"+bad+"\n")
	}
	return expand(r, "@{noun} name: caf"+bad+" (latin-1 input, expected UTF-8)\n")
}

func gitDiff(r *rand.Rand) string {
	return expand(r, "$ git diff @{path}\ndiff --git a/@{path} b/@{path}\nindex @{short}..@{short} 100644\n--- a/@{path}\n+++ b/@{path}\n@@ -@{n},7 +@{n},9 @@ func (s *Store) Refresh(ctx context.Context, id string) (*Token, error) {\n \ttok, err := s.load(ctx, id)\n \tif err != nil {\n \t\treturn nil, err\n \t}\n-\tif tok.Expired() {\n+\tif tok.ExpiresWithin(s.skew) {\n+\t\ts.log.Debug(\"refreshing token\", \"key_id\", tok.KeyID)\n \t\treturn s.issue(ctx, tok.Subject)\n \t}\n")
}

// cleanJSON returns a JSON document like the ones tools and APIs print.
func cleanJSON(r *rand.Rand) string {
	enc := pick(r, jCompact, jPython, jPretty, jPretty)
	return enc.encode(cleanJSONValue(r)).String() + "\n"
}

func cleanJSONValue(r *rand.Rand) jObj {
	switch r.IntN(9) {
	case 0:
		return openAIResponse(r, expand(r, pick(r, proseSentences...)))
	case 1:
		in, out := between(r, 200, 90000), between(r, 20, 4000)
		return jObj{
			{"id", msgID(r)}, {"type", "message"}, {"role", "assistant"}, {"model", pick(r, models[4:]...)},
			{"content", jArr{jObj{{"type", "text"}, {"text", expand(r, pick(r, proseSentences...))}}}},
			{"stop_reason", "end_turn"}, {"stop_sequence", jRaw("null")},
			{"usage", jObj{{"input_tokens", in}, {"output_tokens", out}, {"cache_read_input_tokens", r.IntN(in)}}},
		}
	case 2:
		return jObj{
			{"sha", randSHA(r)},
			{"commit", jObj{
				{"author", jObj{{"name", fill(r, "Name") + " " + pick(r, "Okafor", "Müller", "Sato", "García", "Novak", "Lindqvist")}, {"date", timestamp(r)}}},
				{"message", pick(r, "Rotate API key usage to the secret manager", "Fix token refresh race", "Add password strength meter ✨", "docs: explain key rotation", "Bump max_tokens default")},
				{"tree", jObj{{"sha", randSHA(r)}}},
			}},
			{"html_url", "https://github.com/" + pick(r, orgs...) + "/" + pick(r, repoNames...) + "/commit/" + randSHA(r)},
			{"parents", jArr{jObj{{"sha", randSHA(r)}}}},
		}
	case 3:
		return jObj{
			{"max_tokens", fillInt(r, "tokens")}, {"temperature", jRaw(fill(r, "float"))},
			{"auth", jObj{{"type", pick(r, "oauth2", "api_key", "none")}, {"token_url", "https://auth." + pick(r, domains...) + "/oauth/token"}, {"scopes", jArr{"read:" + pick(r, nouns...), "write:" + pick(r, nouns...)}}}},
			{"api", jObj{{"base_url", "https://api." + pick(r, domains...) + "/v1"}, {"version", fill(r, "date")}, {"api_key_env", "API_KEY"}}},
			{"password_policy", jObj{{"min_length", between(r, 10, 16)}, {"require_symbol", jRaw("true")}, {"max_age_days", 90}}},
			{"secrets", jObj{{"provider", pick(r, "vault", "aws-secrets-manager", "sops")}, {"path", "secret/data/" + pick(r, repoNames...)}}},
		}
	case 4:
		return jObj{
			{"name", "@" + pick(r, orgs...) + "/" + pick(r, repoNames...)}, {"version", strings.TrimPrefix(fill(r, "version"), "v")}, {"private", jRaw("true")},
			{"scripts", jObj{{"build", "tsc -p ."}, {"test", "vitest run"}, {"lint", "eslint ."}}},
			{"dependencies", jObj{{"openai", "^4.77.0"}, {"jsonwebtoken", "^9.0.2"}, {"zod", "^3.24.1"}}},
		}
	case 5:
		return jObj{
			{"apiVersion", "v1"}, {"kind", "Pod"},
			{"metadata", jObj{{"name", pick(r, repoNames...) + "-" + randFrom(r, hexChars, 10)}, {"namespace", pick(r, repoNames...)}, {"uid", randUUID(r)}}},
			{"spec", jObj{{"containers", jArr{jObj{{"name", "app"}, {"image", "ghcr.io/" + pick(r, orgs...) + "/" + pick(r, repoNames...) + "@sha256:" + randSHA256(r)},
				{"env", jArr{
					jObj{{"name", pick(r, benignEnvs...)}, {"value", fill(r, "n")}},
					jObj{{"name", "DB_PASSWORD"}, {"valueFrom", jObj{{"secretKeyRef", jObj{{"name", "db-credentials"}, {"key", "password"}}}}}},
				}}}}}}},
			{"status", jObj{{"phase", "Running"}, {"podIP", fill(r, "ip")}}},
		}
	case 6:
		return jObj{
			{"request_id", randUUID(r)}, {"trace_id", randFrom(r, hexChars, 32)},
			{"usage", jObj{{"prompt_tokens", between(r, 10, 9000)}, {"completion_tokens", between(r, 1, 2000)}, {"token_count", between(r, 10, 11000)}}},
			{"note", pick(r, intl...)},
		}
	case 7:
		return jObj{
			{"Id", "sha256:" + randSHA256(r)},
			{"RepoDigests", jArr{"ghcr.io/" + pick(r, orgs...) + "/" + pick(r, repoNames...) + "@sha256:" + randSHA256(r)}},
			{"Config", jObj{{"Env", jArr{"PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "GOLANG_VERSION=1.26.1", pick(r, benignEnvs...) + "=" + fill(r, "n")}}, {"WorkingDir", "/app"}}},
		}
	default:
		return jObj{
			{"tool_call_id", callID(r)}, {"name", pick(r, "read_file", "run_shell", "search", "list_dir")},
			{"arguments", jCompact.encode(jObj{{"path", fill(r, "path")}, {"max_bytes", 65536}})},
			{"result", jObj{{"ok", jRaw("true")}, {"bytes", between(r, 100, 60000)}, {"sha256", randSHA256(r)}}},
		}
	}
}

func fillInt(r *rand.Rand, name string) int {
	var n int
	fmt.Sscan(fill(r, name), &n)
	return n
}

func openAIResponse(r *rand.Rand, content any) jObj {
	p, c := between(r, 50, 12000), between(r, 5, 1500)
	return jObj{
		{"id", chatcmplID(r)}, {"object", "chat.completion"}, {"created", unixTime(r)}, {"model", pick(r, "gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14")},
		{"choices", jArr{jObj{{"index", 0}, {"message", jObj{{"role", "assistant"}, {"content", content}, {"refusal", jRaw("null")}}}, {"logprobs", jRaw("null")}, {"finish_reason", "stop"}}}},
		{"usage", jObj{{"prompt_tokens", p}, {"completion_tokens", c}, {"total_tokens", p + c}}},
		{"system_fingerprint", "fp_" + randFrom(r, hexChars, 10)},
	}
}
