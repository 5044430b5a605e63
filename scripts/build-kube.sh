#!/usr/bin/env bash
# Builds the Kubernetes the tests run — kube-apiserver, kube-controller-manager, kube-scheduler and
# the kubelet from k8s.io/kubernetes (test/kube/plane), etcd's server (test/kube/etcd), kwok, and
# the test images (scripts/build-images.sh) — into a cache outside the clone, only what is missing.
# Go's module and build caches make a rebuild fast; a cold build took about 4 minutes for the
# control plane and 2 more for the kubelet here (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${GAUNTLET_KUBE_BIN:-$HOME/.cache/gauntlet/kube-1.36.3/bin}"
mkdir -p "$BIN"
# Without these the binaries say v0.0.0-master, which kubectl and client version checks cannot parse.
version_flags="-X k8s.io/component-base/version.gitVersion=v1.36.3 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36"
need=()
for b in kube-apiserver kube-controller-manager kube-scheduler kubelet; do
  [ -x "$BIN/$b" ] || need+=("k8s.io/kubernetes/cmd/$b")
done
if ((${#need[@]})); then
  echo "[kube] building ${need[*]##*/} from k8s.io/kubernetes v1.36.3"
  (cd test/kube/plane && go build -ldflags "$version_flags" -o "$BIN/" "${need[@]}")
fi
if [ ! -x "$BIN/etcd" ]; then
  echo "[kube] building etcd v3.5.21"
  (cd test/kube/etcd && go build -o "$BIN/etcd" go.etcd.io/etcd/server/v3)
fi
if [ ! -x "$BIN/kwok" ]; then
  echo "[kube] building kwok v0.7.0"
  GOBIN="$BIN" go install sigs.k8s.io/kwok/cmd/kwok@v0.7.0
fi
