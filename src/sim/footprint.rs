//! How much memory a run needs, known before the run allocates anything.
//!
//! Two estimates, both in bytes of resident memory:
//!
//! * [`bound`] — an upper bound from the knobs alone, in microseconds: every person each
//!   `elsewhere` pool could send (as if every arrival came to the district), the initial stock,
//!   every recruitment hire and competition founder, a firm for each of them, a panel row for
//!   every firm and year, and the monthly records of every region. It overestimates ordinary
//!   scenarios 10–30×, because a district receives a small share of the national pools.
//! * [`estimate`] — a *pilot*: the same scenario simulated at a coarser `scale` (at most
//!   [`PILOT_AGENTS`] person agents by the bound), whose peak counts of people, firms, panel rows
//!   and openings are multiplied back to the scenario's own scale and priced at their sizes.
//!   People, firms and their panel are agents, so their counts scale with `1 / scale`; the monthly
//!   records, regions and funds do not, and are counted exactly. It is within 2× of the peak
//!   resident size measured for every bundled scenario (a test runs them and compares).
//!
//! Validation uses the bound first and runs the pilot only when the bound exceeds the limit, so
//! a sweep of ordinary points pays nothing; a pilot that could not itself fit is not started,
//! and the scenario is refused on the bound.

use std::mem::size_of;

use crate::metrics::{Events, MonthRow};
use crate::model::firm::Firm;
use crate::model::investor::Fund;
use crate::model::person::Person;
use crate::model::program::GrantState;
use crate::model::region::RegionState;
use crate::output::FirmYear;
use crate::scenario::{Scenario, ScenarioDef};

use super::World;

const MIB: f64 = (1u64 << 20) as f64;

/// Resident bytes of the program before a run allocates anything, where the system cannot say:
/// its code, the libraries and the thread pool (a release `talentsim run
/// scenarios/minimal.toml` peaks at 7.7 MiB, most of it this).
pub const BASELINE_BYTES: f64 = 7.0 * MIB;

/// A `/proc/self/status` figure in bytes (Linux), e.g. `"VmRSS:"`.
pub fn proc_status_bytes(field: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}

/// Resident bytes of this process now (Linux `VmRSS`), else [`BASELINE_BYTES`]: the program's
/// own part of a run it is about to start.
pub fn program_bytes() -> f64 {
    proc_status_bytes("VmRSS:").unwrap_or(BASELINE_BYTES)
}

/// The peak resident size of this process so far (Linux `VmHWM`), what `talentsim run` reports
/// beside the estimate `validate` prints.
pub fn peak_resident_bytes() -> Option<f64> {
    proc_status_bytes("VmHWM:")
}

/// Person agents (by [`bound`]) a pilot may simulate: its own memory stays a few MiB.
pub const PILOT_AGENTS: f64 = 200_000.0;

/// Region-months a pilot may simulate: the parts that grow with regions do not shrink with
/// `scale`, so a pilot of 10^5 regions would take as long as the run; beyond this the bound
/// stands.
pub const PILOT_REGION_MONTHS: f64 = 100_000.0;

/// Slack on a vector that grows by doubling: while it moves to a larger buffer the old one is
/// still resident, and the allocator may keep freed pages.
const GROWTH_SLACK: f64 = 1.5;

/// One part of a run's memory.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub name: &'static str,
    /// Items at the peak (people, firms, rows…), in the scenario's own agent units.
    pub items: f64,
    pub bytes: f64,
}

/// A run's memory by part.
#[derive(Clone, Debug, PartialEq)]
pub struct Footprint {
    pub parts: Vec<Part>,
    /// The `scale` the pilot ran at (`None` for [`bound`]).
    pub pilot_scale: Option<f64>,
}

impl Footprint {
    /// Total bytes.
    pub fn total(&self) -> f64 {
        self.parts.iter().map(|p| p.bytes).sum()
    }

    /// Items of the part called `name` (0 if absent).
    pub fn items(&self, name: &str) -> f64 {
        self.parts
            .iter()
            .find(|p| p.name == name)
            .map_or(0.0, |p| p.items)
    }

