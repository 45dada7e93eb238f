"""Self-test of fake_gist_server.py, part 1: the emulated GitHub API over real HTTP.

Run: cd tests/fake_gist && python3 -m unittest discover -v -p 'test_*.py'
Standard library only (http.client, so a request can omit User-Agent).
"""

import http.client
import json
import re
import unittest
from urllib.parse import urlsplit

from fake_gist_testlib import TOKEN, FakeGistTestCase


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


if __name__ == "__main__":
    unittest.main()
