//! Fits to one round's kept pairs: IPO least squares and DPO's Bradley–Terry likelihood,
//! each on the connected components of the comparison graph.

use serde::Serialize;

use super::pairs::PairCounts;

#[inline]
fn bit(i: usize) -> u64 {
    1u64 << i
}

/// The set bits of `m`, lowest first.
fn bits(mut m: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if m == 0 {
            None
        } else {
            let i = m.trailing_zeros() as usize;
            m &= m - 1;
            Some(i)
        }
    })
}

/// Closure of `start` under the digraph `adj` (`adj[i]` = bit mask of i's successors).
fn reach(start: u64, adj: &[u64]) -> u64 {
    let (mut seen, mut frontier) = (start, start);
    while frontier != 0 {
        let i = frontier.trailing_zeros() as usize;
        frontier &= frontier - 1;
        let new = adj[i] & !seen;
        seen |= new;
        frontier |= new;
    }
    seen
}

/// Reusable buffers of the fits (no allocation per round once grown).
#[derive(Debug, Clone, Default)]
pub struct FitWorkspace {
    /// Comparison graph, then (DPO) wins and reversed wins, as bit masks.
    adj: Vec<u64>,
    wins: Vec<u64>,
    beaten_by: Vec<u64>,
    /// Components of the comparison graph (bit masks).
    comps: Vec<u64>,
    idx: Vec<usize>,
    /// Grounded `(m−1) × (m−1)` matrix and right-hand side.
    a: Vec<f64>,
    b: Vec<f64>,
    g: Vec<f64>,
    trial: Vec<f64>,
    /// IPO: comparisons `c_ij` (`K × K`), degrees `Σ_j c_ij` and margins
    /// `Σ_j (w_ij − w_ji)`, each an exact integer.
    c: Vec<f64>,
    degree: Vec<f64>,
    margin: Vec<f64>,
}

/// Fills `ws.adj` (edge iff compared at least once) and `ws.comps` (its components).
fn comparison_graph(counts: &PairCounts, ws: &mut FitWorkspace) {
    let k = counts.k();
    let w = counts.wins_flat();
    ws.adj.clear();
    if w.len() == k * k {
        ws.adj.extend((0..k).map(|i| {
            let (row, col) = (&w[i * k..(i + 1) * k], w[i..].iter().step_by(k));
            row.iter()
                .zip(col)
                .enumerate()
                .fold(0u64, |m, (j, (a, b))| m | u64::from(a + b > 0) << j)
                & !bit(i)
        }));
    } else {
        ws.adj.resize(k, 0);
    }
    components(k, ws);
}

/// Fills `ws.comps` with the components of `ws.adj` on `k` responses.
fn components(k: usize, ws: &mut FitWorkspace) {
    ws.comps.clear();
    let mut left = if k >= 64 { u64::MAX } else { bit(k) - 1 };
    while left != 0 {
        let c = reach(bit(left.trailing_zeros() as usize), &ws.adj);
        ws.comps.push(c);
        left &= !c;
    }
}

/// [`comparison_graph`], and `ws.c`, `ws.degree`, `ws.margin` from the wins `w` (`k × k`).
fn laplacian(k: usize, w: &[u32], ws: &mut FitWorkspace) {
    ws.adj.clear();
    ws.adj.resize(k, 0);
    ws.c.clear();
    ws.c.resize(k * k, 0.0);
    ws.degree.clear();
    ws.margin.clear();
    for i in 0..k {
        let (mut degree, mut margin, mut adj) = (0u64, 0i64, 0u64);
        for j in 0..k {
            if j == i {
                continue;
            }
            let (wij, wji) = (w[i * k + j], w[j * k + i]);
            let c = wij + wji;
            adj |= u64::from(c > 0) << j;
            degree += u64::from(c);
            margin += i64::from(wij) - i64::from(wji);
            ws.c[i * k + j] = f64::from(c);
        }
        ws.adj[i] = adj;
        ws.degree.push(degree as f64);
        ws.margin.push(margin as f64);
    }
    components(k, ws);
}

/// The connected components of the comparison graph (an edge wherever a pair was kept),
/// each in increasing order, ordered by their smallest response.
pub fn comparison_components(counts: &PairCounts) -> Vec<Vec<usize>> {
    let mut ws = FitWorkspace::default();
    comparison_graph(counts, &mut ws);
    ws.comps.iter().map(|&c| bits(c).collect()).collect()
}