    /// The largest part other than the program itself.
    pub fn largest(&self) -> Option<&Part> {
        self.parts
            .iter()
            .filter(|p| p.name != PROGRAM)
            .max_by(|a, b| a.bytes.total_cmp(&b.bytes))
    }
}

pub const PROGRAM: &str = "program";
pub const PEOPLE: &str = "people";
pub const FIRMS: &str = "firms";
pub const PANEL: &str = "firm-year panel";
pub const OPENINGS: &str = "openings";
pub const RECORDS: &str = "monthly records";
pub const REGIONS: &str = "regions";
pub const FUNDS: &str = "funds";
pub const PROJECTS: &str = "competition edition";
pub const SUMMARY: &str = "summary.json";

/// Bytes a competition edition holds per project while its jury reads them.
pub const PROJECT_BYTES: f64 = 48.0;

fn years(def: &ScenarioDef) -> f64 {
    months(def) / 12.0
}

fn months(def: &ScenarioDef) -> f64 {
    ((def.end.0 as f64 - def.start.0 as f64) + 1.0).max(0.0)
}

/// Bytes of one row of monthly records: the row and its two strings (month and region name).
fn record_bytes(region_name: &str) -> f64 {
    // A heap string costs its length rounded up to 16 plus the allocator's 16-byte header.
    let string = |len: usize| (len.div_ceil(16) * 16 + 16) as f64;
    size_of::<MonthRow>() as f64 + string(7) + string(region_name.len())
}

/// Bytes `summary.json` holds in memory per resolved knob while it is written: the knob tree
/// and its JSON copy, a map entry, a key string and a value each (measured: a scenario of 2,000
/// regions, 71 knobs each, peaks about 28 MiB above its other parts).
const SUMMARY_BYTES_PER_KNOB: f64 = 200.0;

/// Leaf values of a TOML tree.
fn leaves(v: &toml::Value) -> usize {
    match v {
        toml::Value::Table(t) => t.values().map(leaves).sum(),
        toml::Value::Array(a) => a.iter().map(leaves).sum(),
        _ => 1,
    }
}

/// The parts that do not scale with `scale`: the program, monthly records, regions, funds and
/// the largest competition edition's projects (those do scale, but are held only while an
/// edition is judged).
fn fixed_parts(def: &ScenarioDef) -> Vec<Part> {
    let m = months(def);
    let records: f64 = def.region.iter().map(|r| m * record_bytes(&r.name)).sum();
    let region_bytes = (size_of::<RegionState>()
        + size_of::<Events>()
        + 2 * size_of::<super::people::Openings>()
        + 4 * size_of::<u64>()) as f64;
    let grants: usize = def.region.iter().map(|r| r.grant.len()).sum();
    let funds = def.capital.funds_initial as f64 + def.capital.new_funds_per_year * years(def);
    let edition = largest_edition(def).0;
    let knobs = leaves(&crate::scenario::schema::Knob::write(def)) as f64;
    vec![
        Part {
            name: PROGRAM,
            items: 1.0,
            bytes: program_bytes(),
        },
        Part {
            name: RECORDS,
            items: m * def.region.len() as f64,
            bytes: records * GROWTH_SLACK,
        },
        Part {
            name: REGIONS,
            items: def.region.len() as f64,
            bytes: def.region.len() as f64 * region_bytes
                + grants as f64 * size_of::<GrantState>() as f64,
        },
        Part {
            name: FUNDS,
            items: funds,
            bytes: funds * size_of::<Fund>() as f64 * GROWTH_SLACK,
        },
        Part {
            name: SUMMARY,
            items: knobs,
            bytes: knobs * SUMMARY_BYTES_PER_KNOB,
        },
        Part {
            name: PROJECTS,
            items: edition,
            bytes: edition * PROJECT_BYTES,
        },
    ]
}

/// The largest competition edition, in projects at the scenario's scale, and where it is
/// (region index, competition index).
pub fn largest_edition(def: &ScenarioDef) -> (f64, Option<(usize, usize)>) {
    let y = years(def);
    let mut best = (0.0f64, None);
    for (i, r) in def.region.iter().enumerate() {
        for (j, cp) in r.competition.iter().enumerate() {
            let n = cp.projects * (1.0 + cp.projects_growth).powf(y).max(1.0) / def.scale;
            if n > best.0 || n.is_nan() {
                best = (n, Some((i, j)));
            }
        }
    }
    best
}

