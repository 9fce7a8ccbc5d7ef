//! The `talentsim` command line: argument parsing (clap; the doc comments are the help text),
//! one function per command, terminal output. Everything else is the library's.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use talentsim::scenario::{Scenario, ScenarioError};

/// `eprintln!` through [`talentsim::term::clean`]: user strings reach the terminal only
/// through this and [`out!`].
macro_rules! say {
    () => { eprintln!() };
    ($($t:tt)*) => { eprintln!("{}", talentsim::term::clean(&format!($($t)*))) };
}

/// `println!` through [`talentsim::term::clean`] (and [`stdout_write`]).
macro_rules! out {
    () => { crate::cli::stdout_write("\n") };
    ($($t:tt)*) => { crate::cli::stdout_write(&format!("{}\n", talentsim::term::clean(&format!($($t)*)))) };
}

/// `print!` through [`talentsim::term::clean`] (and [`stdout_write`]).
macro_rules! out_raw {
    ($($t:tt)*) => { crate::cli::stdout_write(&talentsim::term::clean(&format!($($t)*))) };
}

/// Write to stdout; when the reader has gone (`talentsim analyze DIR | head`), stop quietly
/// with exit 0 as ripgrep does, instead of `println!`'s panic.
pub fn stdout_write(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to stdout: {e}");
        std::process::exit(1);
    }
}

mod progress;
mod sweep;

