//! `talentsim facts`: validation facts from hand-made run directories (tests/fixtures/facts/),
//! whose values are worked out by hand in the comments, and the command's exit codes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use talentsim::facts::{self, FACTS, Measures};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/facts")
        .join(name)
}

/// Each fact's value for one run, by name.
fn values(m: &Measures) -> HashMap<&'static str, Option<f64>> {
    FACTS.iter().map(|f| (f.name, (f.compute)(m))).collect()
}

fn measure(dir: &Path) -> Measures {
    facts::measure(&facts::read_run(dir).unwrap())
}

#[track_caller]
fn close(got: Option<f64>, want: f64) {
    let got = got.unwrap_or_else(|| panic!("n/a, expected {want}"));
    assert!((got - want).abs() < 1e-9, "got {got}, expected {want}");
}

/// Run the binary in `cwd` with `args`.
fn talentsim(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_talentsim"))
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Copy a fixture run into `to`, replacing `from` by `with` in `file`.
fn damaged(name: &str, to: &Path, file: &str, from: &str, with: &str) -> PathBuf {
    let dir = to.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["summary.json", "firms.csv", "firm_years.csv"] {
        let text = std::fs::read_to_string(fixture(name).join(f)).unwrap();
        let text = if f == file {
            assert!(text.contains(from), "{f} has no `{from}`");
            text.replacen(from, with, 1)
        } else {
            text
        };
        std::fs::write(dir.join(f), text).unwrap();
    }
    dir
}

/// The rows of a facts CSV, by fact name, each a map column → cell.
fn read_facts_csv(path: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let row: HashMap<String, String> = header
                .iter()
                .zip(rec.iter())
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect();
            (row["fact"].clone(), row)
        })
        .collect()
}

fn num(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("`{cell}` is not a number"))
}

#[test]
fn run_a_by_hand() {
    let m = measure(&fixture("run_a"));
    let v = values(&m);
    // At risk at age 6: firms 1–4, 6–8, 12 (n = 8), deaths 1 and 7; at 11: 2, 4, 6, 8, 11, 12
    // (n = 6; 11 entered at age 7, founded before the start), death 11. S(12) = 6/8 · 5/6.
    close(v["survival 1 year"], 0.625);
    close(v["hazard year 1"], 0.375);
    // Age 12: n = 5, death 12; age 14: n = 4, death 2. S(24) = 0.625 · 4/5 · 3/4.
    close(v["survival 2 years"], 0.375);
    close(v["hazard year 2"], 0.4);
    // Ages 24–35: firms 4, 5 (entered at 24), 6; then only 5, which dies at 36; nobody is at
    // risk from 37 until firm 14 enters at 60, so older ages are not computable.
    assert_eq!(m.survival[36], Some(0.375));
    assert_eq!(m.survival[37], Some(0.0));
    assert_eq!(m.survival[38], None);
    for name in [
        "survival 5 years",
        "hazard years 3-5",
        "peak hazard year of age (1-10)",
    ] {
        assert_eq!(v[name], None, "{name}");
    }
    // Seed cohort (first seed by 2016-12): firms 10, 13, 14 with 3, 1, 4 rounds; seed to A
    // 20 (firm 10) and 12 (firm 14) months.
    assert_eq!(m.funnel.cohort, 3);
    close(v["seed cohort raising 2+ rounds"], 2.0 / 3.0);
    close(v["seed cohort raising 3+ rounds"], 2.0 / 3.0);
    close(v["seed cohort raising 4+ rounds"], 1.0 / 3.0);
    close(v["median seed to series A"], 16.0);
    // Fewer than 30 firms of 10 or more: no Pareto exponent, no size bins.
    assert_eq!(v["Pareto exponent of headcount (10+)"], None);
    assert_eq!(v["growth sd scaling beta (5+)"], None);
    assert_eq!(v["growth-rate kurtosis (5+)"], None);
    // Pairs: 4: 2→4 (age 1; 0→2 left out); 6: 5→10 (age 0), 10→20 (1); 10: 40→30 (4),
    // 30→30 (5); 15: 4→4 (8), 4→8 (9). Left out: exit years (2, 5, 8 listed, 12, 14).
    assert_eq!(m.pairs.len(), 7);
    let young = (2.0 * 2f64.ln() + 0.75f64.ln()) / 4.0;
    close(v["growth, ages 1-5 minus 6+"], young - 2f64.ln() / 2.0);
    close(v["micro firms (<=4) changing size"], 2.0 / 3.0);
    // 5050-backed and founded in the run: 1 (failed), 4, 6, 8 (listed); firm 5 predates it.
    close(v["5050-backed survival to 2023-12"], 0.75);
    let reasons = m.deaths_by_reason.unwrap();
    assert_eq!(
        reasons,
        vec![("founder_quit".into(), 2), ("out_of_cash".into(), 5)]
    );
    assert_eq!(m.startups, 15);
}

