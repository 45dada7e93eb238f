"""Control endpoints (/_fake/...) of the fake GitHub Gist API; no authentication needed."""

import re

from gist_model import DEFAULT_CONFIG


class Control:
    def __init__(self, app):
        self.app = app

    def handle(self, method, path, body):
        """Returns (status, json)."""
        app = self.app
        if path.startswith("/_fake/hold") or path == "/_fake/release":
            try:  # the barrier has its own lock: waiting here must not stop the model
                return self._barrier(method, path, body if body is not None else {})
            except (ValueError, TypeError) as err:
                return 400, {"message": f"bad control request: {err!r}"}
        with app.model.lock:
            try:
                return self._route(method, path, body if body is not None else {})
            except (ValueError, TypeError, KeyError, AttributeError) as err:
                return 400, {"message": f"bad control request: {err!r}"}

    def _route(self, method, path, body):
        app = self.app
        key = (method, path)
        if key == ("POST", "/_fake/reset"):
            app.reset()
            return 200, {"ok": True}
        if key == ("POST", "/_fake/tokens"):
            token, login = body["token"], body.get("login", "alice")
            scopes = body.get("scopes", ["gist"])
            if not isinstance(token, str) or not token or (scopes is not None and not isinstance(scopes, list)):
                raise ValueError("token must be a non-empty string, scopes a list or null")
            app.model.tokens[token] = {"login": login, "scopes": scopes}
            app.limits.bucket(login)
            return 200, {"ok": True}
        if key == ("POST", "/_fake/config"):
            for name, value in body.items():
                name = "truncate_bytes" if name == "truncated_bytes" else name
                if name not in DEFAULT_CONFIG:
                    raise ValueError(f"unknown config key {name!r}")
                if name == "empty_content_on_patch":
                    if value not in ("delete", "keep"):
                        raise ValueError("empty_content_on_patch must be 'delete' or 'keep'")
                    app.model.config[name] = value
                    continue
                if name == "default_branch":
                    app.model.config[name] = valid_branch(value)
                    continue
                app.model.config[name] = int(value)
                if name == "rate_limit":
                    for login, b in app.limits.buckets.items():
                        if login:
                            b.limit = int(value)
            return 200, {"config": dict(app.model.config)}
        if key == ("POST", "/_fake/faults"):
            return 200, {"queued": app.faults.add(body.get("faults", []))}
        if key == ("GET", "/_fake/faults"):
            return 200, {"faults": [f.to_json() for f in app.faults.queue]}
        if key == ("DELETE", "/_fake/faults"):
            app.faults.queue.clear()
            return 200, {"ok": True}
        if key == ("POST", "/_fake/rate_limit"):
            app.limits.set_state(body)
            return 200, {"rate_limits": app.limits.state_json()}
        if key == ("POST", "/_fake/gists"):
            files = body["files"]
            if not isinstance(files, dict) or not files or not all(isinstance(v, str) for v in files.values()):
                raise ValueError("files must be a non-empty object of name -> content")
            branch = valid_branch(body["branch"]) if "branch" in body else None
            gist = app.model.create_gist(body.get("owner", "alice"), body.get("description", ""),
                                         bool(body.get("public", False)), files, branch=branch)
            return 201, {"id": gist.id, "version": gist.head.version, "branch": gist.branch,
                         "git_url": app.model.git_url(gist)}
        if key == ("GET", "/_fake/state"):
            state = app.model.state_json()
            state["rate_limits"] = app.limits.state_json()
            state["faults_pending"] = len(app.faults.queue)
            state.update(app.barrier.counts())
            return 200, state
        if key == ("GET", "/_fake/requests"):
            return 200, {"requests": list(app.log.entries)}
        if key == ("DELETE", "/_fake/requests"):
            app.log.entries.clear()
            return 200, {"ok": True}
        return 404, {"message": f"unknown control endpoint {method} {path}"}

    def _barrier(self, method, path, body):
        barrier = self.app.barrier
        key = (method, path)
        if key == ("POST", "/_fake/hold"):
            return 200, barrier.add(body)
        if key == ("GET", "/_fake/hold"):
            return 200, barrier.counts()
        if key == ("DELETE", "/_fake/hold"):
            barrier.clear()
            return 200, barrier.counts()
        if key == ("POST", "/_fake/hold/wait"):
            ok = barrier.wait_held(int(body.get("count", 1)), int(body.get("timeout_ms", 10000)) / 1000.0)
            return (200 if ok else 408), barrier.counts()
        if key == ("POST", "/_fake/release"):
            released = barrier.release(body.get("count"))
            return 200, {"released": released, **barrier.counts()}
        return 404, {"message": f"unknown control endpoint {method} {path}"}


def valid_branch(name):
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9._-]+", name) or name.startswith((".", "-")):
        raise ValueError("branch must be a simple branch name such as 'master' or 'main'")
    return name
