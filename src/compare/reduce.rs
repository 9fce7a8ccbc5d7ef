//! The headline metrics of a run, and the reduction of a run to them.
//!
//! A run is first cut down to a [`RunTable`] — the few `timeseries.csv` columns the metrics
//! read, month by region, and four firm counts — either from a finished [`RunResult`] (what
//! `compare` does, dropping the run at once) or from a run's saved outputs (what `plot` does).
//! The metrics are then computed from the table alone, so a comparison and a single run are
//! measured by the same code.

use std::path::Path;

use super::CompareError;
use crate::metrics::RunResult;
use crate::model::firm::{Kind, Outcome, during_run};
use crate::scenario::{Month, Scenario};

/// The `timeseries.csv` columns the metrics read.
pub(crate) const COLUMNS: &[&str] = &[
    "talent_stock",
    "founders",
    "new_firms",
    "active_startups",
    "firms_seed",
    "firms_series_a",
    "firms_series_b",
    "firms_series_c",
    "firms_growth",
    "industrialized_firms",
    "listed_cumulative",
    "quasi_unicorns",
    "unicorns",
    "startup_jobs",
    "vc_capital_cny",
    "talent_fund_cny",
    "grant_cny",
    "loan_cny",
    "policy_spend_cny",
    "high_level_arrivals",
    "people_moved_in",
    "people_moved_out",
];

/// Firm counts over the run (one agent per real firm at any `scale`), startups only.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FirmCounts {
    /// Startups founded.
    pub founded: f64,
    /// Startups that raised a seed round.
    pub seed: f64,
    /// Startups that reached series A.
    pub series_a: f64,
    /// Startups that listed or reached a valuation of USD 1 billion.
    pub listed_or_unicorn: f64,
}

/// What the metrics need of one run.
#[derive(Debug, Clone)]
pub struct RunTable {
    /// First month of the run.
    pub start: Month,
    /// Months of the run.
    pub months: usize,
    /// The run's regions, in order.
    pub regions: Vec<String>,
    /// `values[c][t * regions + r]` for column `COLUMNS[c]`.
    values: Vec<Vec<f64>>,
    /// Startup counts over the run.
    pub firms: FirmCounts,
}

impl RunTable {
    /// Cut a finished run down to its table.
    pub fn from_run(sc: &Scenario, run: &RunResult) -> RunTable {
        let values = COLUMNS
            .iter()
            .map(|c| {
                run.recorder
                    .rows
                    .iter()
                    .map(|r| r.value(c).unwrap_or(0.0))
                    .collect()
            })
            .collect();
        let mut n = [0usize; 4];
        for f in run.firms.iter().filter(|f| f.kind == Kind::Startup) {
            // Firms of the initial population count from the start; events before it do not.
            n[0] += (f.founded >= 0) as usize;
            n[1] += during_run(f.first_seed) as usize;
            n[2] += during_run(f.series_a) as usize;
            n[3] += ((f.outcome == Outcome::Listed && during_run(f.outcome_month))
                || during_run(f.unicorn)) as usize;
        }
        let regions: Vec<String> = sc.def.region.iter().map(|r| r.name.clone()).collect();
        RunTable {
            start: sc.def.start,
            months: run.recorder.rows.len() / regions.len().max(1),
            regions,
            values,
            firms: FirmCounts {
                founded: n[0] as f64,
                seed: n[1] as f64,
                series_a: n[2] as f64,
                listed_or_unicorn: n[3] as f64,
            },
        }
    }

    /// Read a run's saved outputs (`timeseries.csv`, `firms.csv`, `summary.json`).
    /// Returns the table and the scenario name.
    pub fn from_dir(dir: &Path) -> Result<(RunTable, String), CompareError> {
        let (name, start) = read_summary(&dir.join("summary.json"))?;
        let ts = read_timeseries(&dir.join("timeseries.csv"))?;
        let firms = read_firm_counts(&dir.join("firms.csv"))?;
        let table = RunTable {
            start,
            months: ts.months,
            regions: ts.regions,
            values: ts.values,
            firms,
        };
        Ok((table, name))
    }

