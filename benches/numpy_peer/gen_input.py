#!/usr/bin/env python3
"""Generate a benchmark input for phase_numpy.py.

Usage: python3 gen_input.py OUT.json [--ny 64] [--nx 64] [--M 16] [--K 5]
                            [--T 300] [--metric variance] [--seed 0]
Random skew-consistent matrices: upper triangle U(0,1), P[j][i] = 1 - P[i][j],
diagonal 0.5; pi0 ~ Dirichlet(1) per matrix; mu0 uniform.
Grid: x = alpha (reference weight) in [0, 1], y = betalam in [0.1, 5] (beta = betalam / lam).
"""
import argparse
import json

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--ny", type=int, default=64)
ap.add_argument("--nx", type=int, default=64)
ap.add_argument("--M", type=int, default=16)
ap.add_argument("--K", type=int, default=5)
ap.add_argument("--T", type=int, default=300)
ap.add_argument("--burn-in", type=int, default=0)
ap.add_argument("--metric", default="variance", choices=["variance", "entropy"])
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()

rng = np.random.default_rng(args.seed)
K = args.K
mats = []
for _ in range(args.M):
    P = np.full((K, K), 0.5)
    iu = np.triu_indices(K, 1)
    P[iu] = rng.uniform(size=len(iu[0]))
    P[(iu[1], iu[0])] = 1.0 - P[iu]
    mats.append(P.tolist())
pi0 = rng.dirichlet(np.ones(K), size=args.M).tolist()
inp = {
    "K": K, "T": args.T, "burn_in": args.burn_in, "metric": args.metric,
    "matrices": mats, "pi0": pi0, "mu0": [1.0 / K] * K,
    "x": {"axis": "alpha", "values": np.linspace(0.0, 1.0, args.nx).tolist()},
    "y": {"axis": "betalam", "values": np.linspace(0.1, 5.0, args.ny).tolist()},
    "base": {"alpha": 0.5, "beta": 1.0, "lam": 0.8, "eta": 1.0},
}
with open(args.out, "w") as f:
    json.dump(inp, f)
