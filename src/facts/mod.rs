//! Validation facts: published regularities of firm dynamics and venture funding, computed
//! from finished run directories and set against the published values.
//!
//! Each run directory (`summary.json`, `firms.csv`, `firm_years.csv`, as `talentsim run`
//! writes them) is read by column name ([`input`]), reduced to per-run [`Measures`] (a
//! Kaplan–Meier survival curve with delayed entry, the seed cohort's funnel, the size tail, the
//! growth-rate pairs), and every fact of [`FACTS`] is computed per run; the [`Report`] gives the
//! mean over runs with a 95% t interval and whether the mean lies in the fact's accepted band.
//! Only startups count (anchors are skipped). Every statistic is a share, rate or exponent, so
//! the scale of the runs does not matter; counts are of agents.
//!
//! ```no_run
//! let report = talentsim::facts::evaluate(&["out/binjiang".into()]).unwrap();
//! print!("{}", report.text());
//! assert!(report.all_in_band());
//! ```

pub mod growth;
pub mod input;
mod report;
pub mod survival;
pub mod venture;

use std::path::{Path, PathBuf};

pub use input::{Run, read_run};
pub use report::{FactValue, Report};

use growth::GrowthPair;
use venture::Funnel;

/// A problem with the input: the run directories or their files.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    /// No run directory given.
    #[error("no run directories given")]
    NoRuns,
    /// A path given as a run directory is not a directory.
    #[error("{}: not a directory", dir.display())]
    NotADirectory {
        /// The path given.
        dir: PathBuf,
    },
    /// A directory lacks one of the files a run writes.
    #[error(
        "{}: not a run directory: `{missing}` is missing (a run has summary.json, firms.csv and firm_years.csv, as `talentsim run` writes them)",
        dir.display()
    )]
    NotARun {
        /// The directory.
        dir: PathBuf,
        /// The first of its missing files.
        missing: &'static str,
    },
    /// The same run directory is given twice.
    #[error("{} is given twice", dir.display())]
    SameDirectory {
        /// The directory.
        dir: PathBuf,
    },
    /// Two runs' manifests disagree on the scenario or the period.
    #[error(
        "{} and {} are runs of different scenarios or periods: `{field}` is `{first_value}` in the first and `{other_value}` in the second",
        first.display(),
        other.display()
    )]
    DifferentScenario {
        /// The first run directory given.
        first: PathBuf,
        /// The run directory that differs from it.
        other: PathBuf,
        /// The manifest field that differs (`scenario_hash`, `start` or `end`).
        field: &'static str,
        /// The field's value in the first run.
        first_value: String,
        /// The field's value in the other run.
        other_value: String,
    },
    /// A file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// `summary.json` is not valid JSON.
    #[error("{}: not valid JSON: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A manifest field of `summary.json` is missing or malformed.
    #[error("{}: `manifest.{field}`: {problem}", path.display())]
    Manifest {
        /// The file.
        path: PathBuf,
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A CSV file could not be parsed.
    #[error("{}:{line}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The line, 1-based.
        line: u64,
        /// The parser's message.
        message: String,
    },
    /// A column the facts need is missing from a CSV file's header.
    #[error("{}:1: column `{column}` is missing from the header", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: &'static str,
    },
    /// A CSV row has a different number of fields than the header.
    #[error("{}:{line}: {found} fields, but the header has {expected}", path.display())]
    FieldCount {
        /// The file.
        path: PathBuf,
        /// The row's line, 1-based.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A CSV cell does not hold what its column should (a month, a number, an outcome).
    #[error("{}:{line}: column `{column}`: `{value}` is not {expected}", path.display())]
    BadValue {
        /// The file.
        path: PathBuf,
        /// The row's line, 1-based.
        line: u64,
        /// The column.
        column: &'static str,
        /// The cell's text.
        value: String,
        /// What the column should hold (`a number`, `a month YYYY-MM or empty`, …).
        expected: &'static str,
    },
}

/// What one run contributes to the facts, computed once per run.
#[derive(Debug, Clone)]
pub struct Measures {
    /// Kaplan–Meier `S(a)` for ages `a` = 0..=[`MAX_AGE_MONTHS`] months.
    pub survival: Vec<Option<f64>>,
    /// The seed cohort's funnel.
    pub funnel: Funnel,
    /// Pareto exponent of operating startups' end headcounts (≥ [`HILL_MIN_SIZE`]).
    pub hill: Option<f64>,
    /// Consecutive-year headcount pairs.
    pub pairs: Vec<GrowthPair>,
    /// Share of 5050-backed startups not failed by 2023-12.
    pub program_survival: Option<f64>,
    /// Startup agents in the run.
    pub startups: usize,
    /// Failed startups by `exit_reason`, where `firms.csv` has the column.
    pub deaths_by_reason: Option<Vec<(String, usize)>>,
}

/// Oldest age the survival curve is computed to (15 years).
pub const MAX_AGE_MONTHS: u32 = 180;
/// Smallest headcount in the Pareto tail.
pub const HILL_MIN_SIZE: f64 = 10.0;
/// Fewest firms in the tail for the Pareto exponent.
pub const HILL_MIN_N: usize = 30;

