#!/usr/bin/env bash
# Builds the container images the real-node Kubernetes and Docker tests run, with no registry:
# docker-save archives made with tar (a layer per part, a config, a manifest) that the test
# fixture imports into its containerd. Only what is missing or out of date is rebuilt.
#   registry.k8s.io/pause:3.10   busybox (Debian's busybox-static) running `sleep infinity`
#   gauntlet.local/app:1         busybox + the test workload (test/kube/app, Go, static)
#   gauntlet.local/k6:1.8.1      busybox + the k6 binary setup built, with the libraries it links
#   gauntlet.local/patroni:15    Debian bookworm (mmdebstrap) with PostgreSQL 15, Patroni, HAProxy
#   gauntlet.local/postgres:17   Debian trixie (mmdebstrap) with PostgreSQL 17, for Docker (testcontainers)
#   gauntlet.local/redis:7       busybox + this machine's redis-server (Debian's) and its libraries
#   gauntlet.local/demo-api:1    the Gauntlet layer below + examples/: the demo API as an image,
#                                configured like a twelve-factor app (PORT, DATABASE_URL, REDIS_URL)
#   gauntlet.local/gauntlet:dev  this checkout (bin, src, production node_modules) + this machine's
#                                node binary and its libraries: the shard pods of --engine kubernetes
#                                (users build theirs from the Dockerfile)
# Pods use them with imagePullPolicy: Never.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${GAUNTLET_IMAGES:-$HOME/.cache/gauntlet/images}"
K6="${GAUNTLET_K6:-$HOME/.cache/gauntlet/bin/k6}"
mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A reproducible layer: same files, same bytes, same digest.
layer() { # dir out.tar
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf "$2" .
}

# image out.tar ref config-json layer.tar...   (config-json: {"Cmd":[…]} and/or {"Entrypoint":[…]})
image() {
  local out=$1 ref=$2 cfg=$3
  shift 3
  local d="$work/img" ids=() names=()
  rm -rf "$d" && mkdir -p "$d"
  for l in "$@"; do
    local sha
    sha=$(sha256sum "$l" | cut -d' ' -f1)
    cp "$l" "$d/$sha.tar"
    ids+=("sha256:$sha")
    names+=("$sha.tar")
  done
  local config
  config=$(jq -cn --argjson cfg "$cfg" --args '{architecture:"amd64",os:"linux",config:({Env:["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]} + $cfg),rootfs:{type:"layers",diff_ids:$ARGS.positional}}' "${ids[@]}")
  local csha
  csha=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
  printf '%s' "$config" >"$d/$csha.json"
  jq -cn --arg c "$csha.json" --arg ref "$ref" --args '[{Config:$c,RepoTags:[$ref],Layers:$ARGS.positional}]' "${names[@]}" >"$d/manifest.json"
  tar -C "$d" -cf "$out.tmp" . && mv "$out.tmp" "$out" && mv "$out.key.next" "$out.key"
  echo "[images] $ref → $out ($(du -h "$out" | cut -f1))"
}

