#!/usr/bin/env bash
# Builds the playground (release, wasm-opt) and serves it on http://127.0.0.1:8080/,
# rebuilding when the page's sources change (Trunk.toml [watch]).
#   scripts/serve.sh            release build (what readers get)
#   scripts/serve.sh --debug    debug build: no wasm-opt, rebuilds in seconds
# Installs the wasm target, trunk, wasm-bindgen-cli and wasm-opt first when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh build
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
if [ "${1:-}" = "--debug" ]; then
    shift
    exec trunk serve "$@"
fi
exec trunk serve --release "$@"
