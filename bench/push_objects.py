#!/usr/bin/env python3
"""What each push added to a gist, by object kind (issue #7): reads a bare repository kept by
`bench_sync_month ... keep=DIR` and, for every commit on the first-parent line, sizes the objects
it adds that its parent's tree lacks (commit, tree, and blobs by role: manifest, current, part,
backup), raw and zlib-compressed (libgit2 sends each object of a push whole, zlib level 6 by
default, no thin pack; deltas between the new objects are rare). Prints per-day means of a push.
  push_objects.py REPO [PUSHES_PER_DAY=8]
The first commit (the gist's creation by setup) is not a push and is left out.
"""
import re
import subprocess
import sys
import zlib
from collections import defaultdict


def git(repo, *args, data=None):
    return subprocess.run(["git", "-C", repo, *args], input=data, capture_output=True, check=True).stdout


def role(name):
    if name == "manifest.json":
        return "manifest"
    if re.search(r"_part_\d+\.json$", name):
        return "part"
    if re.search(r"_backup_\d{8}\.json$", name):
        return "backup"
    return "current"


def main():
    repo = sys.argv[1]
    per_day = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    commits = git(repo, "rev-list", "--first-parent", "--reverse", "HEAD").decode().split()
    cat = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read(sha):
        cat.stdin.write(sha.encode() + b"\n")
        cat.stdin.flush()
        header = cat.stdout.readline().split()
        size = int(header[2])
        body = cat.stdout.read(size)
        cat.stdout.read(1)
        return header[1].decode(), body

    def tree_entries(body):
        out, i = {}, 0
        while i < len(body):
            sp = body.index(b" ", i)
            nul = body.index(b"\0", sp)
            out[body[sp + 1:nul].decode()] = body[nul + 1:nul + 21].hex()
            i = nul + 21
        return out

    prev = {}
    rows = []
    for c in commits:
        _, cbody = read(c)
        tree = cbody.split(b"\n", 1)[0].split()[1].decode()
        _, tbody = read(tree)
        entries = tree_entries(tbody)
        held = set(prev.values())
        sizes = defaultdict(lambda: [0, 0])
        sizes["commit"] = [len(cbody), len(zlib.compress(cbody, 6))]
        sizes["tree"] = [len(tbody), len(zlib.compress(tbody, 6))]
        seen = set()
        for name, sha in entries.items():
            if sha in held or sha in seen:
                continue
            seen.add(sha)
            _, b = read(sha)
            s = sizes[role(name)]
            s[0] += len(b)
            s[1] += len(zlib.compress(b, 6))
        if prev or c != commits[0]:
            rows.append((len(entries), dict(sizes)))
        prev = entries
    kinds = ["commit", "tree", "manifest", "current", "part", "backup"]
    print("day files  " + "  ".join(f"{k:>16}" for k in kinds) + "   (raw / zlib kB, mean a push)")
    for d in range(0, (len(rows) + per_day - 1) // per_day):
        day = rows[d * per_day:(d + 1) * per_day]
        cells = []
        for k in kinds:
            raw = sum(r[1].get(k, [0, 0])[0] for r in day) / len(day) / 1024
            z = sum(r[1].get(k, [0, 0])[1] for r in day) / len(day) / 1024
            cells.append(f"{raw:7.1f} / {z:6.1f}")
        print(f"{d + 1:3d} {day[-1][0]:5d}  " + "  ".join(f"{c:>16}" for c in cells))


if __name__ == "__main__":
    main()
