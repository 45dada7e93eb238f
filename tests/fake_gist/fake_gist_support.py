"""Rate limits, fault queue and request log of the fake GitHub Gist API (stdlib only).

All methods are called with App.model.lock held unless noted.
"""

import os
import re
import shutil
import tempfile
import threading
import time

DOC_RATE = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = ("You have exceeded a secondary rate limit. Please wait a few minutes before "
                     "you try again. If you reach out to GitHub Support for help, please include "
                     "the request ID FAKE:0000:0000.")


class Bucket:
    """One primary rate-limit window (GitHub: per user, resource "core", one hour)."""

    def __init__(self, limit, now):
        self.limit = limit
        self.used = 0
        self.reset = now + 3600

    def roll(self, now):
        if now >= self.reset:
            self.used = 0
            self.reset = now + 3600

    @property
    def remaining(self):
        return max(0, self.limit - self.used)

    def headers(self):
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-resource": "core",
        }


class RateLimits:
    def __init__(self, config):
        self.config = config
        self.buckets = {}  # login or "" (anonymous) -> Bucket
        self.override = None  # last /_fake/rate_limit body without "login": applies to new buckets too

    def bucket(self, login):
        now = int(time.time())
        b = self.buckets.get(login)
        if b is None:
            limit = int(self.config["rate_limit" if login else "anonymous_rate_limit"])
            b = self.buckets[login] = Bucket(limit, now)
            if self.override is not None and login:
                self._apply(b, self.override)
        b.roll(now)
        return b

    @staticmethod
    def _apply(b, body):
        if "limit" in body:
            b.limit = int(body["limit"])
        if "reset" in body:
            b.reset = int(body["reset"])
        if "remaining" in body:
            b.used = max(0, b.limit - int(body["remaining"]))
        if "used" in body:
            b.used = int(body["used"])

    def set_state(self, body):
        login = body.get("login")
        if login is not None:
            self._apply(self.bucket(login), body)
            return
        self.override = dict(body)
        for name, b in self.buckets.items():
            if name:
                self._apply(b, body)

    def state_json(self):
        return {name or "(anonymous)": {"limit": b.limit, "remaining": b.remaining, "used": b.used,
                                        "reset": b.reset} for name, b in self.buckets.items()}


class Fault:
    ACTIONS = ("status", "drop", "delay", "truncate_body", "empty_content", "secondary_rate_limit",
               "stall_body")

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("fault must be an object")
        self.method = str(spec.get("method", "*")).upper()
        self.path_regex = str(spec.get("path_regex", ""))
        self.regex = re.compile(self.path_regex)
        self.port = spec.get("port", "*")  # "api" | "raw" | "*"
        self.times = int(spec.get("times", 1))
        self.action = spec.get("action", "status")
        if self.action not in self.ACTIONS:
            raise ValueError(f"unknown fault action {self.action!r}")
        self.status = int(spec.get("status", 403 if self.action == "secondary_rate_limit" else 500))
        self.headers = dict(spec.get("headers") or {})
        self.body = spec.get("body")
        self.delay_ms = int(spec.get("delay_ms", 0))
        self.spec = spec
        if self.action == "secondary_rate_limit":
            self.headers.setdefault("Retry-After", "60")
            if self.body is None:
                self.body = {"message": SECONDARY_MESSAGE,
                             "documentation_url": DOC_RATE + "#about-secondary-rate-limits"}
        if self.action == "status" and self.body is None:
            self.body = {"message": "Server Error (injected)"}

    def matches(self, method, path, port_kind):
        return ((self.method == "*" or self.method == method)
                and (self.port == "*" or self.port == port_kind)
                and self.regex.search(path) is not None)

    def to_json(self):
        out = dict(self.spec)
        out["times_left"] = self.times
        return out


class Faults:
    def __init__(self):
        self.queue = []

    def add(self, specs):
        parsed = [Fault(s) for s in specs]  # validate all before queueing any
        self.queue.extend(parsed)
        return len(self.queue)

    def take(self, method, path, port_kind):
        """First queued fault matching this request, consumed once; None if none matches."""
        for fault in self.queue:
            if fault.times > 0 and fault.matches(method, path, port_kind):
                fault.times -= 1
                if fault.times <= 0:
                    self.queue.remove(fault)
                return fault
        return None


