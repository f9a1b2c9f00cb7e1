#!/usr/bin/env bash
# The project's test command: formatting, vet, the race-enabled test suite, and a
# short smoke run of every fuzz target. README and .ci/run both call this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Fuzz budgets are execution counts, not durations: Go 1.26's fuzz coordinator can
# report a spurious "context deadline exceeded" when a -fuzztime duration ends while a
# worker is mid-input (golang/go#75804); a count has no deadline to race.
scale="${FUZZSCALE:-1}"

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== pure Go build (CGO_ENABLED=0)"
CGO_ENABLED=0 go build ./...

echo "== go test -race"
go test -race -count=1 ./...

echo "== official SDKs (npm openai, @anthropic-ai/sdk) through the gateway"
if command -v npm >/dev/null 2>&1; then
  (cd e2e/npm && npm ci --no-audit --no-fund --loglevel=error)
  SCRUBGATE_NPM_E2E=1 go test -count=1 -run '^TestNPMSDKs$' ./proxy
else
  echo "npm not found: install Node.js (apt-get install nodejs npm) to run the SDK e2e"; exit 1
fi

echo "== fuzz smoke"
fuzz() { go test -run '^$' -fuzz "^$2\$" -fuzztime "$(( $3 * scale ))x" -timeout 10m "$1"; }
fuzz ./scanner FuzzScan 20000
fuzz ./scanner FuzzWriterChunking 40000
fuzz ./scanner FuzzJSONView 100000
fuzz ./rules FuzzParse 50000
fuzz ./vault FuzzParse 200000
fuzz ./providers/echo FuzzServe 20000
fuzz ./providers/sse FuzzReader 100000
fuzz ./providers FuzzBody 5000
fuzz ./providers FuzzStream 5000
fuzz ./providers FuzzParseTree 50000
fuzz ./ciscan FuzzUTF16 20000
fuzz ./internal/sniff FuzzTarHeader 50000
fuzz ./internal/sniff FuzzUTF16 50000
fuzz ./ciscan FuzzParseBaseline 50000
fuzz ./ciscan FuzzSSE 10000
fuzz ./ciscan FuzzJSONStringIndex 20000
fuzz ./ciscan FuzzGitignore 20000
echo "all checks passed"
