#!/usr/bin/env bash
# Installs what Gauntlet's demo and tests need, only what is missing, and says how long each
# stage took. Idempotent: a second run on a ready machine takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

stage_start=$SECONDS
stage() { printf '[setup] %-28s %3ss\n' "$1" "$((SECONDS - stage_start))"; stage_start=$SECONDS; }

# Debian packages: real servers and tools, never stand-ins.
want=(chromium postgresql redis-server nginx wrk hyperfine patroni etcd-server etcd-client haproxy prometheus prometheus-alertmanager prometheus-pushgateway
  containerd runc containernetworking-plugins busybox-static mmdebstrap docker.io)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "[setup] missing Debian packages: ${missing[*]} — run: sudo apt-get install -y ${missing[*]}" >&2
    exit 3
  fi
  echo "[setup] installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages start their default services; Gauntlet starts its own on free ports.
  for svc in postgresql redis-server nginx haproxy etcd patroni prometheus prometheus-alertmanager prometheus-pushgateway prometheus-node-exporter containerd docker docker.socket; do
    systemctl stop "$svc" >/dev/null 2>&1 || service "$svc" stop >/dev/null 2>&1 || true
  done
fi
stage "debian packages"

# Node dependencies, from the lockfile, when they changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit --loglevel=error
fi
stage "node modules"

# The native load core (native/loadcore, Rust): the embedded engine's socket loop for plain HTTP,
# built from crates.io into a cache outside the clone (a rebuild after a source change takes
# seconds). Without cargo the engine runs every profile on its JavaScript workers, and says so.
if command -v cargo >/dev/null; then
  CARGO_TARGET_DIR="${HOME}/.cache/gauntlet/cargo-target" cargo build --release --locked --quiet \
    --manifest-path native/loadcore/Cargo.toml
  mkdir -p native/bin
  # copied then renamed: a core still running keeps its old file
  cp "${HOME}/.cache/gauntlet/cargo-target/release/gauntlet-loadcore" native/bin/.gauntlet-loadcore.new
  mv -f native/bin/.gauntlet-loadcore.new native/bin/gauntlet-loadcore
else
  echo "[setup] no cargo: the native load core is not built; load runs on JavaScript workers only"
fi
stage "native load core"

# `--demo`: what `npm run demo` needs and no more — the demo never runs k6, actionlint or the
# Kubernetes control plane, whose Go builds are most of a fresh machine's setup time.
if [ "${1:-}" = "--demo" ]; then
  echo "[setup] --demo: skipping the Go builds (k6, actionlint, Kubernetes) the tests need"
  exit 0
fi

# Go tools, built once from the Go module proxy into ~/.cache/gauntlet/bin (outside the clone,
# so a fresh clone on the same machine reuses them). Pinned: the tests lint against a known version.
GAUNTLET_BIN="${HOME}/.cache/gauntlet/bin"
mkdir -p "$GAUNTLET_BIN"
go_tool() { # name module@version
  [ -x "$GAUNTLET_BIN/$1" ] && return 0
  if ! command -v go >/dev/null; then
    echo "[setup] Go is needed to build $1 ($2): install Go (https://go.dev/dl/) and run this again" >&2
    exit 3
  fi
  echo "[setup] building $1 from $2"
  GOBIN="$GAUNTLET_BIN" go install "$2"
}
go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
# k6: in neither npm nor Debian; the k6 engine and its tests run the real binary.
go_tool k6 go.k6.io/k6@v1.8.1
# The OpenTelemetry Collector the OTLP output is proven against: its own OTLP receiver and
# OTLP/HTTP exporter (test/otel), from the Go module proxy.
if [ ! -x "$GAUNTLET_BIN/otelcol-gauntlet-0.165.0" ]; then
  echo "[setup] building the OpenTelemetry Collector v0.165.0 (OTLP receiver + exporter)"
  (cd test/otel && go build -o "$GAUNTLET_BIN/otelcol-gauntlet-0.165.0" .)
fi
stage "go tools"

# check-jsonschema (pinned), whose vendored copy of GitLab's own CI schema validates ci/gitlab:
# GitLab's schema endpoint is not reachable from every runner, PyPI is.
GAUNTLET_PY="${HOME}/.cache/gauntlet/py"
if [ ! -x "$GAUNTLET_PY/bin/check-jsonschema" ]; then
  echo "[setup] installing check-jsonschema 0.39.0 into $GAUNTLET_PY"
  python3 -m venv "$GAUNTLET_PY"
  "$GAUNTLET_PY/bin/pip" install -q --disable-pip-version-check check-jsonschema==0.39.0
fi
stage "python tools"

# The Kubernetes control plane and kubelet of the chaos-on-Kubernetes tests, from Go modules.
bash scripts/build-kube.sh
stage "kubernetes plane + kubelet"
# The images the real node runs (busybox, the test workload, k6), built locally: no registry.
bash scripts/build-images.sh
stage "container images"
