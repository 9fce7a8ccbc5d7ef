//! Executing a sweep: parallel runs in bounded batches, a journal that makes it resumable, and
//! the final `results.csv` / `results.parquet`.
//!
//! Runs are taken in run-index order, a batch at a time; a batch runs in parallel (rayon) and
//! its rows are appended, in order, to the journal `results.csv.partial`, which is flushed and
//! fsynced before the next batch starts. Memory holds one batch. After an interruption (Ctrl-C,
//! `kill -9`, a lost node) the journal holds a prefix of the runs, perhaps ending in a torn
//! line; rerunning cuts the torn line and continues after the prefix. When every run is done,
//! the journal becomes `results.csv` (a rename) and `results.parquet` is written from it, so the
//! final files do not depend on how often the sweep was interrupted.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;
use crate::sweep::spec::ModelKind;
use crate::sweep::{ColType, Sweep, SweepError};

/// The manifest file of a sweep directory.
pub const MANIFEST: &str = "sweep.lock.toml";
/// The journal of finished runs (becomes `results.csv`).
pub(crate) const JOURNAL: &str = "results.csv.partial";
/// The finished results (the journal, renamed).
pub const RESULTS_CSV: &str = "results.csv";
/// The finished results as Parquet, written from `results.csv`.
pub(crate) const RESULTS_PARQUET: &str = "results.parquet";
/// Held locked while a sweep writes into a directory.
const LOCK: &str = ".sweep.lock";

/// A slice of a sweep: the runs whose index is `index` modulo `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Index of the shard (0 ≤ `index` < `count`).
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Shard {
    /// Parse `I/N` (0 ≤ I < N).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: expected `I/N`, e.g. `0/4` (shard I of N, from 0)"))?;
        let (i, n): (u64, u64) = match (i.trim().parse(), n.trim().parse()) {
            (Ok(i), Ok(n)) => (i, n),
            _ => return Err(format!("`{s}`: expected two whole numbers `I/N`")),
        };
        if n == 0 || i >= n {
            return Err(format!("`{s}`: expected 0 ≤ I < N"));
        }
        Ok(Shard { index: i, count: n })
    }

    /// The shard of a Slurm array task: `SLURM_ARRAY_TASK_ID` counted from
    /// `SLURM_ARRAY_TASK_MIN`, of `SLURM_ARRAY_TASK_COUNT` (or MAX − MIN + 1) tasks.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, String> {
        let num = |k: &str| -> Result<Option<u64>, String> {
            match get(k) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("{k}=`{v}` is not a whole number")),
            }
        };
        let Some(id) = num("SLURM_ARRAY_TASK_ID")? else {
            return Ok(None);
        };
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let count = match num("SLURM_ARRAY_TASK_COUNT")? {
            Some(c) => c,
            None => match num("SLURM_ARRAY_TASK_MAX")? {
                Some(max) if max >= min => max - min + 1,
                _ => {
                    return Err(
                        "SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is".into(),
                    );
                }
            },
        };
        if id < min || id - min >= count {
            return Err(format!(
                "SLURM_ARRAY_TASK_ID={id} is outside the array ({count} tasks from {min}); use a contiguous `--array={min}-{}`",
                min + count - 1
            ));
        }
        Ok(Some(Shard {
            index: id - min,
            count,
        }))
    }

    /// The directory of this shard inside a sweep's output directory.
    pub fn dir_name(&self) -> String {
        let w = (self.count - 1).to_string().len();
        format!("shard-{:0w$}-of-{}", self.index, self.count)
    }

    /// Number of runs of a sweep of `total` runs in this shard.
    pub fn len(&self, total: u64) -> u64 {
        if self.index >= total {
            0
        } else {
            (total - self.index).div_ceil(self.count)
        }
    }

    /// Whether the shard has no runs.
    pub fn is_empty(&self, total: u64) -> bool {
        self.len(total) == 0
    }

    /// The run index of the `k`-th run of this shard.
    pub fn run(&self, k: u64) -> u64 {
        self.index + k * self.count
    }

    /// The whole sweep as one shard.
    pub fn all() -> Shard {
        Shard { index: 0, count: 1 }
    }
}

