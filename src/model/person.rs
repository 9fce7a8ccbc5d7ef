//! People: graduates by education tier, high-level talent, founders.

use crate::rng::KeyedRng;
use crate::scenario::{Education, RegionId, ScenarioDef, SectorId, units};

use super::region::{RegionState, leave_index};

/// Who employs a person: nobody, the region's established employers (not modelled firm by
/// firm), or a modelled firm, by its index. Four bytes, as the index it mostly is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Employer(u32);

impl Employer {
    /// A job seeker's.
    pub const NONE: Employer = Employer(u32::MAX);
    /// The region's established employers.
    pub const INCUMBENT: Employer = Employer(u32::MAX - 1);

    /// The firm at `index` of the world's firms.
    #[inline]
    pub fn firm(index: usize) -> Employer {
        debug_assert!(index < Employer::INCUMBENT.0 as usize);
        Employer(index as u32)
    }

    /// The index of the modelled firm, if a firm employs the person.
    #[inline]
    pub fn firm_index(self) -> Option<usize> {
        (self.0 < Employer::INCUMBENT.0).then_some(self.0 as usize)
    }
}

/// What a person is doing this month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    /// Looking for a job (unemployed, or just arrived).
    Seeking = 0,
    /// Employed by an established employer or a modelled firm.
    Employed = 1,
    /// Running a firm they founded.
    Founder = 2,
}

/// The main thing a person does this month; at most one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Act {
    /// Nothing more than the flags of [`Decision`].
    Stay = 0,
    /// Leaves the labour force.
    Retire = 1,
    /// A founder moving with their firm to the region it relocated to.
    FollowFirm = 2,
    /// Leaves the region (for elsewhere, or another simulated region).
    Leave = 3,
    /// Founds a firm (an aggregated agent: some of its people do).
    Found = 4,
    /// A seeker who meets an opening (which one is drawn in the sequential phase).
    Match = 5,
}

/// A person's decision this month, made in the parallel phase from their own state and
/// last month's world ([`Person::decide`]) and applied in the sequential one: an [`Act`], and
/// whether they are out of their job first (`quit`: laid off, or their employer closed or
/// left the region) and whether they queue for a free talent room (`house`). One byte: the
/// act's code in the low three bits, then the flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(transparent)]
pub struct Decision(u8);

/// The bits of a [`Decision`].
mod bits {
    pub const ACT: u8 = 0b111;
    pub const QUIT: u8 = 1 << 3;
    pub const HOUSE: u8 = 1 << 4;
}

impl Decision {
    /// No decision: the apply phase does not visit the person.
    pub const NONE: Decision = Decision(0);

    /// A decision with only its act.
    #[inline]
    pub const fn of(act: Act) -> Decision {
        Decision(act as u8)
    }

    /// The same decision with another act.
    #[inline]
    pub const fn with_act(self, act: Act) -> Decision {
        Decision(self.0 & !bits::ACT | act as u8)
    }

    /// The same decision, out of the job first.
    #[inline]
    pub const fn with_quit(self) -> Decision {
        Decision(self.0 | bits::QUIT)
    }

    /// The same decision, queueing for a talent room.
    #[inline]
    pub const fn with_house(self) -> Decision {
        Decision(self.0 | bits::HOUSE)
    }

    /// The decision's act.
    #[inline]
    pub fn act(self) -> Act {
        match self.0 & bits::ACT {
            1 => Act::Retire,
            2 => Act::FollowFirm,
            3 => Act::Leave,
            4 => Act::Found,
            5 => Act::Match,
            _ => Act::Stay,
        }
    }

    /// Whether the person is out of their job first (laid off, or the employer closed or left).
    #[inline]
    pub fn quit(self) -> bool {
        self.0 & bits::QUIT != 0
    }

    /// Whether the person queues for a free talent room.
    #[inline]
    pub fn house(self) -> bool {
        self.0 & bits::HOUSE != 0
    }
}

/// The part of an employer a person's decision reads (8 bytes, so the parallel pass reads a
/// small, cache-resident table instead of the firm records).
#[derive(Clone, Copy, Debug)]
pub struct EmployerView {
    /// The firm's monthly layoff probability per employee.
    pub layoff: f32,
    /// The region the firm operates in.
    pub region: RegionId,
    /// Whether the firm operates (has not failed, been acquired or left).
    pub operating: bool,
}

impl EmployerView {
    /// The view of a firm with this layoff probability, region and state.
    pub fn new(layoff: f32, region: RegionId, operating: bool) -> EmployerView {
        EmployerView {
            layoff,
            region,
            operating,
        }
    }

    /// Whether the firm's staff in `region` can be quiet this month: it operates there and
    /// lays off at most [`CALM_LAYOFF`] of them, so that a layoff, leaving and spinning out
    /// are all that can happen to them, at a rate the leave clock covers.
    #[inline(always)]
    pub fn calm_in(&self, region: RegionId) -> bool {
        self.operating && self.layoff <= CALM_LAYOFF && self.region == region
    }
}

