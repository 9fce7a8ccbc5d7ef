//! Batch sweeps: many runs over a design of knob values, streamed to disk, resumable,
//! shardable across a Slurm array, and analysable for sensitivity.
//!
//! A sweep file ([`spec::SweepDef`]) names a base scenario, the knobs to vary, a design and
//! the statistics to record. [`load`] reads and checks it with the same diagnostics as a
//! scenario (every knob value is tried on the base scenario). [`exec::run`] executes it into an
//! output directory; [`merge::merge`] combines the directories of shards into exactly what one
//! process would have written.
//!
//! Run `i` is replicate `i % replicates` of point `i / replicates`; its seed depends only on the
//! base seed, the point and the replicate, and each point's knob values only on the design and
//! its seed, so the results do not depend on thread count, sharding or interruptions.

mod check;
pub mod design;
mod error;
pub mod exec;
pub mod merge;
pub mod parquet;
pub mod space;
pub mod spec;

use std::path::{Path, PathBuf};

use crate::metrics::simulate;
use crate::rng::mix64;
use crate::scenario::diag::Collector;
use crate::scenario::schema::Knob;
use crate::scenario::tree::Node;
use crate::scenario::{Fnv, Override, Scenario, ScenarioError, ScenarioSource, load_input};

pub use error::SweepError;

use design::Design;
use space::KnobSpace;
use spec::{DesignKind, Level, ModelKind, SeedPolicy, SweepDef};

/// The fixed leading columns of `results.csv`.
pub(crate) const FIXED_COLUMNS: [&str; 6] =
    ["run", "point", "replicate", "seed", "status", "error"];
/// Knobs of the Ishigami test model.
pub(crate) const ISHIGAMI_KNOBS: [&str; 4] = ["x1", "x2", "x3", "fail"];

/// A loaded, checked sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file, decoded.
    pub def: SweepDef,
    /// The sweep file.
    pub path: PathBuf,
    /// The base scenario as read when the sweep was loaded (scenario model): every point is
    /// resolved from it in memory, so editing the file during the sweep changes nothing.
    pub base_source: Option<ScenarioSource>,
    /// The base scenario with the fixed `set`s applied (scenario model).
    pub base: Option<Scenario>,
    /// Each knob's values.
    pub knobs: Vec<KnobSpace>,
    /// The design of points.
    pub design: Design,
    /// Hash of the resolved sweep and base scenario: what a resume must match.
    pub hash: String,
}

/// The type of a results column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// An unsigned 64-bit integer.
    U64,
    /// An unsigned 32-bit integer.
    U32,
    /// A string.
    Str,
    /// A string, empty (null in Parquet) when absent.
    OptStr,
    /// A number, empty (null in Parquet) when absent.
    F64,
}

/// One finished run: a row of `results.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Run index.
    pub run: u64,
    /// Point index (`run / replicates`).
    pub point: u64,
    /// Replicate of the point (`run % replicates`).
    pub replicate: u32,
    /// Seed of the run.
    pub seed: u64,
    /// The point's knob values.
    pub values: Vec<Level>,
    /// The recorded statistics, or why the run failed.
    pub outcome: Result<Vec<f64>, String>,
}

/// A number as written in results: Rust's shortest representation that reads back exactly.
pub(crate) fn fmt_f64(x: f64) -> String {
    format!("{x}")
}

/// Append `s` as a CSV field (quoted when it holds a comma, quote or line break).
pub(crate) fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

impl Row {
    /// The row as one CSV line (with its newline), `n_stats` statistics wide. Errors are kept
    /// to one line.
    pub fn csv_line(&self, n_stats: usize) -> String {
        let mut s = format!(
            "{},{},{},{},{},",
            self.run,
            self.point,
            self.replicate,
            self.seed,
            if self.outcome.is_ok() { "ok" } else { "failed" }
        );
        if let Err(e) = &self.outcome {
            csv_field(&mut s, &crate::output::csv_text(&one_line(e)));
        }
        for v in &self.values {
            s.push(',');
            match v {
                spec::Level::Str(t) => csv_field(&mut s, &crate::output::csv_text(t)),
                _ => csv_field(&mut s, &v.text()),
            }
        }
        match &self.outcome {
            Ok(stats) => {
                for x in stats {
                    s.push(',');
                    s.push_str(&fmt_f64(*x));
                }
            }
            Err(_) => {
                for _ in 0..n_stats {
                    s.push(',');
                }
            }
        }
        s.push('\n');
        s
    }
}