#[test]
fn run_b_older_format_with_columns_reordered() {
    // No exit_reason, an extra column, columns in another order (firm_years too).
    let m = measure(&fixture("run_b"));
    let v = values(&m);
    // Age 2: n = 6 (1, 2, 3, 4, 8, 9), death 1; age 8: n = 5, death 8; age 17: n = 5 (5 entered
    // at 12), death 4.
    close(v["survival 1 year"], 2.0 / 3.0);
    close(v["survival 2 years"], 8.0 / 15.0);
    close(v["hazard year 2"], 0.2);
    // Cohort: 6 (2 rounds, A after 24 months) and 7 (1 round).
    close(v["seed cohort raising 2+ rounds"], 0.5);
    close(v["seed cohort raising 3+ rounds"], 0.0);
    close(v["median seed to series A"], 24.0);
    // Pairs: 2: 3→6 (0), 6→6 (1); 3: 1→1 (0), 1→1 (1); 6: 20→10 (5), 10→10 (6); 4 exits.
    assert_eq!(m.pairs.len(), 6);
    close(v["growth, ages 1-5 minus 6+"], 0.5f64.ln() / 3.0);
    close(v["micro firms (<=4) changing size"], 1.0 / 3.0);
    close(v["5050-backed survival to 2023-12"], 0.5);
    assert_eq!(m.deaths_by_reason, None);
}

#[test]
fn a_last_year_short_of_december_is_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = damaged(
        "run_a",
        tmp.path(),
        "summary.json",
        "\"end\": \"2022-12\"",
        "\"end\": \"2022-11\"",
    );
    let v = values(&measure(&dir));
    // Only pairs ending in 2021 remain: 5→10 (age 0), 40→30 (4), 4→4 (8).
    close(v["growth, ages 1-5 minus 6+"], 0.75f64.ln());
    close(v["micro firms (<=4) changing size"], 0.0);
}

