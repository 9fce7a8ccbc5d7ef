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

pub mod reduce;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::output::{OutputError, write_atomic};
use crate::scenario::{Month, Scenario, Target};
use crate::sim::simulate;
use crate::stats::{Agg, Event, Stat, StatKind, paired, summarize, wilson};

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
    #[serde(with = "nullable")]
    pub mean: f64,
    #[serde(with = "nullable")]
    pub sd: f64,
    /// 95% confidence interval of the mean (Student t).
    #[serde(with = "nullable")]
    pub ci_low: f64,
    #[serde(with = "nullable")]
    pub ci_high: f64,
    /// 2.5th and 97.5th percentiles of single runs.
    #[serde(with = "nullable")]
    pub p2_5: f64,
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
    pub name: String,
    pub description: String,
    pub file: String,
    /// FNV-1a hash of every source read (file, `extends` chain, `--set`s).
    pub hash: String,
    pub start: String,
    pub end: String,
    pub scale: f64,
    pub regions: Vec<String>,
    /// The fully resolved scenario (what `talentsim show` prints).
    pub resolved_toml: String,
}

/// What was compared, how, and with which software.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub talentsim_version: String,
    pub replicates: usize,
    pub base_seed: u64,
    /// Replicate `i` of every scenario uses `seeds[i]`.
    pub seeds: Vec<u64>,
    /// `--set` overrides applied to every scenario.
    pub sets: Vec<String>,
    /// Label of the baseline scenario.
    pub baseline: String,
    pub scenarios: Vec<ScenarioInfo>,
}

/// A whole-run metric of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricCell {
    pub scenario: String,
    pub value: Stats,
    /// Paired difference from the baseline (absent for the baseline itself).
    pub diff: Option<Stats>,
    /// The difference's 95% interval excludes zero.
    pub diff_excludes_zero: bool,
}

/// A whole-run metric across scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricResult {
    pub metric: String,
    pub title: String,
    pub unit: String,
    pub definition: String,
    pub scenarios: Vec<MetricCell>,
}

/// A target's outcome in one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetCell {
    pub scenario: String,
    /// False when the target's region, sector or window is not in this scenario.
    pub applicable: bool,
    /// Replicates that met the target, out of `n`.
    pub met: usize,
    pub n: usize,
    /// Probability of meeting the target, with its 95% Wilson interval.
    #[serde(with = "nullable")]
    pub p: f64,
    #[serde(with = "nullable")]
    pub p_low: f64,
    #[serde(with = "nullable")]
    pub p_high: f64,
    /// The statistic's value over replicates.
    pub value: Stats,
}

/// A target across scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    pub name: String,
    /// Label of the (first) scenario declaring it.
    pub declared_in: String,
    /// The statistic, in words.
    pub statistic: String,
    /// Met when the statistic is at least this.
    pub at_least: f64,
    /// The month by which it must be met (the window's end; empty: each scenario's end).
    pub by: String,
    pub scenarios: Vec<TargetCell>,
}

/// A metric month by month for one scenario: mean and 95% interval over replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesResult {
    /// A key of [`SERIES`], or `key:Region` for per-region series.
    pub metric: String,
    pub scenario: String,
    pub months: Vec<Month>,
    pub mean: Vec<f64>,
    pub ci_low: Vec<f64>,
    pub ci_high: Vec<f64>,
}