/// The highest monthly layoff probability of a calm firm ([`EmployerView::calm_in`]): the
/// share of the leave clock of a firm's quiet staff that stands for layoffs. (In the Binjiang
/// run about nine in ten startup employees work at a firm laying off at most this share in a
/// month, three in four at one laying off nobody.)
pub const CALM_LAYOFF: f32 = 0.02;

/// What a person's decision reads of their region this month, in one record (one bounds
/// check and one cache line or two per person in the decide pass).
#[derive(Clone, Copy, Debug, Default)]
pub struct RegionView {
    /// Monthly leave probabilities, by [`leave_index`] (last month's region state).
    pub leave: [f64; 8],
    /// Monthly probability a job seeker meets an opening.
    pub p_find: f64,
    /// Founding hazard per education code, at technology quality 1.
    pub found: [f64; 4],
    /// The months of age from which a person is past the talent-housing age
    /// ([`units::age_months_at_least`] of the housing `max_age`): younger is under it.
    pub young_below: i32,
    /// Whether a talent room is free.
    pub housing_free: bool,
    /// Whether the region's leave clock changed its rate this month: its quiet people are then
    /// visited and decide as everyone else, and draw their next candidate month at the new
    /// rate.
    pub rebound: bool,
    /// The monthly rates of the leave clocks of quiet people employed by the established
    /// employers (0) and by a firm (1): see [`Person::clock_rate`].
    clock: [f64; 2],
    /// `ln(1 − rate)` of each clock, for the geometric draws of candidate months.
    clock_ln: [f64; 2],
}

impl RegionView {
    /// The view of region state `st` with founding hazards `found`, housing age `young_below`
    /// and whether a room is free; its leave clock runs at `st.leave_bound` (changed this
    /// month when `rebound`), a firm's quiet staff's at that plus [`CALM_LAYOFF`] and
    /// `spinout_agent`, the spin-out probability of an aggregated agent (at most 1).
    pub fn new(
        st: &RegionState,
        found: [f64; 4],
        young_below: i32,
        housing_free: bool,
        rebound: bool,
        spinout_agent: f64,
    ) -> Self {
        let clock = [
            st.leave_bound.min(1.0),
            (st.leave_bound + CALM_LAYOFF as f64 + spinout_agent).min(1.0),
        ];
        RegionView {
            leave: st.leave,
            p_find: st.p_find,
            found,
            young_below,
            housing_free,
            rebound,
            clock,
            clock_ln: clock.map(|r| (-r).ln_1p()),
        }
    }
}

/// A person's own state this month as their decision and the census read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    /// Age in whole months.
    pub months: i32,
    /// Under the region's talent-housing age.
    pub young: bool,
    /// In a talent room this month.
    pub housed: bool,
    /// Status before this month's decision.
    pub status: Status,
}

/// What a person's decision reads of the world: this month, their region's view and their
/// employer's, and the month's constants.
#[derive(Clone, Copy)]
pub struct PersonContext<'a> {
    /// Month index since the start.
    pub t: i32,
    /// Every region, by index, as its people see it.
    pub regions: &'a [RegionView],
    /// Every firm, by index, as its people see it.
    pub firms: &'a [EmployerView],
    /// Monthly spin-out probability of an employee of a modelled firm.
    pub spinout: f64,
    /// Monthly probability that an aggregated agent employed by a modelled firm spins out (any
    /// of its `scale` people): `1 − (1 − spinout)^scale`; `spinout` at full scale.
    pub spinout_agent: f64,
    /// Retirement age, in months of age ([`units::age_months_at_least`] of the retirement age
    /// in years: the same test as comparing the age in years).
    pub retire_months: i32,
    /// People per aggregated agent (`scale`).
    pub scale: u64,
    /// Whether any region's leave clock changed its rate this month ([`RegionView::rebound`]).
    pub any_rebound: bool,
    /// Whether people may be made quiet ([`crate::sim::World::quiet`]).
    pub quiet: bool,
}

/// A founder's monthly hazard of leaving the region, relative to anyone else's (a founder
/// stays with their firm).
pub const FOUNDER_LEAVE_FACTOR: f64 = 0.2;
/// The highest monthly founding probability of a technology carrier.
pub const MAX_FOUNDING_HAZARD: f64 = 0.5;
/// Months after arriving in which a newcomer may queue for a talent room.
pub const HOUSING_QUEUE_MONTHS: i32 = 12;

/// Monthly probability that one person of `p` (status `status`) founds a firm: the founding
/// hazard of a technology carrier (`found` for their education × the technology's quality,
/// at most [`MAX_FOUNDING_HAZARD`]), or the spin-out rate of an employee of a modelled firm.
pub fn founding_hazard(p: &Person, status: Status, found: &[f64; 4], spinout: f64) -> f64 {
    if p.carries() {
        (found[p.edu() as usize] * p.tech() as f64).min(MAX_FOUNDING_HAZARD)
    } else if status == Status::Employed && p.employer.firm_index().is_some() {
        spinout
    } else {
        0.0
    }
}

/// Bit of `kind` marking a person agent that stands for one person at any `scale`.
const SINGLE: u8 = 1 << 4;

