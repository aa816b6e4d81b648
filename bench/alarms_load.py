#!/usr/bin/env python3
"""Alarm evaluation benchmark: one evaluation round of N gnocchi_resources_threshold alarms.

Speaks the public Gnocchi /v1 and Aodh /v2 HTTP APIs (the raw-socket client of api_load.py), then
starts a separate `stratus evaluator` process on the server's data directory and times its first
evaluation round (the evaluator's own "evaluation round done" log line) and its RSS.

Workload (defaults = the issue-8 speed target):
  setup     archive policy `alarms-load` (60s:1 day; mean, max, last), N generic resources each
            with one metric `cpu` (POST /v1/resource/generic, --connections connections)
  measures  one measure per metric, now, half of them above the threshold
            (POST /v1/batch/resources/metrics/measures, 500 resources a request), then waits
            until the backlog is empty (GET /v1/status)
  alarms    N gnocchi_resources_threshold alarms (POST /v2/alarms), threshold 50, `gt`, mean,
            granularity 60, no actions
  round     `stratus evaluator --data-dir DATA --gnocchi-url URL` (interval 2 s, started 2 s after
            the last alarm was created): its first round evaluates every alarm once; wall time of the round (from the evaluator's log),
            evaluator peak RSS sampled every 50 ms, and the states the alarms ended in

Prints human-readable lines, then one line "ALARMS_LOAD_JSON {...}" with every figure.
"""
import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_load  # noqa: E402
from api_load import HTTPError, log, rss_bytes  # noqa: E402


