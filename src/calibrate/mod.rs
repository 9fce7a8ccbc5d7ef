//! Calibration by the simulated method of moments.
//!
//! A targets file names output statistics ([`Stat`]) with target values and accepted bands.
//! [`calibrate`] minimises the weighted squared distance between the targets and the
//! statistics' means over replicates — always on the same seeds (common random numbers), so the
//! objective changes only when the parameters do — over the named knobs within their valid
//! ranges, with Nelder–Mead (`nelder_mead`) on the unit box. The best point so far survives
//! an interruption.

pub(crate) mod nelder_mead;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::scenario::diag::{Collector, Diagnostic, Diagnostics, SourceMap, Span, nearest};
use crate::scenario::schema::{Knob, KnobDoc};
use crate::scenario::tree::Node;
use crate::scenario::{Override, Scenario, ScenarioError, ScenarioSource, load_input, span_of};
use crate::section;
use crate::stats::{Stat, Summary, summarize};

const INF: f64 = f64::INFINITY;

section! {
    /// One calibration target: a statistic, the value it should have and the accepted band.
    pub struct CalTarget {
        /// A label for reports.
        name: String = String::new() => [0, 0] "";
        /// The statistic.
        stat: Stat = Stat::default() => [0, 0] "";
        /// Target value, in the statistic's unit (people, firms, CNY, a ratio or a share).
        value: f64 = 0.0 => [-INF, INF] "";
        /// Lowest accepted mean, in the statistic's unit.
        low: f64 = 0.0 => [-INF, INF] "";
        /// Highest accepted mean, in the statistic's unit.
        high: f64 = 0.0 => [-INF, INF] "";
        /// Weight in the objective (the distance is measured in half-bands).
        weight: f64 = 1.0 => [0.0, INF] "";
    }
}

section! {
    /// A targets file.
    pub struct TargetsFile {
        /// What these targets are.
        description: String = String::new() => [0, 0] "";
        /// Replicates (seeds) per evaluation.
        replicates: u32 = 20 => [1, 100000] "runs";
        /// First seed; replicate i uses seed + i.
        seed: u64 = 1 => [0, 9.0e18] "";
        /// The targets.
        target: Vec<CalTarget> = Vec::new() => [0, 0] "";
    }
}

/// Load a targets file, checking its statistics against the scenario.
pub fn load_targets(path: &Path, sc: &Scenario) -> Result<TargetsFile, ScenarioError> {
    let (t, _) = load_input::<TargetsFile>(
        path,
        &[],
        |_, _| {},
        |t: &TargetsFile, root: &Node, c: &mut Collector| {
            if t.target.is_empty() {
                c.error(
                    root.span,
                    "target",
                    "no targets: expected at least one `[[target]]`",
                );
            }
            for (i, tg) in t.target.iter().enumerate() {
                let is = i.to_string();
                let key = format!("target[{i}]");
                tg.stat.check(
                    &format!("{key}.stat"),
                    root,
                    &["target", &is, "stat"],
                    Some(&sc.def),
                    c,
                );
                if !(tg.low <= tg.value && tg.value <= tg.high) || tg.low >= tg.high {
                    c.error(
                    span_of(root, &["target", &is, "high"]),
                    &format!("{key}.high"),
                    format!("the band [{}, {}] must be non-empty and contain the value {}: expected `low` < `high` and `low` ≤ `value` ≤ `high`", tg.low, tg.high, tg.value),
                );
                }
            }
        },
    )?;
    Ok(t)
}

/// A knob to calibrate: its scenario path and the box it is searched in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// The knob's `--set`-style path (`region.Binjiang.base_utility`; array elements by name
    /// or index).
    pub path: String,
    /// The knob's value in the scenario, where the search starts, in the knob's unit.
    pub start: f64,
    /// Lowest value searched, in the knob's unit.
    pub lo: f64,
    /// Highest value searched, in the knob's unit.
    pub hi: f64,
}

