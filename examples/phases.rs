//! Per-phase wall time of one run (a profiling aid): `cargo run --release --example phases -- FILE`.
//! The phases are `talentsim::sim::MONTH`, the list `World::step` runs.
use std::time::Instant;

use talentsim::sim::MONTH;

fn main() {
    let path = std::env::args().nth(1).expect("scenario path");
    let sc = talentsim::load(path.as_ref(), &[]).expect("valid scenario");
    let t0 = Instant::now();
    let mut w = talentsim::World::new(&sc, 1);
    let mut rec = talentsim::metrics::Recorder::default();
    let init = t0.elapsed().as_secs_f64();
    // One slot per phase, and one for the recorder's observation after the month.
    let mut times = vec![0f64; MONTH.len() + 1];
    let n = w.months();
    while w.t < n {
        w.begin_month();
        for (i, p) in MONTH.iter().enumerate() {
            let lap = Instant::now();
            (p.run)(&mut w);
            times[i] += lap.elapsed().as_secs_f64();
        }
        w.t += 1;
        let lap = Instant::now();
        rec.observe(&w);
        times[MONTH.len()] += lap.elapsed().as_secs_f64();
    }
    let total: f64 = times.iter().sum();
    eprintln!("init {init:.3} s, months {total:.3} s");
    let names = MONTH.iter().map(|p| p.name).chain(["record"]);
    for (name, t) in names.zip(&times) {
        eprintln!("  {name:<18} {t:>7.3} s  {:>5.1}%", 100.0 * t / total);
    }
}
