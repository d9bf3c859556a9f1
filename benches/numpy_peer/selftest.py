#!/usr/bin/env python3
"""Self-test for phase_numpy.py.  Exits non-zero on any mismatch.

1. Known values (RPS matrix): variance 0.003618796459813146 and entropy
   1.0912704243137652, both from the vectorised code and a plain loop, to 1e-12.
2. A 3x2 grid (alpha x betalam, K=3, RPS + a random skew-consistent matrix,
   T=100): every cell's mean/sd against a plain per-run Python loop with a
   two-pass variance, to 1e-12 relative.  Also other axis combinations.
3. The Welford accumulator against an exact two-pass (rational arithmetic) variance of
   the *same* trajectory (captured from the vectorised code), to 1e-12
   relative, including burn-in cases where runs have converged so that
   Var ~ 1e-14 << mean^2, and stationary runs with Var ~ 1e-33 (ulp flicker).
   (In that converged case the independent loop of part 2 cannot match to
   1e-12: its trajectory differs from the vectorised one by ~1 ulp, because
   einsum and np.exp vs. a plain sum and math.exp round differently, and a
   1-ulp change of pi moves such a tiny variance by ~1e-10 relative.  Part 2
   therefore checks that case with an explicit conditioning tolerance.)
"""
import math
import os
from fractions import Fraction
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phase_numpy import sweep  # noqa: E402

RTOL = 1e-12
RPS = [[0.5, 1.0, 0.0], [0.0, 0.5, 1.0], [1.0, 0.0, 0.5]]
failures = 0
n_checks = 0


def check(name, got, want, atol=0.0):
    global failures, n_checks
    n_checks += 1
    got, want = float(got), float(want)
    if not abs(got - want) <= RTOL * abs(want) + atol:
        failures += 1
        print(f"FAIL {name}: got {got!r}, want {want!r}, "
              f"rel err {abs(got - want) / max(abs(want), 1e-300):.3e}")


# ---- plain per-run reference (pure Python floats) -------------------------
def run_one(P, pi0, mu0, alpha, beta, lam, eta, T):
    """Returns the list of policies pi_0..pi_T (lists of floats)."""
    K = len(pi0)
    x0 = [math.log(p) for p in pi0]
    a = 1.0 - eta * (1.0 - alpha)  # alpha: reference weight (the paper's names)
    kappa = eta * beta
    x = list(x0)
    traj = [[math.exp(v) for v in x]]
    for _ in range(T):
        pi = [math.exp(v) for v in x]
        mu = [(1.0 - lam) * mu0[j] + lam * pi[j] for j in range(K)]  # lam: on-policy share
        Pmu = [sum(P[i][j] * mu[j] for j in range(K)) for i in range(K)]
        y = [a * x[i] + (1.0 - a) * x0[i] + kappa * Pmu[i] for i in range(K)]
        m = max(y)
        lse = m + math.log(sum(math.exp(v - m) for v in y))
        x = [v - lse for v in y]
        traj.append([math.exp(v) for v in x])
    return traj


def variance_two_pass(traj, B):
    """(1/K) sum_i population variance over t = B..T, exact two-pass.

    Done in rational arithmetic (Fraction) on the float samples, so the only
    rounding is the final conversion; a float two-pass is not exact enough when
    a run is stationary up to 1-ulp flicker (its rounded mean alone is off by
    ~1 ulp, the same size as the deviations).
    """
    K = len(traj[0])
    n = len(traj) - B
    tot = Fraction(0)
    for i in range(K):
        s = [Fraction(p[i]) for p in traj[B:]]
        mean = sum(s) / n
        tot += sum((v - mean) ** 2 for v in s) / n
    return float(tot / K)


def entropy(pi):
    return -math.fsum(p * math.log(p) for p in pi if p > 0.0)


def mean_sd(vals):
    m = math.fsum(vals) / len(vals)
    return m, math.sqrt(math.fsum((v - m) ** 2 for v in vals) / len(vals))


def resolve(base, xa, xv, ya, yv):
    p = dict(base)
    for ax, v in ((xa, xv), (ya, yv)):
        if ax != "betalam":
            p[ax] = v
    for ax, v in ((xa, xv), (ya, yv)):
        if ax == "betalam":
            p["beta"] = v / p["lam"]
    return p


# ---- 1. known values -------------------------------------------------------
KV, KH = 0.003618796459813146, 1.0912704243137652
pi0_known = [0.5811098451702338, 0.18846409294781397, 0.23042606188195214]
traj = run_one(RPS, pi0_known, [1 / 3] * 3, 0.8, 2.0, 1.0, 1.0, 100)
check("known variance (plain loop)", variance_two_pass(traj, 0), KV)
check("known entropy (plain loop)", entropy(traj[-1]), KH)
for metric, want in (("variance", KV), ("entropy", KH)):
    inp = {"K": 3, "T": 100, "burn_in": 0, "metric": metric,
           "matrices": [RPS], "pi0": [pi0_known], "mu0": [1 / 3] * 3,
           "x": {"axis": "lam", "values": [1.0]},
           "y": {"axis": "beta", "values": [2.0]},
           "base": {"alpha": 0.8, "beta": 9.0, "lam": 0.5, "eta": 1.0}}
    mean, sd, _ = sweep(inp)
    check(f"known {metric} (vectorised)", mean[0, 0], want)
    check(f"known {metric} sd (vectorised)", sd[0, 0], 0.0)

