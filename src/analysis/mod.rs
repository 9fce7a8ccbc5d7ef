//! Sensitivity analysis of a finished sweep: main effects, Morris elementary effects and Sobol
//! indices, each with bootstrap intervals.
//!
//! * **Main effects** (every design): the mean of a statistic at each level of a knob (binned
//!   into ten equal-count bins for a continuous knob), with a t interval.
//! * **Morris** (`design = "morris"`): for each trajectory step the elementary effect
//!   `EE = (y(x + Δe_i) − y(x)) / Δ`, Δ in unit coordinates; μ* is the mean of |EE| and σ its
//!   standard deviation (Morris 1991; Campolongo, Cariboni & Saltelli 2007).
//! * **Sobol** (`design = "saltelli"`): first-order indices by the Saltelli (2010) estimator
//!   `S_i = mean(f(B)(f(A_B^i) − f(A))) / V` and total indices by Jansen's (1999)
//!   `ST_i = mean((f(A) − f(A_B^i))²) / 2V`, `V` the variance of `f(A)` and `f(B)` together.
//!
//! Intervals are percentile bootstraps over trajectories (Morris) or base samples (Sobol).
//! Replicates of a point are averaged first; points without a successful run are left out.

pub mod plot;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::stats::summarize;
use crate::sweep::SweepError;
use crate::sweep::design::{Design, unit_hash};
use crate::sweep::exec::{MANIFEST, Manifest, RESULTS_CSV};
use crate::sweep::spec::DesignKind;

/// Why a sweep could not be analysed, or its analysis not written.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The directory holds shard directories that were not merged.
    #[error("`{}` holds shards, not merged results: run `talentsim merge {}` first", dir.display(), dir.display())]
    Shards {
        /// The directory given.
        dir: PathBuf,
    },
    /// The directory has no sweep manifest.
    #[error("`{}` is not a sweep directory (no `{MANIFEST}`)", dir.display())]
    NotASweep {
        /// The directory given.
        dir: PathBuf,
    },
    /// The manifest could not be read or decoded.
    #[error(transparent)]
    Manifest(SweepError),
    /// The sweep has not finished.
    #[error("the sweep in `{}` has not finished: rerun the same `talentsim sweep` command to complete it", dir.display())]
    Unfinished {
        /// The sweep's directory.
        dir: PathBuf,
    },
    /// `results.csv` does not match its manifest.
    #[error("the results in `{}` are damaged: rerun the same `talentsim sweep` command to repair them (it keeps the whole rows and reruns the rest), or `talentsim merge` for merged shards", dir.display())]
    Damaged {
        /// The sweep's directory.
        dir: PathBuf,
        /// What is wrong with the results.
        #[source]
        source: SweepError,
    },
    /// `results.csv` could not be read.
    #[error("reading `{}`", path.display())]
    ReadCsv {
        /// The results file.
        path: PathBuf,
        /// The CSV reader's error.
        #[source]
        source: csv::Error,
    },
    /// A row of `results.csv` names no point of the sweep.
    #[error("`{}`: a row without a valid point", path.display())]
    BadPoint {
        /// The results file.
        path: PathBuf,
    },
    /// The manifest names a design this version does not know.
    #[error("unknown design `{design}` in the manifest")]
    UnknownDesign {
        /// The design named in the manifest.
        design: String,
    },
    /// `analysis.json` could not be encoded.
    #[error("encoding analysis.json")]
    EncodeJson(#[source] serde_json::Error),
    /// Drawing a plot (plotters' error, which depends on the backend, as text).
    #[error("drawing {file}: {message}")]
    Draw {
        /// The plot's file name (`tornado_y.png`).
        file: String,
        /// plotters' error.
        message: String,
    },
    /// Writing a PNG plot (plotters' error as text).
    #[error("writing {file}: {message}")]
    WritePng {
        /// The plot's file name (`tornado_y.png`).
        file: String,
        /// plotters' error.
        message: String,
    },
    /// Creating the plot directory or renaming a plot into place.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Writing an output file.
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
}

/// A sweep's results reduced to one mean per point and statistic.
#[derive(Debug, Clone)]
struct PointTable {
    /// The sweep's manifest.
    manifest: Manifest,
    /// Knob values of every point, as written in the results.
    values: Vec<Vec<String>>,
    /// `y[s][p]`: mean of statistic `s` over the successful replicates of point `p` (NaN if none).
    y: Vec<Vec<f64>>,
    /// Failed runs.
    failed: u64,
}

