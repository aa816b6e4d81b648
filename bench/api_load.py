#!/usr/bin/env python3
"""Gnocchi /v1 API load benchmark: batch ingest, backlog drain, GET measures latency.

Speaks only the public Gnocchi v1 HTTP API, so the same run can be pointed at Stratus or at real
Gnocchi (4.x) and the figures compared. Python 3 standard library only.

Workload (defaults = the Stratus performance targets):
  setup   create (or reuse) an archive policy and read it back; create --metrics metrics
  ingest  POST /v1/batch/metrics/measures, --batch-metrics metrics x --batch-measures measures
          per request, over --connections persistent connections, until --measures are sent.
          Every request body is built before the clock starts; the figure is measures accepted
          (HTTP 202) divided by the wall time from the first request sent to the last answer.
  drain   poll GET /v1/status?details=false (admin only) until storage.summary.measures == 0:
          time from the end of ingest, and end-to-end rate (ingest start -> backlog empty)
  verify  GET .../measures?aggregation=count on a sample of metrics: stored points == sent
  get     GET /v1/metric/<id>/measures (default aggregation, every granularity) on random
          metrics, --get-requests times on persistent connections, then again with a new TCP
          connection per request (connect time included); p50/p90/p99/max
  rss     with --pid (repeatable): RSS of that process and its descendants from /proc, before,
          peak during ingest+drain, and after

The HTTP client is a minimal HTTP/1.1 client on raw sockets (TCP_NODELAY, one sendall per
request, Content-Length or chunked responses), so the client costs little CPU; the script prints
its own CPU time per phase so you can check it was not the bottleneck.

Prints human-readable lines, then one line "API_LOAD_JSON {...}" with every figure.
"""
import argparse
import base64
import datetime as dt
import json
import os
import random
import resource
import socket
import sys
import threading
import time
import urllib.parse
import uuid

METHODS = "mean,min,max,sum,std,count"


# ------------------------------------------------------------------------------------------ HTTP
class HTTPError(Exception):
    pass


