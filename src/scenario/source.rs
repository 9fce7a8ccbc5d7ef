//! The resolve stage: an input's sources are read once into a [`Source`] (the merged tree of a
//! file and its `extends` chain, or of a TOML text, with every text and span kept), then
//! resolved as often as needed with [`Override`]s held in memory — a sweep's points, a
//! calibration's steps — into a validated value. Nothing is read from disk twice, so a file
//! edited during a long sweep changes nothing in it, and the hash names the bytes read.
//!
//! As in ripgrep's `LowArgs → HiArgs` and uv's settings resolve: the low stage keeps what the
//! user wrote (with where), the high stage is typed, checked and complete.

use std::path::{Path, PathBuf};

use super::diag::{Collector, Diagnostic, Diagnostics, SourceMap};
use super::schema::{Knob, Spec};
use super::tree::{self, Node};
use super::{Fnv, ScenarioDef, ScenarioError, drop_spoiled, sort_diagnostics};

/// One change to an input before it is read against its schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Override {
    /// A `--set path.to.knob=value` argument, as the user typed it (the value is TOML; a bare
    /// word is a string).
    Arg(String),
    /// A knob set to a value in memory. Diagnostics name it as the `--set` `path=value`.
    Value {
        /// The knob's `--set`-style path (`region.Binjiang.housing.units`).
        path: String,
        /// Its value.
        value: toml::Value,
    },
}

impl Override {
    /// A knob set to a value in memory.
    pub fn value(path: impl Into<String>, value: impl Into<toml::Value>) -> Override {
        Override::Value {
            path: path.into(),
            value: value.into(),
        }
    }

    /// `--set` arguments as overrides.
    pub fn args(sets: &[String]) -> Vec<Override> {
        sets.iter().cloned().map(Override::Arg).collect()
    }
}

/// The sources of one input, read and merged once (see the module doc).
#[derive(Debug, Clone)]
pub struct Source {
    /// The file it was read from; for a text in memory, its name.
    pub path: PathBuf,
    root: Option<Node>,
    sources: SourceMap,
    diags: Vec<Diagnostic>,
}

impl Source {
    /// Read a file and its `extends` chain.
    pub fn read(path: &Path) -> Source {
        let mut sources = SourceMap::default();
        let (root, diags) = tree::load(path, &mut sources);
        Source {
            path: path.to_path_buf(),
            root,
            sources,
            diags,
        }
    }

    /// Parse a TOML text held in memory, named `name` in diagnostics; an `extends` in it is
    /// read relative to the current directory.
    pub fn from_toml(name: &str, text: &str) -> Source {
        let mut sources = SourceMap::default();
        let (root, diags) = tree::load_str(name, text, &mut sources);
        Source {
            path: PathBuf::from(name),
            root,
            sources,
            diags,
        }
    }

    /// Change the merged tree once, before any override (e.g. materialise defaults that
    /// overrides may address). `f` may register texts of its own in the source map.
    pub fn prepare(mut self, f: impl FnOnce(&mut Node, &mut SourceMap)) -> Source {
        if let Some(root) = &mut self.root {
            f(root, &mut self.sources);
        }
        self
    }

    /// FNV-1a hash (hex) of every text read — the file, its `extends` chain, prepared defaults —
    /// and of `overrides`, as [`Source::resolve`] reports it.
    pub fn hash(&self, overrides: &[Override]) -> String {
        let mut hash = Fnv::default();
        for s in &self.sources.sources {
            hash.write(s.name.as_bytes());
            hash.write(s.text.as_bytes());
        }
        for o in overrides {
            hash.write(b"--set");
            match o {
                Override::Arg(a) => hash.write(a.as_bytes()),
                Override::Value { path, value } => {
                    hash.write(format!("{path}={}", tree::literal(value)).as_bytes())
                }
            }
        }
        format!("{:016x}", hash.0)
    }

