//! `talentsim calibrate`: targets files and parameter lists are checked like scenarios, the fit
//! is reported honestly, and calibration recovers known parameters.

use std::path::Path;
use std::process::Command;

use talentsim::calibrate::{self, TargetsFile};
use talentsim::scenario::{Override, ScenarioSource};

const LEVERS: &str = "tests/fixtures/levers.toml";

#[test]
fn targets_file_errors_point_at_the_problem() {
    let sc = talentsim::load(LEVERS.as_ref(), &[]).unwrap();
    let err = calibrate::load_targets(Path::new("tests/fixtures/calibrate/bad_targets.toml"), &sc)
        .unwrap_err();
    let d = err.diagnostics();
    let text: Vec<String> = d.iter().map(|x| x.to_string()).collect();
    assert_eq!(d.len(), 3, "{text:#?}");
    assert_eq!((d[0].line, d[0].key.as_str()), (5, "target[0].stat.column"));
    assert!(
        d[0].hint.as_deref() == Some("did you mean `talent_stock`?"),
        "{text:#?}"
    );
    assert_eq!(
        (d[1].line, d[1].key.as_str()),
        (12, "target[1].stat.region")
    );
    assert!(d[1].message.contains("Testville"));
    assert!(
        d[2].key == "target[1].high" && d[2].message.contains("contain the value"),
        "{text:#?}"
    );
}

#[test]
fn parameter_errors_are_reported_with_columns() {
    let sc = talentsim::load(LEVERS.as_ref(), &[]).unwrap();
    let err = calibrate::parse_params(
        "region.Testville.base_utlity,name,behaviour.founding_rate=0.5:0.1",
        &sc,
    )
    .unwrap_err();
    let d = err.diagnostics();
    assert_eq!(d.len(), 3, "{:#?}", d);
    assert_eq!((d[0].file.as_str(), d[0].column), ("--params", 1));
    assert!(
        d[0].hint
            .as_deref()
            .unwrap_or("")
            .contains("region[].base_utility")
    );
    assert_eq!(d[1].column, 30);
    assert!(d[1].message.contains("numeric"));
    assert!(d[2].message.contains("bad bounds"));
    let ok = calibrate::parse_params(
        "region.Testville.base_utility=-1:1.5, behaviour.founding_rate",
        &sc,
    )
    .unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!((ok[0].lo, ok[0].hi), (-1.0, 1.5));
    assert_eq!(
        (ok[1].lo, ok[1].hi),
        (0.0, 1.0),
        "bounds default to the knob's valid range"
    );
}

fn targets_at_truth(sets: &[String], dir: &Path) -> std::path::PathBuf {
    // The statistics the truth produces, as targets with a ±3% band.
    let stats = [
        (
            "arrivals",
            r#"{ kind = "column", column = "graduate_arrivals", agg = "sum" }"#,
        ),
        (
            "firms",
            r#"{ kind = "column", column = "new_firms", agg = "sum" }"#,
        ),
    ];
    let mut text = String::from("replicates = 4\nseed = 100\n");
    for (name, stat) in stats {
        text.push_str(&format!(
            "\n[[target]]\nname = \"{name}\"\nstat = {stat}\nvalue = 1\nlow = 0\nhigh = 2\n"
        ));
    }
    let probe = dir.join("probe.toml");
    std::fs::write(&probe, &text).unwrap();
    let sc = talentsim::load(LEVERS.as_ref(), sets).unwrap();
    let t: TargetsFile = calibrate::load_targets(&probe, &sc).unwrap();
    let (fits, _) = calibrate::evaluate(
        &ScenarioSource::read(LEVERS.as_ref()),
        &Override::args(sets),
        &t,
        &|| {},
    )
    .unwrap();
    let mut text = String::from("replicates = 4\nseed = 100\n");
    for ((name, stat), fit) in stats.iter().zip(&fits) {
        let v = fit.summary.mean;
        text.push_str(&format!(
            "\n[[target]]\nname = \"{name}\"\nstat = {stat}\nvalue = {v}\nlow = {}\nhigh = {}\n",
            v * 0.97,
            v * 1.03
        ));
    }
    let path = dir.join("targets.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn calibration_recovers_known_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let truth = [
        "region.Testville.base_utility=0.4".to_string(),
        "behaviour.founding_rate=0.015".to_string(),
    ];
    let targets_path = targets_at_truth(&truth, tmp.path());
    let sc = talentsim::load(LEVERS.as_ref(), &[]).unwrap();
    let targets = calibrate::load_targets(&targets_path, &sc).unwrap();
    // Start away from the truth.
    let start = [
        "region.Testville.base_utility=-0.3".to_string(),
        "behaviour.founding_rate=0.03".to_string(),
    ];
    let sc0 = talentsim::load(LEVERS.as_ref(), &start).unwrap();
    let params = calibrate::parse_params(
        "region.Testville.base_utility=-1:1.5,behaviour.founding_rate=0.002:0.05",
        &sc0,
    )
    .unwrap();
    let c = calibrate::calibrate(
        &ScenarioSource::read(LEVERS.as_ref()),
        &Override::args(&start),
        &params,
        &targets,
        60,
        &|| {},
        |_, _| {},
    )
    .unwrap();
    assert!(
        (c.best[0] - 0.4).abs() < 0.15,
        "base_utility {} (truth 0.4)",
        c.best[0]
    );
    assert!(
        (c.best[1] - 0.015).abs() / 0.015 < 0.3,
        "founding_rate {} (truth 0.015)",
        c.best[1]
    );
    assert!(c.fits.iter().all(|f| f.pass), "{:#?}", c.fits);
    assert!(c.history.len() <= 60);
}