/// What a sweep directory holds; written when a sweep starts and rewritten when it completes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// talentsim version that ran it.
    pub talentsim: String,
    /// The sweep's name (its `name`, or the file stem).
    pub sweep: String,
    /// Hash of the resolved sweep file and base scenario.
    pub hash: String,
    /// `scenario` or `ishigami`.
    pub model: String,
    /// The design's kind (`grid`, `lhs`, …).
    pub design: String,
    /// `points`, or Morris `trajectories`.
    pub design_n: u64,
    /// Levels of the Morris grid.
    pub morris_levels: u32,
    /// Levels per knob (grids).
    pub grid_levels: Vec<u64>,
    /// Base seed of the sweep.
    pub seed: u64,
    /// Points of the design.
    pub points: u64,
    /// Replicates per point.
    pub replicates: u32,
    /// Runs of the whole sweep (points × replicates).
    pub runs: u64,
    /// Knob names (results columns).
    pub knobs: Vec<String>,
    /// Knob scenario paths (`--set` syntax).
    pub knob_paths: Vec<String>,
    /// Recorded statistics (results columns).
    pub records: Vec<String>,
    /// Every column of `results.csv`, with its type (`u64`, `u32`, `str`, `optstr`, `f64`).
    pub columns: Vec<[String; 2]>,
    /// `I/N` for a shard's directory; absent for a whole sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// `running` or `complete`.
    pub status: String,
    /// Runs finished (when complete).
    pub finished: u64,
    /// Runs that failed (when complete).
    pub failed: u64,
    /// FNV-1a 64 of the finished `results.csv` (hex), checked by `analyze`, `merge` and a
    /// resume; absent while running and in directories written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_fnv: Option<String>,
}

/// The manifest's name of a column type.
fn col_type_name(t: ColType) -> &'static str {
    match t {
        ColType::U64 => "u64",
        ColType::U32 => "u32",
        ColType::Str => "str",
        ColType::OptStr => "optstr",
        ColType::F64 => "f64",
    }
}

/// The column type of a manifest's name (`None` for an unknown one).
fn col_type_parse(s: &str) -> Option<ColType> {
    Some(match s {
        "u64" => ColType::U64,
        "u32" => ColType::U32,
        "str" => ColType::Str,
        "optstr" => ColType::OptStr,
        "f64" => ColType::F64,
        _ => return None,
    })
}

impl Manifest {
    /// The manifest of `sweep` (or of one shard of it), not yet run.
    pub fn new(sweep: &Sweep, shard: Option<Shard>) -> Manifest {
        let name = if sweep.def.name.is_empty() {
            sweep
                .path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
        } else {
            sweep.def.name.clone()
        };
        Manifest {
            talentsim: crate::VERSION.to_string(),
            sweep: name,
            hash: sweep.hash.clone(),
            model: sweep.def.model.as_str().to_string(),
            design: sweep.def.design.as_str().to_string(),
            design_n: sweep.design.n,
            morris_levels: sweep.design.morris_levels,
            grid_levels: sweep.design.grid.iter().map(|&g| g as u64).collect(),
            seed: sweep.def.seed,
            points: sweep.points(),
            replicates: sweep.def.replicates,
            runs: sweep.runs(),
            knobs: sweep.knobs.iter().map(|k| k.name.clone()).collect(),
            knob_paths: sweep.knobs.iter().map(|k| k.path.clone()).collect(),
            records: sweep.record_names(),
            columns: sweep
                .columns()
                .into_iter()
                .map(|(n, t)| [n, col_type_name(t).to_string()])
                .collect(),
            shard: shard.map(|s| format!("{}/{}", s.index, s.count)),
            status: "running".into(),
            finished: 0,
            failed: 0,
            results_fnv: None,
        }
    }

    /// Every column with its type (unknown types read as text).
    pub fn column_types(&self) -> Vec<(String, ColType)> {
        self.columns
            .iter()
            .map(|[n, t]| (n.clone(), col_type_parse(t).unwrap_or(ColType::Str)))
            .collect()
    }

    /// The header line of `results.csv` (with its newline).
    pub fn header(&self) -> String {
        let mut s = self
            .columns
            .iter()
            .map(|[n, _]| {
                let mut f = String::new();
                super::csv_field(&mut f, &crate::output::csv_text(n));
                f
            })
            .collect::<Vec<_>>()
            .join(",");
        s.push('\n');
        s
    }

    /// The shard of this directory (`None`: the whole sweep).
    pub fn shard(&self) -> Option<Shard> {
        self.shard.as_deref().and_then(|s| Shard::parse(s).ok())
    }

