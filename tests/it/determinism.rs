//! Same scenario and seed → byte-identical outputs, on any thread count and on repeat; and a
//! golden copy pins the small scenario's outputs exactly.
//!
//! To accept an intended change of the model, rerun with `UPDATE_GOLDEN=1` and review the diff
//! of `tests/golden/` in the commit.

use std::path::Path;
use std::process::Command;

const FILES: [&str; 4] = [
    "timeseries.csv",
    "firms.csv",
    "firm_years.csv",
    "summary.json",
];

fn run(scenario: &str, threads: &str, out: &Path) {
    run_with(scenario, &[], threads, out);
}

fn run_with(scenario: &str, args: &[&str], threads: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_talentsim"))
        .args(["run", scenario, "--seed", "3"])
        .args(args)
        .arg("--out")
        .arg(out)
        .env("RAYON_NUM_THREADS", threads)
        .status()
        .expect("binary runs");
    assert!(status.success());
}

fn read(dir: &Path, f: &str) -> Vec<u8> {
    std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(f).display()))
}

#[test]
fn identical_on_one_two_and_five_threads_and_on_repeat() {
    // (Five threads on fewer cores: the people pass's chunks are decided and applied in more
    // interleavings than two threads give; Binjiang at scale 5, about 100,000 agents, is many
    // chunks.)
    let cases: [(&str, &[&str]); 3] = [
        ("scenarios/minimal.toml", &[]),
        ("tests/fixtures/levers.toml", &[]),
        ("scenarios/binjiang.toml", &["--set", "scale=5"]),
    ];
    for (scenario, args) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, c, d) = (
            tmp.path().join("t1"),
            tmp.path().join("t2"),
            tmp.path().join("t2again"),
            tmp.path().join("t5"),
        );
        run_with(scenario, args, "1", &a);
        run_with(scenario, args, "2", &b);
        run_with(scenario, args, "2", &c);
        run_with(scenario, args, "5", &d);
        for f in FILES {
            assert!(
                read(&a, f) == read(&b, f),
                "{scenario}: {f} differs between 1 and 2 threads"
            );
            assert!(
                read(&b, f) == read(&c, f),
                "{scenario}: {f} differs on repeat"
            );
            assert!(
                read(&a, f) == read(&d, f),
                "{scenario}: {f} differs between 1 and 5 threads"
            );
        }
    }
}

#[test]
fn golden_minimal_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    run("scenarios/minimal.toml", "2", &out);
    let golden = Path::new("tests/golden/minimal");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for f in ["timeseries.csv", "firms.csv", "firm_years.csv"] {
        let got = read(&out, f);
        if update {
            std::fs::create_dir_all(golden).unwrap();
            std::fs::write(golden.join(f), &got).unwrap();
            continue;
        }
        let want = read(golden, f);
        if got != want {
            let (g, w) = (
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want),
            );
            let line = g
                .lines()
                .zip(w.lines())
                .position(|(a, b)| a != b)
                .map_or(g.lines().count().min(w.lines().count()), |i| i);
            panic!(
                "{f} differs from tests/golden/minimal/{f} at line {}:\n  got:  {}\n  want: {}\n(rerun with UPDATE_GOLDEN=1 if the change is intended)",
                line + 1,
                g.lines().nth(line).unwrap_or("<end>"),
                w.lines().nth(line).unwrap_or("<end>")
            );
        }
    }
    // The manifest names the scenario, the seed and the version.
    let summary: serde_json::Value = serde_json::from_slice(&read(&out, "summary.json")).unwrap();
    assert_eq!(summary["manifest"]["seed"], 3);
    assert_eq!(summary["manifest"]["talentsim_version"], talentsim::VERSION);
    assert_eq!(
        summary["manifest"]["scenario_hash"].as_str().unwrap().len(),
        16
    );
    assert_eq!(
        summary["manifest"]["resolved_knobs"]["region"][0]["name"],
        "Minitown"
    );
}

#[test]
fn outputs_have_the_documented_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    run("scenarios/minimal.toml", "2", &out);
    let ts = String::from_utf8(read(&out, "timeseries.csv")).unwrap();
    let header: Vec<&str> = ts.lines().next().unwrap().split(',').collect();
    let required = "month, region, talent_stock, graduate_arrivals, graduate_arrivals_under35, departures, employed, job_seekers, founders, new_firms, active_startups, firms_preseed, firms_seed, firms_series_a, firms_series_b, firms_series_c, firms_growth, failures, acquisitions, relocations_in, relocations_out, rounds, vc_capital_cny, grant_cny, loan_cny, industrialized_firms, listed_cumulative, quasi_unicorns, unicorns, startup_jobs, rd_spend_firms_cny, rd_spend_public_cny, patents_firms, patents_public, policy_spend_cny";
    for col in required.split(", ") {
        assert!(header.contains(&col), "timeseries.csv lacks `{col}`");
    }
    // One row per month and region; months as YYYY-MM; region named as in the scenario.
    let rows: Vec<&str> = ts.lines().skip(1).collect();
    assert_eq!(rows.len(), 36);
    assert!(rows[0].starts_with("2020-01,Minitown,"));
    assert!(rows[35].starts_with("2022-12,Minitown,"));
    let firms = String::from_utf8(read(&out, "firms.csv")).unwrap();
    assert_eq!(
        firms.lines().next().unwrap(),
        "firm_id,region,sector,kind,founded_month,founder_education,backed_by_programs,first_seed_month,series_a_month,rounds_raised,last_stage,capital_raised_cny,grants_cny,peak_headcount,headcount_end,revenue_end_cny,valuation_peak_cny,quasi_unicorn_month,unicorn_month,outcome,outcome_month,exit_reason"
    );
    let fy = String::from_utf8(read(&out, "firm_years.csv")).unwrap();
    assert!(fy.starts_with("firm_id,year,headcount,revenue_cny,valuation_cny,stage"));
    // No temporary files left behind.
    for e in std::fs::read_dir(&out).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "left {name}");
    }
}
