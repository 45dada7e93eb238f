#!/usr/bin/env python3
"""Fails when the code's include graph leaves the module graph declared in src/CMakeLists.txt.

The one source of truth is the `ccu_add_module(<name> DEPS ...)` calls: the `ccu_<m>` entries
of a module's DEPS are the modules it may use. For every module this check reads
src/<module>/ and include/ccu/<module>/ and fails when
  - a file includes `ccu/<other>/...` and <other> is not declared (an undeclared dependency),
  - a declared module dependency is never included (the declared graph must be the real one),
  - a file includes another module's private headers (`<other>/...` from src/),
  - the declared graph has a cycle, or a folder has no ccu_add_module call;
and, over all of src/ and include/, when `getenv`/`secure_getenv`/`environ` appears in code
outside src/common/environment.cpp (library code reads the environment through
ccu::Environment).

A known violation that is being removed is declared with
`ccu_allow_layer_violation(<module> ccu_<other> ...)` (which also links it): it is reported but
passes, and becomes an error as soon as the code no longer needs it, so the line is deleted
with the violation.

Usage: check_layers.py [SOURCE_DIR]    (default: the repository containing this script)
Exit 0 when the code matches the declared graph, 1 otherwise (one line per problem on stderr).
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
ADD_MODULE = re.compile(r'ccu_add_module\(\s*(\w+)([^)]*)\)')
ALLOW = re.compile(r'ccu_allow_layer_violation\(\s*(\w+)([^)]*)\)')
ENV_ACCESS = re.compile(r'\b(secure_getenv|getenv|environ)\b')
ENVIRONMENT_FILE = "src/common/environment.cpp"
SOURCE_SUFFIXES = (".cpp", ".hpp", ".h", ".cc", ".ipp")


def strip_cmake_comments(text):
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def module_deps(args):
    tokens = args.split()
    if "DEPS" in tokens:
        tokens = tokens[tokens.index("DEPS") + 1:]
    return {t[len("ccu_"):] for t in tokens if t.startswith("ccu_")}


def declared_graph(cmake_text):
    """({module: declared module deps}, {module: allowed known violations})."""
    text = strip_cmake_comments(cmake_text)
    graph = {m.group(1): module_deps(m.group(2)) for m in ADD_MODULE.finditer(text)}
    allowed = {}
    for m in ALLOW.finditer(text):
        allowed.setdefault(m.group(1), set()).update(module_deps(m.group(2)))
    return graph, allowed


def strip_code_comments_and_strings(text):
    """C++ text with comments, string and char literals blanked (line structure kept)."""
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|R"(\w*)\(.*?\)\1"|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                         re.S)
    return pattern.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text)


def source_files(root, rel_dir):
    base = os.path.join(root, rel_dir)
    for dirpath, _, names in os.walk(base):
        for name in sorted(names):
            if name.endswith(SOURCE_SUFFIXES):
                path = os.path.join(dirpath, name)
                yield os.path.relpath(path, root).replace(os.sep, "/"), path


def find_cycle(graph):
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                return stack[stack.index(dep):] + [dep] if dep in stack else [node, dep]
            if dep not in state:
                found = visit(dep, stack + [dep])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def check(root):
    """Returns (problems, notes)."""
    problems, notes = [], []
    with open(os.path.join(root, "src", "CMakeLists.txt"), encoding="utf-8") as f:
        graph, allowed = declared_graph(f.read())
    folders = {d for d in os.listdir(os.path.join(root, "src"))
               if os.path.isdir(os.path.join(root, "src", d))}
    include_root = os.path.join(root, "include", "ccu")
    if os.path.isdir(include_root):
        folders |= {d for d in os.listdir(include_root) if os.path.isdir(os.path.join(include_root, d))}
    for folder in sorted(folders - set(graph)):
        problems.append(f"{folder}/ has no ccu_add_module({folder} DEPS ...) in src/CMakeLists.txt")
    for module, deps in sorted(graph.items()):
        for dep in sorted(deps - set(graph)):
            problems.append(f"{module} declares ccu_{dep}, which is no module")
    cycle = find_cycle({m: d | allowed.get(m, set()) for m, d in graph.items()})
    if cycle:
        problems.append("the module graph has a cycle: " + " -> ".join(cycle))

    for module in sorted(graph):
        used = {}
        for rel_dir in (f"src/{module}", f"include/ccu/{module}"):
            for rel, path in source_files(root, rel_dir):
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for m in INCLUDE.finditer(text):
                    parts = m.group(1).split("/")
                    if len(parts) >= 3 and parts[0] == "ccu" and parts[1] in graph:
                        if parts[1] != module:
                            used.setdefault(parts[1], f"{rel}: #include \"{m.group(1)}\"")
                    elif len(parts) >= 2 and parts[0] in graph and parts[0] != module:
                        problems.append(f"{rel}: includes {m.group(1)}, a private header of {parts[0]}")
        declared, known = graph[module], allowed.get(module, set())
        for dep in sorted(set(used) - declared):
            if dep in known:
                notes.append(f"known violation (remove ccu_allow_layer_violation when fixed): {used[dep]}")
            else:
                problems.append(f"{used[dep]}: {module} does not declare ccu_{dep} in src/CMakeLists.txt")
        for dep in sorted(declared - set(used)):
            problems.append(f"{module} declares ccu_{dep} but none of its files includes ccu/{dep}/")
        for dep in sorted(known - set(used)):
            problems.append(f"ccu_allow_layer_violation({module} ccu_{dep}) is stale: {module} no longer "
                            f"includes ccu/{dep}/; delete it")
        for dep in sorted(known & declared):
            problems.append(f"{module}: ccu_{dep} is both declared and allowed as a violation")

    for top in ("src", "include"):
        for rel, path in source_files(root, top):
            if rel == ENVIRONMENT_FILE:
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                code = strip_code_comments_and_strings(f.read())
            for number, line in enumerate(code.splitlines(), 1):
                m = ENV_ACCESS.search(line)
                if m:
                    problems.append(f"{rel}:{number}: {m.group(1)} outside {ENVIRONMENT_FILE} "
                                    "(use ccu::Environment)")
    return problems, notes


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    root = argv[0] if argv else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems, notes = check(root)
    for note in notes:
        print(note)
    for problem in problems:
        print("error: " + problem, file=sys.stderr)
    if not problems:
        print("layers: the include graph matches src/CMakeLists.txt")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
