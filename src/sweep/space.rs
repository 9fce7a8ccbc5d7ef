//! What values a knob takes: explicit levels, a range, or a distribution.

use crate::sweep::spec::{Dist, KnobDef, Level};

/// A knob's values, resolved from its [`KnobDef`].
#[derive(Debug, Clone, PartialEq)]
pub struct KnobSpace {
    /// Column name in the results.
    pub name: String,
    /// Scenario path (`--set` syntax).
    pub path: String,
    /// What values it takes.
    pub values: Values,
    /// Round to whole numbers.
    pub integer: bool,
}

/// The values of a knob.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// An explicit list; sampling designs pick one uniformly.
    Levels(Vec<Level>),
    /// A range `[min, max]` (`steps` levels in a grid).
    Range {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
        /// How sampling designs draw from it.
        dist: Dist,
        /// Levels in a grid.
        steps: u32,
    },
    /// A normal distribution, cut to `[min, max]`; a grid takes `steps` quantiles.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Lower cut (−∞ where the knob gives no `min`).
        min: f64,
        /// Upper cut (+∞ where the knob gives no `max`).
        max: f64,
        /// Quantiles in a grid.
        steps: u32,
    },
}

impl KnobSpace {
    /// Build from a definition already checked by the loader.
    pub fn from_def(k: &KnobDef, integer: bool) -> KnobSpace {
        let values = if !k.levels.is_empty() {
            Values::Levels(k.levels.clone())
        } else if k.dist == Dist::Normal {
            Values::Normal {
                mean: k.mean,
                sd: k.sd,
                min: if k.min.is_nan() {
                    f64::NEG_INFINITY
                } else {
                    k.min
                },
                max: if k.max.is_nan() { f64::INFINITY } else { k.max },
                steps: k.steps,
            }
        } else {
            Values::Range {
                min: k.min,
                max: k.max,
                dist: k.dist,
                steps: k.steps,
            }
        };
        KnobSpace {
            name: if k.name.is_empty() {
                k.path.clone()
            } else {
                k.name.clone()
            },
            path: k.path.clone(),
            values,
            integer: integer || k.integer,
        }
    }

    /// Whether every value is a number (a `Float64` column in Parquet).
    pub fn is_numeric(&self) -> bool {
        match &self.values {
            Values::Levels(l) => l.iter().all(|v| matches!(v, Level::Num(_))),
            _ => true,
        }
    }

    /// Levels in a grid, if the knob has a finite set of them.
    pub fn grid_levels(&self) -> Option<Vec<Level>> {
        match &self.values {
            Values::Levels(l) => Some(l.clone()),
            Values::Range {
                min,
                max,
                dist,
                steps,
            } if *steps >= 1 => {
                let n = *steps;
                Some(
                    (0..n)
                        .map(|i| {
                            let f = if n == 1 {
                                0.0
                            } else {
                                i as f64 / (n - 1) as f64
                            };
                            let x = match dist {
                                Dist::Loguniform => (min.ln() + f * (max.ln() - min.ln())).exp(),
                                _ => min + f * (max - min),
                            };
                            // Exact ends, whatever the rounding in between.
                            let x = if i == 0 {
                                *min
                            } else if i + 1 == n {
                                *max
                            } else {
                                x
                            };
                            self.num(x)
                        })
                        .collect(),
                )
            }
            Values::Normal { steps, .. } if *steps >= 1 => Some(
                (0..*steps)
                    .map(|i| self.at_unit((i as f64 + 0.5) / *steps as f64))
                    .collect(),
            ),
            _ => None,
        }
    }

    fn num(&self, x: f64) -> Level {
        Level::Num(if self.integer { x.round() } else { x })
    }

    /// The value at unit coordinate `u` (in `[0, 1]`).
    pub fn at_unit(&self, u: f64) -> Level {
        let u = u.clamp(0.0, 1.0);
        match &self.values {
            Values::Levels(l) => l[((u * l.len() as f64) as usize).min(l.len() - 1)].clone(),
            Values::Range { min, max, dist, .. } => self.num(match dist {
                Dist::Loguniform => (min.ln() + u * (max.ln() - min.ln()))
                    .exp()
                    .clamp(*min, *max),
                _ => (min + u * (max - min)).clamp(*min, *max),
            }),
            Values::Normal {
                mean, sd, min, max, ..
            } => {
                let z = normal_quantile(u.clamp(1e-9, 1.0 - 1e-9));
                self.num((mean + sd * z).clamp(*min, *max))
            }
        }
    }
}

/// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let lo = 0.02425;
    if p < lo {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - lo {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -normal_quantile(1.0 - p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles() {
        assert!(normal_quantile(0.5).abs() < 1e-9);
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-5);
        assert!((normal_quantile(0.01) + 2.326_348).abs() < 1e-5);
    }

    #[test]
    fn grid_levels_include_both_ends() {
        let k = KnobSpace {
            name: "x".into(),
            path: "x".into(),
            values: Values::Range {
                min: 0.1,
                max: 0.7,
                dist: Dist::Uniform,
                steps: 4,
            },
            integer: false,
        };
        let l = k.grid_levels().unwrap();
        assert_eq!(l.first(), Some(&Level::Num(0.1)));
        assert_eq!(l.last(), Some(&Level::Num(0.7)));
        assert_eq!(l.len(), 4);
    }
}
