//! Scenario files: schema, `extends` inheritance, `--set` overrides and validation.
//!
//! Reading is two-staged (as in ripgrep's low/high args): [`tree`] mirrors the TOML with the
//! origin of every value, [`knobs`] declares the typed schema, and [`source`] resolves both
//! into a validated [`Scenario`], reporting every problem at once. A [`ScenarioSource`] is read
//! once (from a file or a text) and resolved with [`Override`]s in memory as often as needed.

pub mod diag;
pub mod knobs;
pub mod params;
pub mod schema;
pub mod source;
pub mod stat;
pub mod tree;
pub mod units;
mod validate;

use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Diagnostics, SourceMap, Span};
pub use knobs::*;
pub use params::{RegionId, SectorId, SectorSet, SimParams};
pub use schema::{KnobDoc, Month};
pub use source::{Override, ScenarioSource, Source};

use diag::Collector;
use schema::Knob;
use tree::{Node, Val};

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// One or more problems in the input, each with its location.
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl ScenarioError {
    /// Every problem found, in reading order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ScenarioError::Invalid(d) => &d.0,
        }
    }
}

/// A validated, fully resolved scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The knobs, with defaults filled in and `extends`/`--set` applied.
    pub def: ScenarioDef,
    /// `def` in the simulation's units and ids, derived from it when the scenario is built
    /// (so `def` is not changed afterwards).
    pub params: SimParams,
    /// The file it was loaded from (empty for scenarios built in code).
    pub path: PathBuf,
    /// FNV-1a hash of every source read (the file, its `extends` chain, `--set`s), hex.
    pub source_hash: String,
}

/// Load any schema-described input file (a scenario, a targets file, a sweep file): read the
/// `extends` chain, let `prepare` adjust the merged tree, apply `--set` overrides, read it
/// against `T`'s schema and run `check` for cross-field rules. Every problem is reported at
/// once, sorted by file and position. Returns the value and a hash of every source read.
pub fn load_input<T: Knob>(
    path: &Path,
    sets: &[String],
    prepare: impl FnOnce(&mut Node, &mut SourceMap),
    check: impl FnOnce(&T, &Node, &mut Collector),
) -> Result<(T, String), ScenarioError> {
    Source::read(path)
        .prepare(prepare)
        .resolve(&Override::args(sets), check)
}

/// The span of the value at `path` (keys and array indices), for cross-field diagnostics.
pub fn span_of(root: &Node, path: &[&str]) -> Span {
    span_at(root, path)
}

/// After a TOML syntax error the rest of the file is still checked, from what the parser
/// recovered; a value the error spoiled (`rent_cny =` reads as an empty string) would then get a
/// second, spurious diagnostic. Drop those: any other diagnostic on a syntax error's line or
/// for its key.
fn drop_spoiled(diags: &mut Vec<Diagnostic>) {
    let strip = |k: &str| {
        let mut out = String::with_capacity(k.len());
        let mut depth = 0;
        for ch in k.chars() {
            match ch {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ if depth == 0 => out.push(ch),
                _ => {}
            }
        }
        out
    };
    let syntax = |d: &Diagnostic| d.message.starts_with("invalid TOML");
    let spoiled: Vec<(String, usize, String)> = diags
        .iter()
        .filter(|d| syntax(d))
        .map(|d| (d.file.clone(), d.line, strip(&d.key)))
        .collect();
    if spoiled.is_empty() {
        return;
    }
    diags.retain(|d| {
        syntax(d)
            || !spoiled.iter().any(|(file, line, key)| {
                *file == d.file && (*line == d.line || (!key.is_empty() && *key == strip(&d.key)))
            })
    });
}