#[test]
fn two_runs_mean_interval_and_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (fixture("run_a"), fixture("run_b"));
    let o = talentsim(
        tmp.path(),
        &[
            "facts",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            "t/f.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let rows = read_facts_csv(&tmp.path().join("t/f.csv"));
    assert_eq!(rows.len(), FACTS.len());
    let s1 = &rows["survival 1 year"];
    let (x, y) = (0.625, 2.0 / 3.0);
    let mean = (x + y) / 2.0;
    let half = 12.706 * (y - x) / 2.0; // t(1) · sd / √2, sd = |x − y| / √2
    assert!((num(&s1["model_mean"]) - mean).abs() < 1e-9);
    assert!((num(&s1["ci_low"]) - (mean - half)).abs() < 1e-9);
    assert!((num(&s1["ci_high"]) - (mean + half)).abs() < 1e-9);
    assert_eq!(s1["runs"], "2");
    assert_eq!(s1["published"], "0.796");
    assert_eq!(
        (s1["band_low"].as_str(), s1["band_high"].as_str()),
        ("0.716", "0.876")
    );
    assert_eq!(s1["in_band"], "false");
    assert!(s1["source"].contains("BLS") && s1["source"].contains("2018"));
    let per_run: Vec<f64> = s1["per_run"].split(';').map(num).collect();
    assert!((per_run[0] - x).abs() < 1e-12 && (per_run[1] - y).abs() < 1e-12);
    // In band: the mean of 1/3 and 0 raising four rounds.
    let r4 = &rows["seed cohort raising 4+ rounds"];
    assert!((num(&r4["model_mean"]) - 1.0 / 6.0).abs() < 1e-9);
    assert_eq!(r4["in_band"], "true");
    let med = &rows["median seed to series A"];
    assert_eq!(
        (med["model_mean"].as_str(), med["in_band"].as_str()),
        ("20", "true")
    );
    // Not computable: n/a, no interval, not in band.
    let s5 = &rows["survival 5 years"];
    assert_eq!(s5["model_mean"], "n/a");
    assert_eq!((s5["ci_low"].as_str(), s5["runs"].as_str()), ("", "0"));
    assert_eq!(s5["per_run"], "n/a;n/a");
    assert_eq!(s5["in_band"], "false");
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("single-year hazards"), "{out}");
    assert!(out.contains("failed startup agents by exit_reason: founder_quit 2, out_of_cash 5"));
}