/// Parse `--params a.b,c.d=lo:hi` against a scenario: each path must name a numeric knob;
/// bounds default to the knob's valid range (or a window around its value if unbounded).
pub fn parse_params(spec: &str, sc: &Scenario) -> Result<Vec<Param>, ScenarioError> {
    let mut sources = SourceMap::default();
    let file = sources.add("--params", spec);
    let knobs = Knobs {
        resolved: sc.def.write(),
        docs: Scenario::knob_docs(),
    };
    let mut c = Collector::new(&sources);
    let mut out = Vec::new();
    for (at, item) in param_items(spec) {
        let span = Span {
            file,
            start: at as u32,
            end: (at + item.len()) as u32,
        };
        out.extend(knobs.param(item.trim(), span, &mut c));
    }
    let mut diags = c.diags;
    if out.is_empty() && diags.is_empty() {
        diags.push(Diagnostic {
            file: "--params".into(),
            line: 1,
            column: 1,
            key: String::new(),
            message: "no parameters: expected a comma-separated list of knob paths".into(),
            hint: None,
        });
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(ScenarioError::Invalid(Diagnostics(diags)))
    }
}

/// The non-blank comma-separated items of a `--params` list, untrimmed, each with its byte
/// offset in `spec`.
fn param_items(spec: &str) -> impl Iterator<Item = (usize, &str)> {
    spec.split(',')
        .scan(0usize, |offset, item| {
            let at = *offset;
            *offset += item.len() + 1;
            Some((at, item))
        })
        .filter(|(_, item)| !item.trim().is_empty())
}

/// A resolved scenario's knobs, for checking the items of `--params` against.
struct Knobs {
    /// The scenario as written (`Scenario::to_toml`'s tree), for the knobs' current values.
    resolved: toml::Value,
    /// Every knob's documentation: type and valid range.
    docs: Vec<KnobDoc>,
}

impl Knobs {
    /// The parameter `item` (`path` or `path=lo:hi`, trimmed, found at `span`) describes, or
    /// `None` after reporting why it is not one.
    fn param(&self, item: &str, span: Span, c: &mut Collector) -> Option<Param> {
        let (path, bounds) = match item.split_once('=') {
            Some((p, b)) => (p.trim(), Some(b)),
            None => (item, None),
        };
        let (doc, start) = self.numeric_knob(path, span, c)?;
        let (lo, hi) = match bounds {
            None => default_bounds(doc, start),
            Some(b) => match parse_bounds(b, doc) {
                Some(lo_hi) => lo_hi,
                None => {
                    c.error(span, path, format!("bad bounds `{b}`: expected `lo:hi` with lo < hi inside the knob's range [{}, {}]", doc.min, doc.max));
                    return None;
                }
            },
        };
        if !(lo..=hi).contains(&start) {
            c.error(
                span,
                path,
                format!("the current value {start} lies outside the bounds [{lo}, {hi}]"),
            );
            return None;
        }
        Some(Param {
            path: path.to_string(),
            start,
            lo,
            hi,
        })
    }

    /// The knob at `path` and its current value, or `None` after reporting that `path` names
    /// no knob (with the nearest as a hint) or a knob that is not numeric.
    fn numeric_knob(&self, path: &str, span: Span, c: &mut Collector) -> Option<(&KnobDoc, f64)> {
        let (value, doc_path) = lookup(&self.resolved, path);
        let Some(doc) = doc_path
            .as_ref()
            .and_then(|dp| self.docs.iter().find(|d| d.path == *dp))
        else {
            let all: Vec<String> = self.docs.iter().map(|d| d.path.clone()).collect();
            let guess = doc_path.unwrap_or_else(|| path.to_string());
            match nearest(&guess, all.iter().map(String::as_str)) {
                Some(n) => c.error_hint(span, path, format!("`{path}` is not a knob of this scenario"), format!("did you mean `{n}`? (`talentsim knobs` lists them; array elements go by name or index)")),
                None => c.error(span, path, format!("`{path}` is not a knob of this scenario: expected a path like `region.Binjiang.base_utility`")),
            }
            return None;
        };
        let Some(start) =
            value.and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
        else {
            c.error(
                span,
                path,
                format!(
                    "`{path}` is a {} knob: expected a numeric knob to calibrate",
                    doc.ty
                ),
            );
            return None;
        };
        Some((doc, start))
    }
}

/// The box a knob is searched in when `--params` gives no bounds: its valid range, or where
/// that is unbounded, a window around its current value `start`.
fn default_bounds(doc: &KnobDoc, start: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (doc.min, doc.max);
    if !lo.is_finite() {
        lo = start - (start.abs() + 1.0);
    }
    if !hi.is_finite() {
        hi = if start > 0.0 {
            start * 4.0
        } else {
            start + (start.abs() + 1.0)
        };
    }
    (lo, hi)
}