# Content, not mtimes: a fresh clone's files are all new, and the cache outlives clones.
# The recipe tag names the recipe's version: bump it when a recipe below changes.
fresh() { # target recipe-tag sources... : true when target was built from these very sources
  local key
  key=$( (echo "$2" && if (($# > 2)); then cat "${@:3}"; fi) | sha256sum | cut -d' ' -f1)
  [ -f "$1" ] && [ "$(cat "$1.key" 2>/dev/null)" = "$key" ] && return 0
  echo "$key" >"$1.key.next"
  return 1
}

busybox_layer="$work/busybox.tar"
make_busybox() {
  local r="$work/busybox"
  mkdir -p "$r/bin" "$r/tmp" "$r/etc"
  cp /bin/busybox "$r/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"; done
  chmod 1777 "$r/tmp"
  echo 'root:x:0:0:root:/:/bin/sh' >"$r/etc/passwd"
  echo 'root:x:0:' >"$r/etc/group"
  layer "$r" "$busybox_layer"
}
[ -x /bin/busybox ] || { echo "[images] /bin/busybox missing: apt-get install busybox-static" >&2; exit 3; }
make_busybox

if ! fresh "$OUT/pause.tar" pause-1 /bin/busybox; then
  image "$OUT/pause.tar" registry.k8s.io/pause:3.10 '{"Cmd":["/bin/sleep","infinity"]}' "$busybox_layer"
fi

if ! fresh "$OUT/app.tar" app-1 test/kube/app/main.go test/kube/app/go.mod /bin/busybox; then
  mkdir -p "$work/app"
  (cd test/kube/app && CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$work/app/app" .)
  layer "$work/app" "$work/app.tar"
  image "$OUT/app.tar" gauntlet.local/app:1 '{"Cmd":["/app"]}' "$busybox_layer" "$work/app.tar"
fi

if ! fresh "$OUT/k6.tar" k6-1 "$K6" /bin/busybox; then
  [ -x "$K6" ] || { echo "[images] $K6 missing: run scripts/setup.sh (it builds k6)" >&2; exit 3; }
  r="$work/k6"
  mkdir -p "$r/bin"
  cp "$K6" "$r/bin/k6"
  # The shared libraries it links (k6 built with cgo links glibc), at the paths the loader looks.
  for lib in $(ldd "$K6" | grep -o '/[^ ]*'); do
    mkdir -p "$r$(dirname "$lib")"
    cp -L "$lib" "$r$lib"
  done
  layer "$r" "$work/k6.tar"
  image "$OUT/k6.tar" gauntlet.local/k6:1.8.1 '{"Cmd":["/bin/k6"]}' "$busybox_layer" "$work/k6.tar"
fi

# PostgreSQL + Patroni + HAProxy from Debian's packages, the only image source reachable here.
# No default cluster (Patroni makes its own), no docs, no apt lists.
if ! fresh "$OUT/patroni.tar" patroni-1; then
  command -v mmdebstrap >/dev/null || { echo "[images] mmdebstrap missing: apt-get install mmdebstrap" >&2; exit 3; }
  echo "[images] building gauntlet.local/patroni:15 with mmdebstrap (about 80 s)"
  mmdebstrap --quiet --variant=minbase --include=postgresql-15,patroni,haproxy,curl \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.d/no-main.conf"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    bookworm "$work/patroni-rootfs.tar" http://deb.debian.org/debian
  image "$OUT/patroni.tar" gauntlet.local/patroni:15 '{"Cmd":["/usr/bin/patroni"]}' "$work/patroni-rootfs.tar"
fi

# PostgreSQL 17 from Debian trixie: a major newer than the runner's 15, for restores into a
# version-matched container (testcontainers, through a Docker engine). The official image's
# interface (POSTGRES_PASSWORD, PGDATA, arguments to postgres), run as the postgres user.
if ! fresh "$OUT/postgres-17.tar" postgres-17-3 test/images/postgres-entrypoint.sh; then
  command -v mmdebstrap >/dev/null || { echo "[images] mmdebstrap missing: apt-get install mmdebstrap" >&2; exit 3; }
  echo "[images] building gauntlet.local/postgres:17 from Debian trixie with mmdebstrap (about 60 s)"
  mmdebstrap --quiet --variant=minbase --include=postgresql-17 \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.d/no-main.conf"' \
    --customize-hook='copy-in test/images/postgres-entrypoint.sh /usr/local/bin' \
    --customize-hook='chroot "$1" install -d -o postgres -g postgres /var/lib/postgresql/data' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    trixie "$work/postgres-17-rootfs.tar" http://deb.debian.org/debian
  image "$OUT/postgres-17.tar" gauntlet.local/postgres:17 \
    '{"Entrypoint":["/usr/local/bin/postgres-entrypoint.sh"],"User":"postgres","Env":["PATH=/usr/lib/postgresql/17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","PGDATA=/var/lib/postgresql/data"]}' \
    "$work/postgres-17-rootfs.tar"
fi

# Redis as the official image is used (`redis-server --port …`), from the redis-server this
# machine runs (Debian's), with the libraries it links.
if ! fresh "$OUT/redis-7.tar" redis-7-1 "$(readlink -f /usr/bin/redis-server)" /bin/busybox; then
  [ -x /usr/bin/redis-server ] || { echo "[images] redis-server missing: apt-get install redis-server" >&2; exit 3; }
  r="$work/redis"
  mkdir -p "$r/usr/bin" "$r/data"
  cp -L /usr/bin/redis-server "$r/usr/bin/redis-server"
  for lib in $(ldd /usr/bin/redis-server | grep -o '/[^ ]*'); do
    mkdir -p "$r$(dirname "$lib")"
    cp -L "$lib" "$r$lib"
  done
  layer "$r" "$work/redis.tar"
  image "$OUT/redis-7.tar" gauntlet.local/redis:7 '{"Cmd":["redis-server"],"WorkingDir":"/data"}' \
    "$busybox_layer" "$work/redis.tar"
fi

# Gauntlet itself, as the Dockerfile would build it, from this checkout (no registry to pull node
# from); the demo API image is the same layer with examples/ on top.
NODE_BIN=$(command -v node)
gauntlet_sources=("$NODE_BIN" package.json package-lock.json $(find bin src -type f | sort))
gauntlet_fresh=1 demo_fresh=1
fresh "$OUT/gauntlet.tar" gauntlet-2 "${gauntlet_sources[@]}" || gauntlet_fresh=0
fresh "$OUT/demo-api.tar" demo-api-1 "${gauntlet_sources[@]}" $(find examples -type f | sort) || demo_fresh=0
if ((gauntlet_fresh == 0 || demo_fresh == 0)); then
  r="$work/gauntlet"
  mkdir -p "$r/gauntlet" "$r/usr/bin"
  cp "$NODE_BIN" "$r/usr/bin/node"
  for lib in $(ldd "$NODE_BIN" | grep -o '/[^ ]*'); do
    mkdir -p "$r$(dirname "$lib")"
    cp -L "$lib" "$r$lib"
  done
  cp -r package.json package-lock.json bin src "$r/gauntlet/"
  cp -r node_modules "$r/gauntlet/"
  (cd "$r/gauntlet" && npm prune --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
  layer "$r" "$work/gauntlet.tar"
  if ((gauntlet_fresh == 0)); then
    image "$OUT/gauntlet.tar" gauntlet.local/gauntlet:dev '{"Entrypoint":["/usr/bin/node","/gauntlet/bin/gauntlet.mjs"],"Cmd":["--help"]}' "$busybox_layer" "$work/gauntlet.tar"
  fi
  if ((demo_fresh == 0)); then
    mkdir -p "$work/demo/gauntlet"
    cp -r examples "$work/demo/gauntlet/"
    layer "$work/demo" "$work/demo.tar"
    image "$OUT/demo-api.tar" gauntlet.local/demo-api:1 \
      '{"Entrypoint":["/usr/bin/node","/gauntlet/examples/demo-stack/image-entry.mjs"],"WorkingDir":"/gauntlet"}' \
      "$busybox_layer" "$work/gauntlet.tar" "$work/demo.tar"
  fi
fi
