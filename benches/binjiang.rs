//! The full Binjiang run: `scenarios/binjiang.toml` at full scale, 2010-01 to 2023-12, from
//! building the world to the last month (`talentsim::simulate`; writing the output files is
//! not included).
//!
//! ```text
//! cargo bench --bench binjiang
//! ```
//!
//! The scenario is read when the bench runs, not compiled in; if it is missing or does not
//! load, the bench says so and measures nothing. Throughput is the run's people-months (the
//! talent stock summed over its months and regions, counted in agents), so criterion's
//! `elem/s` is people-months per second over the whole run.
//!
//! Before measuring it prints (stderr) a first timing, the bytes per person the world holds at
//! the end, and a profile of the run by step of the month.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use talentsim::{Scenario, World};

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/binjiang.toml");

fn binjiang(c: &mut Criterion) {
    let path = Path::new(FILE);
    if !path.exists() {
        eprintln!("binjiang: {FILE} does not exist; skipping the full-run benchmark");
        return;
    }
    let sc = match talentsim::load(path, &[]) {
        Ok(sc) => sc,
        Err(e) => {
            eprintln!("binjiang: {FILE} does not load; skipping the full-run benchmark:\n{e}");
            return;
        }
    };
    let seed = sc.def.seed;
    let agent_months = first_run(&sc, seed);
    profile(&sc, seed);

    let mut g = c.benchmark_group("binjiang");
    g.throughput(Throughput::Elements(agent_months.max(1)));
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(25));
    g.bench_function("full_run", |b| b.iter(|| talentsim::simulate(&sc, seed)));
    g.finish();
}

/// One untimed run (what `simulate` does): the people-months it simulates, a first timing and
/// the memory the world holds at the end. Returns the people-months (in agents).
fn first_run(sc: &Scenario, seed: u64) -> u64 {
    let t = Instant::now();
    let mut w = World::new(sc, seed);
    let mut rec = talentsim::metrics::Recorder::default();
    while w.t < w.months() {
        w.step();
        rec.observe(&w);
    }
    let secs = t.elapsed().as_secs_f64();
    let stock: u64 = rec.rows.iter().map(|r| r.talent_stock).sum();
    let agent_months = (stock as f64 / sc.def.scale).round() as u64;
    eprintln!(
        "binjiang: {} months, scale {}, {} agents at the end, {} firms ever, {:.3e} people-months; first run {:.2} s ({:.3e} people-months/s)",
        w.months(),
        sc.def.scale,
        w.agent_count(),
        w.firms.len(),
        agent_months as f64,
        secs,
        agent_months as f64 / secs
    );
    let bytes = common::world_bytes(&w, &rec);
    let total: usize = bytes.iter().map(|(_, b)| b).sum();
    let people = w.agent_count().max(1) as f64;
    let detail: Vec<String> = bytes
        .iter()
        .map(|(name, b)| format!("{name} {:.1}", *b as f64 / people))
        .collect();
    eprintln!(
        "binjiang memory at the end: {:.1} MiB = {:.1} B/person (B/person: {})",
        total as f64 / (1u64 << 20) as f64,
        total as f64 / people,
        detail.join(", ")
    );
    agent_months
}

/// One more run with each step of the month timed (printed, not a criterion measurement).
fn profile(sc: &Scenario, seed: u64) {
    let mut spent = [Duration::ZERO; talentsim::sim::MONTH.len()];
    let mut w = World::new(sc, seed);
    for _ in 0..w.months() {
        w.begin_month();
        for (k, p) in talentsim::sim::MONTH.iter().enumerate() {
            let t = Instant::now();
            (p.run)(&mut w);
            spent[k] += t.elapsed();
        }
        w.t += 1;
    }
    let total: Duration = spent.iter().sum();
    let parts: Vec<String> = talentsim::sim::MONTH
        .iter()
        .zip(&spent)
        .map(|(p, d)| {
            format!(
                "{} {:.0} ms ({:.0}%)",
                p.name,
                d.as_secs_f64() * 1e3,
                100.0 * d.as_secs_f64() / total.as_secs_f64()
            )
        })
        .collect();
    eprintln!(
        "binjiang profile: {:.2} s; {}",
        total.as_secs_f64(),
        parts.join(", ")
    );
}

criterion_group!(benches, binjiang);
criterion_main!(benches);
