#!/usr/bin/env bash
# The whole test suite, on a fresh machine: what README.md calls the test
# command and what .ci/run runs. It installs what the tests need: Debian's
# aws CLI v2 (the tests drive barge with the real CLIs as users do).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/aws ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing Debian's awscli (aws CLI v2) for the CLI tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null \
    || echo "could not install awscli: the v2 CLI test will be skipped"
fi

FUZZTIME=${FUZZTIME:-10s}

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== build"
go build -o bin/barge ./cmd/barge

echo "== go test"
go test -count=1 ./...

echo "== fuzz (each target for $FUZZTIME)"
# Every Fuzz* target in the tree, run briefly: a crash fails the suite.
for f in $(grep -rl --include='*_test.go' '^func Fuzz' .); do
  pkg=./$(dirname "${f#./}")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    echo "-- $pkg $target"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" "$pkg"
  done
done

echo "== all tests passed"
