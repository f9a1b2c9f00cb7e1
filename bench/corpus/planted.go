package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// shape renders one small document around secrets of the given kinds.
type shape struct {
	name   string
	ext    string
	format string
	// fits reports whether a secret of kind can appear naturally in this shape.
	fits   func(kind string) bool
	render func(r *rand.Rand, kinds []string) rich
}

func hasStyle(kind string, styles ...string) bool {
	for _, s := range snips(kind) {
		for _, st := range styles {
			if s.style == st {
				return true
			}
		}
	}
	return false
}

func always(string) bool { return true }

func hasPair(kind string) bool { return kindSpecs[kind].pair != nil }

var shapes = []shape{
	{"openai-request", ".json", "json", always, renderOpenAIRequest},
	{"transcript", ".jsonl", "jsonl", always, renderTranscript},
	{"shell-log", ".log", "text", always, renderShellLog},
	{"dotenv", ".env", "text", hasPair, renderDotenv},
	{"k8s", ".yaml", "text", func(k string) bool { return hasPair(k) || k == KindBase64Wrapped }, renderK8s},
	{"docker-compose", ".yml", "text", hasPair, renderCompose},
	{"readme", ".md", "text", always, renderMarkdown},
	{"source", ".py", "text", func(k string) bool { return hasStyle(k, "python") }, renderPython},
	{"source", ".js", "text", func(k string) bool { return hasStyle(k, "js") }, renderJS},
	{"config", ".json", "json", func(k string) bool { return hasStyle(k, "json") }, renderJSONConfig},
}

// PlantedCorpus returns many small documents in varied shapes (OpenAI chat request
// JSON, JSONL transcripts, shell logs, .env files, Kubernetes and docker-compose YAML,
// markdown with code fences, Python and JavaScript source, JSON config). Every kind in
// Kinds() is planted in at least three documents of different shapes; some documents
// hold several secrets and some hold none.
func PlantedCorpus(seed uint64) []Doc {
	r := newRand(seed, streamPlanted)
	var docs []Doc
	add := func(sh shape, kinds []string) {
		data, planted := flatten(sh.render(r, kinds))
		docs = append(docs, Doc{
			Name:    fmt.Sprintf("%03d-%s%s", len(docs), sh.name, sh.ext),
			Format:  sh.format,
			Data:    data,
			Planted: planted,
		})
	}
	for _, kind := range allKinds {
		var fit []shape
		for _, sh := range shapes {
			if sh.fits(kind) {
				fit = append(fit, sh)
			}
		}
		r.Shuffle(len(fit), func(i, j int) { fit[i], fit[j] = fit[j], fit[i] })
		for _, sh := range fit[:min(3, len(fit))] {
			add(sh, []string{kind})
		}
	}
	// Documents with several secrets of different kinds.
	for i := 0; i < 8; i++ {
		sh := shapes[r.IntN(len(shapes))]
		var kinds []string
		for len(kinds) < between(r, 2, 4) {
			k := pick(r, allKinds...)
			if sh.fits(k) {
				kinds = append(kinds, k)
			}
		}
		add(sh, kinds)
	}
	// Clean documents: the same shapes with no secret.
	for _, sh := range shapes {
		add(sh, nil)
	}
	return docs
}

func renderOpenAIRequest(r *rand.Rand, kinds []string) rich {
	msgs := jArr{jObj{{"role", "system"}, {"content", "You are a helpful assistant for a DevOps team. Answer concisely."}}}
	if r.IntN(2) == 0 {
		msgs = append(msgs, jObj{{"role", "user"}, {"content", pick(r, userPrompts...)}}, jObj{{"role", "assistant"}, {"content", expand(r, pick(r, proseSentences...))}})
	}
	var content rich
	for _, k := range kinds {
		sh := showSecret(r, k)
		content = cat(content, pick(r, "Here is the relevant part:", "This is what I have:", "My setup:")+"\n```"+sh.lang+"\n", sh.holder(), "```\n")
	}
	content = cat(content, pick(r, "Why does the request fail with 401?", "Can you turn this into a Kubernetes manifest?", "Is anything wrong with this config?", "Summarize what this does."))
	msgs = append(msgs, jObj{{"role", "user"}, {"content", content}})
	req := jObj{{"model", pick(r, models[:4]...)}, {"messages", msgs}, {"max_tokens", fillInt(r, "tokens")}, {"temperature", jRaw(fill(r, "float"))}}
	if r.IntN(2) == 0 {
		req = append(req, jKV{"stream", jRaw("true")})
	}
	return cat(pick(r, jPretty, jCompact, jPython).encode(req), "\n")
}

func renderTranscript(r *rand.Rand, kinds []string) rich {
	t := newTranscript(r)
	l := cat(t.systemPrompt(), t.user(pick(r, userPrompts...)))
	for i := between(r, 0, 2); i > 0; i-- {
		l = cat(l, t.cleanStep())
	}
	for _, k := range kinds {
		l = cat(l, t.secretStep(k))
		if r.IntN(2) == 0 {
			l = cat(l, t.cleanStep())
		}
	}
	return cat(l, t.assistantText(pick(r, assistantNotes[7:]...)))
}

