package corpus

// Templates for clean text. @{x} placeholders are filled by expand; § is a backtick.
// None of them may contain a credential or a planted-kind prefix.

var proseSentences = []string{
	"The API key is stored in the vault and rotated every @{n} days.",
	"Set max_tokens to @{tokens} so the model stops before it runs out of context.",
	"The token_count field reports how many tokens the prompt used, including the system message.",
	"Our password policy requires at least @{n} characters, one symbol, and no reuse of the last five passwords.",
	"If the secret is missing, the service falls back to anonymous access and logs a warning.",
	"Each request carries an auth header; the gateway validates it before forwarding to the @{noun} service.",
	"The tokenizer splits the input into roughly four characters per token for English text.",
	"We never log the API key itself, only the last four characters and the key ID.",
	"Rotate the signing key before the old one expires, then keep both for a grace period of @{n} hours.",
	"The @{noun} cache uses the request path as its key and evicts entries after @{n} minutes.",
	"Password reset links are valid for @{n} minutes and can be used once.",
	"The secret manager injects credentials at runtime, so nothing sensitive is committed to the repository.",
	"Make sure the token has the repo scope; otherwise the push is rejected with a 403.",
	"The refresh token is exchanged for a new access token when the old one is within @{n} seconds of expiry.",
	"I looked at @{path} and the bug is in how the @{noun} is @{verb}ed after the retry.",
	"Let me run the tests again to confirm the fix.",
	"The failing test is TestParse@{Noun}; it expects an error when the input is empty.",
	"This commit (@{short}) moved the auth middleware in front of the rate limiter.",
	"Primary keys are UUIDs, so the @{noun} table has no sequence to reset.",
	"The response was truncated because it hit the max_tokens limit of @{tokens}.",
	"Use an environment variable for the API key rather than hard-coding it in the source.",
	"The key rotation job runs nightly at @{clock} UTC and pages the on-call engineer if it fails.",
	"Users who forget their password can request a reset from the login page.",
	"Prompt caching reduced input tokens by @{pct} on the long transcripts.",
	"The webhook signature is an HMAC of the body computed with a shared secret; compare it in constant time.",
	"Authentication failed because the clock on @{host} drifted by @{n} seconds.",
	"A foreign key constraint on @{noun}_id prevents deleting the parent row.",
	"The map key is a struct of tenant and region, which keeps lookups allocation-free.",
	"We hash passwords with bcrypt at cost @{n} and store only the hash.",
	"Tokens per second dropped to @{n3} after the deploy, so we rolled back.",
	"The secret scanner flagged nothing in the last @{n4} commits.",
	"I'll update the README so the setup steps mention where the API key comes from.",
	"Keep the key ID in the logs; it identifies the credential without revealing it.",
	"The context window is @{big} tokens, but we budget @{tokens} for the answer.",
	"The auth service returns 401 for an expired token and 403 for a valid token with missing scopes.",
	"Run §go test ./...§ before pushing; CI runs the same command with the race detector.",
	"The config loader reads §@{env}§ from the environment and falls back to the default.",
	"That function already handles the nil @{noun}; the panic comes from the caller.",
	"The job queue uses the idempotency header to drop duplicate deliveries.",
	"Key points: the @{noun} is immutable, the cache is per-tenant, and retries are capped at @{n}.",
	"Secrets are mounted as files under /run/secrets and read once at startup.",
	"The token bucket allows bursts of @{n} requests and refills at @{n} per second.",
	"Please don't paste your password into the chat; use the password manager's share feature instead.",
	"The error message says the API version is too old; bump it to @{date}.",
	"Commit @{sha} fixed the race in the session store.",
	"The image digest is sha256:@{sha256}, which matches the one in the release notes.",
	"I'm going to read @{pyfile} first to see how the client is constructed.",
	"The @{noun} endpoint returned @{status} after @{ms} ms.",
	"Our SSO integration uses OIDC; the client secret lives in the secrets manager, not in this repo.",
	"Token usage for this session: @{n4} input, @{n3} output.",
	"The keyboard shortcut for the command palette is Ctrl+Shift+P.",
	"Public keys are published at the JWKS endpoint and cached for an hour.",
	"Two-factor authentication is required for everyone with write access to the @{repo} repository.",
	"The password field is masked in the UI and excluded from the audit log.",
}