/// Solves `A s = b` in place for a symmetric positive definite `A` (`n × n`, row-major;
/// overwritten by its Cholesky factor in the lower triangle); `b` becomes `s`. Returns
/// `false` (leaving `b` unspecified) when a pivot is not positive.
fn cholesky_solve(a: &mut [f64], n: usize, b: &mut [f64]) -> bool {
    if a.len() < n * n || b.len() < n {
        return false;
    }
    for j in 0..n {
        let rj = &a[j * n..j * n + j];
        let mut d = a[j * n + j];
        for x in rj {
            d -= x * x;
        }
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let (upper, lower) = a.split_at_mut(i * n);
            let rj = &upper[j * n..j * n + j];
            let ri = &mut lower[..n];
            let mut s = ri[j];
            for (x, y) in ri[..j].iter().zip(rj) {
                s -= x * y;
            }
            ri[j] = s / d;
        }
    }
    for i in 0..n {
        let ri = &a[i * n..i * n + n];
        let mut s = b[i];
        for (x, y) in ri[..i].iter().zip(&b[..i]) {
            s -= x * y;
        }
        b[i] = s / ri[i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= a[k * n + i] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    true
}

/// Subtracts the mean of `x` over `idx`.
fn centre_on(x: &mut [f64], idx: &[usize]) {
    if idx.is_empty() {
        return;
    }
    let m = idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64;
    for &i in idx {
        x[i] -= m;
    }
}

/// IPO on finite samples: `r` minimising `Σ_n (r_{y_n} − r_{y′_n} − β(o_n − ½))²` over the
/// kept pairs. Normal equations: `L r = b` with `L` the Laplacian of the comparison counts
/// `c_ij` and `b_i = (β/2) Σ_j (w_ij − w_ji)`; on each connected component the minimum-norm
/// solution (sum zero on the component), and `r_i = 0` for a response never compared.
/// Solved per component by Cholesky of the Laplacian grounded at its last response, then
/// centred. As `N → ∞`, `r → β P μ + const`. `r` must have `K` entries (extra ones are set
/// to zero, missing ones are not written).
pub fn ipo_fit(counts: &PairCounts, beta: f64, ws: &mut FitWorkspace, r: &mut [f64]) {
    r.iter_mut().for_each(|v| *v = 0.0);
    if r.len() < counts.k() {
        return;
    }
    let k = counts.k();
    let w = counts.wins_flat();
    if w.len() != k * k {
        return;
    }
    laplacian(k, w, ws);
    for ci in 0..ws.comps.len() {
        let comp = ws.comps[ci];
        if comp.count_ones() < 2 {
            continue;
        }
        ws.idx.clear();
        ws.idx.extend(bits(comp));
        let n = ws.idx.len() - 1;
        ws.a.clear();
        ws.a.resize(n * n, 0.0);
        ws.b.clear();
        ws.b.resize(n, 0.0);
        // Outside its component a response has no comparisons: its full degree and
        // margin are those within the component.
        for u in 0..n {
            let i = ws.idx[u];
            let row = &mut ws.a[u * n..(u + 1) * n];
            for (a, &j) in row.iter_mut().zip(&ws.idx) {
                *a = -ws.c[i * k + j];
            }
            row[u] = ws.degree[i];
            ws.b[u] = 0.5 * beta * ws.margin[i];
        }
        if cholesky_solve(&mut ws.a, n, &mut ws.b) {
            for u in 0..n {
                r[ws.idx[u]] = ws.b[u];
            }
            centre_on(r, &ws.idx);
        }
    }
}

/// No finite maximiser of the Bradley–Terry likelihood: on the comparison component
/// `component`, the digraph of wins (i → j when i beat j at least once) is not strongly
/// connected. `top_component` holds the responses of its source strongly connected
/// components (never beaten from outside their own), whose `z` escapes to +∞ relative to
/// the rest of `component`: the top component when there is a single source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoFiniteFit {
    pub component: Vec<usize>,
    pub top_component: Vec<usize>,
}

/// Newton tolerance on `max |∂ℓ/∂z|` per comparison in the component.
const DPO_GRAD_TOL: f64 = 1e-12;
const DPO_MAX_NEWTON: usize = 60;

