#!/usr/bin/env python3
"""Vectorised numpy peer implementation of the MRS-IPO phase-diagram sweep.

Usage: python3 phase_numpy.py INPUT.json OUTPUT.json

All (cell, matrix) runs are advanced together as one (N, K) array,
N = ny * nx * M, run index n = (iy * nx + ix) * M + m.
"""
import json
import sys
import time

import numpy as np

AXES = ("alpha", "beta", "lam", "eta", "betalam")


def cell_params(base, x_axis, x_values, y_axis, y_values):
    """Per-cell parameter arrays of shape (ny, nx) for alpha, beta, lam, eta.

    Each cell starts from `base`; the x and y axes are overridden with the
    cell's values.  A "betalam" axis value v means beta = v / lam, applied
    after the other (non-betalam) axis has been set.
    """
    for ax in (x_axis, y_axis):
        if ax not in AXES:
            raise ValueError(f"unknown axis {ax!r}")
    xv = np.asarray(x_values, dtype=np.float64)
    yv = np.asarray(y_values, dtype=np.float64)
    ny, nx = yv.size, xv.size
    grids = {
        "x": np.broadcast_to(xv[None, :], (ny, nx)),
        "y": np.broadcast_to(yv[:, None], (ny, nx)),
    }
    p = {k: np.full((ny, nx), float(base[k])) for k in ("alpha", "beta", "lam", "eta")}
    axes = (("x", x_axis), ("y", y_axis))
    # plain overrides first (x then y), then betalam conversions
    for key, ax in axes:
        if ax != "betalam":
            p[ax] = grids[key].copy()
    for key, ax in axes:
        if ax == "betalam":
            p["beta"] = grids[key] / p["lam"]
    return p


def row_reduce(ufunc, A):
    """ufunc-reduce an (N, K) array over its short K axis, keepdims -> (N, 1).

    Same result as A.max(axis=1) / A.sum(axis=1) (sum in index order), but
    done as K-1 column-wise ufunc calls: numpy's reductions over a short
    contiguous axis are ~10x slower than this for K = 5.
    """
    out = A[:, 0:1].copy()
    for j in range(1, A.shape[1]):
        ufunc(out, A[:, j:j + 1], out=out)
    return out


def sweep(inp, on_step=None):
    """Run the sweep; returns (mean, sd, shape), mean/sd of shape (ny, nx).

    on_step(t, pi), if given, is called with the (N, K) policy array for every
    t = 0..T (used only by the self-test to check the variance accumulator).
    """
    K = int(inp["K"])
    T = int(inp["T"])
    B = int(inp.get("burn_in", 0))
    metric = inp["metric"]
    if metric not in ("variance", "entropy"):
        raise ValueError(f"unknown metric {metric!r}")
    if not 0 <= B <= T:
        raise ValueError("need 0 <= burn_in <= T")

    P = np.asarray(inp["matrices"], dtype=np.float64)          # (M, K, K)
    pi0 = np.asarray(inp["pi0"], dtype=np.float64)             # (M, K)
    mu0 = np.asarray(inp["mu0"], dtype=np.float64)             # (K,)
    M = P.shape[0]
    assert P.shape == (M, K, K) and pi0.shape == (M, K) and mu0.shape == (K,)

    prm = cell_params(inp["base"], inp["x"]["axis"], inp["x"]["values"],
                      inp["y"]["axis"], inp["y"]["values"])
    ny, nx = prm["alpha"].shape
    C = ny * nx
    N = C * M

    def per_run(a):  # (ny, nx) -> (N, 1), repeated over the M matrices
        return np.repeat(a.reshape(C), M).reshape(N, 1)

    # The paper's names: alpha is the reference weight, lam the on-policy share.
    lam = per_run(prm["lam"])
    eta = per_run(prm["eta"])
    a = 1.0 - eta * (1.0 - per_run(prm["alpha"]))
    one_minus_a = 1.0 - a
    kappa = eta * per_run(prm["beta"])
    one_minus_lam_mu0 = (1.0 - lam) * mu0[None, :]             # (N, K)

    x0 = np.broadcast_to(np.log(pi0)[None], (C, M, K)).reshape(N, K).copy()
    anchor = one_minus_a * x0                                  # (1-a)*x0, fixed
    X = x0.copy()

    if metric == "variance":
        # Welford over time on shifted data pi_t - pi_B (shift = first sample in
        # the window): keeps accuracy when Var << mean^2 (converged runs).
        cnt = 0
        shift = None
        mean = np.zeros((N, K))
        m2 = np.zeros((N, K))

    for t in range(T + 1):
        pi = np.exp(X)
        if on_step is not None:
            on_step(t, pi)
        if metric == "variance" and t >= B:
            # Welford online update over time, vectorised over (N, K)
            if shift is None:
                shift = pi.copy()
            z = pi - shift
            cnt += 1
            d = z - mean
            mean += d / cnt
            m2 += d * (z - mean)
        if t == T:
            break
        mu = one_minus_lam_mu0 + lam * pi                      # (N, K)
        # one batched product per step; optimize=True lets einsum use BLAS
        Pmu = np.einsum("mij,cmj->cmi", P, mu.reshape(C, M, K),
                        optimize=True).reshape(N, K)
        Y = a * X + anchor + kappa * Pmu
        ymax = row_reduce(np.maximum, Y)
        X = Y - (ymax + np.log(row_reduce(np.add, np.exp(Y - ymax))))

    if metric == "variance":
        val = (m2 / cnt).mean(axis=1)                          # (1/K) sum_i Var
    else:
        # log pi_T is X exactly; pi*X -> 0 when pi underflows (0 log 0 = 0)
        val = -(np.exp(X) * X).sum(axis=1)

    val = val.reshape(ny, nx, M)
    return val.mean(axis=2), val.std(axis=2), (ny, nx, M, K, T)


def main(argv):
    if len(argv) != 3:
        print("usage: python3 phase_numpy.py INPUT.json OUTPUT.json", file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        inp = json.load(f)
    t0 = time.perf_counter()
    mean, sd, shape = sweep(inp)
    seconds = time.perf_counter() - t0
    ny, nx, M, K, T = shape
    out = {"mean": mean.tolist(), "sd": sd.tolist(), "seconds": seconds,
           "shape": [ny, nx, M, K, T]}
    with open(argv[2], "w") as f:
        json.dump(out, f)
    print(f"numpy: {seconds:.6f} s for {ny}x{nx} cells x {M} matrices x T={T}, K={K}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
