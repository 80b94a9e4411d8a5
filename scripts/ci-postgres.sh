#!/usr/bin/env bash
# A throwaway PostgreSQL for the store tests (issue #15): one cluster under /tmp, listening only on
# 127.0.0.1, trust authentication, no fsync. Prints the URL the tests read, so a developer runs
#
#   export XEN_CHATOPS_TEST_POSTGRES_URL=$(scripts/ci-postgres.sh)
#   npx vitest run tests/store/contract
#
# and `scripts/ci-postgres.sh stop` when done. Idempotent: a cluster already running is reused (a second
# call costs a `pg_ctl status`), one stopped is started again, a missing one is created (about 2 s).
# Needs PostgreSQL's server binaries (Debian: `apt-get install postgresql`; .ci/run installs them).
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user (created when
# missing); as anyone else it belongs to that user.
#
# Environment: XEN_CHATOPS_PG_DIR (default /tmp/xen-chatops-pg), XEN_CHATOPS_PG_PORT (default 54329).
set -euo pipefail

DIR="${XEN_CHATOPS_PG_DIR:-/tmp/xen-chatops-pg}"
PORT="${XEN_CHATOPS_PG_PORT:-54329}"
URL="postgres://postgres@127.0.0.1:${PORT}/postgres"

find_bindir() {
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return
  fi
  # Debian keeps the server binaries off PATH, one directory per major version: take the newest.
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
    echo "ci-postgres: no PostgreSQL server binaries (initdb, pg_ctl); install Debian's postgresql package" >&2
    exit 1
  fi
  echo "$dir"
}

BIN=$(find_bindir)

# Runs a command as the cluster's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir "$DIR" --shell /usr/sbin/nologin postgres
fi

case "${1:-start}" in
  stop)
    if [[ -f "$DIR/PG_VERSION" ]] && as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      as_owner "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null
    fi
    exit 0
    ;;
  url)
    echo "$URL"
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: scripts/ci-postgres.sh [start|stop|url]" >&2
    exit 2
    ;;
esac

if [[ ! -f "$DIR/PG_VERSION" ]]; then
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$DIR"
  chmod 700 "$DIR"
  as_owner "$BIN/initdb" -D "$DIR" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  # Throwaway settings: nothing here must survive a crash, and tests open many short connections.
  cat >>"$DIR/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = ${PORT}
unix_socket_directories = '${DIR}'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
EOF
fi

if ! as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >/dev/null || {
    echo "ci-postgres: the server did not start; its log:" >&2
    tail -n 20 "$DIR/server.log" >&2
    exit 1
  }
fi

echo "$URL"