func renderShellLog(r *rand.Rand, kinds []string) rich {
	var l rich
	if r.IntN(2) == 0 {
		l = cat(expand(r, pick(r, shellSnippets...)))
	}
	for _, k := range kinds {
		l = cat(l, showSecret(r, k).terminal())
		if r.IntN(2) == 0 {
			l = cat(l, expand(r, pick(r, shellSnippets...)))
		}
	}
	if len(kinds) == 0 {
		l = cat(l, expand(r, pick(r, shellSnippets...)), expand(r, pick(r, shellSnippets...)))
	}
	return l
}

func renderDotenv(r *rand.Rand, kinds []string) rich {
	l := cat(benignEnvLines(r, between(r, 1, 4)))
	for _, k := range kinds {
		s, _ := pickSnip(r, k, "env")
		l = cat(l, ensureNL(s.f(r)), benignEnvLines(r, between(r, 0, 2)))
	}
	return l
}

// yamlValue renders v as a YAML value at the given indentation (a block scalar when
// it has several lines).
func yamlValue(r *rand.Rand, v rich, ind string) rich {
	if strings.Contains(v.String(), "\n") {
		return cat("|\n"+ind+"  ", indent(v, ind+"  "), "\n")
	}
	if r.IntN(2) == 0 {
		return cat("\"", v, "\"\n")
	}
	return cat(v, "\n")
}

func renderK8s(r *rand.Rand, kinds []string) rich {
	app := pick(r, repoNames...)
	var env, docs, data rich
	for _, k := range kinds {
		if ks := kindSpecs[k]; ks.strict {
			n, v := ks.pair(r)
			data = cat(data, "  "+n+": ", yamlValue(r, v, "  "))
			continue
		}
		if ks := kindSpecs[k]; ks.pair != nil {
			n, v := ks.pair(r)
			env = cat(env, "            - name: "+n+"\n              value: ", yamlValue(r, v, "              "))
			continue
		}
		s, _ := pickSnip(r, k, "yaml")
		docs = cat(docs, "---\n", s.f(r))
	}
	if len(data) > 0 {
		docs = cat(docs, "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: "+app+"-env\ntype: Opaque\nstringData:\n", data)
		env = cat(env, "          envFrom:\n            - secretRef:\n                name: "+app+"-env\n")
	}
	dep := cat(expand(r, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "+app+"\n  labels:\n    app.kubernetes.io/name: "+app+"\nspec:\n  replicas: @{n}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: "+app+"\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: "+app+"\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/@{org}/"+app+":@{version}\n          ports:\n            - containerPort: @{port}\n          env:\n            - name: LOG_LEVEL\n              value: info\n"), env)
	if len(env) == 0 && len(docs) > 0 {
		return docs[1:] // drop the leading "---\n"
	}
	return cat(dep, docs)
}

func renderCompose(r *rand.Rand, kinds []string) rich {
	l := cat(expand(r, "services:\n  app:\n    image: ghcr.io/@{org}/@{repo}:@{version}\n    ports:\n      - \"@{port}:@{port}\"\n    depends_on:\n      - db\n    environment:\n      LOG_LEVEL: info\n"))
	for _, k := range kinds {
		n, v := kindSpecs[k].pair(r)
		l = cat(l, "      "+n+": ", yamlValue(r, v, "      "))
	}
	return cat(l, "  db:\n    image: postgres:16-alpine\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata:\n")
}

func renderMarkdown(r *rand.Rand, kinds []string) rich {
	l := cat(expand(r, pick(r, "# Debugging notes\n\n", "## Incident @{date}: staging outage\n\n", "# Setup\n\n", "### Bug report\n\n")), paragraph(r), "\n")
	for _, k := range kinds {
		sh := showSecret(r, k)
		l = cat(l, pick(r, "Steps to reproduce:", "Current configuration:", "What I ran:", "Relevant output:")+"\n\n```"+sh.lang+"\n", sh.holder(), "```\n\n")
	}
	if len(kinds) == 0 {
		l = cat(l, expand(r, pick(r, markdownSnippets...)))
	}
	return cat(l, paragraph(r))
}

func renderPython(r *rand.Rand, kinds []string) rich {
	l := cat("import os\nimport json\nimport logging\n\nimport requests\n\nlog = logging.getLogger(__name__)\n\n")
	for _, k := range kinds {
		s, _ := pickSnip(r, k, "python")
		l = cat(l, s.f(r), "\n")
	}
	return cat(l, "\n", expand(r, pick(r, pySnippets...)))
}

func renderJS(r *rand.Rand, kinds []string) rich {
	l := cat("\"use strict\";\n\n")
	for _, k := range kinds {
		s, _ := pickSnip(r, k, "js")
		l = cat(l, s.f(r), "\n")
	}
	return cat(l, expand(r, pick(r, jsSnippets...)))
}

func renderJSONConfig(r *rand.Rand, kinds []string) rich {
	doc := jObj{{"name", pick(r, repoNames...)}, {"version", strings.TrimPrefix(fill(r, "version"), "v")}, {"max_tokens", fillInt(r, "tokens")}}
	for _, k := range kinds {
		s, _ := pickSnip(r, k, "json")
		doc = append(doc, s.j(r))
	}
	doc = append(doc, jKV{"logging", jObj{{"level", "info"}, {"format", "json"}}})
	return cat(jPretty.encode(doc), "\n")
}
