//! A million runs in bounded memory: the sweep keeps one batch of rows, not the results.
//! (Its own test binary, so the peak resident size measured is this sweep's alone.)

use std::path::Path;

use talentsim::sweep::{self, exec};

fn peak_rss_bytes() -> u64 {
    talentsim::resolve::footprint::peak_resident_bytes().map_or(0, |b| b as u64)
}

#[test]
fn a_million_runs_in_bounded_memory() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc to read the peak memory from");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("million.toml");
    std::fs::write(
        &f,
        "model = \"ishigami\"\ndesign = \"random\"\npoints = 1000000\nseed = 9\n\n[[knob]]\npath = \"x1\"\nmin = -3.14\nmax = 3.14\n\n[[knob]]\npath = \"x2\"\nmin = -3.14\nmax = 3.14\n\n[[knob]]\npath = \"x3\"\nmin = -3.14\nmax = 3.14\n",
    )
    .unwrap();
    let sw = sweep::load(&f, &[]).unwrap();
    assert_eq!(sw.runs(), 1_000_000);
    let before = peak_rss_bytes();
    let out = tmp.path().join("out");
    let o = exec::run(
        &sw,
        &exec::Options {
            out: out.clone(),
            shard: None,
            threads: None,
            stop: None,
            progress: None,
        },
    )
    .unwrap();
    assert_eq!((o.runs, o.failed, o.interrupted), (1_000_000, 0, false));
    let csv = std::fs::metadata(out.join("results.csv")).unwrap().len();
    let peak = peak_rss_bytes();
    eprintln!(
        "results.csv {} MB; peak resident {} MB (before the sweep {} MB)",
        csv >> 20,
        peak >> 20,
        before >> 20
    );
    assert!(csv > 60 << 20, "a million rows were written");
    // The rows alone are larger than this; a batch (≤ 65,536 rows) and a Parquet row group
    // are not.
    assert!(
        peak < before + (120 << 20),
        "peak resident {} MB for a {} MB result",
        peak >> 20,
        csv >> 20
    );
}
