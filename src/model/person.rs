//! People: graduates by education tier, high-level talent, founders.

use crate::scenario::Education;

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

/// One person agent (standing for `scale` people). 32 bytes; kept small because the step
/// streams over every person every month.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Person {
    /// Stable identity, the key of this person's random streams: a [`crate::rng::key`] of
    /// how the person came (initial stock, arrival month, region, pool, index within that
    /// draw), never a count of the people before them (see `docs/ODD.md`, 7.31).
    pub key: u64,
    /// [`NO_EMPLOYER`], [`INCUMBENT`], or the index of a firm.
    pub employer: u32,
    /// Quality of the technology this person carries (0: none).
    pub tech: f32,
    /// Birth month, relative to the scenario start (negative before it).
    pub born: i16,
    /// Month of arrival in the current region, relative to the start.
    pub arrived: i16,
    /// Last month of a talent-housing tenancy (−1: not housed).
    pub housed_until: i16,
    /// Index of the region the person lives in.
    pub region: u8,
    /// [`Education`] as `u8`.
    pub edu: u8,
    /// Sector of training (index into the scenario's sectors).
    pub sector: u8,
    /// [`Status`] as `u8`.
    pub status: u8,
    /// Decisions of this month ([`decide`]).
    pub decision: u8,
}

const _: () = assert!(std::mem::size_of::<Person>() <= 64);

impl Person {
    /// Age in whole years at month `t`.
    #[inline]
    pub fn age(&self, t: i32) -> f32 {
        (t - self.born as i32) as f32 / 12.0
    }
    #[inline]
    pub fn status(&self) -> Status {
        match self.status {
            1 => Status::Employed,
            2 => Status::Founder,
            _ => Status::Seeking,
        }
    }
    #[inline]
    pub fn housed(&self, t: i32) -> bool {
        self.housed_until as i32 >= t
    }
    pub fn education(&self) -> Education {
        Education::ALL[self.edu as usize]
    }
}

/// Education tiers as `u8` codes in the order of [`Education::ALL`].
pub fn edu_code(e: Education) -> u8 {
    Education::ALL.iter().position(|&x| x == e).unwrap_or(0) as u8
}
