//! `talentsim compare` and `talentsim plot`: identical outputs on any thread count, honest
//! paired differences, target probabilities, and plots that redraw from saved outputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use talentsim::compare::{Comparison, applicable, compare};
use talentsim::scenario::Target;
use talentsim::stats::{Stat, StatKind};
use talentsim::{batch, load};

const BIN: &str = env!("CARGO_BIN_EXE_talentsim");
const MINIMAL: &str = "scenarios/minimal.toml";
const MORE_GRANTS: &str = "tests/fixtures/compare/more_grants.toml";
const TWO_REGIONS: &str = "tests/fixtures/compare/two_regions.toml";
const XSS: &str = "tests/fixtures/compare/xss.toml";

fn compare_files(paths: &[&str], replicates: usize, seed: u64) -> Comparison {
    let scs: Vec<_> = paths
        .iter()
        .map(|p| load(p.as_ref(), &[]).expect("valid scenario"))
        .collect();
    compare(&scs, &batch::seeds(seed, replicates), seed, &[], &|| {})
}

fn talentsim(args: &[&str], out: &Path, threads: Option<&str>) {
    let mut cmd = Command::new(BIN);
    cmd.args(args).arg(out);
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    let o = cmd.output().expect("the binary runs");
    assert!(
        o.status.success(),
        "talentsim {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn outputs_are_byte_identical_on_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    for t in ["1", "2"] {
        talentsim(
            &[
                "compare",
                MINIMAL,
                MORE_GRANTS,
                TWO_REGIONS,
                "--replicates",
                "3",
                "--seed",
                "5",
                "--out",
            ],
            &tmp.path().join(t),
            Some(t),
        );
    }
    let (a, b) = (tmp.path().join("1"), tmp.path().join("2"));
    let fa = files(&a);
    assert_eq!(fa, files(&b));
    for f in ["comparison.csv", "comparison.json", "report.html"] {
        assert!(fa.contains(&PathBuf::from(f)), "{f} is missing");
    }
    assert!(fa.iter().any(|f| f.starts_with("plots")));
    for f in &fa {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{} differs between 1 and 2 threads",
            f.display()
        );
    }
    // No temporary files left behind.
    assert!(!fa.iter().any(|f| f.to_string_lossy().contains(".tmp")));
}

#[test]
fn a_scenario_against_itself_differs_by_exactly_zero() {
    let c = compare_files(&[MINIMAL, MINIMAL], 4, 1);
    assert_eq!(c.manifest.scenarios[0].label, "minimal");
    assert_eq!(c.manifest.scenarios[1].label, "minimal #2");
    let mut checked = 0;
    for m in &c.metrics {
        assert!(
            m.scenarios[0].diff.is_none(),
            "the baseline has no difference"
        );
        let cell = &m.scenarios[1];
        let d = cell.diff.expect("a difference from the baseline");
        if d.n == 0 {
            continue; // a cost per outcome the runs never reached
        }
        assert_eq!(
            (d.mean, d.sd, d.ci_low, d.ci_high),
            (0.0, 0.0, 0.0, 0.0),
            "{}: a scenario against itself",
            m.metric
        );
        assert!(!cell.diff_excludes_zero, "{}", m.metric);
        assert_eq!(cell.value, m.scenarios[0].value, "{}", m.metric);
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} metrics defined");
    // The series agree month by month too.
    for s in c.series.iter().filter(|s| s.scenario == "minimal") {
        let t = c.series_of(&s.metric, "minimal #2").unwrap();
        assert_eq!(s.mean, t.mean, "{}", s.metric);
    }
}

#[test]
fn more_grant_money_shows_a_positive_paired_difference() {
    let c = compare_files(&[MINIMAL, MORE_GRANTS], 16, 1);
    for key in ["grant_cny", "policy_spend_cny"] {
        let cell = &c.metric(key).unwrap().scenarios[1];
        let d = cell.diff.unwrap();
        assert!(
            d.mean > 0.0 && d.ci_low > 0.0 && cell.diff_excludes_zero,
            "{key}: more grant money should raise it, difference {} [{}, {}]",
            d.mean,
            d.ci_low,
            d.ci_high
        );
        assert!(d.ci_low <= d.mean && d.mean <= d.ci_high);
    }
    // And the cost per new firm is a ratio of the run's own figures.
    let cost = &c.metric("cost_per_new_firm").unwrap().scenarios[0].value;
    assert!(cost.mean > 0.0 && cost.ci_low <= cost.mean && cost.mean <= cost.ci_high);
}