    fn col(&self, name: &str) -> &[f64] {
        let c = COLUMNS
            .iter()
            .position(|x| *x == name)
            .expect("a column the reduction reads");
        &self.values[c]
    }

    /// A column summed over regions, month by month.
    pub fn total(&self, name: &str) -> Vec<f64> {
        let nreg = self.regions.len().max(1);
        self.col(name)
            .chunks(nreg)
            .map(|c| c.iter().sum())
            .collect()
    }

    /// A column of one region, month by month.
    pub fn of_region(&self, name: &str, region: usize) -> Vec<f64> {
        let nreg = self.regions.len().max(1);
        self.col(name)
            .iter()
            .skip(region)
            .step_by(nreg)
            .copied()
            .collect()
    }

    /// The months of the run.
    pub fn month_list(&self) -> Vec<Month> {
        (0..self.months)
            .map(|t| Month(self.start.0 + t as u32))
            .collect()
    }

    fn sum(&self, name: &str) -> f64 {
        self.col(name).iter().sum()
    }

    fn last(&self, name: &str) -> f64 {
        self.total(name).last().copied().unwrap_or(0.0)
    }

    fn sum_of(&self, names: &[&str]) -> Vec<f64> {
        let mut out = vec![0.0; self.months];
        for n in names {
            for (o, v) in out.iter_mut().zip(self.total(n)) {
                *o += v;
            }
        }
        out
    }
}

/// The scenario name and the start month in a run's `summary.json` at `path`.
fn read_summary(path: &Path) -> Result<(String, Month), CompareError> {
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).map_err(|source| {
            CompareError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?)
        .map_err(|source| CompareError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
    let m = &summary["manifest"];
    let name = m["scenario"].as_str().unwrap_or("run").to_string();
    let start = m["start"]
        .as_str()
        .and_then(Month::parse)
        .ok_or(CompareError::BadStart)?;
    Ok((name, start))
}

/// The [`COLUMNS`] of a run's `timeseries.csv`.
struct Timeseries {
    /// Months of the run.
    months: usize,
    /// The regions, in order of first appearance.
    regions: Vec<String>,
    /// `values[c][t * regions + r]` for column `COLUMNS[c]`.
    values: Vec<Vec<f64>>,
}

/// Read the [`COLUMNS`] of the `timeseries.csv` at `path`: one row per month and region.
fn read_timeseries(path: &Path) -> Result<Timeseries, CompareError> {
    let read_err = CompareError::reading_csv(path);
    let mut rd = csv::Reader::from_path(path).map_err(read_err)?;
    let header = rd.headers()?.clone();
    let idx = |name: &str| column(&header, path, name);
    let region_i = idx("region")?;
    let month_i = idx("month")?;
    let cols: Vec<usize> = COLUMNS.iter().map(|c| idx(c)).collect::<Result<_, _>>()?;
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); COLUMNS.len()];
    let mut regions: Vec<String> = Vec::new();
    let mut months: Vec<String> = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(read_err)?;
        let region = crate::output::csv_text_back(&rec[region_i]);
        if !regions.iter().any(|r| r == region) {
            regions.push(region.to_string());
        }
        if months.last().map(String::as_str) != Some(&rec[month_i]) {
            months.push(rec[month_i].to_string());
        }
        for (k, &ci) in cols.iter().enumerate() {
            let v: f64 = rec[ci]
                .parse()
                .map_err(|source| CompareError::NotANumberIn {
                    path: path.to_path_buf(),
                    value: rec[ci].to_string(),
                    column: COLUMNS[k],
                    source,
                })?;
            values[k].push(v);
        }
    }
    if values[0].len() != months.len() * regions.len() {
        return Err(CompareError::NotMonthByRegion {
            path: path.to_path_buf(),
        });
    }
    Ok(Timeseries {
        months: months.len(),
        regions,
        values,
    })
}

