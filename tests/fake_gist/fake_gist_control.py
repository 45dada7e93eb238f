"""Control endpoints (/_fake/...) of the fake GitHub Gist API; no authentication needed."""

from gist_model import DEFAULT_CONFIG


class Control:
    def __init__(self, app):
        self.app = app

    def handle(self, method, path, body):
        """Returns (status, json)."""
        app = self.app
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
            gist = app.model.create_gist(body.get("owner", "alice"), body.get("description", ""),
                                         bool(body.get("public", False)), files)
            return 201, {"id": gist.id, "version": gist.head.version}
        if key == ("GET", "/_fake/state"):
            state = app.model.state_json()
            state["rate_limits"] = app.limits.state_json()
            state["faults_pending"] = len(app.faults.queue)
            return 200, state
        if key == ("GET", "/_fake/requests"):
            return 200, {"requests": list(app.log.entries)}
        if key == ("DELETE", "/_fake/requests"):
            app.log.entries.clear()
            return 200, {"ok": True}
        return 404, {"message": f"unknown control endpoint {method} {path}"}