/// One person agent: at `scale = s` an *aggregated* agent stands for `s` people, a *single*
/// for one (founders and startup staff, so that firms are one agent per real firm at any
/// scale; `docs/ODD.md`, 7.32). 24 bytes; kept small because the decide pass reads every
/// record every month, if only to count a quiet person ([`Person::quiet`]; at 32 bytes
/// `decide` once took 28% longer). The technology rating is stored as 16-bit fixed point,
/// education and status share a byte, and `when`, `tech` and `sched` mean different things for
/// active and quiet people: read them through the accessors.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Person {
    /// Stable identity, the key of this person's random streams: a [`crate::rng::key`] of
    /// how the person came (initial stock, arrival month, region, pool, index within that
    /// draw), never a count of the people before them (see `docs/ODD.md`, 7.31).
    pub key: u64,
    /// Who employs the person (nobody, the established employers, or a modelled firm).
    pub employer: Employer,
    /// Quality of the technology this person carries, in units of `1/TECH_UNIT` (0: none);
    /// a quiet newcomer's last month in the housing queue ([`QUEUE`]), who carries none.
    tech: u16,
    /// Birth month, relative to the scenario start (negative before it).
    pub born: i16,
    /// An active person's month of arrival in the current region, relative to the start; a
    /// quiet person's next visit ([`Person::quiet`]).
    when: i16,
    /// Last month of a talent-housing tenancy (−1: not housed).
    pub housed_until: i16,
    /// Index of the region the person lives in.
    pub region: RegionId,
    /// Sector of training (index into the scenario's sectors).
    pub sector: SectorId,
    /// [`Education`] code (bits 0–1), [`Status`] (bits 2–3) and [`SINGLE`] (bit 4).
    kind: u8,
    /// A quiet person's schedule: their census cell until the next visit less its status
    /// (bits 0–3: a quiet person is employed), [`QUEUE`], [`GONE`], [`QUIET`] and
    /// [`LEAVE_CANDIDATE`]; 0 for an active person.
    sched: u8,
}

/// The bits of `sched` that hold a quiet person's census cell above its status bits.
const CELL: u8 = 0b1111;
/// Bit of `sched`: a quiet newcomer still in the housing queue, until the month in `tech`;
/// they claim a room in any month one is free.
const QUEUE: u8 = 1 << 4;
/// Bit of `sched`: gone from the population ([`Person::bury`]).
const GONE: u8 = 1 << 5;
/// Bit of `sched`: the person is quiet — nothing but leaving, retiring, a room and the census
/// cell's thresholds can change them — and the month passes skip them until `when`.
const QUIET: u8 = 1 << 6;
/// Bit of `sched`: the next visit is a candidate month of the region's leave clock.
const LEAVE_CANDIDATE: u8 = 1 << 7;
/// `sched` of a person who has left the population and awaits removal: quiet, in a census
/// cell of no status (the census does not count it).
const DEAD: u8 = QUIET | GONE;

/// The number of [`Person::quiet_slot`]s.
pub const QUIET_SLOTS: usize = (CELL | GONE) as usize + 1;

/// The census cell of quiet slot `slot`, or `None` for the slots of the gone.
#[inline]
pub fn slot_cell(slot: usize) -> Option<usize> {
    (slot & GONE as usize == 0).then_some((slot & CELL as usize) << 2 | Status::Employed as usize)
}

const _: () = assert!(std::mem::size_of::<Person>() == crate::scenario::PERSON_BYTES);

/// Fixed-point unit of a carried technology's rating (ratings up to 3.99, steps of 6·10⁻⁵).
const TECH_UNIT: f32 = 16384.0;

impl Person {
    /// One person's decision this month (`docs/ODD.md`, 7.3–7.7), in this order: retire at
    /// the retirement age; a founder whose firm moved follows it; a newcomer of eligible age
    /// queues for a free talent room; an employee whose employer closed, left the region or
    /// laid them off is out of the job; leave the region at the region's leave hazard (a
    /// founder at [`FOUNDER_LEAVE_FACTOR`] of it); found a firm (a technology carrier at the
    /// founding hazard, an employee of a modelled firm at the spin-out rate; an aggregated
    /// agent when any of its people does); a seeker meets an opening at the job-finding rate.
    /// `AGGREGATED`: whether the pass may meet aggregated agents (`scale > 1`), so that the
    /// full-scale pass is compiled without their branch. Draws from `rng` in that order.
    #[inline(always)]
    pub fn decide<const AGGREGATED: bool>(
        &self,
        ctx: &PersonContext<'_>,
        rng: &mut KeyedRng,
    ) -> Decision {
        let rv = &ctx.regions[self.region.index()];
        self.decide_now::<AGGREGATED>(ctx, rv, self.now(ctx.t, rv.young_below), rng)
    }

    /// What the decision reads of the person's own state at month `t`, in a region whose
    /// housing age is `young_below` months of age (the census counts the same).
    #[inline(always)]
    pub fn now(&self, t: i32, young_below: i32) -> Now {
        // Ages in whole months against thresholds in months: no division per person.
        let months = t - self.born as i32;
        Now {
            months,
            young: months < young_below,
            housed: self.housed(t),
            status: self.status(),
        }
    }

