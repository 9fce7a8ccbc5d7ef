//! Sweep throughput: runs per second of a sweep of `scenarios/binjiang.toml` at `scale = 20`
//! (2010–2023, ~24,000 agents by 2023), on a local rayon pool of 1 and of 2 threads, through
//! the whole sweep engine (scenario per point, simulation, statistics, journal, CSV and
//! Parquet).
//!
//! ```text
//! cargo bench --bench sweep
//! ```
//!
//! Benchmark ids: `sweep/threads/1` and `sweep/threads/2`; throughput is `Elements(runs)`, so
//! criterion's `elem/s` reads as **runs per second**; the speed-up is the ratio of the two.
//! Each iteration runs the same 32-run sweep (4 points × 8 replicates) into a fresh directory.

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use talentsim::sweep::{self, exec};

const BASE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/binjiang.toml");
const RUNS: u64 = 32;

fn sweep_file(dir: &Path) -> std::path::PathBuf {
    let f = dir.join("bench.toml");
    std::fs::write(
        &f,
        format!(
            "base = {BASE:?}\nset = [\"scale=20\"]\ndesign = \"grid\"\nreplicates = 8\n\n[[knob]]\npath = \"region.Binjiang.housing.units\"\nlevels = [0, 1200, 5000, 12000]\n\n[[record]]\nname = \"talent\"\ncolumn = \"talent_stock\"\nagg = \"last\"\n\n[[record]]\nname = \"founded\"\nkind = \"firms\"\nevent = \"founded\"\n"
        ),
    )
    .expect("write the bench sweep file");
    f
}

fn run_once(sw: &sweep::Sweep, dir: &Path, threads: usize) {
    let _ = std::fs::remove_dir_all(dir);
    let o = exec::run(
        sw,
        &exec::Options {
            out: dir.to_path_buf(),
            shard: None,
            threads: Some(threads),
            stop: None,
            progress: None,
        },
    )
    .expect("the sweep runs");
    assert_eq!((o.runs, o.failed), (RUNS, 0));
}

fn bench(c: &mut Criterion) {
    if !Path::new(BASE).exists() {
        eprintln!("sweep: {BASE} does not exist; skipping");
        return;
    }
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let sw = match sweep::load(&sweep_file(tmp.path()), &[]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sweep: the bench sweep does not load; skipping:\n{e}");
            return;
        }
    };
    assert_eq!(sw.runs(), RUNS);
    let out = tmp.path().join("out");
    // A first, untimed pass of each, with the speed-up, for the record.
    let mut secs = Vec::new();
    for threads in [1, 2] {
        let t = Instant::now();
        run_once(&sw, &out, threads);
        secs.push(t.elapsed().as_secs_f64());
    }
    eprintln!(
        "sweep: first pass {:.2} runs/s on 1 thread, {:.2} runs/s on 2 (speed-up {:.2}×)",
        RUNS as f64 / secs[0],
        RUNS as f64 / secs[1],
        secs[0] / secs[1]
    );
    let mut g = c.benchmark_group("sweep");
    g.throughput(Throughput::Elements(RUNS));
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(15));
    for threads in [1usize, 2] {
        g.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, &t| {
            b.iter(|| run_once(&sw, &out, t))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