/// Column of `results.csv` holding a run's point index.
const POINT_COLUMN: usize = 1;
/// Column of `results.csv` holding a run's status (`ok` or `failed`).
const STATUS_COLUMN: usize = 4;
/// Column of `results.csv` holding the first knob's value; the statistics follow the knobs.
const FIRST_KNOB_COLUMN: usize = 6;

/// Read `results.csv` of a finished (or merged) sweep directory.
fn read(dir: &Path) -> Result<PointTable, AnalysisError> {
    let (manifest, csv) = finished(dir)?;
    let tally = Tally::of(&csv, &manifest)?;
    let y = tally.means();
    Ok(PointTable {
        manifest,
        values: tally.values,
        y,
        failed: tally.failed,
    })
}

/// The manifest of the finished sweep in `dir` and the path of its `results.csv`, checked
/// against the manifest; an error that says what to do for shards, an unfinished sweep or
/// damaged results.
fn finished(dir: &Path) -> Result<(Manifest, PathBuf), AnalysisError> {
    let mpath = dir.join(MANIFEST);
    if !mpath.exists() {
        if holds_shards(dir) {
            return Err(AnalysisError::Shards { dir: dir.into() });
        }
        return Err(AnalysisError::NotASweep { dir: dir.into() });
    }
    let manifest = Manifest::read(&mpath).map_err(AnalysisError::Manifest)?;
    let csv = dir.join(RESULTS_CSV);
    if manifest.status != "complete" || !csv.exists() {
        return Err(AnalysisError::Unfinished { dir: dir.into() });
    }
    crate::sweep::exec::verify_results(&csv, &manifest).map_err(|source| {
        AnalysisError::Damaged {
            dir: dir.into(),
            source,
        }
    })?;
    Ok((manifest, csv))
}

/// Whether `dir` holds `shard-*` directories.
fn holds_shards(dir: &Path) -> bool {
    dir.read_dir().is_ok_and(|mut d| {
        d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("shard-")))
    })
}

/// The rows of `results.csv` summed per point.
struct Tally {
    /// Knob values of every point, as written in the results.
    values: Vec<Vec<String>>,
    /// `sum[s][p]`: sum of statistic `s` over the successful replicates of point `p`.
    sum: Vec<Vec<f64>>,
    /// Successful runs per point.
    ok: Vec<u32>,
    /// Failed runs.
    failed: u64,
}

impl Tally {
    /// Sum the rows of the results file `csv` of the sweep described by `manifest`.
    fn of(csv: &Path, manifest: &Manifest) -> Result<Tally, AnalysisError> {
        let k = manifest.knobs.len();
        let np = manifest.points as usize;
        let mut t = Tally {
            values: vec![Vec::new(); np],
            sum: vec![vec![0.0; np]; manifest.records.len()],
            ok: vec![0u32; np],
            failed: 0,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(csv)
            .map_err(read_csv(csv))?;
        for rec in reader.records() {
            let rec = rec.map_err(read_csv(csv))?;
            let p: usize = rec
                .get(POINT_COLUMN)
                .and_then(|x| x.parse().ok())
                .filter(|&p: &usize| p < np)
                .ok_or_else(|| AnalysisError::BadPoint { path: csv.into() })?;
            t.add(p, k, &rec);
        }
        Ok(t)
    }

    /// Count the row `rec` of point `p` (a sweep of `k` knobs).
    fn add(&mut self, p: usize, k: usize, rec: &csv::StringRecord) {
        if self.values[p].is_empty() {
            self.values[p] = (0..k)
                .map(|i| {
                    let cell = rec.get(FIRST_KNOB_COLUMN + i).unwrap_or("");
                    crate::output::csv_text_back(cell).to_string()
                })
                .collect();
        }
        if rec.get(STATUS_COLUMN) != Some("ok") {
            self.failed += 1;
            return;
        }
        self.ok[p] += 1;
        for (s, col) in self.sum.iter_mut().enumerate() {
            col[p] += rec
                .get(FIRST_KNOB_COLUMN + k + s)
                .and_then(|x| x.parse::<f64>().ok())
                .unwrap_or(f64::NAN);
        }
    }

    /// `y[s][p]`: the mean of statistic `s` over the successful replicates of point `p` (NaN
    /// if none).
    fn means(&self) -> Vec<Vec<f64>> {
        self.sum
            .iter()
            .map(|col| {
                col.iter()
                    .zip(&self.ok)
                    .map(|(&s, &n)| if n == 0 { f64::NAN } else { s / n as f64 })
                    .collect()
            })
            .collect()
    }
}

/// The error of reading the results file at `path`.
fn read_csv(path: &Path) -> impl Fn(csv::Error) -> AnalysisError + '_ {
    move |source| AnalysisError::ReadCsv {
        path: path.to_path_buf(),
        source,
    }
}