/// Agent-based simulator of regional talent ecosystems.
///
/// Talent brings technology → technology becomes a project → the project raises capital →
/// industrialization. Scenarios are TOML files; see docs/GUIDE.md for the format.
#[derive(Parser, Debug)]
#[command(name = "talentsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and write timeseries.csv, firms.csv, firm_years.csv and summary.json.
    Run {
        /// Scenario file.
        scenario: PathBuf,
        /// Seed (default: the scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory (default: `out/<scenario file stem>`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override a knob: `--set region.Binjiang.housing.units=20000` (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Also draw the plots (PNG and SVG) into `<out>/plots/`.
        #[arg(long)]
        plots: bool,
    },
    /// Check a scenario file without running it; every problem is reported.
    Validate {
        /// The scenario file.
        scenario: PathBuf,
        /// Override a knob (repeatable): `--set region.Binjiang.housing.units=20000`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// Print the fully resolved scenario (extends and --set applied, defaults filled in).
    Show {
        /// The scenario file.
        scenario: PathBuf,
        /// Override a knob (repeatable): `--set region.Binjiang.housing.units=20000`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// List every knob with its type, unit, default and valid range (Markdown).
    Knobs,
    /// Run a sweep file: many runs over a design of knob values, into results.csv and .parquet.
    ///
    /// Designs: grid, random, lhs, sobol, morris, saltelli. Runs go in parallel and are
    /// streamed to disk; rerunning the same command after an interruption resumes. `--shard
    /// I/N` (or a Slurm array task) runs a slice; `talentsim merge` joins the slices. Exit
    /// codes: 0 done, 2 a problem in the sweep file, 3 some runs failed, 130 interrupted.
    Sweep(sweep::SweepArgs),
    /// Merge a sweep's shard directories into the results one process would have written.
    ///
    /// If a shard did not finish, nothing is written: the missing shards and points are
    /// listed, and the exit code is 4.
    Merge(sweep::MergeArgs),
    /// Sensitivity analysis of a finished sweep: main effects, Morris, Sobol indices, plots.
    ///
    /// Morris μ* and σ, Sobol S1 and ST with bootstrap intervals, main effects, a tornado
    /// chart and a two-knob heatmap; tables and plots (PNG, SVG) go to `<dir>/analysis/`.
    Analyze(sweep::AnalyzeArgs),
    /// Compare scenarios over the same seeds: headline metrics with 95% intervals, paired
    /// differences from the baseline (the first scenario), the probability of meeting each
    /// `[[target]]`; writes comparison.csv, comparison.json, plots/ and report.html.
    Compare {
        /// The baseline scenario file.
        baseline: PathBuf,
        /// The scenario files to compare with it.
        #[arg(required = true)]
        others: Vec<PathBuf>,
        /// Replicates (seeds) per scenario, or `auto`: add replicates in batches until every
        /// headline paired difference (or each `--metric`) has a 95% interval narrower than
        /// `--precision` of the baseline's mean, or `--max-replicates` is reached.
        #[arg(long, default_value = "30", value_parser = parse_replicates)]
        replicates: Replicates,
        /// With `--replicates auto`: the wanted width of each difference's 95% interval,
        /// relative to the baseline's mean (`5%` or `0.05`).
        #[arg(long, value_parser = parse_precision, allow_hyphen_values = true)]
        precision: Option<f64>,
        /// With `--replicates auto`: never more replicates than this per scenario.
        #[arg(long, value_parser = clap::value_parser!(u32).range(2..=100_000))]
        max_replicates: Option<u32>,
        /// With `--replicates auto`: a whole-run metric whose difference must meet the
        /// precision (repeatable; default: the funnel's six headline metrics).
        #[arg(long = "metric", value_parser = parse_metric)]
        metrics: Vec<String>,
        /// First seed; replicate i uses seed + i in every scenario (default: the baseline's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory (default: `out/compare-<baseline file stem>`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override a knob in every scenario, e.g. `--set scale=10` (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// Redraw the plots (and a comparison's report.html) of a `run` or `compare` output
    /// directory from its saved files, without rerunning.
    Plot {
        /// Output directory of `talentsim run` or `talentsim compare`.
        dir: PathBuf,
    },
    /// Compare finished runs with published regularities of firm dynamics and venture funding.
    ///
    /// Survival and hazards by age (BLS), the seed funnel (CB Insights, Carta), the firm-size
    /// tail (Axtell), growth-rate scaling and shape (Stanley et al.), growth by age, and the
    /// survival of 5050-backed firms: per fact the mean over runs with a 95% t interval, the
    /// published value, its band and source. Exit codes: 0 every fact in band, 5 some fact out
    /// of band or not computable, 2 bad input.
    Facts {
        /// Run directories written by `talentsim run` (one scenario, any number of seeds).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// CSV file for the table.
        #[arg(long, default_value = "facts.csv")]
        out: PathBuf,
    },
    /// Calibrate knobs to targets by the simulated method of moments (Nelder–Mead over the
    /// knobs' valid ranges; replicates on common random numbers). Without `--params`, only
    /// reports the fit. Ctrl-C stops the search and writes the best point so far.
    Calibrate {
        /// Scenario file.
        scenario: PathBuf,
        /// Targets file (see `scenarios/targets/binjiang.toml`).
        #[arg(long)]
        targets: PathBuf,
        /// Knobs to calibrate, comma-separated `--set`-style paths, each optionally with bounds:
        /// `region.Binjiang.base_utility=0:2,capital.seed_bar`.
        #[arg(long)]
        params: Option<String>,
        /// Most objective evaluations.
        #[arg(long, default_value_t = 100)]
        budget: usize,
        /// Replicates per evaluation, 1 to 100000 (default: the targets file's `replicates`).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        replicates: Option<u32>,
        /// Output directory (default: `out/calibrate-<scenario stem>`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override a knob before calibrating (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
}

/// `compare --replicates`: a count or `auto`.
#[derive(Clone, Copy, Debug)]
enum Replicates {
    Fixed(u32),
    Auto,
}

fn parse_replicates(s: &str) -> Result<Replicates, String> {
    if s == "auto" {
        return Ok(Replicates::Auto);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(Replicates::Fixed(n)),
        _ => Err(format!(
            "expected a whole number of replicates from 1 to 100000, or `auto`; got `{s}`"
        )),
    }
}

fn parse_precision(s: &str) -> Result<f64, String> {
    let (num, div) = match s.strip_suffix('%') {
        Some(n) => (n, 100.0),
        None => (s, 1.0),
    };
    match num.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x / div <= 100.0 => Ok(x / div),
        _ => Err(format!(
            "expected a positive relative precision such as `5%` or `0.05`; got `{s}`"
        )),
    }
}

fn parse_metric(s: &str) -> Result<String, String> {
    if talentsim::compare::SCALARS.iter().any(|d| d.key == s) {
        return Ok(s.to_string());
    }
    let keys: Vec<&str> = talentsim::compare::SCALARS.iter().map(|d| d.key).collect();
    Err(format!(
        "`{s}` is not a whole-run metric; expected one of: {}",
        keys.join(", ")
    ))
}

/// Why a command failed, and so its exit code.
enum Failure {
    /// A problem in the scenario (or targets) given: its diagnostics, exit code 2.
    Input(ScenarioError),
    /// Any other failure: `error: ` and the message with its causes, exit code 1.
    Other(anyhow::Error),
    /// Exit with this code; the command has already said why.
    Code(u8),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            say!("{e}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            say!("error: {e:#}");
            ExitCode::from(1)
        }
        Err(Failure::Code(c)) => ExitCode::from(c),
    }
}

fn load(path: &std::path::Path, sets: &[String]) -> Result<Scenario, Failure> {
    talentsim::load(path, sets).map_err(Failure::Input)
}

/// Run the command `cli` names.
fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run {
            scenario,
            seed,
            out,
            sets,
            plots,
        } => cmd_run(&scenario, seed, out, &sets, plots),
        Command::Compare {
            baseline,
            others,
            replicates,
            precision,
            max_replicates,
            metrics,
            seed,
            out,
            sets,
        } => {
            let (n, auto) = replicate_plan(replicates, precision, max_replicates, metrics)?;
            cmd_compare(&baseline, &others, n, auto, seed, out, &sets)
        }
        Command::Plot { dir } => cmd_plot(&dir),
        Command::Validate { scenario, sets } => cmd_validate(&scenario, &sets),
        Command::Show { scenario, sets } => cmd_show(&scenario, &sets),
        Command::Calibrate {
            scenario,
            targets,
            params,
            budget,
            replicates,
            out,
            sets,
        } => cmd_calibrate(
            &scenario,
            &targets,
            params.as_deref(),
            budget,
            replicates,
            out,
            &sets,
        ),
        Command::Facts { dirs, out } => cmd_facts(&dirs, &out),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Merge(a) => sweep::merge(a),
        Command::Analyze(a) => sweep::analyze(a),
        Command::Knobs => {
            stdout_write(&Scenario::knob_table());
            Ok(())
        }
    }
}

