package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var (
	firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "oscar", "peggy", "trent", "victor", "walter", "maria", "kenji", "amara", "lucas", "noor"}
	userNames  = []string{"alice", "bkowalski", "cchen", "dev-bot", "jdoe", "mgarcia", "ops", "kenji.sato", "amara-o", "lwagner", "ci-runner", "release-bot"}
	orgs       = []string{"acme", "northwind", "globex", "initech", "hooli", "umbrella-labs", "contoso", "tailspin"}
	repoNames  = []string{"billing-api", "web-frontend", "infra", "data-pipeline", "payments", "auth-service", "search-indexer", "mobile-app", "platform-tools", "docs-site"}
	domains    = []string{"acme.io", "northwind.dev", "globex.com", "initech.net", "contoso.cloud", "tailspin.app"}
	hosts      = []string{"api-7f9c", "worker-2", "ip-10-0-3-17", "db-primary", "cache-01", "build-agent-4", "web-5d8b9", "ingest-0"}
	goFiles    = []string{"server.go", "handler.go", "config.go", "auth.go", "token.go", "store.go", "middleware.go", "client.go", "retry.go", "cache.go", "main.go", "session.go"}
	pyFiles    = []string{"app.py", "settings.py", "models.py", "tasks.py", "client.py", "utils.py", "auth.py", "tokenizer.py", "views.py", "cli.py"}
	dirs       = []string{"internal/auth", "internal/store", "cmd/server", "pkg/api", "src/app", "services/billing", "scripts", "web/src/lib", "internal/tokenizer", "deploy"}
	goPkgs     = []string{"auth", "store", "api", "config", "session", "cache", "tokenizer", "retry", "billing", "server"}
	nouns      = []string{"request", "session", "user", "order", "invoice", "account", "report", "job", "event", "message", "record", "payload", "schema", "cluster", "pipeline", "deployment", "node", "queue", "bucket", "tenant", "webhook", "widget", "config", "cache", "key", "token", "secret", "permission"}
	verbs      = []string{"load", "parse", "validate", "fetch", "store", "refresh", "rotate", "resolve", "encode", "decode", "merge", "sync", "render", "retry", "flush", "build", "check", "list"}
	models     = []string{"gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini", "claude-sonnet-4-20250514", "claude-3-5-haiku-20241022", "claude-opus-4-1-20250805"}
	levels     = []string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}
	regions    = []string{"us-east-1", "eu-west-1", "eu-central-1", "ap-northeast-1", "us-west-2"}
	benignEnvs = []string{"LOG_LEVEL", "PORT", "GOFLAGS", "NODE_ENV", "RUST_BACKTRACE", "TZ", "PYTHONUNBUFFERED", "GOMAXPROCS", "HTTP_TIMEOUT", "FEATURE_FLAGS", "APP_ENV", "CGO_ENABLED"}
	intl       = []string{
		"Café résumé naïve façade", "日本語のドキュメントを更新しました", "Привет, мир", "Größe der Datei überschritten",
		"señal recibida — reintentando", "设置已保存", "한국어 번역 추가", "Ελληνικά κείμενα", "zażółć gęślą jaźń",
		"ok ✅ all checks passed", "🚀 deployed to staging", "⚠️ deprecated flag", "naïve datetime → aware", "°C ± 0.5 µs",
	}
	emoji = []string{"🚀", "✅", "❌", "⚠️", "🔥", "🎉", "👀", "🐛", "📦", "🔒"}
)

// sticky placeholders keep one value within a template, so that a snippet names the
// same repository, path or version throughout.
var sticky = map[string]bool{
	"org": true, "repo": true, "path": true, "dir": true, "version": true, "user": true, "host": true,
	"domain": true, "pkg": true, "gofile": true, "pyfile": true, "model": true, "env": true,
	"region": true, "account": true, "name": true, "Name": true,
}

// expand replaces @{name} placeholders with random values; § stands for a backtick.
func expand(r *rand.Rand, t string) string {
	var b strings.Builder
	var memo map[string]string
	for {
		i := strings.Index(t, "@{")
		if i < 0 {
			b.WriteString(t)
			break
		}
		b.WriteString(t[:i])
		j := strings.IndexByte(t[i:], '}')
		name := t[i+2 : i+j]
		v, ok := memo[name]
		if !ok {
			v = fill(r, name)
			if sticky[name] {
				if memo == nil {
					memo = map[string]string{}
				}
				memo[name] = v
			}
		}
		b.WriteString(v)
		t = t[i+j+1:]
	}
	return strings.ReplaceAll(b.String(), "§", "`")
}

