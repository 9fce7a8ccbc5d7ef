//! Nelder–Mead simplex minimisation (Nelder & Mead 1965, with the standard coefficients
//! reflection 1, expansion 2, contraction ½, shrink ½), on the unit box `[0, 1]^d`: trial
//! points are clamped to the box, which keeps every parameter inside its valid range.

/// Result of a minimisation.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub(crate) x: Vec<f64>,
    pub(crate) f: f64,
    pub(crate) evaluations: usize,
}

/// Minimise `f` from `x0` (in `[0,1]^d`) with an initial simplex of edge `step`, stopping after
/// `budget` evaluations or when the simplex's values agree within `ftol` (relative). `f` may
/// return `None` to abort (e.g. on interruption); the best point so far is returned.
pub(crate) fn minimize(
    f: impl FnMut(&[f64]) -> Option<f64>,
    x0: &[f64],
    step: f64,
    budget: usize,
    ftol: f64,
) -> Minimum {
    let mut search = Search {
        f,
        budget,
        evals: 0,
        best: Minimum {
            x: x0.to_vec(),
            f: f64::INFINITY,
            evaluations: 0,
        },
    };
    if let Some(mut simplex) = search.initial_simplex(x0, step) {
        loop {
            simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
            if converged(&simplex, ftol) || search.evals >= budget {
                break;
            }
            if search.iterate(&mut simplex).is_none() {
                break;
            }
        }
    }
    search.best.evaluations = search.evals;
    search.best
}

/// A point of the simplex and the objective's value there.
type Vertex = (Vec<f64>, f64);

/// Whether the values of a sorted simplex agree within `ftol` (relative).
fn converged(simplex: &[Vertex], ftol: f64) -> bool {
    let (lo, hi) = (simplex[0].1, simplex[simplex.len() - 1].1);
    (hi - lo).abs() <= ftol * (lo.abs() + hi.abs()).max(1e-12)
}

/// The centroid of every vertex of a sorted simplex but the worst.
fn centroid(simplex: &[Vertex]) -> Vec<f64> {
    let d = simplex.len() - 1;
    (0..d)
        .map(|j| simplex[..d].iter().map(|p| p.0[j]).sum::<f64>() / d as f64)
        .collect()
}

/// The point `centroid + t (worst - centroid)`, clamped to the box: `t = -1` reflects the
/// worst vertex through the centroid, `-2` expands, `-0.5` and `0.5` contract outside and
/// inside.
fn along(centroid: &[f64], worst: &[f64], t: f64) -> Vec<f64> {
    let mut x: Vec<f64> = (0..centroid.len())
        .map(|j| centroid[j] + t * (worst[j] - centroid[j]))
        .collect();
    x.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
    x
}

/// A minimisation in progress: the objective, the evaluations spent and the best point so far.
struct Search<F> {
    f: F,
    budget: usize,
    evals: usize,
    best: Minimum,
}

impl<F: FnMut(&[f64]) -> Option<f64>> Search<F> {
    /// `f` at `x`, noting the best point; `None` when the budget is spent or `f` aborts.
    fn eval(&mut self, x: &[f64]) -> Option<f64> {
        if self.evals >= self.budget {
            return None;
        }
        self.evals += 1;
        let v = (self.f)(x)?;
        if v < self.best.f {
            self.best = Minimum {
                x: x.to_vec(),
                f: v,
                evaluations: self.evals,
            };
        }
        Some(v)
    }

    /// `x0` and one vertex a `step` along each axis (inward where outward would leave the
    /// box), evaluated; `None` if the search stops first.
    fn initial_simplex(&mut self, x0: &[f64], step: f64) -> Option<Vec<Vertex>> {
        let d = x0.len();
        let mut simplex: Vec<Vertex> = Vec::with_capacity(d + 1);
        let first = x0.to_vec();
        let f0 = self.eval(&first)?;
        simplex.push((first, f0));
        for i in 0..d {
            let mut x = x0.to_vec();
            x[i] = if x[i] + step <= 1.0 {
                x[i] + step
            } else {
                x[i] - step
            };
            x.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
            let v = self.eval(&x)?;
            simplex.push((x, v));
        }
        Some(simplex)
    }

    /// One step on a sorted simplex: reflect the worst vertex, then expand if the reflection
    /// is the new best, keep it if it beats the second worst, else contract (or shrink).
    /// `None` if the search stops.
    fn iterate(&mut self, simplex: &mut [Vertex]) -> Option<()> {
        let d = simplex.len() - 1;
        let centroid = centroid(simplex);
        let xr = along(&centroid, &simplex[d].0, -1.0);
        let fr = self.eval(&xr)?;
        if fr < simplex[0].1 {
            let xe = along(&centroid, &simplex[d].0, -2.0);
            let fe = self.eval(&xe)?;
            simplex[d] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[d - 1].1 {
            simplex[d] = (xr, fr);
        } else {
            self.contract(simplex, &centroid, fr)?;
        }
        Some(())
    }

    /// Contract toward the centroid, outside the simplex if the reflection (value `fr`) beat
    /// the worst vertex, inside otherwise; shrink if that does not improve on it.
    fn contract(&mut self, simplex: &mut [Vertex], centroid: &[f64], fr: f64) -> Option<()> {
        let d = simplex.len() - 1;
        let outside = fr < simplex[d].1;
        let xc = along(centroid, &simplex[d].0, if outside { -0.5 } else { 0.5 });
        let fc = self.eval(&xc)?;
        if (outside && fc <= fr) || (!outside && fc < simplex[d].1) {
            simplex[d] = (xc, fc);
            Some(())
        } else {
            self.shrink(simplex)
        }
    }

    /// Move every vertex halfway toward the best.
    fn shrink(&mut self, simplex: &mut [Vertex]) -> Option<()> {
        let bestx = simplex[0].0.clone();
        for p in simplex.iter_mut().skip(1) {
            let x: Vec<f64> = (0..bestx.len())
                .map(|j| bestx[j] + 0.5 * (p.0[j] - bestx[j]))
                .collect();
            let v = self.eval(&x)?;
            *p = (x, v);
        }
        Some(())
    }
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
