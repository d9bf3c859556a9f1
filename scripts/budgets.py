#!/usr/bin/env python3
"""Size budgets of the built site (dist/), gzipped at level 9 as a static host serves them:
one per module, and the bytes a reader downloads before a link's first chart (the page,
its stylesheet and the light module: PRODUCT.md's 150 KB). Exits 1 naming what grew."""
import gzip
import os
import sys

DIST = sys.argv[1] if len(sys.argv) > 1 else "dist"
# (file, budget in gzipped bytes, what it is)
BUDGETS = [
    ("prefdyn-web-light_bg.wasm", 135_000, "the light module (the first chart)"),
    ("prefdyn-web-full_bg.wasm", 452000, "the full module (every section; the workers run it too)"),
]
FIRST_CHART = ["index.html", "style.css", "prefdyn-web-light.js", "prefdyn-web-light_bg.wasm"]
FIRST_CHART_BUDGET = 150_000


def gz(name):
    with open(os.path.join(DIST, name), "rb") as f:
        raw = f.read()
    return len(raw), len(gzip.compress(raw, 9))


failures = []
for name, budget, what in BUDGETS:
    raw, size = gz(name)
    print(f"{name}: {raw} bytes, {size} gzipped (budget {budget}): {what}")
    if size > budget:
        failures.append(f"{name} grew past its budget: {size} > {budget} bytes gzipped")
first = sum(gz(n)[1] for n in FIRST_CHART)
print(f"before the first chart ({' + '.join(FIRST_CHART)}): {first} bytes gzipped (budget {FIRST_CHART_BUDGET})")
if first > FIRST_CHART_BUDGET:
    failures.append(f"the bytes before the first chart grew past their budget: {first} > {FIRST_CHART_BUDGET}")
sys.exit("\n".join(failures) if failures else 0)
