"""Shared helpers of the fake Gist server self-tests (standard library only)."""

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from urllib.parse import urlsplit

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fake_gist_server.py")
TOKEN = "ghp_classic_alice"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.raw = body

    @property
    def json(self):
        return json.loads(self.raw)


def start_server(port_dir):
    port_file = os.path.join(port_dir, "ports.json")
    proc = subprocess.Popen([sys.executable, SERVER, "--port-file", port_file])
    deadline = time.monotonic() + 10
    while not os.path.exists(port_file):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("fake server did not start")
        time.sleep(0.01)
    with open(port_file, encoding="utf-8") as f:
        return proc, json.load(f)


class FakeGistTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.proc, cls.ports = start_server(cls.tmp.name)
        cls.api_port = cls.ports["api_port"]
        cls.raw_port = cls.ports["raw_port"]

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        cls.proc.wait(timeout=10)
        cls.tmp.cleanup()

    def setUp(self):
        self.control("POST", "/_fake/reset")
        self.control("POST", "/_fake/tokens", {"token": TOKEN, "login": "alice", "scopes": ["gist", "repo"]})

    # ---- helpers ----------------------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, token=TOKEN, port=None, host="127.0.0.1",
                user_agent="fakegist-selftest"):
        conn = http.client.HTTPConnection(host, port or self.api_port, timeout=30)
        hdrs = dict(headers or {})
        if user_agent is not None:
            hdrs.setdefault("User-Agent", user_agent)
        if token is not None:
            hdrs.setdefault("Authorization", f"Bearer {token}")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return Response(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()

    def control(self, method, path, body=None):
        resp = self.request(method, path, body if body is not None else ({} if method == "POST" else None),
                            token=None)
        self.assertLess(resp.status, 300, resp.raw)
        return resp.json

    def create(self, files, **extra):
        body = {"files": {n: {"content": c} for n, c in files.items()}, **extra}
        resp = self.request("POST", "/gists", body)
        self.assertEqual(resp.status, 201, resp.raw)
        return resp.json

    def raw_get(self, raw_url, headers=None):
        url = urlsplit(raw_url)
        return self.request("GET", url.path, token=None, port=url.port, host=url.hostname, headers=headers)

    def patch(self, gist_id, files, **kwargs):
        return self.request("PATCH", f"/gists/{gist_id}", {"files": files}, **kwargs)


ASKPASS = '#!/bin/sh\ncase "$1" in Username*) echo anyone ;; *) echo "$FAKE_GIST_TOKEN" ;; esac\n'


class GitTestCase(FakeGistTestCase):
    """Runs `git` with a private HOME; the token reaches git through GIT_ASKPASS only."""

    def setUp(self):
        super().setUp()
        self.work = tempfile.TemporaryDirectory()
        self.addCleanup(self.work.cleanup)
        self.askpass = os.path.join(self.work.name, "askpass.sh")
        with open(self.askpass, "w", encoding="utf-8") as f:
            f.write(ASKPASS)
        os.chmod(self.askpass, 0o700)

    def git(self, *args, cwd=None, token=TOKEN, check=True):
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update({"HOME": self.work.name, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
                    "GIT_ASKPASS": self.askpass, "FAKE_GIST_TOKEN": token or "",
                    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
        if token is None:
            env.pop("GIT_ASKPASS")
        proc = subprocess.run(["git", *args], cwd=cwd or self.work.name, env=env, capture_output=True,
                              text=True, timeout=60, check=False)
        if check:
            self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc

    def clone(self, gist_id, name, token=TOKEN):
        self.git("clone", "-q", self.git_url(gist_id), name, token=token)
        return os.path.join(self.work.name, name)

    def git_url(self, gist_id):
        return self.request("GET", f"/gists/{gist_id}").json["git_pull_url"]

    def commit_file(self, checkout, name, content):
        with open(os.path.join(checkout, name), "w", encoding="utf-8") as f:
            f.write(content)
        self.git("add", "-A", cwd=checkout)
        self.git("commit", "-qm", f"write {name}", cwd=checkout)
        return self.git("rev-parse", "HEAD", cwd=checkout).stdout.strip()

    def git_request(self, method, path, token=TOKEN, user="anyone"):
        """A raw HTTP request to the git host (to see status codes and headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.ports["git_port"], timeout=30)
        headers = {"User-Agent": "git/2.39"}
        if token is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
        try:
            conn.request(method, path, headers=headers)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def state(self, gist_id):
        return self.control("GET", "/_fake/state")["gists"][gist_id]


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def non_loopback_address():
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("10.255.255.255", 1))
        addr = s.getsockname()[0]
        s.close()
        return None if addr.startswith("127.") else addr
    except OSError:
        return None
