#!/usr/bin/env bash
# The RSS floor of polling libvirt through libvirt's library (issue: polling agent, "agent RSS ≤ 15 MB"):
# compile floor.c (needs cc and libvirt-dev, which ./setup installs), write the 100-domain test-driver node
# of `stratus-bench compute` (2 disks, 2 vNICs each), and run CYCLES cycles of the compute pollsters' calls.
#
#   bench/libvirt-floor/run.sh [CYCLES]        # default 1000; BENCH=path/to/stratus-bench
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH=${BENCH:-$ROOT/.build-bench/release/stratus-bench}
CYCLES=${1:-1000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/libvirt-floor.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
${CC:-cc} -O2 -o "$WORK/floor" "$HERE/floor.c" $(pkg-config --cflags --libs libvirt)
[ -x "$BENCH" ] || { echo "libvirt-floor: no stratus-bench at $BENCH (cd Benchmarks && swift build -c release --scratch-path ../.build-bench)" >&2; exit 2; }
"$BENCH" compute --write-node "$WORK/node.xml" --domains 100
echo "# $(date -u '+%Y-%m-%dT%H:%M:%SZ') libvirt $(pkg-config --modversion libvirt), 100 domains, $CYCLES cycles"
"$WORK/floor" "test://$WORK/node.xml" "$CYCLES"
