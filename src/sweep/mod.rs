//! Batch sweeps: many runs over a design of knob values, streamed to disk, resumable,
//! shardable across a Slurm array, and analysable for sensitivity.
//!
//! A sweep file ([`spec::SweepDef`]) names a base scenario, the knobs to vary, a design and
//! the statistics to record. [`load`] reads and checks it with the same diagnostics as a
//! scenario (every knob value is tried on the base scenario). [`exec::run`] executes it into an
//! output directory; [`merge::merge`] combines the directories of shards into exactly what one
//! process would have written.
//!
//! Run `i` is replicate `i % replicates` of point `i / replicates`; its seed depends only on the
//! base seed, the point and the replicate, and each point's knob values only on the design and
//! its seed, so the results do not depend on thread count, sharding or interruptions.

pub mod design;
mod error;
pub mod exec;
pub mod merge;
pub mod parquet;
pub mod space;
pub mod spec;

use std::path::{Path, PathBuf};

use crate::metrics::simulate;
use crate::rng::mix64;
use crate::scenario::diag::{Collector, nearest};
use crate::scenario::schema::Knob;
use crate::scenario::tree::{Node, Val};
use crate::scenario::{
    self, Fnv, Override, Scenario, ScenarioError, ScenarioSource, load_input, span_of,
};

pub use error::SweepError;

use design::{Design, LHS_MAX, SOBOL_DIMS};
use space::KnobSpace;
use spec::{DesignKind, Dist, Level, ModelKind, SeedPolicy, SweepDef};

/// The fixed leading columns of `results.csv`.
pub const FIXED_COLUMNS: [&str; 6] = ["run", "point", "replicate", "seed", "status", "error"];
/// Knobs of the Ishigami test model.
pub const ISHIGAMI_KNOBS: [&str; 4] = ["x1", "x2", "x3", "fail"];

/// A loaded, checked sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub def: SweepDef,
    /// The sweep file.
    pub path: PathBuf,
    /// The base scenario as read when the sweep was loaded (scenario model): every point is
    /// resolved from it in memory, so editing the file during the sweep changes nothing.
    pub base_source: Option<ScenarioSource>,
    /// The base scenario with the fixed `set`s applied (scenario model).
    pub base: Option<Scenario>,
    pub knobs: Vec<KnobSpace>,
    pub design: Design,
    /// Hash of the resolved sweep and base scenario: what a resume must match.
    pub hash: String,
}

/// The type of a results column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    U64,
    U32,
    Str,
    /// A string, empty (null in Parquet) when absent.
    OptStr,
    /// A number, empty (null in Parquet) when absent.
    F64,
}

/// One finished run: a row of `results.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub run: u64,
    pub point: u64,
    pub replicate: u32,
    pub seed: u64,
    pub values: Vec<Level>,
    /// The recorded statistics, or why the run failed.
    pub outcome: Result<Vec<f64>, String>,
}

/// A number as written in results: Rust's shortest representation that reads back exactly.
pub fn fmt_f64(x: f64) -> String {
    format!("{x}")
}

/// Append `s` as a CSV field (quoted when it holds a comma, quote or line break).
pub fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

impl Row {
    /// The row as one CSV line (with its newline), `n_stats` statistics wide. Errors are kept
    /// to one line.
    pub fn csv_line(&self, n_stats: usize) -> String {
        let mut s = format!(
            "{},{},{},{},{},",
            self.run,
            self.point,
            self.replicate,
            self.seed,
            if self.outcome.is_ok() { "ok" } else { "failed" }
        );
        if let Err(e) = &self.outcome {
            csv_field(&mut s, &crate::output::csv_text(&one_line(e)));
        }
        for v in &self.values {
            s.push(',');
            match v {
                spec::Level::Str(t) => csv_field(&mut s, &crate::output::csv_text(t)),
                _ => csv_field(&mut s, &v.text()),
            }
        }
        match &self.outcome {
            Ok(stats) => {
                for x in stats {
                    s.push(',');
                    s.push_str(&fmt_f64(*x));
                }
            }
            Err(_) => {
                for _ in 0..n_stats {
                    s.push(',');
                }
            }
        }
        s.push('\n');
        s
    }
}