/// A value with a 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Est {
    /// The estimate.
    pub value: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
}

/// One level (or bin) of a main-effect curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Level {
    /// The level as written (for bins: the mean knob value, formatted).
    pub label: String,
    /// Numeric position (the value, or the bin's mean value; the level's index if not numeric).
    pub x: f64,
    /// Mean of the statistic over the level's points, with a t interval.
    pub mean: Est,
    /// Points at the level (with a successful run).
    pub n: usize,
}

/// Morris measures of one knob.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Morris {
    /// μ: mean elementary effect, per unit of the knob's range.
    pub mu: f64,
    /// μ*: mean absolute elementary effect, with a bootstrap interval.
    pub mu_star: Est,
    /// σ: standard deviation of the elementary effects.
    pub sigma: f64,
    /// Elementary effects computed (trajectories with both runs present).
    pub effects: usize,
}

/// Sobol indices of one knob.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sobol {
    /// First-order index S1, with a bootstrap interval.
    pub s1: Est,
    /// Total index ST, with a bootstrap interval.
    pub st: Est,
}

/// Everything computed for one recorded statistic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatAnalysis {
    /// The statistic's name (a `[[record]]` of the sweep file).
    pub stat: String,
    /// Mean over all points.
    pub mean: f64,
    /// Per knob: the main-effect curve.
    pub main_effects: Vec<Vec<Level>>,
    /// Per knob (Morris designs).
    pub morris: Option<Vec<Morris>>,
    /// Per knob (Saltelli designs), and the base samples used.
    pub sobol: Option<(Vec<Sobol>, usize)>,
    /// Two-knob grids: `grid[i][j]` the mean at level i of knob 0 and level j of knob 1.
    pub heatmap: Option<Vec<Vec<f64>>>,
}

/// A sweep's analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// The sweep's name.
    pub sweep: String,
    /// The design (`grid`, `lhs`, `morris`, `saltelli`, …).
    pub design: String,
    /// The knobs' names, in the order of the sweep file.
    pub knobs: Vec<String>,
    /// Points of the design.
    pub points: u64,
    /// Failed runs.
    pub failed: u64,
    /// Bootstrap resamples of the intervals.
    pub bootstrap: usize,
    /// Grids: the labels of each knob's levels in the order of the sweep file.
    pub grid_labels: Vec<Vec<String>>,
    /// One analysis per recorded statistic.
    pub stats: Vec<StatAnalysis>,
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Percentile bootstrap: `stat` of `n` units resampled `b` times with a fixed seed.
fn bootstrap(
    n: usize,
    b: usize,
    seed: u64,
    mut stat: impl FnMut(&mut dyn Iterator<Item = usize>) -> f64,
) -> (f64, f64) {
    if n == 0 || b == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut est: Vec<f64> = (0..b as u64)
        .map(|r| {
            let mut it =
                (0..n as u64).map(|i| ((unit_hash(seed, r, i) * n as f64) as usize).min(n - 1));
            stat(&mut it)
        })
        .filter(|x| x.is_finite())
        .collect();
    est.sort_by(f64::total_cmp);
    (percentile(&est, 0.025), percentile(&est, 0.975))
}

fn design_of(m: &Manifest) -> Result<Design, AnalysisError> {
    let kind = DesignKind::ALL
        .iter()
        .copied()
        .find(|d| d.as_str() == m.design)
        .ok_or_else(|| AnalysisError::UnknownDesign {
            design: m.design.clone(),
        })?;
    Ok(Design::new(
        kind,
        m.knobs.len(),
        m.design_n,
        m.morris_levels,
        m.grid_levels.iter().map(|&g| g as usize).collect(),
        m.seed,
    ))
}

