//! Reading a run directory (`summary.json`, `firms.csv`, `firm_years.csv`) by column name.
//!
//! Only the columns the facts use are required; extra columns are ignored, so the reader keeps
//! working as the outputs grow. Every problem names the file, the line and the column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::FactsError;
use crate::scenario::Month;

/// The run's identity, from `summary.json`'s `manifest`.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Scenario name (empty if the manifest has none).
    pub scenario: String,
    /// Hash of every source the scenario was read from.
    pub scenario_hash: String,
    /// Seed of the run, if recorded.
    pub seed: Option<u64>,
    /// First simulated month.
    pub start: Month,
    /// Last simulated month (inclusive).
    pub end: Month,
}

/// How a firm's story ended (or has not yet): the simulator's own outcome type.
pub use crate::model::firm::Outcome;

/// Values `exit_reason` may take when not empty.
pub const EXIT_REASONS: [&str; 5] = [
    "out_of_cash",
    "founder_quit",
    "acquired",
    "listed",
    "relocated",
];

/// One startup of `firms.csv` (anchors are skipped when reading).
#[derive(Debug, Clone, PartialEq)]
pub struct Firm {
    /// `firm_id`.
    pub id: String,
    /// `founded_month`: the month the startup was founded.
    pub founded: Month,
    /// Names in `backed_by_programs`.
    pub programs: Vec<String>,
    /// `first_seed_month`: the month of its first seed round, if any.
    pub first_seed: Option<Month>,
    /// `series_a_month`: the month of its series A, if any.
    pub series_a: Option<Month>,
    /// `rounds_raised`: venture rounds raised.
    pub rounds: u32,
    /// `headcount_end`: people employed at the end of the run.
    pub headcount_end: f64,
    /// `outcome`: active, failed, acquired, listed or relocated.
    pub outcome: Outcome,
    /// `outcome_month`: the month of the outcome (`None` while active).
    pub outcome_month: Option<Month>,
    /// `exit_reason`, where the file has the column and the cell is not empty.
    pub exit_reason: Option<String>,
}

/// One row of `firm_years.csv` belonging to a startup.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirmYear {
    /// Index of the firm in [`Run::firms`].
    pub firm: usize,
    /// The calendar year.
    pub year: u32,
    /// The firm's headcount at the end of the year (or of the run, or at its exit), people.
    pub headcount: f64,
}

/// A run directory, read.
#[derive(Debug, Clone)]
pub struct Run {
    /// The run directory, as given.
    pub dir: PathBuf,
    /// The run's identity, from `summary.json`.
    pub manifest: Manifest,
    /// Startups only.
    pub firms: Vec<Firm>,
    /// Rows of startups only, in file order.
    pub years: Vec<FirmYear>,
    /// Whether `firms.csv` has an `exit_reason` column.
    pub has_exit_reason: bool,
}

/// The files a run directory must hold.
pub const RUN_FILES: [&str; 3] = ["summary.json", "firms.csv", "firm_years.csv"];

/// Read a run directory written by `talentsim run`.
pub fn read_run(dir: &Path) -> Result<Run, FactsError> {
    for f in RUN_FILES {
        if !dir.join(f).is_file() {
            return Err(FactsError::NotARun {
                dir: dir.to_path_buf(),
                missing: f,
            });
        }
    }
    let manifest = read_manifest(&dir.join("summary.json"))?;
    let (firms, kinds, has_exit_reason) = read_firms(&dir.join("firms.csv"))?;
    let years = read_firm_years(&dir.join("firm_years.csv"), &kinds)?;
    Ok(Run {
        dir: dir.to_path_buf(),
        manifest,
        firms,
        years,
        has_exit_reason,
    })
}

fn read_manifest(path: &Path) -> Result<Manifest, FactsError> {
    let text = std::fs::read_to_string(path).map_err(|source| FactsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let v: Value = serde_json::from_str(&text).map_err(|e| FactsError::Json {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let m = &v["manifest"];
    let bad = |field: &'static str, problem: &str| FactsError::Manifest {
        path: path.to_path_buf(),
        field,
        problem: problem.to_string(),
    };
    let month = |field: &'static str| -> Result<Month, FactsError> {
        let s = m[field].as_str().ok_or_else(|| bad(field, "missing"))?;
        Month::parse(s).ok_or_else(|| bad(field, &format!("`{s}` is not a month YYYY-MM")))
    };
    let scenario_hash = match &m["scenario_hash"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err(bad("scenario_hash", "missing")),
    };
    let (start, end) = (month("start")?, month("end")?);
    if end < start {
        return Err(bad("end", "before `start`"));
    }
    Ok(Manifest {
        scenario: m["scenario"].as_str().unwrap_or_default().to_string(),
        scenario_hash,
        seed: m["seed"].as_u64(),
        start,
        end,
    })
}

/// A CSV file being read: its path, column positions by name, and the current line.
struct Table {
    path: PathBuf,
    reader: csv::Reader<std::fs::File>,
    columns: HashMap<String, usize>,
    width: usize,
}

/// A record with what is needed to read its cells and report where a problem is.
struct Row<'a> {
    table: &'a Table,
    record: &'a csv::StringRecord,
    line: u64,
}

