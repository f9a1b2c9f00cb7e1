#!/usr/bin/env bash
# The project's test command: formatting, vet, the race-enabled test suite, and a
# short smoke run of every fuzz target. README and .ci/run both call this.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-8s}"

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

echo "== fuzz smoke ($fuzztime each)"
fuzz() { go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1"; }
fuzz ./scanner FuzzScan
fuzz ./scanner FuzzWriterChunking
fuzz ./scanner FuzzJSONView
fuzz ./rules FuzzParse
fuzz ./vault FuzzParse
echo "all checks passed"