    /// [`Person::decide`] from the person's region view `rv` and state `now` (as
    /// [`Person::now`] gives them), for a pass that has them already.
    #[inline(always)]
    pub fn decide_now<const AGGREGATED: bool>(
        &self,
        ctx: &PersonContext<'_>,
        rv: &RegionView,
        now: Now,
        rng: &mut KeyedRng,
    ) -> Decision {
        // Locals, not loads through `ctx`, in the hot loop.
        let PersonContext {
            t,
            firms,
            spinout,
            retire_months,
            scale,
            ..
        } = *ctx;
        let Now {
            months,
            young,
            housed,
            status,
        } = now;
        let mut d = Decision::NONE;
        if months >= retire_months {
            return Decision::of(Act::Retire);
        }
        if self.claims_room(t, rv, now) {
            d = d.with_house();
        }
        let mut status = status;
        if let Some(fi) = self.employer.firm_index() {
            let f = &firms[fi];
            let gone = !f.operating || f.region != self.region;
            if status == Status::Founder {
                if f.region != self.region && f.operating {
                    return Decision::of(Act::FollowFirm);
                }
                if gone {
                    d = d.with_quit();
                    status = Status::Seeking;
                }
            } else if gone || rng.chance(f.layoff as f64) {
                d = d.with_quit();
                status = Status::Seeking;
            }
        }
        let seeking = status == Status::Seeking;
        let mut leave = rv.leave[leave_index(seeking, housed, young)];
        if status == Status::Founder {
            leave *= FOUNDER_LEAVE_FACTOR;
        }
        if rng.chance(leave) {
            return d.with_act(Act::Leave);
        }
        if status != Status::Founder
            && self.founds::<AGGREGATED>(status, &rv.found, spinout, scale, rng)
        {
            return d.with_act(Act::Found);
        }
        if seeking && rng.chance(rv.p_find) {
            d = d.with_act(Act::Match);
        }
        d
    }

    /// Whether the person (an aggregated agent: any of its `scale` people) founds a firm this
    /// month: a technology carrier at the founding hazard (`found` for their education × the
    /// technology's quality), an employee of a modelled firm at `spinout`.
    #[inline(always)]
    fn founds<const AGGREGATED: bool>(
        &self,
        status: Status,
        found: &[f64; 4],
        spinout: f64,
        scale: u64,
        rng: &mut KeyedRng,
    ) -> bool {
        if AGGREGATED && !self.single() {
            // Each of the agent's people founds on their own hazard; the agent stays, and the
            // apply phase hands the founders to singles.
            let per = founding_hazard(self, status, found, spinout);
            return per > 0.0 && rng.chance(1.0 - (1.0 - per).powf(scale as f64));
        }
        // One draw for anyone who could found (a carrier, or an employee of a modelled firm).
        let can =
            self.carries() || (status == Status::Employed && self.employer.firm_index().is_some());
        can && rng.chance(founding_hazard(self, status, found, spinout))
    }

    /// A quiet person's decision at a visit ([`Person::quiet`]): exactly what
    /// [`Person::decide_now`] decides for someone past the housing queue and carrying no
    /// technology who is employed by the established employers or by a calm firm
    /// ([`EmployerView::calm_in`]) — retire at the retirement age; else (a firm's employee)
    /// be laid off, then leave at a seeker's probability or meet an opening; else leave;
    /// else (a firm's employee) spin out — except that only a candidate month of the
    /// region's leave clock (`candidate`) draws: one uniform number over the clock's rate
    /// ([`Person::clock_rate`]) decides between a layoff (the firm's probability `l`),
    /// leaving (`(1 − l)·e`, `e` the region's leave probability), spinning out
    /// (`(1 − l)(1 − e)·s`) and nothing, so that each month's chance of each is the monthly
    /// rule's (`docs/ODD.md`, 7.4); what follows a layoff draws as in the monthly rule.
    #[inline(always)]
    pub fn decide_quiet(
        &self,
        ctx: &PersonContext<'_>,
        rv: &RegionView,
        now: Now,
        candidate: bool,
        rng: &mut KeyedRng,
    ) -> Decision {
        if now.months >= ctx.retire_months {
            return Decision::of(Act::Retire);
        }
        let d = if self.claims_room(ctx.t, rv, now) {
            Decision::NONE.with_house()
        } else {
            Decision::NONE
        };
        if !candidate {
            return d;
        }
        let firm = self.employer.firm_index();
        let u = rng.uniform() * self.clock_rate(rv);
        let layoff = firm.map_or(0.0, |fi| ctx.firms[fi].layoff as f64);
        if u < layoff {
            // Out of the job, then as a seeker (no founding without a technology).
            let d = d.with_quit();
            if rng.chance(rv.leave[leave_index(true, now.housed, now.young)]) {
                return d.with_act(Act::Leave);
            }
            if rng.chance(rv.p_find) {
                return d.with_act(Act::Match);
            }
            return d;
        }
        let kept = 1.0 - layoff;
        let leave = rv.leave[leave_index(false, now.housed, now.young)];
        if u < layoff + kept * leave {
            return d.with_act(Act::Leave);
        }
        let spin = match (firm, self.weight(ctx.scale) > 1) {
            (None, _) => 0.0,
            (Some(_), true) => ctx.spinout_agent,
            (Some(_), false) => ctx.spinout,
        };
        if u < layoff + kept * (leave + (1.0 - leave) * spin) {
            return d.with_act(Act::Found);
        }
        d
    }

