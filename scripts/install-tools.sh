#!/usr/bin/env bash
# Idempotent installer for everything the build and the tests need.
#   scripts/install-tools.sh build   -> wasm target, trunk, wasm-bindgen-cli, wasm-opt
#   scripts/install-tools.sh test    -> the above plus Chromium, ChromeDriver, npm packages
# Each step is skipped when the right version is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# Must equal the `wasm-bindgen` version pinned in crates/prefdyn-web/Cargo.toml.
WASM_BINDGEN_VERSION=0.2.130
# Must equal tools/package.json's binaryen and Trunk.toml's wasm_opt.
WASM_OPT_VERSION=132
what=${1:-build}

log() { printf '[install] %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

export PATH="$HOME/.cargo/bin:$PATH"

if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION (takes several minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lockfile pins versions the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
  fi
}

# wasm-opt for release builds comes from the npm registry's binaryen (pinned in
# tools/package.json; trunk would otherwise try to download one). Debian's binaryen 108
# breaks modules that use externref tables.
if ! tools/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version_$WASM_OPT_VERSION" \
  || ! tools/node_modules/.bin/terser --version >/dev/null 2>&1; then
  log "npm ci in tools/ (binaryen $WASM_OPT_VERSION, terser)"
  (cd tools && npm ci --no-audit --no-fund)
fi

if [ "$what" = test ]; then
  apt_install chromium chromium-driver
  if [ -f tests/package.json ]; then
    if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules ]; then
      log "npm ci in tests/"
      (cd tests && npm ci --no-audit --no-fund)
    fi
  fi
fi
log "tools ready"