/// Main effect of knob `i` on `y`: mean per level (or per bin of a continuous knob).
fn main_effect(t: &PointTable, i: usize, y: &[f64]) -> Vec<Level> {
    let mut groups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (p, v) in t.values.iter().enumerate() {
        if !y[p].is_finite() || v.is_empty() {
            continue;
        }
        let key = v[i].clone();
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        groups.entry(key).or_default().push(y[p]);
    }
    let numeric = order.iter().all(|s| s.parse::<f64>().is_ok());
    let est = |ys: &[f64]| {
        let s = summarize(ys);
        Est {
            value: s.mean,
            low: if ys.len() > 1 { s.ci_low } else { s.mean },
            high: if ys.len() > 1 { s.ci_high } else { s.mean },
        }
    };
    if numeric && order.len() > 12 {
        // Continuous: ten equal-count bins by value.
        let mut pts: Vec<(f64, f64)> = groups
            .iter()
            .flat_map(|(k, ys)| {
                let x: f64 = k.parse().unwrap_or(f64::NAN);
                ys.iter().map(move |&y| (x, y))
            })
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let bins = 10.min(pts.len());
        return (0..bins)
            .map(|b| {
                let (lo, hi) = (b * pts.len() / bins, (b + 1) * pts.len() / bins);
                let chunk = &pts[lo..hi];
                let ys: Vec<f64> = chunk.iter().map(|p| p.1).collect();
                let x = chunk.iter().map(|p| p.0).sum::<f64>() / chunk.len() as f64;
                Level {
                    label: plot::short(x),
                    x,
                    mean: est(&ys),
                    n: ys.len(),
                }
            })
            .collect();
    }
    let mut keys = order;
    if numeric {
        keys.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        });
    }
    keys.iter()
        .enumerate()
        .map(|(j, k)| {
            let ys = &groups[k];
            Level {
                label: k.clone(),
                x: if numeric {
                    k.parse().unwrap_or(j as f64)
                } else {
                    j as f64
                },
                mean: est(ys),
                n: ys.len(),
            }
        })
        .collect()
}

/// Morris measures of every knob from the points' means `y`.
pub fn morris(d: &Design, y: &[f64], b: usize) -> Vec<Morris> {
    let k = d.k;
    // ee[t][f]: the elementary effect of knob f in trajectory t (NaN when a run is missing).
    let ee: Vec<Vec<f64>> = (0..d.n)
        .map(|t| {
            let mut row = vec![f64::NAN; k];
            for j in 1..=k {
                let (f, delta) = d.morris_step(t, j);
                let p0 = (t * (k as u64 + 1) + j as u64 - 1) as usize;
                let (y0, y1) = (y.get(p0), y.get(p0 + 1));
                if let (Some(&y0), Some(&y1)) = (y0, y1) {
                    row[f] = (y1 - y0) / delta;
                }
            }
            row
        })
        .collect();
    (0..k)
        .map(|f| {
            let e: Vec<f64> = ee.iter().map(|r| r[f]).filter(|x| x.is_finite()).collect();
            let n = e.len();
            let mu = e.iter().sum::<f64>() / n.max(1) as f64;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n.max(1) as f64;
            let sigma = if n > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
            } else {
                0.0
            };
            let (low, high) = bootstrap(n, b, d.seed ^ 0x3041 ^ f as u64, |it| {
                let (mut s, mut c) = (0.0, 0usize);
                for i in it {
                    s += e[i].abs();
                    c += 1;
                }
                s / c as f64
            });
            Morris {
                mu,
                mu_star: Est {
                    value: mu_star,
                    low,
                    high,
                },
                sigma,
                effects: n,
            }
        })
        .collect()
}