    /// Read a manifest file.
    pub fn read(path: &Path) -> Result<Manifest, SweepError> {
        let text = fs::read_to_string(path).map_err(|source| SweepError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| SweepError::NotAManifest {
            path: path.to_path_buf(),
            source: Box::new(source),
        })
    }

    /// Write the manifest to `path` atomically, with a comment heading it.
    pub fn write(&self, path: &Path) -> Result<(), SweepError> {
        let text = format!(
            "# talentsim sweep manifest: what this directory holds. Do not edit: a rerun of the\n# same sweep resumes here only if `hash` matches.\n{}",
            toml::to_string(self).map_err(SweepError::EncodeManifest)?
        );
        crate::output::write_atomic(path, |w| w.write_all(text.as_bytes()))?;
        Ok(())
    }
}

static QUIET: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Run `f`, turning a panic into an error (the panic message); panics inside are not printed.
pub(crate) fn catch<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    HOOK.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.load(Ordering::SeqCst) == 0 {
                prev(info);
            }
        }));
    });
    QUIET.fetch_add(1, Ordering::SeqCst);
    let r = catch_unwind(AssertUnwindSafe(f));
    QUIET.fetch_sub(1, Ordering::SeqCst);
    match r {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(format!("panicked: {msg}"))
        }
    }
}

/// How to run a sweep.
pub struct Options<'a> {
    /// Output directory of the sweep (a shard writes into `<out>/shard-I-of-N/`).
    pub out: PathBuf,
    /// Which shard to run (`None`: the whole sweep).
    pub shard: Option<Shard>,
    /// Worker threads (`None`: rayon's global pool).
    pub threads: Option<usize>,
    /// Set to stop after the batch in progress (Ctrl-C).
    pub stop: Option<&'a AtomicBool>,
    /// Called after each run with (runs done, runs failed), counted over this directory.
    pub progress: Option<&'a (dyn Fn(u64, u64) + Sync)>,
}

/// What a call to [`run`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The directory written.
    pub dir: PathBuf,
    /// Runs of this directory (the shard's, or the whole sweep's).
    pub runs: u64,
    /// Runs already finished before this call (resumed from the journal).
    pub resumed: u64,
    /// Runs done by this call.
    pub ran: u64,
    /// Failed runs in this directory.
    pub failed: u64,
    /// Stopped early by [`Options::stop`].
    pub interrupted: bool,
    /// The directory was already complete (and its `results.csv` verified).
    pub already_complete: bool,
    /// A finished `results.csv` that failed [`verify_results`] (what was wrong): its whole rows
    /// were kept and the rest run again.
    pub repaired: Option<String>,
}

/// The directory a sweep (or shard) writes to.
pub fn dir_of(out: &Path, shard: Option<Shard>) -> PathBuf {
    match shard {
        Some(s) => out.join(s.dir_name()),
        None => out.to_path_buf(),
    }
}

