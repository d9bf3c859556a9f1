//! The small dense linear algebra the theory needs, without a general-purpose library (the
//! page's first module must stay small): the eigenvalues of a symmetric matrix by cyclic
//! Jacobi rotations, and the spectral norm `‖A‖₂ = √λ_max(AᵀA)`. Matrices are row-major
//! `n × n` slices.

/// Largest number of Jacobi sweeps (convergence is quadratic: a handful suffice).
const MAX_SWEEPS: usize = 64;

/// The eigenvalues of the symmetric `n × n` matrix `a` (row-major; overwritten), in no
/// particular order. Each rotation zeroes one off-diagonal pair; sweeps stop when the
/// off-diagonal mass is below `ε²` times the whole.
pub fn symmetric_eigenvalues(a: &mut [f64], n: usize) -> Vec<f64> {
    if a.len() < n * n {
        return vec![f64::NAN; n];
    }
    let total: f64 = a[..n * n].iter().map(|v| v * v).sum();
    for _ in 0..MAX_SWEEPS {
        let off: f64 = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .map(|(i, j)| 2.0 * a[i * n + j] * a[i * n + j])
            .sum();
        // NaN entries stop the sweeps too.
        if off.is_nan() || off <= f64::EPSILON * f64::EPSILON * total {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                rotate(a, n, p, q);
            }
        }
    }
    (0..n).map(|i| a[i * n + i]).collect()
}

/// One Jacobi rotation in the plane (p, q) that zeroes `a[p][q]` and `a[q][p]`.
fn rotate(a: &mut [f64], n: usize, p: usize, q: usize) {
    let apq = a[p * n + q];
    if apq == 0.0 {
        return;
    }
    let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
    let t = theta.signum() / (theta.abs() + theta.hypot(1.0));
    let c = 1.0 / t.hypot(1.0);
    let s = t * c;
    for k in 0..n {
        let (akp, akq) = (a[k * n + p], a[k * n + q]);
        a[k * n + p] = c * akp - s * akq;
        a[k * n + q] = s * akp + c * akq;
    }
    for k in 0..n {
        let (apk, aqk) = (a[p * n + k], a[q * n + k]);
        a[p * n + k] = c * apk - s * aqk;
        a[q * n + k] = s * apk + c * aqk;
    }
}

/// `‖A‖₂`, the largest singular value of the `n × n` matrix `a`: `√λ_max(AᵀA)`.
pub fn spectral_norm(a: &[f64], n: usize) -> f64 {
    if a.len() < n * n {
        return f64::NAN;
    }
    let mut ata = vec![0.0; n * n];
    for i in 0..n {
        for j in i..n {
            let v: f64 = (0..n).map(|k| a[k * n + i] * a[k * n + j]).sum();
            ata[i * n + j] = v;
            ata[j * n + i] = v;
        }
    }
    symmetric_eigenvalues(&mut ata, n)
        .into_iter()
        .fold(0.0_f64, f64::max)
        .max(0.0)
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;
    use rand::{Rng, SeedableRng};

    /// Against nalgebra's SVD on random square and skew-symmetric matrices, K from 1 to 40.
    #[test]
    fn the_spectral_norm_is_the_largest_singular_value() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut worst = 0.0_f64;
        for case in 0..400 {
            let n = 1 + case % 40;
            let skew = case % 2 == 0;
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                for j in 0..n {
                    a[i * n + j] = if skew && i >= j {
                        0.0
                    } else {
                        rng.gen_range(-1.0..1.0) * 10f64.powi(rng.gen_range(-6..2))
                    };
                }
            }
            if skew {
                for i in 0..n {
                    for j in 0..i {
                        a[i * n + j] = -a[j * n + i];
                    }
                }
            }
            let want = DMatrix::from_row_slice(n, n, &a)
                .singular_values()
                .iter()
                .fold(0.0_f64, |m, v| m.max(*v));
            let got = spectral_norm(&a, n);
            let rel = (got - want).abs() / want.max(f64::MIN_POSITIVE);
            worst = worst.max(rel);
            assert!(rel < 1e-12, "n = {n}: {got} vs {want}");
        }
        println!("largest relative difference {worst:e}");
    }

    #[test]
    fn eigenvalues_of_a_known_symmetric_matrix() {
        // [[2, 1], [1, 2]]: 1 and 3; a diagonal matrix: its diagonal.
        let mut a = [2.0, 1.0, 1.0, 2.0];
        let mut e = symmetric_eigenvalues(&mut a, 2);
        e.sort_by(f64::total_cmp);
        assert!(
            (e[0] - 1.0).abs() < 1e-15 && (e[1] - 3.0).abs() < 1e-15,
            "{e:?}"
        );
        let mut d = [5.0, 0.0, 0.0, -1.0];
        assert_eq!(symmetric_eigenvalues(&mut d, 2), vec![5.0, -1.0]);
        assert_eq!(spectral_norm(&[], 0), 0.0);
        assert!(spectral_norm(&[1.0], 2).is_nan());
    }
}
