//! Combining the directories of a sharded sweep into what one process would have written.
//!
//! Shard `I` of `N` holds the runs whose index is `I` modulo `N`, in order, so the merged
//! `results.csv` takes its rows from the shards in turn; `results.parquet` and the manifest are
//! then written exactly as [`super::exec::run`] writes them, byte for byte.

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::SweepError;
use super::exec::{JOURNAL, MANIFEST, Manifest, RESULTS_CSV, RESULTS_PARQUET, Shard, scan_journal};

/// A shard that did not finish.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// The shard.
    pub shard: Shard,
    /// Its directory, if it exists.
    pub dir: Option<PathBuf>,
    /// Runs it finished.
    pub done: u64,
    /// Runs it should have.
    pub runs: u64,
}

/// What a merge found.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeReport {
    /// Runs of the whole sweep.
    pub runs: u64,
    /// Failed runs (of those present).
    pub failed: u64,
    /// Shards that did not finish; empty when the merge was written.
    pub gaps: Vec<Gap>,
    /// Points with at least one missing run, ascending.
    pub missing_points: Vec<u64>,
    /// Where the merged results were written (when complete).
    pub written: Option<PathBuf>,
}

/// `0-3, 7, 12-15`.
pub fn ranges(xs: &[u64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < xs.len() {
        let mut j = i;
        while j + 1 < xs.len() && xs[j + 1] == xs[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            xs[i].to_string()
        } else {
            format!("{}-{}", xs[i], xs[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

/// The sweep directories under `inputs`: each is a shard directory (`shard-*` with a manifest),
/// a directory of `shard-*` directories, or a whole sweep's directory.
fn find_shards(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, Manifest)>, SweepError> {
    let mut found = Vec::new();
    for d in inputs {
        let is_shard_dir = d
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("shard-"));
        if is_shard_dir && d.join(MANIFEST).exists() {
            found.push((d.clone(), Manifest::read(&d.join(MANIFEST))?));
            continue;
        }
        let entries = fs::read_dir(d).map_err(|source| SweepError::ReadDir {
            dir: d.clone(),
            source,
        })?;
        let mut subs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("shard-"))
                    && p.join(MANIFEST).exists()
            })
            .collect();
        subs.sort();
        if subs.is_empty() && d.join(MANIFEST).exists() {
            // A whole sweep (or a shard directory under another name).
            found.push((d.clone(), Manifest::read(&d.join(MANIFEST))?));
            continue;
        }
        if subs.is_empty() {
            return Err(SweepError::NoSweep {
                dir: d.clone(),
                manifest: MANIFEST,
            });
        }
        for s in subs {
            let m = Manifest::read(&s.join(MANIFEST))?;
            found.push((s, m));
        }
    }
    Ok(found)
}

/// The shards found, by shard index, once each (`None`: not found): all of one sweep and
/// talentsim version, and of one shard count.
fn by_index(found: &[(PathBuf, Manifest)]) -> Result<Vec<Option<(PathBuf, Manifest)>>, SweepError> {
    let (first_dir, first) = &found[0];
    let count = first.shard().map_or(1, |s| s.count);
    let mut by_index: Vec<Option<(PathBuf, Manifest)>> = vec![None; count as usize];
    for (d, m) in found {
        if m.hash != first.hash || m.talentsim != first.talentsim {
            return Err(SweepError::DifferentSweeps {
                first: first_dir.clone(),
                dir: d.clone(),
                hashes: Box::new([first.hash.clone(), m.hash.clone()]),
                versions: Box::new([first.talentsim.clone(), m.talentsim.clone()]),
            });
        }
        let s = m.shard().unwrap_or(Shard::all());
        if s.count != count {
            return Err(SweepError::ShardCounts {
                dir: d.clone(),
                index: s.index,
                of: s.count,
                first: first_dir.clone(),
                count,
            });
        }
        if let Some((other, _)) = &by_index[s.index as usize] {
            return Err(SweepError::ShardTwice {
                index: s.index,
                count,
                first: other.clone(),
                second: d.clone(),
            });
        }
        by_index[s.index as usize] = Some((d.clone(), m.clone()));
    }
    Ok(by_index)
}

/// How far one shard got.
struct ShardState {
    /// Its directory, if found.
    dir: Option<PathBuf>,
    /// Its whole rows in order.
    done: u64,
    /// Its failed runs among them.
    failed: u64,
    /// The file holding them (`results.csv`, or the journal of an unfinished shard).
    file: Option<PathBuf>,
}

/// How far `shard` (found in `slot`) got, with `runs` runs of rows under `header`; a finished
/// shard's results must pass [`verify_results`](super::exec::verify_results).
fn shard_state(
    shard: Shard,
    slot: &Option<(PathBuf, Manifest)>,
    header: &str,
    runs: u64,
) -> Result<ShardState, SweepError> {
    let Some((d, m)) = slot else {
        return Ok(ShardState {
            dir: None,
            done: 0,
            failed: 0,
            file: None,
        });
    };
    let csv = d.join(RESULTS_CSV);
    if m.status == "complete" && csv.exists() {
        super::exec::verify_results(&csv, m).map_err(|e| SweepError::DamagedShard {
            index: shard.index as usize,
            count: shard.count,
            dir: d.clone(),
            source: Box::new(e),
        })?;
    }
    let path = if csv.exists() { csv } else { d.join(JOURNAL) };
    if !path.exists() {
        return Ok(ShardState {
            dir: Some(d.clone()),
            done: 0,
            failed: 0,
            file: None,
        });
    }
    let (_, done, failed) = scan_journal(&path, header, shard, runs)?;
    Ok(ShardState {
        dir: Some(d.clone()),
        done,
        failed,
        file: Some(path),
    })
}

/// Each shard's results file, opened and past its header.
fn open_shards(files: &[Option<PathBuf>]) -> Result<Vec<BufReader<File>>, SweepError> {
    let mut readers: Vec<BufReader<File>> = Vec::new();
    for f in files.iter().flatten() {
        let mut r = BufReader::new(File::open(f).map_err(|source| SweepError::Open {
            path: f.clone(),
            source,
        })?);
        let mut h = String::new();
        r.read_line(&mut h)?;
        readers.push(r);
    }
    Ok(readers)
}

/// Write the merged `results.csv` (the shards' rows in turn, under `header`) and
/// `results.parquet` into `out`: under staging names first, put in place only when both are
/// complete, so a merge that fails leaves nothing under a final name.
fn write_tables(
    out: &Path,
    base: &Manifest,
    header: &str,
    readers: &mut [BufReader<File>],
    count: u64,
) -> Result<(), SweepError> {
    let total = base.runs;
    let staged_csv = out.join(format!(".{RESULTS_CSV}.merging"));
    let staged_parquet = out.join(format!(".{RESULTS_PARQUET}.merging"));
    let staged = (|| -> Result<(), SweepError> {
        crate::output::write_atomic(&staged_csv, |w| {
            w.write_all(header.as_bytes())?;
            let mut line = String::new();
            for r in 0..total {
                line.clear();
                let shard = (r % count) as usize;
                if readers[shard].read_line(&mut line)? == 0 {
                    return Err(std::io::Error::other(format!(
                        "shard {shard}/{count}'s results end early, at run {r}: rerun that shard"
                    )));
                }
                w.write_all(line.as_bytes())?;
            }
            Ok(())
        })?;
        super::parquet::write_from_csv(&staged_csv, &staged_parquet, &base.column_types())?;
        Ok(())
    })();
    if let Err(e) = staged {
        let _ = fs::remove_file(&staged_csv);
        let _ = fs::remove_file(&staged_parquet);
        return Err(e);
    }
    let move_into = |file: &'static str, staged: &Path| {
        fs::rename(staged, out.join(file)).map_err(|source| SweepError::MoveInto {
            file,
            dir: out.to_path_buf(),
            source,
        })
    };
    move_into(RESULTS_PARQUET, &staged_parquet)?;
    move_into(RESULTS_CSV, &staged_csv)
}

/// Merge the shards found under `inputs` into `out`. Nothing is written when runs are missing:
/// the report lists the shards and points that lack them.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeReport, SweepError> {
    let found = find_shards(inputs)?;
    let by_index = by_index(&found)?;
    let count = by_index.len() as u64;
    let mut base = found[0].1.clone();
    base.shard = None;
    let header = base.header();
    let total = base.runs;
    let mut gaps = Vec::new();
    let mut missing_runs: Vec<u64> = Vec::new();
    let mut files = Vec::new();
    let mut failed = 0;
    for (i, slot) in by_index.iter().enumerate() {
        let shard = Shard {
            index: i as u64,
            count,
        };
        let runs = shard.len(total);
        let state = shard_state(shard, slot, &header, runs)?;
        failed += state.failed;
        if state.done < runs {
            missing_runs.extend((state.done..runs).map(|k| shard.run(k)));
            gaps.push(Gap {
                shard,
                dir: state.dir,
                done: state.done,
                runs,
            });
        }
        files.push(state.file);
    }
    let reps = base.replicates.max(1) as u64;
    let mut missing_points: Vec<u64> = missing_runs.iter().map(|r| r / reps).collect();
    missing_points.sort_unstable();
    missing_points.dedup();
    let mut report = MergeReport {
        runs: total,
        failed,
        gaps,
        missing_points,
        written: None,
    };
    if report.gaps.is_empty() {
        write_merged(out, &mut base, &files, failed)?;
        report.written = Some(out.to_path_buf());
    }
    Ok(report)
}

/// Write the merged tables and manifest of a complete sweep into `out` (which holds no other
/// sweep) from the shards' `files` (one per shard), with `failed` runs.
fn write_merged(
    out: &Path,
    base: &mut Manifest,
    files: &[Option<PathBuf>],
    failed: u64,
) -> Result<(), SweepError> {
    let count = files.len() as u64;
    let mut readers = open_shards(files)?;
    if let Ok(old) = Manifest::read(&out.join(MANIFEST))
        && old.hash != base.hash
    {
        return Err(SweepError::OutHoldsOther {
            dir: out.to_path_buf(),
            sweep: old.sweep,
            hash: old.hash,
        });
    }
    fs::create_dir_all(out).map_err(|source| SweepError::Create {
        path: out.to_path_buf(),
        source,
    })?;
    write_tables(out, base, &base.header(), &mut readers, count)?;
    base.status = "complete".into();
    base.finished = base.runs;
    base.failed = failed;
    base.results_fnv = Some(super::exec::file_fnv(&out.join(RESULTS_CSV))?);
    base.write(&out.join(MANIFEST))
}
