//! The `talentsim` command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use talentsim::scenario::{self, Scenario, ScenarioError};

/// Agent-based simulator of regional talent ecosystems.
///
/// Talent brings technology → technology becomes a project → the project raises capital →
/// industrialization. Scenarios are TOML files; see README.md for the format.
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
    },
    /// Check a scenario file without running it; every problem is reported.
    Validate {
        scenario: PathBuf,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// Print the fully resolved scenario (extends and --set applied, defaults filled in).
    Show {
        scenario: PathBuf,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// List every knob with its type, unit, default and valid range (Markdown).
    Knobs,
}

/// A scenario problem (exit code 2) or any other failure (exit code 1).
enum Failure {
    Input(ScenarioError),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn load(path: &std::path::Path, sets: &[String]) -> Result<Scenario, Failure> {
    scenario::load(path, sets).map_err(Failure::Input)
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run {
            scenario,
            seed,
            out,
            sets,
        } => cmd_run(&scenario, seed, out, &sets),
        Command::Validate { scenario, sets } => {
            let sc = load(&scenario, &sets)?;
            eprintln!(
                "{}: ok ({} region(s), {} to {}, scale {})",
                scenario.display(),
                sc.def.region.len(),
                sc.def.start,
                sc.def.end,
                sc.def.scale
            );
            Ok(())
        }
        Command::Show { scenario, sets } => {
            let sc = load(&scenario, &sets)?;
            print!("{}", sc.to_toml());
            Ok(())
        }
        Command::Knobs => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "| knob | type | unit | default | valid range | meaning |\n|---|---|---|---|---|---|").context("writing to stdout")?;
            for k in Scenario::knob_docs() {
                let range = match k.ty {
                    "number" | "integer" => format!("{} – {}", fmt_bound(k.min), fmt_bound(k.max)),
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "| `{}` | {} | {} | `{}` | {} | {} |",
                    k.path, k.ty, k.unit, k.default, range, k.doc
                )
                .context("writing to stdout")?;
            }
            Ok(())
        }
    }
}

fn fmt_bound(x: f64) -> String {
    if x.is_infinite() {
        if x > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        }
    } else {
        format!("{x}")
    }
}

fn cmd_run(
    path: &std::path::Path,
    seed: Option<u64>,
    out: Option<PathBuf>,
    sets: &[String],
) -> Result<(), Failure> {
    let sc = load(path, sets)?;
    let seed = seed.unwrap_or(sc.def.seed);
    let out =
        out.unwrap_or_else(|| PathBuf::from("out").join(path.file_stem().unwrap_or_default()));
    let started = Instant::now();
    let world = talentsim::World::new(&sc, seed);
    let months = world.months();
    let bar = if std::io::stderr().is_terminal()
        && sc.def.region.iter().map(|r| r.initial_talent).sum::<f64>() / sc.def.scale > 50_000.0
    {
        let b = indicatif::ProgressBar::new(months as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {pos}/{len} months ({eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        b.set_message(sc.def.name.clone());
        Some(b)
    } else {
        None
    };
    let result = world.run(|t, _| {
        if let Some(b) = &bar {
            b.set_position(t as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    talentsim::output::write_run(&out, &sc, &result).context("writing outputs")?;
    let summary = talentsim::output::summary(&sc, &result);
    eprintln!(
        "{}: {} months, seed {seed}, {:.2} s; outputs in {}",
        sc.def.name,
        months,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    if let Some(regions) = summary["regions"].as_array() {
        for r in regions {
            eprintln!(
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
    Ok(())
}
