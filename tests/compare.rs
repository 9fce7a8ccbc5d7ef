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