/// `compare`'s replicates: the most per scenario, and the adaptive plan of `--replicates
/// auto`. The options of `auto` with a fixed count are refused (exit code 2).
fn replicate_plan(
    replicates: Replicates,
    precision: Option<f64>,
    max_replicates: Option<u32>,
    metrics: Vec<String>,
) -> Result<(usize, Option<talentsim::compare::Auto>), Failure> {
    match replicates {
        Replicates::Auto => {
            let auto = talentsim::compare::Auto {
                precision: precision.unwrap_or(0.05),
                min_replicates: 10,
                max_replicates: max_replicates.unwrap_or(500) as usize,
                metrics: if metrics.is_empty() {
                    talentsim::compare::HEADLINE
                        .iter()
                        .map(|m| m.to_string())
                        .collect()
                } else {
                    metrics
                },
            };
            Ok((auto.max_replicates, Some(auto)))
        }
        Replicates::Fixed(_)
            if precision.is_some() || max_replicates.is_some() || !metrics.is_empty() =>
        {
            say!(
                "error: --precision, --max-replicates and --metric size `--replicates auto`; with a fixed replicate count they mean nothing"
            );
            Err(Failure::Code(2))
        }
        Replicates::Fixed(n) => Ok((n as usize, None)),
    }
}

/// `plot`: redraw a run's or a comparison's plots from its saved files.
fn cmd_plot(dir: &std::path::Path) -> Result<(), Failure> {
    let (_, plots) = talentsim::report::redraw(dir).map_err(anyhow::Error::from)?;
    say!("{} plots in {}", plots.len(), dir.join("plots").display());
    Ok(())
}

/// `validate`: check a scenario and say what it holds, with its memory estimate.
fn cmd_validate(scenario: &std::path::Path, sets: &[String]) -> Result<(), Failure> {
    let sc = load(scenario, sets)?;
    use talentsim::resolve::footprint;
    let memory = match footprint::estimate(&sc.def, f64::INFINITY) {
        Some(fp) => format!(
            "peak memory about {}, from a pilot at scale {}",
            footprint::human(fp.total()),
            fp.pilot_scale.unwrap_or(sc.def.scale)
        ),
        None => format!(
            "peak memory at most {} (too many regions for a pilot)",
            footprint::human(footprint::bound(&sc.def).total())
        ),
    };
    say!(
        "{}: ok ({} region(s), {} to {}, scale {}; {memory})",
        scenario.display(),
        sc.def.region.len(),
        sc.def.start,
        sc.def.end,
        sc.def.scale,
    );
    Ok(())
}