/// An error message on one line, without control characters.
fn one_line(s: &str) -> String {
    let t: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    t.join(" | ")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Load and check a sweep file (`extends` and `--set` work as for scenarios).
pub fn load(path: &Path, sets: &[String]) -> Result<Sweep, ScenarioError> {
    let mut base: Option<Scenario> = None;
    let mut base_source: Option<ScenarioSource> = None;
    let mut integer: Vec<bool> = Vec::new();
    let (def, _) = load_input::<SweepDef>(
        path,
        sets,
        |_, _| {},
        |def: &SweepDef, root: &Node, c: &mut Collector| {
            integer = vec![false; def.knob.len()];
            check::check(def, root, c, &mut base, &mut base_source, &mut integer);
        },
    )?;
    let knobs: Vec<KnobSpace> = def
        .knob
        .iter()
        .zip(&integer)
        .map(|(k, &int)| KnobSpace::from_def(k, int))
        .collect();
    let grid = if def.design == DesignKind::Grid {
        knobs
            .iter()
            .map(|k| k.grid_levels().map_or(0, |l| l.len()))
            .collect()
    } else {
        Vec::new()
    };
    let n = match def.design {
        DesignKind::Morris => def.trajectories,
        _ => def.points,
    };
    let design = Design::new(
        def.design,
        knobs.len(),
        n,
        def.morris_levels,
        grid,
        def.seed,
    );
    let mut h = Fnv::default();
    h.write(b"talentsim sweep v1\n");
    // What the runs depend on: everything but the description.
    let mut what = def.clone();
    what.description.clear();
    h.write(
        toml::to_string(&what.write())
            .unwrap_or_default()
            .as_bytes(),
    );
    if let Some(b) = &base {
        h.write(b"\nbase\n");
        h.write(b.to_toml().as_bytes());
    }
    Ok(Sweep {
        def,
        path: path.to_path_buf(),
        base_source,
        base,
        knobs,
        design,
        hash: format!("{:016x}", h.0),
    })
}

impl Sweep {
    /// Number of points.
    pub fn points(&self) -> u64 {
        self.design.points()
    }

    /// Number of runs (points × replicates).
    pub fn runs(&self) -> u64 {
        self.points().saturating_mul(self.def.replicates as u64)
    }

    /// Column names of the recorded statistics.
    pub fn record_names(&self) -> Vec<String> {
        match self.def.model {
            ModelKind::Ishigami => vec!["y".into()],
            ModelKind::Scenario => self.def.record.iter().map(|r| r.name.clone()).collect(),
        }
    }

    /// Every column of `results.csv`, with its type.
    pub fn columns(&self) -> Vec<(String, ColType)> {
        let mut cols: Vec<(String, ColType)> = vec![
            ("run".into(), ColType::U64),
            ("point".into(), ColType::U64),
            ("replicate".into(), ColType::U32),
            ("seed".into(), ColType::U64),
            ("status".into(), ColType::Str),
            ("error".into(), ColType::OptStr),
        ];
        for k in &self.knobs {
            cols.push((
                k.name.clone(),
                if k.is_numeric() {
                    ColType::F64
                } else {
                    ColType::Str
                },
            ));
        }
        for r in self.record_names() {
            cols.push((r, ColType::F64));
        }
        cols
    }

    /// The knob values of point `p`.
    pub fn point_values(&self, p: u64) -> Vec<Level> {
        match self.design.coords(p) {
            design::Coords::Index(idx) => self
                .knobs
                .iter()
                .zip(idx)
                .map(|(k, i)| {
                    k.grid_levels()
                        .map_or(Level::Num(f64::NAN), |l| l[i].clone())
                })
                .collect(),
            design::Coords::Unit(u) => self
                .knobs
                .iter()
                .zip(u)
                .map(|(k, u)| k.at_unit(u))
                .collect(),
        }
    }

    /// The seed of replicate `r` of point `p`.
    pub fn seed(&self, p: u64, r: u32) -> u64 {
        match self.def.seeds {
            SeedPolicy::Common => self.def.seed.wrapping_add(r as u64),
            SeedPolicy::Independent => {
                mix64(self.def.seed ^ mix64(p.wrapping_mul(0xA076_1D64_78BD_642F) ^ r as u64))
            }
        }
    }

    /// The overrides of point `p`: the sweep's fixed `set`s, then each knob's value in memory.
    pub fn point_overrides(&self, values: &[Level]) -> Vec<Override> {
        let mut o = Override::args(&self.def.set);
        for (k, v) in self.knobs.iter().zip(values) {
            o.push(Override::value(k.path.clone(), v.value()));
        }
        o
    }

    /// The scenario of a point (scenario model): the base with the point's knob values.
    pub fn point_scenario(&self, values: &[Level]) -> Result<Scenario, String> {
        let Some(src) = &self.base_source else {
            return Err("the sweep has no base scenario".into());
        };
        src.resolve(&self.point_overrides(values)).map_err(|e| {
            e.diagnostics()
                .iter()
                .map(|d| one_line(&d.to_string()))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Run `run` (catching panics), using `scenario` if the point's scenario is already loaded.
    pub fn execute(&self, run: u64, scenario: Option<&Result<Scenario, String>>) -> Row {
        let reps = self.def.replicates as u64;
        let (point, replicate) = (run / reps, (run % reps) as u32);
        let seed = self.seed(point, replicate);
        let values = self.point_values(point);
        let outcome = exec::catch(|| match self.def.model {
            ModelKind::Ishigami => ishigami(&self.knobs, &values).map(|y| vec![y]),
            ModelKind::Scenario => {
                let loaded;
                let sc = match scenario {
                    Some(s) => s,
                    None => {
                        loaded = self.point_scenario(&values);
                        &loaded
                    }
                };
                let sc = sc.as_ref().map_err(Clone::clone)?;
                let res = simulate(sc, seed);
                Ok(self
                    .def
                    .record
                    .iter()
                    .map(|r| r.stat.eval(sc, &res))
                    .collect())
            }
        });
        Row {
            run,
            point,
            replicate,
            seed,
            values,
            outcome,
        }
    }
}

/// The Ishigami function `sin x1 + a sin² x2 + b x3⁴ sin x1` with a = 7, b = 0.1; knob
/// `fail` ≥ 0.5 makes the run panic (to test failure isolation).
fn ishigami(knobs: &[KnobSpace], values: &[Level]) -> Result<f64, String> {
    let get = |name: &str| {
        knobs
            .iter()
            .zip(values)
            .find(|(k, _)| k.path == name)
            .map_or(0.0, |(_, v)| match v {
                Level::Num(x) => *x,
                _ => 0.0,
            })
    };
    if get("fail") >= 0.5 {
        panic!("test model: `fail` = {} is 0.5 or more", get("fail"));
    }
    let (x1, x2, x3) = (get("x1"), get("x2"), get("x3"));
    Ok(x1.sin() + 7.0 * x2.sin().powi(2) + 0.1 * x3.powi(4) * x1.sin())
}