/// The parts [`agent_parts`] makes: they scale with `1 / scale`.
pub const AGENT_PARTS: [&str; 4] = [PEOPLE, FIRMS, PANEL, OPENINGS];

/// Parts that are agents (people, firms, the panel, openings), priced from peak counts.
fn agent_parts(people: f64, firms: f64, panel: f64, openings: f64) -> Vec<Part> {
    vec![
        Part {
            name: PEOPLE,
            items: people,
            bytes: people * size_of::<Person>() as f64 * GROWTH_SLACK,
        },
        Part {
            name: FIRMS,
            items: firms,
            bytes: firms * size_of::<Firm>() as f64 * GROWTH_SLACK,
        },
        Part {
            name: PANEL,
            items: panel,
            bytes: panel * size_of::<FirmYear>() as f64 * GROWTH_SLACK,
        },
        Part {
            name: OPENINGS,
            items: openings,
            bytes: openings * 16.0 * GROWTH_SLACK,
        },
    ]
}

/// An upper bound of a run's memory from the knobs alone (see the module docs).
pub fn bound(def: &ScenarioDef) -> Footprint {
    let people = crate::scenario::estimate_peak_agents(def);
    let initial_firms: f64 = def
        .region
        .iter()
        .map(|r| {
            r.anchor.len() as f64
                + r.initial_startups_per_year.max(0.0) * def.firms.burn_in_years as f64 / def.scale
        })
        .sum();
    // A firm for every person (founders rarely found twice), a panel row per firm and year.
    let firms = initial_firms + people;
    let panel = firms * (years(def) + 1.0);
    let mut parts = fixed_parts(def);
    parts.extend(agent_parts(people, firms, panel, firms));
    Footprint {
        parts,
        pilot_scale: None,
    }
}

/// The `scale` a pilot of `def` runs at: coarse enough that the bound holds at most
/// [`PILOT_AGENTS`] person agents and that the pilot's own bound fits in `budget` bytes, never
/// finer than the scenario's own; `None` if no `scale` up to the knob's maximum of 10^6 makes
/// the pilot fit, or the scenario has more than [`PILOT_REGION_MONTHS`].
pub fn pilot_scale(def: &ScenarioDef, budget: f64) -> Option<f64> {
    if months(def) * def.region.len() as f64 > PILOT_REGION_MONTHS {
        return None;
    }
    // One bound: its agent parts shrink with `scale`, the rest stays.
    let b = bound(def);
    let agents: f64 = b
        .parts
        .iter()
        .filter(|p| AGENT_PARTS.contains(&p.name))
        .map(|p| p.bytes)
        .sum();
    let fixed = b.total() - agents;
    let people = b.items(PEOPLE) * def.scale;
    let need = if budget > fixed {
        def.scale * agents / (budget - fixed)
    } else {
        f64::INFINITY
    };
    let ps = (people / PILOT_AGENTS)
        .max(need)
        .ceil()
        .clamp(def.scale, 1.0e6);
    (fixed + agents * def.scale / ps <= budget).then_some(ps)
}

/// Estimate a run's memory with a pilot at [`pilot_scale`] (see the module docs), the pilot
/// itself held to `budget` bytes by its bound; `None` if it cannot be. `def` must be valid.
pub fn estimate(def: &ScenarioDef, budget: f64) -> Option<Footprint> {
    let ps = pilot_scale(def, budget)?;
    let mut d = def.clone();
    d.scale = ps;
    let sc = Scenario::from_def(d);
    let mut w = World::new(&sc, def.seed);
    let mut peak = [0usize; 4];
    let mut observe = |w: &World| {
        let openings: usize = w
            .openings
            .iter()
            .map(|o| o.firsts.len() + o.others.len())
            .sum();
        for (p, n) in peak
            .iter_mut()
            .zip([w.persons.len(), w.firms.len(), w.panel.len(), openings])
        {
            *p = (*p).max(n);
        }
    };
    observe(&w);
    let n = w.months();
    while w.t < n {
        w.step();
        observe(&w);
    }
    let k = ps / def.scale;
    let mut parts = fixed_parts(def);
    parts.extend(agent_parts(
        peak[0] as f64 * k,
        peak[1] as f64 * k,
        peak[2] as f64 * k,
        peak[3] as f64 * k,
    ));
    Some(Footprint {
        parts,
        pilot_scale: Some(ps),
    })
}

