#!/usr/bin/env bash
# Start a release `stratus all-in-one` on a fresh data directory and a free port, measure its idle
# RSS, run bench/api_load.py against it, then stop it.
#
#   bench/run-stratus.sh [STRATUS_BINARY] [api_load.py options...]
#
# STRATUS_BINARY defaults to .build-release/release/stratus (build it with
#   swift build -c release --static-swift-stdlib --product stratus --scratch-path .build-release).
# Environment:
#   STRATUS_ROLES  roles to run (default api,metricd: the API benchmark measures the API alone)
#   STRATUS_ARGS   extra arguments for `stratus all-in-one` (e.g. "--sacks-number 8 --set metricd.workers=2")
#   IDLE_SECONDS   how long the server idles before its RSS is read (default 10)
#   DATA_PARENT    where the temporary data directory goes (default $TMPDIR or /tmp)
#   KEEP_DATA=1    keep the data directory and the server's logs afterwards
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

BIN=$ROOT/.build-release/release/stratus
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then BIN=$1; shift; fi
[ -x "$BIN" ] || { echo "run-stratus: no executable at $BIN (build it first, see bench/README.md)" >&2; exit 2; }
IDLE_SECONDS=${IDLE_SECONDS:-10}
DATA=$(mktemp -d "${DATA_PARENT:-${TMPDIR:-/tmp}}/stratus-bench.XXXXXX")
OUT=$DATA.stdout ERR=$DATA.stderr
# shellcheck source=bench/server.sh
. "$HERE/server.sh"

stop() {
  stop_server
  if [ "${KEEP_DATA:-0}" = 1 ]; then
    echo "run-stratus: kept $DATA, $OUT and $ERR"
  else
    rm -rf "$DATA" "$OUT" "$ERR"
  fi
}
trap stop EXIT
trap 'exit 130' INT TERM

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
pss_kib() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo "?"; }

echo "# $(date -u '+%Y-%m-%dT%H:%M:%SZ') $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# server: $BIN all-in-one --roles ${STRATUS_ROLES:-api,metricd} --data-dir $DATA --port 0 ${STRATUS_ARGS:-}"
# shellcheck disable=SC2086
start_server run-stratus "$DATA" "$BIN" all-in-one --roles "${STRATUS_ROLES:-api,metricd}" --data-dir "$DATA" --port 0 ${STRATUS_ARGS:-}
PID=$SERVER_PID
URL=http://127.0.0.1:$SERVER_PORT
echo "# pid $PID listening on $URL"

echo "# RSS right after start: $(rss_kib "$PID") KiB"
sleep "$IDLE_SECONDS"
RSS=$(rss_kib "$PID")
echo "IDLE_RSS after ${IDLE_SECONDS} s: $RSS KiB = $(awk -v k="$RSS" 'BEGIN {printf "%.1f", k/1024}') MiB" \
     "(PSS $(pss_kib "$PID") KiB, threads $(ls "/proc/$PID/task" | wc -l))"

python3 "$HERE/api_load.py" --url "$URL" --pid "$PID" "$@"

sleep 2
RSS=$(rss_kib "$PID")
echo "# RSS 2 s after the run: $RSS KiB = $(awk -v k="$RSS" 'BEGIN {printf "%.1f", k/1024}') MiB;" \
     "high-water mark $(awk '/^VmHWM:/ {print $2}' "/proc/$PID/status") KiB"
echo "# data directory: $(du -sk "$DATA" | cut -f1) KiB"
