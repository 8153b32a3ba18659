#!/usr/bin/env bash
# Startup time of `barge server` on an existing data directory: the time from
# starting the process to the first 200 answer of GET /healthz, over RUNS
# runs; prints each run and the median. With --cold it first drops the
# kernel's page cache (root only), as after a reboot, which go test's
# BenchmarkServerStartup (warm cache) cannot do.
#
# Usage: scripts/bench-startup.sh DATA_DIR [RUNS] [--cold]
#
# A data directory with a million jobs is what the benchmarks leave in
# $TMPDIR/barge-bench/jobs-1000000-v2 after
#   BARGE_BENCH_JOBS=1000000 go test -run '^$' -bench ServerStartup ./cmd/barge/
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:?usage: scripts/bench-startup.sh DATA_DIR [RUNS] [--cold]}
runs=${2:-10}
cold=${3:-}
port=${BARGE_BENCH_PORT:-18420}

go build -o bin/barge ./cmd/barge
# Fixed credentials, so that barge does not write a credentials file into
# the data directory.
export BARGE_ACCESS_KEY_ID=AKIDBARGEBENCH000001
export BARGE_SECRET_ACCESS_KEY=barge-bench-secret-key-000000000000000000

# healthy succeeds once GET /healthz answers 200 (bash's /dev/tcp: no
# process to start per poll).
healthy() {
  { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  local status=""
  read -r status <&3 || true
  exec 3<&-
  [[ $status == *" 200 "* ]]
}

if healthy; then
  echo "something already answers on 127.0.0.1:$port; set BARGE_BENCH_PORT" >&2
  exit 1
fi

times=()
for i in $(seq "$runs"); do
  if [ "$cold" = --cold ]; then
    sync
    echo 3 >/proc/sys/vm/drop_caches
  fi
  start=$(date +%s%N)
  bin/barge server --listen "127.0.0.1:$port" --data "$dir" --log-level warn &
  pid=$!
  deadline=$((start + 10000000000))
  until healthy; do
    if [ "$(date +%s%N)" -gt "$deadline" ]; then
      kill -TERM "$pid"
      echo "run $i: no 200 from /healthz within 10 s" >&2
      exit 1
    fi
  done
  end=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid" || true
  ms=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.1f", ns / 1e6 }')
  echo "run $i: $ms ms"
  times+=("$ms")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "median of %d runs: %s ms (min %s, max %s)\n", NR, t[int((NR + 1) / 2)], t[1], t[NR] }'
