#!/bin/sh
# The entrypoint of gauntlet.local/postgres:<major>, with the official postgres image's interface
# so Gauntlet drives either the same way: POSTGRES_PASSWORD for the superuser "postgres", PGDATA,
# and any arguments passed on to postgres (e.g. -c port=… -c listen_addresses=127.0.0.1).
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pw=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" >"$pw"
  initdb -D "$PGDATA" -U postgres --auth=scram-sha-256 --pwfile="$pw" >/dev/null
  rm -f "$pw"
fi
# The image's /run is empty (mmdebstrap leaves it so): the socket goes to /tmp then.
[ -w /run/postgresql ] || set -- -c unix_socket_directories=/tmp "$@"
exec postgres -D "$PGDATA" "$@"
