//! Statistics of a run: what calibration targets, scenario targets, comparisons and sweeps
//! measure.
//!
//! A [`Stat`] names an output statistic — a `timeseries.csv` column summed, averaged or taken
//! last over a window; a ratio or share of two columns; or a count over `firms.csv` with a
//! filter — and [`Stat::eval`] computes it from a [`RunResult`]. The definition is scenario
//! data (`scenario::stat`, since a scenario's `[[target]]`s hold one); checking its column
//! names against the outputs and evaluating it are here, in the layer that knows the outputs. The same definition is used in
//! target files, scenario `[[target]]`s and sweep files, and reads with the same diagnostics as
//! a scenario.

pub mod summary;

use crate::metrics::RunResult;
use crate::model::firm::{Firm, Kind, NEVER, Outcome};
use crate::scenario::diag::{Collector, Span};
use crate::scenario::tree::Node;
use crate::scenario::{Month, Scenario, ScenarioDef, span_of};

pub use crate::scenario::stat::{Agg, Event, Stat, StatKind};
pub use summary::{
    Pairing, Ratio, Summary, bootstrap_mean, paired, paired_ratio, pairing, summarize, t95, wilson,
};

/// Names of the numeric `timeseries.csv` columns.
pub fn columns() -> Vec<String> {
    crate::metrics::COLUMNS
        .iter()
        .filter(|c| !matches!(**c, "month" | "region"))
        .map(|c| c.to_string())
        .collect()
}

impl Stat {
    /// Check names and months against a scenario (or against any scenario when `None`):
    /// the statistic is at `path` in `root`, its dotted key is `key`.
    pub fn check(
        &self,
        key: &str,
        root: &Node,
        path: &[&str],
        def: Option<&ScenarioDef>,
        c: &mut Collector,
    ) {
        let check = StatCheck {
            stat: self,
            key,
            root,
            path,
        };
        check.columns(c);
        check.window(c);
        if let Some(def) = def {
            check.region(def, c);
            check.sector(def, c);
        }
    }

    fn window(&self, def: &ScenarioDef) -> (Month, Month) {
        (
            Month::parse(&self.from).unwrap_or(def.start),
            Month::parse(&self.to).unwrap_or(def.end),
        )
    }

    /// Evaluate on one run of `sc`.
    pub fn eval(&self, sc: &Scenario, run: &RunResult) -> f64 {
        let def = &sc.def;
        let (from, to) = self.window(def);
        let region = def.region.iter().position(|r| r.name == self.region);
        match self.kind {
            StatKind::Column => column_agg(run, def, &self.column, region, from, to, self.agg),
            StatKind::Ratio => {
                let a = column_agg(run, def, &self.column, region, from, to, Agg::Sum);
                let b = column_agg(run, def, &self.other, region, from, to, Agg::Sum);
                if b == 0.0 { 0.0 } else { a / b }
            }
            StatKind::Share => {
                let a = column_agg(run, def, &self.column, region, from, to, Agg::Sum);
                let b = column_agg(run, def, &self.other, region, from, to, Agg::Sum);
                if a + b == 0.0 { 0.0 } else { a / (a + b) }
            }
            StatKind::Firms => self.count_firms(sc, run, region, from, to),
        }
    }

    fn count_firms(
        &self,
        sc: &Scenario,
        run: &RunResult,
        region: Option<usize>,
        from: Month,
        to: Month,
    ) -> f64 {
        let def = &sc.def;
        let start = def.start.0;
        let in_window = |t: i32| {
            t != NEVER && (from.0 as i64..=to.0 as i64).contains(&(start as i64 + t as i64))
        };
        let sector = def.sector.iter().position(|s| s.name == self.sector);
        // Per firm: the first year it raised more than the amount.
        let first_big_year = if self.event == Event::RaisedOver {
            let mut first = std::collections::HashMap::new();
            for r in &run.panel {
                if r.raised_cny > self.amount_cny {
                    first
                        .entry(r.firm_id)
                        .and_modify(|y: &mut u32| *y = (*y).min(r.year))
                        .or_insert(r.year);
                }
            }
            first
        } else {
            Default::default()
        };
        let n = run
            .firms
            .iter()
            .enumerate()
            .filter(|(_, f)| f.kind == Kind::Startup)
            .filter(|(_, f)| region.is_none_or(|r| f.region.index() == r))
            .filter(|(_, f)| sector.is_none_or(|s| f.sector.index() == s))
            .filter(|(_, f)| self.program.is_empty() || backed_by(sc, f, &self.program))
            .filter(|(i, f)| match self.event {
                Event::Founded => in_window(f.founded),
                Event::Seed => in_window(f.first_seed),
                Event::SeriesA => in_window(f.series_a),
                Event::Listed => f.outcome == Outcome::Listed && in_window(f.outcome_month),
                Event::Failed => f.outcome == Outcome::Failed && in_window(f.outcome_month),
                Event::Acquired => f.outcome == Outcome::Acquired && in_window(f.outcome_month),
                Event::Relocated => f.outcome == Outcome::Relocated && in_window(f.outcome_month),
                Event::QuasiUnicorn => in_window(f.quasi_unicorn),
                Event::Unicorn => in_window(f.unicorn),
                Event::QuasiOrUnicorn => in_window(f.quasi_unicorn.min(f.unicorn)),
                Event::RaisedOver => first_big_year.get(&(*i as u32)).is_some_and(|&y| {
                    let (a, b) = (Month::new(y, 1), Month::new(y, 12));
                    a <= to && b >= from
                }),
            })
            .count();
        n as f64
    }
}

