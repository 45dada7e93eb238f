"""GitHub REST "gists" routes of the fake server: pure request -> (status, body, headers).

Called with the model lock held, so every write is applied atomically (last writer wins,
no locking across requests, exactly like GitHub). See README.md for the GitHub sources.
"""

import math
import re
import time
from urllib.parse import parse_qs, urlencode

from git_repo import RefMoved
from gist_model import DOC_GISTS, user_json

DOC_CREATE = "https://docs.github.com/rest/gists/gists#create-a-gist"
DOC_UPDATE = "https://docs.github.com/rest/gists/gists#update-a-gist"
_ID = r"[0-9a-zA-Z]+"


class ApiError(Exception):
    def __init__(self, status, message, doc=DOC_GISTS, errors=None):
        super().__init__(message)
        self.status = status
        self.body = {"message": message, "documentation_url": doc, "status": str(status)}
        if errors is not None:
            self.body["errors"] = errors


def not_found(doc=DOC_GISTS):
    return ApiError(404, "Not Found", doc)


def validation_failed(field, code="missing_field", doc=DOC_CREATE):
    return ApiError(422, "Validation Failed", doc, [{"resource": "Gist", "code": code, "field": field}])


def _blank(text):
    return text.strip() == ""


class Request:
    """What a route needs to know about one API request."""

    def __init__(self, method, path, query, body, login, scopes, api_base, raw_base, api_version):
        self.method = method
        self.path = path
        self.query = parse_qs(query)
        self.raw_query = query
        self.body = body
        self.login = login          # None when unauthenticated
        self.scopes = scopes        # list, or None for fine-grained tokens
        self.api_base = api_base
        self.raw_base = raw_base
        self.api_version = api_version
        self.empty_content = False  # set by the empty_content fault

    def can_write_gists(self):
        return self.login is not None and (self.scopes is None or "gist" in self.scopes)


