//! The sweep file schema: what is varied, how points are chosen, and what is recorded.
//!
//! ```toml
//! base = "../binjiang.toml"          # the scenario every point starts from (relative to this file)
//! set = ["scale=20"]                 # fixed overrides applied to every point
//! design = "lhs"                     # grid | random | lhs | sobol | morris | saltelli
//! points = 200                       # random/lhs/sobol points; saltelli base samples N
//! replicates = 4                     # runs per point
//! seeds = "common"                   # common: replicate r uses seed + r at every point
//! seed = 1
//!
//! [[knob]]
//! path = "region.Binjiang.housing.units"
//! min = 0
//! max = 40000
//!
//! [[record]]
//! name = "talent_2023"
//! column = "talent_stock"
//! agg = "last"
//! ```

use crate::scenario::diag::Collector;
use crate::scenario::schema::{Knob, KnobDoc, Spec};
use crate::scenario::tree::{Entry, Node, Val};
use crate::stats::Stat;
use crate::{section, string_enum};

const INF: f64 = f64::INFINITY;

string_enum! {
    /// What each run simulates.
    pub enum ModelKind {
        /// The talentsim model on `base` with the point's knob values.
        Scenario = "scenario",
        /// The Ishigami test function (a = 7, b = 0.1) of knobs `x1`, `x2`, `x3`; it records `y`.
        Ishigami = "ishigami",
    }
}

string_enum! {
    /// How the points of a sweep are chosen.
    pub enum DesignKind {
        /// Every combination of every knob's levels.
        Grid = "grid",
        /// Independent uniform draws.
        Random = "random",
        /// Latin hypercube: each knob's range cut into `points` strata, each used once.
        Lhs = "lhs",
        /// An Owen-scrambled Sobol low-discrepancy sequence.
        Sobol = "sobol",
        /// Morris elementary-effects trajectories (`trajectories` × (knobs + 1) points).
        Morris = "morris",
        /// Saltelli's design for Sobol indices (`points` × (knobs + 2) points).
        Saltelli = "saltelli",
    }
}

string_enum! {
    /// How replicates are seeded.
    pub enum SeedPolicy {
        /// Replicate `r` uses seed `seed + r` at every point (common random numbers).
        Common = "common",
        /// Every run gets its own seed, a hash of (seed, point, replicate).
        Independent = "independent",
    }
}

string_enum! {
    /// The distribution a knob's value is drawn from in sampling designs.
    pub enum Dist {
        /// Uniform between `min` and `max`.
        Uniform = "uniform",
        /// Log-uniform between `min` and `max` (both positive).
        Loguniform = "loguniform",
        /// Normal with `mean` and `sd`, cut to `min`/`max` where given.
        Normal = "normal",
    }
}

/// A level of a knob as written in the sweep file: a number, a string, a boolean or an array
/// (for list knobs such as `focus_sectors`).
#[derive(Debug, Clone, PartialEq)]
pub enum Level {
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An array, kept as TOML.
    Array(toml::Value),
}

fn to_value(node: &Node) -> Option<toml::Value> {
    Some(match &node.val {
        Val::Int(i) => toml::Value::Integer(*i),
        Val::Float(x) => toml::Value::Float(*x),
        Val::Str(s) => toml::Value::String(s.clone()),
        Val::Bool(b) => toml::Value::Boolean(*b),
        Val::Array(a) => toml::Value::Array(a.iter().map(to_value).collect::<Option<_>>()?),
        Val::Datetime(_) | Val::Table(_) => return None,
    })
}

impl Level {
    /// The value as TOML (integer knobs take a whole float; diagnostics and hashes write it
    /// as `--set` would, see `scenario::tree::literal`).
    pub fn value(&self) -> toml::Value {
        match self {
            Level::Num(x) => toml::Value::Float(*x),
            Level::Str(s) => toml::Value::String(s.clone()),
            Level::Bool(b) => toml::Value::Boolean(*b),
            Level::Array(v) => v.clone(),
        }
    }

    /// The value as written in results (strings unquoted).
    pub fn text(&self) -> String {
        match self {
            Level::Num(x) => crate::sweep::fmt_f64(*x),
            Level::Str(s) => s.clone(),
            Level::Bool(b) => b.to_string(),
            Level::Array(v) => v.to_string(),
        }
    }
}

impl Knob for Level {
    const TYPE: &'static str = "number, string, boolean or array";
    fn read(node: &Node, key: &str, _: &Spec, c: &mut Collector) -> Option<Self> {
        match &node.val {
            Val::Int(i) => Some(Level::Num(*i as f64)),
            Val::Float(x) if x.is_finite() => Some(Level::Num(*x)),
            Val::Str(s) => Some(Level::Str(s.clone())),
            Val::Bool(b) => Some(Level::Bool(*b)),
            Val::Array(_) if to_value(node).is_some() => to_value(node).map(Level::Array),
            v => {
                c.error(
                    node.span,
                    key,
                    format!(
                        "expected a level (a finite number, a string, a boolean or an array of them), found {}",
                        v.type_name()
                    ),
                );
                None
            }
        }
    }
    fn write(&self) -> toml::Value {
        match self {
            Level::Num(x) => toml::Value::Float(*x),
            Level::Str(s) => toml::Value::String(s.clone()),
            Level::Bool(b) => toml::Value::Boolean(*b),
            Level::Array(v) => v.clone(),
        }
    }
}

