#!/usr/bin/env bash
# barge's reliability suite: attacks and faults that must lose nothing.
#
#   scripts/reliability.sh          the short form (a few minutes)
#   scripts/reliability.sh long     the long form, before a release (kill -9
#                                   at moments spread over 2,000 jobs, 20 kills,
#                                   Docker 2,000 and 5; an engine restart under
#                                   100 jobs; 100 SDK clients for 60 s; three
#                                   servers over one PostgreSQL, 2,000 jobs,
#                                   10 leader kills)
#
# Both forms also run the engine-down test (barge started while its Docker
# engine is down; stops asked for while it is away), on a private dockerd.
#
# It prints the figures that docs/RELIABILITY.md records, each on a line
# starting with FIGURE, and fails if any is out of bounds. Settings (the
# form's defaults in brackets, short / long):
#   FUZZTIME            how long each fuzz target runs            [30s / 10m]
#   BARGE_PREAUTH_CONNS stalled uploads held at once               [1000 / 1000]
#   BARGE_PREAUTH_HOLD  how long they stall (past the 20 s body     [30s / 120s]
#                       deadline, so that rounds of cut-offs are measured too)
#   BARGE_SOAK_CLIENTS  concurrent SDK clients                     [10 / 100]
#   BARGE_SOAK_DURATION how long they call                         [10s / 60s]
set -euo pipefail
cd "$(dirname "$0")/.."

form=${1:-short}
case "$form" in
  short) : "${FUZZTIME:=30s}" "${BARGE_PREAUTH_HOLD:=30s}" "${BARGE_SOAK_CLIENTS:=10}" "${BARGE_SOAK_DURATION:=10s}" ;;
  long)  : "${FUZZTIME:=10m}" "${BARGE_PREAUTH_HOLD:=120s}" "${BARGE_SOAK_CLIENTS:=100}" "${BARGE_SOAK_DURATION:=60s}" ;;
  *) echo "usage: $0 [short|long]" >&2; exit 2 ;;
esac
: "${BARGE_PREAUTH_CONNS:=1000}"
export FUZZTIME BARGE_PREAUTH_CONNS BARGE_PREAUTH_HOLD BARGE_SOAK_CLIENTS BARGE_SOAK_DURATION

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

echo "== $BARGE_SOAK_CLIENTS concurrent SDK clients for $BARGE_SOAK_DURATION (SubmitJob, DescribeJobs, ListJobs)"
go test -count=1 -v -timeout 30m -run '^TestConcurrentClients$' ./cmd/barge >"$log" 2>&1 || { cat "$log"; exit 1; }
grep -o 'FIGURE.*\|retried [0-9]* times: .*' "$log"

# kill -9 while tasks start (the real binary, killed at random moments and
# started again) and the Docker engine restarting under running jobs (a
# private dockerd the test starts in a network namespace of its own). The
# Docker parts skip where no engine answers or dockerd cannot run.
if [ "$form" = long ]; then
  kill9_process="BARGE_KILL9_JOBS=2000 BARGE_KILL9_KILLS=20" kill9_docker="BARGE_KILL9_JOBS=2000 BARGE_KILL9_KILLS=5" restart_jobs=100
else
  kill9_process="BARGE_KILL9_JOBS=60 BARGE_KILL9_KILLS=3" kill9_docker="BARGE_KILL9_JOBS=20 BARGE_KILL9_KILLS=2" restart_jobs=2
fi
echo "== kill -9 while tasks start ($kill9_process; Docker: $kill9_docker)"
for executor in process docker; do
  settings=$kill9_process
  [ "$executor" = docker ] && settings=$kill9_docker
  env $settings BARGE_KILL9_EXECUTOR=$executor go test -count=1 -timeout 30m -v -run '^TestKillNineWhileStarting$' ./cmd/barge >"$log" 2>&1 \
    || { cat "$log"; exit 1; }
  { grep -o '[0-9]* jobs, [0-9]* kills: .*' "$log" && grep -o 'seed [0-9]*' "$log"; } | paste -sd ';' | sed "s/^./FIGURE kill -9 ($executor executor): &/" | grep . \
    || echo "FIGURE kill -9 ($executor executor): skipped"
done
echo "== Docker engine restart during $restart_jobs running jobs"
BARGE_ENGINE_RESTART_JOBS=$restart_jobs go test -count=1 -timeout 30m -v -run '^TestDockerEngineRestart$' ./cmd/barge >"$log" 2>&1 \
  || { cat "$log"; exit 1; }
grep -o 'the engine stopped.*\|a job submitted after.*\|the engine answered again.*\|[0-9]* jobs recorded with.*' "$log" | paste -sd ';' | sed 's/^./FIGURE Docker engine restart: &/' | grep . \
  || echo "FIGURE Docker engine restart: skipped (no dockerd, or not root)"

echo "== Docker engine down: barge started without it, stops asked for while it is away, barge restarted without it"
go test -count=1 -timeout 30m -v -run '^TestDockerEngineDown$' ./cmd/barge >"$log" 2>&1 || { cat "$log"; exit 1; }
grep -o 'barge started with the engine down.*\|the job waiting for the engine.*\|a TerminateJob and a timeout.*\|barge restarted while the engine.*' "$log" | sed 's/^/FIGURE Docker engine down: /' | grep . \
  || echo "FIGURE Docker engine down: skipped (no dockerd, or not root)"

if [ "$form" = long ]; then chaos="BARGE_CHAOS_JOBS=2000 BARGE_CHAOS_KILLS=10"; else chaos="BARGE_CHAOS_JOBS=200 BARGE_CHAOS_KILLS=2"; fi
echo "== three servers over one PostgreSQL, the leader kill -9'd ($chaos)"
env $chaos BARGE_CHAOS=1 go test -count=1 -timeout 30m -v -run '^TestChaos$' ./cmd/barge >"$log" 2>&1 || { cat "$log"; exit 1; }
grep -o '[0-9]* jobs acknowledged.*' "$log" | sed 's/^/FIGURE replicas: /' | grep . || echo "FIGURE replicas: skipped (no PostgreSQL)"

echo "== fuzzing (each target for $FUZZTIME)"
scripts/fuzz.sh >"$log" 2>&1 || { cat "$log"; exit 1; }
targets=$(grep -c '^-- ' "$log")
echo "FIGURE fuzzing: $targets targets for $FUZZTIME each, 0 crashes"

echo "== the reliability suite passed"
