#!/usr/bin/env bash
# Runs every test: formatting, lints, engine tests and reference vectors, the engine on
# wasm32, the web crate in headless Chromium, and end-to-end tests of the built site.
# Installs what it needs first (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh test
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check
step "no function over 80 lines (scripts/long_functions.py)"
python3 scripts/long_functions.py
step "the web crate's modules use each other one way (scripts/module_graph.py)"
python3 scripts/module_graph.py
step "clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings
step "clippy (wasm32)"
cargo clippy -p prefdyn -p prefdyn-web -p prefdyn-web-light -p prefdyn-web-full --target wasm32-unknown-unknown -- -D warnings
step "engine and CLI tests"
cargo test --workspace --exclude prefdyn-web --exclude prefdyn-web-light --exclude prefdyn-web-full
step "the page's model without a page (prefdyn-web, native)"
cargo test -p prefdyn-web --lib
step "reference vectors"
cargo run --release -q -p prefdyn-paper --example check_vectors -- crates/prefdyn-paper/tests/reference.json
step "engine builds for wasm32"
cargo build -q --target wasm32-unknown-unknown -p prefdyn
step "web crate in headless Chromium (wasm-bindgen-test)"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p prefdyn-web --target wasm32-unknown-unknown
step "trunk build --release"
trunk build --release
step "module sizes (one budget per module, and the bytes before the first chart)"
python3 scripts/budgets.py
step "publishable site (scripts/build.sh --from dist: hashed names, _headers, .htaccess)"
scripts/build.sh --from dist --out dist-publish
step "end-to-end tests (Playwright + Debian Chromium)"
(cd tests && PREFDYN_PUBLISH_DIST="$PWD/../dist-publish" npm test)
