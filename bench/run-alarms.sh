#!/usr/bin/env bash
# Start a release `stratus all-in-one` (API + metricd; its own evaluator idles with a one-day
# interval) on a fresh data directory and a free port, then run bench/alarms_load.py: N alarms and
# one evaluation round by a separate `stratus evaluator` process (time and RSS).
#
#   bench/run-alarms.sh [STRATUS_BINARY] [alarms_load.py options...]
#
# STRATUS_BINARY defaults to .build-release/release/stratus (see bench/README.md to build it).
# Environment: DATA_PARENT (where the data directory goes), KEEP_DATA=1 (keep it and the logs).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

BIN=$ROOT/.build-release/release/stratus
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then BIN=$1; shift; fi
[ -x "$BIN" ] || { echo "run-alarms: no executable at $BIN (build it first, see bench/README.md)" >&2; exit 2; }
DATA=$(mktemp -d "${DATA_PARENT:-${TMPDIR:-/tmp}}/stratus-alarms.XXXXXX")
OUT=$DATA.stdout ERR=$DATA.stderr
# shellcheck source=bench/server.sh
. "$HERE/server.sh"

stop() {
  stop_server
  if [ "${KEEP_DATA:-0}" = 1 ]; then echo "run-alarms: kept $DATA, $OUT and $ERR"; else rm -rf "$DATA" "$OUT" "$ERR"; fi
}
trap stop EXIT
trap 'exit 130' INT TERM

echo "# $(date -u '+%Y-%m-%dT%H:%M:%SZ') $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
start_server run-alarms "$DATA" "$BIN" all-in-one --roles api,metricd --data-dir "$DATA/data" --port 0 \
  --set evaluator.evaluation_interval=86400 --set metricd.metric_processing_delay=1
PID=$SERVER_PID PORT=$SERVER_PORT
URL=http://127.0.0.1:$PORT
echo "# server pid $PID listening on $URL"
python3 "$HERE/alarms_load.py" --url "$URL" --stratus "$BIN" --data-dir "$DATA/data" "$@"
