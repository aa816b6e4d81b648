#!/usr/bin/env python3
"""Gnocchi /v1 resources benchmark: resource creation, attribute search, cross-metric aggregates.

Speaks only the public Gnocchi v1 HTTP API (the raw-socket client of api_load.py), so the same
run can be pointed at Stratus or at real Gnocchi (4.x) and the figures compared. Python 3
standard library only.

Workload (defaults = the issue-5 speed targets):
  setup    the resource type (default `instance`, as `stratus upgrade --create-legacy-resource-types`
           or ceilometer-upgrade create it; created with 10 attributes if missing) and an archive
           policy `resources-load` (60s:2 days; mean, count; reused if it exists)
  create   --resources resources (POST /v1/resource/TYPE), 10 attributes each (8 of the type +
           project_id, user_id) and 3 metrics created inline (cpu, memory.usage, disk.root.size),
           over --connections persistent connections; prints the creation rate. Hosts are
           compute-0 .. compute-(--hosts - 1), round robin. --groupby-resources resources,
           taken host by host (all of compute-0's, then compute-1's, ...), get server_group = the
           run's groupby tag: 10,000 of 100,000 on 1,000 hosts are 100 groups of 100.
  ingest   one day of 1-minute measures (--points, default 1440) to the `cpu` metric of the
           groupby set and of --aggregate-metrics further resources, POST /v1/batch/metrics/measures
  drain    GET /v1/status?details=false until the backlog is empty (admin only)
  search   POST /v1/search/resource/TYPE {"=": {"host": "compute-N"}} on random hosts,
           --search-requests requests on one persistent connection: p50/p90/p99/max; every
           answer must list exactly the resources this run put on that host
  agg      POST /v1/aggregates?granularity=60 {"operations": "(aggregate mean (metric (ID1 mean)
           ... (ID100 mean)))"}, --aggregate-requests requests: latency, and the answer's shape
           and values are checked against the measures sent
  groupby  POST /v1/aggregates?groupby=host&granularity=60 with resource_type, search = the
           groupby set and operations "(aggregate mean (metric cpu mean))",
           --groupby-requests requests: latency; group count and sample values checked

Prints human-readable lines, then one line "RESOURCES_LOAD_JSON {...}" with every figure.
"""
import argparse
import json
import os
import random
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_load  # noqa: E402
from api_load import HTTPError, host_cpu, log, pctl, self_cpu  # noqa: E402

POLICY = "resources-load"
METRIC_NAMES = ("cpu", "memory.usage", "disk.root.size")
PROFILES = 64
# The attributes a created type gets when --resource-type does not exist (the ones of Ceilometer's
# `instance` type that the benchmark sets, all optional so that any existing type works too).
TYPE_ATTRIBUTES = {
    "flavor_id": {"type": "string", "required": False, "max_length": 255},
    "image_ref": {"type": "string", "required": False, "max_length": 255},
    "host": {"type": "string", "required": False, "max_length": 255},
    "display_name": {"type": "string", "required": False, "max_length": 255},
    "server_group": {"type": "string", "required": False, "max_length": 255},
    "flavor_name": {"type": "string", "required": False, "max_length": 255},
    "launched_at": {"type": "datetime", "required": False},
    "created_at": {"type": "datetime", "required": False},
}


class BenchError(Exception):
    pass


class Connection(api_load.Connection):
    """api_load's connection with a body reader that stays linear for answers of tens of MB (a groupby over
    1,000 hosts answers ~60 MB; api_load's `buf += chunk` is quadratic there and made the client the
    bottleneck at ~8 MB/s)."""

    def _read_response(self):
        buf = self.buf
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            buf += self._recv()
        head = buf[:end].decode("latin-1").split("\r\n")
        rest = buf[end + 4:]
        status = int(head[0].split(" ", 2)[1])
        length, chunked, close = None, False, False
        for line in head[1:]:
            k, _, v = line.partition(":")
            k = k.strip().lower()
            if k == "content-length":
                length = int(v)
            elif k == "transfer-encoding" and "chunked" in v.lower():
                chunked = True
            elif k == "connection" and v.strip().lower() == "close":
                close = True
        data = bytearray(rest)
        if chunked:
            pos, out = 0, bytearray()
            while True:
                while True:
                    i = data.find(b"\r\n", pos)
                    if i >= 0:
                        break
                    data += self._recv()
                size = int(bytes(data[pos:i]).split(b";")[0], 16)
                pos = i + 2
                while len(data) < pos + size + 2:
                    data += self._recv()
                out += data[pos:pos + size]
                pos += size + 2
                if size == 0:
                    break
            body, self.buf = bytes(out), bytes(data[pos:])
        elif length is not None:
            while len(data) < length:
                data += self._recv()
            body, self.buf = bytes(data[:length]), bytes(data[length:])
        elif status in (204, 304) or 100 <= status < 200:
            body, self.buf = b"", bytes(data)
        else:  # body delimited by the end of the connection
            while True:
                try:
                    data += self._recv()
                except HTTPError:
                    break
            body, self.buf, close = bytes(data), b"", True
        if close:
            self.close()
        return status, body


