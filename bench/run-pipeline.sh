#!/usr/bin/env bash
# The notification pipeline benchmark end to end: start a release `stratus all-in-one --roles
# api,metricd` on a fresh data directory and a free port, run `stratus-bench pipeline` (the shipped
# pipeline.yaml: rate_of_change and gnocchi://) against it, and report the CPU both processes used.
#
#   bench/run-pipeline.sh [--pin] [stratus-bench pipeline options...]
#
# --pin runs the agent (stratus-bench) on CPU 0 and the API on CPU 1 (taskset): "one notification
# agent on one core". Binaries: STRATUS (default .build-release/release/stratus) and BENCH (default
# .build-bench/release/stratus-bench); build them with
#   swift build -c release --static-swift-stdlib --product stratus --scratch-path .build-release
#   (cd Benchmarks && swift build -c release --scratch-path ../.build-bench)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
STRATUS=${STRATUS:-$ROOT/.build-release/release/stratus}
BENCH=${BENCH:-$ROOT/.build-bench/release/stratus-bench}
PIN=0
if [ "${1:-}" = --pin ]; then PIN=1; shift; fi
for bin in "$STRATUS" "$BENCH"; do
  [ -x "$bin" ] || { echo "run-pipeline: no executable at $bin (see the comment at the top)" >&2; exit 2; }
done
DATA=$(mktemp -d "${TMPDIR:-/tmp}/stratus-pipeline.XXXXXX")

# shellcheck source=bench/server.sh
. "$HERE/server.sh"
stop() {
  stop_server
  rm -rf "$DATA"
}
trap stop EXIT
trap 'exit 130' INT TERM

api=() agent=()
if [ $PIN = 1 ]; then api=(taskset -c 1) agent=(taskset -c 0); fi
echo "# $(date -u '+%Y-%m-%dT%H:%M:%SZ') $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), pinned: $PIN"
start_server run-pipeline "$DATA/server" "${api[@]}" "$STRATUS" all-in-one --roles api,metricd --data-dir "$DATA/data" --port 0
PID=$SERVER_PID PORT=$SERVER_PORT

# utime + stime of the server, in seconds.
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$PID/stat"; }
before=$(server_cpu)
start=$(date +%s.%N)
(cd "$ROOT/Benchmarks" && "${agent[@]}" "$BENCH" pipeline --url "http://127.0.0.1:$PORT" --pipeline ../pipeline.yaml "$@")
end=$(date +%s.%N)
after=$(server_cpu)
awk -v b="$before" -v a="$after" -v s="$start" -v e="$end" 'BEGIN {
  printf "server (api + metricd) CPU during the run (warm-up included): %.2f s in %.2f s of wall time\n", a - b, e - s }'
