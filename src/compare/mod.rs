//! Scenario comparison: what does policy B buy over policy A, what does it cost, and how sure
//! are we?
//!
//! [`compare`] runs every scenario over the same seeds (common random numbers), in parallel,
//! and reduces each run at once to its headline metrics ([`reduce`]) and its targets' values,
//! so memory stays bounded by the reductions, not the runs. It then summarises, per scenario,
//! the mean and 95% interval of each metric, the paired difference from the baseline (the
//! first scenario) with its 95% interval, and for each target the probability of meeting it
//! with a Wilson interval. Runs are collected in order and reduced sequentially: the outputs
//! are byte-identical on any thread count.
//!
//! [`Comparison::write`] writes `comparison.csv` (tidy) and `comparison.json`;
//! [`Comparison::read`] reads them back (for `talentsim plot`).

mod error;
pub mod reduce;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::metrics::simulate;
use crate::output::{OutputError, write_atomic};
use crate::scenario::{Month, Scenario, Target};
use crate::stats::{Agg, Event, Stat, StatKind, paired, summarize, wilson};

pub use error::CompareError;
pub use reduce::{Reduced, RunTable, SCALARS, SERIES};

/// Serialise non-finite numbers as `null` (JSON has no NaN or infinity) and read `null` back
/// as NaN.
mod nullable {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// Mean, spread and 95% interval of a statistic over replicates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Replicates the statistic is defined in.
    pub n: usize,
    /// Mean over replicates.
    #[serde(with = "nullable")]
    pub mean: f64,
    /// Standard deviation over replicates.
    #[serde(with = "nullable")]
    pub sd: f64,
    /// 95% confidence interval of the mean (Student t).
    #[serde(with = "nullable")]
    pub ci_low: f64,
    /// Upper end of the 95% interval of the mean.
    #[serde(with = "nullable")]
    pub ci_high: f64,
    /// 2.5th and 97.5th percentiles of single runs.
    #[serde(with = "nullable")]
    pub p2_5: f64,
    /// 97.5th percentile of single runs.
    #[serde(with = "nullable")]
    pub p97_5: f64,
}

impl From<crate::stats::Summary> for Stats {
    fn from(s: crate::stats::Summary) -> Stats {
        Stats {
            n: s.n,
            mean: s.mean,
            sd: s.sd,
            ci_low: s.ci_low,
            ci_high: s.ci_high,
            p2_5: s.p2_5,
            p97_5: s.p97_5,
        }
    }
}

impl Stats {
    /// Summarise the defined (finite) values.
    pub fn of(xs: &[f64]) -> Stats {
        let xs: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
        if xs.is_empty() {
            return Stats {
                n: 0,
                mean: f64::NAN,
                sd: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
                p2_5: f64::NAN,
                p97_5: f64::NAN,
            };
        }
        summarize(&xs).into()
    }

    /// The paired difference `other − base` over the replicates where both are defined.
    pub fn paired(base: &[f64], other: &[f64]) -> Stats {
        let (b, o): (Vec<f64>, Vec<f64>) = base
            .iter()
            .zip(other)
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .map(|(a, b)| (*a, *b))
            .unzip();
        if b.is_empty() {
            return Stats::of(&[]);
        }
        paired(&b, &o).into()
    }

    /// [`Stats::of`], with the 95% interval of the mean from a percentile bootstrap (stream
    /// `key`) when no value is negative, so that it stays within the support.
    pub fn of_level(xs: &[f64], key: u64) -> Stats {
        let mut s = Stats::of(xs);
        let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
        if s.n > 1 && finite.iter().all(|&x| x >= 0.0) {
            (s.ci_low, s.ci_high) = crate::stats::bootstrap_mean(&finite, key);
        }
        s
    }

    /// Whether the 95% interval lies wholly above or below zero.
    pub fn excludes_zero(&self) -> bool {
        self.ci_low > 0.0 || self.ci_high < 0.0
    }
}

/// A scenario of the comparison, as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// The scenario's name, made unique within the comparison (`name #2` for a repeat).
    pub label: String,
    /// The scenario's `name`.
    pub name: String,
    /// The scenario's `description`.
    pub description: String,
    /// The scenario file, as given on the command line.
    pub file: String,
    /// FNV-1a hash of every source read (file, `extends` chain, `--set`s).
    pub hash: String,
    /// First simulated month (`YYYY-MM`).
    pub start: String,
    /// Last simulated month (`YYYY-MM`).
    pub end: String,
    /// People per agent (`scale`).
    pub scale: f64,
    /// Names of the scenario's regions.
    pub regions: Vec<String>,
    /// The fully resolved scenario (what `talentsim show` prints).
    pub resolved_toml: String,
}

/// What was compared, how, and with which software.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// talentsim version that ran the comparison.
    pub talentsim_version: String,
    /// Replicates (seeds) per scenario.
    pub replicates: usize,
    /// The first seed (`--seed`, or the baseline scenario's `seed`).
    pub base_seed: u64,
    /// Replicate `i` of every scenario uses `seeds[i]`.
    pub seeds: Vec<u64>,
    /// `--set` overrides applied to every scenario.
    pub sets: Vec<String>,
    /// Label of the baseline scenario.
    pub baseline: String,
    /// The scenarios compared, baseline first.
    pub scenarios: Vec<ScenarioInfo>,
    /// How `--replicates auto` ended (absent for a fixed replicate count).
    #[serde(default)]
    pub auto: Option<AutoReport>,
}

