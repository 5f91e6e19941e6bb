#!/usr/bin/env python3
"""Fails when modules import each other in a ring, inside one crate.

ARCHITECTURE.md keeps each crate's modules layered; modules that use each other, two
(`crate::a` names `crate::b` and `crate::b` names `crate::a`) or more (a → b → c → a), are a
knot this check refuses. It reads `crate::` and `super::` paths outside comments and test
modules; a module and its own children are not a knot. Usage: module-cycles.py SRC_DIR...
"""

import os
import re
import sys

TEST_MODULE = re.compile(r"^#\[cfg\((all\()?test\b.*\n(#\[.*\n)*mod ", re.MULTILINE)


def module_of(root, path):
    parts = os.path.relpath(path, root)[: -len(".rs")].split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def uses(root):
    """Each module's name, and the module paths it names."""
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            test = TEST_MODULE.search(text)
            if test:
                text = text[: test.start()]
            code = "\n".join(
                line for line in text.split("\n") if not line.lstrip().startswith("//")
            )
            parts = module_of(root, path)
            named = set(
                re.findall(r"crate::([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)", code)
            )
            if parts:
                parent = parts[:-1]
                for sibling in re.findall(r"super::([a-z_][a-z0-9_]*)", code):
                    named.add("::".join(parent + [sibling]))
            found["::".join(parts)] = named
    return found


def knots(root):
    found = uses(root)

    def resolve(path):
        parts = path.split("::")
        for end in range(len(parts), 0, -1):
            candidate = "::".join(parts[:end])
            if candidate in found:
                return candidate
        return None

    edges = {
        module: {m for m in map(resolve, named) if m and m != module}
        for module, named in found.items()
    }

    def related(a, b):
        return not a or not b or a.startswith(b + "::") or b.startswith(a + "::")

    edges = {
        a: {b for b in targets if not related(a, b)} for a, targets in edges.items()
    }
    return rings(edges)


def rings(edges):
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


def main(roots):
    bad = 0
    for root in roots:
        for group in knots(root):
            print(
                f"{root}: {', '.join(group)} import each other in a ring",
                file=sys.stderr,
            )
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
