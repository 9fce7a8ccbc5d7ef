//! The resolve stage complete: a [`ScenarioSource`] resolved with overrides into a
//! [`Scenario`] that every layer has checked — the scenario's own rules
//! ([`crate::scenario`]), its targets' statistics against the outputs' columns
//! ([`crate::stats`]), and whether a run fits in memory ([`footprint`], which knows the sizes
//! of the world's parts and can run a pilot). This sits above the layers it calls, so that
//! none of them depends on a later one.

pub mod footprint;

use std::path::Path;

use footprint::{Footprint, PEOPLE, PROJECTS, RECORDS, SINGLES};

use crate::scenario::diag::Collector;
use crate::scenario::tree::Node;
use crate::scenario::{
    Override, PERSON_BYTES, Scenario, ScenarioDef, ScenarioError, ScenarioSource, people_drivers,
    span_of,
};

impl ScenarioSource {
    /// Resolve with `overrides` into a validated [`Scenario`]: every problem, in the files, in
    /// an override or in the values, reported at once with its location.
    pub fn resolve(&self, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        let mut persons = None;
        let mut sc = self.resolve_with(overrides, |def, root, c| persons = checks(def, root, c))?;
        sc.params.person_capacity = persons;
        Ok(sc)
    }
}

/// Load, merge, override and validate a scenario file: [`ScenarioSource::read`] then
/// [`ScenarioSource::resolve`] with the `--set` arguments. To resolve one file many times
/// (sweeps, calibration), keep the [`ScenarioSource`].
pub fn load(path: &Path, sets: &[String]) -> Result<Scenario, ScenarioError> {
    ScenarioSource::read(path).resolve(&Override::args(sets))
}

/// Parse and validate a scenario given as text (for tests and embedded scenarios); nothing is
/// written to disk.
pub fn from_str(name: &str, text: &str) -> Result<Scenario, ScenarioError> {
    ScenarioSource::from_toml(name, text).resolve(&[])
}

/// The checks above the scenario layer: each target's statistic, then memory. Returns the
/// person agents the memory pilot saw at its peak, if one ran (the room a run reserves).
fn checks(def: &ScenarioDef, root: &Node, c: &mut Collector) -> Option<usize> {
    for (i, t) in def.target.iter().enumerate() {
        let is = i.to_string();
        t.stat.check(
            &format!("target[{i}].stat"),
            root,
            &["target", &is, "stat"],
            Some(def),
            c,
        );
    }
    check_memory(def, root, c)
}

/// Refuse a scenario whose run would not fit in memory (see [`footprint`]): the
/// bound from the knobs first; where it exceeds the limit, a pilot at a coarser scale, unless
/// the pilot itself could not fit or the scenario has other problems.
pub fn check_memory(def: &ScenarioDef, root: &Node, c: &mut Collector) -> Option<usize> {
    let limit = footprint::limit_bytes(def);
    let fp = match over_limit(def, limit, c) {
        Fits::Bound => return None,
        Fits::Pilot(fp) => return Some(persons_with_margin(&fp)),
        Fits::No(fp) => fp,
    };
    let largest = fp.largest().map_or(PEOPLE, |p| p.name);
    let path = blamed_knob(def, largest);
    let refs: Vec<&str> = path.iter().map(String::as_str).collect();
    let too_large = TooLarge {
        def,
        fp: &fp,
        limit,
        largest,
        key: dotted_key(&path),
    };
    c.error_hint(
        span_of(root, &refs),
        &too_large.key,
        too_large.message(),
        too_large.hint(),
    );
    None
}

/// Room to reserve for a run's person agents from a pilot's footprint: its peak aggregated
/// agents (scaled back) and singles, and [`CAPACITY_MARGIN`] more.
fn persons_with_margin(fp: &Footprint) -> usize {
    ((fp.items(PEOPLE) + fp.items(SINGLES)) * CAPACITY_MARGIN).ceil() as usize
}

/// How much more than the pilot's peak a run reserves for its people (the pilot's peak is
/// within a few percent of the run's; a run past it grows the vector as usual).
const CAPACITY_MARGIN: f64 = 1.05;

