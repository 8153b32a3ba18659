#!/bin/bash
# kube-scale.sh: measure the kubernetes executor on kwok's fake nodes
# (internal/executor/kubernetes TestScale): 10,000 tasks on 100 nodes by
# default, started at once, each running a second; it prints Pods created
# per second, start → Running latency, CPU per task and API requests per
# task (docs/PERFORMANCE.md records them). Needs what the Kubernetes tests
# need (scripts/kube-build.sh builds kwok too) and holds the machine's one
# test cluster while it runs (a few minutes).
#
#   scripts/kube-scale.sh                 # 10,000 tasks, 100 nodes
#   TASKS=2000 NODES=20 scripts/kube-scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/kube-build.sh >&2
BARGE_KUBE_SCALE=1 BARGE_KUBE_SCALE_TASKS="${TASKS:-10000}" BARGE_KUBE_SCALE_NODES="${NODES:-100}" \
  go test -count=1 -timeout 60m -v -run '^TestScale$' ./internal/executor/kubernetes/ 2>&1 | grep -v '^[EIW][0-9]\{4\} '
