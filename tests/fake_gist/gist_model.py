"""In-memory model of gists, revisions and users for the fake GitHub Gist API.

Pure data + rendering; no HTTP here. Every public method expects the caller to hold
Model.lock (the HTTP layer applies each request atomically under it).
"""

import hashlib
import threading
import time
import uuid

DOC_GISTS = "https://docs.github.com/rest/gists/gists"

# Extension -> (type, language) as GitHub's linguist reports them for common names.
_FILE_TYPES = {
    ".json": ("application/json", "JSON"),
    ".txt": ("text/plain", "Text"),
    ".md": ("text/markdown", "Markdown"),
    ".py": ("application/x-python", "Python"),
    ".rb": ("application/x-ruby", "Ruby"),
    ".csv": ("text/csv", "CSV"),
}

DEFAULT_CONFIG = {
    "truncate_bytes": 1024 * 1024,       # GitHub: file content truncated beyond 1 MB
    "raw_limit_bytes": 10 * 1024 * 1024,  # GitHub: beyond 10 MB clone the gist instead
    "file_list_limit": 300,             # GitHub: at most 300 files listed
    "rate_limit": 5000,                 # GitHub: 5,000 requests/hour for a user token
    "anonymous_rate_limit": 60,         # GitHub: 60 requests/hour unauthenticated
    "rate_limit_status": 403,           # GitHub: "403 Forbidden or 429 Too Many Requests"
    "empty_content_on_patch": "delete",  # or "keep": see README (observed behaviour changed)
    "noop_patch_creates_revision": 1,
    "empty_after_truncated": 1,         # files listed after a truncated one come back empty   # GitHub commits an empty revision for an unchanged PATCH
}


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def blob_sha(content_bytes):
    """Git blob id, like the sha GitHub puts into raw_url: it changes iff content changes."""
    h = hashlib.sha1()
    h.update(b"blob %d\0" % len(content_bytes))
    h.update(content_bytes)
    return h.hexdigest()


def user_id(login):
    return int(hashlib.sha1(login.encode()).hexdigest()[:7], 16)


def user_json(login, api_base):
    return {
        "login": login,
        "id": user_id(login),
        "node_id": "U_fake" + str(user_id(login)),
        "url": f"{api_base}/users/{login}",
        "html_url": f"https://github.com/{login}",
        "type": "User",
        "site_admin": False,
    }


def _line_count(text):
    return 0 if text == "" else text.count("\n") + (0 if text.endswith("\n") else 1)


def _diff_counts(old, new):
    """(additions, deletions) in lines: common prefix/suffix trimmed (cheap, exact for appends)."""
    if old == new:
        return 0, 0
    a = old.splitlines()
    b = new.splitlines()
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return len(b) - start - end, len(a) - start - end


class Revision:
    def __init__(self, version, committed_at, login, files, change_status):
        self.version = version
        self.committed_at = committed_at
        self.login = login
        self.files = files  # name -> str content (full, never truncated)
        self.change_status = change_status
        self.shas = {name: blob_sha(c.encode("utf-8")) for name, c in files.items()}


class Gist:
    def __init__(self, gist_id, owner, description, public, now):
        self.id = gist_id
        self.owner = owner
        self.description = description
        self.public = public
        self.created_at = now
        self.updated_at = now
        self.revisions = []  # oldest first
        self.blobs = {}      # blob sha -> content, every version ever committed (raw host lookups)

    @property
    def head(self):
        return self.revisions[-1]

    def find_revision(self, sha):
        for rev in self.revisions:
            if rev.version == sha:
                return rev
        return None

    def commit(self, login, files, now):
        """Record a new revision with `files`; returns it. Caller checked something changed."""
        old = self.head.files if self.revisions else {}
        additions = deletions = 0
        for name in set(old) | set(files):
            add, dele = _diff_counts(old.get(name, ""), files.get(name, ""))
            additions += add
            deletions += dele
        parent = self.revisions[-1].version if self.revisions else ""
        seed = f"{parent}\n{self.id}\n{len(self.revisions)}\n{uuid.uuid4().hex}"
        version = hashlib.sha1(seed.encode()).hexdigest()
        rev = Revision(version, now, login, dict(files),
                       {"total": additions + deletions, "additions": additions, "deletions": deletions})
        self.revisions.append(rev)
        for name, content in files.items():
            self.blobs.setdefault(rev.shas[name], content)
        self.updated_at = now
        return rev


