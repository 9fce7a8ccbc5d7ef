//! People: graduates by education tier, high-level talent, founders.

use crate::rng::KeyedRng;
use crate::scenario::{Education, ScenarioDef};

/// Employer code of a job seeker.
pub const NO_EMPLOYER: u32 = u32::MAX;
/// Employer code of the region's established employers (not modelled firm by firm).
pub const INCUMBENT: u32 = u32::MAX - 1;

/// What a person is doing this month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    Seeking = 0,
    Employed = 1,
    Founder = 2,
}

/// Decision flags set by the parallel person phase and applied by the sequential one.
pub mod decide {
    pub const LEAVE: u8 = 1;
    pub const FOUND: u8 = 2;
    pub const QUIT: u8 = 4;
    pub const MATCH: u8 = 8;
    pub const RETIRE: u8 = 16;
    /// A candidate for a free talent room this month.
    pub const HOUSE: u8 = 32;
    /// Left the region this month (removed at the end of the apply phase).
    pub const GONE: u8 = 64;
}

/// Bit of `kind` marking a person agent that stands for one person at any `scale`.
const SINGLE: u8 = 1 << 4;

/// One person agent: at `scale = s` an *aggregated* agent stands for `s` people, a *single*
/// for one (founders and startup staff, so that firms are one agent per real firm at any
/// scale; `docs/ODD.md`, 7.32). 24 bytes; kept small because the step
/// streams over every person every month (the month's person passes are memory-bound: at 32
/// bytes `decide` took 28% longer). The technology rating is stored as 16-bit fixed point and
/// education and status share a byte; read them through the accessors.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Person {
    /// Stable identity, the key of this person's random streams: a [`crate::rng::key`] of
    /// how the person came (initial stock, arrival month, region, pool, index within that
    /// draw), never a count of the people before them (see `docs/ODD.md`, 7.31).
    pub key: u64,
    /// [`NO_EMPLOYER`], [`INCUMBENT`], or the index of a firm.
    pub employer: u32,
    /// Quality of the technology this person carries, in units of `1/TECH_UNIT` (0: none).
    tech: u16,
    /// Birth month, relative to the scenario start (negative before it).
    pub born: i16,
    /// Month of arrival in the current region, relative to the start.
    pub arrived: i16,
    /// Last month of a talent-housing tenancy (−1: not housed).
    pub housed_until: i16,
    /// Index of the region the person lives in.
    pub region: u8,
    /// Sector of training (index into the scenario's sectors).
    pub sector: u8,
    /// [`Education`] code (bits 0–1), [`Status`] (bits 2–3) and [`SINGLE`] (bit 4).
    kind: u8,
    /// Decisions of this month ([`decide`]).
    pub decision: u8,
}

const _: () = assert!(std::mem::size_of::<Person>() == crate::scenario::PERSON_BYTES);

/// Fixed-point unit of a carried technology's rating (ratings up to 3.99, steps of 6·10⁻⁵).
const TECH_UNIT: f32 = 16384.0;

impl Person {
    /// A person who has just come: not housed, no decision yet.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        key: u64,
        employer: u32,
        tech: f32,
        born: i16,
        arrived: i16,
        region: u8,
        edu: u8,
        sector: u8,
        status: Status,
    ) -> Person {
        let mut p = Person {
            key,
            employer,
            tech: 0,
            born,
            arrived,
            housed_until: -1,
            region,
            sector,
            kind: 0,
            decision: 0,
        };
        p.set_tech(tech);
        p.set_edu(edu);
        p.set_status(status);
        p
    }

    /// A new agent with this one's birth, arrival, region, education, sector and technology:
    /// a single split from it or an aggregated agent formed from it (`docs/ODD.md`, 7.32).
    /// Not housed, no decision; `single` marks it as one person.
    pub fn like(&self, key: u64, employer: u32, status: Status, single: bool) -> Person {
        let mut p = Person {
            key,
            employer,
            housed_until: -1,
            decision: 0,
            kind: self.kind & 0b11,
            ..*self
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
        (t - self.born as i32) as f32 / 12.0
    }
    #[inline]
    pub fn status(&self) -> Status {
        match self.kind >> 2 & 3 {
            1 => Status::Employed,
            2 => Status::Founder,
            _ => Status::Seeking,
        }
    }
    #[inline]
    pub fn set_status(&mut self, s: Status) {
        self.kind = (self.kind & !0b1100) | (s as u8) << 2;
    }
    /// Whether this agent stands for one person (see [`Person::weight`]).
    #[inline]
    pub fn single(&self) -> bool {
        self.kind & SINGLE != 0
    }
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
    #[inline]
    pub fn set_edu(&mut self, edu: u8) {
        self.kind = (self.kind & !0b11) | (edu & 0b11);
    }
    /// Rating of the technology carried (0: none).
    #[inline]
    pub fn tech(&self) -> f32 {
        self.tech as f32 / TECH_UNIT
    }
    /// Carry a technology rated `q` (clamped to what the field holds; 0 or less: none).
    #[inline]
    pub fn set_tech(&mut self, q: f32) {
        self.tech = (q.max(0.0) * TECH_UNIT).round().min(u16::MAX as f32) as u16;
    }
    #[inline]
    pub fn housed(&self, t: i32) -> bool {
        self.housed_until as i32 >= t
    }
    pub fn education(&self) -> Education {
        Education::ALL[self.edu() as usize]
    }
}

/// Education tiers as `u8` codes in the order of [`Education::ALL`].
pub fn edu_code(e: Education) -> u8 {
    Education::ALL.iter().position(|&x| x == e).unwrap_or(0) as u8
}

/// Draw a sector by the sectors' talent shares.
pub fn draw_sector(def: &ScenarioDef, rng: &mut KeyedRng) -> u8 {
    let total: f64 = def.sector.iter().map(|s| s.talent_share).sum();
    let mut u = rng.uniform() * total;
    for (i, s) in def.sector.iter().enumerate() {
        u -= s.talent_share;
        if u < 0.0 {
            return i as u8;
        }
    }
    (def.sector.len() - 1) as u8
}

/// Quality of a carried technology: log-normal around 0.45, capped.
pub fn draw_tech(rng: &mut KeyedRng, median: f64) -> f32 {
    rng.lognormal(median, 0.45).clamp(0.05, 2.0) as f32
}
