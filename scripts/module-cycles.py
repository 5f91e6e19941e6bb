#!/usr/bin/env python3
"""Fails when a module imports another that imports it back, inside one crate.

ARCHITECTURE.md keeps each crate's modules layered; a pair of modules that use each other
(`crate::a` names `crate::b` and `crate::b` names `crate::a`) is a knot this check refuses.
It reads `crate::` and `super::` paths outside comments and test modules; a module and its
own children are not a pair. Usage: module-cycles.py SRC_DIR...
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
    pairs = set()
    for a, targets in edges.items():
        for b in targets:
            related = a.startswith(b + "::") or b.startswith(a + "::") or not a or not b
            if a in edges.get(b, ()) and not related:
                pairs.add(tuple(sorted((a, b))))
    return sorted(pairs)


def main(roots):
    bad = 0
    for root in roots:
        for a, b in knots(root):
            print(f"{root}: {a} and {b} import each other", file=sys.stderr)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
