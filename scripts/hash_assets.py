#!/usr/bin/env python3
"""Turns a `trunk build --release` output into a publishable site (scripts/build.sh runs it).

Every file except the stable ones (index.html, embed.js, embed-example.html: people link to
them) gets a content hash in its name, and every reference to it is rewritten:

  prefdyn-web-<m>.js        -> prefdyn-web-<m>-<hash8>.js       (wasm-bindgen's JS glue)
  prefdyn-web-<m>_bg.wasm   -> prefdyn-web-<m>_bg-<hash8>.wasm
  phase-worker.js           -> phase-worker-<hash8>.js
  style.css, favicon.svg,…  -> style-<hash8>.css, favicon-<hash8>.svg, …

The files refer to each other like this (an arrow: "names"):

  index.html (loader) -> glue, wasm      index.html (meta prefdyn-phase-worker) -> worker
  phase-worker.js -> full glue           glue -> its wasm (wasm-bindgen's default URL)

The glue must not name its wasm: the page's loader passes the hashed wasm URL to
`init({module_or_path})` (the worker passes the compiled module it is sent), and the glue's
default `new URL('<m>_bg.wasm', import.meta.url)` becomes an error. The full module finds
the worker through the page (`<meta name="prefdyn-phase-worker">`, read by pool.rs). The
files are then hashed in dependency order: glue, worker, wasm, stylesheet and icon, and
last index.html, whose CSP is recomputed by scripts/csp.py (the rewritten loader has a new
sha256).

Also writes `_headers` (Netlify, Cloudflare Pages) and `.htaccess` (Apache): application/wasm,
immutable caching of hashed files, no-cache for the stable ones, the CSP. Fails (exit 1)
when any output still names an unhashed asset.

Usage: hash_assets.py SRC OUT [--base /prefdyn/v0.3/] [--label NAME]
  SRC   a `trunk build --release` output (read only)
  OUT   an empty or missing directory
  BASE  the URL path the site will be published at; used only for the paths in _headers
"""
import argparse
import base64
import gzip
import hashlib
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = ["prefdyn-web-light", "prefdyn-web-full"]
WORKER = "phase-worker.js"
# Stable names: people link to them (the page, the embed script, the example host page).
STABLE = ["index.html", "embed.js", "embed-example.html"]
OPTIONAL_STABLE = ["embed.js", "embed-example.html"]
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml",
    ".json": "application/json", ".png": "image/png", ".ico": "image/x-icon",
    ".woff2": "font/woff2", ".txt": "text/plain; charset=utf-8",
}
TEXT = {".html", ".js", ".css", ".svg", ".json", ".txt"}


class BuildError(Exception):
    pass


def h8(data):
    return hashlib.sha256(data).hexdigest()[:8]


def hashed_name(name, data):
    stem, ext = os.path.splitext(name)
    return f"{stem}-{h8(data)}{ext}"


def replace_once(text, old, new, where):
    n = text.count(old)
    if n != 1:
        raise BuildError(f"{where}: expected exactly one {old!r}, found {n} (did its source change? update scripts/hash_assets.py)")
    return text.replace(old, new)


def rename_refs(text, renames):
    """Rewrites references to renamed files: the name preceded by / " ' ( and followed by
    " ' ) ? # or whitespace (so `./style.css` and `"style.css"` but not `my-style.css`)."""
    for old, new in renames.items():
        text = re.sub(r"(?<=[\"'(/])" + re.escape(old) + r"(?=[\"')?#\s])", new, text)
    return text


class Site:
    def __init__(self, src):
        self.files = {}
        for name in sorted(os.listdir(src)):
            path = os.path.join(src, name)
            if os.path.isdir(path):
                raise BuildError(f"{src}/{name}: a directory in the trunk output; hash_assets.py expects a flat site")
            with open(path, "rb") as f:
                self.files[name] = f.read()
        self.renames = {}  # old name -> new name
        self.originals = list(self.files)
        for need in ["index.html", WORKER] + [m + s for m in MODULES for s in (".js", "_bg.wasm")]:
            if need not in self.files:
                raise BuildError(f"{src}: no {need}; is this a `trunk build --release` output?")

    def text(self, name):
        return self.files[name].decode("utf-8")

    def set_text(self, name, text):
        self.files[name] = text.encode("utf-8")

    def rename(self, name, new=None):
        data = self.files.pop(name)
        new = new or hashed_name(name, data)
        self.files[new] = data
        self.renames[name] = new
        return new

    def rewrite_refs(self, names):
        for name in names:
            if os.path.splitext(name)[1] in TEXT:
                self.set_text(name, rename_refs(self.text(name), self.renames))


