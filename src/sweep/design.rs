//! Experimental designs: which points of the knob space a sweep runs.
//!
//! Every design is a pure function of its parameters and seed: point `p` can be computed on its
//! own, in any order and on any machine, which is what makes shards and resumes deterministic.
//! Points are given as unit-cube coordinates (`u` in `[0, 1]` per knob, mapped to values by the
//! knob's range or distribution) or, for grids, as level indices.

use crate::rng::mix64;
use crate::sweep::spec::DesignKind;

/// Most dimensions the Sobol generator has (Saltelli uses two per knob).
pub(crate) const SOBOL_DIMS: usize = 256;
/// Points per Owen-scrambled Sobol sequence; longer designs continue with a freshly scrambled
/// sequence (stratification holds within each block).
const SOBOL_BLOCK: u64 = 1 << 16;
/// Largest Latin hypercube (it keeps one permutation per knob in memory).
pub(crate) const LHS_MAX: u64 = 10_000_000;

/// Where a point lies.
#[derive(Debug, Clone, PartialEq)]
pub enum Coords {
    /// Level index of every knob (grids).
    Index(Vec<usize>),
    /// Unit-cube coordinate of every knob.
    Unit(Vec<f64>),
}

/// A design: its kind, its size and everything needed to regenerate any point.
#[derive(Debug, Clone)]
pub struct Design {
    /// The kind of design.
    pub kind: DesignKind,
    /// Number of knobs.
    pub k: usize,
    /// `points` (random, lhs, sobol), base samples N (saltelli) or trajectories (morris).
    pub n: u64,
    /// Levels of the Morris grid.
    pub morris_levels: u32,
    /// Levels per knob (grid).
    pub grid: Vec<usize>,
    /// Seed of the design's randomisation (the sweep's `seed`).
    pub seed: u64,
    lhs: Vec<Vec<u32>>,
}

/// A uniform number in `[0, 1)` from a hash of three keys.
pub(crate) fn unit_hash(seed: u64, a: u64, b: u64) -> f64 {
    let h = mix64(
        mix64(mix64(seed ^ 0x5157_EE9D_E516_4A11) ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15)) ^ b,
    );
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

fn shuffle(v: &mut [u32], seed: u64, key: u64) {
    for i in (1..v.len()).rev() {
        let j = (unit_hash(seed, key, i as u64) * (i + 1) as f64) as usize;
        v.swap(i, j.min(i));
    }
}

impl Design {
    /// A design of `kind` over `k` knobs: `n` points (or base samples, or trajectories), Morris levels, grid levels per knob, seed.
    pub fn new(
        kind: DesignKind,
        k: usize,
        n: u64,
        morris_levels: u32,
        grid: Vec<usize>,
        seed: u64,
    ) -> Design {
        let lhs = if kind == DesignKind::Lhs {
            (0..k)
                .map(|i| {
                    let mut p: Vec<u32> = (0..n as u32).collect();
                    shuffle(&mut p, seed, 0x1000 + i as u64);
                    p
                })
                .collect()
        } else {
            Vec::new()
        };
        Design {
            kind,
            k,
            n,
            morris_levels,
            grid,
            seed,
            lhs,
        }
    }

    /// Number of points.
    pub fn points(&self) -> u64 {
        match self.kind {
            DesignKind::Grid => self
                .grid
                .iter()
                .try_fold(1u64, |a, &g| a.checked_mul(g as u64))
                .unwrap_or(u64::MAX),
            DesignKind::Random | DesignKind::Lhs | DesignKind::Sobol => self.n,
            DesignKind::Morris => self.n.saturating_mul(self.k as u64 + 1),
            DesignKind::Saltelli => self.n.saturating_mul(self.k as u64 + 2),
        }
    }

    fn sobol(&self, index: u64, dim: usize) -> f64 {
        let block = index / SOBOL_BLOCK;
        let seed = (mix64(self.seed) as u32).wrapping_add(block as u32);
        sobol_burley::sample((index % SOBOL_BLOCK) as u32, dim as u32, seed) as f64
    }

