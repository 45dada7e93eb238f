"""Self-test of fake_gist_server.py, part 3: the git host, driven by the real `git` client.

Run: cd tests/fake_gist && python3 -m unittest discover -v -p 'test_*.py'
"""

import os
import time
import unittest

from fake_gist_testlib import GitTestCase

class OneStateTest(GitTestCase):
    def test_rest_create_is_a_commit_that_git_clones(self):
        gist = self.create({"b.txt": "two\n", "a.txt": "one\n"})
        self.assertEqual(gist["git_pull_url"], f"http://127.0.0.1:{self.ports['git_port']}/{gist['id']}.git")
        self.assertEqual(gist["git_push_url"], gist["git_pull_url"])
        checkout = self.clone(gist["id"], "c")
        self.assertEqual(self.git("rev-parse", "HEAD", cwd=checkout).stdout.strip(), gist["history"][0]["version"])
        self.assertEqual(sorted(os.listdir(checkout)), [".git", "a.txt", "b.txt"])
        with open(os.path.join(checkout, "a.txt"), encoding="utf-8") as f:
            self.assertEqual(f.read(), "one\n")
        blob = self.git("rev-parse", "HEAD:a.txt", cwd=checkout).stdout.strip()
        self.assertIn(f"/raw/{blob}/a.txt", gist["files"]["a.txt"]["raw_url"])
        author = self.git("log", "-1", "--format=%an <%ae>", cwd=checkout).stdout.strip()
        self.assertEqual(author, "alice <alice@users.noreply.github.com>")

    def test_rest_patch_commits_on_the_branch_with_the_server_clock(self):
        gist = self.create({"a.txt": "one\n"})
        before = int(time.time())
        patched = self.patch(gist["id"], {"a.txt": {"content": "two\n"}}).json
        heads = self.git("ls-remote", self.git_url(gist["id"])).stdout.split()
        self.assertEqual(heads, [patched["history"][0]["version"], "HEAD",
                                 patched["history"][0]["version"], "refs/heads/master"])
        checkout = self.clone(gist["id"], "c")
        stamp = int(self.git("log", "-1", "--format=%ct", cwd=checkout).stdout)
        self.assertLessEqual(abs(stamp - before), 2)
        parents = self.git("log", "-1", "--format=%P", cwd=checkout).stdout.strip()
        self.assertEqual(parents, gist["history"][0]["version"])

    def test_push_is_seen_by_rest_reads_raw_and_commits(self):
        gist = self.create({"a.txt": "one\n"})
        checkout = self.clone(gist["id"], "c")
        sha = self.commit_file(checkout, "new.json", '{"x": 1}')
        self.git("push", "-q", cwd=checkout)
        got = self.request("GET", f"/gists/{gist['id']}").json
        self.assertEqual(got["history"][0]["version"], sha)
        self.assertEqual(got["history"][0]["user"]["login"], "alice")  # the pusher
        self.assertEqual(got["history"][0]["change_status"], {"total": 1, "additions": 1, "deletions": 0})
        self.assertEqual(got["files"]["new.json"]["content"], '{"x": 1}')
        self.assertEqual(self.raw_get(got["files"]["new.json"]["raw_url"]).raw, b'{"x": 1}')
        commits = self.request("GET", f"/gists/{gist['id']}/commits").json
        self.assertEqual([c["version"] for c in commits], [sha, gist["history"][0]["version"]])
        # A REST PATCH after the push builds on the pushed commit.
        after = self.patch(gist["id"], {"a.txt": {"content": "three\n"}}).json
        self.assertEqual(sorted(after["files"]), ["a.txt", "new.json"])
        self.git("pull", "-q", "--ff-only", cwd=checkout)
        self.assertEqual(self.git("rev-parse", "HEAD", cwd=checkout).stdout.strip(), after["history"][0]["version"])

    def test_branch_master_by_default_main_selectable(self):
        master = self.create({"a.txt": "x"})
        main = self.control("POST", "/_fake/gists", {"files": {"a.txt": "x"}, "branch": "main"})
        self.assertEqual(main["branch"], "main")
        self.control("POST", "/_fake/config", {"default_branch": "main"})
        via_rest = self.create({"a.txt": "x"})
        for gist_id, branch in ((master["id"], "master"), (main["id"], "main"), (via_rest["id"], "main")):
            out = self.git("ls-remote", "--symref", self.git_url(gist_id), "HEAD").stdout
            self.assertIn(f"ref: refs/heads/{branch}\tHEAD", out)
            self.assertEqual(self.state(gist_id)["branch"], branch)
        checkout = self.clone(main["id"], "m")
        self.commit_file(checkout, "b.txt", "y")
        self.git("push", "-q", cwd=checkout)
        self.assertEqual(self.state(main["id"])["files"], {"a.txt": "x", "b.txt": "y"})

    def test_directory_push_is_refused(self):
        gist = self.create({"a.txt": "one\n"})
        checkout = self.clone(gist["id"], "c")
        os.mkdir(os.path.join(checkout, "sub"))
        self.commit_file(checkout, "sub/x.txt", "x")
        proc = self.git("push", cwd=checkout, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("remote: Gist does not support directories.", proc.stderr)
        self.assertEqual(len(self.state(gist["id"])["history"]), 1)

    def test_non_fast_forward_push_is_refused(self):
        gist = self.create({"a.txt": "one\n"})
        first, second = self.clone(gist["id"], "a"), self.clone(gist["id"], "b")
        winner = self.commit_file(first, "a.txt", "from a\n")
        self.git("push", "-q", cwd=first)
        self.commit_file(second, "a.txt", "from b\n")
        proc = self.git("push", cwd=second, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("[rejected]", proc.stderr)
        self.assertEqual(self.state(gist["id"])["history"][0]["version"], winner)
        self.assertEqual(self.state(gist["id"])["files"]["a.txt"], "from a\n")
        # Forcing is the client's explicit choice, and gists accept it.
        forced = self.git("rev-parse", "HEAD", cwd=second).stdout.strip()
        self.git("push", "-q", "--force", cwd=second)
        self.assertEqual(self.state(gist["id"])["history"][0]["version"], forced)
        self.assertEqual(self.request("GET", f"/gists/{gist['id']}").json["files"]["a.txt"]["content"], "from b\n")


class GitAuthTest(GitTestCase):
    def test_missing_credentials_is_401_with_a_basic_challenge_when_anonymous_fetch_is_off(self):
        gist = self.create({"a.txt": "x"})
        self.control("POST", "/_fake/config", {"git_anonymous_fetch": 0})
        for service in ("git-upload-pack", "git-receive-pack"):
            status, headers, _ = self.git_request("GET", f"/{gist['id']}.git/info/refs?service={service}", token=None)
            self.assertEqual(status, 401)
            self.assertEqual(headers["www-authenticate"], 'Basic realm="GitHub"')
        proc = self.git("clone", self.git_url(gist["id"]), "c", token=None, check=False)
        self.assertNotEqual(proc.returncode, 0)

    def test_any_user_name_with_the_token_as_password(self):
        gist = self.create({"a.txt": "x"})
        for user in ("x-access-token", "alice", "whatever"):
            status, headers, body = self.git_request(
                "GET", f"/{gist['id']}.git/info/refs?service=git-upload-pack", user=user)
            self.assertEqual(status, 200)
            self.assertEqual(headers["content-type"], "application/x-git-upload-pack-advertisement")
            self.assertIn(b"# service=git-upload-pack", body)

    def test_wrong_token_is_401(self):
        gist = self.create({"a.txt": "x"})
        status, _, _ = self.git_request("GET", f"/{gist['id']}.git/info/refs?service=git-upload-pack", token="bad")
        self.assertEqual(status, 401)
        # git sends credentials only when challenged: a clone is anonymous, a push is challenged.
        checkout = self.clone(gist["id"], "c", token="bad")
        self.commit_file(checkout, "b.txt", "y")
        proc = self.git("push", cwd=checkout, token="bad", check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("Authentication failed", proc.stderr)

    def test_token_without_gist_scope_fetches_but_cannot_push(self):
        gist = self.create({"a.txt": "x"})
        self.control("POST", "/_fake/tokens", {"token": "noscope", "login": "alice", "scopes": ["repo"]})
        checkout = self.clone(gist["id"], "c", token="noscope")
        self.commit_file(checkout, "b.txt", "y")
        status, _, _ = self.git_request("GET", f"/{gist['id']}.git/info/refs?service=git-receive-pack",
                                        token="noscope")
        self.assertEqual(status, 403)
        proc = self.git("push", cwd=checkout, token="noscope", check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("403", proc.stderr)
        self.assertEqual(self.state(gist["id"])["files"], {"a.txt": "x"})

    def test_other_users_gist_cannot_be_pushed(self):
        gist_id = self.control("POST", "/_fake/gists", {"owner": "bob", "files": {"a.txt": "x"}})["id"]
        checkout = self.clone(gist_id, "c")
        self.commit_file(checkout, "b.txt", "y")
        proc = self.git("push", cwd=checkout, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(len(self.state(gist_id)["history"]), 1)

    def test_anonymous_fetch_by_default_but_push_needs_the_token(self):
        gist = self.create({"a.txt": "x"})
        checkout = self.clone(gist["id"], "c", token=None)
        status, headers, _ = self.git_request("GET", f"/{gist['id']}.git/info/refs?service=git-receive-pack",
                                              token=None)
        self.assertEqual(status, 401)
        self.assertEqual(headers["www-authenticate"], 'Basic realm="GitHub"')
        self.commit_file(checkout, "b.txt", "y")
        proc = self.git("push", cwd=checkout, token=None, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(len(self.state(gist["id"])["history"]), 1)

    def test_unknown_gist_and_dumb_http_are_refused(self):
        gist = self.create({"a.txt": "x"})
        self.assertEqual(self.git_request("GET", "/0000.git/info/refs?service=git-upload-pack")[0], 404)
        self.assertEqual(self.git_request("GET", f"/{gist['id']}.git/info/refs")[0], 403)
        self.assertEqual(self.git_request("GET", f"/{gist['id']}.git/HEAD")[0], 404)


class GitTrafficTest(GitTestCase):
    def test_faults_match_git_routes(self):
        gist = self.create({"a.txt": "x"})
        url = self.git_url(gist["id"])
        self.control("POST", "/_fake/faults", {"faults": [
            {"port": "git", "path_regex": r"/info/refs$", "status": 503}]})
        proc = self.git("ls-remote", url, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("503", proc.stderr)
        # curl retries a request once when a reused keep-alive connection dies: drop every try.
        self.control("POST", "/_fake/faults", {"faults": [
            {"method": "POST", "path_regex": r"/git-upload-pack$", "action": "drop", "times": 3}]})
        self.assertNotEqual(self.git("clone", "-q", url, "dropped", check=False).returncode, 0)
        self.control("POST", "/_fake/faults", {"faults": [
            {"method": "POST", "path_regex": r"/git-upload-pack$", "action": "truncate_body"}]})
        self.assertNotEqual(self.git("clone", "-q", url, "cut", check=False).returncode, 0)
        self.control("POST", "/_fake/faults", {"faults": [
            {"method": "POST", "path_regex": r"/git-receive-pack$", "action": "delay", "delay_ms": 300}]})
        checkout = self.clone(gist["id"], "ok")
        self.commit_file(checkout, "b.txt", "y")
        start = time.monotonic()
        self.git("push", "-q", cwd=checkout)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        self.assertEqual(self.control("GET", "/_fake/state")["faults_pending"], 0)
        # stall_body: the clone gets its pack, half of it 300 ms later than the rest.
        self.control("POST", "/_fake/faults", {"faults": [
            {"method": "POST", "path_regex": r"/git-upload-pack$", "action": "stall_body", "delay_ms": 300}]})
        start = time.monotonic()
        stalled = self.clone(gist["id"], "stalled")
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        self.assertEqual(sorted(os.listdir(stalled)), [".git", "a.txt", "b.txt"])
        self.assertEqual(self.control("GET", "/_fake/state")["faults_pending"], 0)

    def test_request_log_counts_git_bytes_and_rate_limits_ignore_git(self):
        gist = self.create({"big.txt": "line of data\n" * 20000})
        url = self.git_url(gist["id"])
        used = self.control("GET", "/_fake/state")["rate_limits"]["alice"]["used"]
        self.control("DELETE", "/_fake/requests")
        self.git("clone", "-q", url, "c")
        log = self.control("GET", "/_fake/requests")["requests"]
        git_port = self.ports["git_port"]
        self.assertTrue(all(r["port"] == git_port for r in log))
        packs = [r for r in log if r["path"].endswith("/git-upload-pack") and r["status"] == 200]
        self.assertGreaterEqual(len(packs), 1)
        # The pack (zlib of 260 KB of repeated lines) and the headers are counted, nothing more.
        sent = sum(r["bytes_sent"] for r in packs)
        self.assertGreater(sent, 200)
        self.assertLess(sent, 20000)
        self.assertTrue(all(r["bytes_received"] > 0 and r["bytes_sent"] > 0 for r in log))
        self.assertEqual(self.control("GET", "/_fake/state")["rate_limits"]["alice"]["used"], used)
        resp = self.request("GET", "/rate_limit")
        self.assertEqual(resp.json["resources"]["core"]["used"], used)

    def test_request_log_counts_api_bytes_too(self):
        self.control("DELETE", "/_fake/requests")
        resp = self.request("GET", "/user")
        entry = self.control("GET", "/_fake/requests")["requests"][0]
        self.assertGreater(entry["bytes_sent"], len(resp.raw))
        self.assertGreater(entry["bytes_received"], len("GET /user HTTP/1.1\r\n"))


if __name__ == "__main__":
    unittest.main()
