"""cmake/check_layers.py on crafted source trees."""
import os
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "cmake"))
import check_layers  # noqa: E402

CMAKE = """\
# sync may use store; store only common.
ccu_add_module(common DEPS nlohmann_json::nlohmann_json)
ccu_add_module(store  DEPS ccu_common SQLiteCpp)  # a trailing comment with ccu_sync in it
ccu_add_module(sync   DEPS ccu_common ccu_store
                           CLI11::CLI11)
ccu_add_module(ingest DEPS ccu_common)
"""


class CheckLayers(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.root = self.dir.name
        self.write("src/CMakeLists.txt", CMAKE)
        self.write("src/common/environment.cpp", 'const char* v = getenv("HOME");\nextern char** environ;\n')
        self.write("include/ccu/common/environment.hpp", "// Library code never calls getenv.\n")
        self.write("include/ccu/store/store.hpp", '#include "ccu/common/environment.hpp"\n')
        self.write("src/store/store.cpp", '#include "ccu/store/store.hpp"\n#include "store/detail.hpp"\n')
        self.write("src/ingest/scan.cpp", '#include "ccu/common/environment.hpp"\n')
        self.write("src/sync/push.cpp", '#include "ccu/store/store.hpp"\n#include <ccu/common/environment.hpp>\n'
                   'const char* s = "getenv(\\"X\\")";  /* getenv in a comment */\n')

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))

    def problems(self):
        return check_layers.check(self.root)[0]

    def test_a_tree_that_matches_its_declared_graph_passes(self):
        self.assertEqual(check_layers.check(self.root), ([], []))
        self.assertEqual(check_layers.main([self.root]), 0)

    def test_an_undeclared_include_in_src_fails(self):
        self.write("src/store/store.cpp", '#include "ccu/sync/push.hpp"\n')
        self.assertIn('src/store/store.cpp: #include "ccu/sync/push.hpp": store does not declare ccu_sync '
                      "in src/CMakeLists.txt", self.problems())
        self.assertEqual(check_layers.main([self.root]), 1)

    def test_a_cycle_in_the_declared_graph_fails(self):
        self.write("src/CMakeLists.txt", CMAKE.replace("ccu_common SQLiteCpp", "ccu_common ccu_sync SQLiteCpp"))
        self.write("src/store/cycle.cpp", '#include "ccu/sync/push.hpp"\n')
        self.assertEqual(self.problems(), ["the module graph has a cycle: store -> sync -> store"])

    def test_an_undeclared_include_in_a_public_header_fails(self):
        self.write("include/ccu/common/time.hpp", '#include "ccu/store/store.hpp"\n')
        self.assertIn('include/ccu/common/time.hpp: #include "ccu/store/store.hpp": common does not declare '
                      "ccu_store in src/CMakeLists.txt", self.problems())

    def test_a_declared_dependency_nothing_includes_fails(self):
        self.write("src/ingest/scan.cpp", '#include "ccu/common/environment.hpp"\n')
        self.write("src/sync/push.cpp", '#include "ccu/common/environment.hpp"\n')
        self.assertEqual(self.problems(), ["sync declares ccu_store but none of its files includes ccu/store/"])

    def test_another_modules_private_header_fails(self):
        self.write("src/sync/pull.cpp", '#include "store/detail.hpp"\n')
        self.assertEqual(self.problems(), ["src/sync/pull.cpp: includes store/detail.hpp, a private header of store"])

    def test_getenv_and_environ_outside_environment_cpp_fail_but_comments_and_strings_do_not(self):
        self.write("src/store/paths.cpp", "auto h = std::getenv(\"HOME\");\n")
        self.write("include/ccu/sync/env.hpp", "#include \"ccu/common/environment.hpp\"\n"
                   "#include \"ccu/store/store.hpp\"\ninline char** all() { return environ; }\n")
        self.assertEqual(self.problems(), [
            "src/store/paths.cpp:1: getenv outside src/common/environment.cpp (use ccu::Environment)",
            "include/ccu/sync/env.hpp:3: environ outside src/common/environment.cpp (use ccu::Environment)"])

    def test_a_folder_without_ccu_add_module_fails(self):
        self.write("src/report/report.cpp", '#include "ccu/store/store.hpp"\n')
        self.assertEqual(self.problems(), ["report/ has no ccu_add_module(report DEPS ...) in src/CMakeLists.txt"])

    def test_a_known_violation_is_reported_and_a_stale_one_fails(self):
        self.write("src/store/refresh.cpp", '#include "ccu/ingest/scan.hpp"\n')
        self.write("src/CMakeLists.txt", CMAKE + "ccu_allow_layer_violation(store ccu_ingest)\n")
        problems, notes = check_layers.check(self.root)
        self.assertEqual(notes, ['known violation (remove ccu_allow_layer_violation when fixed): '
                                 'src/store/refresh.cpp: #include "ccu/ingest/scan.hpp"'])
        self.assertEqual(problems, [])
        os.remove(os.path.join(self.root, "src/store/refresh.cpp"))
        self.assertEqual(self.problems(), ["ccu_allow_layer_violation(store ccu_ingest) is stale: store no longer "
                                           "includes ccu/ingest/; delete it"])

    def test_the_repository_itself_passes(self):
        root = os.path.join(os.path.dirname(__file__), "..", "..")
        self.assertEqual(check_layers.check(root)[0], [])


if __name__ == "__main__":
    unittest.main()
