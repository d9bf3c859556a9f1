#!/usr/bin/env python3
"""Lists Rust functions longer than N lines (default 80) under crates/, counting from the
`fn` line to its closing brace; exits 1 when any is found outside the allowed list (the
unrolled hot loop)."""
import pathlib
import re
import sys

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 80
ALLOWED = {("crates/prefdyn/src/lanes/kernel.rs", "run_group")}
FN = re.compile(r"\s*(pub(\([a-z]+\))?\s+)?(const\s+)?(unsafe\s+)?(async\s+)?fn\s+(\w+)")


def long_functions(path):
    lines = path.read_text().split("\n")
    i = 0
    while i < len(lines):
        m = FN.match(lines[i])
        if not m:
            i += 1
            continue
        depth, started, j = 0, False, i
        while j < len(lines):
            depth += lines[j].count("{") - lines[j].count("}")
            started = started or "{" in lines[j]
            if (started and depth <= 0) or (not started and lines[j].rstrip().endswith(";")):
                break
            j += 1
        if j - i + 1 > LIMIT:
            yield m.group(6), i + 1, j - i + 1
        i = j + 1 if started else i + 1


found = 0
for p in sorted(pathlib.Path("crates").rglob("*.rs")):
    for name, line, length in long_functions(p):
        allowed = (str(p), name) in ALLOWED
        print(f"{p}:{line}: {name}: {length} lines{' (allowed: hot loop)' if allowed else ''}")
        found += not allowed
sys.exit(1 if found else 0)
