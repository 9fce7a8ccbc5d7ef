//! Checking a sweep file: its model and base scenario, its knobs, its column names and its
//! design, one concern at a time, each reporting into the same [`Collector`] in file order.

use std::path::Path;

use crate::scenario::diag::{Collector, nearest};
use crate::scenario::schema::Knob;
use crate::scenario::tree::{Node, Val};
use crate::scenario::{self, Override, Scenario, ScenarioError, ScenarioSource, Span, span_of};

use super::design::{LHS_MAX, SOBOL_DIMS};
use super::spec::{DesignKind, Dist, KnobDef, Level, ModelKind, SweepDef};
use super::{FIXED_COLUMNS, ISHIGAMI_KNOBS};

/// A results column named in the sweep file: its name and the key path where it is written.
type Column = (String, Vec<String>);

/// A candidate value of a knob to try on the base scenario: the value, the key path where it
/// is written and the key to report it under.
type Try = (toml::Value, Vec<String>, String);

/// Check `def` (read from `root`), reporting into `c`; sets the base scenario (with the fixed
/// `set`s), its source, and which knobs are whole numbers.
pub(super) fn check(
    def: &SweepDef,
    root: &Node,
    c: &mut Collector,
    base_out: &mut Option<Scenario>,
    base_source_out: &mut Option<ScenarioSource>,
    integer: &mut [bool],
) {
    let mut cx = Check { def, root, c };
    let base = match def.model {
        ModelKind::Scenario => {
            let base = cx.base();
            cx.records(&base);
            base
        }
        ModelKind::Ishigami => {
            cx.ishigami_keys();
            Base::default()
        }
    };
    let names = cx.knobs(&base, integer);
    cx.columns(&names);
    cx.design();
    if base.source.is_some() {
        *base_source_out = base.source;
    }
    if base.scenario.is_some() || def.model == ModelKind::Ishigami {
        *base_out = base.scenario;
    }
}

/// What the checks of one sweep file share.
struct Check<'a, 'c> {
    /// The sweep file, decoded.
    def: &'a SweepDef,
    /// Its table, for spans.
    root: &'a Node,
    /// Where problems go.
    c: &'a mut Collector<'c>,
}

/// The base scenario of a sweep, as far as it loaded.
#[derive(Default)]
struct Base {
    /// The base with the fixed `set`s that load applied.
    scenario: Option<Scenario>,
    /// Those `set`s.
    sets: Vec<String>,
    /// The base scenario's source (when `base` is given).
    source: Option<ScenarioSource>,
}

/// One `[[knob]]` of the sweep file: where its keys are.
struct KnobAt<'a> {
    /// Its table, for spans.
    root: &'a Node,
    /// Its index among the knobs.
    i: usize,
    /// The index as text (a key path segment).
    is: String,
    /// The knob.
    def: &'a KnobDef,
}

impl KnobAt<'_> {
    /// The key of field `f` (`knob[2].min`).
    fn key(&self, f: &str) -> String {
        format!("knob[{}].{f}", self.i)
    }

    /// Where field `f` is written (the knob's table when it is not).
    fn span(&self, f: &str) -> Span {
        span_of(self.root, &["knob", &self.is, f])
    }

    /// Where the knob's table is.
    fn whole(&self) -> Span {
        span_of(self.root, &["knob", &self.is])
    }

    /// Whether field `f` is written.
    fn given(&self, f: &str) -> bool {
        self.span(f) != self.whole()
    }

    /// The key path of `rest` inside the knob.
    fn path(&self, rest: &[&str]) -> Vec<String> {
        ["knob", &self.is]
            .iter()
            .chain(rest)
            .map(|s| s.to_string())
            .collect()
    }
}

impl Check<'_, '_> {
    /// Where the key path `p` is written.
    fn at(&self, p: &[&str]) -> Span {
        span_of(self.root, p)
    }

