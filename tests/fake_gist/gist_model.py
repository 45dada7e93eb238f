"""Gists, revisions and users for the fake GitHub Gist API.

Metadata lives in memory; files and history are the commits of each gist's bare repository
(git_repo.py), cached by commit sha and re-synced whenever the branch moved. No HTTP here. Every public method expects the caller to hold
Model.lock (the HTTP layer applies each request atomically under it).
"""

import hashlib
import os
import shutil
import threading
import time
import uuid

from git_repo import CatFile, GitRepo, object_id, parse_commit, parse_tree, write_hooks

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
    "noop_patch_creates_revision": 1,   # GitHub commits an empty revision for an unchanged PATCH
    "empty_after_truncated": 1,         # files listed after a truncated one come back empty
    "default_branch": "master",         # branch of new gists (GitHub's gists use master)
    "read_lag_reads": 0,                # after a write, this many reads serve the previous commit
    "read_lag_ms": 0,                   # ... or for this long (a lagging replica)
    "git_anonymous_fetch": 1,           # clone/fetch without credentials, as gist.github.com serves
                                        # public and secret gists (0: every git request needs a token)
}


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def blob_sha(content_bytes):
    """Git blob id, like the sha GitHub puts into raw_url: it changes iff content changes."""
    return object_id("blob", content_bytes)


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
    """One commit of a gist's repository (immutable, so cached by commit sha)."""

    def __init__(self, version, committed_at, login, files, shas, parents):
        self.version = version
        self.committed_at = committed_at
        self.login = login
        self.files = files    # name -> str content (full, never truncated)
        self.shas = shas      # name -> git blob sha
        self.parents = parents
        self.change_status = {"total": 0, "additions": 0, "deletions": 0}

    def diff_against(self, old_files):
        additions = deletions = 0
        for name in set(old_files) | set(self.files):
            add, dele = _diff_counts(old_files.get(name, ""), self.files.get(name, ""))
            additions += add
            deletions += dele
        self.change_status = {"total": additions + deletions, "additions": additions, "deletions": deletions}


class Gist:
    """Metadata in memory; files and history are the commits of a bare repository (git_repo.py)."""

    def __init__(self, gist_id, owner, description, public, now, repo):
        self.id = gist_id
        self.owner = owner
        self.description = description
        self.public = public
        self.created_at = now
        self.updated_at = now
        self.repo = repo
        self.revisions = {}   # commit sha -> Revision, every commit ever seen
        self.head_sha = None  # what the branch pointed at when last read
        self.blobs = {}       # blob sha -> bytes, every version ever seen (raw host lookups)
        self.texts = {}       # blob sha -> decoded str
        self.pusher = None    # login of a git push in progress (history "user" of its commits)
        self.lag = None       # {"sha", "reads", "until"}: a lagging replica serves this commit
        self._history = (None, [])

    @property
    def branch(self):
        return self.repo.branch

    @property
    def head(self):
        return self.revisions[self.head_sha]

    def find_revision(self, sha):
        return self.revisions.get(sha)

    def text(self, sha):
        if sha not in self.texts:
            self.texts[sha] = self.blobs[sha].decode("utf-8", errors="replace")
        return self.texts[sha]

    def history(self, head=None):
        """Revisions reachable from head, children before parents (git rev-list --topo-order)."""
        sha = (head or self.head).version
        if self._history[0] == sha:
            return self._history[1]
        order, seen, stack = [], set(), [(sha, False)]
        while stack:
            s, done = stack.pop()
            if done:
                order.append(self.revisions[s])
                continue
            if s in seen or s not in self.revisions:
                continue
            seen.add(s)
            stack.append((s, True))
            stack.extend((p, False) for p in self.revisions[s].parents)
        order.reverse()
        self._history = (sha, order)
        return order

    def commit(self, login, files, now):
        """Commit `files` on the current head; raises git_repo.RefMoved if a push moved it."""
        shas = {}
        old = self.head if self.head_sha else None
        for name, content in files.items():
            if old is not None and old.files.get(name) == content:
                shas[name] = old.shas[name]  # unchanged: skip hashing (files reach 4 MiB)
                continue
            data = content.encode("utf-8")
            sha = object_id("blob", data)
            if sha not in self.blobs:
                self.repo.write_object("blob", data)
                self.blobs[sha] = data
            self.texts.setdefault(sha, content)
            shas[name] = sha
        parent = self.head_sha
        version = self.repo.write_commit(self.repo.write_tree(shas), parent, login, now)
        self.repo.update_ref(version, parent)
        rev = Revision(version, now, login, dict(files), shas, [parent] if parent else [])
        rev.diff_against(self.head.files if parent else {})
        self.revisions[version] = rev
        self.head_sha = version
        self.updated_at = now
        return rev

    def refresh(self, home):
        """Re-read the branch; load commits a git push added. True when the head moved."""
        sha = self.repo.read_ref()
        if sha is None or sha == self.head_sha:
            return False
        if sha not in self.revisions:
            self._load(sha, home)
        self.head_sha = sha
        return True

    def _load(self, sha, home):
        new = []
        with CatFile(self.repo.path, home) as cat:
            stack = [sha]
            while stack:
                s = stack.pop()
                if s in self.revisions:
                    continue
                tree, parents, author, when = parse_commit(cat.read(s)[1])
                shas = {}
                for mode, name, blob in parse_tree(cat.read(tree)[1]):
                    if mode == "40000":
                        continue  # refused by the pre-receive hook; never shown
                    if blob not in self.blobs:
                        self.blobs[blob] = cat.read(blob)[1]
                    shas[name] = blob
                files = {name: self.text(b) for name, b in shas.items()}
                rev = Revision(s, when, self.pusher or author or self.owner, files, shas, parents)
                self.revisions[s] = rev
                new.append(rev)
                stack.extend(p for p in parents if p not in self.revisions)
        for rev in new:
            parent = self.revisions.get(rev.parents[0]) if rev.parents else None
            rev.diff_against(parent.files if parent else {})