def anon_bytes(pid):
    """Anonymous resident memory of pid (RssAnon from /proc/PID/status), in bytes; 0 once it has exited."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0

POLICY = "alarms-load"


def parallel(n, count, work):
    """Runs work(conn, index) for index in range(count) over n threads, one connection each."""
    errors = []

    def worker(t, client):
        conn = client.connection()
        try:
            for i in range(t, count, n):
                work(conn, i)
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            conn.close()

    return worker, errors


def run_threads(client, n, count, work):
    worker, errors = parallel(n, count, work)
    threads = [threading.Thread(target=worker, args=(t, client)) for t in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def expect(status, body, wanted, what):
    if status not in wanted:
        raise HTTPError("%s: HTTP %d %s" % (what, status, body[:300]))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True, help="the Stratus API, e.g. http://127.0.0.1:8041")
    p.add_argument("--user", default="admin")
    p.add_argument("--alarms", type=int, default=10000)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--stratus", required=True, help="the stratus binary to start the evaluator with")
    p.add_argument("--data-dir", required=True, help="the server's data directory (the evaluator reads its index)")
    p.add_argument("--max-concurrency", type=int, default=32, help="evaluator.max_concurrency")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--round-timeout", type=float, default=300.0)
    a = p.parse_args()
    client = api_load.Client(a.url, a.user, a.timeout)
    figures = {"alarms": a.alarms}

    # Setup: policy and resources.
    conn = client.connection()
    status, body = client.call(conn, "POST", "/v1/archive_policy", json.dumps({
        "name": POLICY, "aggregation_methods": ["mean", "max", "last"],
        "definition": [{"granularity": "60s", "timespan": "1 day"}]}))
    expect(status, body, (201, 409), "create archive policy")
    conn.close()
    resources = [str(uuid.uuid4()) for _ in range(a.alarms)]

    def create_resource(conn, i):
        status, body = client.call(conn, "POST", "/v1/resource/generic", json.dumps({
            "id": resources[i], "metrics": {"cpu": {"archive_policy_name": POLICY}}}))
        expect(status, body, (201,), "create resource")

    t0 = time.monotonic()
    run_threads(client, a.connections, a.alarms, create_resource)
    figures["resources_s"] = time.monotonic() - t0
    log("created %d resources with a cpu metric in %.1f s" % (a.alarms, figures["resources_s"]))

    # Measures: one per metric, now; even resources above the threshold.
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    batches = [range(i, min(i + 500, len(resources))) for i in range(0, len(resources), 500)]

    def post_batch(conn, i):
        body = {resources[k]: {"cpu": [{"timestamp": now, "value": 90.0 if k % 2 == 0 else 10.0}]} for k in batches[i]}
        status, text = client.call(conn, "POST", "/v1/batch/resources/metrics/measures", json.dumps(body))
        expect(status, text, (202,), "post measures")

    t0 = time.monotonic()
    run_threads(client, a.connections, len(batches), post_batch)
    conn = client.connection()
    while True:
        status, body = client.call(conn, "GET", "/v1/status?details=false")
        expect(status, body, (200,), "status")
        summary = json.loads(body)["storage"]["summary"]
        if summary["measures"] == 0:
            break
        time.sleep(0.2)
    conn.close()
    figures["measures_s"] = time.monotonic() - t0
    log("posted and processed %d measures in %.1f s" % (a.alarms, figures["measures_s"]))

    # Alarms.
    def create_alarm(conn, i):
        status, body = client.call(conn, "POST", "/v2/alarms", json.dumps({
            "name": "load-%d" % i, "type": "gnocchi_resources_threshold",
            "gnocchi_resources_threshold_rule": {
                "metric": "cpu", "resource_id": resources[i], "resource_type": "generic",
                "aggregation_method": "mean", "granularity": 60, "threshold": 50, "comparison_operator": "gt"}}))
        expect(status, body, (201,), "create alarm")

    t0 = time.monotonic()
    run_threads(client, a.connections, a.alarms, create_alarm)
    figures["alarms_s"] = time.monotonic() - t0
    log("created %d alarms in %.1f s (%.0f/s)" % (a.alarms, figures["alarms_s"], a.alarms / figures["alarms_s"]))

    # One evaluation round by a separate evaluator process.
    command = [a.stratus, "evaluator", "--data-dir", a.data_dir, "--gnocchi-url", a.url,
               "--set", "evaluator.evaluation_interval=2", "--set", "evaluator.max_concurrency=%d" % a.max_concurrency,
               "--set", "evaluator.user=%s" % a.user]
    # The API sets evaluate_timestamp at creation: an alarm is due once it is older than interval/2.
    time.sleep(2)
    log("starting: " + " ".join(command))
    started = time.monotonic()
    evaluator = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True)
    peak = [0]
    peak_anon = [0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_bytes(evaluator.pid))
            peak_anon[0] = max(peak_anon[0], anon_bytes(evaluator.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = []
    round_line = None
    deadline = started + a.round_timeout
    pattern = re.compile(r"evaluation round done")
    while time.monotonic() < deadline:
        line = evaluator.stdout.readline()
        if not line:
            break
        lines.append(line)
        if pattern.search(line):
            round_line = line
            break
    wall = time.monotonic() - started
    time.sleep(1)
    idle_rss = rss_bytes(evaluator.pid)
    idle_anon = anon_bytes(evaluator.pid)
    stop.set()
    sampler.join()
    evaluator.terminate()
    try:
        evaluator.wait(timeout=10)
    except subprocess.TimeoutExpired:
        evaluator.kill()
    if round_line is None:
        sys.stderr.write("".join(lines[-20:]))
        raise SystemExit("alarms_load: the evaluator logged no round within %.0f s" % a.round_timeout)
    fields = dict(re.findall(r"([a-z.]+)=([0-9.]+)", round_line))
    figures["round_s"] = float(fields.get("round.seconds", "nan"))
    figures["claimed"] = int(fields.get("alarms.claimed", "0"))
    figures["transitions"] = int(fields.get("alarms.transitions", "0"))
    figures["evaluator_start_to_round_end_s"] = wall
    figures["evaluator_peak_rss_mib"] = peak[0] / 1048576
    figures["evaluator_rss_after_round_mib"] = idle_rss / 1048576
    figures["evaluator_peak_anon_mib"] = peak_anon[0] / 1048576
    figures["evaluator_anon_after_round_mib"] = idle_anon / 1048576

    # States the alarms ended in.
    conn = client.connection()
    states = {}
    for state in ("alarm", "ok", "insufficient data"):
        status, body = client.call(conn, "GET", "/v2/alarms?q.field=state&q.op=eq&q.value=%s" % state.replace(" ", "%20"))
        expect(status, body, (200,), "list alarms")
        states[state] = len(json.loads(body))
    conn.close()
    figures["states"] = states
    log("evaluation round: %d alarms claimed, %d transitions in %.2f s (evaluator start to round end %.2f s)"
        % (figures["claimed"], figures["transitions"], figures["round_s"], wall))
    log("evaluator RSS: peak %.1f MiB, after the round %.1f MiB; of which anonymous: peak %.1f MiB, after %.1f MiB" % (
        figures["evaluator_peak_rss_mib"], figures["evaluator_rss_after_round_mib"],
        figures["evaluator_peak_anon_mib"], figures["evaluator_anon_after_round_mib"]))
    log("alarm states: %s" % states)
    print("ALARMS_LOAD_JSON " + json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