/// Checking one statistic, at `path` in `root` (dotted key `key`), field by field.
struct StatCheck<'a> {
    stat: &'a Stat,
    key: &'a str,
    root: &'a Node,
    path: &'a [&'a str],
}

impl StatCheck<'_> {
    /// Where `field` of the statistic is (or the nearest ancestor found).
    fn at(&self, field: &str) -> Span {
        let mut p: Vec<&str> = self.path.to_vec();
        p.push(field);
        span_of(self.root, &p)
    }

    /// The dotted key of `field`.
    fn key(&self, field: &str) -> String {
        format!("{}.{field}", self.key)
    }

    /// The columns its kind needs are numeric `timeseries.csv` columns.
    fn columns(&self, c: &mut Collector) {
        let s = self.stat;
        match s.kind {
            StatKind::Column => self.column(&s.column, "column", c),
            StatKind::Ratio | StatKind::Share => {
                self.column(&s.column, "column", c);
                self.column(&s.other, "other", c);
            }
            StatKind::Firms => {}
        }
    }

    /// `name`, the value of the required `field`, is a numeric `timeseries.csv` column.
    fn column(&self, name: &str, field: &str, c: &mut Collector) {
        if name.is_empty() {
            c.error(
                self.at(field),
                &self.key(field),
                format!(
                    "missing: expected a `timeseries.csv` column name for `kind = \"{}\"`",
                    self.stat.kind.as_str()
                ),
            );
            return;
        }
        let cols = columns();
        if !cols.iter().any(|x| x == name) {
            let msg = format!(
                "unknown column `{name}`: expected a numeric `timeseries.csv` column (see docs/OUTPUTS.md)"
            );
            let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
            c.error_suggesting(self.at(field), &self.key(field), msg, name, &cols);
        }
    }

    /// `from` and `to` are months (or empty), and the window does not end before it starts.
    fn window(&self, c: &mut Collector) {
        let s = self.stat;
        for (field, v) in [("from", &s.from), ("to", &s.to)] {
            if !v.is_empty() && Month::parse(v).is_none() {
                c.error(
                    self.at(field),
                    &self.key(field),
                    format!("`{v}` is not a month: expected `\"YYYY-MM\"`"),
                );
            }
        }
        if let (Some(a), Some(b)) = (Month::parse(&s.from), Month::parse(&s.to))
            && b < a
        {
            c.error(
                self.at("to"),
                &self.key("to"),
                format!("the window ends ({b}) before it starts ({a})"),
            );
        }
    }

    /// `region`, if set, names a region of `def`.
    fn region(&self, def: &ScenarioDef, c: &mut Collector) {
        let region = &self.stat.region;
        if region.is_empty() || def.region.iter().any(|r| r.name == *region) {
            return;
        }
        let names: Vec<&str> = def.region.iter().map(|r| r.name.as_str()).collect();
        c.unknown(
            self.at("region"),
            &self.key("region"),
            "region",
            region,
            &names,
        );
    }

    /// `sector`, if set, names a sector of `def`.
    fn sector(&self, def: &ScenarioDef, c: &mut Collector) {
        let sector = &self.stat.sector;
        if !sector.is_empty() && !def.sector.iter().any(|s| s.name == *sector) {
            c.error(
                self.at("sector"),
                &self.key("sector"),
                format!("unknown sector `{sector}`"),
            );
        }
    }
}

/// Whether a firm is backed by a program of its region whose name contains `needle`.
pub fn backed_by(sc: &Scenario, f: &Firm, needle: &str) -> bool {
    // Program names cannot contain `;` (validated), so the joined list splits back exactly.
    crate::output::programs_of(sc, f)
        .split(';')
        .any(|n| !n.is_empty() && n.contains(needle))
}

fn column_agg(
    run: &RunResult,
    def: &ScenarioDef,
    column: &str,
    region: Option<usize>,
    from: Month,
    to: Month,
    agg: Agg,
) -> f64 {
    let nreg = def.region.len();
    let mut per_month: Vec<f64> = Vec::new();
    for (k, chunk) in run.recorder.rows.chunks(nreg).enumerate() {
        let m = Month(def.start.0 + k as u32);
        if m < from || m > to {
            continue;
        }
        let v: f64 = chunk
            .iter()
            .enumerate()
            .filter(|(ri, _)| region.is_none_or(|r| r == *ri))
            .map(|(_, row)| row.value(column).unwrap_or(0.0))
            .sum();
        per_month.push(v);
    }
    match agg {
        Agg::Sum => per_month.iter().sum(),
        Agg::Mean => per_month.iter().sum::<f64>() / per_month.len().max(1) as f64,
        Agg::Last => per_month.last().copied().unwrap_or(0.0),
    }
}