/// Everything a comparison found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub manifest: Manifest,
    pub metrics: Vec<MetricResult>,
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
pub fn describe(s: &Stat) -> String {
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
    // Every target declared by any scenario, first declaration first.
    let mut targets: Vec<(Target, String)> = Vec::new();
    for (sc, label) in scenarios.iter().zip(&labels) {
        for t in &sc.def.target {
            if !targets.iter().any(|(x, _)| x.name == t.name) {
                targets.push((t.clone(), label.clone()));
            }
        }
    }
    let tasks: Vec<(usize, u64)> = (0..scenarios.len())
        .flat_map(|i| seeds.iter().map(move |&s| (i, s)))
        .collect();
    // Collected in task order whatever the thread count; each run is dropped once reduced.
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
    let n = seeds.len();
    let per: Vec<&[RunRecord]> = records.chunks(n.max(1)).collect();

    let metrics = SCALARS
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let values: Vec<Vec<f64>> = per
                .iter()
                .map(|runs| runs.iter().map(|r| r.reduced.scalars[k]).collect())
                .collect();
            MetricResult {
                metric: d.key.to_string(),
                title: d.title.to_string(),
                unit: d.unit.as_str().to_string(),
                definition: d.definition.to_string(),
                scenarios: values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let diff = (i > 0).then(|| Stats::paired(&values[0], v));
                        MetricCell {
                            scenario: labels[i].clone(),
                            value: Stats::of(v),
                            diff_excludes_zero: diff.is_some_and(|d| d.excludes_zero()),
                            diff,
                        }
                    })
                    .collect(),
            }
        })
        .collect();

    let targets = targets
        .iter()
        .enumerate()
        .map(|(k, (t, declared))| TargetResult {
            name: t.name.clone(),
            declared_in: declared.clone(),
            statistic: describe(&t.stat),
            at_least: t.at_least,
            by: t.stat.to.clone(),
            scenarios: per
                .iter()
                .enumerate()
                .map(|(i, runs)| {
                    let vals: Vec<f64> = runs.iter().filter_map(|r| r.targets[k]).collect();
                    let met = vals.iter().filter(|&&v| v >= t.at_least).count();
                    let (p, lo, hi) = if vals.is_empty() {
                        (f64::NAN, f64::NAN, f64::NAN)
                    } else {
                        wilson(met, vals.len())
                    };
                    TargetCell {
                        scenario: labels[i].clone(),
                        applicable: applicable(t, &scenarios[i]),
                        met,
                        n: vals.len(),
                        p,
                        p_low: lo,
                        p_high: hi,
                        value: Stats::of(&vals),
                    }
                })
                .collect(),
        })
        .collect();

    let mut series = Vec::new();
    for (k, d) in SERIES.iter().enumerate() {
        for (i, runs) in per.iter().enumerate() {
            series.push(summarize_series(d.key.to_string(), &labels[i], runs, |r| {
                &r.series[k]
            }));
        }
    }
    for (i, runs) in per.iter().enumerate() {
        let Some(first) = runs.first() else { continue };
        for (j, (key, _)) in first.reduced.region_series.iter().enumerate() {
            series.push(summarize_series(key.clone(), &labels[i], runs, |r| {
                &r.region_series[j].1
            }));
        }
    }

    Comparison {
        manifest: Manifest {
            talentsim_version: crate::VERSION.to_string(),
            replicates: n,
            base_seed,
            seeds: seeds.to_vec(),
            sets: sets.to_vec(),
            baseline: labels.first().cloned().unwrap_or_default(),
            scenarios: scenarios
                .iter()
                .zip(&labels)
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
        },
        metrics,
        targets,
        series,
    }
}

fn summarize_series(
    metric: String,
    label: &str,
    runs: &[RunRecord],
    get: impl Fn(&Reduced) -> &Vec<f64>,
) -> SeriesResult {
    let months = runs
        .first()
        .map(|r| r.reduced.months.clone())
        .unwrap_or_default();
    let (mut mean, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
    for t in 0..months.len() {
        let xs: Vec<f64> = runs.iter().map(|r| get(&r.reduced)[t]).collect();
        let s = Stats::of(&xs);
        mean.push(s.mean);
        lo.push(s.ci_low);
        hi.push(s.ci_high);
    }
    SeriesResult {
        metric,
        scenario: label.to_string(),
        months,
        mean,
        ci_low: lo,
        ci_high: hi,
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

impl Comparison {
    /// The tidy `comparison.csv`: `scenario, metric, month, statistic, value`. Whole-run
    /// metrics and targets (`target:NAME`) have an empty month; series have one row per
    /// month and statistic (`mean`, `ci_low`, `ci_high`).
    pub fn write_csv(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut cw = csv::Writer::from_writer(w);
        cw.write_record(["scenario", "metric", "month", "statistic", "value"])?;
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
                for (stat, v) in rows {
                    cw.write_record([c.scenario.as_str(), &m.metric, "", &stat, &v])?;
                }
            }
        }
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
                    cw.write_record([c.scenario.as_str(), &metric, "", &stat, &v])?;
                }
            }
        }
        for s in &self.series {
            for (t, m) in s.months.iter().enumerate() {
                let month = m.to_string();
                for (stat, v) in [
                    ("mean", s.mean[t]),
                    ("ci_low", s.ci_low[t]),
                    ("ci_high", s.ci_high[t]),
                ] {
                    cw.write_record([s.scenario.as_str(), &s.metric, &month, stat, &num(v)])?;
                }
            }
        }
        cw.flush()
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
    pub fn read(dir: &Path) -> anyhow::Result<Comparison> {
        let jp = dir.join("comparison.json");
        let text =
            std::fs::read_to_string(&jp).with_context(|| format!("reading {}", jp.display()))?;
        let mut cmp: Comparison =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", jp.display()))?;
        let cp = dir.join("comparison.csv");
        let mut rd =
            csv::Reader::from_path(&cp).with_context(|| format!("reading {}", cp.display()))?;
        // (metric, scenario) → series, in file order.
        let mut order: Vec<(String, String)> = Vec::new();
        let mut map: BTreeMap<(String, String), SeriesResult> = BTreeMap::new();
        for rec in rd.records() {
            let rec = rec.with_context(|| format!("reading {}", cp.display()))?;
            if rec.len() < 5 || rec[2].is_empty() {
                continue;
            }
            let month = Month::parse(&rec[2])
                .with_context(|| format!("{}: `{}` is not a month", cp.display(), &rec[2]))?;
            let key = (rec[1].to_string(), rec[0].to_string());
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
                rec[4]
                    .parse()
                    .with_context(|| format!("{}: `{}` is not a number", cp.display(), &rec[4]))?
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
