#!/usr/bin/env bash
# Builds the Kubernetes control plane the tests run — kube-apiserver, kube-controller-manager and
# kube-scheduler from k8s.io/kubernetes (test/kube/plane), etcd's server (test/kube/etcd) and
# kwok — into a cache outside the clone, only what is missing. Go's module and build caches make
# a rebuild fast; a cold build took about 4 minutes here (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${GAUNTLET_KUBE_BIN:-$HOME/.cache/gauntlet/kube-1.36.3/bin}"
mkdir -p "$BIN"
need=()
for b in kube-apiserver kube-controller-manager kube-scheduler; do
  [ -x "$BIN/$b" ] || need+=("k8s.io/kubernetes/cmd/$b")
done
if ((${#need[@]})); then
  echo "[kube] building ${need[*]##*/} from k8s.io/kubernetes v1.36.3"
  (cd test/kube/plane && go build -o "$BIN/" "${need[@]}")
fi
if [ ! -x "$BIN/etcd" ]; then
  echo "[kube] building etcd v3.5.21"
  (cd test/kube/etcd && go build -o "$BIN/etcd" go.etcd.io/etcd/server/v3)
fi
if [ ! -x "$BIN/kwok" ]; then
  echo "[kube] building kwok v0.7.0"
  GOBIN="$BIN" go install sigs.k8s.io/kwok/cmd/kwok@v0.7.0
fi