    /// The scenario model's `base` and fixed `set`s.
    fn base(&mut self) -> Base {
        let mut base = Base::default();
        if self.def.base.is_empty() {
            self.c.error_hint(
                self.root.span,
                "base",
                "missing `base`: expected the path of the scenario every point starts from",
                "add `base = \"../binjiang.toml\"` (relative to the sweep file), or `model = \"ishigami\"` for the test model",
            );
            return base;
        }
        let span = self.at(&["base"]);
        let dir = self
            .c
            .sources
            .path(span.file)
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let src = ScenarioSource::read(&dir.join(&self.def.base));
        match src.resolve(&[]) {
            Err(e) => {
                // Problems inside the base scenario point into its own file.
                let d = e.diagnostics();
                if d.len() == 1 && d[0].message.starts_with("cannot read the file") {
                    self.c.error(span, "base", d[0].message.clone());
                } else {
                    self.c.diags.extend(d.iter().cloned());
                }
            }
            Ok(_) => {
                let good = self.fixed_sets(&src);
                match src.resolve(&Override::args(&good)) {
                    Ok(sc) => base.scenario = Some(sc),
                    Err(e) => {
                        let span = self.at(&["set"]);
                        report_set_errors(self.c, &e, span, "set", &good.join(" "))
                    }
                }
                base.sets = good;
            }
        }
        base.source = Some(src);
        base
    }

    /// Each fixed `set` on its own: the good ones (the knobs are checked against those, so one
    /// bad `set` hides nothing else).
    fn fixed_sets(&mut self, src: &ScenarioSource) -> Vec<String> {
        let mut good = Vec::new();
        for (i, s) in self.def.set.iter().enumerate() {
            match src.resolve(&[Override::Arg(s.clone())]) {
                Ok(_) => good.push(s.clone()),
                Err(e) => {
                    let span = self.at(&["set", &i.to_string()]);
                    report_set_errors(self.c, &e, span, &format!("set[{i}]"), s)
                }
            }
        }
        good
    }

    /// The scenario model's `[[record]]`s: at least one, each a valid statistic of the base.
    fn records(&mut self, base: &Base) {
        if self.root.get("record").is_none() {
            self.c.error_hint(
                self.root.span,
                "record",
                "no statistics to record: expected at least one `[[record]]`",
                "add `[[record]]` with `name = \"talent_end\"`, `column = \"talent_stock\"`, `agg = \"last\"`",
            );
        }
        for (i, r) in self.def.record.iter().enumerate() {
            let is = i.to_string();
            r.stat.check(
                &format!("record[{i}]"),
                self.root,
                &["record", &is],
                base.scenario.as_ref().map(|b| &b.def),
                self.c,
            );
        }
    }

    /// The Ishigami test model takes no `base`, `set` or `record`.
    fn ishigami_keys(&mut self) {
        for (key, given) in [
            ("base", !self.def.base.is_empty()),
            ("set", !self.def.set.is_empty()),
            ("record", !self.def.record.is_empty()),
        ] {
            if given {
                self.c.error(
                    self.at(&[key]),
                    key,
                    format!("the ishigami test model takes no `{key}`: it has knobs `x1`, `x2`, `x3` (and `fail`) and records `y`"),
                );
            }
        }
    }

    /// Every `[[knob]]`: its values, then where it lands in the model. Returns the knobs'
    /// column names; sets which knobs are whole numbers.
    fn knobs(&mut self, base: &Base, integer: &mut [bool]) -> Vec<Column> {
        if self.def.knob.is_empty() {
            self.c.error_hint(
                self.root.span,
                "knob",
                "no knobs: expected at least one `[[knob]]` to vary",
                "add `[[knob]]` with `path = \"region.Binjiang.housing.units\"` and `levels = [0, 10000]` or `min`/`max`",
            );
        }
        let resolved = base.scenario.as_ref().map(|b| b.def.write());
        let mut names: Vec<Column> = Vec::new();
        for (i, kd) in self.def.knob.iter().enumerate() {
            let k = KnobAt {
                root: self.root,
                i,
                is: i.to_string(),
                def: kd,
            };
            if kd.path.trim().is_empty() {
                self.c.error_hint(
                    k.whole(),
                    &k.key("path"),
                    "missing `path`: expected the scenario path of the knob",
                    "e.g. `path = \"region.Binjiang.housing.units\"` (as for `--set`)",
                );
                continue;
            }
            let has_levels = self.knob_values(&k);
            let name = if kd.name.is_empty() {
                kd.path.clone()
            } else {
                kd.name.clone()
            };
            names.push((name, k.path(&["path"])));
            match self.def.model {
                ModelKind::Ishigami => self.ishigami_knob(&k, has_levels),
                ModelKind::Scenario => {
                    if let (Some(_), Some(res), Some(src)) =
                        (&base.scenario, &resolved, &base.source)
                    {
                        let target = Target {
                            resolved: res,
                            src,
                            sets: &base.sets,
                        };
                        self.scenario_knob(&k, has_levels, &target, &mut integer[i]);
                    }
                }
            }
        }
        names
    }

