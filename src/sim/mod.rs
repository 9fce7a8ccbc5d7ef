//! The simulation: a world and the month as an ordered list of phases.
//!
//! ```text
//! environment → arrivals (+ competitions) → people (parallel decisions, sequential apply:
//! matching, departures, founding, housing) → firms operate (parallel) → grants & joint R&D →
//! funding (venture, talent fund, banks) → growth, milestones and exits → vacancies → record
//! ```
//! Decisions that touch only the deciding agent run in parallel with a keyed random stream per
//! agent; everything that touches shared state (matching, budgets, deals) runs sequentially in
//! a fixed order. Results are therefore identical on any thread count.

pub mod burnin;
pub mod events;
pub mod finance;
pub mod firms;
pub mod init;
pub mod people;
pub mod programs;

pub use events::Events;

use crate::model::firm::FirmYear;
use crate::model::firm::{Firm, Kind};
use crate::model::investor::Fund;
use crate::model::person::Person;
use crate::model::region::RegionState;
use crate::scenario::units;
use crate::scenario::{Month, Scenario, ScenarioDef, SimParams};

/// Everything that exists in one run.
pub struct World<'s> {
    /// The scenario being run.
    pub def: &'s ScenarioDef,
    /// `def`'s ids and rates in the simulation's units.
    pub params: &'s SimParams,
    /// The run's seed, the root of every random stream key.
    pub seed: u64,
    /// Months since the scenario start.
    pub t: u32,
    /// People an aggregated person agent stands for (`scale`, a whole number).
    pub scale: u64,
    /// Person agents: aggregated ones and singles (see [`Person::weight`]), and up to one in
    /// eight records of people gone from the population and not yet dropped
    /// ([`Person::bury`]); [`World::agents`] lists the living.
    pub persons: Vec<Person>,
    /// Records of `persons` that are gone ([`Person::dead`]).
    pub dead: usize,
    /// Per region, people the aggregated agents have handed to singles and not yet given up
    /// (positive) or received back from singles (negative); kept within `(−scale, scale)` by
    /// removing or re-forming an aggregated agent (`docs/ODD.md`, 7.32). The region's people
    /// are its agents' weights minus this.
    pub owed: Vec<i64>,
    /// Firms and singles the run may create before it stops creating them and marks
    /// `over_cap` (a memory pilot's guard, `crate::resolve::footprint::estimate`; unlimited in a run).
    pub cap: usize,
    pub(crate) over_cap: bool,
    /// Each region's [`crate::rng::name_key`], the region part of every stream key.
    pub region_keys: Vec<u64>,
    /// Every firm of the run, anchors included, exited ones kept: a firm's index never changes.
    pub firms: Vec<Firm>,
    /// Indices of the firms operating when this month's firm phases began (refreshed by
    /// [`firms::operate`]), in index order: the firm phases visit these, not every firm ever
    /// founded. A firm that exits during the month is still listed; phases check.
    pub live: Vec<u32>,
    /// Indices of the anchors (chain leaders), in index order; they never exit.
    pub anchors: Vec<u32>,
    /// Venture funds still investing (a fund past its investment period or out of capital is
    /// dropped).
    pub funds: Vec<Fund>,
    /// Each region's state this month, in scenario order.
    pub regions: Vec<RegionState>,
    /// This month's events per region (real units).
    pub events: Vec<Events>,
    /// The firm-year panel: a row per firm alive each December, at the last month, and when a
    /// firm exits ([`World::close_month`]).
    pub panel: Vec<FirmYear>,
    /// Wage/price index relative to the start.
    pub price_index: f64,
    /// Per region, the openings for this month's matching.
    pub openings: Vec<people::Openings>,
    /// Outside-option utility this month.
    pub u_out: f64,
    /// Whether people may be quiet between visits (`docs/ODD.md`, 7.4; on in every run).
    /// Off, everyone decides by the monthly rule every month: the reference the tests compare
    /// the quiet scheme against (the same model, other random numbers).
    pub quiet: bool,
}

/// How much the person vector grows when full: by `1 / PERSONS_GROWTH` of its length (or what
/// is asked, if more), not by doubling — a quarter at most of its records is slack (an eighth
/// on average over a run that grows), instead of up to a half.
const PERSONS_GROWTH: usize = 4;

/// Make room in `persons` for `extra` more records, growing it by a quarter when it is full
/// ([`PERSONS_GROWTH`]); every push to `World::persons` goes through it.
pub(crate) fn grow_persons(persons: &mut Vec<Person>, extra: usize) {
    if persons.capacity() - persons.len() < extra {
        persons.reserve_exact(extra.max(persons.len() / PERSONS_GROWTH));
    }
}