class Connection:
    """One HTTP/1.1 connection on a raw socket. Not thread-safe: one per thread."""

    def __init__(self, host, port, timeout):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock = None
        self.buf = b""

    def connect(self):
        s = socket.create_connection((self.host, self.port), timeout=self.timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.buf = b""

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""

    def _recv(self):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise HTTPError("connection closed by server")
        return chunk

    def _read_response(self):
        buf = self.buf
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            buf += self._recv()
        head = buf[:end].decode("latin-1").split("\r\n")
        buf = buf[end + 4:]
        parts = head[0].split(" ", 2)
        status = int(parts[1])
        length = None
        chunked = close = False
        for line in head[1:]:
            k, _, v = line.partition(":")
            k = k.strip().lower()
            if k == "content-length":
                length = int(v)
            elif k == "transfer-encoding" and "chunked" in v.lower():
                chunked = True
            elif k == "connection" and v.strip().lower() == "close":
                close = True
        if chunked:
            body = []
            while True:
                while b"\r\n" not in buf:
                    buf += self._recv()
                line, buf = buf.split(b"\r\n", 1)
                size = int(line.split(b";")[0], 16)
                while len(buf) < size + 2:
                    buf += self._recv()
                body.append(buf[:size])
                buf = buf[size + 2:]
                if size == 0:
                    break
            body = b"".join(body)
        elif length is not None:
            while len(buf) < length:
                buf += self._recv()
            body, buf = buf[:length], buf[length:]
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:  # body delimited by the end of the connection
            while True:
                try:
                    buf += self._recv()
                except HTTPError:
                    break
            body, buf, close = buf, b"", True
        self.buf = buf
        if close:
            self.close()
        return status, body

    def exchange(self, raw_request):
        """Sends one complete request (bytes) and returns (status, body). Reconnects once if a kept-alive
        connection turns out to be closed before any byte of the answer arrived."""
        for attempt in (0, 1):
            fresh = self.sock is None
            if fresh:
                self.connect()
            try:
                self.sock.sendall(raw_request)
                return self._read_response()
            except (HTTPError, ConnectionResetError, BrokenPipeError) as e:
                self.close()
                if fresh or attempt == 1:
                    raise HTTPError(str(e))
        raise HTTPError("unreachable")


class Client:
    def __init__(self, url, user, timeout):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http":
            raise SystemExit("only http:// URLs are supported (got %s)" % url)
        self.host = u.hostname
        self.port = u.port or 80
        self.prefix = u.path.rstrip("/")
        self.timeout = timeout
        hostport = self.host if self.port == 80 else "%s:%d" % (self.host, self.port)
        cred = user if ":" in user else user + ":"
        self.common = ("Host: %s\r\nAuthorization: Basic %s\r\nAccept: application/json\r\n"
                       "User-Agent: stratus-api-load\r\n"
                       % (hostport, base64.b64encode(cred.encode()).decode())).encode()

    def connection(self):
        return Connection(self.host, self.port, self.timeout)

    def raw(self, method, path, body=None):
        head = b"%s %s HTTP/1.1\r\n" % (method.encode(), (self.prefix + path).encode()) + self.common
        if body is None:
            return head + b"\r\n"
        if isinstance(body, str):
            body = body.encode()
        return head + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body

    def call(self, conn, method, path, body=None):
        return conn.exchange(self.raw(method, path, body))


# ------------------------------------------------------------------------------------------ /proc
def tree_pids(pid):
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        try:
            for t in os.listdir("/proc/%d/task" % p):
                try:
                    with open("/proc/%d/task/%s/children" % (p, t)) as f:
                        stack.extend(int(x) for x in f.read().split())
                except OSError:
                    pass
        except OSError:
            pass
    return out


def rss_bytes(pid):
    """Resident set size of pid and all its descendants, in bytes (VmRSS from /proc/PID/status)."""
    total = 0
    for p in tree_pids(pid):
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
    return total


def cpu_seconds(pid):
    clk = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in tree_pids(pid):
        try:
            with open("/proc/%d/stat" % p) as f:
                s = f.read()
            fields = s[s.rfind(")") + 2:].split()
            total += (int(fields[11]) + int(fields[12])) / clk
        except (OSError, ValueError, IndexError):
            pass
    return total


def host_cpu():
    """(busy, total) jiffies of the whole host."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v[:8]) - v[3] - v[4], sum(v[:8])


class RSSSampler(threading.Thread):
    def __init__(self, pids, interval=0.05):
        super().__init__(daemon=True)
        self.pids, self.interval = pids, interval
        self.peak = {p: 0 for p in pids}
        self.stop_ev = threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            for p in self.pids:
                self.peak[p] = max(self.peak[p], rss_bytes(p))
            self.stop_ev.wait(self.interval)

    def stop(self):
        self.stop_ev.set()
        self.join()
        return self.peak


def self_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


# ------------------------------------------------------------------------------------------ helpers
def pctl(sorted_vals, p):
    """Nearest-rank percentile of a sorted list."""
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, -(-len(sorted_vals) * p // 100) - 1))
    return sorted_vals[int(k)]


def log(msg):
    print(msg, flush=True)


def mib(n):
    return n / 2**20


# ------------------------------------------------------------------------------------------ bench
class Bench:
    def __init__(self, a):
        self.a = a
        self.client = Client(a.url, a.user, a.timeout)
        self.rng = random.Random(a.seed)
        self.r = {"url": a.url, "params": {k: v for k, v in vars(a).items()}}
        self.pids = a.pid

    def status(self, conn):
        st, body = self.client.call(conn, "GET", "/v1/status?details=false")
        if st != 200:
            raise SystemExit("GET /v1/status -> %d %s (the status needs an admin user)" % (st, body[:200]))
        s = json.loads(body)["storage"]["summary"]
        return int(s.get("metrics", 0)), int(s.get("measures", 0))

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
        a, c = self.a, self.client
        conn = c.connection()
        if a.archive_policy:
            name = a.archive_policy
        else:
            name = "api-load"
            defn = [{"granularity": g.strip(), "timespan": t.strip()} for g, t in
                    (x.split(":", 1) for x in a.policy_definition.split(","))]
            doc = {"name": name, "back_window": 0, "definition": defn,
                   "aggregation_methods": a.aggregation_methods.split(",")}
            st, body = c.call(conn, "POST", "/v1/archive_policy", json.dumps(doc))
            if st == 201:
                log("archive policy %s created" % name)
            elif st == 409:
                log("archive policy %s already exists; reusing it" % name)
            else:
                raise SystemExit("POST /v1/archive_policy -> %d %s" % (st, body[:300]))
        st, body = c.call(conn, "GET", "/v1/archive_policy/" + urllib.parse.quote(name))
        if st != 200:
            raise SystemExit("GET /v1/archive_policy/%s -> %d %s" % (name, st, body[:300]))
        pol = json.loads(body)
        self.policy = pol
        self.r["archive_policy"] = pol
        log("archive policy %s: %s; methods %s; back_window %s" % (
            name, "; ".join("granularity %s timespan %s" % (d.get("granularity"), d.get("timespan"))
                            for d in pol["definition"]),
            ",".join(sorted(pol.get("aggregation_methods", []))), pol.get("back_window")))
        conn.close()

        run = uuid.uuid4().hex[:8]
        self.r["run_id"] = run
        ids = [None] * a.metrics
        nxt = [0]
        lock = threading.Lock()
        errs = []

        def worker(_):
            cn = c.connection()
            while True:
                with lock:
                    i = nxt[0]
                    nxt[0] += 1
                if i >= a.metrics:
                    break
                doc = {"archive_policy_name": name, "name": "api-load-%s-%d" % (run, i), "unit": "%"}
                st, body = c.call(cn, "POST", "/v1/metric", json.dumps(doc))
                if st == 201:
                    ids[i] = json.loads(body)["id"]
                else:
                    errs.append("%d %s" % (st, body[:200]))
            cn.close()

        t0 = time.perf_counter()
        self.run_threads(a.connections, worker)
        el = time.perf_counter() - t0
        if errs:
            raise SystemExit("metric creation failed (%d errors), e.g. %s" % (len(errs), errs[0]))
        self.ids = ids
        self.r["setup"] = {"metrics": len(ids), "seconds": round(el, 3), "per_s": round(len(ids) / el, 1)}
        log("setup: %d metrics created in %.2f s (%.0f/s, %d connections)" % (len(ids), el, len(ids) / el,
                                                                           a.connections))

    # ---------------------------------------------------------------- ingest
    def build_requests(self):
        """Groups of --batch-metrics metrics; round r of group g carries measures r*K..r*K+K-1 of each
        of its metrics. Returned in round-major order, so that any connection can send any request while
        each metric still receives its measures in time order (see ingest())."""
        a = self.a
        K, B = a.batch_measures, a.batch_metrics
        groups = [self.ids[i:i + B] for i in range(0, len(self.ids), B)]
        per_metric = a.measures // len(self.ids)
        rounds = max(1, per_metric // K)
        self.per_metric = rounds * K
        step = a.interval
        end = int(time.time()) // step * step
        start = end - rounds * K * step
        self.r["timestamps"] = [start, start + (rounds * K - 1) * step]
        ts = [dt.datetime.fromtimestamp(start + i * step, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
              for i in range(rounds * K)]
        vals = {m: self.rng.uniform(0, 100) for m in self.ids}
        gauss = self.rng.gauss
        reqs = []  # (group index, round, raw request bytes, measures)
        for r in range(rounds):
            tss = ts[r * K:(r + 1) * K]
            for gi, g in enumerate(groups):
                chunks = []
                for m in g:
                    v = vals[m]
                    pts = []
                    for t in tss:
                        v = min(100.0, max(0.0, v + gauss(0, 2)))
                        pts.append('{"timestamp":"%s","value":%.2f}' % (t, v))
                    vals[m] = v
                    chunks.append('"%s":[%s]' % (m, ",".join(pts)))
                body = "{" + ",".join(chunks) + "}"
                reqs.append((gi, r, self.client.raw("POST", "/v1/batch/metrics/measures", body), len(g) * K,
                             len(body)))
        return reqs, len(groups)

    def ingest(self):
        a = self.a
        t0 = time.perf_counter()
        reqs, ngroups = self.build_requests()
        nbytes = sum(x[4] for x in reqs)
        total = sum(x[3] for x in reqs)
        log("ingest: %d requests (%d metrics x %d measures each), %d measures, %.1f MiB of JSON "
            "(%.0f B/measure), built in %.1f s" % (
                len(reqs), a.batch_metrics, a.batch_measures, total, mib(nbytes), nbytes / total,
                time.perf_counter() - t0))
        # Round r of a group may only go once round r-1 of that group was answered (ordering per metric).
        done = [0] * ngroups
        cond = threading.Condition()
        nxt = [0]
        lock = threading.Lock()
        accepted = [0] * a.connections
        lat = [[] for _ in range(a.connections)]
        errs = []
        waits = [0]

        def worker(t):
            cn = self.client.connection()
            cn.connect()
            mine = lat[t]
            ready.wait()
            while True:
                with lock:
                    i = nxt[0]
                    nxt[0] += 1
                if i >= len(reqs):
                    break
                gi, rnd, raw, n, _ = reqs[i]
                if done[gi] != rnd:
                    with cond:
                        waits[0] += 1
                        cond.wait_for(lambda: done[gi] == rnd)
                s0 = time.perf_counter()
                st, body = cn.exchange(raw)
                mine.append(time.perf_counter() - s0)
                if st == 202:
                    accepted[t] += n
                elif len(errs) < 5:
                    errs.append("%d %s" % (st, body[:200]))
                else:
                    errs.append(None)
                with cond:
                    done[gi] = rnd + 1
                    cond.notify_all()
            cn.close()

        ready = threading.Event()
        ths = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(a.connections)]
        for th in ths:
            th.start()
        time.sleep(0.2)  # every connection established before the clock starts
        cpu0, host0 = self_cpu(), host_cpu()
        srv0 = {p: cpu_seconds(p) for p in self.pids}
        t_start = time.perf_counter()
        ready.set()
        for th in ths:
            th.join()
        t_end = time.perf_counter()
        cpu1, host1 = self_cpu(), host_cpu()
        el = t_end - t_start
        acc = sum(accepted)
        lats = sorted(x for l in lat for x in l)
        self.t_ingest_start, self.t_ingest_end, self.accepted = t_start, t_end, acc
        hb = 100.0 * os.cpu_count() * (host1[0] - host0[0]) / max(1, host1[1] - host0[1])
        i = {"requests": len(reqs), "measures_sent": total, "measures_accepted": acc,
             "errors": len(errs), "seconds": round(el, 4), "measures_per_s": round(acc / el, 1),
             "requests_per_s": round(len(reqs) / el, 1), "mib_per_s": round(mib(nbytes) / el, 1),
             "req_ms_p50": round(pctl(lats, 50) * 1e3, 3), "req_ms_p99": round(pctl(lats, 99) * 1e3, 3),
             "client_cpu_s": round(cpu1 - cpu0, 3), "client_cores": round((cpu1 - cpu0) / el, 2),
             "host_busy_pct": round(hb, 1), "ordering_waits": waits[0]}
        if self.pids:
            i["server_cpu_s"] = round(sum(cpu_seconds(p) - srv0[p] for p in self.pids), 3)
            i["server_cores"] = round(i["server_cpu_s"] / el, 2)
        self.r["ingest"] = i
        log("ingest: %d/%d measures accepted in %.3f s -> %s measures/s (%.0f req/s, %.1f MiB/s; request "
            "p50 %.2f ms, p99 %.2f ms), %d errors%s" % (
                acc, total, el, format(round(acc / el), ","), len(reqs) / el, mib(nbytes) / el,
                i["req_ms_p50"], i["req_ms_p99"], len(errs), (" e.g. " + errs[0]) if errs else ""))
        log("ingest: client CPU %.2f s (%.2f cores)%s; host busy %.0f%% of %d00%%" % (
            i["client_cpu_s"], i["client_cores"],
            ("; server CPU %.2f s (%.2f cores)" % (i["server_cpu_s"], i["server_cores"])) if self.pids else "",
            hb, os.cpu_count()))

    # ---------------------------------------------------------------- drain
    def drain(self):
        a = self.a
        cn = self.client.connection()
        s0 = time.perf_counter()
        first = self.status(cn)
        status_s = [time.perf_counter() - s0]
        t_end = None
        last = first
        deadline = time.perf_counter() + a.drain_timeout
        last_print = time.perf_counter()
        while time.perf_counter() < deadline:
            # A status call reads the whole backlog on some servers (tens of ms for 1 M waiting measures):
            # wait at least 4 times as long as the last call took, so that polling costs the server at
            # most ~20 % of one core and does not slow the drain it measures.
            time.sleep(max(a.drain_poll, 4 * status_s[-1]))
            s0 = time.perf_counter()
            s = self.status(cn)
            now = time.perf_counter()
            status_s.append(now - s0)
            last = s
            if s[1] == 0 and s[0] == 0:
                t_end = now
                break
            if now - last_print > 10:
                log("  drain: %d metrics / %d measures pending (+%.0f s)" % (s[0], s[1], now - self.t_ingest_end))
                last_print = now
        cn.close()
        d = {"backlog_at_ingest_end": {"metrics": first[0], "measures": first[1]},
             "status_calls": len(status_s), "status_ms_first": round(status_s[0] * 1e3, 2),
             "status_ms_max": round(max(status_s) * 1e3, 2)}
        if t_end is None:
            d["timed_out"] = True
            d["last"] = last
            log("drain: TIMED OUT after %.0f s, backlog %s" % (a.drain_timeout, last))
        else:
            drain_s = t_end - self.t_ingest_end
            e2e = t_end - self.t_ingest_start
            d.update({"seconds_after_ingest": round(drain_s, 4), "end_to_end_seconds": round(e2e, 4),
                      "end_to_end_measures_per_s": round(self.accepted / e2e, 1)})
            log("drain: backlog at ingest end %d metrics / %d measures (server's unit); empty %.3f s after "
                "ingest end; end-to-end %.3f s -> %s measures/s (%d status calls, first %.1f ms, slowest %.1f ms)"
                % (first[0], first[1], drain_s, e2e, format(round(self.accepted / e2e), ","), len(status_s),
                   status_s[0] * 1e3, max(status_s) * 1e3))
        self.r["drain"] = d

    # ---------------------------------------------------------------- verify
    def verify(self):
        a = self.a
        cn = self.client.connection()
        gran = self.policy["definition"][0]["granularity"]
        g = gran
        if isinstance(gran, str) and ":" in gran:  # "0:01:00" -> seconds
            h, m, s = gran.split(":")
            g = str(int(h) * 3600 + int(m) * 60 + float(s)).rstrip("0").rstrip(".")
        sample = self.rng.sample(self.ids, min(a.verify, len(self.ids)))
        ok = 0
        bad = []
        for m in sample:
            st, body = self.client.call(cn, "GET", "/v1/metric/%s/measures?aggregation=count&granularity=%s"
                                        % (m, urllib.parse.quote(str(g))))
            if st != 200:
                bad.append("%s HTTP %d %s" % (m, st, body[:100]))
                continue
            n = int(sum(p[2] for p in json.loads(body)))
            if n == self.per_metric:
                ok += 1
            else:
                bad.append("%s has %d points, sent %d" % (m, n, self.per_metric))
        cn.close()
        self.r["verify"] = {"sampled": len(sample), "complete": ok, "problems": bad[:5]}
        if "count" not in self.policy.get("aggregation_methods", ["count"]):
            log("verify: skipped (the policy has no count aggregate)")
            return
        log("verify: %d/%d sampled metrics hold all %d measures (count aggregate at %ss)%s" % (
            ok, len(sample), self.per_metric, g, ("; " + "; ".join(bad[:3])) if bad else ""))

    # ---------------------------------------------------------------- GET measures
    def get_measures(self, fresh):
        a = self.a
        name = "fresh connection" if fresh else "persistent"
        lats, sizes, errs = [], [0], []
        rng = random.Random(a.seed + (1 if fresh else 0))
        raws = [self.client.raw("GET", "/v1/metric/%s/measures" % rng.choice(self.ids))
                for _ in range(a.get_requests)]
        per = [raws[t::a.get_connections] for t in range(a.get_connections)]
        out = [[] for _ in per]
        cpu0 = self_cpu()

        def worker(t):
            cn = self.client.connection()
            cn.exchange(self.client.raw("GET", "/v1/archive_policy/" + urllib.parse.quote(self.policy["name"])))
            for raw in per[t]:
                if fresh:
                    cn.close()
                s0 = time.perf_counter()
                st, body = cn.exchange(raw)  # fresh: includes the TCP connect
                out[t].append(time.perf_counter() - s0)
                sizes[0] += len(body)
                if st != 200:
                    errs.append("%d %s" % (st, body[:200]))
            cn.close()

        t0 = time.perf_counter()
        self.run_threads(a.get_connections, worker)
        wall = time.perf_counter() - t0
        cpu = self_cpu() - cpu0
        lats = sorted(x for o in out for x in o)
        q = {"n": len(lats), "errors": len(errs), "connections": a.get_connections,
             "p50_ms": round(pctl(lats, 50) * 1e3, 3), "p90_ms": round(pctl(lats, 90) * 1e3, 3),
             "p99_ms": round(pctl(lats, 99) * 1e3, 3), "max_ms": round(lats[-1] * 1e3, 3),
             "mean_ms": round(sum(lats) / len(lats) * 1e3, 3),
             "req_per_s": round(len(lats) / wall, 1), "avg_bytes": sizes[0] // max(1, len(lats)),
             "client_cpu_ms_per_req": round(cpu / max(1, len(lats)) * 1e3, 3)}
        self.r["get_" + ("fresh" if fresh else "persistent")] = q
        log("GET measures, %-16s n=%d: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms (%.0f req/s, "
            "%d B/answer, client CPU %.3f ms/req), %d errors%s" % (
                name, q["n"], q["p50_ms"], q["p90_ms"], q["p99_ms"], q["max_ms"], q["req_per_s"],
                q["avg_bytes"], q["client_cpu_ms_per_req"], len(errs), (" e.g. " + errs[0]) if errs else ""))

    # ---------------------------------------------------------------- main
    def rss_line(self, label):
        vals = {p: rss_bytes(p) for p in self.pids}
        log("RSS %s: %s" % (label, ", ".join("pid %d %.1f MiB" % (p, mib(v)) for p, v in vals.items())))
        return {str(p): round(mib(v), 2) for p, v in vals.items()}

    def run(self):
        a = self.a
        cn = self.client.connection()
        try:
            st = self.status(cn)
        except (OSError, HTTPError) as e:
            raise SystemExit("cannot reach %s: %s" % (a.url, e))
        cn.close()
        log("server %s: backlog before the run %d metrics / %d measures" % (a.url, st[0], st[1]))
        rss = {}
        if self.pids:
            rss["before_mib"] = self.rss_line("before the run")
        t_all = time.perf_counter()
        self.setup()
        sampler = RSSSampler(self.pids) if self.pids else None
        if sampler:
            sampler.start()
        self.ingest()
        self.drain()
        if sampler:
            peak = sampler.stop()
            rss["peak_ingest_drain_mib"] = {str(p): round(mib(v), 2) for p, v in peak.items()}
            log("RSS peak during ingest+drain: %s" % ", ".join("pid %d %.1f MiB" % (p, mib(v))
                                                             for p, v in peak.items()))
        if a.verify:
            self.verify()
        if a.get_requests:
            self.get_measures(fresh=False)
            self.get_measures(fresh=True)
        if self.pids:
            rss["after_mib"] = self.rss_line("after the run")
            self.r["rss"] = rss
        self.r["total_seconds"] = round(time.perf_counter() - t_all, 1)
        self.summary()
        print("API_LOAD_JSON " + json.dumps(self.r, separators=(",", ":")), flush=True)

    def summary(self):
        r = self.r
        rows = [("ingest (POST batch, wall time of all POSTs)", "%s measures/s" % format(
            round(r["ingest"]["measures_per_s"]), ","))]
        d = r["drain"]
        if "seconds_after_ingest" in d:
            rows.append(("backlog drained after ingest end", "%.3f s" % d["seconds_after_ingest"]))
            rows.append(("end to end (first POST -> backlog empty)", "%s measures/s" % format(
                round(d["end_to_end_measures_per_s"]), ",")))
        for k, label in (("get_persistent", "GET measures, persistent"), ("get_fresh", "GET measures, fresh conn.")):
            if k in r:
                q = r[k]
                rows.append((label, "p50 %.2f / p90 %.2f / p99 %.2f / max %.2f ms" % (
                    q["p50_ms"], q["p90_ms"], q["p99_ms"], q["max_ms"])))
        if "rss" in r:
            for k, label in (("before_mib", "server RSS before"), ("peak_ingest_drain_mib", "server RSS peak"),
                             ("after_mib", "server RSS after")):
                rows.append((label, " + ".join("%.1f" % v for v in r["rss"][k].values()) + " MiB"))
        log("")
        log("== summary: %s" % r["url"])
        w = max(len(x[0]) for x in rows)
        for k, v in rows:
            log("  %-*s  %s" % (w, k, v))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default=os.environ.get("API_LOAD_URL", "http://127.0.0.1:8041"),
                   help="server base URL (default $API_LOAD_URL or http://127.0.0.1:8041)")
    p.add_argument("--user", default="admin",
                   help="HTTP Basic user ('user' or 'user:password'); must be an admin for /v1/status (default admin)")
    p.add_argument("--metrics", type=int, default=1000, help="metrics to create (default 1000)")
    p.add_argument("--measures", type=int, default=1_000_000, help="measures to post in total (default 1000000)")
    p.add_argument("--batch-metrics", type=int, default=100, help="metrics per batch request (default 100)")
    p.add_argument("--batch-measures", type=int, default=10, help="measures per metric per request (default 10)")
    p.add_argument("--connections", type=int, default=4, help="connections for setup and ingest (default 4)")
    p.add_argument("--archive-policy", default=None,
                   help="use this existing archive policy (default: create or reuse 'api-load' from "
                        "--policy-definition and --aggregation-methods)")
    p.add_argument("--policy-definition", default="60s:7 days,1h:365 days",
                   help="granularity:timespan,... of the created policy (default '60s:7 days,1h:365 days')")
    p.add_argument("--aggregation-methods", default=METHODS, help="methods of the created policy (default %s)" % METHODS)
    p.add_argument("--interval", type=int, default=10, help="seconds between a metric's measures (default 10)")
    p.add_argument("--get-requests", type=int, default=2000,
                   help="GET measures requests per connection mode, 0 to skip (default 2000)")
    p.add_argument("--get-connections", type=int, default=1, help="concurrent GET clients (default 1)")
    p.add_argument("--verify", type=int, default=20, help="metrics whose point count is checked, 0 to skip (default 20)")
    p.add_argument("--pid", type=int, action="append", default=[],
                   help="server process: report the RSS of it and its descendants (repeatable)")
    p.add_argument("--drain-poll", type=float, default=0.02,
                   help="shortest GET /v1/status period while draining (s, default 0.02; "
                        "at least 4x the last status call's duration)")
    p.add_argument("--drain-timeout", type=float, default=1800, help="give up draining after (s, default 1800)")
    p.add_argument("--timeout", type=float, default=120, help="socket timeout (s)")
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args(argv)
    if a.measures < a.metrics * a.batch_measures:
        p.error("--measures must be at least --metrics x --batch-measures")
    Bench(a).run()


if __name__ == "__main__":
    main()
