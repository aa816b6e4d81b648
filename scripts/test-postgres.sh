#!/usr/bin/env bash
# Throw-away PostgreSQL 15 cluster for the Stratus test suite.
#
#   scripts/test-postgres.sh start   # init (once) and start the cluster, create `stratus_test`, print its URL
#   scripts/test-postgres.sh url     # print the URL (does not start anything)
#   scripts/test-postgres.sh stop    # stop the cluster (data stays in $PGDATA_ROOT until `destroy`)
#   scripts/test-postgres.sh destroy # stop and remove the cluster's directory
#
# Usage in CI:  scripts/test-postgres.sh start && STRATUS_TEST_POSTGRES_URL=$(scripts/test-postgres.sh url) swift test
#
# The cluster listens on 127.0.0.1:${STRATUS_TEST_PG_PORT:-55432} only, with trust authentication, and runs as the
# `postgres` system user (initdb and the server refuse to run as root). Every command is idempotent.
set -euo pipefail

PG_BIN="${STRATUS_TEST_PG_BIN:-/usr/lib/postgresql/15/bin}"
ROOT="${STRATUS_TEST_PG_ROOT:-/tmp/stratus-test-pg}"
PORT="${STRATUS_TEST_PG_PORT:-55432}"
DATA="$ROOT/data"
LOG="$ROOT/server.log"
DATABASE="stratus_test"
URL="postgresql://postgres@127.0.0.1:$PORT/$DATABASE"

# Runs a command as the postgres user when we are root, directly otherwise.
as_postgres() {
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

is_running() {
    [ -f "$DATA/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
    if [ ! -x "$PG_BIN/initdb" ]; then
        echo "test-postgres: no PostgreSQL binaries in $PG_BIN" >&2
        exit 1
    fi
    mkdir -p "$ROOT"
    if [ "$(id -u)" = "0" ]; then
        chown postgres: "$ROOT"
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        as_postgres "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$ROOT/initdb.log" 2>&1 \
            || { cat "$ROOT/initdb.log" >&2; exit 1; }
    fi
    if ! is_running; then
        # Unix socket in $ROOT (not /var/run/postgresql, which may not exist); TCP on loopback only.
        as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
            -o "-p $PORT -c listen_addresses=127.0.0.1 -k $ROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null || { tail -n 50 "$LOG" >&2; exit 1; }
    fi
    local exists
    exists=$(as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atqc \
        "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")
    if [ "$exists" != "1" ]; then
        as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE $DATABASE" >/dev/null
    fi
    echo "$URL"
}

stop() {
    if is_running; then
        as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) echo "$URL" ;;
    destroy) stop; rm -rf "$ROOT" ;;
    *) echo "usage: $0 start|stop|url|destroy" >&2; exit 2 ;;
esac
