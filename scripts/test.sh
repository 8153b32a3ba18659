#!/usr/bin/env bash
# The whole test suite, on a fresh machine: what README.md calls the test
# command and what .ci/run runs. It installs what the tests need: Debian's
# aws CLI v2 (the tests drive barge with the real CLIs as users do), and a
# Docker Engine with busybox-static for the executor tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/aws ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing Debian's awscli (aws CLI v2) for the CLI tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null \
    || echo "could not install awscli: the v2 CLI test will be skipped"
fi

# The console's browser test drives Debian's Chromium headless (chromedp);
# without one it skips.
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing Debian's chromium for the console's browser test"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
    || echo "could not install chromium: the console's browser test will be skipped"
fi

# The store's tests, and the server tests of TestOnPostgres, run on SQLite
# and on a throwaway PostgreSQL that they start themselves from Debian's
# binaries (internal/pgtest); without them those passes skip. The package's
# own cluster is not wanted: the tests make theirs in a temporary directory.
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing Debian's postgresql for the PostgreSQL store tests"
  mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf \
    || echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
    || echo "could not install postgresql: the PostgreSQL store tests will be skipped"
fi

# The executor tests run containers on a real Docker Engine, in an image made
# from Debian's static busybox. When no engine answers, install Debian's
# docker.io and start dockerd; where none can run, the Docker tests skip.
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  need=""
  dpkg -s busybox-static >/dev/null 2>&1 || need="$need busybox-static"
  docker info >/dev/null 2>&1 || command -v dockerd >/dev/null || need="$need docker.io"
  if [ -n "$need" ]; then
    echo "== installing$need for the executor tests"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null; } \
      || echo "could not install$need: the Docker executor tests will be skipped"
  fi
  if ! docker info >/dev/null 2>&1 && command -v dockerd >/dev/null; then
    echo "== starting dockerd (log: /tmp/barge-dockerd.log)"
    nohup dockerd >/tmp/barge-dockerd.log 2>&1 &
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 \
      || echo "dockerd did not start (see /tmp/barge-dockerd.log): the Docker executor tests will be skipped"
  fi
fi

# The Kubernetes executor's tests run a real single-node cluster
# (docs/KUBERNETES.md): Debian's etcd, containerd, runc and CNI plugins, and
# the pinned Kubernetes binaries, built once into a cache outside the
# repository (cold: about 25 CPU-minutes; warm: nothing). Without them those
# tests skip.
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  need=""
  for p in etcd-server containerd runc containernetworking-plugins busybox-static; do
    dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
  done
  if [ -n "$need" ]; then
    echo "== installing$need for the Kubernetes executor tests"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null; } \
      || echo "could not install$need: the Kubernetes executor tests will be skipped"
  fi
  echo "== Kubernetes binaries (scripts/kube-build.sh)"
  ./scripts/kube-build.sh || echo "could not build the Kubernetes binaries: the Kubernetes executor tests will be skipped"
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
FUZZTIME=$FUZZTIME scripts/fuzz.sh

echo "== all tests passed"