/// Reduce a run to its [`Measures`].
pub fn measure(run: &Run) -> Measures {
    let operating: Vec<f64> = run
        .firms
        .iter()
        .filter(|f| matches!(f.outcome, input::Outcome::Active | input::Outcome::Listed))
        .map(|f| f.headcount_end)
        .collect();
    Measures {
        survival: survival::kaplan_meier(&survival::spells(run), MAX_AGE_MONTHS),
        funnel: venture::funnel(run),
        hill: growth::hill_alpha(&operating, HILL_MIN_SIZE, HILL_MIN_N),
        pairs: growth::growth_pairs(run),
        program_survival: venture::program_survival(run, "5050", venture::PROGRAM_CUTOFF),
        startups: run.firms.len(),
        deaths_by_reason: run.has_exit_reason.then(|| deaths_by_reason(run)),
    }
}

fn deaths_by_reason(run: &Run) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for f in run
        .firms
        .iter()
        .filter(|f| f.outcome == input::Outcome::Failed)
    {
        let reason = f.exit_reason.clone().unwrap_or_else(|| "(empty)".into());
        *counts.entry(reason).or_default() += 1;
    }
    counts.into_iter().collect()
}

/// A published regularity, its accepted band, and how to compute it from a run.
#[derive(Debug, Clone, Copy)]
pub struct Fact {
    /// Short name, unique.
    pub name: &'static str,
    /// Unit of the value.
    pub unit: &'static str,
    /// The published value.
    pub published: f64,
    /// The accepted band, inclusive: `(low, high)`.
    pub band: (f64, f64),
    /// Where the value comes from: paper or data set, and year.
    pub source: &'static str,
    /// The fact's value for one run; `None` when it cannot be computed.
    pub compute: fn(&Measures) -> Option<f64>,
}

impl Fact {
    /// Whether `x` lies in the band.
    pub fn in_band(&self, x: f64) -> bool {
        self.band.0 <= x && x <= self.band.1
    }
}

const BLS: &str =
    "US BLS Business Employment Dynamics, establishments born March 1994 (BLS TED 2018-11-01)";
const BLS_HAZARD: &str =
    "US BLS Business Employment Dynamics, March 1994 cohort (BLS TED 2018-11-01), from survival";
const CB: &str =
    "CB Insights, The Venture Capital Funnel 2017 (1,098 US seed-funded tech firms, 2008-10)";
const STANLEY: &str =
    "Stanley et al. 1996, Nature 379:804; Amaral et al. 1997, J. Phys. I France 7:621";

