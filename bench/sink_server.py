#!/usr/bin/env python3
"""A fake Gnocchi API that does no work, to measure what bench/api_load.py can drive on its own.

Answers just enough of /v1 for api_load.py (status with an empty backlog, archive policy create/read,
metric create, batch measures -> 202, GET measures -> a canned 1 h of 60 s points) with canned bytes,
one thread per connection, reading request bodies in large chunks without parsing them.

    python3 bench/sink_server.py --port 0 &        # prints "sink listening on http://127.0.0.1:PORT/"
    python3 bench/api_load.py --url http://127.0.0.1:PORT

The ingest rate api_load.py reports against it is the client's ceiling on this machine (the sink
also costs CPU, so it is a lower bound), and the GET latencies are the client's own overhead.
"""
import argparse
import json
import socket
import sys
import threading
import uuid

POLICY = json.dumps({"name": "api-load", "back_window": 0, "aggregation_methods": ["mean", "count"],
                     "definition": [{"granularity": "0:01:00", "timespan": "7 days, 0:00:00", "points": 10080}]})
MEASURES = json.dumps([["2026-01-01T%02d:%02d:00+00:00" % (h, m), 60.0, 6.0]
                       for h in range(1) for m in range(60)])
STATUS = json.dumps({"storage": {"summary": {"metrics": 0, "measures": 0}},
                     "metricd": {"processors": None, "statistics": {}}})


def answer(status, body=b""):
    if isinstance(body, str):
        body = body.encode()
    reason = {200: "OK", 201: "Created", 202: "Accepted", 404: "Not Found"}[status]
    return (b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (status, reason.encode(), len(body)) + body)


CANNED = {"status": answer(200, STATUS), "policy": answer(200, POLICY), "policy_created": answer(201, POLICY),
          "accepted": answer(202), "measures": answer(200, MEASURES), "missing": answer(404, "{}")}


def route(method, path):
    path = path.split("?", 1)[0]
    if path == "/v1/status":
        return CANNED["status"]
    if path == "/v1/archive_policy" and method == "POST":
        return CANNED["policy_created"]
    if path.startswith("/v1/archive_policy/"):
        return CANNED["policy"]
    if path == "/v1/metric" and method == "POST":
        return answer(201, json.dumps({"id": str(uuid.uuid4()), "archive_policy_name": "api-load"}))
    if path == "/v1/batch/metrics/measures":
        return CANNED["accepted"]
    if path.endswith("/measures") and method == "GET":
        return CANNED["measures"]
    return CANNED["missing"]


def serve(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    try:
        while True:
            end = buf.find(b"\r\n\r\n")
            while end < 0:
                chunk = conn.recv(262144)
                if not chunk:
                    return
                buf += chunk
                end = buf.find(b"\r\n\r\n")
            head = buf[:end].decode("latin-1")
            buf = buf[end + 4:]
            lines = head.split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                if line[:15].lower() == "content-length:":
                    length = int(line[15:])
            while len(buf) < length:
                chunk = conn.recv(max(262144, length - len(buf)))
                if not chunk:
                    return
                buf += chunk
            buf = buf[length:]
            conn.sendall(route(method, path))
    except OSError:
        pass
    finally:
        conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    a = p.parse_args()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.host, a.port))
    s.listen(1024)
    print("sink listening on http://%s:%d/" % (a.host, s.getsockname()[1]), flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