var intlSentences = []string{
	"Le mot de passe doit contenir au moins douze caractères, dont un chiffre et un symbole.",
	"La clé d'API est stockée dans le coffre-fort et n'apparaît jamais dans les journaux.",
	"APIキーは環境変数から読み込まれ、ログには出力されません。",
	"トークン数の上限は@{tokens}です。日本語の文章は英語より多くのトークンを使います。",
	"Das Passwort wird mit bcrypt gehasht; der Schlüssel liegt im Tresor.",
	"Токен обновляется каждые @{n} минут, пароль хранится только в виде хеша.",
	"El token de acceso caduca en una hora; la clave secreta nunca sale del servidor.",
	"密钥轮换每 @{n} 天执行一次，旧密钥保留 @{n} 小时。",
	"Build finished @{emoji} — @{n} tests passed, 0 failed.",
	"Deploy status: @{emoji} staging, @{emoji} production (naïve retry disabled).",
}

var goSnippets = []string{
	`// Key identifies a signing key by its ID and version.
type Key struct {
	ID      string
	Version int
	Created time.Time
}

// Rotate returns a new version of the key. The old version stays valid until
// expiry so that tokens signed with it can still be verified.
func (k *Key) Rotate(now time.Time) *Key {
	return &Key{ID: k.ID, Version: k.Version + 1, Created: now}
}
`,
	`func countTokens(enc *tiktoken.Encoding, messages []Message) int {
	total := 0
	for _, m := range messages {
		total += 4 // every message carries role and separators
		total += len(enc.Encode(m.Content, nil, nil))
	}
	return total + 2
}
`,
	`type Config struct {
	Addr        string        §toml:"addr"§
	MaxTokens   int           §toml:"max_tokens"§
	Timeout     time.Duration §toml:"timeout"§
	APIKeyEnv   string        §toml:"api_key_env"§ // name of the variable holding the key
	SecretsPath string        §toml:"secrets_path"§
}

func (c *Config) apiKey() (string, error) {
	v := os.Getenv(c.APIKeyEnv)
	if v == "" {
		return "", fmt.Errorf("config: %s is not set", c.APIKeyEnv)
	}
	return v, nil
}
`,
	`func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			http.Error(w, "missing bearer token", http.StatusUnauthorized)
			return
		}
		claims, err := s.verifier.Verify(r.Context(), token)
		if err != nil {
			s.log.Warn("token rejected", "err", err, "path", r.URL.Path)
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(withClaims(r.Context(), claims)))
	})
}
`,
	`func Test@{Verb}@{Noun}(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr bool
	}{
		{"empty", "", 0, true},
		{"single", "a", 1, false},
		{"unicode", "日本語", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := @{ident}(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
`,
	`// PasswordPolicy describes the rules a new password must satisfy.
type PasswordPolicy struct {
	MinLength      int
	RequireSymbol  bool
	RequireDigit   bool
	HistorySize    int // how many previous passwords may not be reused
}

func (p PasswordPolicy) Check(password string) error {
	if len(password) < p.MinLength {
		return fmt.Errorf("password must be at least %d characters", p.MinLength)
	}
	if p.RequireDigit && !strings.ContainsAny(password, "0123456789") {
		return errors.New("password must contain a digit")
	}
	return nil
}
`,
	`func (c *Cache) Get(key string) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.entries[key]
	if !ok || time.Since(e.stored) > c.ttl {
		return nil, false
	}
	return e.value, true
}
`,
	`func loadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join("/run/secrets", path))
	if err != nil {
		return nil, fmt.Errorf("read secret %q: %w", path, err)
	}
	return bytes.TrimSpace(b), nil
}
`,
	`package @{pkg}

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// ErrNoToken is returned when the request carries no credentials.
var ErrNoToken = errors.New("@{pkg}: no token")

type TokenSource interface {
	Token(ctx context.Context) (string, time.Time, error)
}
`,
	`func retry(ctx context.Context, attempts int, fn func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(1<<i) * 100 * time.Millisecond):
		}
	}
	return fmt.Errorf("after %d attempts: %w", attempts, err)
}
`,
	`	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s=%v\n", k, m[k])
	}
`,
	`	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/v1/chat/completions", body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
`,
}

