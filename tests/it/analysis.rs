//! `talentsim analyze`: the Sobol estimators against the Ishigami function's known indices
//! (end to end: sweep file → sweep → analyze), the Morris estimator on a function with known
//! elementary effects, main effects and the heatmap of a two-knob grid, and the plots.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use talentsim::sweep::design::{Coords, Design};
use talentsim::sweep::spec::DesignKind;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_talentsim"))
        .current_dir(root())
        .env_remove("SLURM_ARRAY_TASK_ID")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn sweep_and_analyze(file: &Path, out: &Path) -> serde_json::Value {
    let o = run(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(&["analyze", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let json = fs::read_to_string(out.join("analysis/analysis.json")).unwrap();
    serde_json::from_str(&json).unwrap()
}

/// The Ishigami function's variance decomposition (a = 7, b = 0.1).
fn ishigami_truth() -> ([f64; 3], [f64; 3]) {
    let (a, b, pi) = (7.0f64, 0.1f64, std::f64::consts::PI);
    let v = a * a / 8.0 + b * pi.powi(4) / 5.0 + b * b * pi.powi(8) / 18.0 + 0.5;
    let v1 = 0.5 * (1.0 + b * pi.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi.powi(8) * 8.0 / 225.0;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

#[track_caller]
fn check(est: &serde_json::Value, truth: f64, what: &str) {
    let (v, lo, hi) = (
        est["value"].as_f64().unwrap(),
        est["low"].as_f64().unwrap(),
        est["high"].as_f64().unwrap(),
    );
    assert!(
        lo <= truth && truth <= hi,
        "{what}: the bootstrap interval [{lo:.4}, {hi:.4}] (estimate {v:.4}) misses {truth:.4}"
    );
    assert!(
        lo <= v && v <= hi,
        "{what}: the estimate lies outside its interval"
    );
    assert!(hi - lo < 0.15, "{what}: interval too wide to mean anything");
}

#[test]
fn sobol_indices_of_the_ishigami_function() {
    let (s1, st) = ishigami_truth();
    assert!((s1[0] - 0.314).abs() < 1e-3 && (s1[1] - 0.442).abs() < 1e-3);
    assert!((st[2] - 0.244).abs() < 1e-3);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("ishigami");
    let a = sweep_and_analyze(&root().join("scenarios/sweeps/ishigami.toml"), &out);
    assert_eq!(a["design"], "saltelli");
    let stat = &a["stats"][0];
    assert_eq!(stat["stat"], "y");
    let (indices, n) = (&stat["sobol"][0], stat["sobol"][1].as_u64().unwrap());
    assert_eq!(n, 4096, "every base sample used");
    for i in 0..3 {
        check(&indices[i]["s1"], s1[i], &format!("S{}", i + 1));
        check(&indices[i]["st"], st[i], &format!("ST{}", i + 1));
    }
    // Tables and plots.
    let sens = fs::read_to_string(out.join("analysis/sensitivity.csv")).unwrap();
    assert!(
        sens.starts_with("statistic,knob,measure,value,low,high\n"),
        "{sens}"
    );
    assert!(sens.contains("y,x3,ST,0.2"), "{sens}");
    for f in ["sobol_y", "main_effects_y", "tornado_y"] {
        check_plot(&out.join("analysis"), f);
    }

    // `talentsim analyze DIR | head`: a reader that has gone is not a panic (exit 0, quietly).
    let mut child = Command::new(env!("CARGO_BIN_EXE_talentsim"))
        .args(["analyze", out.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{:?}: {}", o.status, text(&o.stderr));
    assert!(!text(&o.stderr).contains("panicked"), "{}", text(&o.stderr));
}

#[track_caller]
fn check_plot(dir: &Path, stem: &str) {
    let png = fs::read(dir.join(format!("{stem}.png"))).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}.png is a PNG");
    assert!(png.len() > 5_000, "{stem}.png has content");
    let svg = fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("sans-serif") && svg.contains("<text"));
}

#[test]
fn morris_effects_of_a_linear_function_are_exact() {
    // y = 3 u0 − 2 u1 + 0 u2 in unit coordinates: every elementary effect is the slope.
    let d = Design::new(DesignKind::Morris, 3, 12, 4, vec![], 5);
    let y: Vec<f64> = (0..d.points())
        .map(|p| match d.coords(p) {
            Coords::Unit(u) => 3.0 * u[0] - 2.0 * u[1],
            _ => unreachable!(),
        })
        .collect();
    let m = talentsim::analysis::morris(&d, &y, 200);
    let want = [(3.0, 3.0), (-2.0, 2.0), (0.0, 0.0)];
    for (x, (mu, mu_star)) in m.iter().zip(want) {
        assert!((x.mu - mu).abs() < 1e-9, "{x:?}");
        assert!((x.mu_star.value - mu_star).abs() < 1e-9, "{x:?}");
        assert!(x.sigma.abs() < 1e-9 && x.effects == 12, "{x:?}");
        assert!((x.mu_star.low - mu_star).abs() < 1e-9 && (x.mu_star.high - mu_star).abs() < 1e-9);
    }
}

#[test]
fn morris_screening_of_the_ishigami_function() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("morris.toml");
    let knobs: String = ["x1", "x2", "x3"]
        .iter()
        .map(|k| {
            format!(
                "\n[[knob]]\npath = \"{k}\"\nmin = -3.141592653589793\nmax = 3.141592653589793\n"
            )
        })
        .collect();
    fs::write(
        &f,
        format!("model = \"ishigami\"\ndesign = \"morris\"\ntrajectories = 200\nmorris_levels = 6\nseed = 4\n{knobs}"),
    )
    .unwrap();
    let out = tmp.path().join("morris");
    let a = sweep_and_analyze(&f, &out);
    let m = a["stats"][0]["morris"].as_array().unwrap();
    let mu_star: Vec<f64> = m
        .iter()
        .map(|x| x["mu_star"]["value"].as_f64().unwrap())
        .collect();
    // x3 acts only through its interaction with x1, so its effects vary widely (σ > μ*·0.5)
    // and average out (|μ| well below μ*); every knob matters.
    for (i, x) in m.iter().enumerate() {
        assert!(mu_star[i] > 0.5, "μ*({}) = {}", i + 1, mu_star[i]);
        let (lo, hi) = (
            x["mu_star"]["low"].as_f64().unwrap(),
            x["mu_star"]["high"].as_f64().unwrap(),
        );
        assert!(lo < mu_star[i] && mu_star[i] < hi);
    }
    let x3 = &m[2];
    assert!(x3["sigma"].as_f64().unwrap() > 0.5 * mu_star[2]);
    assert!(x3["mu"].as_f64().unwrap().abs() < 0.5 * mu_star[2]);
    check_plot(&out.join("analysis"), "morris_y");
}

#[test]
fn two_knob_grid_main_effects_and_heatmap() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("grid.toml");
    fs::write(
        &f,
        "model = \"ishigami\"\ndesign = \"grid\"\n\n[[knob]]\npath = \"x1\"\nmin = -3\nmax = 3\nsteps = 5\n\n[[knob]]\npath = \"x2\"\nlevels = [2.0, -1.0, 0.5, 1.5]\n",
    )
    .unwrap();
    let out = tmp.path().join("grid");
    let a = sweep_and_analyze(&f, &out);
    let s = &a["stats"][0];
    // Heatmap rows follow the levels of x1, columns those of x2, in the sweep file's order.
    let heat = s["heatmap"].as_array().unwrap();
    assert_eq!(heat.len(), 5);
    let y = |x1: f64, x2: f64| x1.sin() + 7.0 * x2.sin().powi(2);
    let x1s = [-3.0, -1.5, 0.0, 1.5, 3.0];
    let x2s = [2.0, -1.0, 0.5, 1.5];
    for (i, row) in heat.iter().enumerate() {
        for (j, v) in row.as_array().unwrap().iter().enumerate() {
            assert!((v.as_f64().unwrap() - y(x1s[i], x2s[j])).abs() < 1e-12);
        }
    }
    assert_eq!(
        a["grid_labels"][1],
        serde_json::json!(["2", "-1", "0.5", "1.5"])
    );
    // Main effect of x2 at 0.5: the mean over the five levels of x1.
    let me2 = s["main_effects"][1].as_array().unwrap();
    let at = me2.iter().find(|l| l["label"] == "0.5").unwrap();
    let want = x1s.iter().map(|&x1| y(x1, 0.5)).sum::<f64>() / 5.0;
    assert!((at["mean"]["value"].as_f64().unwrap() - want).abs() < 1e-12);
    assert_eq!(at["n"], 5);
    let csv = fs::read_to_string(out.join("analysis/main_effects.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 5 + 4);
    check_plot(&out.join("analysis"), "heatmap_y");
    check_plot(&out.join("analysis"), "main_effects_y");
}

#[test]
fn analyze_asks_for_a_merge_first() {
    let tmp = tempfile::tempdir().unwrap();
    let out: PathBuf = tmp.path().join("s");
    let o = run(&[
        "sweep",
        "scenarios/sweeps/ishigami.toml",
        "--out",
        out.to_str().unwrap(),
        "--shard",
        "0/2",
        "--set",
        "points=8",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(&["analyze", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("run `talentsim merge"),
        "{}",
        text(&o.stderr)
    );
}