/// Every fact, in the order reported.
pub static FACTS: &[Fact] = &[
    Fact {
        name: "survival 1 year",
        unit: "share",
        published: 0.796,
        band: (0.716, 0.876),
        source: BLS,
        compute: |m| survival::at_years(&m.survival, 1),
    },
    Fact {
        name: "survival 2 years",
        unit: "share",
        published: 0.681,
        band: (0.601, 0.761),
        source: BLS,
        compute: |m| survival::at_years(&m.survival, 2),
    },
    Fact {
        name: "survival 5 years",
        unit: "share",
        published: 0.496,
        band: (0.416, 0.576),
        source: BLS,
        compute: |m| survival::at_years(&m.survival, 5),
    },
    Fact {
        name: "survival 10 years",
        unit: "share",
        published: 0.336,
        band: (0.256, 0.416),
        source: BLS,
        compute: |m| survival::at_years(&m.survival, 10),
    },
    Fact {
        name: "survival 15 years",
        unit: "share",
        published: 0.255,
        band: (0.175, 0.335),
        source: BLS,
        compute: |m| survival::at_years(&m.survival, 15),
    },
    Fact {
        name: "hazard year 1",
        unit: "per year",
        published: 0.204,
        band: (0.10, 0.30),
        source: BLS_HAZARD,
        compute: |m| survival::mean_hazard(&m.survival, 1, 1),
    },
    Fact {
        name: "hazard year 2",
        unit: "per year",
        published: 0.144,
        band: (0.07, 0.22),
        source: BLS_HAZARD,
        compute: |m| survival::mean_hazard(&m.survival, 2, 2),
    },
    Fact {
        name: "hazard years 3-5",
        unit: "per year",
        published: 0.10,
        band: (0.05, 0.16),
        source: BLS_HAZARD,
        compute: |m| survival::mean_hazard(&m.survival, 3, 5),
    },
    Fact {
        name: "hazard years 6-10",
        unit: "per year",
        published: 0.075,
        band: (0.035, 0.12),
        source: BLS_HAZARD,
        compute: |m| survival::mean_hazard(&m.survival, 6, 10),
    },
    Fact {
        name: "hazard years 11-15",
        unit: "per year",
        published: 0.054,
        band: (0.025, 0.09),
        source: BLS_HAZARD,
        compute: |m| survival::mean_hazard(&m.survival, 11, 15),
    },
    Fact {
        name: "peak hazard year of age (1-10)",
        unit: "years",
        published: 2.0,
        band: (1.0, 4.0),
        source: "US BLS BED 1994 cohort (year 1); China SAIC 2013, 全国内资企业生存时间分析报告 (year 3)",
        compute: |m| survival::peak_hazard_year(&m.survival, 10),
    },
    Fact {
        name: "seed cohort raising 2+ rounds",
        unit: "share",
        published: 0.46,
        band: (0.35, 0.56),
        source: CB,
        compute: |m| m.funnel.share(2),
    },
    Fact {
        name: "seed cohort raising 3+ rounds",
        unit: "share",
        published: 0.28,
        band: (0.18, 0.38),
        source: CB,
        compute: |m| m.funnel.share(3),
    },
    Fact {
        name: "seed cohort raising 4+ rounds",
        unit: "share",
        published: 0.14,
        band: (0.08, 0.22),
        source: CB,
        compute: |m| m.funnel.share(4),
    },
    Fact {
        name: "median seed to series A",
        unit: "months",
        published: 20.0,
        band: (12.0, 30.0),
        source: "Carta, median seed to Series A interval: 1.5 y 2019, 1.2 y Q4 2021, 2.1 y Q4 2024",
        compute: |m| m.funnel.median_seed_to_a(),
    },
    Fact {
        name: "Pareto exponent of headcount (10+)",
        unit: "exponent",
        published: 1.059,
        band: (0.7, 1.5),
        source: "Axtell 2001, Science 293:1818 (US firms by employees, 1.059 ± 0.054)",
        compute: |m| m.hill,
    },
    Fact {
        name: "growth sd scaling beta (5+)",
        unit: "exponent",
        published: 0.18,
        band: (0.05, 0.35),
        source: STANLEY,
        compute: |m| growth::size_variance_beta(&m.pairs),
    },
    Fact {
        name: "growth-rate kurtosis (5+)",
        unit: "m4/m2^2",
        published: 6.0,
        band: (4.0, 20.0),
        source: "Stanley et al. 1996, Nature 379:804 (Laplace growth rates)",
        compute: |m| growth::tent_kurtosis(&m.pairs),
    },
    Fact {
        name: "growth, ages 1-5 minus 6+",
        unit: "log/year",
        published: 0.08,
        band: (0.02, 0.40),
        source: "Haltiwanger, Jarmin & Miranda 2013, REStat 95(2):347",
        compute: |m| growth::young_growth_gap(&m.pairs),
    },
    Fact {
        name: "micro firms (<=4) changing size",
        unit: "share",
        published: 0.5,
        band: (0.3, 0.9),
        source: "approx.: Davis, Haltiwanger & Schuh 1996, Job Creation and Destruction (gross flows large at every size)",
        compute: |m| growth::micro_change_share(&m.pairs),
    },
    Fact {
        name: "5050-backed survival to 2023-12",
        unit: "share",
        published: 0.9,
        band: (0.88, 1.0),
        source: "Binjiang talent department, Shanghai Daily 2024-05-29 (\"over 90 percent of the subsidized companies have survived\", 2010-2024)",
        compute: |m| m.program_survival,
    },
];

/// Read run directories: each must be a run, none given twice, all of the same scenario and
/// period (the manifest's `scenario_hash`, `start` and `end`).
pub fn read_runs(dirs: &[PathBuf]) -> Result<Vec<Run>, FactsError> {
    if dirs.is_empty() {
        return Err(FactsError::NoRuns);
    }
    let mut seen: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        let canonical = dir.canonicalize().ok().filter(|d| d.is_dir());
        let canonical = canonical.ok_or_else(|| FactsError::NotADirectory { dir: dir.clone() })?;
        if seen.contains(&canonical) {
            return Err(FactsError::SameDirectory { dir: dir.clone() });
        }
        seen.push(canonical);
    }
    let runs = dirs
        .iter()
        .map(|d| read_run(d))
        .collect::<Result<Vec<_>, _>>()?;
    for run in &runs[1..] {
        same_scenario(&runs[0], run)?;
    }
    Ok(runs)
}

fn same_scenario(first: &Run, other: &Run) -> Result<(), FactsError> {
    let (a, b) = (&first.manifest, &other.manifest);
    let fields = [
        (
            "scenario_hash",
            a.scenario_hash.clone(),
            b.scenario_hash.clone(),
        ),
        ("start", a.start.to_string(), b.start.to_string()),
        ("end", a.end.to_string(), b.end.to_string()),
    ];
    match fields.into_iter().find(|(_, x, y)| x != y) {
        Some((field, first_value, other_value)) => Err(FactsError::DifferentScenario {
            first: first.dir.clone(),
            other: other.dir.clone(),
            field,
            first_value,
            other_value,
        }),
        None => Ok(()),
    }
}

/// Read the run directories and compute every fact.
pub fn evaluate(dirs: &[PathBuf]) -> Result<Report, FactsError> {
    let runs = read_runs(dirs)?;
    let measures: Vec<Measures> = runs.iter().map(measure).collect();
    let dirs: Vec<&Path> = runs.iter().map(|r| r.dir.as_path()).collect();
    Ok(Report::new(&dirs, &measures))
}