var pySnippets = []string{
	`def count_tokens(text: str, model: str = "@{model}") -> int:
    """Return the number of tokens the model would see for text."""
    enc = tiktoken.encoding_for_model(model)
    return len(enc.encode(text))
`,
	`import os

from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])

response = client.chat.completions.create(
    model="@{model}",
    messages=[{"role": "user", "content": prompt}],
    max_tokens=@{tokens},
    temperature=0.2,
)
print(response.usage.total_tokens)
`,
	`class PasswordPolicy:
    min_length = 12
    require_symbol = True

    def validate(self, password: str) -> list[str]:
        errors = []
        if len(password) < self.min_length:
            errors.append(f"password must be at least {self.min_length} characters")
        if self.require_symbol and password.isalnum():
            errors.append("password must contain a symbol")
        return errors
`,
	`def get_secret(name: str) -> str:
    client = boto3.client("secretsmanager", region_name="@{region}")
    resp = client.get_secret_value(SecretId=name)
    return resp["SecretString"]
`,
	`@app.post("/login")
def login(form: LoginForm):
    user = db.get_user(form.username)
    if user is None or not bcrypt.checkpw(form.password.encode(), user.password_hash):
        raise HTTPException(status_code=401, detail="invalid username or password")
    token = issue_token(user.id, ttl=timedelta(hours=1))
    return {"access_token": token, "token_type": "bearer"}
`,
	`    for key, value in sorted(settings.items()):
        if key.lower() in {"password", "secret", "token", "api_key"}:
            value = "***"
        print(f"{key:<24} {value}")
`,
	`Traceback (most recent call last):
  File "/app/@{pyfile}", line @{n3}, in main
    cfg = load_config(args.config)
  File "/app/settings.py", line @{n}, in load_config
    api_key = os.environ["API_KEY"]
  File "/usr/lib/python3.12/os.py", line 714, in __getitem__
    raise KeyError(key) from None
KeyError: 'API_KEY'
`,
	`DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.getenv("DB_NAME", "app"),
        "USER": os.getenv("DB_USER", "app"),
        "PASSWORD": os.getenv("DB_PASSWORD"),
        "HOST": os.getenv("DB_HOST", "localhost"),
        "PORT": "5432",
    }
}
`,
	`def test_@{snake}_rejects_expired_token(client, frozen_time):
    token = make_token(expires_in=-1)
    resp = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    assert resp.json()["detail"] == "token expired"
`,
	`async def stream_completion(messages, *, max_tokens=@{tokens}):
    async with httpx.AsyncClient(timeout=60) as http:
        async with http.stream("POST", URL, json={"model": MODEL, "messages": messages,
                                                  "max_tokens": max_tokens, "stream": True},
                               headers=auth_headers()) as resp:
            async for line in resp.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    yield json.loads(line[6:])
`,
}

var jsSnippets = []string{
	`export async function fetch@{Noun}(id) {
  const res = await fetch(§/api/@{noun}s/${id}§, {
    headers: { Authorization: §Bearer ${getToken()}§ },
  });
  if (!res.ok) throw new Error(§request failed: ${res.status}§);
  return res.json();
}
`,
	`const config = {
  apiBaseUrl: process.env.API_BASE_URL ?? "http://localhost:@{port}",
  apiKey: process.env.API_KEY,
  maxTokens: @{tokens},
  retry: { attempts: 3, backoffMs: 250 },
};
`,
}