/// `(σ(d), σ(−d), softplus(d), softplus(−d))` from one `exp` and one `ln_1p`.
#[inline]
fn logistic_pair(d: f64) -> (f64, f64, f64, f64) {
    let e = libm::exp(-d.abs());
    let (big, small) = (1.0 / (1.0 + e), e / (1.0 + e));
    let l = libm::log1p(e);
    if d >= 0.0 {
        (big, small, d + l, l)
    } else {
        (small, big, l, -d + l)
    }
}

/// `−log-likelihood = Σ_{i<j} [w_ij softplus(z_j − z_i) + w_ji softplus(z_i − z_j)]` over
/// `idx`.
fn bt_loss(counts: &PairCounts, idx: &[usize], z: &[f64]) -> f64 {
    let mut f = 0.0;
    for (u, &i) in idx.iter().enumerate() {
        for &j in &idx[u + 1..] {
            let (wij, wji) = (counts.wins(i, j), counts.wins(j, i));
            if wij + wji == 0 {
                continue;
            }
            let (_, _, sp, sm) = logistic_pair(z[i] - z[j]);
            // softplus(z_j − z_i) = softplus(−d), softplus(z_i − z_j) = softplus(d).
            f += f64::from(wij) * sm + f64::from(wji) * sp;
        }
    }
    f
}

/// DPO on finite samples: the maximiser of the Bradley–Terry likelihood
/// `Σ_n log σ(z_winner − z_loser)` of the kept pairs. It is finite iff on every connected
/// component of the comparison graph the digraph of wins is strongly connected; then `z` is
/// unique up to a constant per component and returned with sum zero on each component,
/// `z_i = 0` for a response never compared. Otherwise the first offending component is
/// reported and `z` is left unchanged.
///
/// `z` holds a warm start on entry (non-finite entries are replaced by 0) and the fit on
/// return; damped Newton per component (the Hessian is the Laplacian with weights
/// `c_ij σ(z_i − z_j) σ(z_j − z_i)`, grounded at the last response and factorised by
/// Cholesky) with Armijo backtracking on the loss. Returns the number of Newton steps.
pub fn dpo_fit(
    counts: &PairCounts,
    z: &mut [f64],
    ws: &mut FitWorkspace,
) -> Result<usize, NoFiniteFit> {
    let k = counts.k();
    if z.len() < k {
        return Ok(0);
    }
    comparison_graph(counts, ws);
    ws.wins.clear();
    ws.wins.resize(k, 0);
    ws.beaten_by.clear();
    ws.beaten_by.resize(k, 0);
    for i in 0..k {
        for j in 0..k {
            if i != j && counts.wins(i, j) > 0 {
                ws.wins[i] |= bit(j);
                ws.beaten_by[j] |= bit(i);
            }
        }
    }
    for &comp in &ws.comps {
        if comp.count_ones() < 2 {
            continue;
        }
        let s = bit(comp.trailing_zeros() as usize);
        if reach(s, &ws.wins) != comp || reach(s, &ws.beaten_by) != comp {
            let top = bits(comp)
                .filter(|&i| {
                    let below = reach(bit(i), &ws.wins);
                    let above = reach(bit(i), &ws.beaten_by);
                    above & !below == 0
                })
                .collect();
            return Err(NoFiniteFit {
                component: bits(comp).collect(),
                top_component: top,
            });
        }
    }
    for v in z.iter_mut() {
        if !v.is_finite() {
            *v = 0.0;
        }
    }
    let mut steps = 0;
    for ci in 0..ws.comps.len() {
        let comp = ws.comps[ci];
        if comp.count_ones() < 2 {
            z[comp.trailing_zeros() as usize] = 0.0;
            continue;
        }
        ws.idx.clear();
        ws.idx.extend(bits(comp));
        steps += newton_component(counts, z, ws);
        centre_on(z, &ws.idx);
    }
    for v in z[k..].iter_mut() {
        *v = 0.0;
    }
    Ok(steps)
}

