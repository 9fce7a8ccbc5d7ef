//! How much memory a run needs, known before the run allocates anything.
//!
//! Two estimates, both in bytes of resident memory:
//!
//! * [`bound`] — an upper bound from the knobs alone, in microseconds: every person each
//!   `elsewhere` pool could send (as if every arrival came to the district), the initial stock,
//!   every recruitment hire and competition founder, a firm for each of them, a panel row for
//!   every firm and year, and the monthly records of every region. At `scale > 1` every real
//!   person may also become a single (a founder or startup employee, see [`Person::weight`]).
//!   It overestimates ordinary scenarios 10–30×, because a district receives a small share of
//!   the national pools.
//! * [`estimate`] — a *pilot*: the same scenario simulated at a coarser `scale` (at most
//!   [`PILOT_AGENTS`] person agents by the bound), whose peak counts are priced at their sizes:
//!   aggregated people are multiplied back to the scenario's own scale; singles, firms, their
//!   panel and the openings are real at any scale and counted as they are, and so are the
//!   monthly records, regions and funds. It is within 2× of the peak resident size measured for
//!   every bundled scenario (a test runs them and compares).
//!
//! Validation uses the bound first and runs the pilot only when the bound exceeds the limit, so
//! a sweep of ordinary points pays nothing; a pilot whose aggregated people could not fit is not
//! started, one whose real parts outgrow its budget is stopped, and the scenario is then refused
//! on the bound.

use std::mem::size_of;

use crate::metrics::MonthRow;
use crate::model::firm::Firm;
use crate::model::firm::FirmYear;
use crate::model::investor::Fund;
use crate::model::person::Person;
use crate::model::program::GrantState;
use crate::model::region::RegionState;
use crate::scenario::{Scenario, ScenarioDef, units};
use crate::sim::Events;

use crate::sim::World;

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

/// Firms and singles a pilot may create (they are real at any scale, so the pilot holds as
/// many as the run): beyond this it stops, and the bound stands.
pub const PILOT_REAL: f64 = 1_000_000.0;

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
    /// What the part holds (`people`, `firms`, `monthly records`, …), as memory messages name
    /// it.
    pub name: &'static str,
    /// Items at the peak (person agents, firms, rows…) at the scenario's own scale.
    pub items: f64,
    /// Bytes the part takes at the peak.
    pub bytes: f64,
}

/// A run's memory by part.
#[derive(Clone, Debug, PartialEq)]
pub struct Footprint {
    /// Every part of the run's memory.
    pub parts: Vec<Part>,
    /// The `scale` the pilot ran at (`None` for [`bound`]).
    pub pilot_scale: Option<f64>,
}

impl Footprint {
    /// Total bytes.
    pub fn total(&self) -> f64 {
        self.parts.iter().map(|p| p.bytes).sum()
    }

    fn part(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }

    /// Items of the part called `name` (0 if absent).
    pub fn items(&self, name: &str) -> f64 {
        self.part(name).map_or(0.0, |p| p.items)
    }

    /// Bytes of the part called `name` (0 if absent).
    pub fn bytes_of(&self, name: &str) -> f64 {
        self.part(name).map_or(0.0, |p| p.bytes)
    }

    /// The largest part other than the program itself.
    pub fn largest(&self) -> Option<&Part> {
        self.parts
            .iter()
            .filter(|p| p.name != PROGRAM)
            .max_by(|a, b| a.bytes.total_cmp(&b.bytes))
    }
}

// The parts' names, as memory messages show them.
pub(crate) const PROGRAM: &str = "program";
pub(crate) const PEOPLE: &str = "people";
pub(crate) const SINGLES: &str = "singles";
pub(crate) const FIRMS: &str = "firms";
pub(crate) const PANEL: &str = "firm-year panel";
pub(crate) const OPENINGS: &str = "openings";
pub(crate) const RECORDS: &str = "monthly records";
pub(crate) const REGIONS: &str = "regions";
pub(crate) const FUNDS: &str = "funds";
pub(crate) const PROJECTS: &str = "competition edition";
pub(crate) const SUMMARY: &str = "summary.json";

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
        + 2 * size_of::<crate::sim::people::Openings>()
        + 4 * size_of::<u64>()) as f64;
    let grants: usize = def.region.iter().map(|r| r.grant.len()).sum();
    // The tenancy book: a count per month a running tenancy may end in (the housing term,
    // and a VecDeque's rounding up to a power of two).
    let tenancy_book: f64 = def
        .region
        .iter()
        .map(|r| {
            let term = (units::months(r.housing.max_years).round().max(0.0) as usize + 1)
                .next_power_of_two();
            (term * size_of::<u64>()) as f64
        })
        .sum();
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
                + grants as f64 * size_of::<GrantState>() as f64
                + tenancy_book,
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