def hash_glue(site, module):
    """The JS glue without its default wasm URL (the loader passes the hashed one): the
    expression `new URL('MODULE_bg.wasm', import.meta.url)` (as wasm-bindgen writes it, or
    minified by terser) throws instead."""
    name = module + ".js"
    default = re.compile(r"new URL\((['\"])" + re.escape(module) + r"_bg\.wasm\1,\s*import\.meta\.url\)")
    error = (f"(() => {{ throw new Error('prefdyn: {module} is published with a hashed wasm file name: "
             "call init({ module_or_path }) with its URL'); })()")
    text, n = default.subn(lambda _: error, site.text(name))
    if n != 1:
        raise BuildError(f"{name}: expected exactly one default wasm URL, found {n} (did its source change? update scripts/hash_assets.py)")
    site.set_text(name, text)
    return site.rename(name)


def hash_worker(site, full_glue):
    text = replace_once(site.text(WORKER), "'./prefdyn-web-full.js'", f"'./{full_glue}'", WORKER)
    site.set_text(WORKER, text)
    return site.rename(WORKER)


LOADER_EDITS = [
    # (what the loader in index.html says, what it says after: ASSETS maps a module to its files)
    ("hint.href = './' + name + '_bg.wasm';", "hint.href = ASSETS[name].wasm;"),
    ("import('./' + name + '.js')", "import(ASSETS[name].js)"),
    ("return m.default(); }", "return m.default({ module_or_path: ASSETS[name].wasm }); }"),
]


def rewrite_loader(html, assets):
    """The inline loader (the script that defines `function load(name)`) with hashed names."""
    scripts = [m for m in re.finditer(r"<script>(.*?)</script>", html, re.S) if "function load(name)" in m.group(1)]
    if len(scripts) != 1:
        raise BuildError(f"index.html: expected one inline loader script with `function load(name)`, found {len(scripts)}")
    m = scripts[0]
    body = m.group(1)
    for old, new in LOADER_EDITS:
        body = replace_once(body, old, new, "index.html's loader")
    table = "var ASSETS = {%s};" % ", ".join(
        "'%s': { js: './%s', wasm: './%s' }" % (k, v["js"], v["wasm"]) for k, v in assets.items())
    body = replace_once(body, "(function () {", "(function () {\n        " + table, "index.html's loader")
    return html[: m.start(1)] + body + html[m.end(1):]


def check_no_unhashed(site):
    """Every output file is scanned for the name of a file that was renamed, and the loader
    for names built from pieces; any hit fails the build."""
    problems = []
    for name, data in site.files.items():
        for old in site.renames:
            # A name, not part of a longer one (`f.style.cssText` does not name style.css).
            if re.search(rb"(?<![\w-])" + re.escape(old.encode()) + rb"(?![\w-])", data):
                problems.append(f"{name} still names {old}")
        if os.path.splitext(name)[1] in TEXT:
            text = data.decode("utf-8", "replace")
            for pat in [r"\+\s*'(_bg\.wasm|\.js)'", r"\+\s*\"(_bg\.wasm|\.js)\"", r"_bg\.wasm\b"]:
                for hit in re.finditer(pat, text):
                    problems.append(f"{name} builds an unhashed name: …{text[max(0, hit.start() - 40):hit.end() + 10]}…")
    if problems:
        raise BuildError("references to unhashed assets remain:\n  " + "\n  ".join(problems))


def csp_of(html):
    m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
    if not m:
        raise BuildError("index.html: no CSP meta after scripts/csp.py")
    return m.group(1)


def check_csp(html, csp):
    """Every inline script's sha256 is in the policy (what the browser will check)."""
    for m in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S):
        digest = base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
        if f"'sha256-{digest}'" not in csp:
            raise BuildError("index.html: an inline script's hash is not in the CSP")


def header_rules(site, csp, base):
    """(path pattern, [(header, value)]) for _headers, in the order written."""
    rules = [(base + "*", [("X-Content-Type-Options", "nosniff")])]
    page = [("Cache-Control", NO_CACHE), ("Content-Security-Policy", csp)]
    rules.append((base, page))
    for name in sorted(site.files):
        ext = os.path.splitext(name)[1]
        headers = [("Content-Type", TYPES[ext])] if ext in TYPES else []
        if name == "index.html":
            headers += page
        elif name in STABLE:
            headers.append(("Cache-Control", NO_CACHE))
        else:
            headers.append(("Cache-Control", IMMUTABLE))
        rules.append((base + name, headers))
    return rules


def write_headers(site, csp, base):
    lines = [
        "# prefdyn: response headers for Netlify and Cloudflare Pages (written by scripts/build.sh).",
        f"# Paths are for a site published at {base}. Only the _headers at the root of a deploy",
        "# is read: to publish several releases, concatenate their _headers into the root one.",
    ]
    for path, headers in header_rules(site, csp, base):
        lines.append(path)
        lines += [f"  {k}: {v}" for k, v in headers]
    return "\n".join(lines) + "\n"