/// Bounds written `lo:hi`, if they parse, `lo < hi` and both lie in the knob's valid range.
fn parse_bounds(b: &str, doc: &KnobDoc) -> Option<(f64, f64)> {
    let (a, z) = b.split_once(':')?;
    let (a, z) = (a.trim().parse::<f64>().ok()?, z.trim().parse::<f64>().ok()?);
    (a < z && a >= doc.min && z <= doc.max).then_some((a, z))
}

/// The value at a `--set`-style path in the resolved scenario, and the knob-doc path
/// (`region[].housing.units`).
fn lookup(root: &toml::Value, path: &str) -> (Option<toml::Value>, Option<String>) {
    let mut cur = root;
    let mut doc = String::new();
    for seg in path.split('.') {
        match cur {
            toml::Value::Table(t) => {
                let Some(v) = t.get(seg) else {
                    return (None, Some(push(&doc, seg)));
                };
                doc = push(&doc, seg);
                cur = v;
            }
            toml::Value::Array(a) => {
                let by_index = seg.parse::<usize>().ok().and_then(|i| a.get(i));
                let by_name = a
                    .iter()
                    .find(|v| v.get("name").and_then(|n| n.as_str()) == Some(seg));
                let Some(v) = by_index.or(by_name) else {
                    return (None, None);
                };
                doc.push_str("[]");
                cur = v;
            }
            _ => return (None, None),
        }
    }
    (Some(cur.clone()), Some(doc))
}

fn push(doc: &str, seg: &str) -> String {
    if doc.is_empty() {
        seg.to_string()
    } else {
        format!("{doc}.{seg}")
    }
}

/// Set when the user interrupts (the binary's Ctrl-C handler sets it).
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Fit of one target at a point.
#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    /// The target's label.
    pub name: String,
    /// The target value, in the statistic's unit.
    pub value: f64,
    /// Lowest accepted mean.
    pub low: f64,
    /// Highest accepted mean.
    pub high: f64,
    /// The statistic over the replicates.
    pub summary: Summary,
    /// Whether the mean lies in the accepted band, from `low` to `high` inclusive.
    pub pass: bool,
}

/// One evaluation of the objective.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The parameters' values, in the order of `--params`, each in its knob's unit.
    pub params: Vec<f64>,
    /// The weighted sum of the squared distances of the means from their targets, each distance
    /// measured in half-bands.
    pub objective: f64,
}

/// The outcome of a calibration.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// The knobs calibrated and the boxes they were searched in.
    pub params: Vec<Param>,
    /// The best values found, one per parameter, in its knob's unit.
    pub best: Vec<f64>,
    /// The objective at `best` (infinite when no evaluation finished).
    pub objective: f64,
    /// The fit of every target at `best` (empty when no evaluation finished).
    pub fits: Vec<Fit>,
    /// Every evaluation, in the order made.
    pub history: Vec<Evaluation>,
    /// Whether the search was stopped by an interruption before it finished.
    pub interrupted: bool,
}

/// Evaluate every target over the replicates, the scenario resolved with `overrides`.
pub fn evaluate(
    scenario: &ScenarioSource,
    overrides: &[Override],
    targets: &TargetsFile,
    done: &(dyn Fn() + Sync),
) -> Result<(Vec<Fit>, f64), ScenarioError> {
    let sc = scenario.resolve(overrides)?;
    let seeds = crate::batch::seeds(targets.seed, targets.replicates as usize);
    let values: Vec<Vec<f64>> = crate::batch::measure(&sc, &seeds, done, |run| {
        targets
            .target
            .iter()
            .map(|t| t.stat.eval(&sc, run))
            .collect()
    });
    let mut objective = 0.0;
    let fits = targets
        .target
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let xs: Vec<f64> = values.iter().map(|v| v[i]).collect();
            let s = summarize(&xs);
            let half = ((t.high - t.low) / 2.0).max(1e-12);
            objective += t.weight * ((s.mean - t.value) / half).powi(2);
            Fit {
                name: t.name.clone(),
                value: t.value,
                low: t.low,
                high: t.high,
                summary: s,
                pass: (t.low..=t.high).contains(&s.mean),
            }
        })
        .collect();
    Ok((fits, objective))
}

/// The parameters at `x` (each in [0, 1] of its range) as overrides in memory.
fn overrides_at(params: &[Param], x: &[f64]) -> Vec<Override> {
    params
        .iter()
        .zip(x)
        .map(|(p, &u)| Override::value(p.path.clone(), p.lo + u * (p.hi - p.lo)))
        .collect()
}

