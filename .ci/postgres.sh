#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the test suite (installing Debian's package when missing) and
# print its SQLAlchemy URL. Prints nothing and exits non-zero when it cannot, so the caller decides.
set -euo pipefail
PORT="${TRIAGE_TEST_PG_PORT:-55432}"
DIR="${TRIAGE_TEST_PG_DIR:-/tmp/complaint-triage-pg}"
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN="$(find_bin)"
if [ -z "$BIN" ]; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  BIN="$(find_bin)"
fi
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! as_owner "$BIN/pg_ctl" status -D "$DIR" >/dev/null 2>&1; then
  rm -rf "$DIR" && mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  as_owner "$BIN/initdb" -D "$DIR" -U postgres --auth=trust >&2
  as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >&2
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
