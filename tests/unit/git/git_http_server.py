#!/usr/bin/env python3
"""A minimal smart-HTTP git server for tests/unit/git: `git http-backend` behind Basic auth.

Usage: git_http_server.py ROOT PORT_FILE TOKEN [--tls CERT KEY]
Serves ROOT/<name>.git at http(s)://127.0.0.1:PORT/<name>.git. Any user name, TOKEN as the
password (401 with WWW-Authenticate otherwise). Test hooks, as files under ROOT:
  <name>.git/ccu-move-before-receive  holds a commit id: just before the next push is handed to
                                      git, refs/heads/<branch> is moved there (a writer that wins the
                                      race inside the server), then the file is deleted.
 fail-next                           "STATUS COUNT": answer the next COUNT requests with STATUS.
  redirect-to                         a base URL: every request is answered 302 to it + the same path.
  requests.log                        one line per request: METHOD PATH STATUS credentials-sent
"""
import base64
import http.server
import os
import ssl
import subprocess
import sys

ROOT, PORT_FILE, TOKEN = sys.argv[1], sys.argv[2], sys.argv[3]
TLS = sys.argv[5:7] if len(sys.argv) > 4 and sys.argv[4] == "--tls" else None
BACKEND = "/usr/lib/git-core/git-http-backend"


def read_body(handler):
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        out = b""
        while True:
            size = int(handler.rfile.readline().strip().split(b";")[0], 16)
            if size == 0:
                handler.rfile.readline()
                return out
            out += handler.rfile.read(size)
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log(self, status, authed):
        with open(os.path.join(ROOT, "requests.log"), "a") as f:
            f.write(f"{self.command} {self.path} {status} {int(authed)}\n")

    def authorized(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        _, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return password == TOKEN

    def handle_git(self):
        body = read_body(self) if self.command == "POST" else b""
        authed = "Authorization" in self.headers
        redirect = os.path.join(ROOT, "redirect-to")
        if os.path.exists(redirect):
            self.log(302, authed)
            self.send_response(302)
            self.send_header("Location", open(redirect).read().strip() + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        fail = os.path.join(ROOT, "fail-next")
        if os.path.exists(fail):
            status, count = (int(x) for x in open(fail).read().split())
            if count <= 1:
                os.remove(fail)
            else:
                open(fail, "w").write(f"{status} {count - 1}")
            self.log(status, authed)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not self.authorized():
            self.log(401, authed)
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        repo = path.split(".git/")[0].lstrip("/") + ".git"
        hook = os.path.join(ROOT, repo, "ccu-move-before-receive")
        if path.endswith("/git-receive-pack") and os.path.exists(hook):
            target = open(hook).read().strip()
            head = subprocess.run(["git", "-C", os.path.join(ROOT, repo), "symbolic-ref", "HEAD"],
                                  capture_output=True, text=True).stdout.strip()
            subprocess.run(["git", "-C", os.path.join(ROOT, repo), "update-ref", head, target], check=True)
            os.remove(hook)
        env = {
            "GIT_PROJECT_ROOT": ROOT, "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path,
            "QUERY_STRING": query, "REQUEST_METHOD": self.command, "REMOTE_USER": "alice",
            "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        out = subprocess.run([BACKEND], input=body, env=env, capture_output=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.log(status, authed)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = handle_git
    do_POST = handle_git


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if TLS:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS[0], TLS[1])
    server.socket = context.wrap_socket(server.socket, server_side=True)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