class Routes:
    def __init__(self, model):
        self.model = model

    def dispatch(self, req):
        """Returns (status, json body or None, extra headers)."""
        m, p = req.method, req.path
        if p == "/user" and m == "GET":
            if req.login is None:
                raise ApiError(401, "Requires authentication", "https://docs.github.com/rest/users/users")
            return 200, user_json(req.login, req.api_base), {}
        if p == "/gists":
            if m == "GET":
                return self.list_gists(req)
            if m == "POST":
                return self.create(req)
        match = re.fullmatch(rf"/gists/({_ID})", p)
        if match:
            gist = self.gist(match.group(1))
            if m == "GET":
                return 200, self.render(req, gist, head=self.model.read_view(gist)), {}
            if m == "PATCH":
                return self.update(req, gist)
            if m == "DELETE":
                self.check_owner(req, gist)
                self.model.delete_gist(gist.id)
                return 204, None, {}
        match = re.fullmatch(rf"/gists/({_ID})/commits", p)
        if match and m == "GET":
            gist = self.gist(match.group(1))
            items = self.model.history_json(gist, req.api_base, self.model.read_view(gist))
            return self.paginate(req, items)
        match = re.fullmatch(rf"/gists/({_ID})/([0-9a-f]{{40}})", p)
        if match and m == "GET":
            gist = self.model.gists.get(match.group(1))
            if gist is not None:
                self.model.sync(gist)
            rev = gist.find_revision(match.group(2)) if gist else None
            if rev is None:
                raise not_found()
            return 200, self.render(req, gist, rev), {}
        raise not_found("https://docs.github.com/rest")

    # ---- helpers -------------------------------------------------------------------------
    def gist(self, gist_id):
        """The gist, its model brought up to date with its repository (git pushes)."""
        gist = self.model.gists.get(gist_id)
        if gist is None:
            raise not_found()
        self.model.sync(gist)
        return gist

    def render(self, req, gist, rev=None, head=None):
        return self.model.gist_json(gist, req.api_base, req.raw_base, rev=rev, head=head,
                                    with_history=req.api_version != "2026-03-10",
                                    empty_content=req.empty_content)

    def check_owner(self, req, gist):
        # GitHub answers 404 (not 403) when the token may not write the resource.
        if req.login is None:
            raise ApiError(401, "Requires authentication", DOC_UPDATE)
        if not req.can_write_gists() or gist.owner != req.login:
            raise not_found(DOC_UPDATE)

    def paginate(self, req, items):
        def intarg(name, default):
            try:
                return int(req.query.get(name, [default])[0])
            except ValueError:
                return default
        per_page = intarg("per_page", 30)
        per_page = 30 if per_page <= 0 else min(per_page, 100)
        page = max(1, intarg("page", 1))
        last = max(1, math.ceil(len(items) / per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        links = []

        def link(n, rel):
            q = {k: v[0] for k, v in req.query.items()}
            q["per_page"] = str(per_page)
            q["page"] = str(n)
            links.append(f'<{req.api_base}{req.path}?{urlencode(q)}>; rel="{rel}"')
        if page > 1:
            link(min(page - 1, last), "prev")
        if page < last:
            link(page + 1, "next")
            link(last, "last")
        if page > 1:
            link(1, "first")
        return 200, chunk, ({"Link": ", ".join(links)} if links else {})

    def list_gists(self, req):
        gists = [self.model.gists[i] for i in self.model.order]
        for g in gists:
            self.model.sync(g)
        if req.login is None:
            gists = [g for g in gists if g.public]
        else:
            gists = [g for g in gists if g.owner == req.login]
        since = req.query.get("since", [None])[0]
        if since:
            try:
                cutoff = time.mktime(time.strptime(since, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
            except ValueError:
                raise validation_failed("since", "invalid", DOC_GISTS)
            gists = [g for g in gists if g.updated_at >= cutoff]
        gists.sort(key=lambda g: g.updated_at, reverse=True)  # stable: newest first
        items = [self.model.gist_json(g, req.api_base, req.raw_base, with_content=False) for g in gists]
        return self.paginate(req, items)

    def create(self, req):
        if req.login is None:
            raise ApiError(401, "Requires authentication", DOC_CREATE)
        if not req.can_write_gists():
            raise not_found(DOC_CREATE)
        body = req.body if isinstance(req.body, dict) else {}
        files = body.get("files")
        if not isinstance(files, dict) or not files:
            raise validation_failed("files")
        contents = {}
        for name, spec in files.items():
            content = spec.get("content") if isinstance(spec, dict) else None
            if not isinstance(content, str) or _blank(content):
                raise validation_failed("files")
            if "/" in name or name.strip() == "":
                raise validation_failed("files", "invalid")
            contents[name] = content
        public = body.get("public", False)
        public = public is True or public == "true"
        description = body.get("description")
        gist = self.model.create_gist(req.login, description, public, contents)
        headers = {"Location": f"{req.api_base}/gists/{gist.id}"}
        return 201, self.render(req, gist), headers

    def update(self, req, gist):
        self.check_owner(req, gist)
        body = req.body if isinstance(req.body, dict) else None
        if body is None:
            raise ApiError(400, "Problems parsing JSON", DOC_UPDATE)
        files = body.get("files")
        if files is not None and not isinstance(files, dict):
            raise validation_failed("files", "invalid", DOC_UPDATE)
        keep_empty = self.model.config.get("empty_content_on_patch") == "keep"
        deadline = time.monotonic() + 5.0
        while True:  # a git push may move or lock the branch between our read and our ref update
            if self.model.gists.get(gist.id) is not gist:
                raise not_found(DOC_UPDATE)
            self.model.sync(gist)
            new_files = apply_file_changes(gist.head.files, files or {}, keep_empty)
            if not new_files:
                raise validation_failed("files", "missing_field", DOC_UPDATE)
            now = int(time.time())
            # GitHub commits whenever "files" is sent, even if nothing changed (an empty revision);
            # a description-only PATCH is metadata and adds no revision.
            if not (new_files != gist.head.files
                    or (files and int(self.model.config["noop_patch_creates_revision"]))):
                break
            previous = gist.head_sha
            try:
                gist.commit(req.login, new_files, now)
            except RefMoved:
                if time.monotonic() > deadline:
                    raise ApiError(409, "Gist is being updated; try again", DOC_UPDATE) from None
                self.model.yield_lock(0.01)  # let other requests (and control calls) run meanwhile
                continue
            self.model.note_write(gist, previous)
            break
        if "description" in body and body["description"] != gist.description:
            gist.description = body["description"]
            gist.updated_at = now
        return 200, self.render(req, gist), {}


def apply_file_changes(current, changes, keep_empty=False):
    """GitHub's PATCH semantics: keys name existing files; files not named are kept.

    null, or an object with neither "content" nor "filename", deletes; "filename" renames;
    "content" replaces; a new name with content creates it. Content that is empty or
    whitespace-only deletes the file (keep_empty: an existing file is kept, emptied).
    """
    result = dict(current)
    for name, change in changes.items():
        if change is None or (isinstance(change, dict) and "content" not in change
                                  and "filename" not in change):
            result.pop(name, None)
            continue
        if not isinstance(change, dict):
            raise validation_failed("files", "invalid", DOC_UPDATE)
        content = change.get("content")
        new_name = change.get("filename") or name
        if content is not None and not isinstance(content, str):
            raise validation_failed("files", "invalid", DOC_UPDATE)
        if "/" in new_name:
            raise validation_failed("files", "invalid", DOC_UPDATE)
        old = result.pop(name, None) if name in current else None
        text = content if content is not None else old
        if text is None or (_blank(text) and not (keep_empty and name in current)):
            continue
        if new_name != name and new_name in result and new_name not in changes:
            raise validation_failed("files", "already_exists", DOC_UPDATE)
        result[new_name] = text
    return result