/// First-order and total Sobol indices from a Saltelli design's point means `y`; also returns
/// the number of base samples used (those with every run present).
fn sobol(d: &Design, y: &[f64], b: usize) -> (Vec<Sobol>, usize) {
    let k = d.k;
    let w = k + 2;
    // Rows: (f(A), f(B), f(AB_1..k)).
    let rows: Vec<&[f64]> = (0..d.n as usize)
        .filter_map(|j| y.get(j * w..(j + 1) * w))
        .filter(|r| r.iter().all(|x| x.is_finite()))
        .collect();
    let n = rows.len();
    let indices = |sel: &[usize]| -> Vec<(f64, f64)> {
        let m = sel.len() as f64;
        let mean = sel.iter().map(|&j| rows[j][0] + rows[j][1]).sum::<f64>() / (2.0 * m);
        let var = sel
            .iter()
            .map(|&j| (rows[j][0] - mean).powi(2) + (rows[j][1] - mean).powi(2))
            .sum::<f64>()
            / (2.0 * m - 1.0);
        (0..k)
            .map(|i| {
                let (mut s1, mut st) = (0.0, 0.0);
                for &j in sel {
                    let (fa, fb, fab) = (rows[j][0], rows[j][1], rows[j][2 + i]);
                    s1 += fb * (fab - fa);
                    st += (fa - fab).powi(2);
                }
                (s1 / m / var, st / (2.0 * m) / var)
            })
            .collect()
    };
    let all: Vec<usize> = (0..n).collect();
    let point = if n > 1 {
        indices(&all)
    } else {
        vec![(f64::NAN, f64::NAN); k]
    };
    // One set of resamples for every index (they share rows).
    let mut boots: Vec<Vec<(f64, f64)>> = Vec::new();
    if n > 1 {
        for r in 0..b as u64 {
            let sel: Vec<usize> = (0..n as u64)
                .map(|i| ((unit_hash(d.seed ^ 0x5AB0, r, i) * n as f64) as usize).min(n - 1))
                .collect();
            boots.push(indices(&sel));
        }
    }
    let out = (0..k)
        .map(|i| {
            let ci = |pick: fn(&(f64, f64)) -> f64| {
                let mut v: Vec<f64> = boots
                    .iter()
                    .map(|bs| pick(&bs[i]))
                    .filter(|x| x.is_finite())
                    .collect();
                v.sort_by(f64::total_cmp);
                (percentile(&v, 0.025), percentile(&v, 0.975))
            };
            let (l1, h1) = ci(|x| x.0);
            let (lt, ht) = ci(|x| x.1);
            Sobol {
                s1: Est {
                    value: point[i].0,
                    low: l1,
                    high: h1,
                },
                st: Est {
                    value: point[i].1,
                    low: lt,
                    high: ht,
                },
            }
        })
        .collect();
    (out, n)
}

/// Analyse the sweep in `dir` with `b` bootstrap resamples.
pub fn analyze(dir: &Path, b: usize) -> Result<Analysis, AnalysisError> {
    let t = read(dir)?;
    let m = &t.manifest;
    let d = design_of(m)?;
    let k = m.knobs.len();
    let stats = m
        .records
        .iter()
        .enumerate()
        .map(|(s, name)| {
            let y = &t.y[s];
            let fin: Vec<f64> = y.iter().copied().filter(|x| x.is_finite()).collect();
            let mean = fin.iter().sum::<f64>() / fin.len().max(1) as f64;
            let main_effects = (0..k).map(|i| main_effect(&t, i, y)).collect();
            let morris = (d.kind == DesignKind::Morris).then(|| morris(&d, y, b));
            let sobol = (d.kind == DesignKind::Saltelli).then(|| sobol(&d, y, b));
            let heatmap = (d.kind == DesignKind::Grid && k == 2).then(|| {
                let (g0, g1) = (d.grid[0], d.grid[1]);
                (0..g0)
                    .map(|i| {
                        (0..g1)
                            .map(|j| y.get(i * g1 + j).copied().unwrap_or(f64::NAN))
                            .collect()
                    })
                    .collect()
            });
            StatAnalysis {
                stat: name.clone(),
                mean,
                main_effects,
                morris,
                sobol,
                heatmap,
            }
        })
        .collect();
    let mut grid_labels: Vec<Vec<String>> =
        d.grid.iter().map(|&g| vec![String::new(); g]).collect();
    if d.kind == DesignKind::Grid {
        for (p, v) in t.values.iter().enumerate() {
            if let crate::sweep::design::Coords::Index(idx) = d.coords(p as u64) {
                for (i, &j) in idx.iter().enumerate() {
                    if let (Some(slot), Some(val)) = (grid_labels[i].get_mut(j), v.get(i)) {
                        *slot = val.clone();
                    }
                }
            }
        }
    }
    Ok(Analysis {
        grid_labels,
        sweep: m.sweep.clone(),
        design: m.design.clone(),
        knobs: m.knobs.clone(),
        points: m.points,
        failed: t.failed,
        bootstrap: b,
        stats,
    })
}

