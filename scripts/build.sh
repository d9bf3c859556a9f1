#!/usr/bin/env bash
# Builds a publishable site: a release build whose files (except index.html, embed.js and
# embed-example.html, which people link to) carry a content hash in their names, with every
# reference rewritten, the page's CSP recomputed, and _headers (Netlify, Cloudflare Pages)
# and .htaccess (Apache) stating application/wasm, the CSP and the caching. All URLs are
# relative: copy the directory to any static host, at any path (e.g. /prefdyn/v0.3/).
#
#   scripts/build.sh [--out DIR] [--base /prefdyn/v0.3/] [--from TRUNK_DIST]
#     --out DIR     where the site goes (default: dist-publish/ in the repository); replaced
#                   if it is an earlier output of this script, refused if it holds anything else
#     --base PATH   the URL path it will be published at, for the paths in _headers
#                   (default /); the site itself works at any path
#     --from DIR    post-process an existing `trunk build --release` output (e.g. dist/,
#                   as scripts/test.sh leaves it) instead of building one
#
# Builds with `trunk build --release` into a temporary directory (never into dist/), then
# runs scripts/hash_assets.py. Respects CARGO_TARGET_DIR.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."

out=$PWD/dist-publish
base=/
from=
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=${2:?--out needs a directory}; shift 2 ;;
        --out=*) out=${1#--out=}; shift ;;
        --base) base=${2:?--base needs a URL path}; shift 2 ;;
        --base=*) base=${1#--base=}; shift ;;
        --from) from=${2:?--from needs a directory}; shift 2 ;;
        --from=*) from=${1#--from=}; shift ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

# --out and --from are relative to where the script was called from.
case "$out" in /*) ;; *) out=$caller/$out ;; esac
case "$from" in /*|'') ;; *) from=$caller/$from ;; esac
abs() { (mkdir -p "$1" && cd "$1" && pwd -P); }
out_abs=$(abs "$out")
for forbidden in "$PWD" "$PWD/dist" "$HOME" /; do
    if [ "$out_abs" = "$(cd "$forbidden" 2>/dev/null && pwd -P || echo "$forbidden")" ]; then
        echo "build.sh: refusing to write the site into $out_abs" >&2
        exit 2
    fi
done
if [ -n "$(ls -A "$out_abs")" ] && [ ! -f "$out_abs/_headers" ]; then
    echo "build.sh: $out_abs is not empty and is not an earlier output of build.sh (no _headers): refusing to replace it" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prefdyn-publish.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ -z "$from" ]; then
    scripts/install-tools.sh build
    export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
    echo "build.sh: trunk build --release into $tmp/trunk"
    trunk build --release --dist "$tmp/trunk"
    from="$tmp/trunk"
else
    from_abs=$(cd "$from" && pwd -P)
    if [ "$from_abs" = "$out_abs" ]; then
        echo "build.sh: --from and --out are the same directory" >&2
        exit 2
    fi
    echo "build.sh: publishing the existing build in $from_abs (no trunk build)"
fi

python3 scripts/hash_assets.py "$from" "$tmp/site" --base "$base" --label "$out_abs"

# Replace the output directory's contents only now that the whole site is built and checked.
find "$out_abs" -mindepth 1 -delete
cp -a "$tmp/site/." "$out_abs/"
echo "build.sh: the site is in $out_abs (publish it at any path; _headers written for ${base%/}/)"