    /// A knob's values: `levels` or a range (and its distribution), and levels for a grid.
    /// Returns whether it has `levels`.
    fn knob_values(&mut self, k: &KnobAt) -> bool {
        let kd = k.def;
        // A `levels` key that failed to read has been reported: treat it as given.
        let has_levels = k.given("levels");
        let has_range = !kd.min.is_nan() || !kd.max.is_nan();
        if kd.levels.is_empty()
            && matches!(node_at(self.root, &["knob", &k.is, "levels"]).map(|n| &n.val), Some(Val::Array(a)) if a.is_empty())
        {
            self.c.error(
                k.span("levels"),
                &k.key("levels"),
                "no levels: expected at least one",
            );
        }
        if has_levels && (has_range || k.given("dist")) {
            self.c.error(
                k.span(if has_range { "min" } else { "dist" }),
                &k.key(if has_range { "min" } else { "dist" }),
                "a knob takes either `levels` or a range (`min`/`max`, `dist`), not both",
            );
        } else if !has_levels {
            self.knob_range(k, has_range);
        }
        if self.def.design == DesignKind::Grid && !has_levels && kd.steps == 0 {
            self.c.error_hint(
                k.whole(),
                &k.key("steps"),
                format!(
                    "knob `{}` has a range but a grid needs levels: expected `levels = [...]` or `steps`",
                    kd.path
                ),
                "add `steps = 5` (levels spread over the range), or use a sampling design (`design = \"lhs\"`)",
            );
        }
        has_levels
    }

    /// The range of a knob without `levels`, for its distribution.
    fn knob_range(&mut self, k: &KnobAt, has_range: bool) {
        let kd = k.def;
        match kd.dist {
            Dist::Normal => {
                if kd.mean.is_nan() || kd.sd.is_nan() || kd.sd <= 0.0 {
                    self.c.error(
                        k.span("dist"),
                        &k.key("dist"),
                        "a normal knob needs `mean` and a positive `sd`",
                    );
                }
                if !kd.min.is_nan() && !kd.max.is_nan() && kd.min >= kd.max {
                    self.c.error(
                        k.span("max"),
                        &k.key("max"),
                        format!("`max` ({}) must be above `min` ({})", kd.max, kd.min),
                    );
                }
            }
            Dist::Uniform | Dist::Loguniform => {
                if kd.min.is_nan() || kd.max.is_nan() {
                    let missing = if kd.min.is_nan() { "min" } else { "max" };
                    self.c.error_hint(
                        if has_range { k.span(if kd.min.is_nan() { "max" } else { "min" }) } else { k.whole() },
                        &k.key(missing),
                        format!("knob `{}` has no values: expected `levels = [...]`, or `min` and `max`", kd.path),
                        if has_range { format!("add `{missing} = …`") } else { "add `min = …` and `max = …`, or `levels = [a, b, c]`".to_string() },
                    );
                } else if kd.min >= kd.max {
                    self.c.error(
                        k.span("max"),
                        &k.key("max"),
                        format!(
                            "`max` ({}) must be above `min` ({}): expected a non-empty range",
                            kd.max, kd.min
                        ),
                    );
                } else if kd.dist == Dist::Loguniform && kd.min <= 0.0 {
                    self.c.error(
                        k.span("min"),
                        &k.key("min"),
                        format!("a loguniform range needs `min` > 0, found {}", kd.min),
                    );
                }
            }
        }
    }