var shellSnippets = []string{
	"$ go test ./...\nok  \tgithub.com/@{org}/@{repo}/internal/auth\t@{dur}\nok  \tgithub.com/@{org}/@{repo}/internal/store\t@{dur}\n?   \tgithub.com/@{org}/@{repo}/cmd/server\t[no test files]\nok  \tgithub.com/@{org}/@{repo}/pkg/api\t@{dur}\n",
	"$ git log --oneline -5\n@{short} Fix token refresh race in session store\n@{short} Add password policy checks to signup\n@{short} Bump golang.org/x/net to v0.38.0\n@{short} Redact API keys in debug logs\n@{short} Merge pull request #@{n3} from @{org}/key-rotation\n",
	"$ ls -la @{dir}\ntotal @{n}\ndrwxr-xr-x  2 @{user} staff   4096 Mar  4 10:12 .\ndrwxr-xr-x 11 @{user} staff   4096 Mar  4 10:12 ..\n-rw-r--r--  1 @{user} staff   @{n4} Mar  4 10:12 @{gofile}\n-rw-r--r--  1 @{user} staff   @{n4} Mar  3 18:40 token.go\n-rw-r--r--  1 @{user} staff   @{n4} Mar  3 18:40 token_test.go\n",
	"$ kubectl get pods -n @{repo}\nNAME                          READY   STATUS    RESTARTS   AGE\n@{repo}-@{short}-x2k9p    1/1     Running   0          @{n}h\n@{repo}-@{short}-q8wfz    1/1     Running   1          @{n}h\nredis-0                       1/1     Running   0          @{n}d\n",
	"$ docker pull ghcr.io/@{org}/@{repo}:@{version}\n@{version}: Pulling from @{org}/@{repo}\nDigest: sha256:@{sha256}\nStatus: Downloaded newer image for ghcr.io/@{org}/@{repo}:@{version}\n",
	"$ export @{env}=@{n}\n$ make build\ngo build -trimpath -o bin/server ./cmd/server\n",
	"$ grep -rn \"api_key\" @{dir}\n@{path}:@{n}:\tapiKey := os.Getenv(\"API_KEY\")\n@{path}:@{n3}:\t// the api_key is never logged; see redact.go\n",
	"$ curl -s -o /dev/null -w '%{http_code}\\n' http://localhost:@{port}/healthz\n200\n",
	"$ kubectl create secret generic db-credentials --from-env-file=.env.production -n @{repo}\nsecret/db-credentials created\n",
	"$ cat .env.example\n# copy to .env and fill in\nAPI_KEY=<your-api-key>\nDB_PASSWORD=changeme\nGITHUB_TOKEN=\nMAX_TOKENS=@{tokens}\n",
	"$ @{env}=1 DB_PASSWORD=${DB_PASSWORD} docker compose up -d\n[+] Running 2/2\n ✔ Container @{repo}-db-1   Started\n ✔ Container @{repo}-app-1  Started\n",
	"$ echo \"$GITHUB_TOKEN\" | docker login ghcr.io -u @{user} --password-stdin\nLogin Succeeded\n",
	"$ pip install -r requirements.txt\nCollecting requests==2.32.3\n  Using cached requests-2.32.3-py3-none-any.whl (64 kB)\nCollecting tiktoken>=0.7\n  Downloading tiktoken-0.8.0-cp312-cp312-manylinux_2_17_x86_64.whl (1.2 MB)\nSuccessfully installed requests-2.32.3 tiktoken-0.8.0\n",
	"$ git status\nOn branch fix/token-refresh\nChanges not staged for commit:\n  (use \"git add <file>...\" to update what will be committed)\n\tmodified:   @{path}\n\tmodified:   internal/auth/token_test.go\n",
	"$ go vet ./...\n# github.com/@{org}/@{repo}/internal/store\ninternal/store/@{gofile}:@{n}:2: unreachable code\n",
	"$ aws sts get-caller-identity --profile @{user}\n{\n    \"UserId\": \"@{n4}:@{user}\",\n    \"Account\": \"@{account}\",\n    \"Arn\": \"arn:aws:sts::@{account}:assumed-role/Developer/@{user}\"\n}\n",
}

