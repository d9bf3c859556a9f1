#!/usr/bin/env python3
"""Trunk post-build hook on the built index.html: the stylesheet minified (with its
integrity; scripts/minify_css.py) and the modules' JavaScript glue (terser), the page's own
loader, then a Content-Security-Policy <meta>.

1. Trunk injects a loader (an inline module script and preload links) for its one main
   Rust module, the light module. The page loads its modules itself (index.html's first
   script: the light module for a Dynamics link, the full module at once for a link that
   opens elsewhere), so Trunk's loader is removed: otherwise every link would download the
   light module, and it would be started twice.
2. The sha256 of every remaining inline script goes into script-src, so no
   'unsafe-inline' is needed.

Usage: csp.py [INDEX_HTML] (defaults to $TRUNK_STAGING_DIR/index.html)."""
import base64
import hashlib
import os
import re
import sys

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ["TRUNK_STAGING_DIR"], "index.html")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minify_css import minify_site  # noqa: E402

TERSER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools", "node_modules", ".bin", "terser")


def minify_glue(root: str) -> None:
    """The modules' wasm-bindgen JavaScript glue through terser (an ES module: its exports
    and the import object's keys keep their names); about 1.7 KB less before the first
    chart. terser comes with the build tools (scripts/install-tools.sh)."""
    import subprocess

    if not os.path.exists(TERSER):
        sys.exit(f"csp.py: {TERSER} is missing: run scripts/install-tools.sh build")
    for name in ("prefdyn-web-light.js", "prefdyn-web-full.js"):
        js = os.path.join(root, name)
        if os.path.exists(js):
            subprocess.run([TERSER, js, "--module", "--compress", "--mangle", "--output", js], check=True)


if len(sys.argv) <= 1:
    # As Trunk's hook (scripts/hash_assets.py reruns this on a page whose files are built).
    staging = os.environ["TRUNK_STAGING_DIR"]
    minify_site(staging)
    minify_glue(staging)
html = open(path, encoding="utf-8").read()
html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', "", html)
# Trunk's loader of the main module (the light one): the page's own loader replaces it.
loader = re.compile(r'<script type="module">\s*import init, \* as bindings from \'\./prefdyn-web-light\.js\';.*?</script>\s*', re.S)
html = loader.sub("", html)
html = re.sub(r'<link rel="(?:modulepreload|preload)" href="\./prefdyn-web-light(?:_bg\.wasm|\.js)"[^>]*>', "", html)
hashes = []
for m in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S):
    digest = hashlib.sha256(m.group(1).encode("utf-8")).digest()
    hashes.append("'sha256-%s'" % base64.b64encode(digest).decode())
policy = "; ".join([
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
    # plotters-canvas measures text with a styled element: inline style attributes are needed.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    # The phase diagram's workers (www/phase-worker.js) are module scripts of this site.
    "worker-src 'self'",
    # The Embed button measures the embed's height in a hidden frame of this site.
    "frame-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
])
meta = '<meta http-equiv="Content-Security-Policy" content="%s">' % policy
html = html.replace("<head>", "<head>\n    " + meta, 1)
open(path, "w", encoding="utf-8").write(html)
