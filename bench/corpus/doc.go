// Package corpus generates deterministic benchmark and test corpora for scrubgate:
// realistic LLM traffic (prose, Go/Python/JS code, JSON tool output, shell and log lines,
// markdown, OpenAI and Claude Code style JSONL transcripts) with and without planted
// credentials.
//
// Every generator takes a seed and draws from a math/rand/v2 PCG source, so the same
// seed always yields the same bytes. Nothing is read from disk or the environment.
//
//   - CleanMixed(size, seed) is exactly size bytes of text containing no credential.
//     It is deliberately full of hard negatives: the words key, token, secret, password,
//     auth and api in prose, identifiers and JSON field names ("max_tokens": 1024,
//     token_count, func (k *Key) ...), environment-variable references
//     (os.environ["OPENAI_API_KEY"], ${DB_PASSWORD}, $GITHUB_TOKEN), placeholders
//     (<token>, [REDACTED], changeme), file paths, UUIDs, git SHAs, sha256 digests,
//     chatcmpl-/call_/toolu_ ids, non-ASCII text and a few invalid UTF-8 bytes.
//   - SecretDense(size, seed) is CleanMixed-like text with a planted secret about every
//     300 bytes, each on its own line(s) in a natural context.
//   - Transcripts(size, seed) is a JSONL agent transcript with a planted secret about
//     every 20 KB. Planted spans are raw byte offsets into the JSONL, so a secret whose
//     characters JSON escapes (a PEM block's newlines) is covered in its escaped form.
//   - PlantedCorpus(seed) is a set of small documents (.env files, YAML, shell logs,
//     markdown, Python/JS source, JSON config, OpenAI requests, JSONL transcripts) in
//     which every kind in Kinds() is planted at least twice.
//
// A Planted span covers exactly the secret value, never its context (the variable
// name, "Bearer ", the quotes, the user name of a URL). Random bodies are checked to
// look random: no runs of four equal or consecutive characters, no "example", "test",
// "fake", "xxxx", and no other kind's prefix inside them.
package corpus