#[test]
fn target_probabilities_lie_in_0_1_with_their_wilson_interval() {
    let c = compare_files(&[XSS, MORE_GRANTS], 5, 2);
    let names: Vec<&str> = c.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "<i>talent</i> stock of 3,000 by the end",
            "always met",
            "never met"
        ]
    );
    for t in &c.targets {
        // Declared by one scenario, measured in both.
        assert_eq!(t.scenarios.len(), 2);
        for cell in &t.scenarios {
            assert!(cell.applicable);
            assert_eq!(cell.n, 5);
            assert!(
                0.0 <= cell.p_low
                    && cell.p_low <= cell.p
                    && cell.p <= cell.p_high
                    && cell.p_high <= 1.0,
                "{}: p = {} [{}, {}]",
                t.name,
                cell.p,
                cell.p_low,
                cell.p_high
            );
            assert!(cell.p_high - cell.p_low > 0.0, "an interval, not a point");
        }
    }
    let always = &c.targets[1].scenarios[0];
    assert_eq!((always.met, always.p), (5, 1.0));
    assert!(always.p_low > 0.5);
    let never = &c.targets[2].scenarios[1];
    assert_eq!((never.met, never.p), (0, 0.0));
    assert!(never.p_high < 0.5);
}

#[test]
fn a_target_outside_a_scenario_is_not_applicable() {
    let sc = load(MINIMAL.as_ref(), &[]).unwrap();
    let t = |region: &str, to: &str| Target {
        name: "t".into(),
        stat: Stat {
            kind: StatKind::Column,
            column: "new_firms".into(),
            region: region.into(),
            to: to.into(),
            ..Stat::default()
        },
        at_least: 1.0,
    };
    assert!(applicable(&t("", ""), &sc));
    assert!(applicable(&t("Minitown", "2022-12"), &sc));
    assert!(!applicable(&t("Elsewhere", ""), &sc));
    assert!(!applicable(&t("", "2027-12"), &sc));
}

#[test]
fn scenario_targets_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    std::fs::write(
        &p,
        format!(
            "extends = {:?}\n[[target]]\nname = \"x\"\nstat = {{ kind = \"column\", column = \"talent_stok\", to = \"2022-13\" }}\n",
            std::fs::canonicalize(MINIMAL).unwrap().display().to_string()
        ),
    )
    .unwrap();
    let err = load(&p, &[]).unwrap_err().to_string();
    assert!(err.contains("talent_stock"), "{err}");
    assert!(err.contains("2022-13"), "{err}");
    assert!(err.contains("at_least"), "{err}");
    // The bundled plan's targets are valid.
    let xs = load("scenarios/xiaoshan.toml".as_ref(), &[]).unwrap();
    assert_eq!(xs.def.target.len(), 3);
}

fn png_size(p: &Path) -> (u32, u32) {
    let img = image::open(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (img.width(), img.height())
}

fn check_plots(dir: &Path, flows: bool) {
    let plots = dir.join("plots");
    let mut names = vec!["funnel", "cost", "stage_talent_stock", "stage_founders"];
    if flows {
        names.push("flows");
    }
    for n in names {
        for ext in ["png", "svg"] {
            let p = plots.join(format!("{n}.{ext}"));
            let len = std::fs::metadata(&p)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
                .len();
            assert!(len > 1000, "{} is nearly empty", p.display());
        }
    }
    for f in std::fs::read_dir(&plots).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "png") {
            assert_eq!(png_size(&p), (1200, 800), "{}", p.display());
        } else {
            let svg = std::fs::read_to_string(&p).unwrap();
            assert!(svg.contains("<svg") && svg.contains("width=\"1200\""));
        }
    }
}