/// A whole-run metric of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricCell {
    /// Label of the scenario.
    pub scenario: String,
    /// Mean over replicates; its 95% interval is a percentile bootstrap for a metric that is
    /// never negative (counts, money: the interval stays in the support), Student t otherwise.
    pub value: Stats,
    /// Paired difference from the baseline (absent for the baseline itself), Student t.
    pub diff: Option<Stats>,
    /// The difference's 95% interval excludes zero.
    pub diff_excludes_zero: bool,
    /// What pairing on common random numbers bought (absent for the baseline).
    #[serde(default)]
    pub pairing: Option<PairingStats>,
}

/// The correlation of the paired runs and the variance reduction of pairing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairingStats {
    /// Correlation of the baseline's and this scenario's values over the paired runs.
    #[serde(with = "nullable")]
    pub correlation: f64,
    /// Unpaired variance of the difference over the paired one.
    #[serde(with = "nullable")]
    pub variance_reduction: f64,
}

/// The extra policy spend per extra outcome, for one outcome, in each non-baseline scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraCost {
    /// `cost_per_extra_<outcome>`.
    pub metric: String,
    /// The whole-run metric counted.
    pub outcome: String,
    /// One outcome, in words ("startup founded").
    pub per: String,
    /// One cell per non-baseline scenario.
    pub scenarios: Vec<ExtraCostCell>,
}

/// Δ policy spend / Δ outcome against the baseline, with a paired bootstrap 95% interval;
/// not identified (null) where Δ outcome's interval includes zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraCostCell {
    /// Label of the scenario.
    pub scenario: String,
    /// Paired difference of policy spend from the baseline (CNY).
    pub delta_spend: Stats,
    /// Paired difference of the outcome from the baseline (outcomes).
    pub delta_outcome: Stats,
    /// Whether the outcome's difference excludes zero (the ratio is only reported then).
    pub identified: bool,
    /// Extra spend per extra outcome (CNY per outcome; null when not identified).
    #[serde(with = "nullable")]
    pub value: f64,
    /// Lower end of its 95% bootstrap interval (CNY per outcome).
    #[serde(with = "nullable")]
    pub ci_low: f64,
    /// Upper end of its 95% bootstrap interval (CNY per outcome).
    #[serde(with = "nullable")]
    pub ci_high: f64,
}

/// A whole-run metric across scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricResult {
    /// The metric's key (a key of [`SCALARS`]).
    pub metric: String,
    /// Its title, for tables and plots.
    pub title: String,
    /// Its unit, in words ([`reduce::Unit::as_str`]).
    pub unit: String,
    /// What it measures, in words.
    pub definition: String,
    /// One cell per scenario, baseline first.
    pub scenarios: Vec<MetricCell>,
}

/// A target's outcome in one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetCell {
    /// Label of the scenario.
    pub scenario: String,
    /// False when the target's region, sector or window is not in this scenario.
    pub applicable: bool,
    /// Replicates that met the target, out of `n`.
    pub met: usize,
    /// Replicates in which the target applies.
    pub n: usize,
    /// Probability of meeting the target, with its 95% Wilson interval.
    #[serde(with = "nullable")]
    pub p: f64,
    /// Lower end of the 95% Wilson interval of `p`.
    #[serde(with = "nullable")]
    pub p_low: f64,
    /// Upper end of the 95% Wilson interval of `p`.
    #[serde(with = "nullable")]
    pub p_high: f64,
    /// The statistic's value over replicates.
    pub value: Stats,
}

/// A target across scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// The target's `name`.
    pub name: String,
    /// Label of the (first) scenario declaring it.
    pub declared_in: String,
    /// The statistic, in words.
    pub statistic: String,
    /// Met when the statistic is at least this.
    pub at_least: f64,
    /// The month by which it must be met (the window's end; empty: each scenario's end).
    pub by: String,
    /// One cell per scenario, baseline first.
    pub scenarios: Vec<TargetCell>,
}

/// A metric month by month for one scenario: mean and 95% interval over replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesResult {
    /// A key of [`SERIES`], or `key:Region` for per-region series.
    pub metric: String,
    /// Label of the scenario.
    pub scenario: String,
    /// The months of the series.
    pub months: Vec<Month>,
    /// Mean over replicates, per month.
    pub mean: Vec<f64>,
    /// Lower end of the mean's 95% interval, per month.
    pub ci_low: Vec<f64>,
    /// Upper end of the mean's 95% interval, per month.
    pub ci_high: Vec<f64>,
}

/// Everything a comparison found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// What was compared, and how.
    pub manifest: Manifest,
    /// The whole-run metrics ([`SCALARS`]).
    pub metrics: Vec<MetricResult>,
    /// `cost_per_extra_*`: extra spend per extra outcome, against the baseline.
    #[serde(default)]
    pub extra_costs: Vec<ExtraCost>,
    /// The targets declared by any scenario.
    pub targets: Vec<TargetResult>,
    /// Written to `comparison.csv` only.
    #[serde(skip)]
    pub series: Vec<SeriesResult>,
}

/// One run, reduced.
struct RunRecord {
    reduced: Reduced,
    /// The value of each target (`None`: not applicable to this scenario).
    targets: Vec<Option<f64>>,
}

