"""A tiny HTTP client for the Stratus API (standard library only), used by the browser tests to make data and
to read what the console should show."""
import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request


class APIError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body[:300]!r}")
        self.status = status
        self.body = body


class StratusAPI:
    def __init__(self, base_url, user="admin"):
        self.base_url = base_url.rstrip("/")
        self.auth = "Basic " + base64.b64encode(f"{user}:".encode()).decode()

    def request(self, method, path, body=None, query=None):
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True)
        data = None
        headers = {"Authorization": self.auth, "Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            raise APIError(error.code, error.read().decode(errors="replace")) from None

    def get(self, path, **query):
        return self.request("GET", path, query=query or None)[1]

    def post(self, path, body, **query):
        return self.request("POST", path, body=body, query=query or None)[1]

    def patch(self, path, body):
        return self.request("PATCH", path, body=body)[1]

    def wait_processed(self, metric_id, expected_at_60s, timeout=60):
        """Waits until metricd has aggregated the metric's measures into `expected_at_60s` buckets of 60 s."""
        deadline = time.monotonic() + timeout
        points = []
        while time.monotonic() < deadline:
            points = self.get(f"/v1/metric/{metric_id}/measures", granularity=60)
            if len(points) >= expected_at_60s:
                return points
            time.sleep(0.5)
        raise AssertionError(f"metricd did not process metric {metric_id}: {len(points)} of {expected_at_60s} points")
