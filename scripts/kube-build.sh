#!/usr/bin/env bash
# Builds the pinned Kubernetes binaries the Kubernetes tests run (kube-apiserver,
# kubelet, kube-controller-manager, kube-scheduler, and kwok for the scale
# benchmark) from the Go module proxy, into a cache outside the repository keyed
# by version. Idempotent: a binary already in the cache is not built again.
# Prints the cache's bin directory. See shared reference
# kubernetes-local-cluster.md for why a wrapper module is needed.
set -euo pipefail
V=${BARGE_KUBE_VERSION:-1.36.3}
KWOK=${BARGE_KWOK_VERSION:-v0.8.0}
K=${BARGE_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/barge-kube/v$V}
bin=$K/bin
mkdir -p "$bin"
want=(kube-apiserver kubelet kube-controller-manager kube-scheduler)
missing=()
for b in "${want[@]}"; do [ -x "$bin/$b" ] || missing+=("k8s.io/kubernetes/cmd/$b"); done
if [ ${#missing[@]} -gt 0 ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  go mod download -json "k8s.io/kubernetes@v$V" >/dev/null
  mod=$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$V.mod
  {
    echo "module local/kubebuild"; echo "go 1.26.0"; echo "godebug default=go1.26"
    echo "require k8s.io/kubernetes v$V"; echo "replace ("
    for m in $(grep '=> ./staging' "$mod" | awk '{print $1}'); do
      ver=v0.${V#1.}
      # v0.36.3 of the sample-* staging modules is not served; they are not compiled.
      case $m in *sample-*) ver=v0.36.4 ;; esac
      echo "	$m => $m $ver"
    done
    echo ")"
  } >go.mod
  minor=${V#1.}; minor=${minor%%.*}
  ldf="-s -w -X k8s.io/component-base/version.gitVersion=v$V -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  echo "building ${missing[*]} v$V into $bin (cold: about 25 CPU-minutes)" >&2
  # Build into a temporary directory and move into place, so an interrupted
  # build never leaves a partial binary in the cache.
  GOFLAGS=-mod=mod go build -ldflags="$ldf" -o "$work/out/" "${missing[@]}"
  mv "$work"/out/* "$bin/"
  cd - >/dev/null
fi
if [ ! -x "$bin/kwok" ]; then
  echo "building kwok $KWOK into $bin" >&2
  tmp=$(mktemp -d)
  GOBIN=$tmp go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK"
  mv "$tmp/kwok" "$bin/kwok"; rmdir "$tmp"
fi
echo "$bin"