/// The largest competition edition, in projects (real at any scale), and where it is
/// (region index, competition index).
pub fn largest_edition(def: &ScenarioDef) -> (f64, Option<(usize, usize)>) {
    let y = years(def);
    let mut best = (0.0f64, None);
    for (i, r) in def.region.iter().enumerate() {
        for (j, cp) in r.competition.iter().enumerate() {
            let n = cp.projects * (1.0 + cp.projects_growth).powf(y).max(1.0);
            if n > best.0 || n.is_nan() {
                best = (n, Some((i, j)));
            }
        }
    }
    best
}

/// The parts [`agent_parts`] makes; only [`PEOPLE`] (aggregated person agents) scales with
/// `1 / scale`.
pub(crate) const AGENT_PARTS: [&str; 5] = [PEOPLE, SINGLES, FIRMS, PANEL, OPENINGS];

/// Parts that are agents (aggregated people, singles, firms, the panel, openings), priced
/// from peak counts.
fn agent_parts(people: f64, singles: f64, firms: f64, panel: f64, openings: f64) -> Vec<Part> {
    let person = size_of::<Person>();
    [
        (PEOPLE, people, person),
        (SINGLES, singles, person),
        (FIRMS, firms, size_of::<Firm>()),
        (PANEL, panel, size_of::<FirmYear>()),
        (OPENINGS, openings, 16),
    ]
    .into_iter()
    .map(|(name, items, size)| Part {
        name,
        items,
        bytes: items * size as f64 * GROWTH_SLACK,
    })
    .collect()
}

/// Firms at the start: anchors and every startup the burn-in could found (real at any scale).
fn initial_firms(def: &ScenarioDef) -> f64 {
    def.region
        .iter()
        .map(|r| {
            r.anchor.len() as f64
                + r.initial_startups_per_year.max(0.0) * def.firms.burn_in_years as f64
        })
        .sum()
}

/// An upper bound of a run's memory from the knobs alone (see the module docs).
pub fn bound(def: &ScenarioDef) -> Footprint {
    let people = crate::scenario::estimate_peak_agents(def);
    let real = people * def.scale;
    let singles = if def.scale > 1.0 { real } else { 0.0 };
    // A firm for every person (founders rarely found twice), a panel row per firm and year.
    let firms = initial_firms(def) + real;
    let panel = firms * (years(def) + 1.0);
    let mut parts = fixed_parts(def);
    parts.extend(agent_parts(people, singles, firms, panel, firms));
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
    // One bound: its aggregated people shrink with `scale`; the parts that are real at any
    // scale (singles, firms, panel, openings) are not priced here but watched while the pilot
    // runs ([`estimate`]); the rest stays.
    let b = bound(def);
    let agents = b.bytes_of(PEOPLE);
    let real: f64 = b
        .parts
        .iter()
        .filter(|p| AGENT_PARTS.contains(&p.name) && p.name != PEOPLE)
        .map(|p| p.bytes)
        .sum();
    // The initial firms are real and made before the pilot can watch them.
    let initial = initial_firms(def) * (size_of::<Firm>() + size_of::<FirmYear>()) as f64;
    let fixed = b.total() - agents - real + initial;
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
    // The program as it is before the pilot allocates anything (measured after, it would
    // count the pilot's own world).
    let mut parts = fixed_parts(def);
    let fixed: f64 = parts.iter().map(|p| p.bytes).sum();
    let mut w = World::new(&sc, def.seed);
    // Stop creating firms and singles where their records alone would pass the budget.
    let item = (size_of::<Firm>() + size_of::<Person>() + size_of::<FirmYear>()) as f64;
    w.cap = ((budget - fixed).max(0.0) / item).min(PILOT_REAL) as usize;
    let mut peak = [0usize; 5];
    // Peak counts so far; `false` once the pilot's own parts outgrow its budget.
    let mut observe = |w: &World| {
        let openings: usize = w
            .openings
            .iter()
            .map(|o| o.firsts.len() + o.others.len())
            .sum();
        // (The records of the gone and not yet dropped occupy memory as the living do, and
        // keep their kind: a single's scales as a single's.)
        let singles = w.persons.iter().filter(|p| p.single()).count();
        let now = [
            w.persons.len() - singles,
            singles,
            w.firms.len(),
            w.panel.len(),
            openings,
        ];
        for (p, n) in peak.iter_mut().zip(now) {
            *p = (*p).max(n);
        }
        let [a, s, f, y, o] = now.map(|n| n as f64);
        !w.over_cap
            && fixed
                + agent_parts(a, s, f, y, o)
                    .iter()
                    .map(|p| p.bytes)
                    .sum::<f64>()
                <= budget
    };
    if !observe(&w) {
        return None;
    }
    let n = w.months();
    while w.t < n {
        w.step();
        if !observe(&w) {
            return None;
        }
    }
    let k = ps / def.scale;
    parts.extend(agent_parts(
        peak[0] as f64 * k,
        peak[1] as f64,
        peak[2] as f64,
        peak[3] as f64,
        peak[4] as f64,
    ));
    Some(Footprint {
        parts,
        pilot_scale: Some(ps),
    })
}