/// Count the startups of the `firms.csv` at `path`: founded, seeded, at series A, listed or
/// unicorn.
fn read_firm_counts(path: &Path) -> Result<FirmCounts, CompareError> {
    let read_err = CompareError::reading_csv(path);
    let mut rd = csv::Reader::from_path(path).map_err(read_err)?;
    let header = rd.headers()?.clone();
    let fidx = |name: &str| column(&header, path, name);
    let (kind, seed, series_a, outcome, unicorn) = (
        fidx("kind")?,
        fidx("first_seed_month")?,
        fidx("series_a_month")?,
        fidx("outcome")?,
        fidx("unicorn_month")?,
    );
    let mut n = [0usize; 4];
    for rec in rd.records() {
        let rec = rec.map_err(read_err)?;
        if &rec[kind] != "startup" {
            continue;
        }
        n[0] += 1;
        n[1] += !rec[seed].is_empty() as usize;
        n[2] += !rec[series_a].is_empty() as usize;
        n[3] += (&rec[outcome] == "listed" || !rec[unicorn].is_empty()) as usize;
    }
    Ok(FirmCounts {
        founded: n[0] as f64,
        seed: n[1] as f64,
        series_a: n[2] as f64,
        listed_or_unicorn: n[3] as f64,
    })
}

/// The index of column `name` in the `header` of the CSV file at `path`.
fn column(header: &csv::StringRecord, path: &Path, name: &str) -> Result<usize, CompareError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| CompareError::NoColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
        })
}

fn cumulative(xs: Vec<f64>) -> Vec<f64> {
    let mut acc = 0.0;
    xs.into_iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect()
}

/// What a metric counts, for axis titles and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A count of people.
    People,
    /// A count of firms.
    Firms,
    /// A count of jobs.
    Jobs,
    /// Yuan (CNY).
    Cny,
    /// Yuan per firm.
    CnyPerFirm,
    /// Yuan per job.
    CnyPerJob,
}

impl Unit {
    /// The unit in words (`CNY per firm`).
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::People => "people",
            Unit::Firms => "firms",
            Unit::Jobs => "jobs",
            Unit::Cny => "CNY",
            Unit::CnyPerFirm => "CNY per firm",
            Unit::CnyPerJob => "CNY per job",
        }
    }
}

/// A headline metric measured month by month (all regions together).
pub struct SeriesDef {
    /// Key of the series (`comparison.csv`'s `metric`).
    pub key: &'static str,
    /// Title, for plots.
    pub title: &'static str,
    /// What it counts.
    pub unit: Unit,
    /// What it measures, in words.
    pub definition: &'static str,
    /// The series of a run, month by month.
    pub compute: fn(&RunTable) -> Vec<f64>,
}