def write_htaccess(site, csp):
    stable = [n for n in site.files if n in STABLE]
    hashed = [n for n in site.files if n not in STABLE]
    alt = lambda names: "|".join(n.replace(".", r"\.") for n in sorted(names))
    return "\n".join([
        "# prefdyn: Apache settings for this directory (written by scripts/build.sh). Works at any",
        "# path; needs AllowOverride FileInfo, and mod_headers for the Header lines.",
        "AddType application/wasm .wasm",
        "AddType text/javascript .js",
        "AddType image/svg+xml .svg",
        "AddCharset utf-8 .html .js .css",
        "<IfModule mod_headers.c>",
        '  Header set X-Content-Type-Options "nosniff"',
        f'  <FilesMatch "^({alt(hashed)})$">',
        f'    Header set Cache-Control "{IMMUTABLE}"',
        "  </FilesMatch>",
        f'  <FilesMatch "^({alt(stable)})$">',
        f'    Header set Cache-Control "{NO_CACHE}"',
        "  </FilesMatch>",
        '  <Files "index.html">',
        f'    Header set Content-Security-Policy "{csp}"',
        "  </Files>",
        "</IfModule>",
        "<IfModule mod_deflate.c>",
        "  <IfModule mod_filter.c>",
        "    AddOutputFilterByType DEFLATE text/html text/css text/javascript application/wasm image/svg+xml",
        "  </IfModule>",
        "</IfModule>",
        "",
    ])


def kb(n):
    return f"{n / 1000:.1f}"


def summary(out, names, label):
    parts, raw_total, gz_total = [], 0, 0
    for name in names:
        with open(os.path.join(out, name), "rb") as f:
            data = f.read()
        gz = len(gzip.compress(data, 9))
        raw_total += len(data)
        gz_total += gz
        parts.append(f"{name} {kb(len(data))}/{kb(gz)}")
    return (f"{label}: {len(names)} files (+ _headers, .htaccess), {kb(raw_total)} KB, "
            f"{kb(gz_total)} KB gzipped; each raw/gzipped KB: " + ", ".join(parts))


def build(src, out, base, label):
    site = Site(src)
    for name in OPTIONAL_STABLE:
        if name not in site.files:
            print(f"warning: no {name} in the trunk output: the published site has no {name} "
                  f'(index.html needs <link data-trunk rel="copy-file" href="www/{name}">)', file=sys.stderr)
    # 1. The glue (no wasm name inside), 2. the worker (names the full glue), 3. the wasm,
    # 4. other assets (icons first, then stylesheets, which may name them).
    assets = {m: {"js": hash_glue(site, m)} for m in MODULES}
    hash_worker(site, assets["prefdyn-web-full"]["js"])
    for m in MODULES:
        assets[m]["wasm"] = site.rename(m + "_bg.wasm")
    rest = [n for n in site.originals if n in site.files and n not in STABLE]
    for name in sorted(rest, key=lambda n: os.path.splitext(n)[1] == ".css"):
        site.rewrite_refs([name])
        site.rename(name)
    # 5. The stable files: every reference rewritten, the loader given the hashed names.
    site.rewrite_refs([n for n in STABLE if n in site.files])
    site.set_text("index.html", rewrite_loader(site.text("index.html"), assets))
    check_no_unhashed(site)
    os.makedirs(out, exist_ok=True)
    if os.listdir(out):
        raise BuildError(f"{out} is not empty")
    for name, data in site.files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    # 6. The CSP of the rewritten page (scripts/csp.py, as in the trunk build), then headers.
    subprocess.run([sys.executable, os.path.join(HERE, "csp.py"), os.path.join(out, "index.html")], check=True)
    with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
        html = f.read()
    csp = csp_of(html)
    check_csp(html, csp)
    with open(os.path.join(out, "_headers"), "w", encoding="utf-8") as f:
        f.write(write_headers(site, csp, base))
    with open(os.path.join(out, ".htaccess"), "w", encoding="utf-8") as f:
        f.write(write_htaccess(site, csp))
    print(summary(out, sorted(site.files), label))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--base", default="/", help="URL path of the published site, for _headers (default /)")
    ap.add_argument("--label", help="name of the site in the summary line (default OUT)")
    a = ap.parse_args()
    base = a.base if a.base.endswith("/") else a.base + "/"
    if not base.startswith("/"):
        sys.exit("hash_assets.py: --base must be a URL path starting with / (e.g. /prefdyn/v0.3/)")
    try:
        build(a.src, a.out, base, a.label or a.out)
    except BuildError as e:
        sys.exit(f"hash_assets.py: {e}")


if __name__ == "__main__":
    main()