#[test]
fn plots_exist_decode_at_1200_by_800_and_redraw_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    talentsim(
        &[
            "compare",
            MINIMAL,
            TWO_REGIONS,
            "--replicates",
            "2",
            "--out",
        ],
        &out,
        None,
    );
    check_plots(&out, true);
    // The Chinese region name is drawn in pinyin and kept as written in the report.
    let flows = std::fs::read_to_string(out.join("plots/flows.svg")).unwrap();
    assert!(
        flows.contains("Binjiang"),
        "the region 滨江 drawn as Binjiang"
    );
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("滨江"));

    // `talentsim plot DIR` redraws the same files from the saved outputs alone.
    let before: Vec<(PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect();
    std::fs::remove_dir_all(out.join("plots")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    let o = Command::new(BIN).arg("plot").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (f, bytes) in before {
        assert!(
            std::fs::read(out.join(&f)).unwrap() == bytes,
            "{} differs when redrawn",
            f.display()
        );
    }
}

#[test]
fn run_with_plots_and_plot_on_a_run_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    talentsim(&["run", TWO_REGIONS, "--plots", "--out"], &out, None);
    check_plots(&out, true);
    std::fs::remove_dir_all(out.join("plots")).unwrap();
    let o = Command::new(BIN).arg("plot").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    check_plots(&out, true);
    // A directory with neither kind of output is an error (exit 1), not a panic.
    let o = Command::new(BIN)
        .arg("plot")
        .arg(tmp.path().join("nothing"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
}

/// Common random numbers that hold (issue 9): for three one-lever changes of Binjiang at
/// `scale = 20` with 20 replicates, pairing by seed cuts the variance of the difference at
/// least fourfold for the talent stock, new firms and seed-funded firms.
#[test]
fn common_random_numbers_cut_the_variance_of_one_lever_changes_at_least_fourfold() {
    let sets = ["scale=20".to_string()];
    let paths = [
        "scenarios/binjiang.toml",
        "tests/fixtures/compare/binjiang/housing_cap_plus50.toml",
        "tests/fixtures/compare/binjiang/budget_5050_plus50.toml",
        "tests/fixtures/compare/binjiang/no_housing.toml",
    ];
    let scs: Vec<_> = paths
        .iter()
        .map(|p| load(p.as_ref(), &sets).expect("valid scenario"))
        .collect();
    let c = compare(&scs, &batch::seeds(1, 20), 1, &sets, &|| {});
    for metric in ["talent_stock_end", "new_firms", "funded_seed"] {
        let m = c.metric(metric).unwrap();
        let base = &m.scenarios[0].value;
        for cell in &m.scenarios[1..] {
            let p = cell.pairing.expect("paired");
            let d = cell.diff.unwrap();
            // The same figure from the table's own numbers.
            let vr = (base.sd.powi(2) + cell.value.sd.powi(2)) / d.sd.powi(2);
            assert!(
                (p.variance_reduction - vr).abs() <= 1e-6 * vr,
                "{metric}, {}: {} vs {vr}",
                cell.scenario,
                p.variance_reduction
            );
            assert!(
                p.variance_reduction >= 4.0 && p.correlation > 0.5,
                "{metric}, {}: variance reduction {:.2} (correlation {:.3}) — pairing lost",
                cell.scenario,
                p.variance_reduction,
                p.correlation
            );
        }
    }
}

#[test]
fn count_intervals_never_go_below_zero() {
    let c = compare_files(&[MINIMAL, MORE_GRANTS], 6, 3);
    let mut skewed = 0;
    for m in &c.metrics {
        for cell in &m.scenarios {
            let v = &cell.value;
            if v.n > 1 && v.p2_5 >= 0.0 {
                assert!(
                    v.ci_low >= 0.0 && v.ci_low <= v.mean && v.mean <= v.ci_high,
                    "{} in {}: [{}, {}] around {}",
                    m.metric,
                    cell.scenario,
                    v.ci_low,
                    v.ci_high,
                    v.mean
                );
                // Where Student t would have gone below zero, the bootstrap did not.
                skewed += (v.mean - 2.571 * v.sd / (v.n as f64).sqrt() < 0.0) as usize;
            }
        }
    }
    assert!(skewed > 0, "no metric tested the support");
    for s in &c.series {
        for (t, lo) in s.ci_low.iter().enumerate() {
            assert!(
                lo.is_nan() || *lo >= 0.0 || s.metric.starts_with("net_inflow"),
                "{} {}: month {t} interval starts at {lo}",
                s.metric,
                s.scenario
            );
        }
    }
}

#[test]
fn incremental_costs_are_in_the_csv_json_and_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("c");
    talentsim(
        &[
            "compare",
            MINIMAL,
            MORE_GRANTS,
            "--replicates",
            "16",
            "--seed",
            "1",
            "--out",
        ],
        &out,
        None,
    );
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let json = std::fs::read_to_string(out.join("comparison.json")).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for name in [
        "cost_per_extra_new_firm",
        "cost_per_extra_startup_job",
        "cost_per_extra_funded_seed",
        "cost_per_extra_industrialized_firm",
        "cost_per_extra_listed_or_unicorn",
    ] {
        assert!(
            csv.contains(&format!("\"minimal, more grants\",{name},,value,")),
            "{name} not in CSV"
        );
        assert!(json.contains(&format!("\"{name}\"")), "{name} not in JSON");
        assert!(
            html.contains(&format!("<code>{name}</code>")),
            "{name} not in report"
        );
    }
    let c = Comparison::read(&out).unwrap();
    assert_eq!(c.extra_costs.len(), 5);
    for x in &c.extra_costs {
        let cell = &x.scenarios[0];
        let d = &cell.delta_outcome;
        // Identified exactly where Δ outcome's interval excludes zero.
        assert_eq!(
            cell.identified,
            d.ci_low > 0.0 || d.ci_high < 0.0,
            "{}",
            x.metric
        );
        if cell.identified {
            let want = cell.delta_spend.mean / d.mean;
            assert!(
                (cell.value - want).abs() <= 1e-9 * want.abs(),
                "{}",
                x.metric
            );
            assert!(
                cell.ci_low <= cell.value && cell.value <= cell.ci_high,
                "{}",
                x.metric
            );
        } else {
            assert!(cell.value.is_nan(), "{}", x.metric);
            assert!(html.contains("not identified"));
        }
    }
    // More grant money buys more grants: the grant-backed outcome is identified.
    let grant = c.metric("grant_cny").unwrap().scenarios[1].diff.unwrap();
    assert!(grant.ci_low > 0.0);
    assert!(html.contains("more than the baseline") || html.contains("not identified"));
}

#[test]
fn replicates_auto_stops_at_the_cap_and_is_thread_independent() {
    let tmp = tempfile::tempdir().unwrap();
    for t in ["1", "2"] {
        talentsim(
            &[
                "compare",
                MINIMAL,
                MORE_GRANTS,
                "--replicates",
                "auto",
                "--precision",
                "0.01%",
                "--max-replicates",
                "24",
                "--metric",
                "new_firms",
                "--out",
            ],
            &tmp.path().join(t),
            Some(t),
        );
    }
    let a = std::fs::read(tmp.path().join("1/comparison.json")).unwrap();
    let b = std::fs::read(tmp.path().join("2/comparison.json")).unwrap();
    assert!(a == b, "comparison.json differs between 1 and 2 threads");
    let c = Comparison::read(&tmp.path().join("1")).unwrap();
    let auto = c.manifest.auto.expect("auto report");
    assert!(auto.reached_cap, "an impossible precision stops at the cap");
    assert_eq!(c.manifest.replicates, 24);
    assert_eq!(auto.batches.first(), Some(&10));
    assert_eq!(auto.batches.last(), Some(&24));
    assert_eq!(auto.checks.len(), 1);
    assert!(!auto.checks[0].met);
    assert_eq!(c.manifest.seeds, batch::seeds(c.manifest.base_seed, 24));
    // A reachable precision stops early, with every check met.
    let easy = tmp.path().join("easy");
    talentsim(
        &[
            "compare",
            MINIMAL,
            MORE_GRANTS,
            "--replicates",
            "auto",
            "--precision",
            "1000%",
            "--out",
        ],
        &easy,
        None,
    );
    let c = Comparison::read(&easy).unwrap();
    let auto = c.manifest.auto.unwrap();
    assert!(!auto.reached_cap && auto.checks.iter().all(|x| x.met));
    assert_eq!(c.manifest.replicates, 10);
}

#[test]
fn bad_auto_flags_exit_2_with_a_message() {
    for args in [
        &["--replicates", "auto", "--precision", "0"][..],
        &["--replicates", "auto", "--precision", "-5%"],
        &["--replicates", "auto", "--max-replicates", "0"],
        &["--replicates", "auto", "--metric", "no_such_metric"],
        &["--replicates", "0"],
        &["--replicates", "5", "--precision", "5%"],
    ] {
        let o = Command::new(BIN)
            .args(["compare", MINIMAL, MORE_GRANTS])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("error"), "{args:?}: {err}");
    }
}
