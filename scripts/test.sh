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
step "clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings
step "clippy (wasm32)"
cargo clippy -p prefdyn -p prefdyn-web --target wasm32-unknown-unknown -- -D warnings
step "engine and CLI tests"
cargo test --workspace --exclude prefdyn-web
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
step "module size (budget: 490 KB gzipped)"
python3 - <<'PY'
import glob, gzip, sys
# Issue 16 (legends, readouts, the Embed sizes, ρ in lanes) grew the one module to about
# 475 KB; the split into a light and a full module replaces this budget.
BUDGET = 490_000
path = glob.glob("dist/*.wasm")[0]
raw = open(path, "rb").read()
gz = len(gzip.compress(raw, 9))
print(f"{path}: {len(raw)} bytes, {gz} gzipped (budget {BUDGET})")
sys.exit(0 if gz <= BUDGET else f"the page's module grew past its budget: {gz} > {BUDGET} bytes gzipped")
PY
step "end-to-end tests (Playwright + Debian Chromium)"
(cd tests && npm test)