var logSnippets = []string{
	"@{ts} @{level} auth: token refreshed for user=@{name} expires_in=3600 request_id=@{uuid}\n",
	"@{ts} @{level} http: @{method} /api/v1/@{noun}s status=@{status} duration=@{ms}ms bytes=@{n4}\n",
	"time=@{ts} level=WARN msg=\"api key missing, falling back to anonymous\" component=client\n",
	"time=@{ts} level=INFO msg=\"completion done\" model=@{model} prompt_tokens=@{n4} completion_tokens=@{n3} total_tokens=@{n4}\n",
	"@{ts} ERROR auth: password check failed for user=@{name} attempts=@{n} ip=@{ip}\n",
	"[@{clock}] worker @{host}: job @{uuid} finished in @{dur}\n",
	"@{ts} INFO secrets: loaded @{n} secrets from /run/secrets (values redacted)\n",
	"@{ts} DEBUG http: outgoing request headers: Authorization=[REDACTED] Content-Type=application/json\n",
	"@{ts} DEBUG cache: miss key=user:@{n4}:profile ttl=300s\n",
	"@{ts} WARN rate limit: token bucket empty for tenant=@{org} retry_after=@{n}s\n",
	"@{ts} INFO git: HEAD is now at @{short} (Merge branch 'main' into feature/@{snake})\n",
	"@{ts} INFO openai: request id=@{chatcmpl} model=@{model} max_tokens=@{tokens}\n",
	"@{ts} INFO tool: call_id=@{call} name=run_shell exit_code=0 duration=@{ms}ms\n",
	"@{ts} INFO anthropic: message id=@{msg} stop_reason=end_turn input_tokens=@{n4} output_tokens=@{n3}\n",
	"@{ts} INFO upload complete sha256=@{sha256} size=@{big}\n",
	"@{ts} INFO kms: encrypted data key with key arn:aws:kms:@{region}:@{account}:key/@{uuid}\n",
	"@{ts} ERROR auth: invalid token signature (kid=@{uuid}) path=/api/v1/@{noun}s\n",
	"@{ts} INFO i18n: loaded locale ja-JP: 「@{intl}」\n",
}

var markdownSnippets = []string{
	"## Configuration\n\nThe service reads its settings from environment variables:\n\n| Variable | Description | Default |\n|---|---|---|\n| §API_KEY§ | API key used to authenticate outgoing requests | (required) |\n| §MAX_TOKENS§ | Upper bound on tokens per completion | §@{tokens}§ |\n| §@{env}§ | See below | §@{n}§ |\n| §DB_PASSWORD§ | Database password, read from the secret store | — |\n\nNever commit real keys; use a §.env§ file that is listed in §.gitignore§.\n",
	"### Authentication\n\nSend your token in the §Authorization§ header as §Bearer <token>§:\n\n§§§bash\ncurl -H \"Authorization: Bearer $API_TOKEN\" https://api.@{domain}/v1/@{noun}s\n§§§\n\nTokens expire after one hour. Use the refresh endpoint to obtain a new one.\n",
	"# @{repo}\n\nA small service that @{verb}s @{noun}s for the @{org} platform.\n\n## Getting started\n\n1. Copy §.env.example§ to §.env§ and fill in the API key.\n2. Run §make dev§.\n3. Open http://localhost:@{port}.\n\n> **Note**: the API key is only needed for the integration tests.\n",
	"## Changelog\n\n### @{version} (@{date})\n\n- Rotate signing keys without downtime (#@{n3})\n- Redact secrets in debug logs (#@{n3})\n- Fix: password reset emails were sent twice\n- Bump max_tokens default to @{tokens}\n",
	"- [x] Move the API key to the secret manager\n- [x] Add token_count to the usage report\n- [ ] Enforce the new password policy for admins\n- [ ] Document key rotation @{emoji}\n",
	"## Security\n\nIf you find a vulnerability, do not open an issue. Email security@@{domain} instead.\nWe rotate all keys and tokens that may have been exposed and publish an advisory.\n",
	"### Example request\n\n§§§json\n{\n  \"model\": \"@{model}\",\n  \"max_tokens\": @{tokens},\n  \"messages\": [{\"role\": \"user\", \"content\": \"Summarize the incident report.\"}]\n}\n§§§\n",
}

var yamlSnippets = []string{
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: @{repo}\n  labels:\n    app.kubernetes.io/name: @{repo}\nspec:\n  replicas: @{n}\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/@{org}/@{repo}@sha256:@{sha256}\n          env:\n            - name: @{env}\n              value: \"@{n}\"\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db-credentials\n                  key: password\n            - name: API_KEY\n              valueFrom:\n                secretKeyRef:\n                  name: api-credentials\n                  key: api-key\n",
	"services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      POSTGRES_DB: app\n  app:\n    build: .\n    env_file: .env\n    ports:\n      - \"@{port}:@{port}\"\n",
	"jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-go@v5\n        with:\n          go-version: '1.26'\n      - run: go test ./...\n        env:\n          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n",
}