class Model:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        self.gists = {}          # id -> Gist
        self.tokens = {}         # token -> {"login", "scopes"}
        self.config = dict(DEFAULT_CONFIG)
        self.order = []          # gist ids in creation order

    # ---- mutation -------------------------------------------------------------------------
    def create_gist(self, owner, description, public, files, now=None):
        now = int(time.time()) if now is None else now
        gist = Gist(uuid.uuid4().hex, owner, description, public, now)
        gist.commit(owner, files, now)
        self.gists[gist.id] = gist
        self.order.append(gist.id)
        return gist

    def delete_gist(self, gist_id):
        self.gists.pop(gist_id, None)
        self.order = [g for g in self.order if g != gist_id]

    # ---- rendering --------------------------------------------------------------------------
    def file_json(self, gist, rev, name, raw_base, with_content, empty_content=False):
        content = rev.files[name]
        data = content.encode("utf-8")
        ext = name[name.rfind("."):].lower() if "." in name else ""
        ftype, language = _FILE_TYPES.get(ext, ("text/plain", None))
        out = {
            "filename": name,
            "type": ftype,
            "language": language,
            "raw_url": f"{raw_base}/{gist.owner}/{gist.id}/raw/{rev.shas[name]}/{name}",
            "size": len(data),
        }
        if with_content:
            limit = int(self.config["truncate_bytes"])
            truncated = len(data) > limit
            text = data[:limit].decode("utf-8", errors="ignore") if truncated else content
            out["truncated"] = truncated
            out["content"] = "" if empty_content else text
        return out

    def files_json(self, gist, rev, names, raw_base, with_content, empty_content):
        """Files in listing order. Once one file is truncated, every later file comes back with
        content "" and truncated: true (GitHub, cli/cli#11739), unless empty_after_truncated is 0."""
        files = {}
        seen_truncated = False
        for n in names:
            f = self.file_json(gist, rev, n, raw_base, with_content, empty_content)
            if with_content and seen_truncated and int(self.config["empty_after_truncated"]):
                f["content"], f["truncated"] = "", True
            seen_truncated = seen_truncated or f.get("truncated", False)
            files[n] = f
        return files

    def history_json(self, gist, api_base):
        return [self.commit_json(gist, rev, api_base) for rev in reversed(gist.revisions)]

    def commit_json(self, gist, rev, api_base):
        return {
            "user": user_json(rev.login, api_base),
            "version": rev.version,
            "committed_at": iso(rev.committed_at),
            "change_status": dict(rev.change_status),
            "url": f"{api_base}/gists/{gist.id}/{rev.version}",
        }

    def gist_json(self, gist, api_base, raw_base, rev=None, with_content=True,
                  with_history=True, empty_content=False):
        rev = rev or gist.head
        names = sorted(rev.files)
        limit = int(self.config["file_list_limit"])
        files = self.files_json(gist, rev, names[:limit], raw_base, with_content, empty_content)
        url = f"{api_base}/gists/{gist.id}"
        out = {
            "url": url if rev is gist.head else f"{url}/{rev.version}",
            "forks_url": f"{url}/forks",
            "commits_url": f"{url}/commits",
            "id": gist.id,
            "node_id": "G_fake" + gist.id[:12],
            "git_pull_url": f"https://gist.github.com/{gist.id}.git",
            "git_push_url": f"https://gist.github.com/{gist.id}.git",
            "html_url": f"https://gist.github.com/{gist.owner}/{gist.id}",
            "files": files,
            "public": gist.public,
            "created_at": iso(gist.created_at),
            "updated_at": iso(gist.updated_at if rev is gist.head else rev.committed_at),
            "description": gist.description,
            "comments": 0,
            "comments_enabled": True,
            "user": None,
            "comments_url": f"{url}/comments",
            "owner": user_json(gist.owner, api_base),
            "truncated": len(names) > limit,
        }
        if with_content:
            out["forks"] = []
            if with_history:
                out["history"] = self.history_json(gist, api_base)
        return out

    def state_json(self):
        return {
            "gists": {
                gid: {
                    "owner": g.owner,
                    "description": g.description,
                    "public": g.public,
                    "files": dict(g.head.files),
                    "history": [{"version": r.version, "committed_at": iso(r.committed_at),
                                 "login": r.login} for r in reversed(g.revisions)],
                }
                for gid, g in self.gists.items()
            },
            "config": dict(self.config),
        }