    /// Whether the person, in state `now` at month `t`, queues for a room of region view `rv`
    /// this month: one is free, and they are a newcomer in the housing queue, under the
    /// housing age and without a room.
    #[inline(always)]
    pub fn claims_room(&self, t: i32, rv: &RegionView, now: Now) -> bool {
        rv.housing_free && now.young && !now.housed && self.housed_until < 0 && self.queue_open(t)
    }

    /// The monthly rate of a quiet person's leave clock in region view `rv`: the region's
    /// rate (at least the leave probability of anyone employed), plus, for a firm's employee,
    /// a calm firm's highest layoff probability ([`CALM_LAYOFF`]) and the spin-out probability
    /// of an aggregated agent (at least anyone's), at most 1.
    #[inline(always)]
    pub fn clock_rate(&self, rv: &RegionView) -> f64 {
        rv.clock[self.employer.firm_index().is_some() as usize]
    }

    /// Months from a visit to the next candidate month of the person's leave clock after it
    /// (0: the next month), a geometric draw from `rng` at [`Person::clock_rate`].
    #[inline(always)]
    pub fn next_candidate(&self, rv: &RegionView, rng: &mut KeyedRng) -> u64 {
        rng.geometric_ln(rv.clock_ln[self.employer.firm_index().is_some() as usize])
    }

    /// Whether the person's employer leaves them nothing the leave clock does not cover this
    /// month: the region's established employers, or a calm firm ([`EmployerView::calm_in`]).
    #[inline(always)]
    pub fn calm_employer(&self, firms: &[EmployerView]) -> bool {
        self.employer == Employer::INCUMBENT
            || self
                .employer
                .firm_index()
                .is_some_and(|fi| firms[fi].calm_in(self.region))
    }

    /// Whether the person is quiet: employed by the region's established employers or a calm
    /// firm, carrying no technology and past the housing queue, so that only leaving, spinning
    /// out, retiring, their firm's change and the census cell's age and tenancy thresholds can
    /// change them; the month passes skip a quiet person until [`Person::next_visit`] (or a
    /// month their firm is not calm), counting them in [`Person::quiet_slot`].
    #[inline(always)]
    pub fn quiet(&self) -> bool {
        self.sched & QUIET != 0
    }

    /// A quiet person's census slot until their next visit: their cell less its status bits
    /// (they are employed) and the bit of the gone, below [`QUIET_SLOTS`]; [`slot_cell`] is
    /// the cell of a living person's slot.
    #[inline(always)]
    pub fn quiet_slot(&self) -> usize {
        (self.sched & (CELL | GONE)) as usize
    }

    /// Whether a quiet person is still in the housing queue ([`Person::queue_open`]).
    #[inline(always)]
    pub fn queued(&self) -> bool {
        self.sched & QUEUE != 0
    }

    /// A quiet person's next visit (month index).
    #[inline(always)]
    pub fn next_visit(&self) -> i32 {
        self.when as i32
    }

    /// Whether a quiet person's next visit is a candidate month of the leave clock.
    #[inline(always)]
    pub fn leave_candidate(&self) -> bool {
        self.sched & LEAVE_CANDIDATE != 0
    }

    /// Make the person (employed, carrying no technology) quiet until month `next` (at most
    /// `i16::MAX`), counted in census cell `cell` until then; `candidate`: `next` is a
    /// candidate month of the leave clock; `queue`: the last month they are in the housing
    /// queue, if they may still claim a room before `next`.
    #[inline]
    pub fn set_quiet(&mut self, next: i32, cell: usize, candidate: bool, queue: Option<i16>) {
        debug_assert!(cell < 64 && cell & 0b11 == Status::Employed as usize);
        debug_assert!(!self.carries() || self.queued());
        let mut sched = QUIET | (cell >> 2) as u8;
        if candidate {
            sched |= LEAVE_CANDIDATE;
        }
        if let Some(last) = queue {
            sched |= QUEUE;
            self.tech = last as u16;
        } else {
            self.tech = 0;
        }
        self.when = next.min(i16::MAX as i32) as i16;
        self.sched = sched;
    }

    /// The last month of the housing queue of an active newcomer (their arrival month and
    /// [`HOUSING_QUEUE_MONTHS`]) or of a quiet one still in it.
    #[inline(always)]
    pub fn queue_last(&self) -> i32 {
        if self.queued() {
            self.tech as i16 as i32
        } else {
            self.when as i32 + HOUSING_QUEUE_MONTHS
        }
    }

    /// Mark the person as gone from the population (left, retired, handed over): the month
    /// passes skip and the census omits them until the world drops them
    /// ([`crate::sim::World::agents`] lists the others).
    #[inline]
    pub fn bury(&mut self) {
        self.when = i16::MAX;
        self.sched = DEAD;
    }

    /// Whether the person has gone from the population ([`Person::bury`]).
    #[inline(always)]
    pub fn dead(&self) -> bool {
        self.sched == DEAD
    }

