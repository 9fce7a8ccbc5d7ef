//! The `sweep`, `merge` and `analyze` commands.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use talentsim::sweep::{self, exec, merge};

use super::Failure;

/// Exit code when some runs failed.
pub const EXIT_RUNS_FAILED: u8 = 3;
/// Exit code when a merge finds runs missing.
pub const EXIT_MISSING: u8 = 4;
/// Exit code after Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Sweep file (TOML; see docs/GUIDE.md, "Sweeps").
    pub file: PathBuf,
    /// Output directory (default: `out/<sweep file stem>`). A shard writes into
    /// `<out>/shard-I-of-N/`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the number of runs and estimates of time, memory and disk, then exit.
    #[arg(long)]
    pub dry_run: bool,
    /// Run only shard I of N (I from 0): the runs whose index is I modulo N. Inside a Slurm
    /// array task the default is SLURM_ARRAY_TASK_ID (from SLURM_ARRAY_TASK_MIN) of
    /// SLURM_ARRAY_TASK_COUNT.
    #[arg(long, value_name = "I/N", value_parser = exec::Shard::parse)]
    pub shard: Option<exec::Shard>,
    /// Worker threads (default: every core, or RAYON_NUM_THREADS).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Override a setting of the sweep file, e.g. `--set replicates=2` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard directories, or directories holding `shard-*` directories.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged results (default: the single directory given).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// A finished (or merged) sweep directory.
    pub dir: PathBuf,
    /// Where to write tables and plots (default: `<dir>/analysis`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Bootstrap resamples for the intervals.
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
}

/// A duration in indicatif's human form (`3 minutes`).
fn human_secs(s: f64) -> indicatif::HumanDuration {
    indicatif::HumanDuration(std::time::Duration::from_secs_f64(s.max(0.0)))
}

/// Bytes in indicatif's human form (`33.60 MiB`).
fn human_bytes(b: f64) -> indicatif::HumanBytes {
    indicatif::HumanBytes(b.max(0.0) as u64)
}

/// `sweep`: run a sweep file (or one shard of it), resuming where a previous run stopped.
pub fn sweep(a: SweepArgs) -> Result<(), Failure> {
    let sw = sweep::load(&a.file, &a.sets).map_err(Failure::Input)?;
    let shard = match a.shard {
        Some(s) => Some(s),
        None => exec::Shard::from_env(|k| std::env::var(k).ok()).map_err(anyhow::Error::msg)?,
    };
    let threads = a.threads.unwrap_or_else(rayon::current_num_threads).max(1);
    let out = a
        .out
        .unwrap_or_else(|| PathBuf::from("out").join(a.file.file_stem().unwrap_or_default()));
    let runs = shard.unwrap_or(exec::Shard::all()).len(sw.runs());
    if a.dry_run {
        return dry_run(&sw, shard, threads, runs, &out);
    }
    let stop = stop_on_ctrl_c();
    let bar = super::progress::bar(
        runs,
        "{spinner} [{bar:30}] {pos}/{len} runs, {msg} ({elapsed} elapsed, ETA {eta})",
    );
    bar.set_message("0 failed");
    let progress = |done: u64, failed: u64| {
        bar.set_position(done);
        bar.set_message(format!("{failed} failed"));
    };
    let started = Instant::now();
    let o = exec::run(
        &sw,
        &exec::Options {
            out: out.clone(),
            shard,
            threads: a.threads,
            stop: Some(stop),
            progress: Some(&progress),
        },
    )
    .map_err(|e| Failure::Other(e.into()))?;
    bar.finish_and_clear();
    let what = match shard {
        Some(s) => format!("shard {}/{} of `{}`", s.index, s.count, a.file.display()),
        None => format!("`{}`", a.file.display()),
    };
    say_outcome(&what, &o, started)
}

