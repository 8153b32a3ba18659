#!/bin/bash
# bench-ab.sh: run benchmarks of several test binaries interleaved, and print
# the host's steal time during each run (ticks of steal over ticks of wall
# time on all CPUs, from /proc/stat): on a shared VM, tails follow steal.
#
#   go test -c -o /tmp/old.test ./cmd/barge     # at the old commit
#   go test -c -o /tmp/new.test ./cmd/barge     # at the new one
#   BARGE_BENCH_JOBS=1000000 scripts/bench-ab.sh 'DescribeJobs100' 3 2000x /tmp/old.test /tmp/new.test
#
# A binary from before a schema migration cannot open a store filled (and
# migrated) by a newer one: give it its own copy of the filled store with
# binary@tmpdir, where tmpdir holds barge-bench/ (the TMPDIR it runs with).
set -euo pipefail
if [ $# -lt 4 ]; then
	echo "usage: $0 bench-regexp rounds benchtime binary[@tmpdir]..." >&2
	exit 2
fi
bench=$1 rounds=$2 benchtime=$3
shift 3
cd "$(dirname "$0")/../cmd/barge"
echo "BARGE_BENCH_JOBS=${BARGE_BENCH_JOBS:-unset (100,000 for the filled store)}"
ncpu=$(nproc)
for _ in $(seq "$rounds"); do
	for spec in "$@"; do
		bin=${spec%%@*} tmp=${TMPDIR:-/tmp}
		[ "$spec" != "$bin" ] && tmp=${spec#*@}
		steal0=$(awk '/^cpu /{print $9}' /proc/stat) t0=$(date +%s%N)
		out=$(TMPDIR=$tmp "$bin" -test.run '^$' -test.bench "$bench" -test.benchtime "$benchtime" 2>&1 | grep -E '^Benchmark|^FAIL|^panic' || true)
		steal1=$(awk '/^cpu /{print $9}' /proc/stat) t1=$(date +%s%N)
		ticks=$(( (t1 - t0) / 10000000 * ncpu ))
		echo "== $spec: steal $((steal1 - steal0)) of $ticks ticks"
		echo "$out"
	done
done
