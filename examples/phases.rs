//! Per-phase wall time of one run (a profiling aid): `cargo run --release --example phases -- FILE`.
use std::time::Instant;
use talentsim::sim::{finance, firms, people, programs};

fn main() {
    let path = std::env::args().nth(1).expect("scenario path");
    let sc = talentsim::load(path.as_ref(), &[]).expect("valid scenario");
    let t0 = Instant::now();
    let mut w = talentsim::World::new(&sc, 1);
    let mut rec = talentsim::metrics::Recorder::default();
    let init = t0.elapsed().as_secs_f64();
    let mut times = [0f64; 11];
    let names = [
        "environment",
        "arrivals",
        "competitions",
        "decide",
        "apply",
        "operate",
        "grants",
        "joint_rd",
        "funding",
        "growth_exits",
        "vacancies+record",
    ];
    let n = w.months();
    while w.t < n {
        for e in &mut w.events {
            *e = Default::default();
        }
        let mut lap = Instant::now();
        let mut tick = |i: usize, times: &mut [f64; 11]| {
            times[i] += lap.elapsed().as_secs_f64();
            lap = Instant::now();
        };
        people::environment(&mut w);
        tick(0, &mut times);
        people::arrivals(&mut w);
        tick(1, &mut times);
        programs::competitions(&mut w);
        tick(2, &mut times);
        people::decide(&mut w);
        tick(3, &mut times);
        people::apply(&mut w);
        tick(4, &mut times);
        firms::operate(&mut w);
        tick(5, &mut times);
        programs::grants(&mut w);
        tick(6, &mut times);
        programs::joint_rd(&mut w);
        tick(7, &mut times);
        finance::funding(&mut w);
        tick(8, &mut times);
        firms::growth_and_exits(&mut w);
        tick(9, &mut times);
        firms::vacancies(&mut w);
        w.close_month();
        w.t += 1;
        rec.observe(&w);
        tick(10, &mut times);
    }
    eprintln!(
        "init {init:.3}s total {:.3}s persons {}",
        t0.elapsed().as_secs_f64(),
        w.persons.len()
    );
    for (n, t) in names.iter().zip(times) {
        eprintln!("{n:>18} {t:.3}s");
    }
}