/// A flag that the first Ctrl-C sets (the runs in progress finish, the journal stays
/// consistent); a second one exits at once.
fn stop_on_ctrl_c() -> &'static AtomicBool {
    let stop: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let _ = ctrlc::set_handler(move || {
        if stop.swap(true, Ordering::SeqCst) {
            say!("\ninterrupted again: stopping now (the journal is consistent; rerun to resume)");
            std::process::exit(EXIT_INTERRUPTED as i32);
        }
        say!("\ninterrupted: finishing the runs in progress (Ctrl-C again to stop at once)…");
    });
    stop
}

/// Say how the sweep `what` (started at `started`) ended; its exit code when interrupted or
/// when runs failed.
fn say_outcome(what: &str, o: &exec::Outcome, started: Instant) -> Result<(), Failure> {
    if let Some(why) = &o.repaired {
        say!(
            "{what}: the finished results were damaged ({why}); kept the whole rows and ran the rest again"
        );
    }
    if o.already_complete {
        say!(
            "{what}: already complete in {} ({} runs, {} failed); nothing to do",
            o.dir.display(),
            o.runs,
            o.failed
        );
    } else if o.interrupted {
        say!(
            "{what}: interrupted after {} of {} runs ({} this time, {:.1} s); rerun the same command to resume",
            o.resumed + o.ran,
            o.runs,
            o.ran,
            started.elapsed().as_secs_f64()
        );
        return Err(Failure::Code(EXIT_INTERRUPTED));
    } else {
        let resumed = if o.resumed > 0 {
            format!(" ({} resumed from the journal)", o.resumed)
        } else {
            String::new()
        };
        say!(
            "{what}: {} runs{resumed} in {}, {} failed; results.csv and results.parquet in {}",
            o.runs,
            human_secs(started.elapsed().as_secs_f64()),
            o.failed,
            o.dir.display()
        );
    }
    if o.failed > 0 {
        say!(
            "  {} run(s) failed: their `status` is `failed` and `error` says why",
            o.failed
        );
        return Err(Failure::Code(EXIT_RUNS_FAILED));
    }
    Ok(())
}

fn dry_run(
    sw: &sweep::Sweep,
    shard: Option<exec::Shard>,
    threads: usize,
    runs: u64,
    out: &Path,
) -> Result<(), Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .context("starting a thread")?;
    say!("timing a run of the first point…");
    let est = pool.install(|| exec::estimate(sw));
    let d = &sw.def;
    out!(
        "sweep `{}`: {} design, {} knob(s), {} point(s) × {} replicate(s) = {} runs (seeds: {}, base {})",
        if d.name.is_empty() {
            sw.path.display().to_string()
        } else {
            d.name.clone()
        },
        d.design.as_str(),
        sw.knobs.len(),
        est.points,
        d.replicates,
        est.runs,
        d.seeds.as_str(),
        d.seed
    );
    if let Some(s) = shard {
        out!(
            "shard {}/{}: {runs} runs, into {}",
            s.index,
            s.count,
            exec::dir_of(out, shard).display()
        );
    }
    let wall = est.secs_per_run * runs as f64 / threads as f64;
    out!(
        "time: one run takes {:.3} s on one thread (timed); {runs} runs on {threads} thread(s) ≈ {}",
        est.secs_per_run,
        human_secs(wall)
    );
    if est.run_memory_bytes > 0.0 {
        let (n, total) = est.at_once(sw, threads);
        out!(
            "memory: about {} per run (the program's own {} included), {} with {n} runs at once{}",
            human_bytes(est.run_memory_bytes),
            human_bytes(est.program_bytes),
            human_bytes(total),
            if n < threads {
                format!(" (fewer than the {threads} threads: that is what fits in memory)")
            } else {
                String::new()
            }
        );
    }
    let csv = est.row_bytes as f64 * runs as f64;
    out!(
        "disk: results.csv ≈ {} ({} B a row), results.parquet ≤ that; the journal and the Parquet file briefly coexist: allow {}",
        human_bytes(csv),
        est.row_bytes,
        human_bytes(2.0 * csv + 4096.0)
    );
    Ok(())
}