func fill(r *rand.Rand, name string) string {
	switch name {
	case "n":
		return fmt.Sprint(between(r, 2, 99))
	case "n3":
		return fmt.Sprint(between(r, 100, 999))
	case "n4":
		return fmt.Sprint(between(r, 1000, 9999))
	case "big":
		return fmt.Sprint(between(r, 10000, 999999))
	case "tokens":
		return fmt.Sprint(pick(r, 256, 512, 1024, 2048, 4096, 8192, 16384))
	case "port":
		return fmt.Sprint(pick(r, 80, 443, 3000, 5432, 6379, 8000, 8080, 8443, 9090, 9200))
	case "uuid":
		return randUUID(r)
	case "sha":
		return randSHA(r)
	case "short":
		return randFrom(r, hexChars, 7)
	case "sha256":
		return randSHA256(r)
	case "chatcmpl":
		return chatcmplID(r)
	case "call":
		return callID(r)
	case "toolu":
		return tooluID(r)
	case "msg":
		return msgID(r)
	case "req":
		return reqID(r)
	case "name":
		return pick(r, firstNames...)
	case "Name":
		n := pick(r, firstNames...)
		return strings.ToUpper(n[:1]) + n[1:]
	case "user":
		return pick(r, userNames...)
	case "org":
		return pick(r, orgs...)
	case "repo":
		return pick(r, repoNames...)
	case "domain":
		return pick(r, domains...)
	case "host":
		return pick(r, hosts...)
	case "ip":
		return fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), between(r, 1, 254))
	case "gofile":
		return pick(r, goFiles...)
	case "pyfile":
		return pick(r, pyFiles...)
	case "dir":
		return pick(r, dirs...)
	case "path":
		return pick(r, dirs...) + "/" + pick(r, goFiles...)
	case "pkg":
		return pick(r, goPkgs...)
	case "noun":
		return pick(r, nouns...)
	case "verb":
		return pick(r, verbs...)
	case "Verb":
		v := pick(r, verbs...)
		return strings.ToUpper(v[:1]) + v[1:]
	case "Noun":
		v := pick(r, nouns...)
		return strings.ToUpper(v[:1]) + v[1:]
	case "ident":
		v := pick(r, nouns...)
		return pick(r, verbs...) + strings.ToUpper(v[:1]) + v[1:]
	case "snake":
		return pick(r, verbs...) + "_" + pick(r, nouns...)
	case "date":
		return fmt.Sprintf("2025-%02d-%02d", between(r, 1, 12), between(r, 1, 28))
	case "ts":
		return timestamp(r)
	case "clock":
		return fmt.Sprintf("%02d:%02d:%02d", r.IntN(24), r.IntN(60), r.IntN(60))
	case "dur":
		return fmt.Sprintf("%d.%03ds", r.IntN(5), r.IntN(1000))
	case "ms":
		return fmt.Sprint(between(r, 1, 2500))
	case "model":
		return pick(r, models...)
	case "level":
		return pick(r, levels...)
	case "method":
		return pick(r, "GET", "GET", "POST", "PUT", "DELETE", "PATCH")
	case "status":
		return fmt.Sprint(pick(r, 200, 200, 200, 201, 204, 304, 400, 401, 403, 404, 429, 500, 502))
	case "region":
		return pick(r, regions...)
	case "intl":
		return pick(r, intl...)
	case "emoji":
		return pick(r, emoji...)
	case "env":
		return pick(r, benignEnvs...)
	case "pct":
		return fmt.Sprintf("%d.%d%%", r.IntN(100), r.IntN(10))
	case "float":
		return fmt.Sprintf("%.2f", r.Float64())
	case "version":
		return fmt.Sprintf("v%d.%d.%d", r.IntN(3), r.IntN(30), r.IntN(20))
	case "account":
		return fmt.Sprintf("%d%011d", between(r, 1, 9), r.Int64N(1e11))
	}
	panic("corpus: unknown placeholder " + name)
}