# ---- 2. grid vs plain per-run loop -----------------------------------------
rng = np.random.default_rng(12345)
K = 3
R = [[0.5] * K for _ in range(K)]
for i in range(K):
    for j in range(i + 1, K):
        R[i][j] = float(rng.uniform())
        R[j][i] = 1.0 - R[i][j]
mats = [RPS, R]
pi0s = [[float(v) for v in rng.dirichlet(np.ones(K))] for _ in mats]
mu0 = [float(v) for v in rng.dirichlet(np.ones(K))]
base = {"alpha": 0.5, "beta": 1.0, "lam": 0.7, "eta": 0.9}


def make_input(metric, B, T, xs, ys):
    return {"K": K, "T": T, "burn_in": B, "metric": metric, "matrices": mats,
            "pi0": pi0s, "mu0": mu0, "x": xs, "y": ys, "base": base}


def grid_vs_loop(metric, B, T, xs, ys, cond_tol=False):
    mean, sd, shape = sweep(make_input(metric, B, T, xs, ys))
    assert shape == (len(ys["values"]), len(xs["values"]), len(mats), K, T), shape
    for iy, yv in enumerate(ys["values"]):
        for ix, xv in enumerate(xs["values"]):
            p = resolve(base, xs["axis"], xv, ys["axis"], yv)
            vals = []
            for P, pi0 in zip(mats, pi0s):
                tr = run_one(P, pi0, mu0, p["alpha"], p["beta"], p["lam"], p["eta"], T)
                vals.append(variance_two_pass(tr, B) if metric == "variance"
                            else entropy(tr[-1]))
            m_ref, sd_ref = mean_sd(vals)
            # atol for sd: sd of M=2 values is |v1-v2|/2, compare on the scale of the values
            atol_m, atol_sd = 0.0, RTOL * abs(m_ref)
            if cond_tol:
                # variance moved by a perturbation dpi of the trajectory:
                # |dV| <= 2 * sqrt(V) * |dpi|; allow |dpi| up to 1e-13
                atol_m = atol_sd = 2.0 * math.sqrt(max(vals)) * 1e-13 + 1e-30
            tag = f"{xs['axis']}x{ys['axis']} {metric} B={B} cell ({iy},{ix})"
            check(tag + " mean", mean[iy, ix], m_ref, atol_m)
            check(tag + " sd", sd[iy, ix], sd_ref, atol_sd)


XS = {"axis": "alpha", "values": [0.0, 0.6]}
YS = {"axis": "betalam", "values": [0.5, 1.4, 3.0]}
grid_vs_loop("variance", 0, 100, XS, YS)
grid_vs_loop("entropy", 0, 100, XS, YS)
grid_vs_loop("variance", 0, 60, {"axis": "lam", "values": [0.3, 0.9]},
             {"axis": "betalam", "values": [1.0, 2.0]})
grid_vs_loop("variance", 0, 60, {"axis": "betalam", "values": [1.0, 2.0]},
             {"axis": "lam", "values": [0.3, 0.9]})
grid_vs_loop("entropy", 0, 60, {"axis": "eta", "values": [0.5, 1.0]},
             {"axis": "beta", "values": [0.7, 2.5]})
grid_vs_loop("variance", 37, 100, XS, YS, cond_tol=True)  # converged, ill-conditioned

# ---- 3. Welford accumulator vs exact two-pass on the same trajectory -------
for B, T in ((0, 100), (37, 100), (100, 100), (150, 300)):
    inp = make_input("variance", B, T, XS, YS)
    snaps = []
    mean, sd, (ny, nx, M, _, _) = sweep(inp, on_step=lambda t, pi: snaps.append(pi.copy()))
    traj = np.stack(snaps)                               # (T+1, N, K)
    vals = [variance_two_pass(traj[:, n, :].tolist(), B) for n in range(traj.shape[1])]
    for c in range(ny * nx):
        m_ref, sd_ref = mean_sd(vals[c * M:(c + 1) * M])
        iy, ix = divmod(c, nx)
        tag = f"welford vs two-pass B={B} T={T} cell ({iy},{ix})"
        check(tag + " mean", mean[iy, ix], m_ref)
        check(tag + " sd", sd[iy, ix], sd_ref, RTOL * abs(m_ref))
        if B == 37 and c == 0:
            print(f"  (converged case: cell (0,0) mean variance {m_ref:.3e})")

if failures:
    print(f"selftest FAILED: {failures} of {n_checks} checks")
    sys.exit(1)
print(f"selftest OK: {n_checks} checks passed (rtol {RTOL:g})")