    /// Make a quiet person active again (visited every month): a newcomer still in the
    /// housing queue keeps their place in it, anyone else is past it.
    #[inline]
    pub fn wake(&mut self) {
        *self = self.active();
    }

    /// This person as an active one: unchanged if active; a quiet one's `when` back to an
    /// arrival month (a queued newcomer's, or one over a queue ago) and their `tech` field
    /// back to no technology if it held the queue's close.
    #[inline]
    fn active(&self) -> Person {
        if !self.quiet() {
            return *self;
        }
        let mut p = Person { sched: 0, ..*self };
        if self.queued() {
            p.when = (self.queue_last() - HOUSING_QUEUE_MONTHS) as i16;
            p.tech = 0;
        } else {
            p.when = i16::MIN;
        }
        p
    }

    /// The person has just arrived in their region at month `t` (active).
    #[inline]
    pub fn set_arrived(&mut self, t: i32) {
        self.when = t as i16;
        self.sched = 0;
    }

    /// Whether the person may still queue for a talent room at month `t`: a newcomer who
    /// arrived at most [`HOUSING_QUEUE_MONTHS`] ago (a quiet one [`Person::queued`]).
    #[inline(always)]
    pub fn queue_open(&self, t: i32) -> bool {
        (!self.quiet() || self.queued()) && t <= self.queue_last()
    }

    /// A person who has just come: not housed, no decision yet.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        key: u64,
        employer: Employer,
        tech: f32,
        born: i16,
        arrived: i16,
        region: RegionId,
        edu: u8,
        sector: SectorId,
        status: Status,
    ) -> Person {
        let mut p = Person {
            key,
            employer,
            tech: 0,
            born,
            when: arrived,
            housed_until: -1,
            region,
            sector,
            kind: 0,
            sched: 0,
        };
        p.set_tech(tech);
        p.set_edu(edu);
        p.set_status(status);
        p
    }

    /// A new agent with this one's birth, arrival, region, education, sector and technology:
    /// a single split from it or an aggregated agent formed from it (`docs/ODD.md`, 7.32).
    /// Not housed, active; `single` marks it as one person.
    pub fn like(&self, key: u64, employer: Employer, status: Status, single: bool) -> Person {
        let mut p = Person {
            key,
            employer,
            housed_until: -1,
            kind: self.kind & 0b11,
            ..self.active()
        };
        p.set_status(status);
        if single {
            p.set_single();
        }
        p
    }

    /// Age in whole years at month `t`.
    #[inline]
    pub fn age(&self, t: i32) -> f32 {
        units::years_f32(t - self.born as i32)
    }
    /// What the person is doing: seeking, employed or founder.
    #[inline]
    pub fn status(&self) -> Status {
        // A table, not a match: the decide pass reads the status several times per person.
        const BY_CODE: [Status; 4] = [
            Status::Seeking,
            Status::Employed,
            Status::Founder,
            Status::Seeking,
        ];
        BY_CODE[(self.kind >> 2 & 3) as usize]
    }
    /// Change what the person is doing.
    #[inline]
    pub fn set_status(&mut self, s: Status) {
        self.kind = (self.kind & !0b1100) | (s as u8) << 2;
    }
    /// Whether this agent stands for one person (see [`Person::weight`]).
    #[inline]
    pub fn single(&self) -> bool {
        self.kind & SINGLE != 0
    }
    /// Mark the agent as a single (one person at any `scale`).
    #[inline]
    pub fn set_single(&mut self) {
        self.kind |= SINGLE;
    }
    /// People this agent stands for: 1 for a single, `scale` (a whole number) otherwise.
    #[inline]
    pub fn weight(&self, scale: u64) -> u64 {
        if self.single() { 1 } else { scale }
    }
    /// [`Education`] code ([`edu_code`]).
    #[inline]
    pub fn edu(&self) -> u8 {
        self.kind & 0b11
    }
    /// Set the [`Education`] code ([`edu_code`]).
    #[inline]
    pub fn set_edu(&mut self, edu: u8) {
        self.kind = (self.kind & !0b11) | (edu & 0b11);
    }
    /// Whether the person carries a technology (a rating above 0).
    #[inline]
    pub fn carries(&self) -> bool {
        self.tech != 0 && !self.queued()
    }
    /// Rating of the technology carried (0: none).
    #[inline]
    pub fn tech(&self) -> f32 {
        if self.queued() {
            return 0.0;
        }
        self.tech as f32 / TECH_UNIT
    }
    /// Carry a technology rated `q` (clamped to what the field holds; 0 or less: none).
    #[inline]
    pub fn set_tech(&mut self, q: f32) {
        self.tech = (q.max(0.0) * TECH_UNIT).round().min(u16::MAX as f32) as u16;
    }
    /// Whether the person holds a talent room in month `t`.
    #[inline]
    pub fn housed(&self, t: i32) -> bool {
        self.housed_until as i32 >= t
    }
    /// The person's education tier.
    pub fn education(&self) -> Education {
        Education::ALL[self.edu() as usize]
    }
}