/// Labels: scenario names, made unique.
fn labels(scenarios: &[Scenario]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for sc in scenarios {
        let base = sc.def.name.clone();
        let mut label = base.clone();
        let mut k = 2;
        while out.contains(&label) {
            label = format!("{base} #{k}");
            k += 1;
        }
        out.push(label);
    }
    out
}

/// Whether a target's region, sector and window exist in a scenario.
pub fn applicable(t: &Target, sc: &Scenario) -> bool {
    let d = &sc.def;
    let s = &t.stat;
    let inside = |m: &str| Month::parse(m).is_none_or(|m| m >= d.start && m <= d.end);
    (s.region.is_empty() || d.region.iter().any(|r| r.name == s.region))
        && (s.sector.is_empty() || d.sector.iter().any(|x| x.name == s.sector))
        && inside(&s.from)
        && inside(&s.to)
}

/// A statistic in words, for tables.
pub(crate) fn describe(s: &Stat) -> String {
    let mut out = match s.kind {
        StatKind::Column => format!(
            "{} of `{}`",
            match s.agg {
                Agg::Sum => "sum",
                Agg::Mean => "monthly mean",
                Agg::Last => "last value",
            },
            s.column
        ),
        StatKind::Ratio => format!("`{}` / `{}` (each summed)", s.column, s.other),
        StatKind::Share => format!(
            "`{}` / (`{}` + `{}`) (each summed)",
            s.column, s.column, s.other
        ),
        StatKind::Firms => {
            let what = match s.event {
                Event::Founded => "founded".to_string(),
                Event::Seed => "that raised a seed round".to_string(),
                Event::SeriesA => "that reached series A".to_string(),
                Event::Listed => "listed".to_string(),
                Event::QuasiUnicorn => "that became quasi-unicorns".to_string(),
                Event::Unicorn => "that became unicorns".to_string(),
                Event::QuasiOrUnicorn => "that became quasi-unicorns or unicorns".to_string(),
                Event::Failed => "that failed".to_string(),
                Event::Acquired => "acquired".to_string(),
                Event::Relocated => "that relocated away".to_string(),
                Event::RaisedOver => format!("that raised over {} CNY in a year", s.amount_cny),
            };
            let mut t = format!("startups {what}");
            if !s.program.is_empty() {
                t.push_str(&format!(
                    ", backed by a program named like \"{}\"",
                    s.program
                ));
            }
            if !s.sector.is_empty() {
                t.push_str(&format!(", sector {}", s.sector));
            }
            t
        }
    };
    out.push_str(&if s.region.is_empty() {
        ", all regions".to_string()
    } else {
        format!(", in {}", s.region)
    });
    match (s.from.is_empty(), s.to.is_empty()) {
        (true, true) => out.push_str(", over the run"),
        (false, true) => out.push_str(&format!(", from {} to the end", s.from)),
        (true, false) => out.push_str(&format!(", from the start to {}", s.to)),
        (false, false) => out.push_str(&format!(", from {} to {}", s.from, s.to)),
    }
    out
}

/// `--replicates auto`: add replicates until every chosen paired difference is precise enough.
#[derive(Debug, Clone, PartialEq)]
pub struct Auto {
    /// Wanted width of each difference's 95% interval, relative to the baseline's mean.
    pub precision: f64,
    /// Replicates of the first batch.
    pub min_replicates: usize,
    /// Never run more replicates than this per scenario.
    pub max_replicates: usize,
    /// Whole-run metrics whose differences must meet the precision (default: [`HEADLINE`]).
    pub metrics: Vec<String>,
}

/// The headline metrics `--replicates auto` sizes the comparison for by default: the funnel.
pub const HEADLINE: &[&str] = &[
    "talent_stock_end",
    "new_firms",
    "funded_seed",
    "funded_series_a",
    "industrialized_firms_end",
    "listed_or_unicorn",
];

/// How `--replicates auto` ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoReport {
    /// The wanted width of each difference's 95% interval, as a fraction of the baseline's mean.
    pub precision: f64,
    /// The most replicates per scenario.
    pub max_replicates: usize,
    /// Replicates per scenario after each batch.
    pub batches: Vec<usize>,
    /// Whether it stopped at the cap with some metric still short of the precision.
    pub reached_cap: bool,
    /// Each chosen metric's difference in each other scenario, after the last batch.
    pub checks: Vec<PrecisionCheck>,
}

/// One metric's difference against the precision, after the last batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionCheck {
    /// The metric's key.
    pub metric: String,
    /// Label of the scenario.
    pub scenario: String,
    /// Width of the paired difference's 95% interval.
    #[serde(with = "nullable")]
    pub width: f64,
    /// The width wanted: precision × |baseline mean|.
    #[serde(with = "nullable")]
    pub wanted: f64,
    /// Whether `width` ≤ `wanted`.
    pub met: bool,
}

/// Running sums of one series over replicates, month by month (Welford): memory does not grow
/// with the replicates.
#[derive(Debug, Clone, Default)]
struct SeriesAcc {
    n: Vec<usize>,
    mean: Vec<f64>,
    m2: Vec<f64>,
    /// Smallest value seen (a series that is never negative gets intervals cut at zero).
    min: Vec<f64>,
}