/// An error message on one line, without control characters.
pub fn one_line(s: &str) -> String {
    let t: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    t.join(" | ")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The value at a `--set`-style path in a resolved scenario.
fn lookup<'v>(root: &'v toml::Value, path: &str) -> Option<&'v toml::Value> {
    let mut cur = root;
    for seg in path.split('.') {
        cur = match cur {
            toml::Value::Table(t) => t.get(seg)?,
            toml::Value::Array(a) => {
                seg.parse::<usize>()
                    .ok()
                    .and_then(|i| a.get(i))
                    .or_else(|| {
                        a.iter()
                            .find(|v| v.get("name").and_then(|n| n.as_str()) == Some(seg))
                    })?
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// Load and check a sweep file (`extends` and `--set` work as for scenarios).
pub fn load(path: &Path, sets: &[String]) -> Result<Sweep, ScenarioError> {
    let mut base: Option<Scenario> = None;
    let mut base_source: Option<ScenarioSource> = None;
    let mut integer: Vec<bool> = Vec::new();
    let (def, _) = load_input::<SweepDef>(
        path,
        sets,
        |_, _| {},
        |def: &SweepDef, root: &Node, c: &mut Collector| {
            integer = vec![false; def.knob.len()];
            check(def, root, c, &mut base, &mut base_source, &mut integer);
        },
    )?;
    let knobs: Vec<KnobSpace> = def
        .knob
        .iter()
        .zip(&integer)
        .map(|(k, &int)| KnobSpace::from_def(k, int))
        .collect();
    let grid = if def.design == DesignKind::Grid {
        knobs
            .iter()
            .map(|k| k.grid_levels().map_or(0, |l| l.len()))
            .collect()
    } else {
        Vec::new()
    };
    let n = match def.design {
        DesignKind::Morris => def.trajectories,
        _ => def.points,
    };
    let design = Design::new(
        def.design,
        knobs.len(),
        n,
        def.morris_levels,
        grid,
        def.seed,
    );
    let mut h = Fnv::default();
    h.write(b"talentsim sweep v1\n");
    // What the runs depend on: everything but the description.
    let mut what = def.clone();
    what.description.clear();
    h.write(
        toml::to_string(&what.write())
            .unwrap_or_default()
            .as_bytes(),
    );
    if let Some(b) = &base {
        h.write(b"\nbase\n");
        h.write(b.to_toml().as_bytes());
    }
    Ok(Sweep {
        def,
        path: path.to_path_buf(),
        base_source,
        base,
        knobs,
        design,
        hash: format!("{:016x}", h.0),
    })
}

fn check(
    def: &SweepDef,
    root: &Node,
    c: &mut Collector,
    base_out: &mut Option<Scenario>,
    base_source_out: &mut Option<ScenarioSource>,
    integer: &mut [bool],
) {
    let at = |p: &[&str]| span_of(root, p);
    let k = def.knob.len();
    // The model and its base scenario.
    let mut base: Option<Scenario> = None;
    let mut base_sets: Vec<String> = Vec::new();
    match def.model {
        ModelKind::Scenario => {
            if def.base.is_empty() {
                c.error_hint(
                    root.span,
                    "base",
                    "missing `base`: expected the path of the scenario every point starts from",
                    "add `base = \"../binjiang.toml\"` (relative to the sweep file), or `model = \"ishigami\"` for the test model",
                );
            } else {
                let span = at(&["base"]);
                let dir = c
                    .sources
                    .path(span.file)
                    .and_then(|p| p.parent().map(Path::to_path_buf))
                    .unwrap_or_default();
                let src = ScenarioSource::read(&dir.join(&def.base));
                match src.resolve(&[]) {
                    Err(e) => {
                        // Problems inside the base scenario point into its own file.
                        let d = e.diagnostics();
                        if d.len() == 1 && d[0].message.starts_with("cannot read the file") {
                            c.error(span, "base", d[0].message.clone());
                        } else {
                            c.diags.extend(d.iter().cloned());
                        }
                    }
                    Ok(_) => {
                        // Each fixed `set` on its own, then the good ones together (the knobs
                        // are checked against those, so one bad `set` hides nothing else).
                        let mut good = Vec::new();
                        for (i, s) in def.set.iter().enumerate() {
                            match src.resolve(&[Override::Arg(s.clone())]) {
                                Ok(_) => good.push(s.clone()),
                                Err(e) => report_set_errors(
                                    c,
                                    &e,
                                    at(&["set", &i.to_string()]),
                                    &format!("set[{i}]"),
                                    s,
                                ),
                            }
                        }
                        match src.resolve(&Override::args(&good)) {
                            Ok(sc) => base = Some(sc),
                            Err(e) => {
                                report_set_errors(c, &e, at(&["set"]), "set", &good.join(" "))
                            }
                        }
                        base_sets = good;
                    }
                }
                *base_source_out = Some(src);
            }
            if root.get("record").is_none() {
                c.error_hint(
                    root.span,
                    "record",
                    "no statistics to record: expected at least one `[[record]]`",
                    "add `[[record]]` with `name = \"talent_end\"`, `column = \"talent_stock\"`, `agg = \"last\"`",
                );
            }
            for (i, r) in def.record.iter().enumerate() {
                let is = i.to_string();
                r.stat.check(
                    &format!("record[{i}]"),
                    root,
                    &["record", &is],
                    base.as_ref().map(|b| &b.def),
                    c,
                );
            }
        }
        ModelKind::Ishigami => {
            for (key, given) in [
                ("base", !def.base.is_empty()),
                ("set", !def.set.is_empty()),
                ("record", !def.record.is_empty()),
            ] {
                if given {
                    c.error(
                        at(&[key]),
                        key,
                        format!("the ishigami test model takes no `{key}`: it has knobs `x1`, `x2`, `x3` (and `fail`) and records `y`"),
                    );
                }
            }
        }
    }

    // Knobs.
    if k == 0 {
        c.error_hint(
            root.span,
            "knob",
            "no knobs: expected at least one `[[knob]]` to vary",
            "add `[[knob]]` with `path = \"region.Binjiang.housing.units\"` and `levels = [0, 10000]` or `min`/`max`",
        );
    }
    let resolved = base.as_ref().map(|b| b.def.write());
    let mut names: Vec<(String, Vec<String>)> = Vec::new();
    for (i, kd) in def.knob.iter().enumerate() {
        let is = i.to_string();
        let key = |f: &str| format!("knob[{i}].{f}");
        let span = |f: &str| at(&["knob", &is, f]);
        let given = |f: &str| span(f) != at(&["knob", &is]);
        if kd.path.trim().is_empty() {
            c.error_hint(
                at(&["knob", &is]),
                &key("path"),
                "missing `path`: expected the scenario path of the knob",
                "e.g. `path = \"region.Binjiang.housing.units\"` (as for `--set`)",
            );
            continue;
        }
        // A `levels` key that failed to read has been reported: treat it as given.
        let has_levels = given("levels");
        let has_range = !kd.min.is_nan() || !kd.max.is_nan();
        if kd.levels.is_empty()
            && matches!(node_at(root, &["knob", &is, "levels"]).map(|n| &n.val), Some(Val::Array(a)) if a.is_empty())
        {
            c.error(
                span("levels"),
                &key("levels"),
                "no levels: expected at least one",
            );
        }
        if has_levels && (has_range || given("dist")) {
            c.error(
                span(if has_range { "min" } else { "dist" }),
                &key(if has_range { "min" } else { "dist" }),
                "a knob takes either `levels` or a range (`min`/`max`, `dist`), not both",
            );
        } else if !has_levels {
            match kd.dist {
                Dist::Normal => {
                    if kd.mean.is_nan() || kd.sd.is_nan() || kd.sd <= 0.0 {
                        c.error(
                            span("dist"),
                            &key("dist"),
                            "a normal knob needs `mean` and a positive `sd`",
                        );
                    }
                    if !kd.min.is_nan() && !kd.max.is_nan() && kd.min >= kd.max {
                        c.error(
                            span("max"),
                            &key("max"),
                            format!("`max` ({}) must be above `min` ({})", kd.max, kd.min),
                        );
                    }
                }
                Dist::Uniform | Dist::Loguniform => {
                    if kd.min.is_nan() || kd.max.is_nan() {
                        let missing = if kd.min.is_nan() { "min" } else { "max" };
                        c.error_hint(
                            if has_range { span(if kd.min.is_nan() { "max" } else { "min" }) } else { at(&["knob", &is]) },
                            &key(missing),
                            format!("knob `{}` has no values: expected `levels = [...]`, or `min` and `max`", kd.path),
                            if has_range { format!("add `{missing} = …`") } else { "add `min = …` and `max = …`, or `levels = [a, b, c]`".to_string() },
                        );
                    } else if kd.min >= kd.max {
                        c.error(
                            span("max"),
                            &key("max"),
                            format!(
                                "`max` ({}) must be above `min` ({}): expected a non-empty range",
                                kd.max, kd.min
                            ),
                        );
                    } else if kd.dist == Dist::Loguniform && kd.min <= 0.0 {
                        c.error(
                            span("min"),
                            &key("min"),
                            format!("a loguniform range needs `min` > 0, found {}", kd.min),
                        );
                    }
                }
            }
        }
        if def.design == DesignKind::Grid && !has_levels && kd.steps == 0 {
            c.error_hint(
                at(&["knob", &is]),
                &key("steps"),
                format!(
                    "knob `{}` has a range but a grid needs levels: expected `levels = [...]` or `steps`",
                    kd.path
                ),
                "add `steps = 5` (levels spread over the range), or use a sampling design (`design = \"lhs\"`)",
            );
        }
        let name = if kd.name.is_empty() {
            kd.path.clone()
        } else {
            kd.name.clone()
        };
        names.push((name, vec!["knob".into(), is.clone(), "path".into()]));

        // Where the knob lands in the model.
        match def.model {
            ModelKind::Ishigami => {
                if !ISHIGAMI_KNOBS.contains(&kd.path.as_str()) {
                    let msg = format!(
                        "the ishigami model has no knob `{}`: expected one of `x1`, `x2`, `x3`, `fail`",
                        kd.path
                    );
                    match nearest(&kd.path, ISHIGAMI_KNOBS) {
                        Some(n) => c.error_hint(
                            span("path"),
                            &key("path"),
                            msg,
                            format!("did you mean `{n}`?"),
                        ),
                        None => c.error(span("path"), &key("path"), msg),
                    }
                }
                if has_levels && !kd.levels.iter().all(|l| matches!(l, Level::Num(_))) {
                    c.error(
                        span("levels"),
                        &key("levels"),
                        "the ishigami model takes numbers",
                    );
                }
            }
            ModelKind::Scenario => {
                let (Some(_), Some(res), Some(src)) = (&base, &resolved, &*base_source_out) else {
                    continue;
                };
                let current = lookup(res, &kd.path);
                // Candidate values to try on the base scenario, each with where it is written.
                let mut tries: Vec<(toml::Value, Vec<String>, String)> = Vec::new();
                if has_levels {
                    for (j, l) in kd.levels.iter().enumerate() {
                        tries.push((
                            l.value(),
                            vec!["knob".into(), is.clone(), "levels".into(), j.to_string()],
                            format!("knob[{i}].levels[{j}]"),
                        ));
                    }
                } else {
                    let int = matches!(current, Some(toml::Value::Integer(_))) || kd.integer;
                    integer[i] = int;
                    let r = |x: f64| if int { x.round() } else { x };
                    for f in ["min", "max", "mean"] {
                        let x = match f {
                            "min" => kd.min,
                            "max" => kd.max,
                            _ => kd.mean,
                        };
                        if !x.is_nan() {
                            tries.push((
                                toml::Value::Float(r(x)),
                                vec!["knob".into(), is.clone(), f.into()],
                                key(f),
                            ));
                        }
                    }
                    if let Some(v) = current
                        && !(v.is_float() || v.is_integer())
                    {
                        c.error_hint(
                            span(if kd.min.is_nan() { "path" } else { "min" }),
                            &key("min"),
                            format!(
                                "`{}` is a {} knob (currently {v}): a range needs a number knob",
                                kd.path,
                                match v {
                                    toml::Value::String(_) => "string",
                                    toml::Value::Boolean(_) => "boolean",
                                    _ => "non-numeric",
                                }
                            ),
                            "give its values as `levels = [...]`",
                        );
                        continue;
                    }
                }
                if current.is_none() {
                    // Let the scenario loader say what is wrong with the path (with its hint).
                    let v = tries
                        .first()
                        .map_or(toml::Value::Integer(0), |t| t.0.clone());
                    let mut o = Override::args(&base_sets);
                    o.push(Override::value(kd.path.clone(), v));
                    let e = src.resolve(&o).err();
                    let d = e
                        .as_ref()
                        .and_then(|e| e.diagnostics().iter().find(|d| d.file == "--set").cloned());
                    match d {
                        Some(d) => push_wrapped(c, span("path"), &key("path"), &d),
                        None => c.error(
                            span("path"),
                            &key("path"),
                            format!("`{}` is not a knob of the base scenario", kd.path),
                        ),
                    }
                    continue;
                }
                let table_array = matches!(current, Some(toml::Value::Array(a)) if a.iter().any(toml::Value::is_table));
                if matches!(current, Some(toml::Value::Table(_))) || table_array {
                    c.error_hint(
                        span("path"),
                        &key("path"),
                        format!("`{}` is a section, not a knob", kd.path),
                        "name one knob inside it (`talentsim knobs` lists them)",
                    );
                    continue;
                }
                for (v, p, keyp) in tries {
                    let mut o = Override::args(&base_sets);
                    o.push(Override::value(kd.path.clone(), v));
                    if let Err(e) = src.resolve(&o) {
                        let pr: Vec<&str> = p.iter().map(String::as_str).collect();
                        report_errors(c, &e, span_of(root, &pr), &keyp, None);
                    }
                }
            }
        }
    }

    // Column names: unique and distinct from the fixed ones.
    let records: Vec<(String, Vec<String>)> = match def.model {
        ModelKind::Ishigami => vec![("y".to_string(), vec![])],
        ModelKind::Scenario => def
            .record
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    r.name.clone(),
                    vec!["record".into(), i.to_string(), "name".into()],
                )
            })
            .collect(),
    };
    let mut seen: Vec<&str> = FIXED_COLUMNS.to_vec();
    for (n, p) in names.iter().chain(records.iter()) {
        if seen.contains(&n.as_str()) {
            let pr: Vec<&str> = p.iter().map(String::as_str).collect();
            let keyp = if p.len() >= 3 {
                format!("{}[{}].name", p[0], p[1])
            } else {
                "record".into()
            };
            c.error_hint(
                span_of(root, &pr),
                &keyp,
                format!("duplicate column name `{n}`: expected every knob and record to have its own column (`run`, `point`, `replicate`, `seed`, `status`, `error` are taken)"),
                "give the knob or record a distinct `name`",
            );
        } else {
            seen.push(n);
        }
    }

    // The design.
    let design_at = at(&["design"]);
    let given_top = |f: &str| root.get(f).is_some();
    match def.design {
        DesignKind::Grid => {
            for f in ["points", "trajectories"] {
                if given_top(f) {
                    c.error_hint(
                        at(&[f]),
                        f,
                        format!("a grid runs every combination of levels: `{f}` does not apply"),
                        "remove it, or choose `design = \"lhs\"`, `\"random\"`, `\"sobol\"`, `\"morris\"` or `\"saltelli\"`",
                    );
                }
            }
        }
        DesignKind::Random | DesignKind::Lhs | DesignKind::Sobol | DesignKind::Saltelli => {
            let need = if def.design == DesignKind::Saltelli {
                2
            } else {
                1
            };
            if def.points < need {
                c.error_hint(
                    if given_top("points") { at(&["points"]) } else { design_at },
                    "points",
                    format!(
                        "the `{}` design needs `points` (at least {need})",
                        def.design.as_str()
                    ),
                    if def.design == DesignKind::Saltelli {
                        "add `points = 1024` (base samples N; the sweep runs N × (knobs + 2) points)"
                    } else {
                        "add `points = 100`"
                    },
                );
            }
            if given_top("trajectories") {
                c.error(
                    at(&["trajectories"]),
                    "trajectories",
                    "`trajectories` applies to `design = \"morris\"` only",
                );
            }
            if def.design == DesignKind::Lhs && def.points > LHS_MAX {
                c.error(
                    at(&["points"]),
                    "points",
                    format!("a Latin hypercube of more than {LHS_MAX} points is not supported: use `sobol`"),
                );
            }
            let dims = if def.design == DesignKind::Saltelli {
                2 * k
            } else {
                k
            };
            if matches!(def.design, DesignKind::Sobol | DesignKind::Saltelli) && dims > SOBOL_DIMS {
                c.error(
                    design_at,
                    "design",
                    format!(
                        "the Sobol sequence has {SOBOL_DIMS} dimensions; this design needs {dims} ({k} knobs)"
                    ),
                );
            }
        }
        DesignKind::Morris => {
            if def.trajectories < 2 {
                c.error_hint(
                    if given_top("trajectories") {
                        at(&["trajectories"])
                    } else {
                        design_at
                    },
                    "trajectories",
                    "the `morris` design needs `trajectories` (at least 2)",
                    "add `trajectories = 20` (the sweep runs trajectories × (knobs + 1) points)",
                );
            }
            if given_top("points") {
                c.error(
                    at(&["points"]),
                    "points",
                    "a Morris design's size is set by `trajectories`: `points` does not apply",
                );
            }
        }
    }
    if base.is_some() || def.model == ModelKind::Ishigami {
        *base_out = base;
    }
}