/// A file name made of a statistic's name.
pub fn file_stem(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean == s {
        clean
    } else {
        // Sanitising can make two names one (`x/y`, `x?y` and `x_y`): a name that changed gets
        // a hash of the original, so every statistic keeps a file of its own.
        format!("{clean}-{:08x}", crate::rng::name_key(s) >> 32)
    }
}

fn fmt(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.6}")
    } else {
        String::new()
    }
}

/// Write `sensitivity.csv`, `main_effects.csv`, `analysis.json` and the plots into `out`;
/// returns the files written.
pub fn write(a: &Analysis, out: &Path) -> Result<Vec<PathBuf>, AnalysisError> {
    let mut written = Vec::new();
    let sens = out.join("sensitivity.csv");
    crate::output::write_atomic(&sens, |w| write_sensitivity(w, a))?;
    written.push(sens);
    let mep = out.join("main_effects.csv");
    crate::output::write_atomic(&mep, |w| write_main_effects(w, a))?;
    written.push(mep);
    let json = out.join("analysis.json");
    let text = serde_json::to_string_pretty(a).map_err(AnalysisError::EncodeJson)?;
    crate::output::write_atomic(&json, |w| w.write_all(text.as_bytes()))?;
    written.push(json);
    written.extend(plot::draw_all(a, out)?);
    Ok(written)
}

/// A text cell of the analysis tables, quoted where CSV needs it.
fn csv_cell(x: &str) -> String {
    let mut f = String::new();
    crate::sweep::csv_field(&mut f, x);
    f
}

/// `sensitivity.csv`: per statistic and knob, the main effect's range and the Morris or Sobol
/// measures with their intervals.
fn write_sensitivity(w: &mut dyn std::io::Write, a: &Analysis) -> std::io::Result<()> {
    writeln!(w, "statistic,knob,measure,value,low,high")?;
    for s in &a.stats {
        for (i, knob) in a.knobs.iter().enumerate() {
            let (lo, hi) = s.main_effects[i]
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                    (l.min(v.mean.value), h.max(v.mean.value))
                });
            let (sn, kn) = (csv_cell(&s.stat), csv_cell(knob));
            let row = |w: &mut dyn std::io::Write, measure: &str, e: Est| {
                let (v, l, h) = (fmt(e.value), fmt(e.low), fmt(e.high));
                writeln!(w, "{sn},{kn},{measure},{v},{l},{h}")
            };
            writeln!(w, "{sn},{kn},main_effect_range,{},,", fmt(hi - lo))?;
            if let Some(m) = &s.morris {
                let m = m[i];
                row(w, "mu_star", m.mu_star)?;
                writeln!(w, "{sn},{kn},mu,{},,", fmt(m.mu))?;
                writeln!(w, "{sn},{kn},sigma,{},,", fmt(m.sigma))?;
            }
            if let Some((so, _)) = &s.sobol {
                row(w, "S1", so[i].s1)?;
                row(w, "ST", so[i].st)?;
            }
        }
    }
    Ok(())
}

/// `main_effects.csv`: every level of every knob's main-effect curve, per statistic.
fn write_main_effects(w: &mut dyn std::io::Write, a: &Analysis) -> std::io::Result<()> {
    writeln!(w, "statistic,knob,level,x,mean,low,high,n")?;
    for s in &a.stats {
        for (i, knob) in a.knobs.iter().enumerate() {
            for l in &s.main_effects[i] {
                let mut f = String::new();
                crate::sweep::csv_field(&mut f, &s.stat);
                f.push(',');
                crate::sweep::csv_field(&mut f, knob);
                f.push(',');
                crate::sweep::csv_field(&mut f, &l.label);
                writeln!(
                    w,
                    "{f},{},{},{},{},{}",
                    l.x,
                    fmt(l.mean.value),
                    fmt(l.mean.low),
                    fmt(l.mean.high),
                    l.n
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_stay_unique_after_sanitising() {
        let stems: Vec<String> = ["x/y", "x_y", "x?y", "x y"]
            .iter()
            .map(|s| file_stem(s))
            .collect();
        assert_eq!(stems[1], "x_y", "a clean name is kept as it is");
        let mut unique = stems.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 4, "{stems:?}");
        assert!(stems.iter().all(|s| s.starts_with("x_y")));
    }
}