#[test]
fn one_run_has_no_interval_and_writes_facts_csv_here() {
    let tmp = tempfile::tempdir().unwrap();
    let o = talentsim(tmp.path(), &["facts", fixture("run_b").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let rows = read_facts_csv(&tmp.path().join("facts.csv"));
    let s1 = &rows["survival 1 year"];
    assert!((num(&s1["model_mean"]) - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!((s1["ci_low"].as_str(), s1["ci_high"].as_str()), ("", ""));
    let out = String::from_utf8(o.stdout).unwrap();
    let line = out
        .lines()
        .find(|l| l.starts_with("survival 1 year"))
        .unwrap();
    assert!(line.contains("0.667") && line.contains('—'), "{line}");
}

/// A splitmix64 stream of uniforms in (0, 1), for the synthetic run.
struct Uniform(u64);

impl Uniform {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 + 0.5 / (1u64 << 53) as f64
    }

    /// A Laplace draw with variance 1.
    fn laplace(&mut self) -> f64 {
        let u = self.next() - 0.5;
        -u.signum() * (1.0 - 2.0 * u.abs()).ln() / std::f64::consts::SQRT_2
    }
}

/// A synthetic run built to match the published facts: 1,000 startups founded 2000-01 dying on
/// the BLS schedule (255 survive to 2019-12), a seed cohort on the CB Insights funnel, Zipf end
/// sizes, and growth paths with Laplace shocks of sd ∝ h^−0.18 and faster growth while young.
/// (End sizes in firms.csv and the firm_years paths are drawn separately.)
fn write_in_band_run(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let summary = r#"{"manifest": {"scenario": "synthetic", "scenario_hash": "s1", "seed": 1,
        "scale": 1.0, "start": "2000-01", "end": "2019-12"}, "regions": []}"#;
    std::fs::write(dir.join("summary.json"), summary).unwrap();
    // Deaths by age in months: 1 − S at 1, 2, 5, 10, 15 years is 204, 319, 504, 664, 745 per mille.
    let deaths: [(u32, usize); 15] = [
        (6, 204),
        (18, 115),
        (30, 62),
        (42, 62),
        (54, 61),
        (66, 32),
        (78, 32),
        (90, 32),
        (102, 32),
        (114, 32),
        (126, 17),
        (138, 16),
        (150, 16),
        (162, 16),
        (174, 16),
    ];
    let mut firms = String::from(
        "firm_id,kind,founded_month,backed_by_programs,first_seed_month,series_a_month,rounds_raised,headcount_end,outcome,outcome_month\n",
    );
    let mut id = 0;
    for (age, n) in deaths {
        let month = format!("{}-{:02}", 2000 + age / 12, age % 12 + 1);
        for i in 0..n {
            let program = if age == 6 && i < 5 { "5050 plan" } else { "" };
            firms += &format!("{id},startup,2000-01,{program},,,0,0,failed,{month}\n");
            id += 1;
        }
    }
    let mut years = String::from("firm_id,year,headcount\n");
    let mut rng = Uniform(7);
    for i in 0..255usize {
        let rounds = match i {
            0..14 => 4,
            14..28 => 3,
            28..46 => 2,
            46..100 => 1,
            _ => 0,
        };
        let (seed, a) = match rounds {
            0 => ("", ""),
            1 => ("2003-01", ""),
            _ => ("2003-01", "2004-09"),
        };
        let size = (9.5 * (255.0 / (i as f64 + 0.5)).powf(1.0 / 1.06)).round();
        let program = if i < 100 { "5050 plan" } else { "" };
        firms += &format!("{id},startup,2000-01,{program},{seed},{a},{rounds},{size},active,\n");
        let mut h = 1.0 + (i % 40) as f64;
        for year in 2000..=2019u32 {
            years += &format!("{id},{year},{h}\n");
            let drift = if year - 2000 <= 5 { 0.12 } else { 0.0 };
            let g = drift + 0.6 * h.powf(-0.18) * rng.laplace();
            h = (h * g.exp()).round().max(1.0);
        }
        id += 1;
    }
    std::fs::write(dir.join("firms.csv"), firms).unwrap();
    std::fs::write(dir.join("firm_years.csv"), years).unwrap();
}

#[test]
fn every_fact_in_band_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("synthetic");
    write_in_band_run(&run);
    let o = talentsim(tmp.path(), &["facts", "synthetic", "--out", "f.csv"]);
    let rows = read_facts_csv(&tmp.path().join("f.csv"));
    let out = rows
        .values()
        .filter(|r| r["in_band"] != "true")
        .map(|r| format!("{} = {}", r["fact"], r["model_mean"]))
        .collect::<Vec<_>>();
    assert!(out.is_empty(), "out of band: {out:?}");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The survival schedule is exact.
    for (name, want) in [
        ("survival 1 year", 0.796),
        ("survival 2 years", 0.681),
        ("survival 5 years", 0.496),
        ("survival 10 years", 0.336),
        ("survival 15 years", 0.255),
        ("peak hazard year of age (1-10)", 1.0),
        ("seed cohort raising 2+ rounds", 0.46),
        ("median seed to series A", 20.0),
    ] {
        assert!(
            (num(&rows[name]["model_mean"]) - want).abs() < 1e-9,
            "{name}"
        );
    }
}