class Model:
    def __init__(self, state_dir):
        self.lock = threading.RLock()
        self.state_dir = state_dir  # bare repositories <id>.git, plus hooks/ and home/
        self.hooks_dir = os.path.join(state_dir, "hooks")
        self.home = os.path.join(state_dir, "home")
        os.makedirs(self.home, exist_ok=True)
        write_hooks(self.hooks_dir)
        self.git_base = "https://gist.github.com"
        self.gists = {}
        self.reset()

    def reset(self):
        for gist in self.gists.values():
            shutil.rmtree(gist.repo.path, ignore_errors=True)
        self.gists = {}          # id -> Gist
        self.tokens = {}         # token -> {"login", "scopes"}
        self.config = dict(DEFAULT_CONFIG)
        self.order = []          # gist ids in creation order

    def close(self):
        shutil.rmtree(self.state_dir, ignore_errors=True)

    # ---- mutation -------------------------------------------------------------------------
    def create_gist(self, owner, description, public, files, now=None, branch=None):
        now = int(time.time()) if now is None else now
        gist_id = uuid.uuid4().hex
        repo = GitRepo(os.path.join(self.state_dir, gist_id + ".git"), branch or self.config["default_branch"])
        repo.init(self.hooks_dir)
        gist = Gist(gist_id, owner, description, public, now, repo)
        gist.commit(owner, files, now)
        self.gists[gist.id] = gist
        self.order.append(gist.id)
        return gist

    def delete_gist(self, gist_id):
        gist = self.gists.pop(gist_id, None)
        if gist is not None:
            shutil.rmtree(gist.repo.path, ignore_errors=True)
        self.order = [g for g in self.order if g != gist_id]

    def yield_lock(self, seconds):
        """Sleep without the model lock; the caller holds it exactly once (one API request)."""
        self.lock.release()
        try:
            time.sleep(seconds)
        finally:
            self.lock.acquire()

    def sync(self, gist, now=None):
        """Make the model match the repository (a git push may have moved the branch)."""
        before = gist.head_sha
        if gist.refresh(self.home):
            gist.updated_at = int(time.time()) if now is None else now
            self.note_write(gist, before)

    def note_write(self, gist, previous_sha):
        """After a write, a lagging replica keeps serving the previous commit (config read_lag_*)."""
        reads, ms = int(self.config["read_lag_reads"]), int(self.config["read_lag_ms"])
        if (reads <= 0 and ms <= 0) or previous_sha is None:
            return
        stale = gist.lag["sha"] if self.lagging(gist) else previous_sha
        gist.lag = {"sha": stale, "reads": reads, "until": time.monotonic() + ms / 1000.0}

    def lagging(self, gist):
        lag = gist.lag
        return lag is not None and (lag["reads"] > 0 or time.monotonic() < lag["until"])

    def read_view(self, gist):
        """The commit a read of GET /gists/{id} or its commits sees: the head, or a lagging one."""
        if not self.lagging(gist):
            gist.lag = None
            return gist.head
        gist.lag["reads"] -= 1
        return gist.revisions[gist.lag["sha"]]

    # ---- rendering --------------------------------------------------------------------------
    def file_json(self, gist, rev, name, raw_base, with_content, empty_content=False):
        content = rev.files[name]
        data = gist.blobs[rev.shas[name]]
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

    def history_json(self, gist, api_base, head=None):
        return [self.commit_json(gist, rev, api_base) for rev in gist.history(head)]

    def commit_json(self, gist, rev, api_base):
        return {
            "user": user_json(rev.login, api_base),
            "version": rev.version,
            "committed_at": iso(rev.committed_at),
            "change_status": dict(rev.change_status),
            "url": f"{api_base}/gists/{gist.id}/{rev.version}",
        }

    def git_url(self, gist):
        return f"{self.git_base}/{gist.id}.git"

    def gist_json(self, gist, api_base, raw_base, rev=None, with_content=True,
                  with_history=True, empty_content=False, head=None):
        """`head`: the commit shown as the gist's current state (a lagging read shows an older one);
        `rev`: a specific revision (GET /gists/{id}/{sha})."""
        head = head or gist.head
        rev = rev or head
        names = sorted(rev.files)
        limit = int(self.config["file_list_limit"])
        files = self.files_json(gist, rev, names[:limit], raw_base, with_content, empty_content)
        url = f"{api_base}/gists/{gist.id}"
        out = {
            "url": url if rev is head else f"{url}/{rev.version}",
            "forks_url": f"{url}/forks",
            "commits_url": f"{url}/commits",
            "id": gist.id,
            "node_id": "G_fake" + gist.id[:12],
            "git_pull_url": self.git_url(gist),
            "git_push_url": self.git_url(gist),
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
                out["history"] = self.history_json(gist, api_base, rev)
        return out

    def state_json(self):
        """Head state as the repository has it (never lagging, never truncated)."""
        for g in self.gists.values():
            self.sync(g)
        return {
            "gists": {
                gid: {
                    "owner": g.owner,
                    "description": g.description,
                    "public": g.public,
                    "branch": g.branch,
                    "repo": g.repo.path,
                    "git_url": self.git_url(g),
                    "files": dict(g.head.files),
                    "history": [{"version": r.version, "committed_at": iso(r.committed_at),
                                 "login": r.login} for r in g.history()],
                }
                for gid, g in self.gists.items()
            },
            "config": dict(self.config),
        }
