//! [`SweepError`]: why running, resuming, checking or merging a sweep directory failed.
//!
//! Each variant's message is what the command line prints (after `error: `), followed by the
//! messages of its [`source`](std::error::Error::source) chain joined by `": "`.

use std::io;
use std::path::PathBuf;

use crate::output::OutputError;

/// A failure of [`super::exec`], [`super::merge`] or [`super::parquet`].
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A file or directory could not be read.
    #[error("reading `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file could not be opened.
    #[error("opening `{path}`")]
    Open {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file or directory could not be created.
    #[error("creating `{path}`")]
    Create {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file could not be removed.
    #[error("removing `{path}`")]
    Remove {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file could not be renamed (from `path`).
    #[error("renaming `{path}`")]
    Rename {
        /// The file renamed.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file could not be renamed to `path`.
    #[error("renaming to `{path}`")]
    RenameTo {
        /// The new name.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// An I/O error on a file already named by the step that failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// Writing a file atomically failed.
    #[error(transparent)]
    Output(#[from] OutputError),

    /// A manifest that does not decode.
    #[error("`{path}` is not a talentsim sweep manifest (edited, or from another version?)")]
    NotAManifest {
        /// The manifest file.
        path: PathBuf,
        /// The decoding error.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// A manifest that does not encode.
    #[error("encoding the manifest")]
    EncodeManifest(#[source] toml::ser::Error),

    /// A journal (or `results.csv`) whose header is another sweep's.
    #[error(
        "`{path}` has other columns than this sweep writes: it was made by another sweep; move it away or use another --out"
    )]
    OtherColumns {
        /// The journal.
        path: PathBuf,
    },
    /// A finished `results.csv` whose header is not its manifest's.
    #[error("`{path}`: its header is not this sweep's")]
    HeaderNotThisSweeps {
        /// The results file.
        path: PathBuf,
    },
    /// A finished `results.csv` that is empty or has a damaged header.
    #[error("`{path}` is empty or its header is damaged")]
    EmptyResults {
        /// The results file.
        path: PathBuf,
    },
    /// A finished `results.csv` with fewer whole rows in order than runs.
    #[error(
        "`{path}` holds {rows} whole rows in order of the {runs} runs (damaged, truncated, or a row deleted or duplicated after run {after})"
    )]
    MissingRows {
        /// The results file.
        path: PathBuf,
        /// Whole rows in order.
        rows: u64,
        /// Runs it should hold.
        runs: u64,
        /// The run index of the last whole row (or of the last run).
        after: u64,
    },
    /// A finished `results.csv` with bytes after its last run's row.
    #[error("`{path}` has {extra} bytes after its {runs} rows (a row duplicated or appended?)")]
    TrailingBytes {
        /// The results file.
        path: PathBuf,
        /// Bytes after the rows.
        extra: u64,
        /// Runs (rows) it holds.
        runs: u64,
    },
    /// A finished `results.csv` whose failed runs disagree with its manifest.
    #[error("`{path}` holds {failed} failed runs, its manifest says {recorded} (edited?)")]
    FailedCount {
        /// The results file.
        path: PathBuf,
        /// Failed runs in the file.
        failed: u64,
        /// Failed runs the manifest records.
        recorded: u64,
    },
    /// A finished `results.csv` whose checksum is not the recorded one.
    #[error(
        "`{path}` does not match the checksum recorded when it finished ({got}, expected {want}): it was edited or damaged"
    )]
    Checksum {
        /// The results file.
        path: PathBuf,
        /// FNV-1a 64 of the file (hex).
        got: String,
        /// FNV-1a 64 the manifest records (hex).
        want: String,
    },

    /// The output directory could not be created.
    #[error("cannot create the output directory `{path}`")]
    CreateOutDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The lock file could not be created.
    #[error("cannot create `{path}`")]
    CreateLock {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The lock file could not be locked (other than by another sweep holding it).
    #[error("cannot lock `{path}`")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Another process holds the directory's lock.
    #[error("another talentsim sweep is writing into `{dir}`: wait for it to finish, or stop it")]
    Busy {
        /// The sweep directory.
        dir: PathBuf,
    },
    /// A directory written by another talentsim version.
    #[error(
        "`{dir}` was written by talentsim {old}, this is {this}: results of two versions must not be mixed; use another --out, or delete the directory to start over"
    )]
    OtherVersion {
        /// The sweep directory.
        dir: PathBuf,
        /// The version that wrote it.
        old: String,
        /// This version.
        this: String,
    },
    /// A directory holding another sweep (or the same sweep file, changed).
    #[error(
        "`{dir}` holds a different sweep (`{}`, hash {}) than `{file}` (hash {hash}): the sweep file or its base scenario changed since it started. Refusing to resume into it; use another --out, or delete the directory to start over",
        held[0], held[1]
    )]
    OtherSweep {
        /// The sweep directory.
        dir: PathBuf,
        /// The name and the hash of the sweep it holds.
        held: Box<[String; 2]>,
        /// The sweep file being run.
        file: PathBuf,
        /// The hash of the sweep being run.
        hash: String,
    },
    /// A directory holding another shard (or a whole sweep) than the one being run.
    #[error(
        "`{dir}` holds shard {} but this is {}",
        old.as_deref().unwrap_or("(whole sweep)"),
        this.as_deref().unwrap_or("the whole sweep")
    )]
    OtherShard {
        /// The sweep directory.
        dir: PathBuf,
        /// The shard it holds (`I/N`; `None`: the whole sweep).
        old: Option<String>,
        /// The shard being run (`I/N`; `None`: the whole sweep).
        this: Option<String>,
    },
    /// The journal could not be opened.
    #[error("cannot open the journal `{path}`")]
    OpenJournal {
        /// The journal.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A batch's rows could not be appended to the journal.
    #[error("writing the journal `{path}`")]
    WriteJournal {
        /// The journal.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The journal could not be synced after a batch.
    #[error("syncing the journal `{path}`")]
    SyncJournal {
        /// The journal.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The worker thread pool could not be started.
    #[error("starting worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),

    /// A merge input that holds no sweep.
    #[error("`{dir}` holds no sweep: expected a `{manifest}` or `shard-*` directories")]
    NoSweep {
        /// The input directory.
        dir: PathBuf,
        /// The manifest's file name ([`super::exec::MANIFEST`]).
        manifest: &'static str,
    },
    /// A directory could not be listed.
    #[error("cannot read the directory `{dir}`")]
    ReadDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Two merge inputs from different sweeps (or talentsim versions).
    #[error(
        "`{first}` and `{dir}` come from different sweeps (hash {} vs {}, talentsim {} vs {}): they cannot be merged",
        hashes[0], hashes[1], versions[0], versions[1]
    )]
    DifferentSweeps {
        /// The first input found.
        first: PathBuf,
        /// The input that differs.
        dir: PathBuf,
        /// The sweep hashes of the first input and of this one.
        hashes: Box<[String; 2]>,
        /// The talentsim versions of the first input and of this one.
        versions: Box<[String; 2]>,
    },
    /// Two merge inputs sharded into different counts.
    #[error(
        "`{dir}` is shard {index}/{of} but `{first}` is of {count} shards: shard counts must agree"
    )]
    ShardCounts {
        /// The input that differs.
        dir: PathBuf,
        /// Its shard index.
        index: u64,
        /// Its shard count.
        of: u64,
        /// The first input found.
        first: PathBuf,
        /// The first input's shard count.
        count: u64,
    },
    /// The same shard among the merge inputs twice.
    #[error("shard {index}/{count} appears twice: `{first}` and `{second}`")]
    ShardTwice {
        /// The shard index.
        index: u64,
        /// The shard count.
        count: u64,
        /// Where it was found first.
        first: PathBuf,
        /// Where it was found again.
        second: PathBuf,
    },
    /// A finished shard whose results fail [`super::exec::verify_results`].
    #[error(
        "shard {index}/{count} in `{dir}` is damaged: rerun that shard (`talentsim sweep … --shard {index}/{count}` keeps its whole rows and reruns the rest)"
    )]
    DamagedShard {
        /// The shard index.
        index: usize,
        /// The shard count.
        count: u64,
        /// The shard's directory.
        dir: PathBuf,
        /// What is wrong with it.
        #[source]
        source: Box<SweepError>,
    },
    /// A merge output directory that already holds another sweep.
    #[error(
        "`{dir}` already holds another sweep (`{sweep}`, hash {hash}): merge into another directory with --out"
    )]
    OutHoldsOther {
        /// The output directory.
        dir: PathBuf,
        /// The name of the sweep it holds.
        sweep: String,
        /// The hash of the sweep it holds.
        hash: String,
    },
    /// A staged merged table could not be moved into the output directory.
    #[error("moving {file} into `{dir}`")]
    MoveInto {
        /// The table's file name.
        file: &'static str,
        /// The output directory.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },

    /// A CSV file could not be read.
    #[error("reading `{path}`")]
    ReadCsv {
        /// The CSV file.
        path: PathBuf,
        /// The CSV error.
        #[source]
        source: csv::Error,
    },
    /// A `results.csv` row with the wrong number of fields.
    #[error("`{path}` line {line}: {found} fields, expected {expected}")]
    FieldCount {
        /// The CSV file.
        path: PathBuf,
        /// The line (from 1, the header).
        line: u64,
        /// Fields in the row.
        found: usize,
        /// Columns of the table.
        expected: usize,
    },
    /// A `results.csv` cell that is not of its column's type.
    #[error("`{path}` line {line}: `{value}` in column `{column}`")]
    BadCell {
        /// The CSV file.
        path: PathBuf,
        /// The line (from 1, the header).
        line: u64,
        /// The cell's text.
        value: String,
        /// The column.
        column: String,
        /// The number parser's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The Parquet writer could not be started.
    #[error("starting the Parquet writer")]
    StartParquet(#[source] parquet::errors::ParquetError),
    /// An Arrow batch could not be built from the parsed columns.
    #[error("building a batch")]
    Batch(#[source] arrow_schema::ArrowError),
    /// A batch could not be written to the Parquet file.
    #[error("writing Parquet")]
    WriteParquet(#[source] parquet::errors::ParquetError),
    /// The Parquet file could not be finished (its footer written).
    #[error("finishing Parquet")]
    FinishParquet(#[source] parquet::errors::ParquetError),
    /// The Parquet file's buffer could not be flushed.
    #[error("flushing Parquet")]
    FlushParquet(#[source] io::Error),
}

/// An error and its [`source`](std::error::Error::source) chain, joined by `": "`: the
/// whole message, as the command line prints it.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}