/// `show`: print the resolved scenario as TOML.
fn cmd_show(scenario: &std::path::Path, sets: &[String]) -> Result<(), Failure> {
    let sc = load(scenario, sets)?;
    out_raw!("{}", sc.to_toml());
    Ok(())
}

/// Make sure `out` can be written before any simulating: create it and write (then remove) a
/// probe file, so an unwritable directory is found in a second, not after the runs.
fn check_out_dir(out: &std::path::Path) -> Result<(), Failure> {
    let probe = out.join(format!(".talentsim-write-check-{}", std::process::id()));
    std::fs::create_dir_all(out)
        .and_then(|_| std::fs::write(&probe, b""))
        .and_then(|_| std::fs::remove_file(&probe))
        .with_context(|| {
            format!(
                "the output directory `{}` cannot be written (checked before simulating)",
                out.display()
            )
        })?;
    Ok(())
}

fn cmd_run(
    path: &std::path::Path,
    seed: Option<u64>,
    out: Option<PathBuf>,
    sets: &[String],
    plots: bool,
) -> Result<(), Failure> {
    let sc = load(path, sets)?;
    let seed = seed.unwrap_or(sc.def.seed);
    let out =
        out.unwrap_or_else(|| PathBuf::from("out").join(path.file_stem().unwrap_or_default()));
    check_out_dir(&out)?;
    let started = Instant::now();
    // The whole run on a thread of rayon's pool: its parallel passes start there, without
    // waking this thread at each.
    rayon::scope(|_| run_on_pool(&sc, seed, &out, plots, started))
}

