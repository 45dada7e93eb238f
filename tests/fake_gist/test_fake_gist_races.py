"""Self-test of fake_gist_server.py, part 4: the barrier (deterministic races) and read-after-write lag.

Run: cd tests/fake_gist && python3 -m unittest discover -v -p 'test_*.py'
"""

import os
import threading
import time
import unittest

from fake_gist_testlib import GitTestCase


class Background(threading.Thread):
    """Runs fn in a thread and keeps its result (or exception) for the test to check."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn = fn
        self.result = None
        self.error = None
        self.start()

    def run(self):
        try:
            self.result = self.fn()
        except Exception as err:  # noqa: BLE001 - re-raised by value()
            self.error = err

    def value(self, timeout=60):
        self.join(timeout)
        if self.error is not None:
            raise self.error
        return self.result


class BarrierTest(GitTestCase):
    def hold(self, **spec):
        return self.control("POST", "/_fake/hold", spec)

    def wait_held(self, count):
        return self.request("POST", "/_fake/hold/wait", {"count": count, "timeout_ms": 10000}, token=None)

    def test_held_patch_makes_a_lost_update_every_time(self):
        gist = self.create({"manifest.json": "base"})
        seen_by_a = self.request("GET", f"/gists/{gist['id']}").json["files"]["manifest.json"]["content"]
        self.hold(target="patch", gist=gist["id"])
        writer_a = Background(lambda: self.patch(gist["id"], {"manifest.json": {"content": seen_by_a + "+A"}}))
        self.assertEqual(self.wait_held(1).status, 200)
        state = self.control("GET", "/_fake/state")
        self.assertEqual((state["held"], state["holds_pending"]), (1, 0))
        self.assertEqual(state["gists"][gist["id"]]["files"]["manifest.json"], "base")  # A not applied yet
        b = self.patch(gist["id"], {"manifest.json": {"content": "base+B"}})  # not held: the hold was used
        self.assertEqual(b.status, 200)
        self.assertEqual(self.control("POST", "/_fake/release", {})["released"], 1)
        self.assertEqual(writer_a.value().status, 200)
        final = self.state(gist["id"])
        self.assertEqual(final["files"]["manifest.json"], "base+A")  # B's write is lost
        self.assertEqual(len(final["history"]), 3)
        self.assertEqual(self.control("GET", "/_fake/state")["held"], 0)

    def test_held_push_is_refused_after_the_other_writer_lands(self):
        gist = self.create({"a.txt": "base\n"})
        a, b = self.clone(gist["id"], "a"), self.clone(gist["id"], "b")
        self.commit_file(a, "a.txt", "from a\n")
        winner = self.commit_file(b, "a.txt", "from b\n")
        self.hold(target="receive-pack")
        push_a = Background(lambda: self.git("push", cwd=a, check=False))
        self.assertEqual(self.wait_held(1).status, 200)
        self.git("push", "-q", cwd=b)  # B fetched the same base and lands first
        self.control("POST", "/_fake/release", {})
        refused = push_a.value()
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("[remote rejected]", refused.stderr)  # the server's compare-and-swap
        final = self.state(gist["id"])
        self.assertEqual(final["history"][0]["version"], winner)
        self.assertEqual(final["files"]["a.txt"], "from b\n")

    def test_hold_matches_target_and_gist_and_release_counts(self):
        one = self.create({"a.txt": "1"})
        two = self.create({"a.txt": "2"})
        self.hold(target="patch", gist=two["id"], count=2)
        self.assertEqual(self.patch(one["id"], {"a.txt": {"content": "1b"}}).status, 200)  # other gist
        writers = [Background(lambda i=i: self.patch(two["id"], {"a.txt": {"content": f"w{i}"}}))
                   for i in range(2)]
        self.assertEqual(self.wait_held(2).status, 200)
        self.assertEqual(self.control("POST", "/_fake/release", {"count": 1})["held"], 1)
        self.assertEqual(self.control("POST", "/_fake/release", {})["released"], 1)
        self.assertEqual([w.value().status for w in writers], [200, 200])
        self.assertEqual(len(self.state(two["id"])["history"]), 3)

    def test_wait_times_out_and_bad_holds_are_refused(self):
        resp = self.request("POST", "/_fake/hold/wait", {"count": 1, "timeout_ms": 50}, token=None)
        self.assertEqual(resp.status, 408)
        self.assertEqual(self.request("POST", "/_fake/hold", {"target": "delete"}, token=None).status, 400)
        self.hold(target="patch")
        self.assertEqual(self.control("DELETE", "/_fake/hold")["holds_pending"], 0)
        gist = self.create({"a.txt": "1"})
        self.assertEqual(self.patch(gist["id"], {"a.txt": {"content": "2"}}).status, 200)  # not held


class RestAndGitTest(GitTestCase):
    def test_patch_waits_for_a_ref_locked_by_git_and_then_lands(self):
        gist = self.create({"a.txt": "one"})
        state = self.state(gist["id"])
        lock = os.path.join(state["repo"], "refs", "heads", state["branch"] + ".lock")
        with open(lock, "w", encoding="utf-8") as f:  # what git-receive-pack holds while updating
            f.write(state["history"][0]["version"] + "\n")
        writer = Background(lambda: self.patch(gist["id"], {"b.txt": {"content": "two"}}))
        time.sleep(0.2)
        self.assertEqual(self.state(gist["id"])["files"], {"a.txt": "one"})  # not applied yet
        os.unlink(lock)
        self.assertEqual(writer.value().status, 200)
        self.assertEqual(self.state(gist["id"])["files"], {"a.txt": "one", "b.txt": "two"})

    def test_concurrent_patches_and_pushes_lose_nothing(self):
        gist = self.create({"base.txt": "b"})
        checkout = self.clone(gist["id"], "c")

        def pusher():
            for i in range(3):
                self.commit_file(checkout, f"git{i}.txt", str(i))
                for _ in range(20):  # a PATCH may land between our fetch and our push
                    if self.git("push", "-q", cwd=checkout, check=False).returncode == 0:
                        break
                    self.git("pull", "-q", "--rebase", cwd=checkout)
                else:
                    raise AssertionError("push never landed")
        pushes = Background(pusher)
        patches = [Background(lambda i=i: self.patch(gist["id"], {f"rest{i}.txt": {"content": str(i)}}))
                   for i in range(8)]
        self.assertEqual([p.value().status for p in patches], [200] * 8)
        pushes.value()
        files = self.state(gist["id"])["files"]
        self.assertEqual(sorted(files), sorted(["base.txt"] + [f"git{i}.txt" for i in range(3)]
                                               + [f"rest{i}.txt" for i in range(8)]))


class ReadLagTest(GitTestCase):
    def head(self, gist_id):
        got = self.request("GET", f"/gists/{gist_id}").json
        return got["files"]["a.txt"]["content"], got["history"][0]["version"]

    def test_reads_after_a_patch_serve_the_previous_commit_n_times(self):
        gist = self.create({"a.txt": "old"})
        old = gist["history"][0]["version"]
        self.control("POST", "/_fake/config", {"read_lag_reads": 3})
        patched = self.patch(gist["id"], {"a.txt": {"content": "new"}}).json
        new = patched["history"][0]["version"]
        self.assertEqual(patched["files"]["a.txt"]["content"], "new")  # the write's own answer is fresh
        self.assertEqual(self.head(gist["id"]), ("old", old))
        commits = self.request("GET", f"/gists/{gist['id']}/commits").json
        self.assertEqual([c["version"] for c in commits], [old])
        self.assertEqual(self.head(gist["id"]), ("old", old))
        self.assertEqual(self.head(gist["id"]), ("new", new))
        self.assertEqual(self.state(gist["id"])["history"][0]["version"], new)  # control state: the truth

    def test_reads_lag_for_a_time_after_a_push(self):
        gist = self.create({"a.txt": "old"})
        checkout = self.clone(gist["id"], "c")
        self.control("POST", "/_fake/config", {"read_lag_ms": 400})
        pushed = self.commit_file(checkout, "a.txt", "new")
        self.git("push", "-q", cwd=checkout)
        start = time.monotonic()
        self.assertEqual(self.head(gist["id"]), ("old", gist["history"][0]["version"]))
        self.assertEqual(self.head(gist["id"]), ("old", gist["history"][0]["version"]))
        time.sleep(max(0.0, 0.45 - (time.monotonic() - start)))
        self.assertEqual(self.head(gist["id"]), ("new", pushed))

    def test_no_lag_by_default(self):
        gist = self.create({"a.txt": "old"})
        new = self.patch(gist["id"], {"a.txt": {"content": "new"}}).json["history"][0]["version"]
        self.assertEqual(self.head(gist["id"]), ("new", new))


if __name__ == "__main__":
    unittest.main()
