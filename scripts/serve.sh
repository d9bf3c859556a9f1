#!/usr/bin/env bash
# Builds the playground (release, wasm-opt) and serves it on http://127.0.0.1:8080/.
# Installs the wasm target, trunk, wasm-bindgen-cli and wasm-opt first when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh build
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
exec trunk serve --release "$@"
