"""The console in keystone mode: there is no sign-in form, the page calls the API as it is, and an
authenticating proxy in front adds the identity headers (here a small proxy of the test's own, standing in for
keystonemiddleware). Needs STRATUS_KEYSTONE_URL: a `stratus all-in-one --set api.auth_mode=keystone`."""
import http.server
import json
import os
import threading
import unittest
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from test_console import OUTPUT, make_driver

UPSTREAM = os.environ.get("STRATUS_KEYSTONE_URL")
IDENTITY = {"X-User-Id": "u-console", "X-Project-Id": "p-console", "X-Roles": "member"}


class IdentityProxy(http.server.BaseHTTPRequestHandler):
    """Forwards every request to UPSTREAM, dropping any identity header the client sent and adding IDENTITY."""

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "connection", "x-user-id", "x-project-id", "x-roles")}
        headers.update(IDENTITY)
        request = urllib.request.Request(UPSTREAM + self.path, data=body, method=self.command, headers=headers)
        try:
            response = urllib.request.urlopen(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        data = response.read()
        self.send_response(response.status if hasattr(response, "status") else response.code)
        for key, value in response.headers.items():
            if key.lower() not in ("connection", "transfer-encoding", "content-length", "date", "server"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = forward

    def log_message(self, *args):
        pass


@unittest.skipUnless(UPSTREAM, "STRATUS_KEYSTONE_URL is not set (scripts/run-browser-tests starts that server)")
class KeystoneModeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), IdentityProxy)
        threading.Thread(target=cls.proxy.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.proxy.server_address[1]}"
        cls.driver = make_driver()
        cls.wait = WebDriverWait(cls.driver, 20)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.proxy.shutdown()
        cls.proxy.server_close()

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"} if data else {})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return json.loads(text) if text else None

    def test_the_console_uses_the_proxys_identity(self):
        # Without the proxy, the API refuses; the console's files do not need it.
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(UPSTREAM + "/v1/metric", timeout=30)
        self.assertEqual(refused.exception.code, 401)
        with urllib.request.urlopen(UPSTREAM + "/ui/", timeout=30) as page:
            self.assertEqual(page.status, 200)
        # A metric of the proxied user, with measures.
        metric = self.call("POST", "/v1/metric", {"name": "keystone.cpu", "archive_policy_name": "medium"})
        self.assertEqual(metric["creator"], "u-console:p-console")
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        measures = [{"timestamp": (now - timedelta(minutes=m)).isoformat(), "value": float(m)} for m in range(1, 21)]
        self.call("POST", f"/v1/metric/{metric['id']}/measures", measures)
        expected = self.call("GET", f"/v1/metric/{metric['id']}/measures?refresh=true&granularity=60")
        self.assertEqual(len(expected), 20)

        self.driver.get(f"{self.base}/ui/#/metrics?ids={metric['id']}&range=1h")
        who = self.wait.until(EC.visibility_of_element_located((By.ID, "who")))
        self.assertIn("keystone", who.text)
        self.assertEqual(self.driver.find_elements(By.ID, "signin-user"), [])
        script = """
            const g = document.querySelector('svg[data-testid="chart"] g.series[data-series="' + arguments[0] + '"][data-granularity="60"]');
            return g ? [g.getAttribute('data-points'), g.closest('svg').dataset.start, g.closest('svg').dataset.end] : null;"""
        points, start, end = self.wait.until(lambda d: d.execute_script(script, metric["id"]))
        shown = self.call("GET", f"/v1/metric/{metric['id']}/measures?granularity=60&start={start}&stop={end}")
        self.assertEqual(json.loads(points), shown)
        self.assertGreaterEqual(len(shown), 19)
        self.driver.save_screenshot(os.path.join(OUTPUT, "keystone-metrics.png"))


if __name__ == "__main__":
    unittest.main()