/// Calibrate `params` of `scenario` against `targets`, with at most `budget` evaluations.
/// `base` overrides are applied before the parameters. `progress` sees each evaluation.
pub fn calibrate(
    scenario: &ScenarioSource,
    base: &[Override],
    params: &[Param],
    targets: &TargetsFile,
    budget: usize,
    done: &(dyn Fn() + Sync),
    mut progress: impl FnMut(&Evaluation, f64),
) -> Result<Calibration, ScenarioError> {
    let x0: Vec<f64> = params
        .iter()
        .map(|p| (p.start - p.lo) / (p.hi - p.lo))
        .collect();
    let mut history: Vec<Evaluation> = Vec::new();
    let mut error = None;
    let mut best_f = f64::INFINITY;
    let result = nelder_mead::minimize(
        |u| {
            if INTERRUPTED.load(Ordering::SeqCst) {
                return None;
            }
            let mut sets = base.to_vec();
            sets.extend(overrides_at(params, u));
            match evaluate(scenario, &sets, targets, done) {
                Ok((_, f)) => {
                    let e = Evaluation {
                        params: params
                            .iter()
                            .zip(u)
                            .map(|(p, &v)| p.lo + v * (p.hi - p.lo))
                            .collect(),
                        objective: f,
                    };
                    best_f = best_f.min(f);
                    progress(&e, best_f);
                    history.push(e);
                    Some(f)
                }
                Err(e) => {
                    error = Some(e);
                    None
                }
            }
        },
        &x0,
        0.15,
        budget.max(1),
        1e-6,
    );
    if let Some(e) = error {
        return Err(e);
    }
    let interrupted = INTERRUPTED.load(Ordering::SeqCst);
    let best: Vec<f64> = params
        .iter()
        .zip(&result.x)
        .map(|(p, &u)| p.lo + u * (p.hi - p.lo))
        .collect();
    // The fit at the best point (recomputed: same seeds, so the same values).
    let mut sets = base.to_vec();
    sets.extend(
        params
            .iter()
            .zip(&best)
            .map(|(p, &v)| Override::value(p.path.clone(), v)),
    );
    let (fits, objective) = if result.f.is_finite() {
        evaluate(scenario, &sets, targets, done)?
    } else {
        (Vec::new(), f64::INFINITY)
    };
    Ok(Calibration {
        params: params.to_vec(),
        best,
        objective,
        fits,
        history,
        interrupted,
    })
}

/// Write a calibration's outputs into `out`: `fit.md` and `fit.csv` (the fit of every target
/// over `replicates`), and, when knobs were calibrated, `calibrated.toml` (a scenario that
/// `extends` `input` and sets the best values) and `calibration.json` (every evaluation).
/// Each file is written atomically. Returns the fit report (`fit.md`'s text).
pub fn write_outputs(
    out: &Path,
    input: &Path,
    sc: &Scenario,
    fits: &[Fit],
    replicates: u32,
    calibration: Option<&Calibration>,
) -> Result<String, crate::output::OutputError> {
    use crate::output::write_atomic;
    let md = fit_markdown(fits, replicates);
    write_atomic(&out.join("fit.md"), |w| w.write_all(md.as_bytes()))?;
    write_atomic(&out.join("fit.csv"), |w| {
        w.write_all(fit_csv(fits).as_bytes())
    })?;
    if let Some(c) = calibration {
        let toml = calibrated_toml(input, out, &c.params, &c.best, sc);
        write_atomic(&out.join("calibrated.toml"), |w| {
            w.write_all(toml.as_bytes())
        })?;
        let json = serde_json::to_string_pretty(c).expect("a calibration encodes as JSON");
        write_atomic(&out.join("calibration.json"), |w| {
            w.write_all(json.as_bytes())
        })?;
    }
    Ok(md)
}

/// The calibrated scenario: `extends` the input and sets only the changed knobs.
pub(crate) fn calibrated_toml(
    input: &Path,
    out_dir: &Path,
    params: &[Param],
    values: &[f64],
    sc: &Scenario,
) -> String {
    let resolved = sc.def.write();
    let mut root = toml::Table::new();
    for (p, &v) in params.iter().zip(values) {
        insert(
            &mut root,
            &resolved,
            &p.path.split('.').collect::<Vec<_>>(),
            v,
        );
    }
    let rel = relative(input, out_dir);
    let mut text = format!(
        "# Calibrated by `talentsim calibrate` (talentsim {}).\nextends = {}\n\n",
        crate::VERSION,
        toml::Value::String(rel)
    );
    text.push_str(&toml::to_string_pretty(&root).unwrap_or_default());
    text
}