/// Whether a run fits in memory, and by what: the bound from the knobs, a pilot's estimate,
/// or neither (with the footprint that shows it).
enum Fits {
    Bound,
    Pilot(Footprint),
    No(Footprint),
}

/// Whether a run of `def` fits in `limit` bytes: by the bound from the knobs, or where that
/// exceeds the limit and the scenario has no other problems, by a pilot's estimate (with the
/// footprint that shows it does not, if it does not). The pilot is held to the limit (and 4 GiB): its aggregated
/// people by its bound, its real parts as it runs.
fn over_limit(def: &ScenarioDef, limit: f64, c: &Collector) -> Fits {
    let bound = footprint::bound(def);
    if bound.total() <= limit {
        return Fits::Bound;
    }
    if c.diags.is_empty()
        && c.prior == 0
        && let Some(pilot) = footprint::estimate(def, footprint::pilot_budget(limit))
    {
        return if pilot.total() > limit {
            Fits::No(pilot)
        } else {
            Fits::Pilot(pilot)
        };
    }
    Fits::No(bound)
}

/// The knob (a path into the scenario) that drives the footprint's `largest` part: for people
/// (and the firms and panel they bring) the knob that brings the most people.
fn blamed_knob(def: &ScenarioDef, largest: &str) -> Vec<String> {
    match largest {
        PROJECTS => match footprint::largest_edition(def).1 {
            Some((i, j)) => vec![
                "region".into(),
                i.to_string(),
                "competition".into(),
                j.to_string(),
                "projects".into(),
            ],
            None => vec!["scale".into()],
        },
        RECORDS | footprint::REGIONS => vec![
            "region".into(),
            (def.region.len().saturating_sub(1)).to_string(),
        ],
        footprint::FUNDS => vec!["capital".into(), "new_funds_per_year".into()],
        _ => people_drivers(def)
            .iter()
            .max_by(|a, b| a.agents.total_cmp(&b.agents))
            .map(|d| d.path.clone())
            .unwrap_or_else(|| vec!["scale".into()]),
    }
}

/// A path as a diagnostic's dotted key: `["region", "0", "scale"]` is `region[0].scale`.
fn dotted_key(path: &[String]) -> String {
    path.iter().fold(String::new(), |mut k, seg| {
        if seg.parse::<usize>().is_ok() {
            k.push_str(&format!("[{seg}]"));
        } else {
            if !k.is_empty() {
                k.push('.');
            }
            k.push_str(seg);
        }
        k
    })
}

/// A run too large for memory, for the diagnostic that says so.
struct TooLarge<'a> {
    def: &'a ScenarioDef,
    /// The footprint that exceeds the limit (the bound or a pilot's).
    fp: &'a Footprint,
    /// The memory the run may use, bytes.
    limit: f64,
    /// The name of the footprint's largest part.
    largest: &'a str,
    /// The dotted key of the knob that drives it.
    key: String,
}