    /// An Ishigami knob: one of the model's, with numbers for levels.
    fn ishigami_knob(&mut self, k: &KnobAt, has_levels: bool) {
        let kd = k.def;
        if !ISHIGAMI_KNOBS.contains(&kd.path.as_str()) {
            let msg = format!(
                "the ishigami model has no knob `{}`: expected one of `x1`, `x2`, `x3`, `fail`",
                kd.path
            );
            match nearest(&kd.path, ISHIGAMI_KNOBS) {
                Some(n) => self.c.error_hint(
                    k.span("path"),
                    &k.key("path"),
                    msg,
                    format!("did you mean `{n}`?"),
                ),
                None => self.c.error(k.span("path"), &k.key("path"), msg),
            }
        }
        if has_levels && !kd.levels.iter().all(|l| matches!(l, Level::Num(_))) {
            self.c.error(
                k.span("levels"),
                &k.key("levels"),
                "the ishigami model takes numbers",
            );
        }
    }

    /// A scenario knob: a knob (not a section) of the base scenario, every value of which
    /// loads on it. Sets whether its range is of whole numbers.
    fn scenario_knob(&mut self, k: &KnobAt, has_levels: bool, t: &Target, integer: &mut bool) {
        let kd = k.def;
        let current = lookup(t.resolved, &kd.path);
        let Some(tries) = self.knob_tries(k, has_levels, current, integer) else {
            return;
        };
        if current.is_none() {
            self.unknown_knob(k, &tries, t);
            return;
        }
        let table_array =
            matches!(current, Some(toml::Value::Array(a)) if a.iter().any(toml::Value::is_table));
        if matches!(current, Some(toml::Value::Table(_))) || table_array {
            self.c.error_hint(
                k.span("path"),
                &k.key("path"),
                format!("`{}` is a section, not a knob", kd.path),
                "name one knob inside it (`talentsim knobs` lists them)",
            );
            return;
        }
        for (v, p, keyp) in tries {
            let mut o = Override::args(t.sets);
            o.push(Override::value(kd.path.clone(), v));
            if let Err(e) = t.src.resolve(&o) {
                let pr: Vec<&str> = p.iter().map(String::as_str).collect();
                report_errors(self.c, &e, span_of(self.root, &pr), &keyp, None);
            }
        }
    }

    /// The values of a scenario knob to try on the base, each with where it is written: its
    /// levels, or the ends (and mean) of its range, rounded for a whole-number knob. `None`
    /// (reported) for a range over a knob that is not a number.
    fn knob_tries(
        &mut self,
        k: &KnobAt,
        has_levels: bool,
        current: Option<&toml::Value>,
        integer: &mut bool,
    ) -> Option<Vec<Try>> {
        let kd = k.def;
        let mut tries: Vec<Try> = Vec::new();
        if has_levels {
            for (j, l) in kd.levels.iter().enumerate() {
                tries.push((
                    l.value(),
                    k.path(&["levels", &j.to_string()]),
                    format!("knob[{}].levels[{j}]", k.i),
                ));
            }
            return Some(tries);
        }
        let int = matches!(current, Some(toml::Value::Integer(_))) || kd.integer;
        *integer = int;
        let r = |x: f64| if int { x.round() } else { x };
        for (f, x) in [("min", kd.min), ("max", kd.max), ("mean", kd.mean)] {
            if !x.is_nan() {
                tries.push((toml::Value::Float(r(x)), k.path(&[f]), k.key(f)));
            }
        }
        if let Some(v) = current
            && !(v.is_float() || v.is_integer())
        {
            self.c.error_hint(
                k.span(if kd.min.is_nan() { "path" } else { "min" }),
                &k.key("min"),
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
            return None;
        }
        Some(tries)
    }

    /// A knob path that is not in the base scenario: the scenario loader says what is wrong
    /// with it (with its hint).
    fn unknown_knob(&mut self, k: &KnobAt, tries: &[Try], t: &Target) {
        let kd = k.def;
        let v = tries
            .first()
            .map_or(toml::Value::Integer(0), |t| t.0.clone());
        let mut o = Override::args(t.sets);
        o.push(Override::value(kd.path.clone(), v));
        let e = t.src.resolve(&o).err();
        let d = e
            .as_ref()
            .and_then(|e| e.diagnostics().iter().find(|d| d.file == "--set").cloned());
        match d {
            Some(d) => push_wrapped(self.c, k.span("path"), &k.key("path"), &d),
            None => self.c.error(
                k.span("path"),
                &k.key("path"),
                format!("`{}` is not a knob of the base scenario", kd.path),
            ),
        }
    }

    /// Column names: unique and distinct from the fixed ones.
    fn columns(&mut self, names: &[Column]) {
        let records: Vec<Column> = match self.def.model {
            ModelKind::Ishigami => vec![("y".to_string(), vec![])],
            ModelKind::Scenario => self
                .def
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
                self.c.error_hint(
                    span_of(self.root, &pr),
                    &keyp,
                    format!("duplicate column name `{n}`: expected every knob and record to have its own column (`run`, `point`, `replicate`, `seed`, `status`, `error` are taken)"),
                    "give the knob or record a distinct `name`",
                );
            } else {
                seen.push(n);
            }
        }
    }