impl Table {
    fn open(path: &Path) -> Result<Table, FactsError> {
        let file = std::fs::File::open(path).map_err(|source| FactsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let headers = reader.headers().map_err(|e| csv_error(path, e))?.clone();
        let columns = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_string(), i))
            .collect();
        Ok(Table {
            path: path.to_path_buf(),
            reader,
            columns,
            width: headers.len(),
        })
    }

    /// Fail unless every column in `names` is in the header.
    fn require(&self, names: &[&'static str]) -> Result<(), FactsError> {
        match names.iter().find(|n| !self.columns.contains_key(**n)) {
            Some(n) => Err(FactsError::MissingColumn {
                path: self.path.clone(),
                column: n,
            }),
            None => Ok(()),
        }
    }

    /// Call `f` on every record, checking its number of fields first.
    fn each(
        &mut self,
        mut f: impl FnMut(&Row) -> Result<(), FactsError>,
    ) -> Result<(), FactsError> {
        let mut record = csv::StringRecord::new();
        loop {
            let more = self
                .reader
                .read_record(&mut record)
                .map_err(|e| csv_error(&self.path, e))?;
            if !more {
                return Ok(());
            }
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != self.width {
                return Err(FactsError::FieldCount {
                    path: self.path.clone(),
                    line,
                    expected: self.width,
                    found: record.len(),
                });
            }
            f(&Row {
                table: self,
                record: &record,
                line,
            })?;
        }
    }
}

fn csv_error(path: &Path, e: csv::Error) -> FactsError {
    FactsError::Csv {
        path: path.to_path_buf(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    }
}

impl Row<'_> {
    /// The cell of a column known to be in the header.
    fn get(&self, column: &str) -> &str {
        self.table
            .columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
            .trim()
    }

    fn bad(&self, column: &'static str, expected: &'static str) -> FactsError {
        FactsError::BadValue {
            path: self.table.path.clone(),
            line: self.line,
            column,
            value: self.get(column).to_string(),
            expected,
        }
    }

    fn number(&self, column: &'static str) -> Result<f64, FactsError> {
        self.get(column)
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| self.bad(column, "a number"))
    }

    fn count(&self, column: &'static str) -> Result<u32, FactsError> {
        self.get(column)
            .parse()
            .map_err(|_| self.bad(column, "a whole number ≥ 0"))
    }

    /// A month, or `None` for an empty cell.
    fn month(&self, column: &'static str) -> Result<Option<Month>, FactsError> {
        match self.get(column) {
            "" => Ok(None),
            s => Month::parse(s)
                .map(Some)
                .ok_or_else(|| self.bad(column, "a month YYYY-MM or empty")),
        }
    }
}

const FIRM_COLUMNS: [&str; 10] = [
    "firm_id",
    "kind",
    "founded_month",
    "backed_by_programs",
    "first_seed_month",
    "series_a_month",
    "rounds_raised",
    "headcount_end",
    "outcome",
    "outcome_month",
];

/// Firm ids by kind: `Some(index)` for a startup, `None` for an anchor.
type Kinds = HashMap<String, Option<usize>>;

fn read_firms(path: &Path) -> Result<(Vec<Firm>, Kinds, bool), FactsError> {
    let mut t = Table::open(path)?;
    t.require(&FIRM_COLUMNS)?;
    let has_exit_reason = t.columns.contains_key("exit_reason");
    let (mut firms, mut kinds) = (Vec::new(), Kinds::new());
    t.each(|row| {
        let id = row.get("firm_id").to_string();
        let startup = match row.get("kind") {
            "startup" => true,
            "anchor" => false,
            _ => return Err(row.bad("kind", "`startup` or `anchor`")),
        };
        let index = startup.then_some(firms.len());
        if kinds.insert(id.clone(), index).is_some() {
            return Err(row.bad("firm_id", "an id not used on an earlier line"));
        }
        if startup {
            firms.push(read_firm(row, id, has_exit_reason)?);
        }
        Ok(())
    })?;
    Ok((firms, kinds, has_exit_reason))
}

fn read_firm(row: &Row, id: String, has_exit_reason: bool) -> Result<Firm, FactsError> {
    let founded = row
        .month("founded_month")?
        .ok_or_else(|| row.bad("founded_month", "a month YYYY-MM (a startup's founding)"))?;
    let outcome = Outcome::parse(row.get("outcome")).ok_or_else(|| row.bad("outcome", OUTCOMES))?;
    let outcome_month = row.month("outcome_month")?;
    if outcome != Outcome::Active && outcome_month.is_none() {
        return Err(row.bad(
            "outcome_month",
            "the month of the outcome (it is not `active`)",
        ));
    }
    if outcome_month.is_some_and(|m| m < founded) {
        return Err(row.bad("outcome_month", "a month at or after `founded_month`"));
    }
    let exit_reason = match row.get("exit_reason") {
        "" => None,
        r if has_exit_reason && EXIT_REASONS.contains(&r) => Some(r.to_string()),
        _ => return Err(row.bad("exit_reason", REASONS)),
    };
    Ok(Firm {
        id,
        founded,
        programs: row
            .get("backed_by_programs")
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect(),
        first_seed: row.month("first_seed_month")?,
        series_a: row.month("series_a_month")?,
        rounds: row.count("rounds_raised")?,
        headcount_end: row.number("headcount_end")?,
        outcome,
        outcome_month,
        exit_reason,
    })
}

const OUTCOMES: &str = "one of `active`, `failed`, `acquired`, `listed`, `relocated`";
const REASONS: &str =
    "empty or one of `out_of_cash`, `founder_quit`, `acquired`, `listed`, `relocated`";

fn read_firm_years(path: &Path, kinds: &Kinds) -> Result<Vec<FirmYear>, FactsError> {
    let mut t = Table::open(path)?;
    t.require(&["firm_id", "year", "headcount"])?;
    let mut years = Vec::new();
    t.each(|row| {
        let firm = match kinds.get(row.get("firm_id")) {
            Some(Some(i)) => *i,
            Some(None) => return Ok(()),
            None => return Err(row.bad("firm_id", "the id of a firm in firms.csv")),
        };
        let year = row.count("year")?;
        let headcount = row.number("headcount")?;
        years.push(FirmYear {
            firm,
            year,
            headcount,
        });
        Ok(())
    })?;
    Ok(years)
}