    /// Apply `overrides` to a copy of the tree, read it against `T`'s schema and run `check`
    /// for cross-field rules. Every problem — in the files, in an override, in the values — is
    /// reported at once, sorted by file and position. Returns the value and
    /// [`Source::hash`].
    pub fn resolve<T: Knob>(
        &self,
        overrides: &[Override],
        check: impl FnOnce(&T, &Node, &mut Collector),
    ) -> Result<(T, String), ScenarioError> {
        let mut diags = self.diags.clone();
        let Some(root) = &self.root else {
            return Err(ScenarioError::Invalid(Diagnostics(diags)));
        };
        let mut root = root.clone();
        let mut sources = self.sources.clone();
        for o in overrides {
            let applied = match o {
                Override::Arg(a) => tree::apply_set(&mut root, a, &mut sources),
                Override::Value { path, value } => {
                    tree::apply_value(&mut root, path, value, &mut sources)
                }
            };
            if let Err(d) = applied {
                diags.push(d);
            }
        }
        let mut c = Collector::new(&sources);
        c.prior = diags.len();
        let spec = Spec {
            min: f64::NEG_INFINITY,
            max: f64::INFINITY,
            unit: "",
        };
        let value = T::read(&root, "", &spec, &mut c);
        if let Some(v) = &value {
            check(v, &root, &mut c);
        }
        diags.extend(c.diags);
        drop_spoiled(&mut diags);
        sort_diagnostics(&mut diags, &sources);
        if !diags.is_empty() {
            return Err(ScenarioError::Invalid(Diagnostics(diags)));
        }
        let value = value.expect("a table root always reads");
        Ok((value, self.hash(overrides)))
    }
}

/// A scenario's sources, read once: resolve it with overrides as often as needed.
///
/// ```
/// use talentsim::scenario::{Override, ScenarioSource};
/// let src = ScenarioSource::read("scenarios/minimal.toml".as_ref());
/// let a = src.resolve(&[]).unwrap();
/// let b = src.resolve(&[Override::value("scale", 20)]).unwrap();
/// assert_eq!(b.def.scale, 20.0);
/// assert_ne!(a.source_hash, b.source_hash);
/// ```
#[derive(Debug, Clone)]
pub struct ScenarioSource {
    source: Source,
}

impl ScenarioSource {
    /// Read a scenario file and its `extends` chain.
    pub fn read(path: &Path) -> ScenarioSource {
        ScenarioSource::prepared(Source::read(path))
    }

    /// A scenario given as TOML text (`name` is what diagnostics call it).
    pub fn from_toml(name: &str, text: &str) -> ScenarioSource {
        ScenarioSource::prepared(Source::from_toml(name, text))
    }

    /// A scenario built in memory: its knobs written as a TOML tree (named `name`).
    pub fn from_def(name: &str, def: &ScenarioDef) -> ScenarioSource {
        let text = toml::to_string(&def.write()).unwrap_or_default();
        ScenarioSource::from_toml(name, &text)
    }

    fn prepared(source: Source) -> ScenarioSource {
        let source = source.prepare(|root, sources| {
            if root.get("sector").is_none() {
                // Materialise the default sectors so `--set sector.iot.growth=…` can address them.
                let mut t = toml::Table::new();
                t.insert("sector".into(), ScenarioDef::default().sector.write());
                let file =
                    sources.add("<default sectors>", toml::to_string(&t).unwrap_or_default());
                let mut c = Collector::new(sources);
                if let Some(defaults) = tree::parse_text(file, &mut c) {
                    tree::merge(root, defaults);
                }
            }
        });
        ScenarioSource { source }
    }

    /// The file it was read from (for a text, its name).
    pub fn path(&self) -> &Path {
        &self.source.path
    }

    /// Resolve with `overrides` into a [`super::Scenario`] that passed this layer's checks and
    /// then `more`, the checks of layers above (the outputs' columns, the memory a run needs).
    /// Use `ScenarioSource::resolve` (in `crate::resolve`), which adds all of them.
    pub fn resolve_with(
        &self,
        overrides: &[Override],
        more: impl FnOnce(&ScenarioDef, &Node, &mut Collector),
    ) -> Result<super::Scenario, ScenarioError> {
        let (def, source_hash) = self.source.resolve(overrides, |def, root, c| {
            super::validate::validate(def, root, c);
            super::params::check(def, root, c);
            more(def, root, c);
        })?;
        Ok(super::Scenario {
            params: super::SimParams::new(&def),
            def,
            path: self.source.path.clone(),
            source_hash,
        })
    }
}