/// The pipeline over time, in order: talent → founders → firms → funding → industrialization →
/// listings and valuations; then jobs, capital and spending.
pub const SERIES: &[SeriesDef] = &[
    SeriesDef {
        key: "talent_stock",
        title: "Talent stock",
        unit: Unit::People,
        definition: "people living in the region(s) at the end of the month",
        compute: |t| t.total("talent_stock"),
    },
    SeriesDef {
        key: "founders",
        title: "Founders running a firm",
        unit: Unit::People,
        definition: "people running their own startup",
        compute: |t| t.total("founders"),
    },
    SeriesDef {
        key: "new_firms_cumulative",
        title: "Startups founded (cumulative)",
        unit: Unit::Firms,
        definition: "startups founded since the start of the run",
        compute: |t| cumulative(t.total("new_firms")),
    },
    SeriesDef {
        key: "active_startups",
        title: "Active startups",
        unit: Unit::Firms,
        definition: "startups operating, not listed or exited",
        compute: |t| t.total("active_startups"),
    },
    SeriesDef {
        key: "funded_startups",
        title: "Funded startups (seed or later)",
        unit: Unit::Firms,
        definition: "active startups whose last round is seed or later",
        compute: |t| {
            t.sum_of(&[
                "firms_seed",
                "firms_series_a",
                "firms_series_b",
                "firms_series_c",
                "firms_growth",
            ])
        },
    },
    SeriesDef {
        key: "later_round_startups",
        title: "Startups in later rounds (series A or later)",
        unit: Unit::Firms,
        definition: "active startups whose last round is series A or later",
        compute: |t| {
            t.sum_of(&[
                "firms_series_a",
                "firms_series_b",
                "firms_series_c",
                "firms_growth",
            ])
        },
    },
    SeriesDef {
        key: "industrialized_firms",
        title: "Industrialized startups",
        unit: Unit::Firms,
        definition: "operating startups whose revenue has passed the industrialization threshold",
        compute: |t| t.total("industrialized_firms"),
    },
    SeriesDef {
        key: "listed_cumulative",
        title: "Listed startups (cumulative)",
        unit: Unit::Firms,
        definition: "startups listed since the start",
        compute: |t| t.total("listed_cumulative"),
    },
    SeriesDef {
        key: "quasi_unicorns",
        title: "Quasi-unicorns and unicorns (cumulative)",
        unit: Unit::Firms,
        definition: "startups that have reached a valuation of USD 100 million (unicorns included)",
        compute: |t| t.total("quasi_unicorns"),
    },
    SeriesDef {
        key: "startup_jobs",
        title: "Startup jobs",
        unit: Unit::Jobs,
        definition: "headcount of active startups",
        compute: |t| t.total("startup_jobs"),
    },
    SeriesDef {
        key: "vc_capital_cumulative",
        title: "Venture capital invested (cumulative)",
        unit: Unit::Cny,
        definition: "venture capital invested in the region(s)' startups since the start",
        compute: |t| cumulative(t.total("vc_capital_cny")),
    },
    SeriesDef {
        key: "policy_spend_cumulative",
        title: "Policy spend (cumulative)",
        unit: Unit::Cny,
        definition: "public spending on the levers since the start (talent-fund equity excluded)",
        compute: |t| cumulative(t.total("policy_spend_cny")),
    },
];

/// Per-region series, measured only for scenarios with several regions (flows between them).
pub struct RegionSeriesDef {
    /// Key of the series (written `key:Region`).
    pub key: &'static str,
    /// Title, for plots.
    pub title: &'static str,
    /// The series of region `r` of a run, month by month.
    pub compute: fn(&RunTable, usize) -> Vec<f64>,
}

/// The per-region series, measured when a scenario has several regions.
pub const REGION_SERIES: &[RegionSeriesDef] = &[
    RegionSeriesDef {
        key: "moved_in_cumulative",
        title: "people moved in from the other regions (cumulative)",
        compute: |t, r| cumulative(t.of_region("people_moved_in", r)),
    },
    RegionSeriesDef {
        key: "moved_out_cumulative",
        title: "people moved out to the other regions (cumulative)",
        compute: |t, r| cumulative(t.of_region("people_moved_out", r)),
    },
    RegionSeriesDef {
        key: "net_inflow_cumulative",
        title: "net people gained from the other regions (cumulative)",
        compute: |t, r| {
            let i = t.of_region("people_moved_in", r);
            let o = t.of_region("people_moved_out", r);
            cumulative(i.iter().zip(&o).map(|(a, b)| a - b).collect())
        },
    },
];

/// A whole-run headline metric.
pub struct ScalarDef {
    /// Key of the metric (`comparison.csv`'s `metric`).
    pub key: &'static str,
    /// Title, for tables and plots.
    pub title: &'static str,
    /// What it counts.
    pub unit: Unit,
    /// What it measures, in words.
    pub definition: &'static str,
    /// NaN where undefined (a cost per outcome when there was no outcome).
    pub compute: fn(&RunTable) -> f64,
}

fn per(spend: f64, count: f64) -> f64 {
    if count > 0.0 { spend / count } else { f64::NAN }
}

