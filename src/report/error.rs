//! [`ReportError`]: why a report or an output directory's plots could not be written.
//!
//! Each variant's message is what the command line prints (after `error: `), followed by the
//! messages of its [`source`](std::error::Error::source) chain joined by `": "`.

use std::io;
use std::path::PathBuf;

use crate::compare::CompareError;
use crate::output::OutputError;
use crate::plot::PlotError;

/// A failure of [`super::write`] or [`super::redraw`].
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A plot's PNG could not be read to inline it.
    #[error("reading {}", path.display())]
    ReadPlot {
        /// The PNG file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// `report.html` could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The directory's saved outputs could not be read back.
    #[error(transparent)]
    Read(#[from] CompareError),
    /// The plots could not be drawn.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// A directory that is neither a comparison's nor a run's output.
    #[error(
        "{}: neither a comparison (comparison.json) nor a run (timeseries.csv and summary.json)",
        dir.display()
    )]
    NotAnOutputDir {
        /// The directory.
        dir: PathBuf,
    },
}