impl SeriesAcc {
    fn add(&mut self, xs: &[f64]) {
        if self.mean.len() < xs.len() {
            self.n.resize(xs.len(), 0);
            self.mean.resize(xs.len(), 0.0);
            self.m2.resize(xs.len(), 0.0);
            self.min.resize(xs.len(), f64::INFINITY);
        }
        for (t, &x) in xs.iter().enumerate() {
            if !x.is_finite() {
                continue;
            }
            self.n[t] += 1;
            let d = x - self.mean[t];
            self.mean[t] += d / self.n[t] as f64;
            self.m2[t] += d * (x - self.mean[t]);
            self.min[t] = self.min[t].min(x);
        }
    }

    fn finish(&self, metric: String, scenario: &str, months: &[Month]) -> SeriesResult {
        let mut r = SeriesResult {
            metric,
            scenario: scenario.to_string(),
            months: months.to_vec(),
            mean: Vec::new(),
            ci_low: Vec::new(),
            ci_high: Vec::new(),
        };
        for t in 0..months.len() {
            let n = self.n.get(t).copied().unwrap_or(0);
            if n == 0 {
                r.mean.push(f64::NAN);
                r.ci_low.push(f64::NAN);
                r.ci_high.push(f64::NAN);
                continue;
            }
            let half = if n > 1 {
                crate::stats::t95(n - 1) * (self.m2[t] / (n - 1) as f64).sqrt() / (n as f64).sqrt()
            } else {
                f64::INFINITY
            };
            let m = self.mean[t];
            let floor = if self.min[t] >= 0.0 {
                0.0
            } else {
                f64::NEG_INFINITY
            };
            r.mean.push(m);
            r.ci_low.push((m - half).max(floor));
            r.ci_high.push(m + half);
        }
        r
    }
}

/// Everything kept of the runs so far: whole-run values per replicate (a few hundred bytes a
/// run, which the bootstrap needs), and the series as running sums.
struct Acc {
    months: Vec<Vec<Month>>,
    /// `[scenario][metric][replicate]`.
    scalars: Vec<Vec<Vec<f64>>>,
    /// `[scenario][target][replicate]`.
    targets: Vec<Vec<Vec<Option<f64>>>>,
    /// `[scenario][SERIES index]`.
    series: Vec<Vec<SeriesAcc>>,
    /// `[scenario]`: per-region series by key.
    region_series: Vec<Vec<(String, SeriesAcc)>>,
    seeds: Vec<u64>,
    /// Runs simulated at once (the memory limit's share), sized at the first batch.
    at_once: Option<usize>,
}

impl Acc {
    fn new(scenarios: usize, targets: usize) -> Acc {
        Acc {
            months: vec![Vec::new(); scenarios],
            scalars: vec![vec![Vec::new(); SCALARS.len()]; scenarios],
            targets: vec![vec![Vec::new(); targets]; scenarios],
            series: vec![vec![SeriesAcc::default(); SERIES.len()]; scenarios],
            region_series: vec![Vec::new(); scenarios],
            seeds: Vec::new(),
            at_once: None,
        }
    }

    /// Run every scenario over `seeds` (in parallel) and fold the runs in, in seed order.
    fn run(
        &mut self,
        scenarios: &[Scenario],
        targets: &[(Target, String)],
        seeds: &[u64],
        done: &(dyn Fn() + Sync),
    ) {
        // As many runs at once as fit in memory (each holds its own world); sized once, not
        // again for every batch of `--replicates auto`.
        let n = *self.at_once.get_or_insert_with(|| {
            let defs: Vec<&crate::scenario::ScenarioDef> =
                scenarios.iter().map(|s| &s.def).collect();
            crate::resolve::footprint::concurrent_runs(&defs, rayon::current_num_threads())
        });
        let pool = (n < rayon::current_num_threads())
            .then(|| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok())
            .flatten();
        match &pool {
            Some(p) => p.install(|| self.run_in(scenarios, targets, seeds, done)),
            None => self.run_in(scenarios, targets, seeds, done),
        }
    }

    fn run_in(
        &mut self,
        scenarios: &[Scenario],
        targets: &[(Target, String)],
        seeds: &[u64],
        done: &(dyn Fn() + Sync),
    ) {
        // In batches, so that memory holds at most a batch of reduced runs.
        for chunk in seeds.chunks(32) {
            let tasks: Vec<(usize, u64)> = (0..scenarios.len())
                .flat_map(|i| chunk.iter().map(move |&s| (i, s)))
                .collect();
            let records: Vec<RunRecord> = tasks
                .par_iter()
                .map(|&(i, seed)| {
                    let sc = &scenarios[i];
                    let run = simulate(sc, seed);
                    let table = RunTable::from_run(sc, &run);
                    let tv = targets
                        .iter()
                        .map(|(t, _)| applicable(t, sc).then(|| t.stat.eval(sc, &run)))
                        .collect();
                    drop(run);
                    let r = RunRecord {
                        reduced: reduce::reduce(&table),
                        targets: tv,
                    };
                    done();
                    r
                })
                .collect();
            for (&(i, _), r) in tasks.iter().zip(records) {
                if self.months[i].is_empty() {
                    self.months[i] = r.reduced.months.clone();
                }
                for (k, v) in r.reduced.scalars.iter().enumerate() {
                    self.scalars[i][k].push(*v);
                }
                for (k, v) in r.targets.iter().enumerate() {
                    self.targets[i][k].push(*v);
                }
                for (k, xs) in r.reduced.series.iter().enumerate() {
                    self.series[i][k].add(xs);
                }
                for (j, (key, xs)) in r.reduced.region_series.iter().enumerate() {
                    if self.region_series[i].len() <= j {
                        self.region_series[i].push((key.clone(), SeriesAcc::default()));
                    }
                    self.region_series[i][j].1.add(xs);
                }
            }
            self.seeds.extend_from_slice(chunk);
        }
    }

