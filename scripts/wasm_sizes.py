#!/usr/bin/env python3
"""What a wasm module is made of (like `twiggy top`, no install): the size of each function
body by its name (the module must keep its name section: cargo's output before wasm-bindgen
and wasm-opt), grouped by crate, and the data section.

    python3 scripts/wasm_sizes.py target/wasm32-unknown-unknown/wasm-light/prefdyn_web_light.wasm [--top N] [--grep TEXT]
"""
import re
import sys
from collections import defaultdict


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def demangle(n):
    """Legacy Rust mangling `_ZN3foo3bar17h…E` → `foo::bar`."""
    if not n.startswith("_ZN"):
        return n
    parts, i = [], 3
    while i < len(n) and n[i].isdigit():
        j = i
        while n[j].isdigit():
            j += 1
        k = int(n[i:j])
        parts.append(n[j:j + k])
        i = j + k
    if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
        parts.pop()
    return "::".join(p.replace("$LT$", "<").replace("$GT$", ">").replace("$u20$", " ").replace("..", "::") for p in parts)


def main():
    args = sys.argv[1:]
    path = args[0]
    top = int(args[args.index("--top") + 1]) if "--top" in args else 40
    grep = args[args.index("--grep") + 1] if "--grep" in args else None
    b = open(path, "rb").read()
    i, imports, bodies, names, sections = 8, 0, [], {}, {}
    while i < len(b):
        sid = b[i]
        size, j = leb(b, i + 1)
        end = j + size
        sections[sid] = sections.get(sid, 0) + size
        if sid == 2:  # imports: count functions
            n, k = leb(b, j)
            for _ in range(n):
                for _ in range(2):
                    l, k = leb(b, k)
                    k += l
                kind = b[k]
                k += 1
                if kind == 0:
                    _, k = leb(b, k)
                    imports += 1
                elif kind == 1:
                    k += 1
                    fl, k = leb(b, k)
                    _, k = leb(b, k)
                    if fl & 1:
                        _, k = leb(b, k)
                elif kind == 2:
                    fl, k = leb(b, k)
                    _, k = leb(b, k)
                    if fl & 1:
                        _, k = leb(b, k)
                elif kind == 3:
                    k += 2
        elif sid == 10:
            n, k = leb(b, j)
            for _ in range(n):
                l, k = leb(b, k)
                bodies.append(l)
                k += l
        elif sid == 0:
            l, k = leb(b, j)
            if b[k:k + l] == b"name":
                k += l
                while k < end:
                    sub = b[k]
                    sl, k2 = leb(b, k + 1)
                    if sub == 1:
                        n, q = leb(b, k2)
                        for _ in range(n):
                            idx, q = leb(b, q)
                            nl, q = leb(b, q)
                            names[idx] = b[q:q + nl].decode("utf8", "replace")
                            q += nl
                    k = k2 + sl
        i = end
    rows = [(sz, demangle(names.get(imports + f, f"func{imports + f}"))) for f, sz in enumerate(bodies)]
    if grep:
        rows = [r for r in rows if grep in r[1]]
    total = sum(s for s, _ in rows)
    by_crate = defaultdict(int)
    for sz, n in rows:
        name = n.lstrip("<")
        by_crate[name.split("::")[0].split(" ")[0]] += sz
    print(f"{path}: code {sections.get(10, 0)} bytes in {len(bodies)} functions, data {sections.get(11, 0)}, custom/names {sections.get(0, 0)}")
    print("\nby crate:")
    for c, sz in sorted(by_crate.items(), key=lambda x: -x[1])[:25]:
        print(f"  {sz:8d}  {100 * sz / max(total, 1):5.1f}%  {c}")
    print(f"\ntop {top} functions:")
    for sz, n in sorted(rows, reverse=True)[:top]:
        print(f"  {sz:8d}  {n[:150]}")


if __name__ == "__main__":
    main()
