#!/usr/bin/env python3
"""Summarise several `bench/run-stratus.sh` (or `api_load.py`) runs: one row per run, then best and median.

    for i in 1 2 3; do bench/run-stratus.sh; done | tee runs.txt | python3 bench/summarise.py

Reads the `API_LOAD_JSON {...}` and `IDLE_RSS after N s: K KiB` lines from stdin; every other line is ignored.
"""
import json
import re
import statistics
import sys

COLUMNS = [
    # (title, function of (run, idle KiB), higher is better)
    ("ingest measures/s", lambda r, i: r["ingest"]["measures_per_s"], True),
    ("server CPU s per M measures", lambda r, i: r["ingest"]["server_cpu_s"] / (r["ingest"]["measures_accepted"] / 1e6), False),
    ("server cores", lambda r, i: r["ingest"]["server_cores"], None),
    ("host busy %", lambda r, i: r["ingest"]["host_busy_pct"], None),
    ("drain after ingest s", lambda r, i: r["drain"]["seconds_after_ingest"], False),
    ("GET p99 persistent ms", lambda r, i: r["get_persistent"]["p99_ms"], False),
    ("GET p99 fresh ms", lambda r, i: r["get_fresh"]["p99_ms"], False),
    ("idle RSS MiB", lambda r, i: i / 1024 if i else None, False),
    ("peak RSS MiB", lambda r, i: sum(r["rss"]["peak_ingest_drain_mib"].values()), False),
]


def main() -> None:
    runs, idle = [], None
    for line in sys.stdin:
        match = re.match(r"IDLE_RSS after \S+ s: (\d+) KiB", line)
        if match:
            idle = int(match.group(1))
        elif line.startswith("API_LOAD_JSON "):
            runs.append((json.loads(line[len("API_LOAD_JSON "):]), idle))
            idle = None
    if not runs:
        sys.exit("summarise: no API_LOAD_JSON line on stdin")
    table = [[f(r, i) for _, f, _ in COLUMNS] for r, i in runs]
    print("| run | " + " | ".join(title for title, _, _ in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")

    def cell(value):
        if value is None:
            return "–"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.2f}"

    for number, row in enumerate(table, 1):
        print(f"| {number} | " + " | ".join(cell(v) for v in row) + " |")
    for label in ("best", "median"):
        cells = []
        for column, (_, _, higher) in enumerate(COLUMNS):
            values = [row[column] for row in table if row[column] is not None]
            if not values:
                cells.append("–")
            elif label == "median" or higher is None:
                cells.append(cell(statistics.median(values)) if label == "median" else "")
            else:
                cells.append(cell(max(values) if higher else min(values)))
        print(f"| **{label}** | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