    /// The values of whole-run metric `key` for each scenario.
    fn scalar(&self, key: &str) -> Option<Vec<&[f64]>> {
        let k = SCALARS.iter().position(|d| d.key == key)?;
        Some(self.scalars.iter().map(|s| s[k].as_slice()).collect())
    }

    /// Each chosen metric's paired difference in each other scenario, against the precision.
    fn precision(&self, auto: &Auto, labels: &[String]) -> Vec<PrecisionCheck> {
        let mut out = Vec::new();
        for m in &auto.metrics {
            let Some(v) = self.scalar(m) else { continue };
            let base = Stats::of(v[0]);
            for (i, o) in v.iter().enumerate().skip(1) {
                let d = Stats::paired(v[0], o);
                let width = d.ci_high - d.ci_low;
                let wanted = auto.precision * base.mean.abs();
                out.push(PrecisionCheck {
                    metric: m.clone(),
                    scenario: labels[i].clone(),
                    width,
                    wanted,
                    met: width.is_finite() && width <= wanted,
                });
            }
        }
        out
    }
}

/// Every target declared by any scenario, first declaration first, with its declarer.
fn declared_targets(scenarios: &[Scenario], labels: &[String]) -> Vec<(Target, String)> {
    let mut targets: Vec<(Target, String)> = Vec::new();
    for (sc, label) in scenarios.iter().zip(labels) {
        for t in &sc.def.target {
            if !targets.iter().any(|(x, _)| x.name == t.name) {
                targets.push((t.clone(), label.clone()));
            }
        }
    }
    targets
}

/// Run every scenario over `seeds` (in parallel; `done` is called after each run) and
/// summarise. The first scenario is the baseline. `sets` are recorded in the manifest.
pub fn compare(
    scenarios: &[Scenario],
    seeds: &[u64],
    base_seed: u64,
    sets: &[String],
    done: &(dyn Fn() + Sync),
) -> Comparison {
    let labels = labels(scenarios);
    let targets = declared_targets(scenarios, &labels);
    let mut acc = Acc::new(scenarios.len(), targets.len());
    acc.run(scenarios, &targets, seeds, done);
    finish(scenarios, &labels, &targets, &acc, base_seed, sets, None)
}

/// [`compare`] with `--replicates auto`: replicates in deterministic batches (seeds
/// `base_seed, base_seed + 1, …`) until every chosen paired difference's 95% interval is no
/// wider than `precision × |baseline mean|`, or `max_replicates` is reached. The next batch
/// size follows from the widest interval (width falls as 1/√n), at least 10 more and at most
/// the cap; the result depends only on the runs, so it is the same on any thread count.
pub fn compare_auto(
    scenarios: &[Scenario],
    base_seed: u64,
    sets: &[String],
    auto: &Auto,
    done: &(dyn Fn() + Sync),
) -> Comparison {
    let labels = labels(scenarios);
    let targets = declared_targets(scenarios, &labels);
    let mut acc = Acc::new(scenarios.len(), targets.len());
    let mut n = auto.min_replicates.clamp(2, auto.max_replicates.max(2));
    let mut batches = Vec::new();
    loop {
        let have = acc.seeds.len();
        let more: Vec<u64> = (have..n)
            .map(|i| base_seed.wrapping_add(i as u64))
            .collect();
        acc.run(scenarios, &targets, &more, done);
        batches.push(n);
        let checks = acc.precision(auto, &labels);
        let all_met = checks.iter().all(|c| c.met);
        if all_met || n >= auto.max_replicates {
            let report = AutoReport {
                precision: auto.precision,
                max_replicates: auto.max_replicates,
                batches,
                reached_cap: !all_met,
                checks,
            };
            return finish(
                scenarios,
                &labels,
                &targets,
                &acc,
                base_seed,
                sets,
                Some(report),
            );
        }
        // Width ∝ 1/√n: the replicates the widest interval needs, with 20% to spare.
        let worst = checks
            .iter()
            .map(|c| {
                if c.wanted > 0.0 && c.width.is_finite() {
                    c.width / c.wanted
                } else {
                    f64::INFINITY
                }
            })
            .fold(1.0f64, f64::max);
        let need = (n as f64 * worst * worst * 1.2).ceil();
        let next = if need.is_finite() {
            need as usize
        } else {
            usize::MAX
        };
        n = next.max(n + 10).min(auto.max_replicates);
    }
}

/// Stream key of the bootstrap of metric `k`: the same in every scenario, so that the same
/// values get the same interval (a scenario against itself, or two that agree on a metric)
/// and every scenario's interval is drawn from the same resamples of the seeds.
fn boot_key(kind: u64, k: usize) -> u64 {
    crate::rng::key([kind, k as u64])
}

/// The incremental costs: (metric name, outcome metric, outcome in words, singular).
const EXTRA_COSTS: &[(&str, &str, &str)] = &[
    ("cost_per_extra_new_firm", "new_firms", "startup founded"),
    (
        "cost_per_extra_startup_job",
        "startup_jobs_end",
        "startup job",
    ),
    (
        "cost_per_extra_funded_seed",
        "funded_seed",
        "startup funded (seed or later)",
    ),
    (
        "cost_per_extra_industrialized_firm",
        "industrialized_firms_end",
        "industrialized startup",
    ),
    (
        "cost_per_extra_listed_or_unicorn",
        "listed_or_unicorn",
        "listing or unicorn",
    ),
];