/// The body of `talentsim run` after the checks: build, simulate, write, report.
fn run_on_pool(
    sc: &talentsim::Scenario,
    seed: u64,
    out: &std::path::Path,
    plots: bool,
    started: Instant,
) -> Result<(), Failure> {
    let world = talentsim::World::new(sc, seed);
    let months = world.months();
    // Only a long run gets a bar (hidden anyway when stderr is not a terminal).
    let bar = (sc.def.region.iter().map(|r| r.initial_talent).sum::<f64>() / sc.def.scale
        > 50_000.0)
        .then(|| {
            let b = progress::bar(
                months as u64,
                "{spinner} {msg} [{bar:30}] {pos}/{len} months ({eta})",
            );
            b.set_message(talentsim::term::clean(&sc.def.name).into_owned());
            b
        });
    let result = talentsim::metrics::run(world, |t, _| {
        if let Some(b) = &bar {
            b.set_position(t as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let summary = talentsim::output::write_run(out, sc, &result).context("writing outputs")?;
    let peak = talentsim::resolve::footprint::peak_resident_bytes().map_or_else(String::new, |b| {
        format!(", peak memory {}", talentsim::resolve::footprint::human(b))
    });
    say!(
        "{}: {} months, seed {seed}, {:.2} s{peak}; outputs in {}",
        sc.def.name,
        months,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    if let Some(regions) = summary["regions"].as_array() {
        for r in regions {
            say!(
                "  {}: talent {} | firms founded {} | listed {} | quasi-unicorns {} | unicorns {}",
                r["region"].as_str().unwrap_or(""),
                r["talent_stock_end"],
                r["firms_founded"],
                r["listed"],
                r["quasi_unicorns"],
                r["unicorns"]
            );
        }
    }
    if plots {
        let (_, drawn) = talentsim::report::redraw(out).context("drawing plots")?;
        say!("  {} plots in {}", drawn.len(), out.join("plots").display());
    }
    Ok(())
}

fn cmd_facts(dirs: &[PathBuf], out: &std::path::Path) -> Result<(), Failure> {
    let report = match talentsim::facts::evaluate(dirs) {
        Ok(r) => r,
        Err(e) => {
            say!("error: {e}");
            return Err(Failure::Code(2));
        }
    };
    talentsim::output::write_atomic(out, |w| w.write_all(report.csv().as_bytes()))
        .with_context(|| format!("writing {}", out.display()))?;
    out_raw!("{}", report.text());
    let ok = report.facts.iter().filter(|f| f.in_band()).count();
    say!(
        "{ok} of {} facts in band over {} run(s); table in {}",
        report.facts.len(),
        report.dirs.len(),
        out.display()
    );
    if ok == report.facts.len() {
        Ok(())
    } else {
        Err(Failure::Code(5))
    }
}

/// `calibrate`: report the fit of the targets, or search the knobs `params` for the best one;
/// write the fit report (and the calibrated scenario).
fn cmd_calibrate(
    path: &std::path::Path,
    targets_path: &std::path::Path,
    params: Option<&str>,
    budget: usize,
    replicates: Option<u32>,
    out: Option<PathBuf>,
    sets: &[String],
) -> Result<(), Failure> {
    use talentsim::calibrate as cal;
    use talentsim::scenario::{Override, ScenarioSource};
    // Read once: every evaluation resolves this source in memory.
    let source = ScenarioSource::read(path);
    let overrides = Override::args(sets);
    let sc = source.resolve(&overrides).map_err(Failure::Input)?;
    let mut targets = cal::load_targets(targets_path, &sc).map_err(Failure::Input)?;
    if let Some(r) = replicates {
        targets.replicates = r;
    }
    let params = match params {
        Some(p) => cal::parse_params(p, &sc).map_err(Failure::Input)?,
        None => Vec::new(),
    };
    let out = out.unwrap_or_else(|| {
        PathBuf::from("out").join(format!(
            "calibrate-{}",
            path.file_stem().unwrap_or_default().to_string_lossy()
        ))
    });
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    ctrlc::set_handler(|| {
        cal::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
        say!("\ninterrupted: finishing the current evaluation, then writing the best point so far");
    })
    .context("installing the Ctrl-C handler")?;
    let started = Instant::now();
    let search = Search {
        source: &source,
        overrides: &overrides,
        params: &params,
        targets: &targets,
        budget,
    };
    let (fits, calibration) = search.run()?;
    let md = cal::write_outputs(
        &out,
        path,
        &sc,
        &fits,
        targets.replicates,
        calibration.as_ref(),
    )
    .context("writing the calibration's outputs")?;
    if let Some(c) = &calibration {
        say!(
            "best objective {:.5} after {} evaluations{}",
            c.objective,
            c.history.len(),
            if c.interrupted { " (interrupted)" } else { "" }
        );
        for (p, v) in params.iter().zip(&c.best) {
            say!("  {} = {v} (was {})", p.path, p.start);
        }
    }
    out_raw!("{md}");
    say!(
        "{:.1} s; fit report and calibrated scenario in {}",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    // Interrupted: the best point so far is written, but the calibration did not finish.
    if cal::INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(Failure::Code(sweep::EXIT_INTERRUPTED));
    }
    Ok(())
}

/// What `calibrate` evaluates: the scenario's source and overrides, the knobs searched (none:
/// only the fit is reported), the targets and the most evaluations.
struct Search<'a> {
    source: &'a talentsim::scenario::ScenarioSource,
    overrides: &'a [talentsim::scenario::Override],
    params: &'a [talentsim::calibrate::Param],
    targets: &'a talentsim::calibrate::TargetsFile,
    budget: usize,
}

impl Search<'_> {
    /// Evaluate the fit, or search the knobs, with a bar of the runs; returns the fits and the
    /// calibration (when knobs were searched).
    fn run(
        &self,
    ) -> Result<
        (
            Vec<talentsim::calibrate::Fit>,
            Option<talentsim::calibrate::Calibration>,
        ),
        Failure,
    > {
        use talentsim::calibrate as cal;
        let (targets, replicates) = (self.targets, self.targets.replicates);
        let runs = progress::bar(0, "{spinner} [{bar:30}] {pos}/{len} runs ({eta})");
        let done = || runs.inc(1);
        let found = if self.params.is_empty() {
            runs.set_length(replicates as u64);
            let (fits, _) = cal::evaluate(self.source, self.overrides, targets, &done)
                .map_err(Failure::Input)?;
            (fits, None)
        } else {
            runs.set_length((self.budget as u64 + 1) * replicates as u64);
            say!(
                "calibrating {} knob(s) against {} target(s), {} replicates, at most {} evaluations",
                self.params.len(),
                targets.target.len(),
                replicates,
                self.budget
            );
            let c = cal::calibrate(
                self.source,
                self.overrides,
                self.params,
                targets,
                self.budget,
                &done,
                |e, best| {
                    runs.println(format!(
                        "  eval {:>4}: objective {:.5} (best {:.5}) at [{}]",
                        runs.position() / replicates.max(1) as u64,
                        e.objective,
                        best,
                        e.params
                            .iter()
                            .map(|v| format!("{v:.5}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                },
            )
            .map_err(Failure::Input)?;
            (c.fits.clone(), Some(c))
        };
        runs.finish_and_clear();
        Ok(found)
    }
}

/// `compare`: run the scenarios on common seeds, write the comparison, its plots and report,
/// and say what was found.
fn cmd_compare(
    baseline: &std::path::Path,
    others: &[PathBuf],
    replicates: usize,
    auto: Option<talentsim::compare::Auto>,
    seed: Option<u64>,
    out: Option<PathBuf>,
    sets: &[String],
) -> Result<(), Failure> {
    let paths: Vec<&std::path::Path> = std::iter::once(baseline)
        .chain(others.iter().map(PathBuf::as_path))
        .collect();
    let scenarios = paths
        .iter()
        .map(|p| load(p, sets))
        .collect::<Result<Vec<_>, _>>()?;
    let base = seed.unwrap_or(scenarios[0].def.seed);
    let out = out.unwrap_or_else(|| {
        let stem = baseline.file_stem().unwrap_or_default().to_string_lossy();
        PathBuf::from("out").join(format!("compare-{stem}"))
    });
    check_out_dir(&out)?;
    let started = Instant::now();
    let total = (scenarios.len() * replicates) as u64;
    let bar = progress::bar(
        total,
        "{spinner} comparing [{bar:30}] {pos}/{len} runs ({eta})",
    );
    let cmp = match &auto {
        Some(a) => talentsim::compare::compare_auto(&scenarios, base, sets, a, &|| bar.inc(1)),
        None => {
            let seeds = talentsim::batch::seeds(base, replicates);
            talentsim::compare::compare(&scenarios, &seeds, base, sets, &|| bar.inc(1))
        }
    };
    bar.finish_and_clear();
    cmp.write(&out).context("writing the comparison")?;
    let (_, plots) = talentsim::report::redraw(&out).context("drawing plots and report")?;
    say!(
        "{} scenarios × {} replicates in {:.1} s; comparison.csv, comparison.json, report.html and {} plots in {}",
        scenarios.len(),
        cmp.manifest.replicates,
        started.elapsed().as_secs_f64(),
        plots.len(),
        out.display()
    );
    if let Some(a) = &cmp.manifest.auto {
        say_auto(a);
    }
    say_targets(&cmp);
    Ok(())
}

/// What `--replicates auto` did: its batches, how many differences met the precision, and
/// those that did not.
fn say_auto(a: &talentsim::compare::AutoReport) {
    let met = a.checks.iter().filter(|c| c.met).count();
    say!(
        "  replicates auto: batches {:?}; {met} of {} paired differences within {}% of the baseline mean{}",
        a.batches,
        a.checks.len(),
        a.precision * 100.0,
        if a.reached_cap {
            format!(
                "; stopped at the cap of {} replicates without the precision",
                a.max_replicates
            )
        } else {
            String::new()
        }
    );
    for c in a.checks.iter().filter(|c| !c.met) {
        say!(
            "    not met: {} in {} (interval width {:.4} > {:.4})",
            c.metric,
            c.scenario,
            c.width,
            c.wanted
        );
    }
}

/// Each `[[target]]`'s probability of being met, per scenario where it applies.
fn say_targets(cmp: &talentsim::compare::Comparison) {
    for t in &cmp.targets {
        let cells: Vec<String> = t
            .scenarios
            .iter()
            .filter(|c| c.applicable && c.n > 0)
            .map(|c| {
                format!(
                    "{} {:.0}% [{:.0}%, {:.0}%]",
                    c.scenario,
                    c.p * 100.0,
                    c.p_low * 100.0,
                    c.p_high * 100.0
                )
            })
            .collect();
        say!("  target {}: {}", t.name, cells.join(" | "));
    }
}

#[cfg(test)]
mod help {
    use clap::CommandFactory;

    /// Every argument of every command says what it is in `--help`.
    #[test]
    fn every_argument_is_documented() {
        let mut missing = Vec::new();
        let cli = super::Cli::command();
        for sub in cli.get_subcommands() {
            if sub.get_about().is_none() {
                missing.push(sub.get_name().to_string());
            }
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                if id != "help" && id != "version" && arg.get_help().is_none() {
                    missing.push(format!("{} {id}", sub.get_name()));
                }
            }
        }
        assert!(missing.is_empty(), "undocumented: {missing:?}");
    }
}
