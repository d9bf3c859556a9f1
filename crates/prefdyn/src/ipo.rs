//! One-shot IPO: the closed form `π* = softmax(log π_ref + β P μ)`.

use crate::preference::PreferenceMatrix;
use crate::simplex::log_softmax_in_place;

/// `log π* = logsoftmax(log π_ref + β P μ)`.
pub fn ipo_log_policy(p: &PreferenceMatrix, mu: &[f64], log_ref: &[f64], beta: f64) -> Vec<f64> {
    let mut y = p.mul_vec(mu);
    for (v, lr) in y.iter_mut().zip(log_ref) {
        *v = lr + beta * *v;
    }
    log_softmax_in_place(&mut y);
    y
}

/// `π* = softmax(log π_ref + β P μ)`, the unique minimiser of IPO's population loss
/// `Var_{y~μ}[r(y) − β (Pμ)(y)]` with `r = log π − log π_ref`.
pub fn ipo_policy(p: &PreferenceMatrix, mu: &[f64], pi_ref: &[f64], beta: f64) -> Vec<f64> {
    let log_ref: Vec<f64> = pi_ref.iter().map(|v| v.ln()).collect();
    ipo_log_policy(p, mu, &log_ref, beta)
        .into_iter()
        .map(f64::exp)
        .collect()
}

/// Gradient of IPO's population loss `L(r) = Var_μ[r − βPμ]` with respect to `r`:
/// `2 μ ⊙ (d − E_μ d)`, `d = r − βPμ`. Zero at the closed form.
pub fn ipo_loss_gradient(
    p: &PreferenceMatrix,
    mu: &[f64],
    pi: &[f64],
    pi_ref: &[f64],
    beta: f64,
) -> Vec<f64> {
    let pm = p.mul_vec(mu);
    let d: Vec<f64> = (0..p.k())
        .map(|i| (pi[i] / pi_ref[i]).ln() - beta * pm[i])
        .collect();
    let mean: f64 = d.iter().zip(mu).map(|(a, b)| a * b).sum();
    d.iter()
        .zip(mu)
        .map(|(di, mi)| 2.0 * mi * (di - mean))
        .collect()
}