/// Summarise the runs in `acc`: the whole-run metrics, the extra costs, the targets, the
/// series and the manifest.
#[allow(clippy::too_many_arguments)]
fn finish(
    scenarios: &[Scenario],
    labels: &[String],
    targets: &[(Target, String)],
    acc: &Acc,
    base_seed: u64,
    sets: &[String],
    auto: Option<AutoReport>,
) -> Comparison {
    let metrics = metric_results(acc, labels);
    let extra_costs = extra_costs(acc, labels);
    let targets = target_results(scenarios, labels, targets, acc);
    let series = series_results(acc, labels);
    Comparison {
        manifest: manifest(scenarios, labels, acc, base_seed, sets, auto),
        metrics,
        extra_costs,
        targets,
        series,
    }
}

/// Each whole-run metric ([`SCALARS`]) in each scenario: its value and, against the baseline,
/// the paired difference and what pairing bought.
fn metric_results(acc: &Acc, labels: &[String]) -> Vec<MetricResult> {
    SCALARS
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let values: Vec<&[f64]> = acc.scalars.iter().map(|s| s[k].as_slice()).collect();
            MetricResult {
                metric: d.key.to_string(),
                title: d.title.to_string(),
                unit: d.unit.as_str().to_string(),
                definition: d.definition.to_string(),
                scenarios: (0..values.len())
                    .map(|i| metric_cell(&values, i, k, &labels[i]))
                    .collect(),
            }
        })
        .collect()
}

/// Metric `k` in scenario `i` (labelled `label`), of the `values` of every scenario.
fn metric_cell(values: &[&[f64]], i: usize, k: usize, label: &str) -> MetricCell {
    let v = values[i];
    let diff = (i > 0).then(|| Stats::paired(values[0], v));
    let pairing = (i > 0).then(|| {
        let p = crate::stats::pairing(values[0], v);
        PairingStats {
            correlation: p.correlation,
            variance_reduction: p.variance_reduction,
        }
    });
    MetricCell {
        scenario: label.to_string(),
        value: Stats::of_level(v, boot_key(1, k)),
        diff_excludes_zero: diff.is_some_and(|d| d.excludes_zero()),
        diff,
        pairing,
    }
}

/// The extra policy spend per extra outcome ([`EXTRA_COSTS`]) in each non-baseline scenario.
fn extra_costs(acc: &Acc, labels: &[String]) -> Vec<ExtraCost> {
    let spend = acc.scalar("policy_spend_cny").unwrap_or_default();
    EXTRA_COSTS
        .iter()
        .enumerate()
        .map(|(k, &(metric, outcome, what))| {
            let out = acc.scalar(outcome).unwrap_or_default();
            ExtraCost {
                metric: metric.to_string(),
                outcome: outcome.to_string(),
                per: what.to_string(),
                scenarios: (1..labels.len())
                    .map(|i| extra_cost_cell(&spend, &out, i, k, &labels[i]))
                    .collect(),
            }
        })
        .collect()
}

/// Extra cost `k` in scenario `i` (labelled `label`), from the `spend` and `out`come values of
/// every scenario: identified only where the outcome's difference excludes zero.
fn extra_cost_cell(
    spend: &[&[f64]],
    out: &[&[f64]],
    i: usize,
    k: usize,
    label: &str,
) -> ExtraCostCell {
    let d_spend = Stats::paired(spend[0], spend[i]);
    let d_out = Stats::paired(out[0], out[i]);
    let identified = d_out.excludes_zero();
    let r = crate::stats::paired_ratio((spend[0], spend[i]), (out[0], out[i]), boot_key(2, k));
    let (value, lo, hi) = if identified {
        (r.value, r.ci_low, r.ci_high)
    } else {
        (f64::NAN, f64::NAN, f64::NAN)
    };
    ExtraCostCell {
        scenario: label.to_string(),
        delta_spend: d_spend,
        delta_outcome: d_out,
        identified,
        value,
        ci_low: lo,
        ci_high: hi,
    }
}

/// Each declared target in each scenario: the probability of meeting it, with its interval.
fn target_results(
    scenarios: &[Scenario],
    labels: &[String],
    targets: &[(Target, String)],
    acc: &Acc,
) -> Vec<TargetResult> {
    targets
        .iter()
        .enumerate()
        .map(|(k, (t, declared))| TargetResult {
            name: t.name.clone(),
            declared_in: declared.clone(),
            statistic: describe(&t.stat),
            at_least: t.at_least,
            by: t.stat.to.clone(),
            scenarios: acc
                .targets
                .iter()
                .enumerate()
                .map(|(i, runs)| target_cell(t, &runs[k], &scenarios[i], &labels[i]))
                .collect(),
        })
        .collect()
}

