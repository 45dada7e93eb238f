"""The git host of the fake (gist.github.com/{id}.git): git smart HTTP through git-http-backend.

Only the smart routes exist (`info/refs?service=…`, `git-upload-pack`, `git-receive-pack`), like
GitHub, which has no dumb HTTP. Basic auth: any user name, the token as password. Not rate limited
(GitHub's REST limits do not apply to git). See README.md "Git host".
"""

import base64
import re
import subprocess
from urllib.parse import parse_qs

from git_repo import git_env

HTTP_BACKEND = "/usr/lib/git-core/git-http-backend"
_ROUTE = re.compile(r"/([0-9a-zA-Z]+)\.git/(info/refs|git-upload-pack|git-receive-pack)")
_SERVICES = ("git-upload-pack", "git-receive-pack")


class GitReply(Exception):
    """A refusal before git-http-backend runs: (status, text, headers)."""

    def __init__(self, status, text, headers=None):
        super().__init__(text)
        self.status = status
        self.text = text
        self.headers = headers or {}


def route(method, path, query):
    """(gist id, service, is the advertisement) of a smart HTTP request, or raises 404/405."""
    match = _ROUTE.fullmatch(path)
    if match is None:
        raise GitReply(404, "Repository not found.\n")
    gist_id, what = match.groups()
    if what == "info/refs":
        service = parse_qs(query).get("service", [""])[0]
        if service not in _SERVICES:  # dumb HTTP: GitHub has none
            raise GitReply(403, "Please upgrade your git client.\n")
        if method not in ("GET", "HEAD"):
            raise GitReply(405, "Method Not Allowed\n")
        return gist_id, service, True
    if method != "POST":
        raise GitReply(405, "Method Not Allowed\n")
    return gist_id, what, False


def basic_token(header):
    """The password of a Basic Authorization header (any user name), or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2] or None


CHALLENGE = {"WWW-Authenticate": 'Basic realm="GitHub"'}


def authorize(model, gist, service, auth_header):
    """Login allowed to run `service` on `gist`, or raises GitReply 401/403 (GitHub's answers)."""
    token = basic_token(auth_header)
    if token is None:
        if service == "git-upload-pack" and int(model.config["git_anonymous_fetch"]):
            return None
        raise GitReply(401, "Authentication required.\n", CHALLENGE)
    info = model.tokens.get(token)
    if info is None:
        raise GitReply(401, "Invalid username or token. Password authentication is not supported "
                            "for Git operations.\n", CHALLENGE)
    login, scopes = info["login"], info["scopes"]
    if service == "git-receive-pack":
        may_write = scopes is None or "gist" in scopes
        if not may_write or gist.owner != login:
            raise GitReply(403, f"Permission to {gist.id}.git denied to {login}.\n")
    return login


def run_backend(state_dir, home, method, path, query, headers, body):
    """Runs git-http-backend as a CGI program; returns (status, headers dict, body bytes)."""
    env = git_env(home)
    env.update({
        "GIT_PROJECT_ROOT": state_dir,
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REQUEST_METHOD": method,
        "CONTENT_TYPE": headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_USER": "gist",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
    })
    for name, var in (("Content-Encoding", "HTTP_CONTENT_ENCODING"), ("Git-Protocol", "HTTP_GIT_PROTOCOL")):
        if headers.get(name):
            env[var] = headers[name]
    proc = subprocess.run([HTTP_BACKEND], input=body, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env, check=False)
    head, sep, out = proc.stdout.partition(b"\r\n\r\n")
    if not sep:
        head, sep, out = proc.stdout.partition(b"\n\n")
    status, reply_headers = 200, {}
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        elif name:
            reply_headers[name.strip()] = value.strip()
    if not sep:
        return 500, {}, proc.stderr or b"git-http-backend failed\n"
    return status, reply_headers, out


def serve_git(handler, url, body, fault):
    """One git request on the git port; `handler` is the HTTP request handler (plumbing)."""
    app = handler.app
    model = app.model
    try:
        gist_id, service, advert = route(handler.command, url.path, url.query)
        with model.lock:
            gist = model.gists.get(gist_id)
            if gist is None:
                raise GitReply(404, "Repository not found.\n")
            login = authorize(model, gist, service, handler.headers.get("Authorization"))
    except GitReply as reply:
        return handler.send(reply.status, reply.text.encode(), reply.headers,
                            content_type="text/plain; charset=utf-8")
    pushing = service == "git-receive-pack" and not advert
    if pushing:
        app.barrier.hold_if_matched("receive-pack", gist_id)
        with model.lock:
            model.sync(gist)  # attribute earlier commits correctly before this push lands
            gist.pusher = login
    try:
        status, headers, out = run_backend(model.state_dir, model.home, handler.command, url.path,
                                           url.query, handler.headers, body)
    finally:
        if pushing:
            with model.lock:
                model.sync(gist)
                gist.pusher = None
    declared = None
    if fault is not None and fault.action == "truncate_body":
        declared, out = len(out) + 100, out[: len(out) // 2]
    content_type = headers.pop("Content-Type", "application/octet-stream")
    stall_ms = fault.delay_ms if fault is not None and fault.action == "stall_body" else 0
    handler.send(status, out, headers, content_type=content_type, declared_length=declared, stall_ms=stall_ms)
    if declared is not None:
        handler.wfile.flush()
        handler.drop()
