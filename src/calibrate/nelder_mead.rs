//! Nelder–Mead simplex minimisation (Nelder & Mead 1965, with the standard coefficients
//! reflection 1, expansion 2, contraction ½, shrink ½), on the unit box `[0, 1]^d`: trial
//! points are clamped to the box, which keeps every parameter inside its valid range.

/// Result of a minimisation.
#[derive(Debug, Clone)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub f: f64,
    pub evaluations: usize,
}

/// Minimise `f` from `x0` (in `[0,1]^d`) with an initial simplex of edge `step`, stopping after
/// `budget` evaluations, when the simplex's values agree within `ftol`, or when `stop()` says so.
/// `f` may return `None` to abort (e.g. on interruption); the best point so far is returned.
pub fn minimize(
    mut f: impl FnMut(&[f64]) -> Option<f64>,
    x0: &[f64],
    step: f64,
    budget: usize,
    ftol: f64,
) -> Minimum {
    let d = x0.len();
    let clamp = |x: &mut Vec<f64>| x.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
    let mut evals = 0usize;
    let mut best = Minimum {
        x: x0.to_vec(),
        f: f64::INFINITY,
        evaluations: 0,
    };
    macro_rules! eval {
        ($x:expr) => {{
            if evals >= budget {
                None
            } else {
                evals += 1;
                let v = f(&$x);
                if let Some(v) = v {
                    if v < best.f {
                        best = Minimum {
                            x: $x.clone(),
                            f: v,
                            evaluations: evals,
                        };
                    }
                }
                v
            }
        }};
    }
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(d + 1);
    let first = x0.to_vec();
    let Some(f0) = eval!(first) else {
        return finish(best, evals);
    };
    simplex.push((first, f0));
    for i in 0..d {
        let mut x = x0.to_vec();
        // Step inward if a step outward would leave the box.
        x[i] = if x[i] + step <= 1.0 {
            x[i] + step
        } else {
            x[i] - step
        };
        clamp(&mut x);
        let Some(v) = eval!(x) else {
            return finish(best, evals);
        };
        simplex.push((x, v));
    }
    loop {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (lo, hi) = (simplex[0].1, simplex[d].1);
        if (hi - lo).abs() <= ftol * (lo.abs() + hi.abs()).max(1e-12) || evals >= budget {
            break;
        }
        let centroid: Vec<f64> = (0..d)
            .map(|j| simplex[..d].iter().map(|p| p.0[j]).sum::<f64>() / d as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            let mut x: Vec<f64> = (0..d)
                .map(|j| centroid[j] + t * (simplex[d].0[j] - centroid[j]))
                .collect();
            x.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
            x
        };
        let xr = along(-1.0);
        let Some(fr) = eval!(xr) else { break };
        if fr < simplex[0].1 {
            let xe = along(-2.0);
            let Some(fe) = eval!(xe) else { break };
            simplex[d] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[d - 1].1 {
            simplex[d] = (xr, fr);
        } else {
            let (xc, outside) = if fr < simplex[d].1 {
                (along(-0.5), true)
            } else {
                (along(0.5), false)
            };
            let Some(fc) = eval!(xc) else { break };
            if (outside && fc <= fr) || (!outside && fc < simplex[d].1) {
                simplex[d] = (xc, fc);
            } else {
                // Shrink toward the best point.
                let bestx = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    let x: Vec<f64> = (0..d)
                        .map(|j| bestx[j] + 0.5 * (p.0[j] - bestx[j]))
                        .collect();
                    let Some(v) = eval!(x) else {
                        return finish(best, evals);
                    };
                    *p = (x, v);
                }
            }
        }
    }
    finish(best, evals)
}

fn finish(mut best: Minimum, evals: usize) -> Minimum {
    best.evaluations = evals;
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_shifted_sphere() {
        let m = minimize(
            |x| Some((x[0] - 0.3).powi(2) + (x[1] - 0.7).powi(2) + (x[2] - 0.5).powi(2)),
            &[0.9, 0.1, 0.2],
            0.2,
            2000,
            1e-14,
        );
        assert!(
            (m.x[0] - 0.3).abs() < 1e-4
                && (m.x[1] - 0.7).abs() < 1e-4
                && (m.x[2] - 0.5).abs() < 1e-4,
            "{:?}",
            m.x
        );
    }

    #[test]
    fn finds_the_minimum_of_rosenbrock_in_the_box() {
        // Rosenbrock mapped to the box: u = 4x - 2, minimum at u = (1, 1) → x = (0.75, 0.75).
        let rosen = |x: &[f64]| {
            let (a, b) = (4.0 * x[0] - 2.0, 4.0 * x[1] - 2.0);
            Some((1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2))
        };
        let m = minimize(rosen, &[0.2, 0.9], 0.1, 5000, 1e-16);
        assert!(
            (m.x[0] - 0.75).abs() < 1e-3 && (m.x[1] - 0.75).abs() < 1e-3,
            "{:?} f={}",
            m.x,
            m.f
        );
    }

    #[test]
    fn respects_the_box_and_the_budget() {
        let m = minimize(|x| Some(-x[0] - x[1]), &[0.5, 0.5], 0.3, 50, 1e-12);
        assert!(m.x.iter().all(|v| (0.0..=1.0).contains(v)));
        assert!(m.evaluations <= 50);
        assert!(m.x[0] > 0.99 && m.x[1] > 0.99);
    }

    #[test]
    fn stops_when_the_objective_aborts() {
        let mut n = 0;
        let m = minimize(
            |x| {
                n += 1;
                if n > 5 { None } else { Some(x[0]) }
            },
            &[0.5],
            0.1,
            100,
            1e-12,
        );
        assert!(m.f.is_finite());
        assert!(m.evaluations <= 6);
    }
}
