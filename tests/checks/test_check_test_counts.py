"""cmake/check_test_counts.py on crafted ctest listings and a fake Catch binary."""
import json
import os
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "cmake"))
import check_test_counts  # noqa: E402

WARN = ["--warn", "NoAssertions"]
FAIL_ON_NO_MATCH = [{"name": "FAIL_REGULAR_EXPRESSION", "value": ["No test cases matched"]},
                    {"name": "LABELS", "value": ["unit"]}]


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


def listing(binary, specs, extra=WARN, properties=FAIL_ON_NO_MATCH):
    return {"tests": [{"name": "fake:" + s, "command": [binary, s] + extra, "properties": properties}
                      for s in specs]
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

    def test_two_names_merged_by_an_unclosed_bracket_fail(self):
        # CMake does not split a list inside [...]: "in [a, b)" swallows the next name's ';'.
        binary = fake_catch_binary(self.dir.name, ["in [a, b)", "next"])
        problems, _ = check_test_counts.check(listing(binary, [r"in \[a\, b);next;"]))
        self.assertIn("test_fake: ctest discovered 1 tests, Catch lists 2", problems)
        self.assertIn("test_fake: Catch test case 'next' is not run by any ctest test", problems)

    def test_same_count_but_different_names_fails(self):
        binary = fake_catch_binary(self.dir.name, ["alpha", "beta"])
        problems, _ = check_test_counts.check(listing(binary, ["alpha", "gamma"]))
        self.assertEqual(problems, ["test_fake: ctest runs 'gamma', which is no Catch test case",
                                    "test_fake: Catch test case 'beta' is not run by any ctest test"])

    def test_a_test_that_would_pass_on_no_match_fails(self):
        binary = fake_catch_binary(self.dir.name, ["alpha"])
        problems, _ = check_test_counts.check(listing(binary, ["alpha"], properties=[]))
        self.assertEqual(problems, ["test_fake: 'fake:alpha' passes when it matches no case (neither --warn "
                                    "NoTests nor FAIL_REGULAR_EXPRESSION 'No test cases matched')"])

    def test_warn_no_tests_counts_as_failing_on_no_match(self):
        binary = fake_catch_binary(self.dir.name, ["alpha"])
        problems, _ = check_test_counts.check(listing(binary, ["alpha"], ["--warn", "NoTests"], properties=[]))
        self.assertEqual(problems, ["test_fake: 'fake:alpha' runs without --warn NoAssertions"])

    def test_a_test_without_warn_no_assertions_fails(self):
        binary = fake_catch_binary(self.dir.name, ["alpha"])
        problems, _ = check_test_counts.check(listing(binary, ["alpha"], []))
        self.assertEqual(problems, ["test_fake: 'fake:alpha' runs without --warn NoAssertions"])

    def test_a_binary_that_is_not_built_fails(self):
        problems, _ = check_test_counts.check(listing(os.path.join(self.dir.name, "test_x_NOT_BUILT"), ["a"]))
        self.assertEqual(len(problems), 1)
        self.assertIn("test_x_NOT_BUILT: cannot list its test cases", problems[0])

    def test_a_placeholder_for_an_unbuilt_binary_fails(self):
        binary = fake_catch_binary(self.dir.name, ["a"])
        data = listing(binary, ["a"])
        data["tests"].append({"name": "test_pricing_NOT_BUILT-98e47c4"})
        problems, _ = check_test_counts.check(data)
        self.assertEqual(problems, ["test_pricing_NOT_BUILT-98e47c4: the test binary is not built, so none of "
                                    "its cases run"])

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