    /// Whether top-level key `f` is written.
    fn given(&self, f: &str) -> bool {
        self.root.get(f).is_some()
    }

    /// The design and the keys that size it.
    fn design(&mut self) {
        match self.def.design {
            DesignKind::Grid => self.grid_design(),
            DesignKind::Random | DesignKind::Lhs | DesignKind::Sobol | DesignKind::Saltelli => {
                self.sampled_design()
            }
            DesignKind::Morris => self.morris_design(),
        }
    }

    /// A grid takes no `points` or `trajectories`.
    fn grid_design(&mut self) {
        for f in ["points", "trajectories"] {
            if self.given(f) {
                self.c.error_hint(
                    self.at(&[f]),
                    f,
                    format!("a grid runs every combination of levels: `{f}` does not apply"),
                    "remove it, or choose `design = \"lhs\"`, `\"random\"`, `\"sobol\"`, `\"morris\"` or `\"saltelli\"`",
                );
            }
        }
    }

    /// A sampling design needs `points` (within its limits) and takes no `trajectories`.
    fn sampled_design(&mut self) {
        let (design, k) = (self.def.design, self.def.knob.len());
        let design_at = self.at(&["design"]);
        let need = if design == DesignKind::Saltelli { 2 } else { 1 };
        if self.def.points < need {
            self.c.error_hint(
                if self.given("points") {
                    self.at(&["points"])
                } else {
                    design_at
                },
                "points",
                format!(
                    "the `{}` design needs `points` (at least {need})",
                    design.as_str()
                ),
                if design == DesignKind::Saltelli {
                    "add `points = 1024` (base samples N; the sweep runs N × (knobs + 2) points)"
                } else {
                    "add `points = 100`"
                },
            );
        }
        if self.given("trajectories") {
            self.c.error(
                self.at(&["trajectories"]),
                "trajectories",
                "`trajectories` applies to `design = \"morris\"` only",
            );
        }
        if design == DesignKind::Lhs && self.def.points > LHS_MAX {
            self.c.error(
                self.at(&["points"]),
                "points",
                format!(
                    "a Latin hypercube of more than {LHS_MAX} points is not supported: use `sobol`"
                ),
            );
        }
        let dims = if design == DesignKind::Saltelli {
            2 * k
        } else {
            k
        };
        if matches!(design, DesignKind::Sobol | DesignKind::Saltelli) && dims > SOBOL_DIMS {
            self.c.error(
                design_at,
                "design",
                format!(
                    "the Sobol sequence has {SOBOL_DIMS} dimensions; this design needs {dims} ({k} knobs)"
                ),
            );
        }
    }

    /// A Morris design needs `trajectories` (at least 2) and takes no `points`.
    fn morris_design(&mut self) {
        if self.def.trajectories < 2 {
            self.c.error_hint(
                if self.given("trajectories") {
                    self.at(&["trajectories"])
                } else {
                    self.at(&["design"])
                },
                "trajectories",
                "the `morris` design needs `trajectories` (at least 2)",
                "add `trajectories = 20` (the sweep runs trajectories × (knobs + 1) points)",
            );
        }
        if self.given("points") {
            self.c.error(
                self.at(&["points"]),
                "points",
                "a Morris design's size is set by `trajectories`: `points` does not apply",
            );
        }
    }
}

/// The base scenario a scenario knob is tried on.
struct Target<'a> {
    /// The base, resolved, as a TOML table.
    resolved: &'a toml::Value,
    /// Its source.
    src: &'a ScenarioSource,
    /// The fixed `set`s applied to it.
    sets: &'a [String],
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