class Client(api_load.Client):
    def connection(self):
        return Connection(self.host, self.port, self.timeout)


def fmt_ts(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))


def latency_summary(vals):
    s = sorted(vals)
    return {"n": len(s), "p50_ms": round(pctl(s, 50) * 1e3, 3), "p90_ms": round(pctl(s, 90) * 1e3, 3),
            "p99_ms": round(pctl(s, 99) * 1e3, 3), "max_ms": round(s[-1] * 1e3, 3) if s else None,
            "mean_ms": round(sum(s) / len(s) * 1e3, 3) if s else None}


def fmt_lat(d):
    return "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (%d requests)" % (
        d["p50_ms"], d["p90_ms"], d["p99_ms"], d["max_ms"], d["n"])


class Bench:
    def __init__(self, a):
        self.a = a
        self.client = Client(a.url, a.user, a.timeout)
        self.rng = random.Random(a.seed)
        self.tag = a.tag or uuid.uuid4().hex[:8]
        self.r = {"url": a.url, "tag": self.tag, "params": dict(vars(a))}

    def call(self, conn, method, path, body=None, expect=(200,)):
        st, raw = self.client.call(conn, method, path, body)
        if st not in expect:
            raise BenchError("%s %s -> %d %s" % (method, path, st, raw[:400].decode("utf-8", "replace")))
        return st, raw

    def run_threads(self, n, target):
        errors = []

        def wrap(i):
            try:
                target(i)
            except BaseException as e:  # report, don't hang
                errors.append(e)
        ts = [threading.Thread(target=wrap, args=(i,), daemon=True) for i in range(n)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if errors:
            raise errors[0]

    # ---------------------------------------------------------------- setup
    def setup(self):
        a = self.a
        conn = self.client.connection()
        rt = urllib.parse.quote(a.resource_type, safe="")
        st, raw = self.call(conn, "GET", "/v1/resource_type/" + rt, expect=(200, 404))
        if st == 404:
            doc = {"name": a.resource_type, "attributes": TYPE_ATTRIBUTES}
            self.call(conn, "POST", "/v1/resource_type", json.dumps(doc), expect=(201,))
            log("resource type %s created with %d attributes" % (a.resource_type, len(TYPE_ATTRIBUTES)))
            attrs = set(TYPE_ATTRIBUTES)
        else:
            attrs = set(json.loads(raw).get("attributes", {}))
            log("resource type %s exists with %d attributes" % (a.resource_type, len(attrs)))
        for needed in ("host", "server_group"):
            if needed not in attrs:
                raise BenchError("resource type %s has no attribute %r: the search and groupby need it"
                                 % (a.resource_type, needed))
        self.attrs = [k for k in TYPE_ATTRIBUTES if k in attrs]
        self.r["attributes_set"] = self.attrs + ["project_id", "user_id"]
        doc = {"name": POLICY, "back_window": 0, "aggregation_methods": ["mean", "count"],
               "definition": [{"granularity": "60s", "timespan": "2 days"}]}
        st, raw = self.call(conn, "POST", "/v1/archive_policy", json.dumps(doc), expect=(201, 409))
        log("archive policy %s %s" % (POLICY, "created" if st == 201 else "exists; reused"))
        conn.close()

    # ---------------------------------------------------------------- create
    def resource_body(self, i, rid):
        a = self.a
        v = {"flavor_id": "flavor-%d" % (i % 7), "image_ref": "image-%d" % (i % 13),
             "host": "compute-%d" % (i % a.hosts), "display_name": "bench-%s-%d" % (self.tag, i),
             "server_group": self.tag + "-groupby" if self.in_gb[i] else "sg-%d" % (i % 50),
             "flavor_name": "m1.size%d" % (i % 7), "launched_at": "2026-01-01T00:00:00+00:00",
             "created_at": "2026-01-01T00:00:00+00:00"}
        doc = {k: v[k] for k in self.attrs}
        doc.update({"id": rid, "project_id": self.project, "user_id": self.user,
                    "metrics": {m: {"archive_policy_name": POLICY} for m in METRIC_NAMES}})
        return json.dumps(doc)

    def create(self):
        a = self.a
        n = a.resources
        self.project, self.user = str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), \
            str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self.ids = [str(uuid.UUID(int=self.rng.getrandbits(128), version=4)) for _ in range(n)]
        self.cpu = [None] * n
        # The groupby set and the aggregated metrics: resources taken host by host (compute-0's, then
        # compute-1's, ...), so that 10,000 of 100,000 resources on 1,000 hosts make 100 groups of 100.
        order = sorted(range(n), key=lambda i: (i % a.hosts, i))
        self.gb_idx = order[:a.groupby_resources]
        self.agg_idx = order[a.groupby_resources:a.groupby_resources + a.aggregate_metrics]
        self.in_gb = [False] * n
        for i in self.gb_idx:
            self.in_gb[i] = True
        path = "/v1/resource/" + urllib.parse.quote(a.resource_type, safe="")
        counter = [0]
        lock = threading.Lock()
        done = [0]
        t0 = time.perf_counter()
        last = [t0]

        def worker(_):
            conn = self.client.connection()
            while True:
                with lock:
                    i = counter[0]
                    counter[0] += 1
                if i >= n:
                    break
                _, raw = self.call(conn, "POST", path, self.resource_body(i, self.ids[i]), expect=(201,))
                res = json.loads(raw)
                mids = res.get("metrics") or {}
                if set(mids) != set(METRIC_NAMES):
                    raise BenchError("created resource %s has metrics %s, expected %s"
                                     % (self.ids[i], sorted(mids), list(METRIC_NAMES)))
                self.cpu[i] = mids["cpu"]
                with lock:
                    done[0] += 1
                    now = time.perf_counter()
                    if now - last[0] >= 10:
                        last[0] = now
                        log("  create: %d / %d (%.0f resources/s)" % (done[0], n, done[0] / (now - t0)))
            conn.close()
        b0, c0 = host_cpu(), self_cpu()
        self.run_threads(a.connections, worker)
        dt_ = time.perf_counter() - t0
        b1 = host_cpu()
        busy = (b1[0] - b0[0]) / max(1, b1[1] - b0[1])
        rate = n / dt_
        self.r["create"] = {"resources": n, "metrics": n * len(METRIC_NAMES), "seconds": round(dt_, 3),
                            "resources_per_s": round(rate, 1), "connections": a.connections,
                            "host_busy": round(busy, 3), "client_cpu_s": round(self_cpu() - c0, 2)}
        log("create: %d resources (%d attributes, %d metrics each) in %.1f s -> %.0f resources/s "
            "(%d connections; host %.0f %% busy; client CPU %.1f s)"
            % (n, len(self.r["attributes_set"]), len(METRIC_NAMES), dt_, rate, a.connections, busy * 100,
               self_cpu() - c0))

    # ---------------------------------------------------------------- ingest
    def ingest(self):
        a = self.a
        pts = a.points
        end = (int(time.time()) // 60) * 60 - 60
        self.timestamps = [end - 60 * (pts - 1 - k) for k in range(pts)]
        ts = [fmt_ts(t) for t in self.timestamps]
        self.profiles = []
        prof_json = []
        for _ in range(PROFILES):
            v, vals = self.rng.uniform(5, 95), []
            for _k in range(pts):
                v = min(100.0, max(0.0, v + self.rng.uniform(-2, 2)))
                vals.append(round(v, 2))
            self.profiles.append(vals)
            prof_json.append("[" + ",".join('{"timestamp":"%s","value":%r}' % (t, x) for t, x in zip(ts, vals)) + "]")
        g = len(self.gb_idx)
        targets = self.gb_idx + self.agg_idx
        # Bodies are built when sent (a whole day for 10,100 metrics is ~650 MB of JSON); each is a join of
        # precomputed per-profile arrays, so building costs the client little.
        # The groupby set may get only the last --groupby-points of the day (a slow server takes long to
        # ingest a whole day for 10,000 metrics); the aggregated metrics always get the whole day.
        gp = self.gp = min(pts, a.groupby_points) if a.groupby_points > 0 else pts
        prof_tail = [x if gp == pts else "[" + ",".join('{"timestamp":"%s","value":%r}' % (t, v) for t, v in
                                                         zip(ts[pts - gp:], vals[pts - gp:])) + "]"
                     for x, vals in zip(prof_json, self.profiles)]
        bodies = [targets[k:k + a.batch_metrics] for k in range(0, len(targets), a.batch_metrics)]

        def body(part):
            return "{" + ",".join('"%s":%s' % (self.cpu[i], (prof_tail if self.in_gb[i] else prof_json)[i % PROFILES])
                                  for i in part) + "}"
        total = g * gp + len(self.agg_idx) * pts
        counter = [0]
        lock = threading.Lock()
        t0 = time.perf_counter()

        def worker(_):
            conn = self.client.connection()
            while True:
                with lock:
                    k = counter[0]
                    counter[0] += 1
                if k >= len(bodies):
                    break
                self.call(conn, "POST", "/v1/batch/metrics/measures", body(bodies[k]), expect=(202,))
            conn.close()
        self.run_threads(a.connections, worker)
        self.t_ingest_end = time.perf_counter()
        dt_ = self.t_ingest_end - t0
        self.r["ingest"] = {"metrics": len(targets), "measures": total, "requests": len(bodies),
                            "seconds": round(dt_, 3), "measures_per_s": round(total / dt_, 1)}
        log("ingest: %d measures to %d metrics (%d per metric, %d for the groupby set, %s .. %s) in %d requests, %.1f s -> %.0f measures/s"
            % (total, len(targets), pts, gp, ts[0], ts[-1], len(bodies), dt_, total / dt_))

    def status(self, conn):
        _, raw = self.call(conn, "GET", "/v1/status?details=false")
        s = json.loads(raw)["storage"]["summary"]
        return int(s.get("metrics", 0)), int(s.get("measures", 0))

    def drain(self):
        a = self.a
        conn = self.client.connection()
        deadline = time.perf_counter() + a.drain_timeout
        last_print = time.perf_counter()
        while True:
            s0 = time.perf_counter()
            s = self.status(conn)
            now = time.perf_counter()
            if s == (0, 0):
                break
            if now > deadline:
                raise BenchError("backlog not empty after %.0f s: %s" % (a.drain_timeout, s))
            if now - last_print > 10:
                log("  drain: %d metrics / %d measures pending" % s)
                last_print = now
            time.sleep(max(0.05, 4 * (now - s0)))
        conn.close()
        d = time.perf_counter() - self.t_ingest_end
        self.r["drain"] = {"seconds_after_ingest": round(d, 3)}
        log("drain: backlog empty %.1f s after the end of ingest" % d)

    # ---------------------------------------------------------------- timed phases
    def search(self):
        a = self.a
        if a.search_requests <= 0:
            return
        conn = self.client.connection()
        path = "/v1/search/resource/" + urllib.parse.quote(a.resource_type, safe="")
        mine = set(self.ids)
        hosts = [self.rng.randrange(min(a.hosts, a.resources)) for _ in range(a.search_requests)]
        expected = {}
        lat = []
        for h in hosts:
            want = expected.get(h)
            if want is None:
                want = expected[h] = {self.ids[i] for i in range(h, a.resources, a.hosts)}
            body = json.dumps({"=": {"host": "compute-%d" % h}})
            t0 = time.perf_counter()
            _, raw = self.call(conn, "POST", path, body)
            lat.append(time.perf_counter() - t0)
            got = json.loads(raw)
            if not isinstance(got, list) or any(x.get("host") != "compute-%d" % h for x in got):
                raise BenchError("search host=compute-%d: answer is not a list of resources on that host" % h)
            ids = {x["id"] for x in got} & mine
            if ids != want:
                raise BenchError("search host=compute-%d: %d of this run's resources, expected %d"
                                 % (h, len(ids), len(want)))
        conn.close()
        d = latency_summary(lat)
        d["results_per_query"] = round(sum(len(expected[h]) for h in hosts) / len(hosts), 1)
        self.r["search"] = d
        log("search  POST /v1/search/resource/%s {\"=\": {\"host\": ...}} (~%.0f resources per answer): %s"
            % (a.resource_type, d["results_per_query"], fmt_lat(d)))

    def expected_mean(self, idx, k):
        vals = [self.profiles[i % PROFILES][k] for i in idx]
        return sum(vals) / len(vals)

    def check_series(self, series, idx, what, pts=None):
        pts = pts or self.a.points
        first = self.a.points - pts
        if not isinstance(series, list) or len(series) != pts:
            raise BenchError("%s: %s points, expected %d" % (what, len(series) if isinstance(series, list)
                                                             else type(series).__name__, pts))
        for k in (0, pts // 2, pts - 1):
            p = series[k]
            if not (isinstance(p, list) and len(p) == 3 and float(p[1]) == 60.0):
                raise BenchError("%s: point %d is %r, expected [timestamp, 60.0, value]" % (what, k, p))
            want = self.expected_mean(idx, first + k)
            if abs(float(p[2]) - want) > 1e-6 * max(1.0, abs(want)):
                raise BenchError("%s: point %d value %r, expected %r" % (what, k, p[2], want))

    def aggregate(self):
        a = self.a
        if a.aggregate_requests <= 0 or not self.agg_idx:
            return
        conn = self.client.connection()
        ops = "(aggregate mean (metric %s))" % " ".join("(%s mean)" % self.cpu[i] for i in self.agg_idx)
        body = json.dumps({"operations": ops})
        lat = []
        for _ in range(a.aggregate_requests):
            t0 = time.perf_counter()
            _, raw = self.call(conn, "POST", "/v1/aggregates?granularity=60", body)
            lat.append(time.perf_counter() - t0)
            got = json.loads(raw)
            try:
                series = got["measures"]["aggregated"]
            except (KeyError, TypeError):
                raise BenchError("aggregates: answer has no measures.aggregated: %.300s" % raw)
            self.check_series(series, self.agg_idx, "aggregates")
        conn.close()
        d = latency_summary(lat)
        d["metrics"] = len(self.agg_idx)
        d["points"] = a.points
        self.r["aggregate"] = d
        log("agg     POST /v1/aggregates (aggregate mean (metric ×%d)) %d points: %s"
            % (len(self.agg_idx), a.points, fmt_lat(d)))

    def groupby(self):
        a = self.a
        g = a.groupby_resources
        if a.groupby_requests <= 0 or g <= 0:
            return
        conn = self.client.connection()
        body = json.dumps({"resource_type": a.resource_type,
                           "search": {"=": {"server_group": self.tag + "-groupby"}},
                           "operations": "(aggregate mean (metric cpu mean))"})
        groups_want = {}
        for i in self.gb_idx:
            groups_want.setdefault("compute-%d" % (i % a.hosts), []).append(i)
        lat = []
        for _ in range(a.groupby_requests):
            t0 = time.perf_counter()
            _, raw = self.call(conn, "POST", "/v1/aggregates?groupby=host&granularity=60", body)
            lat.append(time.perf_counter() - t0)
            got = json.loads(raw)
            if not isinstance(got, list):
                raise BenchError("groupby: answer is not a list of groups: %.300s" % raw)
            seen = {}
            for grp in got:
                try:
                    seen[grp["group"]["host"]] = grp["measures"]["measures"]["aggregated"]
                except (KeyError, TypeError):
                    raise BenchError("groupby: group without group.host / measures.measures.aggregated: %.300s"
                                     % json.dumps(grp))
            if set(seen) != set(groups_want):
                raise BenchError("groupby: %d groups, expected %d" % (len(seen), len(groups_want)))
        for h in list(groups_want)[:3]:
            self.check_series(seen[h], groups_want[h], "groupby host=%s" % h, self.gp)
        conn.close()
        d = latency_summary(lat)
        d["resources"] = g
        d["groups"] = len(groups_want)
        d["points"] = self.gp
        self.r["groupby"] = d
        log("groupby POST /v1/aggregates?groupby=host over %d resources (%d groups, %d points): %s"
            % (g, len(groups_want), self.gp, fmt_lat(d)))

    # ---------------------------------------------------------------- run
    def run(self):
        a = self.a
        la = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else []
        self.r["loadavg_start"] = la
        log("# resources_load %s against %s (tag %s), load %s" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                                                  a.url, self.tag, " ".join(la)))
        self.setup()
        self.create()
        self.ingest()
        self.drain()
        self.search()
        self.aggregate()
        self.groupby()
        self.summary()

    def summary(self):
        log("")
        log("summary (targets of issue 5):")
        rows = [("search p99", "search", "p99_ms", 20), ("aggregates %d metrics p99" % self.a.aggregate_metrics, "aggregate", "p99_ms", 50),
                ("groupby=host over %d resources p99" % self.a.groupby_resources, "groupby", "p99_ms", 1000)]
        for label, key, f, target in rows:
            if key in self.r:
                v = self.r[key][f]
                log("  %-42s %9.2f ms  (target <= %d ms: %s; p50 %.2f ms)"
                    % (label, v, target, "met" if v <= target else "MISSED", self.r[key]["p50_ms"]))
        log("  %-42s %9.0f /s" % ("resource creation", self.r["create"]["resources_per_s"]))
        self.r["loadavg_end"] = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else []
        print("RESOURCES_LOAD_JSON " + json.dumps(self.r, sort_keys=True), flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default=os.environ.get("API_LOAD_URL", "http://127.0.0.1:8041"),
                   help="server base URL (default $API_LOAD_URL or http://127.0.0.1:8041)")
    p.add_argument("--user", default="admin",
                   help="HTTP Basic user ('user' or 'user:password'); must be an admin for /v1/status (default admin)")
    p.add_argument("--resource-type", default="instance", help="resource type (default instance)")
    p.add_argument("--resources", type=int, default=100_000, help="resources to create (default 100000)")
    p.add_argument("--hosts", type=int, default=1000, help="distinct host values, round robin (default 1000)")
    p.add_argument("--groupby-resources", type=int, default=10_000,
                   help="resources in the groupby set, with measures (default 10000)")
    p.add_argument("--aggregate-metrics", type=int, default=100,
                   help="metrics aggregated by POST /v1/aggregates, with measures (default 100)")
    p.add_argument("--points", type=int, default=1440, help="1-minute measures per metric (default 1440 = one day)")
    p.add_argument("--groupby-points", type=int, default=0,
                   help="measures per metric of the groupby set: the last N of --points (default 0 = all)")
    p.add_argument("--batch-metrics", type=int, default=20, help="metrics per batch measures request (default 20)")
    p.add_argument("--connections", type=int, default=4, help="parallel connections for create and ingest (default 4)")
    p.add_argument("--search-requests", type=int, default=1000, help="search requests, 0 to skip (default 1000)")
    p.add_argument("--aggregate-requests", type=int, default=100, help="aggregates requests, 0 to skip (default 100)")
    p.add_argument("--groupby-requests", type=int, default=20, help="groupby requests, 0 to skip (default 20)")
    p.add_argument("--drain-timeout", type=float, default=1800, help="give up draining after (s, default 1800)")
    p.add_argument("--timeout", type=float, default=300, help="socket timeout (s, default 300)")
    p.add_argument("--tag", default=None, help="run tag in display names and the groupby server_group (default random)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    a = p.parse_args(argv)
    for k in ("resources", "hosts", "points", "batch_metrics", "connections"):
        if getattr(a, k) <= 0:
            p.error("--%s must be positive" % k.replace("_", "-"))
    if a.groupby_resources < 0 or a.aggregate_metrics < 0:
        p.error("--groupby-resources and --aggregate-metrics must not be negative")
    if a.groupby_resources + a.aggregate_metrics > a.resources:
        p.error("--groupby-resources + --aggregate-metrics must not exceed --resources")
    try:
        Bench(a).run()
    except (BenchError, HTTPError, OSError) as e:
        print("resources_load: error: %s" % e, file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