/// FNV-1a, 64 bit: a small stable hash for manifests.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(pub(crate) u64);
impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}
impl Fnv {
    /// Add `bytes` to the hash.
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Put diagnostics in reading order: the files of the `extends` chain in the order they were
/// read, each from top to bottom, then `--set` problems in the order found. The checks run in
/// passes (`--set` paths, then the schema, then cross-field rules such as `end` before `start`),
/// so without this a problem on line 3 could be listed after one on line 30.
fn sort_diagnostics(diags: &mut [Diagnostic], sources: &SourceMap) {
    // Every `--set` argument is its own source named `--set` (line 1): keep those in the order
    // found (the stable sort leaves equal keys alone) rather than interleaving them by column.
    diags.sort_by_key(
        |d| match sources.sources.iter().position(|s| s.name == d.file) {
            Some(i) if d.file != "--set" => (i, d.line, d.column),
            _ => (usize::MAX, 0, 0),
        },
    );
}

/// The span of the value at `path` (keys and array indices), or of the nearest ancestor found.
fn span_at(root: &Node, path: &[&str]) -> Span {
    let mut cur = root;
    for seg in path {
        let next = match &cur.val {
            Val::Table(t) => t.iter().find(|e| e.key == *seg).map(|e| &e.node),
            Val::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => break,
        }
    }
    cur.span
}

/// Bytes per simulated person: the size of `model::person::Person`, which asserts it at
/// compile time (the scenario layer sits below the model and cannot name the type).
pub const PERSON_BYTES: usize = 24;

/// What drives a part of a run's peak memory: the knob (a path into the scenario) and the
/// person agents it brings.
pub(crate) struct Driver {
    /// The knob's path, key by key (array elements by index).
    pub(crate) path: Vec<String>,
    /// Person agents it brings over the run (people divided by `scale`), an upper bound.
    pub(crate) agents: f64,
}

/// Person agents each knob brings over the run, upper bounds: the initial stock, the
/// `elsewhere` pools (as if every arrival came), each recruitment drive's hires and each
/// competition's landing founders (as if every project landed).
pub(crate) fn people_drivers(def: &ScenarioDef) -> Vec<Driver> {
    let years = ((def.end.0 as f64 - def.start.0 as f64) + 1.0).max(0.0) / 12.0;
    let grow = |base: f64, g: f64| {
        if g.abs() < 1e-9 {
            base * years
        } else {
            base * ((1.0 + g).powf(years) - 1.0) / (1.0 + g).ln()
        }
    };
    let p = |parts: &[&str]| parts.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let e = &def.elsewhere;
    let mut out = vec![
        Driver {
            path: p(&["elsewhere", "graduates_per_year"]),
            agents: grow(e.graduates_per_year, e.graduates_growth),
        },
        Driver {
            path: p(&["elsewhere", "experienced_per_year"]),
            agents: grow(e.experienced_per_year, e.experienced_growth),
        },
        Driver {
            path: p(&["elsewhere", "high_level_per_year"]),
            agents: grow(e.high_level_per_year, e.high_level_growth),
        },
    ];
    for (i, r) in def.region.iter().enumerate() {
        let ri = i.to_string();
        out.push(Driver {
            path: p(&["region", &ri, "initial_talent"]),
            agents: r.initial_talent,
        });
        let rec = &r.recruitment;
        out.push(Driver {
            path: p(&["region", &ri, "recruitment", "posts_per_year"]),
            agents: rec.posts_per_year * rec.fill_rate * years,
        });
        for (j, c) in r.competition.iter().enumerate() {
            out.push(Driver {
                path: p(&["region", &ri, "competition", &j.to_string(), "projects"]),
                agents: grow(c.projects, c.projects_growth),
            });
        }
    }
    for d in &mut out {
        d.agents /= def.scale;
    }
    out
}

/// An upper estimate of the person agents a run will hold at its peak.
pub(crate) fn estimate_peak_agents(def: &ScenarioDef) -> f64 {
    people_drivers(def).iter().map(|d| d.agents).sum()
}

impl Scenario {
    /// Build from a definition made in code (benches, tests); validates ranges by round-tripping.
    pub fn from_def(def: ScenarioDef) -> Scenario {
        Scenario {
            params: SimParams::new(&def),
            def,
            path: PathBuf::new(),
            source_hash: String::new(),
        }
    }

    /// The fully resolved scenario as TOML (what `talentsim show` prints).
    pub fn to_toml(&self) -> String {
        let v = self.def.write();
        toml::to_string_pretty(&v).unwrap_or_else(|e| format!("# cannot render: {e}"))
    }

    /// Documentation of every knob.
    pub fn knob_docs() -> Vec<KnobDoc> {
        let mut out = Vec::new();
        ScenarioDef::docs("", &mut out);
        out
    }

    /// The knob reference as a Markdown table (what `talentsim knobs` prints and
    /// `docs/KNOBS.md` holds): path, type, unit, default, valid range and meaning of every knob.
    pub fn knob_table() -> String {
        fn bound(x: f64) -> String {
            match x {
                f64::INFINITY => "∞".into(),
                f64::NEG_INFINITY => "−∞".into(),
                x => format!("{x}"),
            }
        }
        let mut out = String::from(
            "| knob | type | unit | default | valid range | meaning |\n|---|---|---|---|---|---|\n",
        );
        for k in Scenario::knob_docs() {
            let range = match k.ty {
                "number" | "integer" => format!("{} – {}", bound(k.min), bound(k.max)),
                _ => String::new(),
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | `{}` | {} | {} |\n",
                k.path, k.ty, k.unit, k.default, range, k.doc
            ));
        }
        out
    }
}
