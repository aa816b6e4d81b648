#!/usr/bin/env python3
"""Times POST /v1/aggregates of mean across 100 metrics x one day at 1-minute granularity against a running
Stratus (or Gnocchi) API on 127.0.0.1:PORT with basic auth as admin. Creates 100 `medium` metrics, posts
1,440 measures each in one batch, waits until /v1/status reports no waiting measures, then sends 30
keep-alive requests and prints best, median and max.

Usage: python3 http_aggregates_bench.py PORT
"""
import http.client, json, base64, time, sys, random, statistics
port = int(sys.argv[1]); n_metrics = 100; points = 1440
auth = {"Authorization": "Basic " + base64.b64encode(b"admin:").decode(), "Content-Type": "application/json"}
def req(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=auth)
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, data
ids = []
for i in range(n_metrics):
    s, d = req("POST", "/v1/metric", {"archive_policy_name": "medium"})
    ids.append(json.loads(d)["id"])
t0 = 1704067200
rng = random.Random(1)
batch = {m: [{"timestamp": t0 + 60 * k, "value": round(rng.uniform(0, 100), 2)} for k in range(points)] for m in ids}
s, _ = req("POST", "/v1/batch/metrics/measures", batch); assert s == 202, s
while True:
    s, d = req("GET", "/v1/status?details=false")
    if json.loads(d)["storage"]["summary"]["measures"] == 0: break
    time.sleep(1)
ops = "(aggregate mean (metric " + " ".join("(%s mean)" % m for m in ids) + "))"
path = "/v1/aggregates?granularity=60&start=2024-01-01T00:00:00&stop=2024-01-02T00:00:00"
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
times = []
for i in range(30):
    start = time.perf_counter()
    conn.request("POST", path, body=json.dumps({"operations": ops}), headers=auth)
    r = conn.getresponse(); data = r.read()
    times.append(time.perf_counter() - start)
    assert r.status == 200, data[:300]
out = json.loads(data)["measures"]["aggregated"]
times.sort()
print("points", len(out), "best %.1f ms median %.1f ms max %.1f ms" % (times[0]*1e3, statistics.median(times)*1e3, times[-1]*1e3))