/// The node at a path of keys and array indices.
fn node_at<'n>(root: &'n Node, path: &[&str]) -> Option<&'n Node> {
    let mut cur = root;
    for seg in path {
        cur = match &cur.val {
            Val::Table(_) => cur.get(seg)?,
            Val::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Report the problems of a scenario load made with one `--set`: those in the `--set` itself
/// at `span` (where the value is written in the sweep file), those in the base scenario as
/// they are, prefixed with the override that caused them.
fn report_set_errors(
    c: &mut Collector,
    e: &ScenarioError,
    span: scenario::Span,
    key: &str,
    set: &str,
) {
    report_errors(c, e, span, key, Some(set));
}

/// As [`report_set_errors`]; with `set = None` problems in the base scenario are left out (a
/// knob's value may be invalid with the base's other values, yet fine with the other knobs'
/// values at the points of the sweep: such points fail at run time, with the message).
fn report_errors(
    c: &mut Collector,
    e: &ScenarioError,
    span: scenario::Span,
    key: &str,
    set: Option<&str>,
) {
    for d in e.diagnostics() {
        if d.file == "--set" {
            push_wrapped(c, span, key, d);
        } else if let Some(set) = set {
            let mut d = d.clone();
            d.message = format!("with `{set}`: {}", d.message);
            c.diags.push(d);
        }
    }
}

fn push_wrapped(c: &mut Collector, span: scenario::Span, key: &str, d: &scenario::Diagnostic) {
    let msg = if d.key.is_empty() {
        d.message.clone()
    } else {
        format!("`{}`: {}", d.key, d.message)
    };
    match &d.hint {
        Some(h) => c.error_hint(span, key, msg, h.clone()),
        None => c.error(span, key, msg),
    }
}

impl Sweep {
    /// Number of points.
    pub fn points(&self) -> u64 {
        self.design.points()
    }

    /// Number of runs (points × replicates).
    pub fn runs(&self) -> u64 {
        self.points().saturating_mul(self.def.replicates as u64)
    }

    /// Column names of the recorded statistics.
    pub fn record_names(&self) -> Vec<String> {
        match self.def.model {
            ModelKind::Ishigami => vec!["y".into()],
            ModelKind::Scenario => self.def.record.iter().map(|r| r.name.clone()).collect(),
        }
    }

    /// Every column of `results.csv`, with its type.
    pub fn columns(&self) -> Vec<(String, ColType)> {
        let mut cols: Vec<(String, ColType)> = vec![
            ("run".into(), ColType::U64),
            ("point".into(), ColType::U64),
            ("replicate".into(), ColType::U32),
            ("seed".into(), ColType::U64),
            ("status".into(), ColType::Str),
            ("error".into(), ColType::OptStr),
        ];
        for k in &self.knobs {
            cols.push((
                k.name.clone(),
                if k.is_numeric() {
                    ColType::F64
                } else {
                    ColType::Str
                },
            ));
        }
        for r in self.record_names() {
            cols.push((r, ColType::F64));
        }
        cols
    }

    /// The knob values of point `p`.
    pub fn point_values(&self, p: u64) -> Vec<Level> {
        match self.design.coords(p) {
            design::Coords::Index(idx) => self
                .knobs
                .iter()
                .zip(idx)
                .map(|(k, i)| {
                    k.grid_levels()
                        .map_or(Level::Num(f64::NAN), |l| l[i].clone())
                })
                .collect(),
            design::Coords::Unit(u) => self
                .knobs
                .iter()
                .zip(u)
                .map(|(k, u)| k.at_unit(u))
                .collect(),
        }
    }

    /// The seed of replicate `r` of point `p`.
    pub fn seed(&self, p: u64, r: u32) -> u64 {
        match self.def.seeds {
            SeedPolicy::Common => self.def.seed.wrapping_add(r as u64),
            SeedPolicy::Independent => {
                mix64(self.def.seed ^ mix64(p.wrapping_mul(0xA076_1D64_78BD_642F) ^ r as u64))
            }
        }
    }

    /// The overrides of point `p`: the sweep's fixed `set`s, then each knob's value in memory.
    pub fn point_overrides(&self, values: &[Level]) -> Vec<Override> {
        let mut o = Override::args(&self.def.set);
        for (k, v) in self.knobs.iter().zip(values) {
            o.push(Override::value(k.path.clone(), v.value()));
        }
        o
    }

    /// The scenario of a point (scenario model): the base with the point's knob values.
    pub fn point_scenario(&self, values: &[Level]) -> Result<Scenario, String> {
        let Some(src) = &self.base_source else {
            return Err("the sweep has no base scenario".into());
        };
        src.resolve(&self.point_overrides(values)).map_err(|e| {
            e.diagnostics()
                .iter()
                .map(|d| one_line(&d.to_string()))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Run `run` (catching panics), using `scenario` if the point's scenario is already loaded.
    pub fn execute(&self, run: u64, scenario: Option<&Result<Scenario, String>>) -> Row {
        let reps = self.def.replicates as u64;
        let (point, replicate) = (run / reps, (run % reps) as u32);
        let seed = self.seed(point, replicate);
        let values = self.point_values(point);
        let outcome = exec::catch(|| match self.def.model {
            ModelKind::Ishigami => ishigami(&self.knobs, &values).map(|y| vec![y]),
            ModelKind::Scenario => {
                let loaded;
                let sc = match scenario {
                    Some(s) => s,
                    None => {
                        loaded = self.point_scenario(&values);
                        &loaded
                    }
                };
                let sc = sc.as_ref().map_err(Clone::clone)?;
                let res = simulate(sc, seed);
                Ok(self
                    .def
                    .record
                    .iter()
                    .map(|r| r.stat.eval(sc, &res))
                    .collect())
            }
        });
        Row {
            run,
            point,
            replicate,
            seed,
            values,
            outcome,
        }
    }
}

/// The Ishigami function `sin x1 + a sin² x2 + b x3⁴ sin x1` with a = 7, b = 0.1; knob
/// `fail` ≥ 0.5 makes the run panic (to test failure isolation).
fn ishigami(knobs: &[KnobSpace], values: &[Level]) -> Result<f64, String> {
    let get = |name: &str| {
        knobs
            .iter()
            .zip(values)
            .find(|(k, _)| k.path == name)
            .map_or(0.0, |(_, v)| match v {
                Level::Num(x) => *x,
                _ => 0.0,
            })
    };
    if get("fail") >= 0.5 {
        panic!("test model: `fail` = {} is 0.5 or more", get("fail"));
    }
    let (x1, x2, x3) = (get("x1"), get("x2"), get("x3"));
    Ok(x1.sin() + 7.0 * x2.sin().powi(2) + 0.1 * x3.powi(4) * x1.sin())
}
