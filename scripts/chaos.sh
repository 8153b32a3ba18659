#!/usr/bin/env bash
# barge's replica chaos test: three barge servers over one PostgreSQL (a
# throwaway server the test starts from the PostgreSQL binaries installed),
# jobs on the simulate executor submitted by AWS SDK clients spread over all
# three, and the leader kill -9'd at random moments, each time started again.
# It fails if an acknowledged job is missing, stuck or succeeded twice, and
# prints the failover times that docs/RELIABILITY.md records.
#
#   scripts/chaos.sh            2,000 jobs, 10 kills (a few minutes)
#   scripts/chaos.sh short      200 jobs, 2 kills (under a minute)
#
# BARGE_CHAOS_JOBS and BARGE_CHAOS_KILLS override the form's sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-long}" in
  long)  : "${BARGE_CHAOS_JOBS:=2000}" "${BARGE_CHAOS_KILLS:=10}" ;;
  short) : "${BARGE_CHAOS_JOBS:=200}" "${BARGE_CHAOS_KILLS:=2}" ;;
  *) echo "usage: $0 [long|short]" >&2; exit 2 ;;
esac
export BARGE_CHAOS=1 BARGE_CHAOS_JOBS BARGE_CHAOS_KILLS

echo "== replica chaos: $BARGE_CHAOS_JOBS jobs, $BARGE_CHAOS_KILLS leader kills, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
go build -o bin/barge ./cmd/barge
BARGE_BIN=$PWD/bin/barge go test -count=1 -v -timeout 30m -run '^TestChaos$' ./cmd/barge