/// Memory a pilot may use under a run's `limit`: the limit itself, at most 4 GiB. A pilot
/// holds fewer aggregated people than the run and the same real parts (singles, firms, their
/// panel), so a pilot that outgrows the limit shows that the run would too.
pub fn pilot_budget(limit: f64) -> f64 {
    limit.min(4.0 * (1u64 << 30) as f64)
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

/// Resident bytes a thread that simulates one run after another (a sweep's or `compare`'s
/// worker) holds, as a multiple of one run beyond the program: the allocator keeps part of a
/// finished run's memory (glibc raises its mmap threshold after large frees, so the next run's
/// vectors come from the heap, which it returns only from the top), and the burn-in memo
/// (`sim::burnin`, at most 2.9 MiB) stays. Measured on `binjiang-1000` at scale 20
/// (40 runs, `/usr/bin/time -v`): 1.52× on one thread, 1.70× on two.
pub const RUN_SLOT_RETAIN: f64 = 2.0;

/// How many runs of `defs` (`compare`'s scenarios, a sweep's base) may be simulated at once
/// within [`limit_bytes`], at most `threads`, at least 1: each run holds its own world, so `n`
/// parallel runs need the program once and `n` times the rest, [`RUN_SLOT_RETAIN`] times over.
/// The bound decides where it allows every thread; otherwise a pilot does.
pub fn concurrent_runs(defs: &[&ScenarioDef], threads: usize) -> usize {
    concurrent_runs_beside(defs, threads, program_bytes())
}

/// [`concurrent_runs`] for a program of `program` resident bytes.
fn concurrent_runs_beside(defs: &[&ScenarioDef], threads: usize, program: f64) -> usize {
    let threads = threads.max(1);
    let mut n = threads;
    for def in defs {
        let limit = limit_bytes(def);
        // A run beyond the program: the footprint less its own program part (measured when
        // it was made; the process may have grown since).
        let fits = |fp: &Footprint| {
            let run = (fp.total() - fp.bytes_of(PROGRAM)) * RUN_SLOT_RETAIN;
            (((limit - program) / run.max(1.0)).floor() as usize).clamp(1, threads)
        };
        let b = fits(&bound(def));
        if b < threads {
            // The bound is loose: ask a pilot; without one, keep to the bound.
            n = n.min(estimate(def, pilot_budget(limit)).map_or(b, |fp| fits(&fp)));
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binjiang(limit_gib: f64) -> ScenarioDef {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/binjiang.toml");
        let mut def = crate::resolve::load(&path, &[]).unwrap().def;
        def.memory_limit_gib = limit_gib;
        def
    }

    #[test]
    fn parallel_runs_are_held_to_the_memory_limit() {
        // Plenty of memory: every thread.
        assert_eq!(concurrent_runs(&[&binjiang(1024.0)], 16), 16);
        // Room for the program and three and a half run slots beyond it (a run and what a
        // thread keeps of the runs before it): three at once, never none. (The program's size
        // is fixed here: this test binary's own resident size moves with the tests running
        // beside it.)
        let program = 64.0 * MIB;
        let fp = estimate(&binjiang(1024.0), f64::INFINITY).unwrap();
        let one = (fp.total() - fp.bytes_of(PROGRAM)) * RUN_SLOT_RETAIN;
        let limit = (program + 3.5 * one) / (1u64 << 30) as f64;
        let n = concurrent_runs_beside(&[&binjiang(limit)], 16, program);
        assert_eq!(n, 3, "limit {limit} GiB, a run {one} B beyond the program");
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
