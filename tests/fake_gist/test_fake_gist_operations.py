"""Self-test of fake_gist_server.py, part 2: rate limits, faults, concurrency, control, process.

Run: cd tests/fake_gist && python3 -m unittest discover -v -p 'test_*.py'
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from fake_gist_testlib import HERE, SERVER, TOKEN, FakeGistTestCase, alive, non_loopback_address, start_server


class RateLimitTest(FakeGistTestCase):
    def test_headers_on_every_api_response(self):
        for resp in (self.request("GET", "/user"), self.request("GET", "/gists/none")):
            for h in ("limit", "remaining", "used", "reset", "resource"):
                self.assertIn(f"x-ratelimit-{h}", resp.headers)
        a = self.request("GET", "/user").headers
        b = self.request("GET", "/user").headers
        self.assertEqual(int(a["x-ratelimit-remaining"]) - 1, int(b["x-ratelimit-remaining"]))
        self.assertEqual(int(b["x-ratelimit-used"]), int(a["x-ratelimit-used"]) + 1)

    def test_primary_exhaustion(self):
        reset = int(time.time()) + 600
        self.control("POST", "/_fake/rate_limit", {"remaining": 0, "reset": reset})
        resp = self.request("GET", "/user")
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.headers["x-ratelimit-remaining"], "0")
        self.assertEqual(resp.headers["x-ratelimit-reset"], str(reset))
        self.assertTrue(resp.json["message"].startswith("API rate limit exceeded for user"))
        self.control("POST", "/_fake/config", {"rate_limit_status": 429})
        self.assertEqual(self.request("GET", "/user").status, 429)
        # /rate_limit itself does not count and still answers.
        self.assertEqual(self.request("GET", "/rate_limit").json["resources"]["core"]["remaining"], 0)
        # Once the reset time has passed, the window starts over.
        self.control("POST", "/_fake/rate_limit", {"remaining": 0, "reset": int(time.time()) - 1})
        self.assertEqual(self.request("GET", "/user").status, 200)

    def test_configured_limit_and_exhaustion_by_use(self):
        self.control("POST", "/_fake/config", {"rate_limit": 3})
        statuses = [self.request("GET", "/user").status for _ in range(4)]
        self.assertEqual(statuses, [200, 200, 200, 403])

    def test_secondary_rate_limit_fault(self):
        self.control("POST", "/_fake/faults", {"faults": [{"method": "GET", "path_regex": "^/user$",
                                                          "action": "secondary_rate_limit",
                                                          "headers": {"Retry-After": "7"}}]})
        resp = self.request("GET", "/user")
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.headers["retry-after"], "7")
        self.assertIn("secondary rate limit", resp.json["message"])
        self.assertNotEqual(resp.headers["x-ratelimit-remaining"], "0")
        self.assertEqual(self.request("GET", "/user").status, 200)


class FaultTest(FakeGistTestCase):
    def add(self, **fault):
        self.control("POST", "/_fake/faults", {"faults": [fault]})

    def test_status_fault_consumed_after_times(self):
        self.add(method="GET", path_regex="^/user$", times=2, status=502, body={"message": "bad gateway"})
        self.assertEqual([self.request("GET", "/user").status for _ in range(3)], [502, 502, 200])

    def test_fault_matches_method_and_path(self):
        self.add(method="PATCH", path_regex="^/gists/", status=500)
        self.assertEqual(self.request("GET", "/user").status, 200)
        gist = self.create({"a.txt": "x"})
        self.assertEqual(self.patch(gist["id"], {"a.txt": {"content": "y"}}).status, 500)
        self.assertEqual(self.control("GET", "/_fake/state")["gists"][gist["id"]]["files"]["a.txt"], "x")

    def test_drop(self):
        self.add(method="*", path_regex="^/user$", action="drop")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.request("GET", "/user")
        self.assertEqual(self.request("GET", "/user").status, 200)

    def test_truncate_body(self):
        self.add(path_regex="^/user$", action="truncate_body")
        with self.assertRaises(http.client.IncompleteRead):
            self.request("GET", "/user")

    def test_delay(self):
        self.add(path_regex="^/user$", action="delay", delay_ms=200)
        start = time.monotonic()
        self.assertEqual(self.request("GET", "/user").status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.2)

    def test_empty_content(self):
        gist = self.create({"a.txt": "x", "b.txt": "y"})
        self.add(method="GET", path_regex="^/gists/", action="empty_content")
        files = self.request("GET", f"/gists/{gist['id']}").json["files"]
        self.assertEqual([f["content"] for f in files.values()], ["", ""])
        self.assertEqual(files["a.txt"]["size"], 1)
        self.assertEqual(self.request("GET", f"/gists/{gist['id']}").json["files"]["a.txt"]["content"], "x")

    def test_fault_on_raw_port(self):
        gist = self.create({"a.txt": "x"})
        self.add(port="raw", path_regex="/raw/", status=503)
        self.assertEqual(self.raw_get(gist["files"]["a.txt"]["raw_url"]).status, 503)

    def test_invalid_fault_rejected(self):
        resp = self.request("POST", "/_fake/faults", {"faults": [{"action": "explode"}]}, token=None)
        self.assertEqual(resp.status, 400)


class ConcurrencyTest(FakeGistTestCase):
    def run_threads(self, fn, n):
        errors = []

        def wrap(i):
            try:
                fn(i)
            except Exception as err:  # noqa: BLE001 - surfaced below
                errors.append(err)
        threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def test_concurrent_patches_of_different_files_all_land(self):
        gist = self.create({"base.txt": "b"})
        self.run_threads(lambda i: self.assertEqual(
            self.patch(gist["id"], {f"m{i}.txt": {"content": str(i)}}).status, 200), 16)
        state = self.control("GET", "/_fake/state")["gists"][gist["id"]]
        self.assertEqual(len(state["files"]), 17)
        self.assertEqual(len(state["history"]), 17)

    def test_last_writer_wins_on_the_same_file(self):
        gist = self.create({"manifest.json": "0"})
        self.run_threads(lambda i: self.patch(gist["id"], {"manifest.json": {"content": f"w{i}"}}), 12)
        state = self.control("GET", "/_fake/state")["gists"][gist["id"]]
        self.assertIn(state["files"]["manifest.json"], {f"w{i}" for i in range(12)})
        self.assertEqual(len(state["history"]), 13)


class ControlTest(FakeGistTestCase):
    def test_seed_state_and_reset(self):
        gist_id = self.control("POST", "/_fake/gists", {"owner": "alice", "description": "d", "public": True,
                                                        "files": {"a.txt": "x"}})["id"]
        state = self.control("GET", "/_fake/state")["gists"][gist_id]
        self.assertEqual((state["owner"], state["description"], state["public"]), ("alice", "d", True))
        self.assertEqual(state["files"], {"a.txt": "x"})
        self.assertEqual(len(state["history"]), 1)
        self.control("POST", "/_fake/reset")
        self.assertEqual(self.control("GET", "/_fake/state")["gists"], {})
        self.assertEqual(self.request("GET", "/user").status, 401)  # tokens cleared too

    def test_request_log_in_order_without_control_calls(self):
        self.control("DELETE", "/_fake/requests")
        self.request("GET", "/user")
        self.request("GET", "/gists?per_page=5")
        log = self.control("GET", "/_fake/requests")["requests"]
        self.assertEqual([(r["method"], r["path"]) for r in log], [("GET", "/user"), ("GET", "/gists?per_page=5")])
        self.assertEqual(log[0]["headers"]["authorization"], f"Bearer {TOKEN}")
        self.assertEqual(log[0]["port"], self.api_port)
        self.assertEqual(log[0]["status"], 200)

    def test_unknown_control_endpoint(self):
        self.assertEqual(self.request("POST", "/_fake/nope", {}, token=None).status, 404)
        self.assertEqual(self.request("POST", "/_fake/config", {"bogus": 1}, token=None).status, 400)


class ProcessTest(unittest.TestCase):
    def test_port_file_only_loopback_and_sigterm(self):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.monotonic()
            proc, ports = start_server(tmp)
            startup = time.monotonic() - start
            try:
                self.assertEqual(set(ports), {"api_port", "raw_port", "git_port", "pid"})
                self.assertEqual(ports["pid"], proc.pid)
                self.assertEqual(len({ports["api_port"], ports["raw_port"], ports["git_port"]}), 3)
                self.assertEqual(os.listdir(tmp), ["ports.json"])  # nothing else written
                self.assertLess(startup, 5.0)  # typically ~0.2 s
                # Bound to loopback only: connecting via another local address fails.
                other = non_loopback_address()
                if other:
                    with self.assertRaises(OSError):
                        socket.create_connection((other, ports["api_port"]), timeout=2).close()
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=10), 0)
        # The server wrote no bytecode for its own modules (the test modules may have their own).
        cache = os.path.join(HERE, "__pycache__")
        server_modules = ("fake_gist_server", "fake_gist_api", "fake_gist_control", "fake_gist_support",
                          "gist_model", "git_repo", "fake_gist_git")
        written = os.listdir(cache) if os.path.isdir(cache) else []
        self.assertEqual([f for f in written if f.split(".")[0] in server_modules], [])


class OrphanTest(unittest.TestCase):
    def test_server_exits_when_its_parent_dies(self):
        with tempfile.TemporaryDirectory() as tmp:
            port_file = os.path.join(tmp, "ports.json")
            # An intermediate parent starts the server, waits for its port file, then dies.
            script = ("import os, subprocess, sys, time\n"
                      f"subprocess.Popen([sys.executable, {SERVER!r}, '--port-file', {port_file!r}])\n"
                      f"while not os.path.exists({port_file!r}): time.sleep(0.01)\n"
                      "os._exit(0)\n")
            subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
            with open(port_file, encoding="utf-8") as f:
                pid = json.load(f)["pid"]
            deadline = time.monotonic() + 10
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(alive(pid), "orphaned fake server kept running")


if __name__ == "__main__":
    unittest.main()