/// Run `facts` on `dirs` (relative to `cwd`), expecting exit code 2, a message containing
/// every one of `needles`, and no CSV written.
#[track_caller]
fn rejected(cwd: &Path, dirs: &[&str], needles: &[&str]) {
    let mut args = vec!["facts"];
    args.extend(dirs);
    args.extend(["--out", "rejected.csv"]);
    let o = talentsim(cwd, &args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for n in needles {
        assert!(err.contains(n), "`{n}` not in: {err}");
    }
    assert!(!cwd.join("rejected.csv").exists());
}

#[test]
fn bad_input_exits_2_with_where_and_what() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let parent = fixture("");
    rejected(
        t,
        &[parent.to_str().unwrap()],
        &["not a run directory", "summary.json"],
    );
    rejected(t, &["no-such-dir"], &["no-such-dir", "not a directory"]);
    let d = damaged(
        "run_a",
        &t.join("col"),
        "firms.csv",
        "rounds_raised",
        "rounds",
    );
    rejected(
        t,
        &[d.to_str().unwrap()],
        &["firms.csv:1", "`rounds_raised`", "missing"],
    );
    let d = damaged(
        "run_a",
        &t.join("num"),
        "firm_years.csv",
        "2,2021,3,",
        "2,2021,3x,",
    );
    rejected(
        t,
        &[d.to_str().unwrap()],
        &["firm_years.csv:7", "`headcount`", "3x"],
    );
    let d = damaged("run_a", &t.join("month"), "firms.csv", "2020-07", "2020-13");
    rejected(
        t,
        &[d.to_str().unwrap()],
        &["firms.csv:3", "`outcome_month`", "2020-13"],
    );
    let d = damaged(
        "run_b",
        &t.join("fields"),
        "firms.csv",
        ",Minitown,iot,phd,,",
        ",",
    );
    rejected(t, &[d.to_str().unwrap()], &["firms.csv:3", "fields"]);
    let d = damaged(
        "run_a",
        &t.join("json"),
        "summary.json",
        "\"start\"",
        "\"begin\"",
    );
    rejected(
        t,
        &[d.to_str().unwrap()],
        &["summary.json", "manifest.start"],
    );
}

#[test]
fn runs_of_different_scenarios_or_the_same_dir_twice_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let a = fixture("run_a");
    let a = a.to_str().unwrap();
    let hash = "f1c7f1c7f1c7f1c7";
    let d = damaged("run_b", &t.join("hash"), "summary.json", hash, "0000");
    let d = d.to_str().unwrap();
    rejected(t, &[a, d], &[a, d, "different scenarios", "scenario_hash"]);
    let d = damaged(
        "run_b",
        &t.join("end"),
        "summary.json",
        "2022-12",
        "2023-06",
    );
    let d = d.to_str().unwrap();
    rejected(t, &[a, d], &[a, d, "`end`", "2023-06"]);
    let again = format!("{}/../run_a/", fixture("run_b").display());
    rejected(t, &[a, &again], &["given twice"]);
}

/// A real (short) run through `run` then `facts`: every fact row is written, the exit is 0 or 5
/// (a short small run need not be in band), the initial population founded before the start
/// appears in `firms.csv` with its founding month and an `exit_reason` column, and the survival
/// numbers are probabilities that do not rise with age.
#[test]
fn facts_on_a_short_real_run() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/minimal.toml");
    let out = tmp.path().join("run");
    let o = talentsim(
        tmp.path(),
        &[
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--set",
            "region.Minitown.initial_startups_per_year=60",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut r = csv::Reader::from_path(out.join("firms.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (founded, reason, outcome) = (col("founded_month"), col("exit_reason"), col("outcome"));
    let start = "2020-01";
    let mut before_start = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        if !rec[founded].is_empty() && &rec[founded] < start {
            before_start += 1;
        }
        // An exit reason exactly when the firm is no longer active.
        assert_eq!(rec[reason].is_empty(), &rec[outcome] == "active", "{rec:?}");
    }
    assert!(before_start > 0, "no initial startups in firms.csv");
    let csv = tmp.path().join("facts.csv");
    let o = talentsim(
        tmp.path(),
        &[
            "facts",
            out.to_str().unwrap(),
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    assert!(matches!(o.status.code(), Some(0 | 5)), "{}", stderr(&o));
    let table = read_facts_csv(&csv);
    assert_eq!(table.len(), FACTS.len());
    let s: Vec<f64> = ["survival 1 year", "survival 2 years", "survival 5 years"]
        .iter()
        .filter(|f| !table[**f]["model_mean"].is_empty())
        .map(|f| num(&table[*f]["model_mean"]))
        .collect();
    assert!(!s.is_empty(), "no survival computed");
    assert!(s.iter().all(|x| (0.0..=1.0).contains(x)), "{s:?}");
    assert!(s.windows(2).all(|w| w[0] >= w[1]), "{s:?}");
}