/// Whole-run metrics, in the order of the report's table.
pub const SCALARS: &[ScalarDef] = &[
    ScalarDef {
        key: "talent_stock_end",
        title: "Talent stock at the end",
        unit: Unit::People,
        definition: "people living in the region(s) in the last month",
        compute: |t| t.last("talent_stock"),
    },
    ScalarDef {
        key: "high_level_arrivals",
        title: "High-level talent arrivals",
        unit: Unit::People,
        definition: "high-level talent (returnees, senior researchers) arriving over the run",
        compute: |t| t.sum("high_level_arrivals"),
    },
    ScalarDef {
        key: "founders_end",
        title: "Founders at the end",
        unit: Unit::People,
        definition: "people running their own startup in the last month",
        compute: |t| t.last("founders"),
    },
    ScalarDef {
        key: "new_firms",
        title: "Startups founded",
        unit: Unit::Firms,
        definition: "startups founded over the run (one founder each)",
        compute: |t| t.sum("new_firms"),
    },
    ScalarDef {
        key: "funded_seed",
        title: "Startups that raised a seed round",
        unit: Unit::Firms,
        definition: "startups that raised at least a seed round over the run",
        compute: |t| t.firms.seed,
    },
    ScalarDef {
        key: "funded_series_a",
        title: "Startups that reached series A",
        unit: Unit::Firms,
        definition: "startups that raised a series A round or later over the run",
        compute: |t| t.firms.series_a,
    },
    ScalarDef {
        key: "firms_seed_end",
        title: "Active startups at seed, end",
        unit: Unit::Firms,
        definition: "active startups whose last round is a seed round, in the last month",
        compute: |t| t.last("firms_seed"),
    },
    ScalarDef {
        key: "firms_series_a_end",
        title: "Active startups at series A, end",
        unit: Unit::Firms,
        definition: "active startups whose last round is series A, in the last month",
        compute: |t| t.last("firms_series_a"),
    },
    ScalarDef {
        key: "firms_series_b_end",
        title: "Active startups at series B, end",
        unit: Unit::Firms,
        definition: "active startups whose last round is series B, in the last month",
        compute: |t| t.last("firms_series_b"),
    },
    ScalarDef {
        key: "firms_series_c_end",
        title: "Active startups at series C, end",
        unit: Unit::Firms,
        definition: "active startups whose last round is series C, in the last month",
        compute: |t| t.last("firms_series_c"),
    },
    ScalarDef {
        key: "firms_growth_end",
        title: "Active startups at growth (D+), end",
        unit: Unit::Firms,
        definition: "active startups whose last round is a growth round (D or later), in the last month",
        compute: |t| t.last("firms_growth"),
    },
    ScalarDef {
        key: "vc_capital_cny",
        title: "Capital: venture funds",
        unit: Unit::Cny,
        definition: "venture capital invested over the run (the talent fund's part excluded)",
        compute: |t| t.sum("vc_capital_cny"),
    },
    ScalarDef {
        key: "talent_fund_cny",
        title: "Capital: district talent fund",
        unit: Unit::Cny,
        definition: "talent-fund co-investment over the run",
        compute: |t| t.sum("talent_fund_cny"),
    },
    ScalarDef {
        key: "grant_cny",
        title: "Capital: grants",
        unit: Unit::Cny,
        definition: "grants paid over the run (tranches, follow-ons, landing awards)",
        compute: |t| t.sum("grant_cny"),
    },
    ScalarDef {
        key: "loan_cny",
        title: "Capital: bank loans",
        unit: Unit::Cny,
        definition: "bank loans granted over the run",
        compute: |t| t.sum("loan_cny"),
    },
    ScalarDef {
        key: "industrialized_firms_end",
        title: "Industrialized startups, end",
        unit: Unit::Firms,
        definition: "operating startups whose revenue has passed the industrialization threshold, in the last month",
        compute: |t| t.last("industrialized_firms"),
    },
    ScalarDef {
        key: "listed",
        title: "Listed startups",
        unit: Unit::Firms,
        definition: "startups listed by the end of the run",
        compute: |t| t.last("listed_cumulative"),
    },
    ScalarDef {
        key: "quasi_unicorns",
        title: "Quasi-unicorns (incl. unicorns)",
        unit: Unit::Firms,
        definition: "startups that reached a valuation of USD 100 million by the end (unicorns included)",
        compute: |t| t.last("quasi_unicorns"),
    },
    ScalarDef {
        key: "unicorns",
        title: "Unicorns",
        unit: Unit::Firms,
        definition: "startups that reached a valuation of USD 1 billion by the end",
        compute: |t| t.last("unicorns"),
    },
    ScalarDef {
        key: "listed_or_unicorn",
        title: "Listed or unicorn",
        unit: Unit::Firms,
        definition: "startups that listed or reached a valuation of USD 1 billion over the run",
        compute: |t| t.firms.listed_or_unicorn,
    },
    ScalarDef {
        key: "startup_jobs_end",
        title: "Startup jobs, end",
        unit: Unit::Jobs,
        definition: "headcount of active startups in the last month",
        compute: |t| t.last("startup_jobs"),
    },
    ScalarDef {
        key: "policy_spend_cny",
        title: "Policy spend",
        unit: Unit::Cny,
        definition: "public spending on every lever over the run (talent-fund equity excluded)",
        compute: |t| t.sum("policy_spend_cny"),
    },
    ScalarDef {
        key: "cost_per_new_firm",
        title: "Cost per new firm",
        unit: Unit::CnyPerFirm,
        definition: "policy spend over the run / startups founded over the run",
        compute: |t| per(t.sum("policy_spend_cny"), t.sum("new_firms")),
    },
    ScalarDef {
        key: "cost_per_startup_job",
        title: "Cost per startup job",
        unit: Unit::CnyPerJob,
        definition: "policy spend over the run / startup jobs in the last month",
        compute: |t| per(t.sum("policy_spend_cny"), t.last("startup_jobs")),
    },
    ScalarDef {
        key: "cost_per_industrialized_firm",
        title: "Cost per industrialized firm",
        unit: Unit::CnyPerFirm,
        definition: "policy spend over the run / industrialized startups in the last month",
        compute: |t| per(t.sum("policy_spend_cny"), t.last("industrialized_firms")),
    },
];