/// Insert `value` at a `--set`-style path, writing arrays of tables as named elements.
fn insert(t: &mut toml::Table, resolved: &toml::Value, path: &[&str], value: f64) {
    let key = path[0];
    let here = resolved.get(key);
    if path.len() == 1 {
        let v = match here {
            Some(toml::Value::Integer(_)) => toml::Value::Integer(value.round() as i64),
            _ => toml::Value::Float(value),
        };
        t.insert(key.to_string(), v);
        return;
    }
    match here {
        Some(toml::Value::Array(items)) => {
            let elem = path[1];
            let item = items
                .iter()
                .find(|v| v.get("name").and_then(|n| n.as_str()) == Some(elem))
                .or_else(|| elem.parse::<usize>().ok().and_then(|i| items.get(i)));
            let name = item
                .and_then(|v| v.get("name"))
                .and_then(|n| n.as_str())
                .unwrap_or(elem)
                .to_string();
            let arr = t
                .entry(key.to_string())
                .or_insert_with(|| toml::Value::Array(Vec::new()));
            let toml::Value::Array(arr) = arr else { return };
            let pos = arr
                .iter()
                .position(|v| v.get("name").and_then(|n| n.as_str()) == Some(name.as_str()))
                .unwrap_or_else(|| {
                    let mut e = toml::Table::new();
                    e.insert("name".into(), toml::Value::String(name.clone()));
                    arr.push(toml::Value::Table(e));
                    arr.len() - 1
                });
            if let (toml::Value::Table(sub), Some(res)) = (&mut arr[pos], item) {
                insert(sub, res, &path[2..], value);
            }
        }
        Some(res) => {
            let sub = t
                .entry(key.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(sub) = sub {
                insert(sub, res, &path[1..], value);
            }
        }
        None => {}
    }
}

/// A path to `target` relative to `from_dir` (falls back to the absolute path).
fn relative(target: &Path, from_dir: &Path) -> String {
    let (Ok(t), Ok(f)) = (target.canonicalize(), from_dir.canonicalize()) else {
        return target.display().to_string();
    };
    let tc: Vec<_> = t.components().collect();
    let fc: Vec<_> = f.components().collect();
    let common = tc.iter().zip(&fc).take_while(|(a, b)| a == b).count();
    let mut p = PathBuf::new();
    for _ in common..fc.len() {
        p.push("..");
    }
    for c in &tc[common..] {
        p.push(c);
    }
    p.display().to_string()
}

/// The fit report as Markdown.
pub fn fit_markdown(fits: &[Fit], replicates: u32) -> String {
    let mut s = String::from(
        "| target | value | band | mean | 95% CI of mean | 2.5–97.5% of runs | |\n|---|---|---|---|---|---|---|\n",
    );
    for f in fits {
        let m = &f.summary;
        s.push_str(&format!(
            "| {} | {} | {} – {} | {:.4} | {:.4} – {:.4} | {:.4} – {:.4} | {} |\n",
            f.name,
            f.value,
            f.low,
            f.high,
            m.mean,
            m.ci_low,
            m.ci_high,
            m.p2_5,
            m.p97_5,
            if f.pass { "pass" } else { "MISS" }
        ));
    }
    s.push_str(&format!(
        "\n{} replicates per evaluation (common random numbers).\n",
        replicates
    ));
    s
}

/// The fit report as CSV.
pub(crate) fn fit_csv(fits: &[Fit]) -> String {
    let mut s = String::from("target,value,low,high,mean,sd,ci_low,ci_high,p2_5,p97_5,n,pass\n");
    for f in fits {
        let m = &f.summary;
        let name = if f.name.contains([',', '"']) {
            format!("\"{}\"", f.name.replace('"', "\"\""))
        } else {
            f.name.clone()
        };
        s.push_str(&format!(
            "{name},{},{},{},{},{},{},{},{},{},{},{}\n",
            f.value, f.low, f.high, m.mean, m.sd, m.ci_low, m.ci_high, m.p2_5, m.p97_5, m.n, f.pass
        ));
    }
    s
}