/// Education tiers as `u8` codes in the order of [`Education::ALL`].
pub fn edu_code(e: Education) -> u8 {
    Education::ALL.iter().position(|&x| x == e).unwrap_or(0) as u8
}

/// Draw a sector by the sectors' talent shares.
pub fn draw_sector(def: &ScenarioDef, rng: &mut KeyedRng) -> SectorId {
    let total: f64 = def.sector.iter().map(|s| s.talent_share).sum();
    let mut u = rng.uniform() * total;
    for (i, s) in def.sector.iter().enumerate() {
        u -= s.talent_share;
        if u < 0.0 {
            return SectorId(i as u8);
        }
    }
    SectorId((def.sector.len() - 1) as u8)
}

/// Quality of a carried technology: log-normal around 0.45, capped.
pub fn draw_tech(rng: &mut KeyedRng, median: f64) -> f32 {
    rng.lognormal(median, 0.45).clamp(0.05, 2.0) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    struct World {
        regions: Vec<RegionState>,
        firms: Vec<EmployerView>,
    }

    /// The context of month 120 over `regions` and `firms`: retirement at 60, full scale, no
    /// spin-outs.
    fn context<'a>(regions: &'a [RegionView], firms: &'a [EmployerView]) -> PersonContext<'a> {
        PersonContext {
            t: 120,
            regions,
            firms,
            spinout: 0.0,
            spinout_agent: 0.0,
            retire_months: units::age_months_at_least(60.0),
            scale: 1,
            any_rebound: false,
            quiet: true,
        }
    }

    impl World {
        /// One region where nobody leaves and every seeker meets an opening; firm 0 is in
        /// region 0 and operating, firm 1 has moved to region 1, firm 2 has closed.
        fn new() -> World {
            let st = RegionState {
                p_find: 1.0,
                ..RegionState::default()
            };
            let firm = |region, operating| EmployerView {
                layoff: 0.0,
                region,
                operating,
            };
            World {
                regions: vec![st.clone(), st],
                firms: vec![
                    firm(RegionId(0), true),
                    firm(RegionId(1), true),
                    firm(RegionId(0), false),
                ],
            }
        }

        fn decide(&self, p: &Person, housing_free: bool) -> Decision {
            let views: Vec<RegionView> = self
                .regions
                .iter()
                .map(|st| RegionView::new(st, [0.0; 4], 420, housing_free, false, 0.0))
                .collect();
            let ctx = context(&views, &self.firms);
            p.decide::<false>(
                &ctx,
                &mut KeyedRng::new(1, 120, crate::rng::Phase::Person, p.key),
            )
        }
    }

    /// Born `years` before month 120, arrived at `arrived`.
    fn person(years: i16, arrived: i16, employer: Employer, status: Status) -> Person {
        Person::new(
            7,
            employer,
            0.0,
            120 - 12 * years,
            arrived,
            RegionId(0),
            1,
            SectorId(0),
            status,
        )
    }

    #[test]
    fn decisions_follow_the_rules_in_order() {
        let w = World::new();
        // At the retirement age: retire, nothing else.
        let old = person(61, 0, Employer::INCUMBENT, Status::Employed);
        assert_eq!(w.decide(&old, true), Decision::of(Act::Retire));
        // A founder whose firm moved follows it, and queues for no room.
        let founder = person(30, 120, Employer::firm(1), Status::Founder);
        let d = w.decide(&founder, true);
        assert_eq!(
            (d.act(), d.quit(), d.house()),
            (Act::FollowFirm, false, false)
        );
        // An employee of a closed firm is out of the job, then (p_find = 1) meets an opening;
        // a newcomer of eligible age also queues for a free room.
        let staff = person(30, 118, Employer::firm(2), Status::Employed);
        let d = w.decide(&staff, true);
        assert_eq!((d.act(), d.quit(), d.house()), (Act::Match, true, true));
        // Without a free room, or arrived over a year ago, no queue.
        assert!(!w.decide(&staff, false).house());
        let settled = person(30, 100, Employer::firm(2), Status::Employed);
        assert!(!w.decide(&settled, true).house());
        // Employed at an operating firm, not laid off: no decision at all.
        let fine = person(40, 0, Employer::firm(0), Status::Employed);
        assert_eq!(w.decide(&fine, true), Decision::NONE);
    }

    #[test]
    fn a_decision_keeps_its_act_and_flags() {
        let d = Decision::NONE.with_house().with_quit().with_act(Act::Leave);
        assert_eq!((d.act(), d.quit(), d.house()), (Act::Leave, true, true));
        assert_eq!(d.with_act(Act::Found).act(), Act::Found);
    }

    /// A quiet person keeps their schedule and cell until woken; waking or arriving closes
    /// or reopens the housing queue, and an agent formed from a quiet one is active.
    #[test]
    fn a_quiet_schedule_and_the_housing_queue() {
        let mut p = person(30, 115, Employer::INCUMBENT, Status::Employed);
        assert!(!p.quiet() && p.queue_open(120) && !p.queue_open(128));
        p.set_quiet(40_000, 37, true, None);
        assert!(p.quiet() && p.leave_candidate() && !p.queue_open(120));
        assert_eq!(
            (p.next_visit(), slot_cell(p.quiet_slot())),
            (i16::MAX as i32, Some(37))
        );
        assert_eq!(p.status(), Status::Employed);
        let q = p.like(9, Employer::NONE, Status::Seeking, true);
        assert!(!q.quiet() && !q.queue_open(120) && q.single());
        p.wake();
        assert!(!p.quiet() && !p.queue_open(120));
        p.set_arrived(120);
        assert!(!p.quiet() && p.queue_open(132) && !p.queue_open(133));
        assert!(!p.dead());
        p.bury();
        assert!(p.dead() && p.quiet() && p.next_visit() == i16::MAX as i32);
        // No census cell of a living person is the dead's.
        p.set_quiet(200, 0b11_1101, false, None);
        assert!(!p.dead() && slot_cell(p.quiet_slot()) == Some(0b11_1101));
        // A quiet newcomer keeps their place in the queue: the month it closes is kept, and
        // restored as their arrival when they wake; they carry nothing meanwhile.
        let mut n = person(30, 115, Employer::INCUMBENT, Status::Employed);
        n.set_quiet(130, 0b01_0101, false, Some(127));
        assert!(n.queued() && !n.carries() && n.tech() == 0.0 && n.queue_open(127));
        assert!(!n.queue_open(128) && n.next_visit() == 130);
        assert!(!n.like(3, Employer::NONE, Status::Seeking, false).carries());
        n.wake();
        assert!(!n.quiet() && n.queue_open(127) && !n.queue_open(128) && !n.carries());
    }

    /// A quiet person retires at the retirement age, leaves only in a candidate month of the
    /// leave clock, and at a clock rate equal to the leave probability always does.
    #[test]
    fn a_quiet_decision_thins_the_leave_draw() {
        let view = |bound: f64, spinout_agent: f64| {
            let st = RegionState {
                leave: [0.25; 8],
                leave_bound: bound,
                ..RegionState::default()
            };
            RegionView::new(&st, [0.0; 4], 420, true, false, spinout_agent)
        };
        let firms: [EmployerView; 0] = [];
        let regions = [view(0.25, 0.0)];
        let c = context(&regions, &firms);
        let p = person(40, 0, Employer::INCUMBENT, Status::Employed);
        let now = p.now(120, 420);
        let rng = || KeyedRng::new(1, 120, crate::rng::Phase::Person, p.key);
        assert_eq!(
            p.decide_quiet(&c, &regions[0], now, true, &mut rng()),
            Decision::of(Act::Leave)
        );
        assert_eq!(
            p.decide_quiet(&c, &regions[0], now, false, &mut rng()),
            Decision::NONE
        );
        let old = person(61, 0, Employer::INCUMBENT, Status::Employed);
        assert_eq!(
            old.decide_quiet(&c, &regions[0], old.now(120, 420), false, &mut rng()),
            Decision::of(Act::Retire)
        );
        // At a clock rate of four times the probability, a quarter of candidates leave.
        let slow = view(1.0, 0.0);
        let left = (0..4000u64)
            .filter(|&k| {
                let mut r = KeyedRng::new(k, 120, crate::rng::Phase::Person, p.key);
                p.decide_quiet(&c, &slow, now, true, &mut r) == Decision::of(Act::Leave)
            })
            .count();
        assert!((900..1100).contains(&left), "{left} of 4000 left");
        // A calm firm's employee (layoff 0.01): the clock runs at 0.25 + CALM_LAYOFF + 0.5;
        // per candidate month, a layoff takes 0.01 of it, leaving (1 − 0.01)·0.25 and
        // spinning out (1 − 0.01)(1 − 0.25)·0.5.
        let firms = [EmployerView::new(0.01, RegionId(0), true)];
        let c = PersonContext {
            firms: &firms,
            spinout: 0.5,
            spinout_agent: 0.5,
            ..c
        };
        let regions = [view(0.25, 0.5)];
        let staff = person(40, 0, Employer::firm(0), Status::Employed);
        let rate = 0.25 + CALM_LAYOFF as f64 + 0.5;
        assert!((staff.clock_rate(&regions[0]) - rate).abs() < 1e-12);
        let (mut laid_off, mut left, mut spun) = (0, 0, 0);
        let n = 20_000u64;
        for k in 0..n {
            let mut r = KeyedRng::new(k, 120, crate::rng::Phase::Person, p.key);
            let d = staff.decide_quiet(&c, &regions[0], now, true, &mut r);
            match (d.quit(), d.act()) {
                (true, _) => laid_off += 1,
                (false, Act::Leave) => left += 1,
                (false, Act::Found) => spun += 1,
                (false, act) => assert_eq!(act, Act::Stay),
            }
        }
        let within = |got: u64, p: f64, what: &str| {
            let (mean, sd) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
            assert!(
                (got as f64 - mean).abs() < 4.0 * sd,
                "{what}: {got} of {n}, expected {mean:.0}"
            );
        };
        within(laid_off, 0.01 / rate, "laid off");
        within(left, 0.99 * 0.25 / rate, "left");
        within(spun, 0.99 * 0.75 * 0.5 / rate, "spun out");
    }
}
