//! The facts over runs: means with 95% t intervals, the text table and the CSV.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{FACTS, Fact, Measures, survival};
use crate::stats::summarize;

/// One fact over the runs.
#[derive(Debug, Clone)]
pub struct FactValue {
    /// The fact: its published value and accepted band.
    pub fact: &'static Fact,
    /// The value in each run, in the order the runs were given.
    pub per_run: Vec<Option<f64>>,
    /// Mean over the runs where the fact could be computed.
    pub mean: Option<f64>,
    /// 95% Student t interval of the mean, with two or more such runs.
    pub ci: Option<(f64, f64)>,
    /// Runs where the fact could be computed.
    pub runs: usize,
}

impl FactValue {
    fn new(fact: &'static Fact, measures: &[Measures]) -> FactValue {
        let per_run: Vec<Option<f64>> = measures.iter().map(|m| (fact.compute)(m)).collect();
        let xs: Vec<f64> = per_run.iter().flatten().copied().collect();
        let s = summarize(&xs);
        FactValue {
            fact,
            mean: (!xs.is_empty()).then_some(s.mean),
            ci: (xs.len() > 1).then_some((s.ci_low, s.ci_high)),
            runs: xs.len(),
            per_run,
        }
    }

    /// Whether the mean lies in the fact's band (a fact that cannot be computed does not).
    pub fn in_band(&self) -> bool {
        self.mean.is_some_and(|m| self.fact.in_band(m))
    }
}

/// Every fact over a set of runs, with informational figures.
#[derive(Debug, Clone)]
pub struct Report {
    /// The run directories, in the order given.
    pub dirs: Vec<PathBuf>,
    /// One per entry of [`FACTS`], in that order.
    pub facts: Vec<FactValue>,
    /// Single-year hazards for years of age 1..=15, mean over the runs where computable.
    pub hazards: Vec<Option<f64>>,
    /// Startup agents, seed-cohort agents and growth pairs, per run.
    pub counts: Vec<(usize, usize, usize)>,
    /// Failed startup agents by `exit_reason`, over the runs whose `firms.csv` has the column.
    pub deaths_by_reason: BTreeMap<String, usize>,
}

impl Report {
    /// Compute every fact from the runs' measures.
    pub fn new(dirs: &[&Path], measures: &[Measures]) -> Report {
        let hazards = (1..=15)
            .map(|k| {
                let xs: Vec<f64> = measures
                    .iter()
                    .filter_map(|m| survival::mean_hazard(&m.survival, k, k))
                    .collect();
                (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
            })
            .collect();
        let mut deaths_by_reason = BTreeMap::new();
        for (reason, n) in measures
            .iter()
            .flat_map(|m| m.deaths_by_reason.iter().flatten())
        {
            *deaths_by_reason.entry(reason.clone()).or_default() += n;
        }
        Report {
            dirs: dirs.iter().map(|d| d.to_path_buf()).collect(),
            facts: FACTS.iter().map(|f| FactValue::new(f, measures)).collect(),
            hazards,
            counts: measures
                .iter()
                .map(|m| (m.startups, m.funnel.cohort, m.pairs.len()))
                .collect(),
            deaths_by_reason,
        }
    }

    /// Whether every fact's mean is in its band.
    pub fn all_in_band(&self) -> bool {
        self.facts.iter().all(FactValue::in_band)
    }

    /// The table for a terminal, then the single-year hazards and the counts.
    pub fn text(&self) -> String {
        let header = [
            "fact",
            "model",
            "95% CI",
            "runs",
            "published",
            "band",
            "in band",
            "source",
        ];
        let rows: Vec<[String; 8]> = self.facts.iter().map(text_row).collect();
        let mut out = aligned(&header, &rows);
        out.push_str("\nsingle-year hazards by year of age (mean over runs; not facts):\n");
        for (k, h) in self.hazards.iter().enumerate() {
            let _ = writeln!(out, "  year {:>2}: {}", k + 1, opt(*h, "per year"));
        }
        let join = |f: &dyn Fn(&(usize, usize, usize)) -> usize| {
            self.counts
                .iter()
                .map(|c| f(c).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "\nper run ({}): startup agents {}; seed-cohort agents {}; growth pairs {}",
            self.dirs.len(),
            join(&|c| c.0),
            join(&|c| c.1),
            join(&|c| c.2)
        );
        if !self.deaths_by_reason.is_empty() {
            let reasons: Vec<String> = self
                .deaths_by_reason
                .iter()
                .map(|(r, n)| format!("{r} {n}"))
                .collect();
            let _ = writeln!(
                out,
                "failed startup agents by exit_reason: {}",
                reasons.join(", ")
            );
        }
        out
    }

    /// The table as CSV: `fact, unit, model_mean, ci_low, ci_high, runs, published, band_low,
    /// band_high, in_band, source, per_run` (per-run values `;`-separated, `n/a` where a fact
    /// cannot be computed; the interval empty with a single run).
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = [
            "fact",
            "unit",
            "model_mean",
            "ci_low",
            "ci_high",
            "runs",
            "published",
            "band_low",
            "band_high",
            "in_band",
            "source",
            "per_run",
        ];
        // Writing CSV into memory cannot fail.
        w.write_record(header).expect("in memory");
        for v in &self.facts {
            let num = |x: Option<f64>| x.map_or_else(|| "n/a".to_string(), |x| x.to_string());
            let ci = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
            let per_run: Vec<String> = v.per_run.iter().map(|&x| num(x)).collect();
            let f = v.fact;
            w.write_record([
                f.name.to_string(),
                f.unit.to_string(),
                num(v.mean),
                ci(v.ci.map(|c| c.0)),
                ci(v.ci.map(|c| c.1)),
                v.runs.to_string(),
                f.published.to_string(),
                f.band.0.to_string(),
                f.band.1.to_string(),
                v.in_band().to_string(),
                f.source.to_string(),
                per_run.join(";"),
            ])
            .expect("in memory");
        }
        String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 fields")
    }
}

fn text_row(v: &FactValue) -> [String; 8] {
    let (f, unit) = (v.fact, v.fact.unit);
    let ci = v.ci.map_or_else(
        || "—".to_string(),
        |(lo, hi)| format!("[{}, {}]", num(lo, unit), num(hi, unit)),
    );
    [
        f.name.to_string(),
        opt(v.mean, unit),
        ci,
        v.runs.to_string(),
        num(f.published, unit),
        format!("[{}, {}]", num(f.band.0, unit), num(f.band.1, unit)),
        if v.in_band() { "yes" } else { "NO" }.to_string(),
        f.source.to_string(),
    ]
}

/// A value with the precision its unit deserves.
fn num(x: f64, unit: &str) -> String {
    match unit {
        "months" | "years" | "m4/m2^2" => format!("{x:.1}"),
        _ => format!("{x:.3}"),
    }
}

fn opt(x: Option<f64>, unit: &str) -> String {
    x.map_or_else(|| "n/a".to_string(), |x| num(x, unit))
}

/// Columns padded to their widest cell (the last one left ragged).
fn aligned(header: &[&str; 8], rows: &[[String; 8]]) -> String {
    let mut width = header.map(|h| h.chars().count());
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                let _ = write!(s, "{c:<w$}  ", w = width[i]);
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(header.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}