/// Target `t` in scenario `sc` (labelled `label`), from its value in each run (`None`: not
/// applicable).
fn target_cell(t: &Target, runs: &[Option<f64>], sc: &Scenario, label: &str) -> TargetCell {
    let vals: Vec<f64> = runs.iter().filter_map(|v| *v).collect();
    let met = vals.iter().filter(|&&v| v >= t.at_least).count();
    let (p, lo, hi) = if vals.is_empty() {
        (f64::NAN, f64::NAN, f64::NAN)
    } else {
        wilson(met, vals.len())
    };
    TargetCell {
        scenario: label.to_string(),
        applicable: applicable(t, sc),
        met,
        n: vals.len(),
        p,
        p_low: lo,
        p_high: hi,
        value: Stats::of(&vals),
    }
}

/// The series: each of [`SERIES`] in each scenario, then each scenario's per-region series.
fn series_results(acc: &Acc, labels: &[String]) -> Vec<SeriesResult> {
    let mut series = Vec::new();
    for (k, d) in SERIES.iter().enumerate() {
        for (i, label) in labels.iter().enumerate() {
            series.push(acc.series[i][k].finish(d.key.to_string(), label, &acc.months[i]));
        }
    }
    for (i, label) in labels.iter().enumerate() {
        for (key, s) in &acc.region_series[i] {
            series.push(s.finish(key.clone(), label, &acc.months[i]));
        }
    }
    series
}

/// What was compared: the version, the seeds, the `--set`s and each scenario.
fn manifest(
    scenarios: &[Scenario],
    labels: &[String],
    acc: &Acc,
    base_seed: u64,
    sets: &[String],
    auto: Option<AutoReport>,
) -> Manifest {
    Manifest {
        talentsim_version: crate::VERSION.to_string(),
        replicates: acc.seeds.len(),
        base_seed,
        seeds: acc.seeds.clone(),
        sets: sets.to_vec(),
        baseline: labels.first().cloned().unwrap_or_default(),
        scenarios: scenarios
            .iter()
            .zip(labels)
            .map(|(sc, label)| ScenarioInfo {
                label: label.clone(),
                name: sc.def.name.clone(),
                description: sc.def.description.clone(),
                file: sc.path.display().to_string(),
                hash: sc.source_hash.clone(),
                start: sc.def.start.to_string(),
                end: sc.def.end.to_string(),
                scale: sc.def.scale,
                regions: sc.def.region.iter().map(|r| r.name.clone()).collect(),
                resolved_toml: sc.to_toml(),
            })
            .collect(),
        auto,
    }
}

/// A number for the CSV: shortest round-trip text; empty when not finite.
fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

fn stats_rows(prefix: &str, s: &Stats) -> Vec<(String, String)> {
    vec![
        (format!("{prefix}n"), s.n.to_string()),
        (format!("{prefix}mean"), num(s.mean)),
        (format!("{prefix}sd"), num(s.sd)),
        (format!("{prefix}ci_low"), num(s.ci_low)),
        (format!("{prefix}ci_high"), num(s.ci_high)),
        (format!("{prefix}p2_5"), num(s.p2_5)),
        (format!("{prefix}p97_5"), num(s.p97_5)),
    ]
}

/// The `comparison.csv` writer.
type CsvOut<'w> = csv::Writer<&'w mut dyn Write>;

/// One `comparison.csv` row: `scenario` (made inert for spreadsheets), `metric`, `month`,
/// `statistic`, `value`.
fn csv_row(
    cw: &mut CsvOut,
    scenario: &str,
    metric: &str,
    month: &str,
    stat: &str,
    value: &str,
) -> io::Result<()> {
    cw.write_record([
        &*crate::output::csv_text(scenario),
        metric,
        month,
        stat,
        value,
    ])?;
    Ok(())
}

impl Comparison {
    /// The tidy `comparison.csv`: `scenario, metric, month, statistic, value`. Whole-run
    /// metrics and targets (`target:NAME`) have an empty month; series have one row per
    /// month and statistic (`mean`, `ci_low`, `ci_high`).
    pub fn write_csv(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut cw = csv::Writer::from_writer(w);
        cw.write_record(["scenario", "metric", "month", "statistic", "value"])?;
        self.write_metrics(&mut cw)?;
        self.write_extra_costs(&mut cw)?;
        self.write_targets(&mut cw)?;
        self.write_series(&mut cw)?;
        cw.flush()
    }

    /// The whole-run metrics' rows: each scenario's value statistics, then (against the
    /// baseline) the difference's and the pairing's.
    fn write_metrics(&self, cw: &mut CsvOut) -> io::Result<()> {
        for m in &self.metrics {
            for c in &m.scenarios {
                let mut rows = stats_rows("", &c.value);
                if let Some(d) = &c.diff {
                    rows.extend(stats_rows("diff_", d));
                    rows.push((
                        "diff_excludes_zero".into(),
                        (c.diff_excludes_zero as u8).to_string(),
                    ));
                }
                if let Some(p) = &c.pairing {
                    rows.push(("paired_correlation".into(), num(p.correlation)));
                    rows.push(("variance_reduction".into(), num(p.variance_reduction)));
                }
                for (stat, v) in rows {
                    csv_row(cw, &c.scenario, &m.metric, "", &stat, &v)?;
                }
            }
        }
        Ok(())
    }