/// The funnel's stages: (label, scalar metric key).
pub(crate) const FUNNEL: &[(&str, &str)] = &[
    ("Talent (stock, end)", "talent_stock_end"),
    ("Founders", "new_firms"),
    ("Funded (seed+)", "funded_seed"),
    ("Later rounds (A+)", "funded_series_a"),
    ("Industrialized", "industrialized_firms_end"),
    ("Listed / unicorn", "listed_or_unicorn"),
];

/// The cost-per-outcome metrics.
pub(crate) const COSTS: &[&str] = &[
    "cost_per_new_firm",
    "cost_per_startup_job",
    "cost_per_industrialized_firm",
];

/// A run reduced to its headline metrics.
#[derive(Debug, Clone)]
pub struct Reduced {
    /// The months of the run.
    pub months: Vec<Month>,
    /// `series[k]`: `SERIES[k]` month by month.
    pub series: Vec<Vec<f64>>,
    /// (key `metric:Region`, values) when the run has several regions.
    pub region_series: Vec<(String, Vec<f64>)>,
    /// `scalars[k]`: `SCALARS[k]`.
    pub scalars: Vec<f64>,
}

/// Compute every headline metric from a table.
pub(crate) fn reduce(t: &RunTable) -> Reduced {
    let mut region_series = Vec::new();
    if t.regions.len() > 1 {
        for (ri, r) in t.regions.iter().enumerate() {
            for d in REGION_SERIES {
                region_series.push((format!("{}:{r}", d.key), (d.compute)(t, ri)));
            }
        }
    }
    Reduced {
        months: t.month_list(),
        series: SERIES.iter().map(|d| (d.compute)(t)).collect(),
        region_series,
        scalars: SCALARS.iter().map(|d| (d.compute)(t)).collect(),
    }
}

/// Look up a scalar's definition by key.
pub(crate) fn scalar(key: &str) -> Option<&'static ScalarDef> {
    SCALARS.iter().find(|d| d.key == key)
}

/// Look up a series' definition by key.
pub fn series(key: &str) -> Option<&'static SeriesDef> {
    SERIES.iter().find(|d| d.key == key)
}
