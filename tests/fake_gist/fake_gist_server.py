#!/usr/bin/env python3
"""Fake GitHub Gist API for ccu's tests (Python 3 standard library only).

    python3 fake_gist_server.py --port-file PATH

Serves the API on http://127.0.0.1:N, raw file content on http://localhost:M (a different host
name and port, like api.github.com vs gist.githubusercontent.com) and git smart HTTP on
http://127.0.0.1:G (gist.github.com/{id}.git), then atomically writes
PATH = {"api_port": N, "raw_port": M, "git_port": G, "pid": P}. Each gist is a bare git repository
in a temporary state directory, removed at exit. Exits on SIGTERM/SIGINT or when its parent dies.
Control endpoints under /_fake/ and every emulated GitHub behaviour: see README.md.
"""

import hashlib
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

sys.dont_write_bytecode = True  # write nothing to disk but the port file
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fake_gist_api import ApiError, Request, Routes  # noqa: E402
from fake_gist_control import Control  # noqa: E402
from fake_gist_git import serve_git  # noqa: E402
from fake_gist_support import (DOC_RATE, Barrier, CountingReader, CountingWriter, Faults,  # noqa: E402
                               RateLimits, RequestLog, make_state_dir)
from gist_model import Model, blob_sha, user_id  # noqa: E402

SUPPORTED_API_VERSIONS = ("2022-11-28", "2026-03-10")
UNSAFE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
CONDITIONAL_HEADERS = ("If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since")
UA_MESSAGE = ("Request forbidden by administrative rules. Please make sure your request has a "
              "User-Agent header (http://developer.github.com/v3/#user-agent-required). "
              "Check https://developer.github.com for other possible causes.\n")


class App:
    """Everything shared by the three listeners; all guarded by model.lock (barrier: its own)."""

    def __init__(self, state_dir):
        self.model = Model(state_dir)
        self.routes = Routes(self.model)
        self.barrier = Barrier()
        self.reset()
        self.api_port = 0
        self.raw_port = 0
        self.git_port = 0

    def reset(self):
        self.barrier.clear()  # releases held requests: nothing waits on a discarded barrier
        self.model.reset()
        self.limits = RateLimits(self.model.config)
        self.faults = Faults()
        self.log = RequestLog()

    @property
    def api_base(self):
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def raw_base(self):
        return f"http://localhost:{self.raw_port}"

    @property
    def git_base(self):
        return f"http://127.0.0.1:{self.git_port}"


class BaseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, keep-alive clients wait ~40 ms
    # for the delayed ACK on every request. GitHub does not make clients wait like that.
    disable_nagle_algorithm = True
    def version_string(self):
        return "FakeGitHub.com"
    port_kind = "api"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    @property
    def app(self):
        return self.server.app

    def setup(self):
        super().setup()
        self.rfile = CountingReader(self.rfile)
        self.wfile = CountingWriter(self.wfile)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, body=b"", headers=None, content_type="application/json; charset=utf-8",
             declared_length=None, stall_ms=0):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, indent=2).encode()
        # Logged before the response goes out: a client that reads the request log as soon as it
        # has the response must see the status (recording it afterwards raced with that read).
        if self.entry is not None:
            self.entry["status"] = status
        self.send_response(status)
        if status != 304 and status != 204:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(declared_length if declared_length is not None
                                               else (0 if status in (204, 304) else len(body))))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if status not in (204, 304) and self.command != "HEAD":
            if stall_ms > 0:  # fault "stall_body": half the body, a pause, the rest
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                time.sleep(stall_ms / 1000.0)
                body = body[len(body) // 2:]
            self.wfile.write(body)
        if self.entry is not None:
            self.entry["bytes_sent"] = self.wfile.count

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def handle_any(self):
        try:
            self.handle_request()
        finally:
            self.rfile.count = 0  # the next request on this keep-alive connection starts at 0
            self.wfile.count = 0

    def handle_request(self):
        self.entry = None
        url = urlsplit(self.path)
        body = self.read_body()
        if url.path.startswith("/_fake/") and self.port_kind == "api":
            return self.control(url.path, url.query, body)
        text = "" if self.port_kind == "git" else body.decode("utf-8", errors="replace")
        with self.app.model.lock:
            self.entry = self.app.log.add(self.command, self.path, self.server.server_address[1],
                                          self.headers.get("Host", ""), self.headers, text,
                                          self.rfile.count)
            fault = self.app.faults.take(self.command, url.path, self.port_kind)
        if fault is not None:
            if fault.action == "delay":
                time.sleep(fault.delay_ms / 1000.0)
            elif fault.action == "drop":
                return self.drop()
            elif fault.action in ("status", "secondary_rate_limit"):
                with self.app.model.lock:
                    rl = self.rate_headers_for_fault()
                return self.send(fault.status, fault.body if fault.body is not None else b"",
                                 {**rl, **fault.headers})
        return self.serve(url, body, fault)

    def rate_headers_for_fault(self):
        return {}

    def control(self, path, query, body):
        try:
            payload = json.loads(body) if body.strip() else None
        except ValueError:
            return self.send(400, {"message": "Problems parsing JSON"})
        status, out = Control(self.app).handle(self.command, path, payload)
        self.send(status, out)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = lambda self: self.handle_any()


class ApiHandler(BaseHandler):
    port_kind = "api"

    def identify(self):
        """(login, scopes) or raises ApiError 401 for an unknown token; (None, None) without one."""
        auth = self.headers.get("Authorization")
        if auth is None:
            return None, None
        scheme, _, token = auth.strip().partition(" ")
        info = self.app.model.tokens.get(token.strip()) if scheme.lower() in ("bearer", "token") else None
        if info is None:
            raise ApiError(401, "Bad credentials", "https://docs.github.com/rest")
        return info["login"], info["scopes"]

    def rate_headers_for_fault(self):
        try:
            login, _ = self.identify()
        except ApiError:
            return {}
        return self.app.limits.bucket(login or "").headers()

    def serve(self, url, body, fault):
        if not self.headers.get("User-Agent"):
            return self.send(403, UA_MESSAGE.encode(), content_type="text/plain; charset=utf-8")
        version = self.headers.get("X-GitHub-Api-Version", SUPPORTED_API_VERSIONS[0])
        if version not in SUPPORTED_API_VERSIONS:
            return self.send(400, {"message": f"API version {version} is not supported.",
                                   "documentation_url": "https://docs.github.com/rest/about-the-rest-api/api-versions"})
        if self.command in UNSAFE_METHODS and any(self.headers.get(h) for h in CONDITIONAL_HEADERS):
            # GitHub has no compare-and-swap for gists (see README "If-Match").
            return self.send(400, {"message": "Conditional request headers are not allowed in unsafe "
                                              "requests unless supported by the endpoint",
                                   "documentation_url": "https://docs.github.com/rest/gists/gists#update-a-gist",
                                   "status": "400"})
        patched = re.fullmatch(r"/gists/([0-9a-zA-Z]+)", url.path)
        if self.command == "PATCH" and patched:
            self.app.barrier.hold_if_matched("patch", patched.group(1))
        with self.app.model.lock:
            status, payload, headers = self.api_call(url, body, fault, version)
        declared = None
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload, separators=(",", ":")).encode()
        if fault is not None and fault.action == "truncate_body":
            declared = len(payload) + 100
            payload = payload[: len(payload) // 2]
        self.send(status, payload if payload is not None else b"", headers, declared_length=declared)
        if declared is not None:
            self.wfile.flush()
            self.drop()

    def api_call(self, url, body, fault, version):
        headers = {"X-GitHub-Api-Version-Selected": version, "X-GitHub-Media-Type": "github.v3; format=json"}
        try:
            login, scopes = self.identify()
        except ApiError as err:
            return err.status, err.body, headers
        if scopes is not None:
            headers["X-OAuth-Scopes"] = ", ".join(scopes)
            headers["X-Accepted-OAuth-Scopes"] = ""
        if url.path == "/rate_limit":  # does not count against the limit (GitHub docs)
            b = self.app.limits.bucket(login or "")
            core = {"limit": b.limit, "remaining": b.remaining, "used": b.used, "reset": b.reset,
                    "resource": "core"}
            out = {"resources": {"core": core}}
            if version == "2022-11-28":
                out["rate"] = core  # deprecated; removed in API version 2026-03-10
            return 200, out, {**headers, **b.headers()}
        bucket = self.app.limits.bucket(login or "")
        if bucket.remaining <= 0:
            who = f"user ID {user_id(login)}" if login else "127.0.0.1"
            headers.update(bucket.headers())
            status = int(self.app.model.config.get("rate_limit_status", 403))
            return status, {"message": f"API rate limit exceeded for {who}.",
                            "documentation_url": DOC_RATE + "#about-primary-rate-limits"}, headers
        bucket.used += 1
        headers.update(bucket.headers())
        try:
            parsed = json.loads(body) if body.strip() else None
        except ValueError:
            return 400, {"message": "Problems parsing JSON", "documentation_url": "https://docs.github.com/rest"}, headers
        req = Request(self.command, url.path, url.query, parsed, login, scopes,
                      self.app.api_base, self.app.raw_base, version)
        req.empty_content = fault is not None and fault.action == "empty_content"
        try:
            status, payload, extra = self.app.routes.dispatch(req)
        except ApiError as err:
            return err.status, err.body, headers
        headers.update(extra)
        if status == 200 and self.command == "GET":
            encoded = json.dumps(payload, separators=(",", ":")).encode()
            etag = '"' + hashlib.sha256(encoded).hexdigest() + '"'
            headers["ETag"] = etag
            headers["Cache-Control"] = "private, max-age=60, s-maxage=60"
            headers["Vary"] = "Accept, Authorization, Cookie, X-GitHub-OTP"
            if etag_matches(self.headers.get("If-None-Match"), etag):
                if login is not None:  # a 304 made with Authorization does not count (GitHub docs)
                    bucket.used -= 1
                    headers.update(bucket.headers())
                return 304, None, headers
            return status, encoded, headers
        return status, payload, headers


def etag_matches(header, etag):
    if not header:
        return False
    tags = [t.strip() for t in header.split(",")]
    bare = etag[2:] if etag.startswith("W/") else etag
    return "*" in tags or any((t[2:] if t.startswith("W/") else t) == bare for t in tags)


class RawHandler(BaseHandler):
    """gist.githubusercontent.com: /{owner}/{id}/raw/{blob sha}/{name}, no authentication."""

    port_kind = "raw"

    def serve(self, url, body, fault):
        parts = url.path.strip("/").split("/")
        with self.app.model.lock:
            content = self.lookup(parts)
            limit = int(self.app.model.config["raw_limit_bytes"])
        if content is None:
            return self.send(404, b"404: Not Found", content_type="text/plain; charset=utf-8")
        data = content
        if len(data) > limit:
            # GitHub: "for files larger than ten megabytes, you'll need to clone the gist".
            return self.send(403, b"File too large to be served raw; clone the gist via git_pull_url.\n",
                             content_type="text/plain; charset=utf-8")
        etag = '"' + blob_sha(data) + '"'
        if etag_matches(self.headers.get("If-None-Match"), etag):
            return self.send(304, b"", {"ETag": etag})
        declared = None
        if fault is not None and fault.action == "truncate_body":
            declared, data = len(data) + 100, data[: len(data) // 2]
        self.send(200, data, {"ETag": etag, "Cache-Control": "max-age=300"},
                  content_type="text/plain; charset=utf-8", declared_length=declared)
        if declared is not None:
            self.wfile.flush()
            self.drop()

    def lookup(self, parts):
        if len(parts) < 4 or parts[2] != "raw":
            return None
        gist = self.app.model.gists.get(parts[1])
        if gist is None or gist.owner != parts[0]:
            return None
        if len(parts) == 4:  # /{owner}/{id}/raw/{name}: head revision
            self.app.model.sync(gist)
            sha = gist.head.shas.get(parts[3])
            return gist.blobs[sha] if sha else None
        # Like GitHub, only the blob sha selects the content; the trailing file name is informative.
        return gist.blobs.get(parts[3])


class GitHandler(BaseHandler):
    """gist.github.com/{id}.git: smart HTTP through git-http-backend (fake_gist_git.py)."""

    port_kind = "git"

    def serve(self, url, body, fault):
        serve_git(self, url, body, fault)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, handler, app):
        super().__init__(("127.0.0.1", 0), handler)
        self.app = app

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # a client that gave up (timeout tests, dropped git clients): not a server error
        super().handle_error(request, client_address)


def write_port_file(path, data):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, path)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] != "--port-file":  # argparse alone costs ~30 ms of start-up
        print("usage: fake_gist_server.py --port-file PATH", file=sys.stderr)
        return 2
    port_file = argv[1]
    app = App(make_state_dir())
    api = Server(ApiHandler, app)
    raw = Server(RawHandler, app)
    git = Server(GitHandler, app)
    app.api_port, app.raw_port, app.git_port = (s.server_address[1] for s in (api, raw, git))
    app.model.git_base = app.git_base
    stop = threading.Event()
    for srv in (api, raw, git):
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    parent = os.getppid()
    write_port_file(port_file, {"api_port": app.api_port, "raw_port": app.raw_port,
                                "git_port": app.git_port, "pid": os.getpid()})
    try:
        while not stop.wait(0.5):
            if os.getppid() != parent:  # parent died (test runner killed): don't linger
                break
    finally:
        app.barrier.clear()
        for srv in (api, raw, git):
            srv.server_close()
        app.model.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