    /// The extra costs' rows, for each non-baseline scenario.
    fn write_extra_costs(&self, cw: &mut CsvOut) -> io::Result<()> {
        for x in &self.extra_costs {
            for c in &x.scenarios {
                for (stat, v) in [
                    ("value", num(c.value)),
                    ("ci_low", num(c.ci_low)),
                    ("ci_high", num(c.ci_high)),
                    ("identified", (c.identified as u8).to_string()),
                    ("delta_spend_mean", num(c.delta_spend.mean)),
                    ("delta_outcome_mean", num(c.delta_outcome.mean)),
                    ("delta_outcome_ci_low", num(c.delta_outcome.ci_low)),
                    ("delta_outcome_ci_high", num(c.delta_outcome.ci_high)),
                ] {
                    csv_row(cw, &c.scenario, &x.metric, "", stat, &v)?;
                }
            }
        }
        Ok(())
    }

    /// The targets' rows (`target:NAME`): whether each scenario meets it, and its value.
    fn write_targets(&self, cw: &mut CsvOut) -> io::Result<()> {
        for t in &self.targets {
            let metric = format!("target:{}", t.name);
            for c in &t.scenarios {
                let mut rows = vec![
                    ("applicable".to_string(), (c.applicable as u8).to_string()),
                    ("at_least".to_string(), num(t.at_least)),
                    ("met".to_string(), c.met.to_string()),
                    ("p_met".to_string(), num(c.p)),
                    ("p_met_low".to_string(), num(c.p_low)),
                    ("p_met_high".to_string(), num(c.p_high)),
                ];
                rows.extend(stats_rows("", &c.value));
                for (stat, v) in rows {
                    csv_row(cw, &c.scenario, &metric, "", &stat, &v)?;
                }
            }
        }
        Ok(())
    }

    /// The series' rows: the mean and interval of each month.
    fn write_series(&self, cw: &mut CsvOut) -> io::Result<()> {
        for s in &self.series {
            for (t, m) in s.months.iter().enumerate() {
                let month = m.to_string();
                for (stat, v) in [
                    ("mean", s.mean[t]),
                    ("ci_low", s.ci_low[t]),
                    ("ci_high", s.ci_high[t]),
                ] {
                    csv_row(cw, &s.scenario, &s.metric, &month, stat, &num(v))?;
                }
            }
        }
        Ok(())
    }

    /// Write `comparison.csv` and `comparison.json` into `dir`, each atomically.
    pub fn write(&self, dir: &Path) -> Result<(), OutputError> {
        write_atomic(&dir.join("comparison.csv"), |w| self.write_csv(w))?;
        write_atomic(&dir.join("comparison.json"), |w| {
            serde_json::to_writer_pretty(&mut *w, self).map_err(io::Error::other)?;
            w.write_all(b"\n")
        })
    }

    /// Read a comparison back from `dir` (`comparison.json`, and the series from
    /// `comparison.csv`).
    pub fn read(dir: &Path) -> Result<Comparison, CompareError> {
        let jp = dir.join("comparison.json");
        let text = std::fs::read_to_string(&jp).map_err(|source| CompareError::Read {
            path: jp.clone(),
            source,
        })?;
        let mut cmp: Comparison =
            serde_json::from_str(&text).map_err(|source| CompareError::Parse {
                path: jp.clone(),
                source,
            })?;
        let cp = dir.join("comparison.csv");
        let read_err = CompareError::reading_csv(&cp);
        let mut rd = csv::Reader::from_path(&cp).map_err(read_err)?;
        // (metric, scenario) → series, in file order.
        let mut order: Vec<(String, String)> = Vec::new();
        let mut map: BTreeMap<(String, String), SeriesResult> = BTreeMap::new();
        for rec in rd.records() {
            let rec = rec.map_err(read_err)?;
            if rec.len() < 5 || rec[2].is_empty() {
                continue;
            }
            let month = Month::parse(&rec[2]).ok_or_else(|| CompareError::NotAMonth {
                path: cp.clone(),
                value: rec[2].to_string(),
            })?;
            let key = (
                rec[1].to_string(),
                crate::output::csv_text_back(&rec[0]).to_string(),
            );
            let s = map.entry(key.clone()).or_insert_with(|| {
                order.push(key.clone());
                SeriesResult {
                    metric: key.0.clone(),
                    scenario: key.1.clone(),
                    months: Vec::new(),
                    mean: Vec::new(),
                    ci_low: Vec::new(),
                    ci_high: Vec::new(),
                }
            });
            let v: f64 = if rec[4].is_empty() {
                f64::NAN
            } else {
                rec[4].parse().map_err(|source| CompareError::NotANumber {
                    path: cp.clone(),
                    value: rec[4].to_string(),
                    source,
                })?
            };
            if s.months.last() != Some(&month) {
                s.months.push(month);
                s.mean.push(f64::NAN);
                s.ci_low.push(f64::NAN);
                s.ci_high.push(f64::NAN);
            }
            let t = s.months.len() - 1;
            match &rec[3] {
                "mean" => s.mean[t] = v,
                "ci_low" => s.ci_low[t] = v,
                "ci_high" => s.ci_high[t] = v,
                _ => {}
            }
        }
        cmp.series = order.into_iter().filter_map(|k| map.remove(&k)).collect();
        Ok(cmp)
    }

    /// The series of one metric and scenario.
    pub fn series_of(&self, metric: &str, scenario: &str) -> Option<&SeriesResult> {
        self.series
            .iter()
            .find(|s| s.metric == metric && s.scenario == scenario)
    }

    /// The whole-run metric with key `metric`.
    pub fn metric(&self, metric: &str) -> Option<&MetricResult> {
        self.metrics.iter().find(|m| m.metric == metric)
    }
}