pub fn merge(a: MergeArgs) -> Result<(), Failure> {
    let out = match (&a.out, a.dirs.as_slice()) {
        (Some(o), _) => o.clone(),
        (None, [one]) => one.clone(),
        (None, _) => {
            return Err(Failure::Other(anyhow::anyhow!(
                "several directories given: say where the merged results go with --out"
            )));
        }
    };
    let r = merge::merge(&a.dirs, &out).map_err(|e| Failure::Other(e.into()))?;
    if r.written.is_none() {
        let missing: u64 = r.gaps.iter().map(|g| g.runs - g.done).sum();
        say!(
            "merge: {missing} of {} runs are missing, from {} shard(s); nothing written",
            r.runs,
            r.gaps.len()
        );
        for g in &r.gaps {
            let state = match &g.dir {
                None => "no directory (the task never ran, or wrote elsewhere)".to_string(),
                Some(d) => format!("{} of {} runs done in {}", g.done, g.runs, d.display()),
            };
            say!("  shard {}/{}: {state}", g.shard.index, g.shard.count);
        }
        say!(
            "  points with missing runs ({}): {}",
            r.missing_points.len(),
            merge::ranges(&r.missing_points)
        );
        say!(
            "  rerun the missing shards (`talentsim sweep FILE --out DIR --shard I/N` resumes them), then merge again"
        );
        return Err(Failure::Code(EXIT_MISSING));
    }
    say!(
        "merged {} runs ({} failed) into {}",
        r.runs,
        r.failed,
        out.display()
    );
    if r.failed > 0 {
        return Err(Failure::Code(EXIT_RUNS_FAILED));
    }
    Ok(())
}

fn est(e: &talentsim::analysis::Est) -> String {
    format!("{:.3} [{:.3}, {:.3}]", e.value, e.low, e.high)
}

pub fn analyze(a: AnalyzeArgs) -> Result<(), Failure> {
    let an = talentsim::analysis::analyze(&a.dir, a.bootstrap).map_err(anyhow::Error::from)?;
    let out = a.out.unwrap_or_else(|| a.dir.join("analysis"));
    let files = talentsim::analysis::write(&an, &out).map_err(anyhow::Error::from)?;
    out!(
        "# Sensitivity of `{}` ({} design, {} points, {} failed runs)\n",
        an.sweep,
        an.design,
        an.points,
        an.failed
    );
    for s in &an.stats {
        out!(
            "## {} (mean {})\n",
            s.stat,
            talentsim::analysis::plot::short(s.mean)
        );
        match (&s.morris, &s.sobol) {
            (Some(m), _) => {
                out!("| knob | μ* [95% bootstrap] | μ | σ |\n|---|---|---|---|");
                for (k, x) in an.knobs.iter().zip(m) {
                    out!(
                        "| {k} | {} | {:.3} | {:.3} |",
                        est(&x.mu_star),
                        x.mu,
                        x.sigma
                    );
                }
            }
            (_, Some((so, n))) => {
                out!(
                    "N = {n} base samples\n\n| knob | S1 [95% bootstrap] | ST [95% bootstrap] |\n|---|---|---|"
                );
                for (k, x) in an.knobs.iter().zip(so) {
                    out!("| {k} | {} | {} |", est(&x.s1), est(&x.st));
                }
            }
            _ => {
                out!("| knob | main-effect swing (max − min level mean) |\n|---|---|");
                for (k, me) in an.knobs.iter().zip(&s.main_effects) {
                    let (lo, hi) = me
                        .iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                            (l.min(v.mean.value), h.max(v.mean.value))
                        });
                    out!("| {k} | {} |", talentsim::analysis::plot::short(hi - lo));
                }
            }
        }
        out!();
    }
    say!("{} files in {}", files.len(), out.display());
    Ok(())
}