impl TooLarge<'_> {
    /// What the run needs, part by part, against the limit, and what drives most of it.
    fn message(&self) -> String {
        let (def, fp, key) = (self.def, self.fp, &self.key);
        let bytes = fp.total();
        let parts = fp
            .parts
            .iter()
            .filter(|p| p.bytes >= bytes / 100.0)
            .map(|p| format!("{} {}", p.name, footprint::human(p.bytes)))
            .collect::<Vec<_>>()
            .join(", ");
        let how = match fp.pilot_scale {
            Some(s) => format!("a pilot at scale {s} shows"),
            None => "at most".to_string(),
        };
        let limit_is = if def.memory_limit_gib > 0.0 {
            format!("the {} of `memory_limit_gib`", footprint::human(self.limit))
        } else {
            format!("the {} available", footprint::human(self.limit))
        };
        let what = match self.largest {
            PROJECTS => "a competition edition's projects".to_string(),
            RECORDS => format!("the monthly records of {} regions", def.region.len()),
            other => other.to_string(),
        };
        format!(
            "the scenario is too large for memory: {how} about {:.3e} person agents × {} B and {:.3e} firm agents ≈ {} ({parts}), more than {limit_is} (most of it: {what}, from `{key}`)",
            fp.items(PEOPLE),
            PERSON_BYTES,
            fp.items(footprint::FIRMS),
            footprint::human(bytes),
        )
    }

    /// How to make it fit: the `scale` that would, where people are the largest part and some
    /// scale does; otherwise lowering the knob that drives it. Only aggregated people shrink
    /// with `scale`: singles, firms and their panel are real at any scale (docs/ODD.md, 7.32).
    fn hint(&self) -> String {
        let key = &self.key;
        let people_scaled = self.largest == PEOPLE;
        let people_bytes = self.fp.bytes_of(PEOPLE);
        let rest = self.fp.total() - people_bytes;
        let needed_scale = if self.limit > rest {
            (self.def.scale * people_bytes / (self.limit - rest)).ceil()
        } else {
            f64::INFINITY
        };
        if people_scaled && needed_scale.is_finite() && needed_scale <= 1.0e6 {
            format!(
                "set `scale = {needed_scale}` or more (people per agent), lower `{key}`, or set `memory_limit_gib` if more memory is available"
            )
        } else if people_scaled {
            format!("lower `{key}`: no `scale` up to its maximum of 10^6 makes this fit")
        } else {
            format!(
                "lower `{key}` (this part does not shrink with `scale`), or set `memory_limit_gib` if more memory is available"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::schema::Knob;
    use crate::scenario::{Override, ScenarioSource};

    const TEXT: &str = include_str!("../../scenarios/minimal.toml");

    /// An override in memory and the same `--set` typed by a user give the same scenario and
    /// the same hash (the hash names the same bytes).
    #[test]
    fn value_and_arg_overrides_agree() {
        let src = ScenarioSource::from_toml("minimal.toml", TEXT);
        let by_arg = src
            .resolve(&[Override::Arg("region.Minitown.rent_cny=3100.5".into())])
            .unwrap();
        let by_value = src
            .resolve(&[Override::value("region.Minitown.rent_cny", 3100.5)])
            .unwrap();
        assert_eq!(by_arg.def.region[0].rent_cny, 3100.5);
        assert_eq!(by_value.def.region[0].rent_cny, 3100.5);
        assert_eq!(by_arg.source_hash, by_value.source_hash);
        assert_ne!(by_arg.source_hash, src.resolve(&[]).unwrap().source_hash);
    }

    /// A value in memory reaches the scenario bit for bit (no text round trip), and a whole
    /// float sets an integer knob.
    #[test]
    fn values_arrive_exactly() {
        let src = ScenarioSource::from_toml("minimal.toml", TEXT);
        let x: f64 = 0.1 + 0.2; // 0.30000000000000004
        let sc = src
            .resolve(&[
                Override::value("behaviour.founding_rate", x),
                Override::value("capital.funds_initial", 9.0),
            ])
            .unwrap();
        assert_eq!(sc.def.behaviour.founding_rate.to_bits(), x.to_bits());
        assert_eq!(sc.def.capital.funds_initial, 9);
    }

    /// Resolving does not consume or change the source: a bad override is reported against
    /// `--set`, and the next resolve starts from the file again.
    #[test]
    fn a_bad_override_leaves_the_source_intact() {
        let src = ScenarioSource::from_toml("minimal.toml", TEXT);
        let e = src
            .resolve(&[Override::value("region.Nowhere.rent_cny", 1.0)])
            .unwrap_err();
        let d = &e.diagnostics()[0];
        assert_eq!(d.file, "--set");
        assert!(d.message.contains("Minitown"), "{d}");
        let e = src
            .resolve(&[Override::value("region.Minitown.rent_cny", -5.0)])
            .unwrap_err();
        assert_eq!(e.diagnostics()[0].file, "--set");
        assert_eq!(e.diagnostics()[0].key, "region[0].rent_cny");
        let sc = src.resolve(&[]).unwrap();
        assert_eq!(sc.def.region[0].rent_cny, 2800.0);
    }

    /// A scenario written from its knobs reads back as the same knobs.
    #[test]
    fn from_def_round_trips() {
        let sc = ScenarioSource::from_toml("minimal.toml", TEXT)
            .resolve(&[])
            .unwrap();
        let again = ScenarioSource::from_def("memory", &sc.def)
            .resolve(&[])
            .unwrap();
        assert_eq!(
            toml::to_string(&sc.def.write()).unwrap(),
            toml::to_string(&again.def.write()).unwrap()
        );
    }
}
