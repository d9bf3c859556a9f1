#!/usr/bin/env python3
"""The stylesheet as a static host should serve it, without comments
and without the whitespace that does not change its meaning (about 20 % fewer gzipped bytes
before the first chart). Strings are kept as they are; a space that separates two selectors
(a descendant) is kept.

Trunk wrote the stylesheet's subresource integrity into index.html before this hook: it is
written again for the minified file.

scripts/csp.py (the post-build hook) runs it first. Usage: minify_css.py [DIR] (defaults to
$TRUNK_STAGING_DIR): DIR/style.css and DIR/index.html."""
import base64
import hashlib
import os
import re
import sys


def minify(css: str) -> str:
    out, i = [], 0
    # Comments (dropped), strings (kept) and the rest (squeezed), left to right.
    for m in re.finditer(r'/\*.*?\*/|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', css, re.S):
        out.append(squeeze(css[i:m.start()]))
        out.append("" if m.group(0).startswith("/*") else m.group(0))
        i = m.end()
    out.append(squeeze(css[i:]))
    return "".join(out).strip() + "\n"


def squeeze(s: str) -> str:
    s = re.sub(r"\s+", " ", s)
    # No space is needed around braces, semicolons, commas and after a colon or `>`.
    s = re.sub(r" ?([{};,>]) ?", r"\1", s)
    s = re.sub(r": ", ":", s)
    return s.replace(";}", "}")


def minify_site(root: str) -> None:
    """Minifies root/style.css and writes its new integrity into root/index.html."""
    css_path, html_path = os.path.join(root, "style.css"), os.path.join(root, "index.html")
    with open(css_path, encoding="utf-8") as f:
        css = minify(f.read()).encode("utf-8")
    with open(css_path, "wb") as f:
        f.write(css)
    digest = "sha384-" + base64.b64encode(hashlib.sha384(css).digest()).decode()
    with open(html_path, encoding="utf-8") as f:
        html = f.read()
    link = re.compile(r'(<link rel="stylesheet" href="\./style\.css" integrity=")[^"]*(")')
    html, n = link.subn(lambda m: m.group(1) + digest + m.group(2), html)
    if n != 1:
        sys.exit(f"minify_css.py: {n} stylesheet links with an integrity attribute in {html_path}")
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(html)


if __name__ == "__main__":
    minify_site(sys.argv[1] if len(sys.argv) > 1 else os.environ["TRUNK_STAGING_DIR"])