class RequestLog:
    def __init__(self):
        self.entries = []

    def add(self, method, path, port, host, headers, body_text, bytes_received):
        """bytes_received / bytes_sent: the whole HTTP message (request line or status line,
        headers, body as on the wire), so benchmarks can count traffic, git included."""
        entry = {"method": method, "path": path, "port": port, "host": host,
                 "headers": {k.lower(): v for k, v in headers.items()},
                 "body": body_text, "status": None, "bytes_received": bytes_received, "bytes_sent": 0}
        self.entries.append(entry)
        return entry


class Barrier:
    """Holds chosen writes before they are applied until a control call releases them, so a test
    can order racing writers exactly (issue #8: races made deterministic). Own lock: a held
    request never blocks the model."""

    TARGETS = ("patch", "receive-pack")
    SAFETY_S = 300  # a forgotten hold cannot hang a client forever

    def __init__(self):
        self.cond = threading.Condition()
        self.pending = []  # [{"target", "gist", "count"}], first match wins
        self.held = []     # tickets of requests waiting now, in arrival order

    def add(self, spec):
        target = spec.get("target", "patch")
        if target not in self.TARGETS:
            raise ValueError(f"hold target must be one of {self.TARGETS}")
        count = int(spec.get("count", 1))
        if count < 1:
            raise ValueError("count must be >= 1")
        with self.cond:
            self.pending.append({"target": target, "gist": spec.get("gist"), "count": count})
            return self.counts()

    def hold_if_matched(self, target, gist_id):
        """Called by a request about to be applied (no other lock held). Blocks while held."""
        with self.cond:
            spec = next((p for p in self.pending if p["target"] == target
                         and p["gist"] in (None, gist_id)), None)
            if spec is None:
                return False
            spec["count"] -= 1
            if spec["count"] <= 0:
                self.pending.remove(spec)
            ticket = {"target": target, "gist": gist_id, "released": False}
            self.held.append(ticket)
            self.cond.notify_all()
            deadline = time.monotonic() + self.SAFETY_S
            while not ticket["released"] and time.monotonic() < deadline:
                self.cond.wait(timeout=1.0)
            if ticket in self.held:
                self.held.remove(ticket)
            return True

    def release(self, count=None):
        with self.cond:
            chosen = self.held if count is None else self.held[:int(count)]
            for ticket in chosen:
                ticket["released"] = True
            self.held = [t for t in self.held if not t["released"]]
            self.cond.notify_all()
            return len(chosen)

    def wait_held(self, count, timeout_s):
        with self.cond:
            deadline = time.monotonic() + timeout_s
            while len(self.held) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(timeout=left)
            return True

    def clear(self):
        with self.cond:
            self.pending.clear()
        self.release()

    def counts(self):
        with self.cond:
            return {"held": len(self.held), "holds_pending": sum(p["count"] for p in self.pending),
                    "holds": [dict(p) for p in self.pending]}


class CountingReader:
    """Counts the bytes a connection delivered (request log: bytes_received)."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def read(self, *args):
        data = self.raw.read(*args)
        self.count += len(data)
        return data

    def readline(self, *args):
        data = self.raw.readline(*args)
        self.count += len(data)
        return data

    def __getattr__(self, name):
        return getattr(self.raw, name)


class CountingWriter:
    """Counts the bytes sent on a connection (request log: bytes_sent)."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def write(self, data):
        self.count += len(data)
        return self.raw.write(data)

    def __getattr__(self, name):
        return getattr(self.raw, name)


def make_state_dir():
    """Where the gists' repositories live. tmpfs when there is one: on a loaded machine a disk
    mkdir costs ~3 ms and each gist needs a few, while the C++ tests start a server per test."""
    shm, base = "/dev/shm", None
    try:  # the pre-receive hook must be executable there (containers often mount it noexec)
        if os.access(shm, os.W_OK | os.X_OK) and not os.statvfs(shm).f_flag & os.ST_NOEXEC:
            base = shm
    except OSError:
        pass
    parent = base or tempfile.gettempdir()
    sweep_dead_state_dirs(parent)
    return tempfile.mkdtemp(prefix=f"{STATE_PREFIX}{os.getpid()}-", dir=parent)


STATE_PREFIX = "ccu-fakegist-state-"


def sweep_dead_state_dirs(parent):
    """A server killed with SIGKILL cannot remove its state dir; the next one does (its pid is dead)."""
    try:
        names = [n for n in os.listdir(parent) if n.startswith(STATE_PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(STATE_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