/// The rows of a journal that are whole and in sequence: (bytes to keep, rows, failed rows).
pub(crate) fn scan_journal(
    path: &Path,
    header: &str,
    shard: Shard,
    limit: u64,
) -> Result<(u64, u64, u64), SweepError> {
    let f = File::open(path).map_err(|source| SweepError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut r = BufReader::new(f);
    let mut line = String::new();
    let n = r.read_line(&mut line)?;
    if n == 0 {
        return Ok((0, 0, 0));
    }
    if line != header {
        if !line.ends_with('\n') && header.starts_with(&line) {
            // Torn header: start over.
            return Ok((0, 0, 0));
        }
        return Err(SweepError::OtherColumns {
            path: path.to_path_buf(),
        });
    }
    let mut keep = n as u64;
    let (mut rows, mut failed) = (0u64, 0u64);
    loop {
        line.clear();
        let n = match r.read_line(&mut line) {
            Ok(n) => n,
            Err(_) => break, // invalid UTF-8 from a torn write: cut here
        };
        if n == 0 || !line.ends_with('\n') || rows >= limit {
            break;
        }
        let mut f = line.splitn(6, ',');
        let run: Option<u64> = f.next().and_then(|x| x.parse().ok());
        let status = f.nth(3);
        if run != Some(shard.run(rows)) || !matches!(status, Some("ok" | "failed")) {
            break;
        }
        if status == Some("failed") {
            failed += 1;
        }
        rows += 1;
        keep += n as u64;
    }
    Ok((keep, rows, failed))
}

/// FNV-1a 64 of a file's bytes, as 16 hex digits.
pub(crate) fn file_fnv(path: &Path) -> Result<String, SweepError> {
    let mut f = File::open(path).map_err(|source| SweepError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut h = crate::scenario::Fnv::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|source| SweepError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if n == 0 {
            break;
        }
        h.write(&buf[..n]);
    }
    Ok(format!("{:016x}", h.0))
}

/// Check a finished `results.csv` against its manifest: the header, one whole row per run with
/// the run ids in order, the count of failed runs, and the checksum recorded when it finished.
/// The error says what is wrong (for the caller to add what to do).
pub fn verify_results(csv: &Path, manifest: &Manifest) -> Result<(), SweepError> {
    let shard = manifest.shard().unwrap_or(Shard::all());
    let runs = shard.len(manifest.runs);
    let path = csv.to_path_buf();
    let len = fs::metadata(csv)
        .map_err(|source| SweepError::Read {
            path: path.clone(),
            source,
        })?
        .len();
    let header = manifest.header();
    let (keep, rows, failed) = scan_journal(csv, &header, shard, runs)
        .map_err(|_| SweepError::HeaderNotThisSweeps { path: path.clone() })?;
    if keep == 0 {
        return Err(SweepError::EmptyResults { path });
    }
    if rows < runs {
        return Err(SweepError::MissingRows {
            path,
            rows,
            runs,
            after: shard.run(rows.saturating_sub(1).min(runs.saturating_sub(1))),
        });
    }
    if keep != len {
        return Err(SweepError::TrailingBytes {
            path,
            extra: len - keep,
            runs,
        });
    }
    if failed != manifest.failed {
        return Err(SweepError::FailedCount {
            path,
            failed,
            recorded: manifest.failed,
        });
    }
    if let Some(want) = &manifest.results_fnv {
        let got = file_fnv(csv)?;
        if &got != want {
            return Err(SweepError::Checksum {
                path,
                got,
                want: want.clone(),
            });
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The files of a sweep directory.
struct Files {
    /// The directory.
    dir: PathBuf,
    /// Its manifest ([`MANIFEST`]).
    manifest: PathBuf,
    /// The journal ([`JOURNAL`]).
    journal: PathBuf,
    /// The finished results ([`RESULTS_CSV`]).
    csv: PathBuf,
    /// The finished results as Parquet ([`RESULTS_PARQUET`]).
    parquet: PathBuf,
}

impl Files {
    /// The files of the sweep directory `dir`.
    fn of(dir: PathBuf) -> Files {
        Files {
            manifest: dir.join(MANIFEST),
            journal: dir.join(JOURNAL),
            csv: dir.join(RESULTS_CSV),
            parquet: dir.join(RESULTS_PARQUET),
            dir,
        }
    }
}

/// Create `dir` and take its lock (held while the returned file is open): one process per
/// directory, since a second sweep into it (a duplicate job, a requeued task whose first copy
/// still runs) would interleave rows in the journal.
fn lock_dir(dir: &Path) -> Result<File, SweepError> {
    fs::create_dir_all(dir).map_err(|source| SweepError::CreateOutDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let lock_path = dir.join(LOCK);
    let lock = File::create(&lock_path).map_err(|source| SweepError::CreateLock {
        path: lock_path.clone(),
        source,
    })?;
    if let Err(e) = lock.try_lock() {
        return Err(match e {
            std::fs::TryLockError::WouldBlock => SweepError::Busy {
                dir: dir.to_path_buf(),
            },
            std::fs::TryLockError::Error(source) => SweepError::Lock {
                path: lock_path,
                source,
            },
        });
    }
    Ok(lock)
}

/// That the directory's manifest `old` is of the same version, sweep and shard as `new`.
fn check_resumable(
    dir: &Path,
    old: &Manifest,
    new: &Manifest,
    sweep: &Sweep,
) -> Result<(), SweepError> {
    if old.talentsim != new.talentsim {
        return Err(SweepError::OtherVersion {
            dir: dir.to_path_buf(),
            old: old.talentsim.clone(),
            this: new.talentsim.clone(),
        });
    }
    if old.hash != new.hash {
        return Err(SweepError::OtherSweep {
            dir: dir.to_path_buf(),
            held: Box::new([old.sweep.clone(), old.hash.clone()]),
            file: sweep.path.clone(),
            hash: new.hash.clone(),
        });
    }
    if old.shard != new.shard {
        return Err(SweepError::OtherShard {
            dir: dir.to_path_buf(),
            old: old.shard.clone(),
            this: new.shard.clone(),
        });
    }
    Ok(())
}

/// What a directory's earlier state leaves to do.
enum Prior {
    /// It is complete and verified: nothing to run.
    Complete {
        /// Runs finished.
        finished: u64,
        /// Runs failed.
        failed: u64,
    },
    /// Runs are left (perhaps all), after repairing a damaged `results.csv` (what was wrong).
    Resume(Option<String>),
}

/// Read the directory's manifest (writing a fresh one where there is none), check that it
/// holds this sweep, and repair a finished `results.csv` that fails [`verify_results`].
fn prior(files: &Files, manifest: &Manifest, sweep: &Sweep) -> Result<Prior, SweepError> {
    if !files.manifest.exists() {
        manifest.write(&files.manifest)?;
        return Ok(Prior::Resume(None));
    }
    let old = Manifest::read(&files.manifest)?;
    check_resumable(&files.dir, &old, manifest, sweep)?;
    if old.status != "complete" || !files.csv.exists() {
        return Ok(Prior::Resume(None));
    }
    match verify_results(&files.csv, &old) {
        Ok(()) if files.parquet.exists() => Ok(Prior::Complete {
            finished: old.finished,
            failed: old.failed,
        }),
        Ok(()) => Ok(Prior::Resume(None)),
        Err(e) => {
            repair(files, manifest)?;
            Ok(Prior::Resume(Some(super::error::chain(&e))))
        }
    }
}

/// Repair a damaged `results.csv`: its whole rows in order are kept as the journal, the rest
/// run again.
fn repair(files: &Files, manifest: &Manifest) -> Result<(), SweepError> {
    let _ = fs::remove_file(&files.parquet);
    if files.journal.exists() {
        fs::remove_file(&files.journal).map_err(|source| SweepError::Remove {
            path: files.journal.clone(),
            source,
        })?;
    }
    // Without this sweep's header nothing in it can be trusted: start over.
    let mut first = String::new();
    let _ = File::open(&files.csv).map(|f| BufReader::new(f).read_line(&mut first));
    if first == manifest.header() {
        fs::rename(&files.csv, &files.journal).map_err(|source| SweepError::Rename {
            path: files.csv.clone(),
            source,
        })?;
    } else {
        fs::remove_file(&files.csv).map_err(|source| SweepError::Remove {
            path: files.csv.clone(),
            source,
        })?;
    }
    manifest.write(&files.manifest)
}

/// The journal, opened for appending after its whole rows in order (a torn last line cut),
/// with its header written when new: (the file, runs done, runs failed).
fn open_journal(
    files: &Files,
    header: &str,
    shard: Shard,
    runs: u64,
) -> Result<(File, u64, u64), SweepError> {
    if !files.journal.exists() && files.csv.exists() {
        // Stopped between renaming the journal and finishing the Parquet file.
        fs::rename(&files.csv, &files.journal).map_err(|source| SweepError::Rename {
            path: files.csv.clone(),
            source,
        })?;
    }
    let (keep, done, failed) = if files.journal.exists() {
        scan_journal(&files.journal, header, shard, runs)?
    } else {
        (0, 0, 0)
    };
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&files.journal)
        .map_err(|source| SweepError::OpenJournal {
            path: files.journal.clone(),
            source,
        })?;
    file.set_len(keep)?;
    file.seek(SeekFrom::End(0))?;
    if keep == 0 {
        file.write_all(header.as_bytes())?;
        file.sync_data()?;
        sync_dir(&files.dir);
    }
    Ok((file, done, failed))
}

/// The runs of one call of [`run`], executed a batch at a time into the journal.
struct Batches<'a> {
    /// The sweep.
    sweep: &'a Sweep,
    /// How to run it.
    opts: &'a Options<'a>,
    /// The shard of the directory.
    shard: Shard,
    /// Runs of the directory.
    runs: u64,
    /// Statistics recorded per run.
    n_stats: usize,
    /// Runs done in the directory (counted by the workers).
    done: AtomicU64,
    /// Runs failed in the directory (counted by the workers).
    failed: AtomicU64,
    /// Runs at once.
    threads: usize,
}

impl Batches<'_> {
    /// Runs of a batch, at least and at most.
    fn batch_bounds(&self) -> (u64, u64) {
        let max_batch: u64 = if self.sweep.def.model == ModelKind::Scenario {
            1024
        } else {
            65536
        };
        ((2 * self.threads as u64).min(max_batch), max_batch)
    }

    /// Run the directory's runs from `next` on, a batch at a time, appending each batch's rows
    /// to the journal `file` and syncing it; stop early when asked. Returns the next run not
    /// done and whether it was stopped.
    fn run_all(
        &self,
        mut next: u64,
        file: &mut File,
        journal: &Path,
    ) -> Result<(u64, bool), SweepError> {
        let (min_batch, max_batch) = self.batch_bounds();
        let mut batch = min_batch;
        while next < self.runs {
            if self.opts.stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
                return Ok((next, true));
            }
            let end = (next + batch).min(self.runs);
            let started = Instant::now();
            let text = self.batch(next, end);
            file.write_all(text.as_bytes())
                .map_err(|source| SweepError::WriteJournal {
                    path: journal.to_path_buf(),
                    source,
                })?;
            file.sync_data().map_err(|source| SweepError::SyncJournal {
                path: journal.to_path_buf(),
                source,
            })?;
            // Aim at about two seconds a batch: few syncs, quick to stop.
            let per_run = started.elapsed().as_secs_f64() / (end - next) as f64;
            let want = (2.0 / per_run.max(1e-9)) as u64;
            batch = want.clamp(min_batch, max_batch);
            next = end;
        }
        Ok((next, false))
    }

    /// The rows of the directory's runs `next..end`, in order, run in parallel (a point's
    /// scenario loaded once for its replicates).
    fn batch(&self, next: u64, end: u64) -> String {
        let sweep = self.sweep;
        let idx: Vec<u64> = (next..end).map(|k| self.shard.run(k)).collect();
        let reps = sweep.def.replicates as u64;
        let cache: HashMap<u64, OnceLock<Result<Scenario, String>>> =
            if sweep.def.model == ModelKind::Scenario {
                idx.iter().map(|r| (r / reps, OnceLock::new())).collect()
            } else {
                HashMap::new()
            };
        let rows: Vec<String> = idx
            .par_iter()
            .map(|&r| {
                let sc = cache.get(&(r / reps)).map(|cell| {
                    cell.get_or_init(|| {
                        catch(|| sweep.point_scenario(&sweep.point_values(r / reps)))
                    })
                });
                let row = sweep.execute(r, sc);
                if row.outcome.is_err() {
                    self.failed.fetch_add(1, Ordering::Relaxed);
                }
                let d = self.done.fetch_add(1, Ordering::Relaxed) + 1;
                if let Some(p) = self.opts.progress {
                    p(d, self.failed.load(Ordering::Relaxed));
                }
                row.csv_line(self.n_stats)
            })
            .collect();
        drop(cache);
        rows.concat()
    }
}

/// Worker threads for a sweep: as asked (or rayon's), no more than the base scenario's
/// estimate fits in memory at once.
fn worker_threads(sweep: &Sweep, opts: &Options) -> usize {
    let threads = opts
        .threads
        .unwrap_or_else(rayon::current_num_threads)
        .max(1);
    match &sweep.base {
        Some(b) => crate::resolve::footprint::concurrent_runs(&[&b.def], threads),
        None => threads,
    }
}

/// Turn the finished journal into `results.csv`, write `results.parquet` from it, and mark
/// the manifest complete (with the checksum of `results.csv`).
fn complete(
    files: &Files,
    file: File,
    manifest: &mut Manifest,
    runs: u64,
    failed: u64,
) -> Result<(), SweepError> {
    file.sync_all()?;
    drop(file);
    fs::rename(&files.journal, &files.csv).map_err(|source| SweepError::RenameTo {
        path: files.csv.clone(),
        source,
    })?;
    sync_dir(&files.dir);
    super::parquet::write_from_csv(&files.csv, &files.parquet, &manifest.column_types())?;
    manifest.status = "complete".into();
    manifest.finished = runs;
    manifest.failed = failed;
    manifest.results_fnv = Some(file_fnv(&files.csv)?);
    manifest.write(&files.manifest)
}

/// Run (or resume) a sweep into `opts.out`.
pub fn run(sweep: &Sweep, opts: &Options) -> Result<Outcome, SweepError> {
    let files = Files::of(dir_of(&opts.out, opts.shard));
    let _lock = lock_dir(&files.dir)?;
    let shard = opts.shard.unwrap_or(Shard::all());
    let mut manifest = Manifest::new(sweep, opts.shard);
    let runs = shard.len(sweep.runs());
    let repaired = match prior(&files, &manifest, sweep)? {
        Prior::Complete { finished, failed } => {
            return Ok(Outcome {
                dir: files.dir,
                runs,
                resumed: finished,
                ran: 0,
                failed,
                interrupted: false,
                already_complete: true,
                repaired: None,
            });
        }
        Prior::Resume(repaired) => repaired,
    };
    let (mut file, resumed, failed) = open_journal(&files, &manifest.header(), shard, runs)?;
    let batches = Batches {
        sweep,
        opts,
        shard,
        runs,
        n_stats: sweep.record_names().len(),
        done: AtomicU64::new(resumed),
        failed: AtomicU64::new(failed),
        threads: worker_threads(sweep, opts),
    };
    let mut work = || batches.run_all(resumed, &mut file, &files.journal);
    let (next, interrupted) =
        if opts.threads.is_some() || batches.threads < rayon::current_num_threads() {
            rayon::ThreadPoolBuilder::new()
                .num_threads(batches.threads)
                .build()
                .map_err(SweepError::Threads)?
                .install(work)?
        } else {
            work()?
        };
    let failed = batches.failed.load(Ordering::SeqCst);
    let interrupted = interrupted || next < runs;
    if !interrupted {
        complete(&files, file, &mut manifest, runs, failed)?;
    }
    Ok(Outcome {
        dir: files.dir,
        runs,
        resumed,
        ran: next - resumed,
        failed,
        interrupted,
        already_complete: false,
        repaired,
    })
}

/// Time one run of point 0 and size the outputs, for `--dry-run`.
pub struct Estimate {
    /// Runs of the sweep.
    pub runs: u64,
    /// Points of the sweep.
    pub points: u64,
    /// Seconds of one run on this machine (all threads; a run parallelises internally).
    pub secs_per_run: f64,
    /// Bytes of one row of `results.csv`.
    pub row_bytes: u64,
    /// Peak memory of one run, estimated by a pilot ([`crate::resolve::footprint::estimate`]),
    /// the program itself included.
    pub run_memory_bytes: f64,
    /// The program's own part of that (counted once however many runs are at once).
    pub program_bytes: f64,
}

impl Estimate {
    /// Runs at once on `threads` threads within the memory limit, and the memory they need:
    /// the program once and, per run at once, a run and what its thread keeps of the runs
    /// before it ([`crate::resolve::footprint::RUN_SLOT_RETAIN`]).
    pub fn at_once(&self, sweep: &Sweep, threads: usize) -> (usize, f64) {
        let n = sweep.base.as_ref().map_or(threads, |b| {
            crate::resolve::footprint::concurrent_runs(&[&b.def], threads)
        });
        let per_run = (self.run_memory_bytes - self.program_bytes).max(0.0)
            * crate::resolve::footprint::RUN_SLOT_RETAIN;
        (n, self.program_bytes + n as f64 * per_run)
    }
}

/// Time a run of point 0 (several for fast models) and estimate sizes.
pub fn estimate(sweep: &Sweep) -> Estimate {
    let n_stats = sweep.record_names().len();
    let started = Instant::now();
    let mut n = 0u64;
    let mut row = String::new();
    while n == 0 || (started.elapsed().as_secs_f64() < 0.2 && n < 1000) {
        row = sweep
            .execute(n % sweep.runs().max(1), None)
            .csv_line(n_stats);
        n += 1;
    }
    let secs = started.elapsed().as_secs_f64() / n as f64;
    let mem = sweep.base.as_ref().map_or(0.0, |b| {
        crate::resolve::footprint::estimate(&b.def, f64::INFINITY).map_or(0.0, |f| f.total())
    });
    Estimate {
        runs: sweep.runs(),
        points: sweep.points(),
        secs_per_run: secs,
        row_bytes: row.len() as u64,
        run_memory_bytes: mem,
        program_bytes: crate::resolve::footprint::program_bytes(),
    }
}