/// One phase of the month: its name (as in `docs/ODD.md`, "Process overview and scheduling")
/// and the function that runs it.
#[derive(Clone, Copy)]
pub struct Phase {
    /// Its name, as in `docs/ODD.md`.
    pub name: &'static str,
    /// What it does to the world.
    pub run: fn(&mut World<'_>),
}

/// The month, in order: the one list [`World::step`], the `phases` example and the benches
/// run.
pub const MONTH: [Phase; 11] = [
    Phase {
        name: "environment",
        run: people::environment,
    },
    Phase {
        name: "arrivals",
        run: people::arrivals,
    },
    Phase {
        name: "competitions",
        run: programs::competitions,
    },
    Phase {
        name: "people",
        run: people::people,
    },
    Phase {
        name: "operate",
        run: firms::operate,
    },
    Phase {
        name: "grants",
        run: programs::grants,
    },
    Phase {
        name: "joint_rd",
        run: programs::joint_rd,
    },
    Phase {
        name: "funding",
        run: finance::funding,
    },
    Phase {
        name: "growth_and_exits",
        run: firms::growth_and_exits,
    },
    Phase {
        name: "vacancies",
        run: firms::vacancies,
    },
    Phase {
        name: "close",
        run: close_month,
    },
];

fn close_month(w: &mut World<'_>) {
    w.close_month();
}

/// The phase of [`MONTH`] named `name`.
pub fn phase(name: &str) -> Option<&'static Phase> {
    MONTH.iter().find(|p| p.name == name)
}

impl<'s> World<'s> {
    /// Build the starting world (people, anchors, funds, policies) for `seed`.
    pub fn new(sc: &'s Scenario, seed: u64) -> World<'s> {
        init::build(sc, seed)
    }

    /// Months in the run, from the scenario's start to its end inclusive.
    pub fn months(&self) -> u32 {
        self.def.end.0 - self.def.start.0 + 1
    }

    /// The calendar month the clock is at.
    pub fn month(&self) -> Month {
        Month(self.def.start.0 + self.t)
    }

    /// Years since the start, as a fraction.
    pub fn years(&self) -> f64 {
        units::years(self.t as f64)
    }

    /// Advance one month: [`World::begin_month`], every phase of [`MONTH`] in order, then the
    /// clock.
    pub fn step(&mut self) {
        // A month's parallel passes start from a thread of rayon's pool: called from outside
        // it, the whole month moves onto one (one hand-over a month instead of one per pass,
        // and the calling thread does not sleep and wake at each); on the pool, in place.
        rayon::scope(|_| {
            self.begin_month();
            for phase in &MONTH {
                (phase.run)(self);
            }
            self.t += 1;
        })
    }

    /// Start a month: clear the month's events.
    pub fn begin_month(&mut self) {
        for e in &mut self.events {
            *e = Events::default();
        }
    }

    /// The month the last [`World::step`] simulated (what an observer after it records).
    pub fn simulated_month(&self) -> Month {
        Month(self.def.start.0 + self.t.saturating_sub(1))
    }

    /// Close the month (the last phase of [`World::step`]): the firm-year panel gets one row
    /// per firm alive in the year, each December, at the last month, and when a firm exits;
    /// in December the year's running totals restart.
    pub fn close_month(&mut self) {
        let month = self.month();
        let december = month.month() == 12 || self.t + 1 == self.months();
        for (i, f) in self.firms.iter_mut().enumerate() {
            let exited_now = f.outcome_month == self.t as i32;
            let alive = f.operating();
            if (december && alive) || exited_now {
                self.panel.push(FirmYear {
                    firm_id: i as u32,
                    year: month.year(),
                    headcount: f.headcount,
                    revenue_cny: f.revenue_ytd,
                    valuation_cny: f.valuation,
                    stage: f.stage,
                    raised_cny: f.raised_ytd,
                });
            }
            if month.month() == 12 {
                f.revenue_ytd = 0.0;
                f.raised_ytd = 0.0;
            }
        }
    }

    /// Step to the end, calling `each_month` after every step and `progress(t, months)`.
    pub fn run_with(
        &mut self,
        mut each_month: impl FnMut(&World<'s>),
        mut progress: impl FnMut(u32, u32),
    ) {
        let n = self.months();
        while self.t < n {
            self.step();
            each_month(self);
            progress(self.t, n);
        }
    }

    /// The person agents of the population (`persons` without the records of people gone
    /// and not yet dropped).
    pub fn agents(&self) -> impl Iterator<Item = &Person> {
        self.persons.iter().filter(|p| !p.dead())
    }

    /// How many person agents the population has (the length of [`World::agents`]).
    pub fn agent_count(&self) -> usize {
        self.persons.len() - self.dead
    }

    /// Number of firm agents of a kind (for tests and benches).
    pub fn count_firms(&self, kind: Kind) -> usize {
        self.firms.iter().filter(|f| f.kind == kind).count()
    }
}