    /// The coordinates of point `p`.
    pub fn coords(&self, p: u64) -> Coords {
        let k = self.k;
        match self.kind {
            DesignKind::Grid => {
                let mut idx = vec![0; k];
                let mut rest = p;
                for i in (0..k).rev() {
                    let g = self.grid[i].max(1) as u64;
                    idx[i] = (rest % g) as usize;
                    rest /= g;
                }
                Coords::Index(idx)
            }
            DesignKind::Random => {
                Coords::Unit((0..k).map(|i| unit_hash(self.seed, p, i as u64)).collect())
            }
            DesignKind::Lhs => Coords::Unit(
                (0..k)
                    .map(|i| {
                        let jitter = unit_hash(self.seed, p, 0x2000 + i as u64);
                        (self.lhs[i][p as usize] as f64 + jitter) / self.n as f64
                    })
                    .collect(),
            ),
            DesignKind::Sobol => Coords::Unit((0..k).map(|i| self.sobol(p, i)).collect()),
            DesignKind::Saltelli => {
                let j = p / (k as u64 + 2);
                let r = (p % (k as u64 + 2)) as usize;
                let a = |i: usize| self.sobol(j, i);
                let b = |i: usize| self.sobol(j, k + i);
                Coords::Unit(match r {
                    0 => (0..k).map(a).collect(),
                    1 => (0..k).map(b).collect(),
                    _ => (0..k)
                        .map(|i| if i == r - 2 { b(i) } else { a(i) })
                        .collect(),
                })
            }
            DesignKind::Morris => {
                let t = p / (k as u64 + 1);
                let step = (p % (k as u64 + 1)) as usize;
                let (base, order, dirs) = self.trajectory(t);
                let levels = self.morris_levels.max(2) as f64 - 1.0;
                let h = self.morris_h() as f64;
                let mut lv: Vec<f64> = base.iter().map(|&l| l as f64).collect();
                for &f in &order[..step] {
                    lv[f] += dirs[f] * h;
                }
                Coords::Unit(lv.into_iter().map(|l| l / levels).collect())
            }
        }
    }

    /// Level steps of one Morris move (`Δ = h / (levels − 1)`).
    fn morris_h(&self) -> u32 {
        (self.morris_levels / 2).max(1)
    }

    /// Δ of the Morris design in unit coordinates.
    pub fn morris_delta(&self) -> f64 {
        self.morris_h() as f64 / (self.morris_levels.max(2) - 1) as f64
    }

    /// Trajectory `t`: base levels, the order factors move in, and each factor's direction.
    fn trajectory(&self, t: u64) -> (Vec<u32>, Vec<usize>, Vec<f64>) {
        let p = self.morris_levels.max(2);
        let h = self.morris_h();
        let base: Vec<u32> = (0..self.k)
            .map(|i| ((unit_hash(self.seed, 0x3000 + t, i as u64) * p as f64) as u32).min(p - 1))
            .collect();
        let dirs = base
            .iter()
            .map(|&l| if l + h < p { 1.0 } else { -1.0 })
            .collect();
        let mut order: Vec<u32> = (0..self.k as u32).collect();
        shuffle(&mut order, self.seed, 0x4000_0000 + t);
        (base, order.into_iter().map(|i| i as usize).collect(), dirs)
    }

    /// For step `j` (1..=k) of Morris trajectory `t`: the knob that moved from point `j − 1` to
    /// point `j`, and the signed change of its unit coordinate.
    pub fn morris_step(&self, t: u64, j: usize) -> (usize, f64) {
        let (_, order, dirs) = self.trajectory(t);
        let f = order[j - 1];
        (f, dirs[f] * self.morris_delta())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_enumerates_every_combination() {
        let d = Design::new(DesignKind::Grid, 2, 0, 4, vec![2, 3], 1);
        assert_eq!(d.points(), 6);
        let all: Vec<Coords> = (0..6).map(|p| d.coords(p)).collect();
        assert_eq!(all[0], Coords::Index(vec![0, 0]));
        assert_eq!(all[1], Coords::Index(vec![0, 1]));
        assert_eq!(all[5], Coords::Index(vec![1, 2]));
    }

    #[test]
    fn lhs_uses_every_stratum_once() {
        let n = 50;
        let d = Design::new(DesignKind::Lhs, 3, n, 4, vec![], 9);
        for i in 0..3 {
            let mut seen = vec![false; n as usize];
            for p in 0..n {
                let Coords::Unit(u) = d.coords(p) else {
                    panic!()
                };
                let s = (u[i] * n as f64) as usize;
                assert!(!seen[s]);
                seen[s] = true;
            }
        }
    }

    #[test]
    fn morris_moves_one_factor_per_step() {
        let d = Design::new(DesignKind::Morris, 3, 5, 4, vec![], 3);
        for t in 0..5 {
            for j in 1..=3 {
                let (Coords::Unit(a), Coords::Unit(b)) =
                    (d.coords(t * 4 + j as u64 - 1), d.coords(t * 4 + j as u64))
                else {
                    panic!()
                };
                let (f, delta) = d.morris_step(t, j);
                for i in 0..3 {
                    if i == f {
                        assert!((b[i] - a[i] - delta).abs() < 1e-12);
                    } else {
                        assert_eq!(a[i], b[i]);
                    }
                }
                assert!(b.iter().all(|x| (0.0..=1.0).contains(x)));
            }
        }
    }

    #[test]
    fn saltelli_mixes_a_and_b() {
        let d = Design::new(DesignKind::Saltelli, 2, 4, 4, vec![], 5);
        assert_eq!(d.points(), 16);
        let u = |p| match d.coords(p) {
            Coords::Unit(u) => u,
            _ => panic!(),
        };
        let (a, b, ab0, ab1) = (u(4), u(5), u(6), u(7));
        assert_eq!(ab0, vec![b[0], a[1]]);
        assert_eq!(ab1, vec![a[0], b[1]]);
    }
}
