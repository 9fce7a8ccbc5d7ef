//! `talentsim sweep` and `talentsim merge` end to end, through the binary: sweep-file
//! diagnostics, determinism across thread counts, failure isolation, resume after a real
//! SIGKILL and after Ctrl-C (SIGINT) with byte-identical results, refusal to resume into
//! another sweep's directory, shards (by flag and by Slurm variables) merged byte for byte,
//! missing shards reported, and the Parquet file read back.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/sweeps").join(name)
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_talentsim"));
    c.current_dir(root());
    // Shards come from flags here, never from the environment of the test runner.
    for k in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_MAX",
    ] {
        c.env_remove(k);
    }
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn sweep_to(file: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// The three files a finished sweep leaves, byte for byte.
fn files(dir: &Path) -> [Vec<u8>; 3] {
    ["results.csv", "results.parquet", "sweep.lock.toml"]
        .map(|f| fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{}/{f}: {e}", dir.display())))
}

#[track_caller]
fn assert_same(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    for (i, name) in ["results.csv", "results.parquet", "sweep.lock.toml"]
        .iter()
        .enumerate()
    {
        assert!(
            fa[i] == fb[i],
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// A sweep of the minimal scenario written into `dir` with more points (slow enough to
/// interrupt).
fn long_sweep(dir: &Path, points: u32) -> PathBuf {
    let text = fs::read_to_string(fixture("minimal-lhs.toml"))
        .unwrap()
        .replace("points = 60", &format!("points = {points}"))
        .replace(
            "base = \"../../../scenarios/minimal.toml\"",
            &format!(
                "base = {:?}",
                root().join("scenarios/minimal.toml").to_str().unwrap()
            ),
        );
    let p = dir.join("long.toml");
    fs::write(&p, text).unwrap();
    p
}

fn journal_rows(dir: &Path) -> usize {
    fs::read_to_string(dir.join("results.csv.partial"))
        .map(|t| t.lines().count().saturating_sub(1))
        .unwrap_or(0)
}

#[test]
fn sweep_file_problems_are_reported_with_positions() {
    let out = run(&["sweep", "tests/fixtures/sweeps/bad.toml", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    for want in [
        "tests/fixtures/sweeps/bad.toml:2:20: error: `set[1]`: `sclae`: unknown key `sclae`",
        "hint: did you mean `scale`?",
        "bad.toml:3:10: error: `points`: the `lhs` design needs `points`",
        "bad.toml:4:14: error: `replicates`: value 0 is out of range",
        "bad.toml:7:8: error: `knob[0].path`: `region[0].housing.unts`: unknown key `unts`",
        "hint: did you mean `units`?",
        "bad.toml:13:16: error: `knob[1].levels[1]`: `region[0].housing.discount`: value 1.5 is out of range",
        "bad.toml:18:7: error: `knob[2].max`: `max` (0.2) must be above `min` (0.8)",
        "bad.toml:21:8: error: `knob[3].path`: `region.Binjang`: no element `Binjang`",
        "hint: did you mean `Binjiang`?",
        "bad.toml:26:10: error: `record[0].column`: unknown column `talent_stok`",
        "bad.toml:28:1: error: `record[1].name`: missing `name`",
        "9 problems found",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
}

#[test]
fn dry_run_counts_runs_and_estimates() {
    let out = run(&[
        "sweep",
        "tests/fixtures/sweeps/minimal-lhs.toml",
        "--dry-run",
        "--shard",
        "1/4",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("60 point(s) × 5 replicate(s) = 300 runs"), "{s}");
    assert!(s.contains("shard 1/4: 75 runs"), "{s}");
    assert!(s.contains("time: one run takes"), "{s}");
    assert!(s.contains("memory: about"), "{s}");
    assert!(s.contains("disk: results.csv ≈"), "{s}");
}

#[test]
fn results_do_not_depend_on_threads_and_parquet_matches_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("t1"), tmp.path().join("t2"));
    let f = fixture("minimal-lhs.toml");
    let o = sweep_to(&f, &a, &["--threads", "1"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = sweep_to(&f, &b, &["--threads", "2"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_same(&a, &b);

    // The CSV: a header and one row per run, in run order, every run ok.
    let csv = fs::read_to_string(a.join("results.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "run,point,replicate,seed,status,error,housing,region.Minitown.wage_cny,region.Minitown.focus_sectors,talent_end,founded"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 300);
    for (i, r) in rows.iter().enumerate() {
        assert!(
            r.starts_with(&format!("{i},{},{},{},ok,,", i / 5, i % 5, 3 + i % 5)),
            "{r}"
        );
    }
    // Common random numbers: replicate r has seed 3 + r at every point.

    // The Parquet file holds the same rows, typed.
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, UInt64Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = fs::File::open(a.join("results.parquet")).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut n = 0;
    for batch in reader {
        let batch = batch.unwrap();
        let run = batch
            .column_by_name("run")
            .unwrap()
            .as_primitive::<UInt64Type>();
        let talent = batch
            .column_by_name("talent_end")
            .unwrap()
            .as_primitive::<Float64Type>();
        let sectors = batch
            .column_by_name("region.Minitown.focus_sectors")
            .unwrap()
            .as_string::<i32>();
        for i in 0..batch.num_rows() {
            let fields: Vec<&str> = rows[n].split(',').collect();
            assert_eq!(run.value(i), n as u64);
            assert_eq!(
                talent.value(i),
                fields[fields.len() - 2].parse::<f64>().unwrap()
            );
            assert!(sectors.value(i).contains("iot"));
            n += 1;
        }
    }
    assert_eq!(n, 300);
}

#[test]
fn failed_runs_are_recorded_and_the_sweep_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    // Test model: `fail` ≥ 0.5 panics.
    let f = tmp.path().join("fail.toml");
    fs::write(
        &f,
        "model = \"ishigami\"\ndesign = \"grid\"\nreplicates = 2\n\n[[knob]]\npath = \"x1\"\nlevels = [0.0, 1.0, 2.0]\n\n[[knob]]\npath = \"fail\"\nlevels = [0, 1]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = sweep_to(&f, &out, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("6 run(s) failed"),
        "{}",
        text(&o.stderr)
    );
    let csv = fs::read_to_string(out.join("results.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 12);
    for r in &rows {
        let fail = r.split(',').nth(7).unwrap();
        if fail == "1" {
            assert!(
                r.contains(",failed,panicked: test model: `fail` = 1 is 0.5 or more,"),
                "{r}"
            );
            assert!(r.ends_with(','), "a failed run has no statistics: {r}");
        } else {
            assert!(r.contains(",ok,,"), "{r}");
        }
    }
    let m = fs::read_to_string(out.join("sweep.lock.toml")).unwrap();
    assert!(m.contains("failed = 6"), "{m}");

    // A point whose knob values make an invalid scenario fails with the scenario's message.
    let f2 = tmp.path().join("bad-point.toml");
    fs::write(
        &f2,
        format!(
            "base = {:?}\ndesign = \"grid\"\n\n[[knob]]\npath = \"region.Minitown.housing.units\"\nlevels = [100, 300]\n\n[[knob]]\npath = \"region.Minitown.housing.max_units\"\nlevels = [400, 200]\n\n[[record]]\nname = \"t\"\ncolumn = \"talent_stock\"\n",
            root().join("scenarios/minimal.toml").to_str().unwrap()
        ),
    )
    .unwrap();
    let out2 = tmp.path().join("out2");
    let o = sweep_to(&f2, &out2, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let csv = fs::read_to_string(out2.join("results.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    // Points: (100, 400), (100, 200), (300, 400), (300, 200): only the last is invalid.
    assert_eq!(rows.len(), 4);
    assert!(rows[0].contains(",ok,,100,400,"), "{}", rows[0]);
    assert!(rows[2].contains(",ok,,300,400,"), "{}", rows[2]);
    assert!(
        rows[3].contains(",failed,")
            && rows[3].contains("`max_units` (200) is below the starting `units` (300)"),
        "{}",
        rows[3]
    );
}

/// Start a long sweep, wait until its journal has its first batch, send `signal`, wait for
/// the exit. The signal lands during the second batch, which is sized to about two seconds of
/// work (or the rest of the sweep): waiting for more rows than the first batch's would race
/// the end of a sweep whose second batch is its last, as it is when runs are fast.
fn interrupt(file: &Path, out: &Path, signal: &str) -> std::process::ExitStatus {
    let mut child = bin()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while journal_rows(out) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep finished before it could be interrupted"
        );
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    let st = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    child.wait().unwrap()
}

#[test]
fn resume_after_sigkill_gives_identical_results() {
    let tmp = tempfile::tempdir().unwrap();
    let f = long_sweep(tmp.path(), 160);
    let (whole, killed) = (tmp.path().join("whole"), tmp.path().join("killed"));
    let o = sweep_to(&f, &whole, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));

    let st = interrupt(&f, &killed, "-KILL");
    assert!(!st.success());
    let done = journal_rows(&killed);
    assert!((1..800).contains(&done), "{done} rows before the kill");
    assert!(!killed.join("results.csv").exists());
    // Simulate a torn last line too (a kill in the middle of a write).
    let j = killed.join("results.csv.partial");
    let mut bytes = fs::read(&j).unwrap();
    bytes.extend_from_slice(b"999999,12,0,3,o");
    fs::write(&j, bytes).unwrap();

    let o = sweep_to(&f, &killed, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("resumed from the journal"), "{err}");
    assert_same(&whole, &killed);

    // Rerunning a finished sweep does nothing.
    let o = sweep_to(&f, &killed, &[]);
    assert!(o.status.success());
    assert!(
        text(&o.stderr).contains("already complete"),
        "{}",
        text(&o.stderr)
    );
    assert_same(&whole, &killed);
}

#[test]
fn resume_after_ctrl_c_gives_identical_results() {
    let tmp = tempfile::tempdir().unwrap();
    // Batches aim at two seconds of work (after a first batch of two runs per thread), so the
    // sweep must last several batches for Ctrl-C to land while runs remain: with 160 points the
    // second batch was the whole rest, and a Ctrl-C during the final write exits 0.
    let f = long_sweep(tmp.path(), 800);
    let (whole, stopped) = (tmp.path().join("whole"), tmp.path().join("stopped"));
    let o = sweep_to(&f, &whole, &["--threads", "2"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let st = interrupt(&f, &stopped, "-INT");
    assert_eq!(st.code(), Some(130), "Ctrl-C exits with 130");
    assert!(journal_rows(&stopped) >= 20);
    let o = sweep_to(&f, &stopped, &["--threads", "1"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_same(&whole, &stopped);
}

#[test]
fn refuses_to_resume_into_another_sweeps_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("minimal-lhs.toml");
    let out = tmp.path().join("out");
    let o = sweep_to(&f, &out, &["--set", "points=4"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = sweep_to(&f, &out, &["--set", "points=5"]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("holds a different sweep") && err.contains("Refusing to resume"),
        "{err}"
    );
    // The same sweep again is fine.
    let o = sweep_to(&f, &out, &["--set", "points=4"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[test]
fn shards_merge_into_the_bytes_of_one_process() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("minimal-lhs.toml");
    let one = tmp.path().join("one");
    let o = sweep_to(&f, &one, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));

    // Three shards by flag.
    let sharded = tmp.path().join("sharded");
    for i in 0..3 {
        let o = sweep_to(
            &f,
            &sharded,
            &["--shard", &format!("{i}/3"), "--threads", "1"],
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    assert!(sharded.join("shard-0-of-3/results.csv").exists());
    let o = run(&["merge", sharded.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_same(&one, &sharded);

    // Four shards from Slurm's variables (an array numbered from 1), merged from a list.
    let slurm = tmp.path().join("slurm");
    for id in 1..=4 {
        let o = bin()
            .args([
                "sweep",
                f.to_str().unwrap(),
                "--out",
                slurm.to_str().unwrap(),
            ])
            .env("SLURM_ARRAY_TASK_ID", id.to_string())
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .env("SLURM_ARRAY_TASK_MAX", "4")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let merged = tmp.path().join("merged");
    let dirs: Vec<String> = (0..4)
        .map(|i| {
            slurm
                .join(format!("shard-{i}-of-4"))
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut args = vec!["merge"];
    args.extend(dirs.iter().map(String::as_str));
    args.extend(["--out", merged.to_str().unwrap()]);
    let o = run(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_same(&one, &merged);

    // A shard that died: the merge names it and the missing points, and writes nothing.
    fs::remove_dir_all(slurm.join("shard-2-of-4")).unwrap();
    let j = slurm.join("shard-1-of-4");
    fs::rename(j.join("results.csv"), j.join("results.csv.partial")).unwrap();
    let text1 = fs::read_to_string(j.join("results.csv.partial")).unwrap();
    let keep: Vec<&str> = text1.lines().take(11).collect(); // header + 10 runs
    fs::write(j.join("results.csv.partial"), keep.join("\n") + "\n").unwrap();
    let out = tmp.path().join("partial");
    let o = run(&[
        "merge",
        slurm.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("shard 2/4: no directory"), "{err}");
    assert!(err.contains("shard 1/4: 10 of 75 runs done"), "{err}");
    // Shard 2 of 4 holds runs 2, 6, 10, …: every point (5 replicates each) misses a run.
    assert!(err.contains("points with missing runs (60): 0-59"), "{err}");
    assert!(!out.join("results.csv").exists());

    // Resume the dead shards, then the merge succeeds.
    for s in ["1/4", "2/4"] {
        let o = sweep_to(&f, &slurm, &["--shard", s]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let o = run(&[
        "merge",
        slurm.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_same(&one, &out);
}

#[test]
fn bad_shard_arguments_are_explained() {
    let o = run(&[
        "sweep",
        "tests/fixtures/sweeps/minimal-lhs.toml",
        "--shard",
        "4/4",
        "--dry-run",
    ]);
    // A bad flag is an argument error: exit 2 (issue 10); a bad Slurm environment stays 1.
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("expected 0 ≤ I < N"),
        "{}",
        text(&o.stderr)
    );
    let o = bin()
        .args([
            "sweep",
            "tests/fixtures/sweeps/minimal-lhs.toml",
            "--dry-run",
        ])
        .env("SLURM_ARRAY_TASK_ID", "3")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn every_design_samples_inside_the_knob_ranges() {
    use talentsim::sweep::spec::Level;
    let tmp = tempfile::tempdir().unwrap();
    let knobs = "\n[[knob]]\npath = \"x1\"\nmin = -2\nmax = 3\n\n[[knob]]\npath = \"x2\"\ndist = \"loguniform\"\nmin = 0.01\nmax = 100\n\n[[knob]]\npath = \"x3\"\ndist = \"normal\"\nmean = 1\nsd = 0.5\nmin = 0\n";
    for (design, size, points) in [
        ("random", "points = 40", 40),
        ("lhs", "points = 40", 40),
        ("sobol", "points = 64", 64),
        ("morris", "trajectories = 10", 40),
        ("saltelli", "points = 32", 160),
    ] {
        let f = tmp.path().join(format!("{design}.toml"));
        fs::write(
            &f,
            format!("model = \"ishigami\"\ndesign = \"{design}\"\n{size}\nreplicates = 2\n{knobs}"),
        )
        .unwrap();
        let sw = talentsim::sweep::load(&f, &[]).unwrap_or_else(|e| panic!("{design}: {e}"));
        assert_eq!(sw.points(), points, "{design}");
        assert_eq!(sw.runs(), 2 * points, "{design}");
        let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
        for p in 0..points {
            for (i, v) in sw.point_values(p).iter().enumerate() {
                let Level::Num(x) = v else { panic!("{v:?}") };
                lo[i] = lo[i].min(*x);
                hi[i] = hi[i].max(*x);
            }
        }
        assert!(
            lo[0] >= -2.0 && hi[0] <= 3.0 && hi[0] - lo[0] > 2.5,
            "{design}: x1 {lo:?} {hi:?}"
        );
        assert!(
            lo[1] >= 0.01 && hi[1] <= 100.0 && hi[1] / lo[1] > 50.0,
            "{design}: x2"
        );
        assert!(lo[2] >= 0.0 && hi[2] > 1.3, "{design}: x3 {lo:?} {hi:?}");
        let out = tmp.path().join(design);
        let o = sweep_to(&f, &out, &[]);
        assert!(o.status.success(), "{design}: {}", text(&o.stderr));
        let csv = fs::read_to_string(out.join("results.csv")).unwrap();
        assert_eq!(csv.lines().count() as u64, 1 + 2 * points);
    }
}

#[test]
fn one_sweep_at_a_time_per_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let f = long_sweep(tmp.path(), 160);
    let out = tmp.path().join("out");
    let mut first = bin()
        .args(["sweep", f.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // Its first batch is in the journal, its second (about two seconds of work) under way
    // (see `interrupt`).
    while journal_rows(&out) == 0 {
        assert!(first.try_wait().unwrap().is_none(), "finished too soon");
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = sweep_to(&f, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("another talentsim sweep is writing into"),
        "{}",
        text(&o.stderr)
    );
    // The lock dies with its process.
    first.kill().unwrap();
    first.wait().unwrap();
    let o = sweep_to(&f, &out, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

/// Issue 10: a finished `results.csv` that was damaged (truncated, a row deleted or
/// duplicated, the header gone, a value edited) is refused by `analyze`, and the same `sweep`
/// command repairs it (keeps the whole rows in order, reruns the rest) instead of saying
/// "already complete".
#[test]
fn damaged_results_are_refused_by_analyze_and_repaired_by_a_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("ishigami.toml");
    fs::write(
        &f,
        "model = \"ishigami\"\ndesign = \"random\"\npoints = 200\nseed = 3\n\n[[knob]]\npath = \"x1\"\nmin = -3.0\nmax = 3.0\n\n[[knob]]\npath = \"x2\"\nmin = -3.0\nmax = 3.0\n\n[[knob]]\npath = \"x3\"\nmin = -3.0\nmax = 3.0\n",
    )
    .unwrap();
    let good = tmp.path().join("good");
    let o = sweep_to(&f, &good, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(&["analyze", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = fs::read_to_string(good.join("results.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    let mut duplicated = lines.clone();
    duplicated.insert(50, lines[50]);
    let mut deleted = lines.clone();
    deleted.remove(120);
    let mut last_changed = lines.clone();
    let last = lines.last().unwrap().replace('1', "2");
    *last_changed.last_mut().unwrap() = &last;
    let damages: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("header gone", join(&lines[1..])),
        ("truncated", csv[..csv.len() / 2].to_string()),
        ("a row deleted", join(&deleted)),
        ("a row duplicated", join(&duplicated)),
        ("a value edited", join(&last_changed)),
    ];
    for (what, damaged) in damages {
        let dir = tmp.path().join(what.replace(' ', "_"));
        fs::create_dir_all(&dir).unwrap();
        for name in ["results.csv", "results.parquet", "sweep.lock.toml"] {
            fs::copy(good.join(name), dir.join(name)).unwrap();
        }
        fs::write(dir.join("results.csv"), &damaged).unwrap();
        let o = run(&["analyze", dir.to_str().unwrap()]);
        assert!(!o.status.success(), "{what}: analyze accepted it");
        let err = text(&o.stderr);
        assert!(
            err.contains("damaged") && err.contains("rerun the same `talentsim sweep`"),
            "{what}: {err}"
        );
        let o = sweep_to(&f, &dir, &[]);
        assert!(o.status.success(), "{what}: {}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(
            err.contains("were damaged") && !err.contains("already complete"),
            "{what}: {err}"
        );
        assert_same(&good, &dir);
    }
}

/// Points are resolved from the base scenario as read when the sweep was loaded: a base file
/// edited (or broken) during a long sweep changes none of its points.
#[test]
fn points_come_from_the_base_as_loaded() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("base.toml");
    fs::copy(root().join("scenarios/minimal.toml"), &base).unwrap();
    let text = fs::read_to_string(fixture("minimal-lhs.toml"))
        .unwrap()
        .replace("../../../scenarios/minimal.toml", "base.toml");
    let file = tmp.path().join("sweep.toml");
    fs::write(&file, text).unwrap();
    let sweep = talentsim::sweep::load(&file, &[]).unwrap();
    let before: Vec<String> = (0..3)
        .map(|p| {
            sweep
                .point_scenario(&sweep.point_values(p))
                .unwrap()
                .to_toml()
        })
        .collect();
    fs::write(&base, "this is not = a scenario [").unwrap();
    for (p, b) in before.iter().enumerate() {
        let sc = sweep.point_scenario(&sweep.point_values(p as u64)).unwrap();
        assert_eq!(&sc.to_toml(), b);
    }
    // Each point carries its own knob values.
    assert_ne!(before[0], before[1]);
    assert!(before[0].contains("units = "));
}
