#!/usr/bin/env python3
"""The web crate's module graph: which module uses which (`crate::…`, `super::…`), and a check
that it has no circle (changes flow one way: listeners → store → model → subscribers). A
private submodule (`mod x;`) is part of its parent: the two are one unit (they may share
private items both ways); public modules are units of their own.

    python3 scripts/module_graph.py            # check; exit 1 naming a circle
    python3 scripts/module_graph.py --print    # also print the graph, one file per line
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "prefdyn-web", "src")


def modules():
    """Module path (`sections::dynamics`) → file, for every .rs file of the crate."""
    out = {}
    for d, _, files in os.walk(ROOT):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(d, f), ROOT)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib"):
                rel = rel[:-1]
            out["::".join(rel)] = os.path.join(d, f)
    return out


def resolve(path, mods):
    """The longest module prefix of `a::b::c` that is a file of the crate."""
    parts = path.split("::")
    for n in range(len(parts), 0, -1):
        m = "::".join(parts[:n])
        if m in mods:
            return m
    return None


def uses(mod, text, mods):
    """Modules `mod`'s file refers to, outside its tests."""
    text = text.split("#[cfg(test)]")[0]
    text = re.sub(r"//[^\n]*", "", text)
    parent = mod.rsplit("::", 1)[0] if "::" in mod else ""
    found = set()
    for m in re.finditer(r"\bcrate::((?:\w+::)*\w+)", text):
        t = resolve(m.group(1), mods)
        if t is not None:
            found.add(t)
    for m in re.finditer(r"\bsuper::((?:\w+::)*\w+)", text):
        t = resolve(f"{parent}::{m.group(1)}" if parent else m.group(1), mods) or parent
        found.add(t)
    # `use crate::{a, b::c}` groups.
    for g in re.finditer(r"\bcrate::\{([^}]*)\}", text):
        for item in re.split(r"[,\s]+", g.group(1)):
            item = item.strip().split("::{")[0]
            t = resolve(item, mods) if item else None
            if t is not None:
                found.add(t)
    found.discard(mod)
    found.discard("")
    return found


def unit_of(mods):
    """Each module's unit: itself, or its parent's unit when it is a private submodule."""
    private = set()
    for m, f in mods.items():
        text = open(f, encoding="utf-8").read()
        for sub in re.findall(r"^\s*mod (\w+);", text, re.M):
            private.add(f"{m}::{sub}" if m else sub)

    def unit(m):
        while m in private:
            m = m.rsplit("::", 1)[0] if "::" in m else ""
        return m

    return {m: unit(m) for m in mods}


def main():
    mods = modules()
    unit = unit_of(mods)
    graph = {}
    for m, f in mods.items():
        targets = {unit[t] for t in uses(m, open(f, encoding="utf-8").read(), mods)}
        graph.setdefault(unit[m], set()).update(targets - {unit[m]})
    if "--print" in sys.argv:
        for m in sorted(graph):
            print(f"{m or '(lib)'} -> {', '.join(sorted(graph[m])) or '-'}")
    # Depth-first search for a circle.
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if state.get(n) is None:
                c = visit(n)
                if c:
                    return c
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if state.get(m) is None:
            c = visit(m)
            if c:
                sys.exit("the web crate's modules use each other in a circle: " + " -> ".join(c))
    print(f"web crate: {len(graph)} modules, {sum(len(v) for v in graph.values())} uses, no circle")


if __name__ == "__main__":
    main()
