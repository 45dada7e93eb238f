"""cmake/check_test_counts.py on crafted ctest listings and a fake Catch binary."""
import json
import os
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "cmake"))
import check_test_counts  # noqa: E402

WARN = ["--warn", "NoAssertions", "--warn", "NoTests"]


def fake_catch_binary(directory, names):
    """An executable named test_fake that answers --list-test-names-only like Catch2 v2."""
    path = os.path.join(directory, "test_fake")
    with open(path, "w", encoding="utf-8") as f:
        f.write("#!/bin/sh\n")
        for name in names:
            shown = '"' + name + '"' if name.startswith("#") else name
            f.write("printf '%s\\n' '" + shown.replace("'", "'\\''") + "'\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def listing(binary, specs, extra=WARN):
    return {"tests": [{"name": "fake:" + s, "command": [binary, s] + extra} for s in specs]
            + [{"name": "fake_gist:selftest", "command": ["/usr/bin/python3", "-m", "unittest"]}]}


class CheckTestCounts(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def test_agreeing_lists_pass_and_escaped_commas_match(self):
        binary = fake_catch_binary(self.dir.name, ["plain", "a, b [x]", "#7 numbered"])
        problems, summary = check_test_counts.check(listing(binary, ["plain", r"a\, b \[x\]", "#7 numbered"]))
        self.assertEqual(problems, [])
        self.assertEqual(summary, ["test_fake: ctest 3, catch 3"])

    def test_a_name_split_at_a_semicolon_fails(self):
        # What catch_discover_tests makes of "one; two": two ctest tests, neither a Catch case.
        binary = fake_catch_binary(self.dir.name, ["one; two", "other"])
        problems, _ = check_test_counts.check(listing(binary, ["one", " two", "other"]))
        self.assertIn("test_fake: ctest discovered 3 tests, Catch lists 2", problems)
        self.assertIn("test_fake: ctest runs 'one', which is no Catch test case", problems)
        self.assertIn("test_fake: ctest runs ' two', which is no Catch test case", problems)
        self.assertIn("test_fake: Catch test case 'one; two' is not run by any ctest test", problems)

    def test_same_count_but_different_names_fails(self):
        binary = fake_catch_binary(self.dir.name, ["alpha", "beta"])
        problems, _ = check_test_counts.check(listing(binary, ["alpha", "gamma"]))
        self.assertEqual(problems, ["test_fake: ctest runs 'gamma', which is no Catch test case",
                                    "test_fake: Catch test case 'beta' is not run by any ctest test"])

    def test_a_test_without_warn_no_tests_fails(self):
        binary = fake_catch_binary(self.dir.name, ["alpha"])
        problems, _ = check_test_counts.check(listing(binary, ["alpha"], ["--warn", "NoAssertions"]))
        self.assertEqual(problems, ["test_fake: 'fake:alpha' runs without --warn NoTests"])

    def test_a_binary_that_is_not_built_fails(self):
        problems, _ = check_test_counts.check(listing(os.path.join(self.dir.name, "test_x_NOT_BUILT"), ["a"]))
        self.assertEqual(len(problems), 1)
        self.assertIn("test_x_NOT_BUILT: cannot list its test cases", problems[0])

    def test_no_catch_binary_at_all_fails(self):
        problems, _ = check_test_counts.check({"tests": []})
        self.assertEqual(problems, ["ctest lists no Catch test binaries (test_*) at all"])

    def test_main_exits_1_on_a_saved_listing_that_disagrees(self):
        binary = fake_catch_binary(self.dir.name, ["one; two"])
        saved = os.path.join(self.dir.name, "ctest.json")
        with open(saved, "w", encoding="utf-8") as f:
            json.dump(listing(binary, ["one", " two"]), f)
        self.assertEqual(check_test_counts.main(["--ctest-json", saved]), 1)
        fixed = fake_catch_binary(self.dir.name, ["one", " two"])
        with open(saved, "w", encoding="utf-8") as f:
            json.dump(listing(fixed, ["one", " two"]), f)
        self.assertEqual(check_test_counts.main(["--ctest-json", saved]), 0)


if __name__ == "__main__":
    unittest.main()
