#!/usr/bin/env bash
# barge's reliability suite: attacks and faults that must lose nothing.
#
#   scripts/reliability.sh          the short form (a few minutes)
#   scripts/reliability.sh long     the long form, before a release
#
# It prints the figures that docs/RELIABILITY.md records, each on a line
# starting with FIGURE, and fails if any is out of bounds. Settings (the
# form's defaults in brackets, short / long):
#   FUZZTIME            how long each fuzz target runs            [30s / 10m]
#   BARGE_PREAUTH_CONNS stalled uploads held at once               [1000 / 1000]
#   BARGE_PREAUTH_HOLD  how long they stall (past the 20 s body     [30s / 120s]
#                       deadline, so that rounds of cut-offs are measured too)
set -euo pipefail
cd "$(dirname "$0")/.."

form=${1:-short}
case "$form" in
  short) : "${FUZZTIME:=30s}" "${BARGE_PREAUTH_HOLD:=30s}" ;;
  long)  : "${FUZZTIME:=10m}" "${BARGE_PREAUTH_HOLD:=120s}" ;;
  *) echo "usage: $0 [short|long]" >&2; exit 2 ;;
esac
: "${BARGE_PREAUTH_CONNS:=1000}"
export FUZZTIME BARGE_PREAUTH_CONNS BARGE_PREAUTH_HOLD

echo "== reliability suite ($form form) on $(go version | cut -d' ' -f3), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
go build -o bin/barge ./cmd/barge
export BARGE_BIN=$PWD/bin/barge
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== SigV4 forgery matrix, pre-body refusals, console posts, integer ranges"
go test -count=1 -v -run '^(TestForgeryMatrix|TestRefusedBeforeBody|TestConsolePosts|TestIntegerRanges|TestAttemptDurationOverflow)$' ./cmd/barge >"$log" 2>&1 \
  || { cat "$log"; exit 1; }
go test -count=1 -v -run '^(TestVerify|TestSuite)' ./internal/sigv4 >>"$log" 2>&1 || { cat "$log"; exit 1; }
forged=$(grep -o 'forgery matrix: [0-9]* requests, [0-9]* accepted' "$log")
unit=$(grep -c -- '--- PASS: Test\(Verify\|Suite\)[A-Za-z]*/' "$log" || true)
echo "FIGURE SigV4 $forged against the real server; $unit internal/sigv4 verification cases pass (AWS's SigV4 test suite, SDK-signed, altered and malformed requests)"
echo "FIGURE requests refused before their body: $(grep -c -- '--- PASS: TestRefusedBeforeBody/' "$log") kinds (no signature, malformed, unknown key, skew, region, service, unsigned X-Amz-Target, unsigned payload)"
echo "FIGURE console posts refused: $(grep -c -- '--- PASS: TestConsolePosts/' "$log") cases (size caps, multipart, chunked, other origins) pass"
grep -o '[a-z]*: [0-9]* out-of-range values refused' "$log" | sed 's/^/FIGURE integer ranges: /'

echo "== pre-authentication holds ($BARGE_PREAUTH_CONNS stalled 2 MiB uploads for $BARGE_PREAUTH_HOLD; one body at 1 byte/s)"
go test -count=1 -v -timeout 30m -run '^TestPreAuthHold$' ./cmd/barge >"$log" 2>&1 || { cat "$log"; exit 1; }
grep -o 'FIGURE.*' "$log"

echo "== fuzzing (each target for $FUZZTIME)"
scripts/fuzz.sh >"$log" 2>&1 || { cat "$log"; exit 1; }
targets=$(grep -c '^-- ' "$log")
echo "FIGURE fuzzing: $targets targets for $FUZZTIME each, 0 crashes"

echo "== the reliability suite passed"
