"""A gist's bare git repository, written without spawning git (standard library only).

REST writes become real commits: loose objects (zlib) and a ref update that follows git's own
lock-file protocol (`<ref>.lock` created with O_EXCL, compare, rename), so a REST PATCH and a
`git-receive-pack` run by git-http-backend never overwrite each other's ref update. Objects pushed
over git (possibly packed) are read back with one `git cat-file --batch` process per refresh.
"""

import hashlib
import os
import subprocess
import zlib

PRE_RECEIVE = r"""#!/bin/sh
# GitHub refuses trees in a gist: "remote: Gist does not support directories."
zero=0000000000000000000000000000000000000000
while read old new ref; do
    [ "$new" = "$zero" ] && continue
    for c in $(git rev-list "$new" --not --all); do
        if git ls-tree "$c" | grep -q '^040000 '; then
            echo "Gist does not support directories." >&2
            exit 1
        fi
    done
done
exit 0
"""

ZERO = "0" * 40


class RefMoved(Exception):
    """The branch no longer points at the commit a write was built on (another writer won)."""


def object_id(kind, data):
    return hashlib.sha1(b"%s %d\0" % (kind.encode(), len(data)) + data).hexdigest()


def git_env(home):
    """Environment for git children: no user or system config, nothing from the caller's repo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"HOME": home, "XDG_CONFIG_HOME": home, "GIT_CONFIG_NOSYSTEM": "1"})
    return env


def write_hooks(hooks_dir):
    os.makedirs(hooks_dir, exist_ok=True)
    path = os.path.join(hooks_dir, "pre-receive")
    with open(path, "w", encoding="utf-8") as f:
        f.write(PRE_RECEIVE)
    os.chmod(path, 0o755)


class GitRepo:
    def __init__(self, path, branch):
        self.path = path
        self.branch = branch

    @property
    def ref(self):
        return f"refs/heads/{self.branch}"

    def init(self, hooks_dir):
        """A bare repository git accepts (what `git init --bare` writes that matters), in ~0.2 ms."""
        for sub in ("objects/info", "objects/pack", "refs/heads", "refs/tags"):
            os.makedirs(os.path.join(self.path, sub), exist_ok=True)
        with open(os.path.join(self.path, "HEAD"), "w", encoding="utf-8") as f:
            f.write(f"ref: {self.ref}\n")
        with open(os.path.join(self.path, "config"), "w", encoding="utf-8") as f:
            f.write("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n"
                    f"\thooksPath = {hooks_dir}\n"
                    "[http]\n\treceivepack = true\n"
                    "[receive]\n\tautogc = false\n")

    # ---- objects ------------------------------------------------------------------------------
    def write_object(self, kind, data):
        sha = object_id(kind, data)
        directory = os.path.join(self.path, "objects", sha[:2])
        final = os.path.join(directory, sha[2:])
        if os.path.exists(final):
            return sha
        os.makedirs(directory, exist_ok=True)
        tmp = f"{final}.tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(zlib.compress(b"%s %d\0" % (kind.encode(), len(data)) + data, 1))
        os.replace(tmp, final)
        return sha

    def write_tree(self, blob_shas):
        """Flat tree of regular files: name -> blob sha (git orders entries by name bytes)."""
        entries = sorted((name.encode("utf-8"), sha) for name, sha in blob_shas.items())
        data = b"".join(b"100644 " + name + b"\0" + bytes.fromhex(sha) for name, sha in entries)
        return self.write_object("tree", data)

    def write_commit(self, tree, parent, login, when):
        who = f"{login} <{login}@users.noreply.github.com> {int(when)} +0000"
        lines = [f"tree {tree}"] + ([f"parent {parent}"] if parent else [])
        lines += [f"author {who}", f"committer {who}", "", ""]  # empty message, like a gist revision
        return self.write_object("commit", "\n".join(lines).encode("utf-8"))

    # ---- refs ---------------------------------------------------------------------------------
    def read_ref(self):
        """Commit sha the branch points at, or None (loose ref first, then packed-refs)."""
        try:
            with open(os.path.join(self.path, self.ref), encoding="utf-8") as f:
                return f.read().strip() or None
        except FileNotFoundError:
            pass
        try:
            with open(os.path.join(self.path, "packed-refs"), encoding="utf-8") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2 and parts[1] == self.ref:
                        return parts[0]
        except FileNotFoundError:
            pass
        return None

    def update_ref(self, new, expected_old):
        """Move the branch to `new` only if it still points at `expected_old` (None: absent)."""
        path = os.path.join(self.path, self.ref)
        lock = path + ".lock"
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise RefMoved() from None  # git-receive-pack holds the ref right now
        moved = True
        try:
            if self.read_ref() == expected_old:
                os.write(fd, (new + "\n").encode())
                moved = False
        finally:
            os.close(fd)
            if moved:
                os.unlink(lock)
            else:
                os.replace(lock, path)
        if moved:
            raise RefMoved()


class CatFile:
    """One `git cat-file --batch` process: read(sha) -> (type, bytes)."""

    def __init__(self, repo_path, home):
        self.proc = subprocess.Popen(["git", "--git-dir", repo_path, "cat-file", "--batch"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=git_env(home))

    def read(self, sha):
        self.proc.stdin.write(sha.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) != 3:
            raise KeyError(sha)
        data = self.proc.stdout.read(int(header[2]) + 1)[:-1]
        return header[1].decode(), data

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def parse_commit(data):
    """(tree, [parents], author login, committer epoch seconds) of a raw commit object."""
    head = data.split(b"\n\n", 1)[0].decode("utf-8", errors="replace")
    tree, parents, login, when = "", [], "", 0
    for line in head.split("\n"):
        key, _, value = line.partition(" ")
        if key == "tree":
            tree = value
        elif key == "parent":
            parents.append(value)
        elif key == "author":
            login = value.split(" <")[0]
        elif key == "committer":
            try:
                when = int(value.rsplit(" ", 2)[1])
            except (IndexError, ValueError):
                when = 0
    return tree, parents, login, when


def parse_tree(data):
    """[(mode, name, sha)] of a raw tree object."""
    out, i = [], 0
    while i < len(data):
        space = data.index(b" ", i)
        nul = data.index(b"\0", space)
        out.append((data[i:space].decode(), data[space + 1:nul].decode("utf-8", errors="replace"),
                    data[nul + 1:nul + 21].hex()))
        i = nul + 21
    return out
