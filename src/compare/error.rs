//! [`CompareError`]: why a comparison's or a run's saved outputs could not be read back.
//!
//! Each variant's message is what the command line prints (after `error: `), followed by the
//! messages of its [`source`](std::error::Error::source) chain joined by `": "`.

use std::io;
use std::num::ParseFloatError;
use std::path::{Path, PathBuf};

/// A failure of [`super::Comparison::read`] or [`super::RunTable::from_dir`].
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// A file could not be read.
    #[error("reading {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A JSON file that does not parse (or is not of the expected shape).
    #[error("parsing {}", path.display())]
    Parse {
        /// The JSON file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A CSV file that could not be opened or read.
    #[error("reading {}", path.display())]
    ReadCsv {
        /// The CSV file.
        path: PathBuf,
        /// The CSV error.
        #[source]
        source: csv::Error,
    },
    /// A CSV header that could not be read.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// A `comparison.csv` month cell that is not `YYYY-MM`.
    #[error("{}: `{value}` is not a month", path.display())]
    NotAMonth {
        /// The CSV file.
        path: PathBuf,
        /// The cell's text.
        value: String,
    },
    /// A `comparison.csv` value cell that is not a number.
    #[error("{}: `{value}` is not a number", path.display())]
    NotANumber {
        /// The CSV file.
        path: PathBuf,
        /// The cell's text.
        value: String,
        /// The parser's error.
        #[source]
        source: ParseFloatError,
    },
    /// A `summary.json` whose `manifest.start` is missing or not `YYYY-MM`.
    #[error("summary.json: manifest.start is not a month")]
    BadStart,
    /// A CSV file without a column the reduction reads.
    #[error("{}: no column `{column}`", path.display())]
    NoColumn {
        /// The CSV file.
        path: PathBuf,
        /// The missing column.
        column: String,
    },
    /// A `timeseries.csv` cell that is not a number.
    #[error("{}: `{value}` is not a number in column `{column}`", path.display())]
    NotANumberIn {
        /// The CSV file.
        path: PathBuf,
        /// The cell's text.
        value: String,
        /// The column.
        column: &'static str,
        /// The parser's error.
        #[source]
        source: ParseFloatError,
    },
    /// A `timeseries.csv` that is not one row per month and region.
    #[error("{}: expected one row per month and region", path.display())]
    NotMonthByRegion {
        /// The CSV file.
        path: PathBuf,
    },
}

impl CompareError {
    /// The error of reading the CSV file at `path` (to `map_err` a CSV reader's errors).
    pub(crate) fn reading_csv(path: &Path) -> impl Fn(csv::Error) -> CompareError + Copy + '_ {
        move |source| CompareError::ReadCsv {
            path: path.to_path_buf(),
            source,
        }
    }
}