section! {
    /// A knob varied by the sweep.
    pub struct KnobDef {
        /// Scenario path, as for `--set` (`region.Binjiang.housing.units`); for the Ishigami
        /// model `x1`, `x2`, `x3` (or `fail`: a run panics when it is 0.5 or more).
        path: String = String::new() => [0, 0] "";
        /// Column name in the results (default: the path).
        name: String = String::new() => [0, 0] "";
        /// Explicit levels (numbers, strings or booleans). Sampling designs pick one uniformly.
        levels: Vec<Level> = Vec::new() => [0, 0] "";
        /// Lower end of the range.
        min: f64 = f64::NAN => [-INF, INF] "";
        /// Upper end of the range.
        max: f64 = f64::NAN => [-INF, INF] "";
        /// Levels of a range in a grid (evenly spaced; geometric for `loguniform`).
        steps: u32 = 0 => [0, 1000000] "levels";
        /// Distribution over the range in sampling designs.
        dist: Dist = Dist::Uniform => [0, 0] "";
        /// Mean of a `normal` knob.
        mean: f64 = f64::NAN => [-INF, INF] "";
        /// Standard deviation of a `normal` knob.
        sd: f64 = f64::NAN => [0.0, INF] "";
        /// Round values to whole numbers (automatic for integer knobs of the scenario).
        integer: bool = false => [0, 0] "";
    }
}

/// A statistic recorded from every run: a column name and a [`Stat`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// Column name in the results.
    pub name: String,
    /// The statistic.
    pub stat: Stat,
}

impl Knob for Record {
    const TYPE: &'static str = "table";
    fn read(node: &Node, key: &str, spec: &Spec, c: &mut Collector) -> Option<Self> {
        let Val::Table(entries) = &node.val else {
            c.error(
                node.span,
                key,
                format!("expected a table, found {}", node.val.type_name()),
            );
            return None;
        };
        let mut name = None;
        let rest: Vec<Entry> = entries
            .iter()
            .filter(|e| {
                if e.key == "name" {
                    name = String::read(&e.node, &format!("{key}.name"), spec, c);
                    false
                } else {
                    true
                }
            })
            .cloned()
            .collect();
        let stat = Stat::read(
            &Node {
                val: Val::Table(rest),
                span: node.span,
            },
            key,
            spec,
            c,
        )?;
        let has_name = entries.iter().any(|e| e.key == "name");
        let name = match name {
            Some(n) if !n.trim().is_empty() => n,
            Some(_) | None => {
                if has_name {
                    c.error(
                        node.get("name").map_or(node.span, |n| n.span),
                        &format!("{key}.name"),
                        "empty record name: expected a column name",
                    );
                } else {
                    c.error_hint(
                        node.span,
                        &format!("{key}.name"),
                        "missing `name`: expected a column name for the statistic",
                        "add `name = \"talent_2023\"` (any name) to the `[[record]]`",
                    );
                }
                // Reported; keep the record so its statistic is still checked.
                String::new()
            }
        };
        Some(Record { name, stat })
    }
    fn write(&self) -> toml::Value {
        let mut t = toml::Table::new();
        t.insert("name".into(), toml::Value::String(self.name.clone()));
        if let toml::Value::Table(s) = self.stat.write() {
            t.extend(s);
        }
        toml::Value::Table(t)
    }
    fn docs(prefix: &str, out: &mut Vec<KnobDoc>) {
        Stat::docs(prefix, out)
    }
    fn is_section() -> bool {
        true
    }
}

section! {
    /// A sweep file.
    pub struct SweepDef {
        /// What this sweep explores.
        name: String = String::new() => [0, 0] "";
        /// A longer description.
        description: String = String::new() => [0, 0] "";
        /// What each run simulates.
        model: ModelKind = ModelKind::Scenario => [0, 0] "";
        /// The base scenario file, relative to the sweep file.
        base: String = String::new() => [0, 0] "";
        /// Fixed `--set` overrides applied to every point (`"scale=20"`).
        set: Vec<String> = Vec::new() => [0, 0] "";
        /// How points are chosen.
        design: DesignKind = DesignKind::Grid => [0, 0] "";
        /// Points for `random`, `lhs` and `sobol`; base samples N for `saltelli`.
        points: u64 = 0 => [0, 1.0e9] "points";
        /// Morris trajectories.
        trajectories: u64 = 0 => [0, 1.0e8] "trajectories";
        /// Levels of the Morris grid (even numbers work best).
        morris_levels: u32 = 4 => [2, 1000] "levels";
        /// Runs per point.
        replicates: u32 = 1 => [1, 1000000] "runs";
        /// How replicates are seeded.
        seeds: SeedPolicy = SeedPolicy::Common => [0, 0] "";
        /// Base seed (of the runs and of the design's random numbers).
        seed: u64 = 1 => [0, INF] "";
        /// The knobs varied.
        knob: Vec<KnobDef> = Vec::new() => [0, 0] "";
        /// The statistics recorded from every run.
        record: Vec<Record> = Vec::new() => [0, 0] "";
    }
}
