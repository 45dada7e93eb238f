#!/usr/bin/env python3
"""Fails when ctest and Catch2 disagree about which test cases exist.

catch_discover_tests turns every line of `test_x --list-test-names-only` into one ctest test
whose command passes the name back to the binary. A name the round trip mangles (a `;` splits
it into two ctest tests, each matching no case) used to "pass" while running nothing. This
check compares, per Catch binary, ctest's discovered tests with Catch's own list: same count,
same names; and every discovered test fails when its name matches no case (`--warn NoTests`, or
FAIL_REGULAR_EXPRESSION on Catch's "No test cases matched", which ccu uses because Catch2 v2
takes `--warn` once) and when a case asserts nothing (`--warn NoAssertions`).

Usage: check_test_counts.py --ctest CTEST --build-dir DIR   (what the ctest test runs)
       check_test_counts.py --ctest-json FILE               (a saved `ctest --show-only=json-v1`)
Exit 0 when every binary agrees, 1 otherwise (differences on stderr).
"""
import argparse
import collections
import json
import os
import subprocess
import sys


def catch_names(binary):
    """The test case names Catch lists. Catch quotes a name that starts with '#'."""
    out = subprocess.run([binary, "--list-test-names-only"], capture_output=True, text=True,
                         check=False).stdout
    names = []
    for line in out.splitlines():
        if not line.strip():
            continue
        if line.startswith('"#') and line.endswith('"'):
            line = line[1:-1]
        names.append(line)
    return names


def discovered_by_binary(ctest_json):
    """{binary: [(ctest name, command, test)]} for the tests run by a Catch binary (test_*)."""
    by_binary = collections.OrderedDict()
    for test in ctest_json.get("tests", []):
        command = test.get("command") or []
        if command and os.path.basename(command[0]).startswith("test_"):
            by_binary.setdefault(command[0], []).append((test["name"], command, test))
    return by_binary


def unescape_spec(spec):
    """CatchAddTests escapes ',' '[' ']' in the name it passes back; undo that."""
    for char in ",[]":
        spec = spec.replace("\\" + char, char)
    return spec


NO_MATCH_OUTPUT = "No test cases matched"


def has_warning(command, warning):
    return any(a in ("--warn", "-w") and b == warning for a, b in zip(command, command[1:]))


def fails_on_no_match(test):
    if has_warning(test.get("command") or [], "NoTests"):
        return True
    for prop in test.get("properties") or []:
        if prop.get("name") == "FAIL_REGULAR_EXPRESSION":
            values = prop.get("value")
            values = values if isinstance(values, list) else [values]
            if any(NO_MATCH_OUTPUT in str(v) for v in values):
                return True
    return False


def check(ctest_json, list_names=catch_names):
    """Returns (problems, summary lines)."""
    problems, summary = [], []
    by_binary = discovered_by_binary(ctest_json)
    if not by_binary:
        problems.append("ctest lists no Catch test binaries (test_*) at all")
    for test in ctest_json.get("tests", []):
        # catch_discover_tests' placeholder for a binary that was not built: none of its cases run.
        if "_NOT_BUILT" in test.get("name", ""):
            problems.append(f"{test['name']}: the test binary is not built, so none of its cases run")
    for binary, tests in by_binary.items():
        try:
            listed = list_names(binary)
        except OSError as e:
            problems.append(f"{os.path.basename(binary)}: cannot list its test cases ({e.strerror}); "
                            "is it built?")
            continue
        specs = [unescape_spec(command[1]) if len(command) > 1 else "" for _, command, _ in tests]
        name = os.path.basename(binary)
        summary.append(f"{name}: ctest {len(tests)}, catch {len(listed)}")
        if len(tests) != len(listed):
            problems.append(f"{name}: ctest discovered {len(tests)} tests, Catch lists {len(listed)}")
        for spec in sorted(set(specs) - set(listed)):
            problems.append(f"{name}: ctest runs '{spec}', which is no Catch test case")
        for case in sorted(set(listed) - set(specs)):
            problems.append(f"{name}: Catch test case '{case}' is not run by any ctest test")
        for test_name, command, test in tests:
            if not fails_on_no_match(test):
                problems.append(f"{name}: '{test_name}' passes when it matches no case "
                                f"(neither --warn NoTests nor FAIL_REGULAR_EXPRESSION '{NO_MATCH_OUTPUT}')")
            if not has_warning(command, "NoAssertions"):
                problems.append(f"{name}: '{test_name}' runs without --warn NoAssertions")
    return problems, summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ctest", help="the ctest executable")
    parser.add_argument("--build-dir", help="the build tree ctest reads")
    parser.add_argument("--ctest-json", help="a saved `ctest --show-only=json-v1` output")
    args = parser.parse_args(argv)
    if args.ctest_json:
        with open(args.ctest_json, encoding="utf-8") as f:
            data = json.load(f)
    elif args.ctest and args.build_dir:
        out = subprocess.run([args.ctest, "--test-dir", args.build_dir, "--show-only=json-v1"],
                             capture_output=True, text=True, check=True).stdout
        data = json.loads(out)
    else:
        parser.error("give --ctest and --build-dir, or --ctest-json")
    problems, summary = check(data)
    for line in summary:
        print(line)
    for problem in problems:
        print("error: " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
