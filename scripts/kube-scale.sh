#!/bin/bash
# kube-scale.sh: measure barge's Kubernetes executor on kwok's fake nodes,
# 10,000 jobs on 100 nodes by default, each Pod running a second
# (docs/PERFORMANCE.md records the results):
#
#   executor  (the default) the executor alone (internal/executor/kubernetes
#             TestScale): every task started at once, as the runner starts
#             every attempt the scheduler places.
#   server    the whole barge server (cmd/barge TestKubernetesScaleServer):
#             the barge binary with --executor kubernetes, every job
#             submitted with SubmitJob, by SUBMITTERS goroutines (default 8),
#             as fast as the server takes them or paced at RATE jobs/s.
#
# Each prints Pods created per second, start (or SubmitJob) → Running
# latency, barge's CPU per job against the cluster's, and the API requests
# per job. Needs what the Kubernetes tests need (scripts/kube-build.sh
# builds kwok too) and holds the machine's one test cluster while it runs
# (a few minutes).
#
#   scripts/kube-scale.sh                 # the executor: 10,000 tasks, 100 nodes
#   scripts/kube-scale.sh server          # the server: 10,000 jobs, 100 nodes
#   TASKS=1000 NODES=10 scripts/kube-scale.sh server
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-executor}" in
executor) run='^TestScale$' pkg=./internal/executor/kubernetes/ ;;
server) run='^TestKubernetesScaleServer$' pkg=./cmd/barge/ ;;
*) echo "usage: $0 [executor|server]" >&2; exit 2 ;;
esac
scripts/kube-build.sh >&2
BARGE_KUBE_SCALE=1 BARGE_KUBE_SCALE_TASKS="${TASKS:-10000}" BARGE_KUBE_SCALE_NODES="${NODES:-100}" \
  BARGE_KUBE_SCALE_SUBMITTERS="${SUBMITTERS:-8}" BARGE_KUBE_SCALE_RATE="${RATE:-0}" \
  go test -count=1 -timeout 60m -v -run "$run" "$pkg" 2>&1 | grep -v '^[EIW][0-9]\{4\} '
