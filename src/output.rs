//! Writing a run's outputs: `timeseries.csv`, `firms.csv`, `firm_years.csv`, `summary.json`.
//!
//! Every file is written to a temporary name in the output directory and renamed into place,
//! so a reader never sees a half-written file and an interrupted run leaves no partial output
//! under the final names.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::metrics::MonthRow;
use crate::metrics::RunResult;
use crate::model::firm::{Firm, Kind, NEVER, Outcome, during_run};
use crate::scenario::{Education, Month, Scenario};

pub use crate::model::firm::FirmYear;

/// Failure to write outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or its folder could not be created, written, flushed or renamed into place.
    #[error("cannot write `{path}`")]
    Io {
        /// What could not be written: the folder, the temporary file or the file itself.
        path: PathBuf,
        /// Why it could not be written.
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Write `path` atomically: into a temporary sibling, flushed, then renamed.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), OutputError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy())
    ));
    let written = (|| {
        let file = fs::File::create(&tmp).map_err(io_err(&tmp))?;
        let mut buf = BufWriter::new(file);
        fill(&mut buf).map_err(io_err(&tmp))?;
        let file = buf.into_inner().map_err(|e| OutputError::Io {
            path: tmp.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io_err(&tmp))?;
        fs::rename(&tmp, path).map_err(io_err(path))
    })();
    if written.is_err() {
        // On every error path (a full disk included) the temporary file goes too.
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// A month index relative to `start` (negative before it) as `YYYY-MM`; empty for never.
fn month_text(start: Month, t: i32) -> String {
    if t == NEVER {
        String::new()
    } else {
        Month((start.0 as i64 + t as i64).max(0) as u32).to_string()
    }
}

/// Whether a spreadsheet would read a cell starting with `c` as a formula (OWASP, *CSV
/// Injection*: `=`, `+`, `-`, `@`, tab, carriage return).
fn formula_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A CSV text cell holding a user string (a scenario, region, sector, program or knob name, a
/// level, an error message), made inert for spreadsheets as OWASP recommends against CSV
/// injection: where the text, after any leading `'`, begins with `=`, `+`, `-`, `@`, a tab or
/// a carriage return, a `'` goes in front (so `=HYPERLINK(…)` is shown, not evaluated). Only
/// text cells pass through this: numeric columns stay plain numbers (`-0.5`), so pandas, polars
/// and R read them unchanged. [`csv_text_back`] undoes it exactly.
pub fn csv_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.trim_start_matches('\'').starts_with(formula_start) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The user string a [`csv_text`] cell holds.
pub fn csv_text_back(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(formula_start) => rest,
        _ => s,
    }
}

/// The `timeseries.csv` text (region names through [`csv_text`]).
pub fn write_timeseries(w: &mut dyn Write, rows: &[MonthRow]) -> io::Result<()> {
    let mut cw = csv::Writer::from_writer(w);
    for r in rows {
        match csv_text(&r.region) {
            std::borrow::Cow::Borrowed(_) => cw.serialize(r),
            std::borrow::Cow::Owned(region) => cw.serialize(MonthRow {
                region,
                ..r.clone()
            }),
        }
        .map_err(io::Error::other)?;
    }
    cw.flush()
}

/// Names of the programs (grants, then competitions) backing a firm.
pub fn programs_of(sc: &Scenario, f: &Firm) -> String {
    let r = &sc.def.region[f.program_region.index()];
    let names = r
        .grant
        .iter()
        .map(|g| g.name.as_str())
        .chain(r.competition.iter().map(|c| c.name.as_str()));
    names
        .enumerate()
        .filter(|(i, _)| f.programs >> i & 1 == 1)
        .map(|(_, n)| n)
        .collect::<Vec<_>>()
        .join(";")
}

/// The `firms.csv` text: one row per firm of `firms`, its index the `firm_id` (user strings
/// through [`csv_text`]).
pub fn write_firms(w: &mut dyn Write, sc: &Scenario, firms: &[Firm]) -> io::Result<()> {
    let start = sc.def.start;
    let mut cw = csv::Writer::from_writer(w);
    cw.write_record([
        "firm_id",
        "region",
        "sector",
        "kind",
        "founded_month",
        "founder_education",
        "backed_by_programs",
        "first_seed_month",
        "series_a_month",
        "rounds_raised",
        "last_stage",
        "capital_raised_cny",
        "grants_cny",
        "peak_headcount",
        "headcount_end",
        "revenue_end_cny",
        "valuation_peak_cny",
        "quasi_unicorn_month",
        "unicorn_month",
        "outcome",
        "outcome_month",
        "exit_reason",
    ])?;
    for (i, f) in firms.iter().enumerate() {
        let anchor = f.kind == Kind::Anchor;
        cw.write_record([
            i.to_string(),
            csv_text(&sc.def.region[f.region.index()].name).into_owned(),
            csv_text(&sc.def.sector[f.sector.index()].name).into_owned(),
            if anchor { "anchor" } else { "startup" }.to_string(),
            if anchor {
                String::new()
            } else {
                month_text(start, f.founded)
            },
            if anchor {
                String::new()
            } else {
                Education::ALL[f.founder_edu as usize].as_str().to_string()
            },
            csv_text(&programs_of(sc, f)).into_owned(),
            month_text(start, f.first_seed),
            month_text(start, f.series_a),
            f.rounds.to_string(),
            f.stage.as_str().to_string(),
            format!("{:.0}", f.capital_raised),
            format!("{:.0}", f.grants_total),
            f.peak_headcount.to_string(),
            if f.operating() {
                f.headcount.to_string()
            } else {
                "0".into()
            },
            format!("{:.0}", f.revenue_year()),
            format!("{:.0}", f.valuation_peak),
            month_text(start, f.quasi_unicorn),
            month_text(start, f.unicorn),
            f.outcome.as_str().to_string(),
            if f.outcome == Outcome::Active {
                String::new()
            } else {
                month_text(start, f.outcome_month)
            },
            f.exit_reason.as_str().to_string(),
        ])?;
    }
    cw.flush()
}

/// The `firm_years.csv` text: the firm-year panel, ordered by firm and year.
pub fn write_firm_years(w: &mut dyn Write, panel: &[FirmYear]) -> io::Result<()> {
    let mut rows: Vec<&FirmYear> = panel.iter().collect();
    rows.sort_by_key(|r| (r.firm_id, r.year));
    let mut cw = csv::Writer::from_writer(w);
    cw.write_record([
        "firm_id",
        "year",
        "headcount",
        "revenue_cny",
        "valuation_cny",
        "stage",
        "capital_raised_cny",
    ])?;
    for r in rows {
        cw.write_record([
            r.firm_id.to_string(),
            r.year.to_string(),
            r.headcount.to_string(),
            format!("{:.0}", r.revenue_cny),
            format!("{:.0}", r.valuation_cny),
            r.stage.as_str().to_string(),
            format!("{:.0}", r.raised_cny),
        ])?;
    }
    cw.flush()
}

/// End-of-run figures for one region: an element of `summary.json`'s `regions`, whose keys
/// are the field names (`docs/OUTPUTS.md`).
#[derive(Debug, Serialize)]
struct RegionSummary {
    region: String,
    talent_stock_end: u64,
    under35_stock_end: u64,
    high_level_stock_end: u64,
    graduate_arrivals_last_year: u64,
    graduate_arrivals_under35_last_year: u64,
    departures_last_year: u64,
    firms_founded: u64,
    active_startups_end: u64,
    seed_funded_firms: u64,
    series_a_firms: u64,
    failed: u64,
    acquired: u64,
    listed: u64,
    relocated: u64,
    quasi_unicorns: u64,
    unicorns: u64,
    industrialized_firms_end: u64,
    startup_jobs_end: u64,
    vc_capital_cny: i64,
    grant_cny: i64,
    loan_cny: i64,
    talent_fund_cny: i64,
    policy_spend_cny: i64,
    rd_share_firms_last_year: f64,
    patent_share_firms_last_year: f64,
    competition_projects: u64,
    competition_landed: u64,
}

/// The resolved knobs as JSON, in the order `talentsim show` prints them (each table's plain
/// values, then its tables and arrays of tables). Converted from the knob tree directly: going
/// through the TOML text took most of a run of 10,000 regions (the serializer's buffer grows
/// quadratically).
fn resolved_knobs(sc: &Scenario) -> Value {
    fn is_section(v: &toml::Value) -> bool {
        match v {
            toml::Value::Table(_) => true,
            toml::Value::Array(a) => !a.is_empty() && a.iter().all(|x| x.is_table()),
            _ => false,
        }
    }
    fn convert(v: &toml::Value) -> Value {
        match v {
            toml::Value::Table(t) => {
                let mut m = serde_json::Map::new();
                for pass in [false, true] {
                    for (k, x) in t.iter().filter(|(_, x)| is_section(x) == pass) {
                        m.insert(k.clone(), convert(x));
                    }
                }
                Value::Object(m)
            }
            toml::Value::Array(a) => Value::Array(a.iter().map(convert).collect()),
            other => serde_json::to_value(other).unwrap_or(Value::Null),
        }
    }
    convert(&crate::scenario::schema::Knob::write(&sc.def))
}

/// `summary.json`: a manifest and per-region end-of-run figures.
pub fn summary(sc: &Scenario, run: &RunResult) -> Value {
    let def = &sc.def;
    let rows = &run.recorder.rows;
    let nreg = def.region.len();
    let months = rows.len() / nreg.max(1);
    let regions: Vec<RegionSummary> = (0..nreg)
        .map(|ri| {
            let mine: Vec<&MonthRow> = rows.iter().skip(ri).step_by(nreg).collect();
            let last = mine.last().copied();
            let year: Vec<&MonthRow> = mine.iter().rev().take(12.min(months)).copied().collect();
            let sum = |f: &dyn Fn(&MonthRow) -> u64| -> u64 { year.iter().map(|r| f(r)).sum() };
            // Saturating: a CNY knob may be as large as 1e300 (each month's figure saturates
            // at i64::MAX when it is recorded, and so does their sum).
            let total = |f: &dyn Fn(&MonthRow) -> i64| -> i64 {
                mine.iter().fold(0i64, |a, r| a.saturating_add(f(r)))
            };
            let firms: Vec<&Firm> = run
                .firms
                .iter()
                .filter(|f| f.kind == Kind::Startup && f.region.index() == ri)
                .collect();
            let count = |pred: &dyn Fn(&Firm) -> bool| -> u64 {
                firms.iter().filter(|f| pred(f)).count() as u64
            };
            let rd_f: f64 = year.iter().map(|r| r.rd_spend_firms_cny as f64).sum();
            let rd_p: f64 = year.iter().map(|r| r.rd_spend_public_cny as f64).sum();
            let pa_f: f64 = year.iter().map(|r| r.patents_firms as f64).sum();
            let pa_p: f64 = year.iter().map(|r| r.patents_public as f64).sum();
            let share = |a: f64, b: f64| if a + b > 0.0 { a / (a + b) } else { 0.0 };
            RegionSummary {
                region: def.region[ri].name.clone(),
                talent_stock_end: last.map_or(0, |r| r.talent_stock),
                under35_stock_end: last.map_or(0, |r| r.under35_stock),
                high_level_stock_end: last.map_or(0, |r| r.high_level_stock),
                graduate_arrivals_last_year: sum(&|r| r.graduate_arrivals),
                graduate_arrivals_under35_last_year: sum(&|r| r.graduate_arrivals_under35),
                departures_last_year: sum(&|r| r.departures),
                firms_founded: count(&|f| f.founded >= 0),
                active_startups_end: last.map_or(0, |r| r.active_startups),
                seed_funded_firms: count(&|f| during_run(f.first_seed)),
                series_a_firms: count(&|f| during_run(f.series_a)),
                failed: count(&|f| f.outcome == Outcome::Failed && during_run(f.outcome_month)),
                acquired: count(&|f| f.outcome == Outcome::Acquired && during_run(f.outcome_month)),
                listed: count(&|f| f.outcome == Outcome::Listed && during_run(f.outcome_month)),
                relocated: count(&|f| {
                    f.outcome == Outcome::Relocated && during_run(f.outcome_month)
                }),
                quasi_unicorns: count(&|f| during_run(f.quasi_unicorn)),
                unicorns: count(&|f| during_run(f.unicorn)),
                industrialized_firms_end: last.map_or(0, |r| r.industrialized_firms),
                startup_jobs_end: last.map_or(0, |r| r.startup_jobs),
                vc_capital_cny: total(&|r| r.vc_capital_cny),
                grant_cny: total(&|r| r.grant_cny),
                loan_cny: total(&|r| r.loan_cny),
                talent_fund_cny: total(&|r| r.talent_fund_cny),
                policy_spend_cny: total(&|r| r.policy_spend_cny),
                rd_share_firms_last_year: share(rd_f, rd_p),
                patent_share_firms_last_year: share(pa_f, pa_p),
                competition_projects: mine.iter().map(|r| r.competition_projects).sum(),
                competition_landed: mine.iter().map(|r| r.competition_landed).sum(),
            }
        })
        .collect();
    let knobs: Value = resolved_knobs(sc);
    json!({
        "manifest": {
            "talentsim_version": crate::VERSION,
            "scenario": def.name,
            "scenario_file": sc.path.display().to_string(),
            "scenario_hash": sc.source_hash,
            "seed": run.seed,
            "scale": def.scale,
            "start": def.start.to_string(),
            "end": def.end.to_string(),
            "months": months,
            "resolved_knobs": knobs,
        },
        "regions": regions,
    })
}

/// Write every output of a run into `dir` (the files in parallel); returns the `summary.json`
/// value written.
pub fn write_run(dir: &Path, sc: &Scenario, run: &RunResult) -> Result<Value, OutputError> {
    // The files are independent: the two large ones (firms, the firm-year panel) are written
    // beside the rest, and an error is reported for the first file in this order that failed.
    let ((series, firms), (panel, summary)) = rayon::join(
        || {
            rayon::join(
                || {
                    write_atomic(&dir.join("timeseries.csv"), |w| {
                        write_timeseries(w, &run.recorder.rows)
                    })
                },
                || write_atomic(&dir.join("firms.csv"), |w| write_firms(w, sc, &run.firms)),
            )
        },
        || {
            rayon::join(
                || {
                    write_atomic(&dir.join("firm_years.csv"), |w| {
                        write_firm_years(w, &run.panel)
                    })
                },
                || {
                    let summary = summary(sc, run);
                    write_atomic(&dir.join("summary.json"), |w| {
                        serde_json::to_writer_pretty(&mut *w, &summary)
                            .map_err(io::Error::other)?;
                        w.write_all(b"\n")
                    })
                    .map(|()| summary)
                },
            )
        },
    );
    series?;
    firms?;
    panel?;
    summary
}

#[cfg(test)]
mod csv_text_tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_restored_exactly() {
        for s in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=x",
            "''-x",
        ] {
            let c = csv_text(s);
            assert!(c.starts_with('\''), "{s}");
            assert_eq!(csv_text_back(&c), s);
        }
        for s in ["Binjiang", "滨江", "'quoted'", "a=b", "", "'"] {
            assert_eq!(csv_text(s), s);
            assert_eq!(csv_text_back(s), s);
        }
    }
}

#[cfg(test)]
mod atomic_tests {
    use super::*;

    #[test]
    fn a_failed_atomic_write_leaves_neither_the_file_nor_its_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let r = write_atomic(&path, |w| {
            w.write_all(b"half a file")?;
            Err(io::Error::other("disk full"))
        });
        assert!(r.is_err());
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "left behind: {left:?}");
        write_atomic(&path, |w| w.write_all(b"whole")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"whole");
    }
}
