"""Self-test of fake_gist_server.py: every emulated GitHub behaviour, over real HTTP.

Run: cd tests/fake_gist && python3 -m unittest -v test_fake_gist_server
Standard library only (http.client so a request can omit User-Agent).
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from urllib.parse import urlsplit

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fake_gist_server.py")
TOKEN = "ghp_classic_alice"


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.raw = body

    @property
    def json(self):
        return json.loads(self.raw)


def start_server(port_dir):
    port_file = os.path.join(port_dir, "ports.json")
    proc = subprocess.Popen([sys.executable, SERVER, "--port-file", port_file])
    deadline = time.monotonic() + 10
    while not os.path.exists(port_file):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("fake server did not start")
        time.sleep(0.01)
    with open(port_file, encoding="utf-8") as f:
        return proc, json.load(f)


class FakeGistTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.proc, cls.ports = start_server(cls.tmp.name)
        cls.api_port = cls.ports["api_port"]
        cls.raw_port = cls.ports["raw_port"]

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        cls.proc.wait(timeout=10)
        cls.tmp.cleanup()

    def setUp(self):
        self.control("POST", "/_fake/reset")
        self.control("POST", "/_fake/tokens", {"token": TOKEN, "login": "alice", "scopes": ["gist", "repo"]})

    # ---- helpers ----------------------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, token=TOKEN, port=None, host="127.0.0.1",
                user_agent="fakegist-selftest"):
        conn = http.client.HTTPConnection(host, port or self.api_port, timeout=30)
        hdrs = dict(headers or {})
        if user_agent is not None:
            hdrs.setdefault("User-Agent", user_agent)
        if token is not None:
            hdrs.setdefault("Authorization", f"Bearer {token}")
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return Response(resp.status, resp.getheaders(), resp.read())
        finally:
            conn.close()

    def control(self, method, path, body=None):
        resp = self.request(method, path, body if body is not None else ({} if method == "POST" else None),
                            token=None)
        self.assertLess(resp.status, 300, resp.raw)
        return resp.json

    def create(self, files, **extra):
        body = {"files": {n: {"content": c} for n, c in files.items()}, **extra}
        resp = self.request("POST", "/gists", body)
        self.assertEqual(resp.status, 201, resp.raw)
        return resp.json

    def raw_get(self, raw_url, headers=None):
        url = urlsplit(raw_url)
        return self.request("GET", url.path, token=None, port=url.port, host=url.hostname, headers=headers)

    def patch(self, gist_id, files, **kwargs):
        return self.request("PATCH", f"/gists/{gist_id}", {"files": files}, **kwargs)


class AuthTest(FakeGistTestCase):
    def test_bearer_and_token_schemes_are_accepted(self):
        for scheme in ("Bearer", "token"):
            resp = self.request("GET", "/user", headers={"Authorization": f"{scheme} {TOKEN}"})
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.json["login"], "alice")

    def test_unknown_token_is_401_bad_credentials(self):
        resp = self.request("GET", "/user", token="nope")
        self.assertEqual(resp.status, 401)
        self.assertEqual(resp.json["message"], "Bad credentials")
        self.assertIn("documentation_url", resp.json)

    def test_missing_token_is_401_but_a_gist_can_be_read_anonymously(self):
        self.assertEqual(self.request("GET", "/user", token=None).status, 401)
        gist = self.create({"a.txt": "x"})
        resp = self.request("GET", f"/gists/{gist['id']}", token=None)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.headers["x-ratelimit-limit"], "60")
        self.assertNotIn("x-oauth-scopes", resp.headers)

    def test_missing_user_agent_is_403(self):
        resp = self.request("GET", "/user", user_agent=None)
        self.assertEqual(resp.status, 403)
        self.assertIn(b"Request forbidden by administrative rules", resp.raw)
        self.assertIn(b"User-Agent", resp.raw)

    def test_scopes_header_for_classic_tokens_only(self):
        self.assertEqual(self.request("GET", "/user").headers["x-oauth-scopes"], "gist, repo")
        self.control("POST", "/_fake/tokens", {"token": "github_pat_fine", "login": "alice", "scopes": None})
        resp = self.request("GET", "/user", token="github_pat_fine")
        self.assertEqual(resp.status, 200)
        self.assertNotIn("x-oauth-scopes", resp.headers)

    def test_write_without_gist_scope_is_404(self):
        gist = self.create({"a.txt": "x"})
        self.control("POST", "/_fake/tokens", {"token": "noscope", "login": "alice", "scopes": ["repo"]})
        body = {"files": {"b.txt": {"content": "y"}}}
        self.assertEqual(self.request("POST", "/gists", body, token="noscope").status, 404)
        self.assertEqual(self.request("PATCH", f"/gists/{gist['id']}", body, token="noscope").status, 404)
        self.assertEqual(self.request("DELETE", f"/gists/{gist['id']}", token="noscope").status, 404)
        self.assertEqual(self.request("GET", f"/gists/{gist['id']}", token="noscope").status, 200)

    def test_fine_grained_token_can_write(self):
        self.control("POST", "/_fake/tokens", {"token": "fg", "login": "alice", "scopes": None})
        resp = self.request("POST", "/gists", {"files": {"a.txt": {"content": "x"}}}, token="fg")
        self.assertEqual(resp.status, 201)

    def test_other_users_gist_cannot_be_written(self):
        gist_id = self.control("POST", "/_fake/gists", {"owner": "bob", "files": {"a.txt": "x"}})["id"]
        self.assertEqual(self.patch(gist_id, {"a.txt": {"content": "y"}}).status, 404)
        self.assertEqual(self.request("GET", f"/gists/{gist_id}").status, 200)


class CrudTest(FakeGistTestCase):
    def test_create_returns_201_with_github_shape(self):
        gist = self.create({"manifest.json": '{"v": 1}'}, description="ccu", public=False)
        for key in ("id", "url", "html_url", "description", "public", "owner", "created_at", "updated_at",
                    "files", "history", "truncated", "commits_url", "git_pull_url"):
            self.assertIn(key, gist)
        self.assertEqual(gist["owner"]["login"], "alice")
        self.assertFalse(gist["public"])
        f = gist["files"]["manifest.json"]
        self.assertEqual((f["filename"], f["type"], f["language"]), ("manifest.json", "application/json", "JSON"))
        self.assertEqual((f["size"], f["truncated"], f["content"]), (8, False, '{"v": 1}'))
        self.assertTrue(f["raw_url"].startswith(f"http://localhost:{self.raw_port}/alice/{gist['id']}/raw/"))
        self.assertRegex(gist["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(len(gist["history"]), 1)
        h = gist["history"][0]
        self.assertRegex(h["version"], r"^[0-9a-f]{40}$")
        self.assertEqual(h["user"]["login"], "alice")
        self.assertEqual(h["change_status"], {"total": 1, "additions": 1, "deletions": 0})

    def test_create_validation(self):
        self.assertEqual(self.request("POST", "/gists", {"description": "x"}).status, 422)
        self.assertEqual(self.request("POST", "/gists", {"files": {}}).status, 422)
        resp = self.request("POST", "/gists", {"files": {"a.txt": {"content": ""}}})
        self.assertEqual(resp.status, 422)
        self.assertEqual(resp.json["message"], "Validation Failed")
        self.assertEqual(self.request("POST", "/gists", {"files": {"a.txt": {"content": " \n"}}}).status, 422)

    def test_get_and_delete(self):
        gist = self.create({"a.txt": "x"})
        self.assertEqual(self.request("GET", f"/gists/{gist['id']}").json["files"]["a.txt"]["content"], "x")
        self.assertEqual(self.request("DELETE", f"/gists/{gist['id']}").status, 204)
        self.assertEqual(self.request("GET", f"/gists/{gist['id']}").status, 404)
        self.assertEqual(self.request("GET", "/gists/0123abcd").json["message"], "Not Found")

    def test_user_endpoint(self):
        self.assertEqual(self.request("GET", "/user").json["login"], "alice")


class PatchTest(FakeGistTestCase):
    def setUp(self):
        super().setUp()
        self.gist = self.create({"keep.txt": "k", "del_null.txt": "1", "del_empty_obj.txt": "2",
                                 "del_empty_content.txt": "3", "old_name.txt": "4", "edit.txt": "5"})

    def test_partial_update_semantics(self):
        resp = self.patch(self.gist["id"], {
            "del_null.txt": None,
            "del_empty_obj.txt": {},
            "del_empty_content.txt": {"content": ""},
            "old_name.txt": {"filename": "new_name.txt"},
            "edit.txt": {"content": "55"},
            "added.txt": {"content": "new"},
        })
        self.assertEqual(resp.status, 200, resp.raw)
        files = {n: f["content"] for n, f in resp.json["files"].items()}
        self.assertEqual(files, {"keep.txt": "k", "new_name.txt": "4", "edit.txt": "55", "added.txt": "new"})

    def test_rename_with_content(self):
        resp = self.patch(self.gist["id"], {"edit.txt": {"filename": "e.md", "content": "# e"}})
        self.assertEqual(resp.json["files"]["e.md"]["content"], "# e")
        self.assertNotIn("edit.txt", resp.json["files"])

    def test_empty_content_keep_mode(self):
        self.control("POST", "/_fake/config", {"empty_content_on_patch": "keep"})
        resp = self.patch(self.gist["id"], {"edit.txt": {"content": ""}})
        self.assertEqual(resp.json["files"]["edit.txt"]["content"], "")

    def test_every_change_is_a_new_revision_newest_first(self):
        first = self.gist["history"][0]["version"]
        r1 = self.patch(self.gist["id"], {"edit.txt": {"content": "a"}}).json
        r2 = self.patch(self.gist["id"], {"edit.txt": {"content": "b\nc"}}).json
        versions = [h["version"] for h in r2["history"]]
        self.assertEqual(len(versions), 3)
        self.assertEqual(versions[2], first)
        self.assertEqual(versions[1], r1["history"][0]["version"])
        self.assertEqual(r2["history"][0]["change_status"], {"total": 3, "additions": 2, "deletions": 1})

    def test_noop_patch_creates_an_empty_revision_like_github(self):
        resp = self.patch(self.gist["id"], {"edit.txt": {"content": "5"}})
        self.assertEqual(resp.status, 200)
        self.assertEqual(len(resp.json["history"]), 2)
        self.assertEqual(resp.json["history"][0]["change_status"], {"total": 0, "additions": 0, "deletions": 0})
        self.control("POST", "/_fake/config", {"noop_patch_creates_revision": 0})
        self.assertEqual(len(self.patch(self.gist["id"], {"edit.txt": {"content": "5"}}).json["history"]), 2)

    def test_description_only_patch_creates_no_revision(self):
        resp = self.request("PATCH", f"/gists/{self.gist['id']}", {"description": "only description"})
        self.assertEqual(resp.json["description"], "only description")
        self.assertEqual(len(resp.json["history"]), 1)

    def test_raw_url_changes_with_content_only(self):
        before = self.gist["files"]
        after = self.patch(self.gist["id"], {"edit.txt": {"content": "changed"}}).json["files"]
        self.assertNotEqual(before["edit.txt"]["raw_url"], after["edit.txt"]["raw_url"])
        self.assertEqual(before["keep.txt"]["raw_url"], after["keep.txt"]["raw_url"])
        # The old raw_url still serves the old revision's bytes (it is content-addressed).
        self.assertEqual(self.raw_get(before["edit.txt"]["raw_url"]).raw, b"5")
        self.assertEqual(self.raw_get(after["edit.txt"]["raw_url"]).raw, b"changed")
        # Only the blob sha matters on the raw host; the trailing name is informative.
        self.assertEqual(self.raw_get(after["edit.txt"]["raw_url"].replace("/edit.txt", "/x.bin")).raw, b"changed")

    def test_conditional_headers_on_patch_are_rejected(self):
        etag = self.request("GET", f"/gists/{self.gist['id']}").headers["etag"]
        resp = self.patch(self.gist["id"], {"edit.txt": {"content": "mine"}}, headers={"If-Match": etag})
        self.assertEqual(resp.status, 400)
        self.assertIn("Conditional request headers are not allowed", resp.json["message"])
        state = self.control("GET", "/_fake/state")["gists"][self.gist["id"]]
        self.assertEqual(state["files"]["edit.txt"], "5")  # nothing applied

    def test_bad_json_is_400(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.api_port, timeout=10)
        conn.request("PATCH", f"/gists/{self.gist['id']}", body=b"{nope",
                     headers={"User-Agent": "t", "Authorization": f"Bearer {TOKEN}"})
        resp = conn.getresponse()
        self.assertEqual(resp.status, 400)
        self.assertEqual(json.loads(resp.read())["message"], "Problems parsing JSON")
        conn.close()


class RevisionsAndPaginationTest(FakeGistTestCase):
    def test_commits_newest_first_and_revision_get(self):
        gist = self.create({"a.txt": "v0"})
        for i in range(1, 5):
            self.patch(gist["id"], {"a.txt": {"content": f"v{i}"}})
        commits = self.request("GET", f"/gists/{gist['id']}/commits").json
        self.assertEqual(len(commits), 5)
        head = self.request("GET", f"/gists/{gist['id']}").json
        self.assertEqual(commits[0]["version"], head["history"][0]["version"])
        one = self.request("GET", f"/gists/{gist['id']}/commits?per_page=1")
        self.assertEqual([c["version"] for c in one.json], [commits[0]["version"]])
        self.assertIn('rel="next"', one.headers["link"])
        oldest = self.request("GET", f"/gists/{gist['id']}/{commits[-1]['version']}").json
        self.assertEqual(oldest["files"]["a.txt"]["content"], "v0")
        self.assertEqual(self.request("GET", f"/gists/{gist['id']}/{'0' * 40}").status, 404)

    def test_list_gists_paginates_with_link_header(self):
        for i in range(35):
            self.control("POST", "/_fake/gists", {"owner": "alice", "files": {"f.txt": str(i)}})
        self.control("POST", "/_fake/gists", {"owner": "bob", "files": {"f.txt": "b"}})
        page1 = self.request("GET", "/gists")
        self.assertEqual(len(page1.json), 30)
        self.assertNotIn("content", page1.json[0]["files"]["f.txt"])
        links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', page1.headers["link"]))
        self.assertEqual(set(links), {"next", "last"})
        self.assertIn("page=2", links["next"])
        page2 = self.request("GET", urlsplit(links["next"]).path + "?" + urlsplit(links["next"]).query)
        self.assertEqual(len(page2.json), 5)
        self.assertIn('rel="prev"', page2.headers["link"])
        self.assertIn('rel="first"', page2.headers["link"])
        self.assertNotIn('rel="next"', page2.headers["link"])
        ids = {g["id"] for g in page1.json} | {g["id"] for g in page2.json}
        self.assertEqual(len(ids), 35)
        big = self.request("GET", "/gists?per_page=500")
        self.assertEqual(len(big.json), 35)
        self.assertNotIn("link", big.headers)
        self.assertEqual(len(self.request("GET", "/gists?per_page=10&page=4").json), 5)


class TruncationAndRawTest(FakeGistTestCase):
    def test_content_truncation_and_raw_fallback(self):
        self.control("POST", "/_fake/config", {"truncate_bytes": 10})
        gist = self.create({"big.txt": "0123456789ABCDEF", "small.txt": "tiny"})
        f = self.request("GET", f"/gists/{gist['id']}").json["files"]["big.txt"]
        self.assertEqual((f["truncated"], f["content"], f["size"]), (True, "0123456789", 16))
        # Files listed after a truncated one come back empty and truncated (GitHub quirk) ...
        later = self.request("GET", f"/gists/{gist['id']}").json["files"]["small.txt"]
        self.assertEqual((later["truncated"], later["content"], later["size"]), (True, "", 4))
        self.assertEqual(self.raw_get(later["raw_url"]).raw, b"tiny")
        # ... files before it are complete.
        early = self.create({"a_first.txt": "ok", "big.txt": "0123456789ABCDEF"})["files"]["a_first.txt"]
        self.assertEqual((early["truncated"], early["content"]), (False, "ok"))
        self.control("POST", "/_fake/config", {"empty_after_truncated": 0})
        self.assertFalse(self.request("GET", f"/gists/{gist['id']}").json["files"]["small.txt"]["truncated"])
        raw = self.raw_get(f["raw_url"])
        self.assertEqual(raw.status, 200)
        self.assertEqual(raw.raw, b"0123456789ABCDEF")

    def test_raw_limit(self):
        self.control("POST", "/_fake/config", {"raw_limit_bytes": 8})
        gist = self.create({"big.txt": "0123456789"})
        self.assertEqual(self.raw_get(gist["files"]["big.txt"]["raw_url"]).status, 403)

    def test_file_list_limit(self):
        self.control("POST", "/_fake/config", {"file_list_limit": 3})
        gist = self.create({f"f{i}.txt": str(i) for i in range(5)})
        self.assertTrue(gist["truncated"])
        self.assertEqual(sorted(gist["files"]), ["f0.txt", "f1.txt", "f2.txt"])
        self.assertEqual(len(self.control("GET", "/_fake/state")["gists"][gist["id"]]["files"]), 5)

    def test_raw_host_needs_no_auth_and_logs_what_arrived(self):
        gist = self.create({"a.txt": "x"})
        url = gist["files"]["a.txt"]["raw_url"]
        self.assertEqual(self.raw_get(url).raw, b"x")
        parts = urlsplit(url)
        self.request("GET", parts.path, port=parts.port, host=parts.hostname)  # a leaky client
        raw_reqs = [r for r in self.control("GET", "/_fake/requests")["requests"] if r["port"] == self.raw_port]
        self.assertEqual(len(raw_reqs), 2)
        self.assertNotIn("authorization", raw_reqs[0]["headers"])
        self.assertEqual(raw_reqs[1]["headers"]["authorization"], f"Bearer {TOKEN}")
        self.assertTrue(raw_reqs[0]["host"].startswith("localhost:"))

    def test_raw_unknown_is_404(self):
        resp = self.request("GET", "/alice/nope/raw/abc/a.txt", token=None, port=self.raw_port, host="localhost")
        self.assertEqual(resp.status, 404)


class ConditionalAndVersionTest(FakeGistTestCase):
    def test_etag_304_and_rate_limit_not_counted(self):
        gist = self.create({"a.txt": "x"})
        first = self.request("GET", f"/gists/{gist['id']}")
        etag = first.headers["etag"]
        self.assertRegex(etag, r'^"[0-9a-f]+"$')
        remaining = int(first.headers["x-ratelimit-remaining"])
        again = self.request("GET", f"/gists/{gist['id']}", headers={"If-None-Match": etag})
        self.assertEqual(again.status, 304)
        self.assertEqual(again.raw, b"")
        self.assertEqual(int(again.headers["x-ratelimit-remaining"]), remaining)
        weak = self.request("GET", f"/gists/{gist['id']}", headers={"If-None-Match": "W/" + etag})
        self.assertEqual(weak.status, 304)
        self.patch(gist["id"], {"a.txt": {"content": "y"}})
        changed = self.request("GET", f"/gists/{gist['id']}", headers={"If-None-Match": etag})
        self.assertEqual(changed.status, 200)
        self.assertNotEqual(changed.headers["etag"], etag)

    def test_api_versions(self):
        gist = self.create({"a.txt": "x"})
        new = self.request("GET", f"/gists/{gist['id']}", headers={"X-GitHub-Api-Version": "2026-03-10"})
        self.assertNotIn("history", new.json)
        old = self.request("GET", f"/gists/{gist['id']}", headers={"X-GitHub-Api-Version": "2022-11-28"})
        self.assertIn("history", old.json)
        self.assertEqual(self.request("GET", "/user", headers={"X-GitHub-Api-Version": "1999-01-01"}).status, 400)


class RateLimitTest(FakeGistTestCase):
    def test_headers_on_every_api_response(self):
        for resp in (self.request("GET", "/user"), self.request("GET", "/gists/none")):
            for h in ("limit", "remaining", "used", "reset", "resource"):
                self.assertIn(f"x-ratelimit-{h}", resp.headers)
        a = self.request("GET", "/user").headers
        b = self.request("GET", "/user").headers
        self.assertEqual(int(a["x-ratelimit-remaining"]) - 1, int(b["x-ratelimit-remaining"]))
        self.assertEqual(int(b["x-ratelimit-used"]), int(a["x-ratelimit-used"]) + 1)

    def test_primary_exhaustion(self):
        reset = int(time.time()) + 600
        self.control("POST", "/_fake/rate_limit", {"remaining": 0, "reset": reset})
        resp = self.request("GET", "/user")
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.headers["x-ratelimit-remaining"], "0")
        self.assertEqual(resp.headers["x-ratelimit-reset"], str(reset))
        self.assertTrue(resp.json["message"].startswith("API rate limit exceeded for user"))
        self.control("POST", "/_fake/config", {"rate_limit_status": 429})
        self.assertEqual(self.request("GET", "/user").status, 429)
        # /rate_limit itself does not count and still answers.
        self.assertEqual(self.request("GET", "/rate_limit").json["resources"]["core"]["remaining"], 0)
        # Once the reset time has passed, the window starts over.
        self.control("POST", "/_fake/rate_limit", {"remaining": 0, "reset": int(time.time()) - 1})
        self.assertEqual(self.request("GET", "/user").status, 200)

    def test_configured_limit_and_exhaustion_by_use(self):
        self.control("POST", "/_fake/config", {"rate_limit": 3})
        statuses = [self.request("GET", "/user").status for _ in range(4)]
        self.assertEqual(statuses, [200, 200, 200, 403])

    def test_secondary_rate_limit_fault(self):
        self.control("POST", "/_fake/faults", {"faults": [{"method": "GET", "path_regex": "^/user$",
                                                          "action": "secondary_rate_limit",
                                                          "headers": {"Retry-After": "7"}}]})
        resp = self.request("GET", "/user")
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.headers["retry-after"], "7")
        self.assertIn("secondary rate limit", resp.json["message"])
        self.assertNotEqual(resp.headers["x-ratelimit-remaining"], "0")
        self.assertEqual(self.request("GET", "/user").status, 200)


class FaultTest(FakeGistTestCase):
    def add(self, **fault):
        self.control("POST", "/_fake/faults", {"faults": [fault]})

    def test_status_fault_consumed_after_times(self):
        self.add(method="GET", path_regex="^/user$", times=2, status=502, body={"message": "bad gateway"})
        self.assertEqual([self.request("GET", "/user").status for _ in range(3)], [502, 502, 200])

    def test_fault_matches_method_and_path(self):
        self.add(method="PATCH", path_regex="^/gists/", status=500)
        self.assertEqual(self.request("GET", "/user").status, 200)
        gist = self.create({"a.txt": "x"})
        self.assertEqual(self.patch(gist["id"], {"a.txt": {"content": "y"}}).status, 500)
        self.assertEqual(self.control("GET", "/_fake/state")["gists"][gist["id"]]["files"]["a.txt"], "x")

    def test_drop(self):
        self.add(method="*", path_regex="^/user$", action="drop")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.request("GET", "/user")
        self.assertEqual(self.request("GET", "/user").status, 200)

    def test_truncate_body(self):
        self.add(path_regex="^/user$", action="truncate_body")
        with self.assertRaises(http.client.IncompleteRead):
            self.request("GET", "/user")

    def test_delay(self):
        self.add(path_regex="^/user$", action="delay", delay_ms=200)
        start = time.monotonic()
        self.assertEqual(self.request("GET", "/user").status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.2)

    def test_empty_content(self):
        gist = self.create({"a.txt": "x", "b.txt": "y"})
        self.add(method="GET", path_regex="^/gists/", action="empty_content")
        files = self.request("GET", f"/gists/{gist['id']}").json["files"]
        self.assertEqual([f["content"] for f in files.values()], ["", ""])
        self.assertEqual(files["a.txt"]["size"], 1)
        self.assertEqual(self.request("GET", f"/gists/{gist['id']}").json["files"]["a.txt"]["content"], "x")

    def test_fault_on_raw_port(self):
        gist = self.create({"a.txt": "x"})
        self.add(port="raw", path_regex="/raw/", status=503)
        self.assertEqual(self.raw_get(gist["files"]["a.txt"]["raw_url"]).status, 503)

    def test_invalid_fault_rejected(self):
        resp = self.request("POST", "/_fake/faults", {"faults": [{"action": "explode"}]}, token=None)
        self.assertEqual(resp.status, 400)


class ConcurrencyTest(FakeGistTestCase):
    def run_threads(self, fn, n):
        errors = []

        def wrap(i):
            try:
                fn(i)
            except Exception as err:  # noqa: BLE001 - surfaced below
                errors.append(err)
        threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def test_concurrent_patches_of_different_files_all_land(self):
        gist = self.create({"base.txt": "b"})
        self.run_threads(lambda i: self.assertEqual(
            self.patch(gist["id"], {f"m{i}.txt": {"content": str(i)}}).status, 200), 16)
        state = self.control("GET", "/_fake/state")["gists"][gist["id"]]
        self.assertEqual(len(state["files"]), 17)
        self.assertEqual(len(state["history"]), 17)

    def test_last_writer_wins_on_the_same_file(self):
        gist = self.create({"manifest.json": "0"})
        self.run_threads(lambda i: self.patch(gist["id"], {"manifest.json": {"content": f"w{i}"}}), 12)
        state = self.control("GET", "/_fake/state")["gists"][gist["id"]]
        self.assertIn(state["files"]["manifest.json"], {f"w{i}" for i in range(12)})
        self.assertEqual(len(state["history"]), 13)


class ControlTest(FakeGistTestCase):
    def test_seed_state_and_reset(self):
        gist_id = self.control("POST", "/_fake/gists", {"owner": "alice", "description": "d", "public": True,
                                                        "files": {"a.txt": "x"}})["id"]
        state = self.control("GET", "/_fake/state")["gists"][gist_id]
        self.assertEqual((state["owner"], state["description"], state["public"]), ("alice", "d", True))
        self.assertEqual(state["files"], {"a.txt": "x"})
        self.assertEqual(len(state["history"]), 1)
        self.control("POST", "/_fake/reset")
        self.assertEqual(self.control("GET", "/_fake/state")["gists"], {})
        self.assertEqual(self.request("GET", "/user").status, 401)  # tokens cleared too

    def test_request_log_in_order_without_control_calls(self):
        self.control("DELETE", "/_fake/requests")
        self.request("GET", "/user")
        self.request("GET", "/gists?per_page=5")
        log = self.control("GET", "/_fake/requests")["requests"]
        self.assertEqual([(r["method"], r["path"]) for r in log], [("GET", "/user"), ("GET", "/gists?per_page=5")])
        self.assertEqual(log[0]["headers"]["authorization"], f"Bearer {TOKEN}")
        self.assertEqual(log[0]["port"], self.api_port)
        self.assertEqual(log[0]["status"], 200)

    def test_unknown_control_endpoint(self):
        self.assertEqual(self.request("POST", "/_fake/nope", {}, token=None).status, 404)
        self.assertEqual(self.request("POST", "/_fake/config", {"bogus": 1}, token=None).status, 400)


class ProcessTest(unittest.TestCase):
    def test_port_file_only_loopback_and_sigterm(self):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.monotonic()
            proc, ports = start_server(tmp)
            startup = time.monotonic() - start
            try:
                self.assertEqual(set(ports), {"api_port", "raw_port", "pid"})
                self.assertEqual(ports["pid"], proc.pid)
                self.assertNotEqual(ports["api_port"], ports["raw_port"])
                self.assertEqual(os.listdir(tmp), ["ports.json"])  # nothing else written
                self.assertLess(startup, 5.0)  # typically ~0.2 s
                # Bound to loopback only: connecting via another local address fails.
                other = _non_loopback_address()
                if other:
                    with self.assertRaises(OSError):
                        socket.create_connection((other, ports["api_port"]), timeout=2).close()
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=10), 0)
        self.assertFalse(os.path.exists(os.path.join(HERE, "__pycache__")))


class OrphanTest(unittest.TestCase):
    def test_server_exits_when_its_parent_dies(self):
        with tempfile.TemporaryDirectory() as tmp:
            port_file = os.path.join(tmp, "ports.json")
            # An intermediate parent starts the server, waits for its port file, then dies.
            script = ("import os, subprocess, sys, time\n"
                      f"subprocess.Popen([sys.executable, {SERVER!r}, '--port-file', {port_file!r}])\n"
                      f"while not os.path.exists({port_file!r}): time.sleep(0.01)\n"
                      "os._exit(0)\n")
            subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
            with open(port_file, encoding="utf-8") as f:
                pid = json.load(f)["pid"]
            deadline = time.monotonic() + 10
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(_alive(pid), "orphaned fake server kept running")


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def _non_loopback_address():
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("10.255.255.255", 1))
        addr = s.getsockname()[0]
        s.close()
        return None if addr.startswith("127.") else addr
    except OSError:
        return None


if __name__ == "__main__":
    unittest.main()