/// Damped Newton on the component `ws.idx` (strongly connected wins). Returns the steps.
fn newton_component(counts: &PairCounts, z: &mut [f64], ws: &mut FitWorkspace) -> usize {
    let m = ws.idx.len();
    centre_on(z, &ws.idx);
    let tol = DPO_GRAD_TOL * comparisons_within(counts, &ws.idx).max(1.0);
    ws.g.resize(m, 0.0);
    ws.trial.resize(z.len(), 0.0);
    let mut f = bt_loss(counts, &ws.idx, z);
    let mut steps = 0;
    for _ in 0..DPO_MAX_NEWTON {
        gradient_and_hessian(counts, z, ws);
        let Some(slope) = newton_direction(ws, tol) else {
            break;
        };
        let accepted = line_search(counts, z, ws, f, slope);
        steps += 1;
        match accepted {
            Some(ft) => f = ft,
            None => break,
        }
    }
    steps
}

/// Number of comparisons between pairs of items of `idx`.
fn comparisons_within(counts: &PairCounts, idx: &[usize]) -> f64 {
    idx.iter()
        .enumerate()
        .flat_map(|(u, &i)| idx[u + 1..].iter().map(move |&j| (i, j)))
        .map(|(i, j)| f64::from(counts.comparisons(i, j)))
        .sum()
}

/// Fills `ws.g` with the gradient of the loss over the component `ws.idx` at `z`, and
/// `ws.a` with the Hessian grounded at its last item (`(m−1) × (m−1)`).
fn gradient_and_hessian(counts: &PairCounts, z: &[f64], ws: &mut FitWorkspace) {
    let m = ws.idx.len();
    let n = m - 1;
    ws.a.clear();
    ws.a.resize(n * n, 0.0);
    ws.g.iter_mut().for_each(|v| *v = 0.0);
    for u in 0..m {
        let i = ws.idx[u];
        for v in u + 1..m {
            let j = ws.idx[v];
            let (wij, wji) = (f64::from(counts.wins(i, j)), f64::from(counts.wins(j, i)));
            if wij + wji == 0.0 {
                continue;
            }
            let (s_ij, s_ji, _, _) = logistic_pair(z[i] - z[j]);
            // ∂/∂z_i [w_ij softplus(z_j − z_i) + w_ji softplus(z_i − z_j)].
            let gi = -wij * s_ji + wji * s_ij;
            ws.g[u] += gi;
            ws.g[v] -= gi;
            let h = (wij + wji) * s_ij * s_ji;
            if u < n {
                ws.a[u * n + u] += h;
            }
            if v < n {
                ws.a[v * n + v] += h;
                if u < n {
                    ws.a[u * n + v] -= h;
                    ws.a[v * n + u] -= h;
                }
            }
        }
    }
}

/// Solves `ws.a · ws.b = −ws.g` (grounded) and returns the slope `g · b` along `ws.b`.
/// `None` when the largest gradient entry is within `tol` (or NaN), the solve fails, or
/// `ws.b` is not a descent direction.
fn newton_direction(ws: &mut FitWorkspace, tol: f64) -> Option<f64> {
    let n = ws.idx.len() - 1;
    let gmax = ws.g.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    if gmax.is_nan() || gmax <= tol {
        return None;
    }
    ws.b.clear();
    ws.b.extend(ws.g[..n].iter().map(|v| -v));
    if !cholesky_solve(&mut ws.a, n, &mut ws.b) {
        return None;
    }
    let slope: f64 = ws.g[..n].iter().zip(&ws.b).map(|(g, d)| g * d).sum();
    if slope.is_nan() || slope >= 0.0 {
        return None;
    }
    Some(slope)
}

/// Backtracking (Armijo) search from `z` (loss `f`) along `ws.b` with the given slope:
/// moves `z` to the first step that decreases the loss enough and returns its loss;
/// `None` (and `z` unchanged) after 50 halvings.
fn line_search(
    counts: &PairCounts,
    z: &mut [f64],
    ws: &mut FitWorkspace,
    f: f64,
    slope: f64,
) -> Option<f64> {
    let n = ws.idx.len() - 1;
    let mut t = 1.0;
    for _ in 0..50 {
        ws.trial.copy_from_slice(z);
        for u in 0..n {
            ws.trial[ws.idx[u]] += t * ws.b[u];
        }
        let ft = bt_loss(counts, &ws.idx, &ws.trial);
        if ft <= f + 1e-4 * t * slope {
            z.copy_from_slice(&ws.trial);
            return Some(ft);
        }
        t *= 0.5;
    }
    None
}
