#!/usr/bin/env bash
# Rust phase-diagram sweep vs the numpy peer, side by side (PRODUCT.md budget grid:
# 64x64 cells x 16 random cyclic 5x5 matrices x T = 300, time-averaged variance).
#
#   benches/compare_phase.sh [--out DIR] [--runs N]
#
# Installs numpy (benches/numpy_peer/requirements.txt) if python3 cannot import it, then
# runs `cargo run --release -p prefdyn --example phase_compare` with the given arguments.
# Exits non-zero when a cell differs by more than 1e-6 (1e-9 where every ρ < 1) or a step fails.
# Also prints (outside the ratio: the peer has no ρ) the whole diagram as the page computes it
# (metric and ρ of every cell, one thread) and ρ in lanes against the scalar engine, which
# must agree by the same rule.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c 'import numpy' >/dev/null 2>&1; then
    echo "installing numpy for the peer (benches/numpy_peer/requirements.txt)" >&2
    python3 -m pip install --quiet --disable-pip-version-check \
        -r benches/numpy_peer/requirements.txt \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages \
            -r benches/numpy_peer/requirements.txt
fi

exec cargo run --quiet --release -p prefdyn --example phase_compare -- "$@"