/// Format bytes for a message: MiB below 1 GiB, GiB above, scientific beyond 10^4 GiB.
pub fn human(bytes: f64) -> String {
    let gib = bytes / (1u64 << 30) as f64;
    if gib >= 1.0e4 || gib.is_nan() {
        format!("{gib:.2e} GiB")
    } else if gib >= 1.0 {
        format!("{gib:.1} GiB")
    } else {
        format!("{:.1} MiB", bytes / MIB)
    }
}

/// Memory the runs may use: `memory_limit_gib` if set, else what the machine has available
/// (Linux `MemAvailable`), else unbounded.
pub fn limit_bytes(def: &ScenarioDef) -> f64 {
    if def.memory_limit_gib > 0.0 {
        def.memory_limit_gib * (1u64 << 30) as f64
    } else {
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| {
                let line = t.lines().find(|l| l.starts_with("MemAvailable:"))?;
                line.split_whitespace().nth(1)?.parse::<f64>().ok()
            })
            .map_or(f64::INFINITY, |kb| kb * 1024.0)
    }
}

/// How many runs of `defs` (`compare`'s scenarios, a sweep's base) may be simulated at once
/// within [`limit_bytes`], at most `threads`, at least 1: each run holds its own world, so `n`
/// parallel runs need the program once and `n` times the rest. The bound decides where it
/// allows every thread; otherwise a pilot does.
pub fn concurrent_runs(defs: &[&ScenarioDef], threads: usize) -> usize {
    let threads = threads.max(1);
    let mut n = threads;
    for def in defs {
        let limit = limit_bytes(def);
        let program = program_bytes();
        let fits = |per_run: f64| {
            (((limit - program) / (per_run - program).max(1.0)).floor() as usize).clamp(1, threads)
        };
        let b = fits(bound(def).total());
        if b < threads {
            // The bound is loose: ask a pilot; without one, keep to the bound.
            n = n.min(
                estimate(def, (limit / 2.0).min(4.0 * (1u64 << 30) as f64))
                    .map_or(b, |fp| fits(fp.total())),
            );
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binjiang(limit_gib: f64) -> ScenarioDef {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/binjiang.toml");
        let mut def = crate::scenario::load(&path, &[]).unwrap().def;
        def.memory_limit_gib = limit_gib;
        def
    }

    #[test]
    fn parallel_runs_are_held_to_the_memory_limit() {
        // Plenty of memory: every thread.
        assert_eq!(concurrent_runs(&[&binjiang(1024.0)], 16), 16);
        // Room for the program and a few runs of about 22 MiB each beyond it: fewer threads,
        // never none.
        let program = program_bytes();
        let one = estimate(&binjiang(1024.0), f64::INFINITY).unwrap().total() - program;
        let limit = (program + 3.5 * one) / (1u64 << 30) as f64;
        let n = concurrent_runs(&[&binjiang(limit)], 16);
        // (The process grows a little between the two measurements.)
        assert!(
            (2..=3).contains(&n),
            "{n}: limit {limit} GiB, a run {one} B beyond the program"
        );
        assert_eq!(concurrent_runs(&[&binjiang(1e-6)], 16), 1);
    }

    #[test]
    fn the_bound_holds_the_pilot_estimate() {
        let def = binjiang(0.0);
        let (b, e) = (bound(&def), estimate(&def, f64::INFINITY).unwrap());
        for name in [PEOPLE, FIRMS, PANEL] {
            assert!(b.items(name) >= e.items(name), "{name}: {b:?} {e:?}");
        }
        assert!(e.pilot_scale.unwrap() > 1.0);
    }
}