#[test]
fn the_cli_writes_a_fit_report_and_a_calibrated_extends() {
    let tmp = tempfile::tempdir().unwrap();
    let targets_path = targets_at_truth(
        &["region.Testville.base_utility=0.4".to_string()],
        tmp.path(),
    );
    let out = tmp.path().join("cal");
    let run = Command::new(env!("CARGO_BIN_EXE_talentsim"))
        .args(["calibrate", LEVERS, "--targets"])
        .arg(&targets_path)
        .args([
            "--params",
            "region.Testville.base_utility=-1:1.5",
            "--budget",
            "12",
            "--replicates",
            "2",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let fit = std::fs::read_to_string(out.join("fit.csv")).unwrap();
    assert!(
        fit.starts_with(
            "target,value,low,high,mean,sd,ci_low,ci_high,p2_5,p97_5,n,pass\narrivals,"
        )
    );
    let cal = std::fs::read_to_string(out.join("calibrated.toml")).unwrap();
    assert!(
        cal.contains("extends = ")
            && cal.contains("name = \"Testville\"")
            && cal.contains("base_utility = "),
        "{cal}"
    );
    // The calibrated scenario is a valid scenario that changes only the calibrated knob.
    let calibrated = talentsim::load(&out.join("calibrated.toml"), &[]).unwrap();
    let base = talentsim::load(LEVERS.as_ref(), &[]).unwrap();
    let (a, b) = (calibrated.to_toml(), base.to_toml());
    let changed: Vec<_> = a.lines().zip(b.lines()).filter(|(x, y)| x != y).collect();
    assert!(
        changed.len() <= 1 && changed.iter().all(|(x, _)| x.starts_with("base_utility")),
        "{changed:?}"
    );
    // Bad parameters exit 2 with a located message.
    let bad = Command::new(env!("CARGO_BIN_EXE_talentsim"))
        .args(["calibrate", LEVERS, "--targets"])
        .arg(&targets_path)
        .args(["--params", "region.Nowhere.base_utility"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--params:1:1: error"));
}

/// Issue 10: a calibration stopped by Ctrl-C writes its best point so far and exits 130, as a
/// sweep does (it used to exit 0).
#[test]
fn an_interrupted_calibration_exits_130_with_its_best_point() {
    let tmp = tempfile::tempdir().unwrap();
    let targets_path = targets_at_truth(
        &["region.Testville.base_utility=0.4".to_string()],
        tmp.path(),
    );
    let out = tmp.path().join("cal");
    let mut child = Command::new(env!("CARGO_BIN_EXE_talentsim"))
        .args(["calibrate", LEVERS, "--targets"])
        .arg(&targets_path)
        .args([
            "--params",
            "region.Testville.base_utility=-1:1.5",
            "--budget",
            "100000",
            "--replicates",
            "32",
            "--out",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Let it get going: past its first evaluations, far from converging (each evaluation is
    // 32 runs, over half a second on two idle cores; the search needs tens of them, so a
    // faster simulator does not make it finish first, as it did with 2 replicates).
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert!(child.try_wait().unwrap().is_none(), "finished too early");
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(out.join("fit.md").exists() && out.join("calibrated.toml").exists());
}
