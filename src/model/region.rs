//! Regions: prices, policies in force, and the utilities people compare when they choose.

use crate::scenario::{Behaviour, Economy, Elsewhere, Region, units};

use super::program::GrantState;

/// Leave-table index: status (0 employed, 1 seeking) × housed × under the housing age.
#[inline]
pub fn leave_index(seeking: bool, housed: bool, young: bool) -> usize {
    (seeking as usize) << 2 | (housed as usize) << 1 | young as usize
}

/// The state of one region this month, in real units (people, jobs, CNY) at any `scale`;
/// prices per person.
#[derive(Clone, Debug, Default)]
pub struct RegionState {
    pub(crate) wage: f64,
    /// Housing rent per person, CNY per month.
    pub rent: f64,
    pub(crate) office_rent: f64,
    /// Talent rooms.
    pub housing_units: f64,
    /// People living in talent housing.
    pub housed: u64,
    /// The running talent-housing tenancies by the month each ends (kept by the people phase,
    /// so that it knows this month's running tenancies before it has counted anyone).
    pub tenancies: Tenancies,
    pub(crate) amenity: f64,
    /// Jobs at established employers.
    pub incumbent_jobs: f64,
    /// Jobs established employers have added because talent was available.
    pub incumbent_absorbed: f64,
    pub(crate) incumbent_employed: u64,
    /// Public research spending this year (real CNY).
    pub public_rd_year: f64,
    /// Monthly probability a job seeker finds a job.
    pub p_find: f64,
    /// Monthly leave probabilities, by [`leave_index`].
    pub leave: [f64; 8],
    /// Utility an arriving young / older graduate sees.
    pub u_young: f64,
    pub(crate) u_old: f64,
    /// Expected public support for a founder, CNY, by education code.
    pub support: [f64; 4],
    /// Share of the pool aware of the region.
    pub awareness: f64,
    /// Talent fund capital left.
    pub talent_fund: f64,
    /// Joint R&D budget left this year.
    pub joint_rd_left: f64,
    /// Running state of the region's grant programs, in the scenario's order.
    pub grants: Vec<GrantState>,
    /// Job seekers last month (people), used by this month's decisions.
    pub seekers: u64,
    /// Open vacancies last month at established employers and firms (jobs), used by this
    /// month's matching.
    pub vacancies: u64,
    /// People under the housing age last month, used by this month's decisions.
    pub young: u64,
    /// Firms followed by service specialists per active startup (capped at 1).
    pub service_coverage: f64,
    /// Monthly rate of the leave clock of the region's quiet people (0 before the first
    /// month): see [`update_leave_clock`].
    pub leave_bound: f64,
}

/// A region's running talent-housing tenancies, in people, by the last month of each: what
/// the people phase keeps so that it knows the tenancies running in a month before it has
/// visited anyone (the month's sequential apply step then runs beside the parallel decisions,
/// `sim::people::people`). Every tenancy starts and ends in that phase, so the book is exact:
/// at month `t` after [`Tenancies::advance`], [`Tenancies::running`] is the number of people
/// with a room in month `t` (a tested invariant).
#[derive(Clone, Debug, Default)]
pub struct Tenancies {
    /// The month of `ends[0]`.
    from: i32,
    /// People whose tenancy ends in month `from + k`, at `k`.
    ends: std::collections::VecDeque<u64>,
    /// People with a room (the sum of `ends`).
    running: u64,
}

impl Tenancies {
    /// Move to month `t`: the tenancies that ended before it are gone.
    pub fn advance(&mut self, t: i32) {
        while self.from < t {
            match self.ends.pop_front() {
                Some(n) => self.running -= n,
                None => {
                    self.from = t;
                    break;
                }
            }
            self.from += 1;
        }
    }

    /// People with a room this month (after this month's [`Tenancies::advance`]).
    #[inline]
    pub fn running(&self) -> u64 {
        self.running
    }

    /// `n` people take a room until month `last` (inclusive; at or after the current month).
    pub fn start(&mut self, last: i32, n: u64) {
        debug_assert!(last >= self.from);
        let k = (last - self.from) as usize;
        if self.ends.len() <= k {
            self.ends.resize(k + 1, 0);
        }
        self.ends[k] += n;
        self.running += n;
    }

    /// `n` people give up a room they held until month `last` (a running tenancy).
    pub fn end(&mut self, last: i32, n: u64) {
        let k = (last - self.from) as usize;
        self.ends[k] -= n;
        self.running -= n;
    }

    /// Bytes the book holds beyond its own size.
    pub fn heap_bytes(&self) -> usize {
        self.ends.capacity() * std::mem::size_of::<u64>()
    }
}

impl RegionState {
    /// The talent rooms: the whole number of this month's housing units.
    pub fn rooms(&self) -> u64 {
        self.housing_units.max(0.0).floor() as u64
    }
}

/// The leave clock's rate over the highest leave probability of the employed: candidate
/// months a quarter more frequent than the likeliest leaving.
pub const LEAVE_CLOCK_MARGIN: f64 = 1.25;

/// The clock is reset when the employed's highest leave probability falls below this share
/// of its rate (so that quiet people are not visited for ever at an outdated rate).
pub const LEAVE_CLOCK_FLOOR: f64 = 0.25;

/// Keep the region's leave clock at least as fast as the leave probability of anyone
/// employed (the quiet people's only hazard, `docs/ODD.md`, 7.3): when the highest of this
/// month's employed probabilities exceeds the clock's rate, or falls below
/// [`LEAVE_CLOCK_FLOOR`] of it, the rate becomes [`LEAVE_CLOCK_MARGIN`] times it (at most 1)
/// and `true` is returned — this month the region's quiet people then decide as everyone
/// else and draw their next candidate month at the new rate.
pub fn update_leave_clock(st: &mut RegionState) -> bool {
    let top = [false, true]
        .into_iter()
        .flat_map(|housed| [false, true].map(|young| st.leave[leave_index(false, housed, young)]))
        .fold(0.0, f64::max);
    if top > st.leave_bound || top < LEAVE_CLOCK_FLOOR * st.leave_bound {
        st.leave_bound = (top * LEAVE_CLOCK_MARGIN).min(1.0);
        return true;
    }
    false
}

/// Utility of living in a region at the given effective rent (a logit index).
pub fn place_utility(b: &Behaviour, wage: f64, rent: f64, amenity: f64, base: f64) -> f64 {
    b.wage_weight * wage.max(1.0).ln() - b.rent_weight * rent / wage.max(1.0)
        + b.amenity_weight * amenity
        + base
}

/// Utility of one typical place elsewhere (what a settled person weighs against staying),
/// at price index `growth`.
pub fn typical_alternative(b: &Behaviour, e: &Economy, growth: f64) -> f64 {
    place_utility(
        b,
        e.wage_elsewhere_cny * growth,
        e.rent_elsewhere_cny * growth,
        0.5,
        0.0,
    )
}

/// Utility of all the places outside the simulated regions together: the logit outside option
/// a newcomer compares the regions with (`outside_utility` stands for the many alternatives).
pub fn outside_utility(b: &Behaviour, e: &Economy, o: &Elsewhere, growth: f64) -> f64 {
    typical_alternative(b, e, growth) + o.outside_utility
}

/// Recompute the region's utilities and leave table from its prices and policies.
///
/// `p_unit` is the chance an eligible newcomer gets a talent room.
pub fn update_choices(st: &mut RegionState, r: &Region, b: &Behaviour, u_alt: f64, p_unit: f64) {
    let h = &r.housing;
    let rent_housed = st.rent * (1.0 - h.discount);
    let rent_expected = st.rent * (1.0 - h.discount * p_unit);
    let base = r.base_utility;
    let u_housed = place_utility(b, st.wage, rent_housed, st.amenity, base);
    let u_market = place_utility(b, st.wage, st.rent, st.amenity, base);
    let jobs = b.jobs_weight * st.p_find.max(0.01).ln();
    let welcome = b.welcome_weight * r.welcome.value_cny / st.wage.max(1.0);
    st.u_young = place_utility(b, st.wage, rent_expected, st.amenity, base) + jobs + welcome;
    st.u_old = u_market + jobs;
    for seeking in [false, true] {
        for housed in [false, true] {
            for young in [false, true] {
                let u = if housed { u_housed } else { u_market };
                let rate = if seeking {
                    b.leave_rate_seeker
                } else {
                    b.leave_rate_employed
                };
                // Older people move less: half the hazard past the housing age.
                let age = if young { 1.0 } else { 0.5 };
                let annual = rate * age * (-b.leave_sensitivity * (u - u_alt)).exp();
                st.leave[leave_index(seeking, housed, young)] =
                    units::monthly_chance(annual.min(50.0));
            }
        }
    }
    st.awareness = (b.base_awareness
        + r.recruitment.university_stations * r.recruitment.awareness_per_station)
        .min(1.0);
}

/// Monthly job-finding probability from a Cobb-Douglas matching function with elasticity 0.5.
pub fn job_finding(efficiency: f64, seekers: u64, vacancies: u64) -> f64 {
    if seekers == 0 {
        return 0.9;
    }
    let m = efficiency * (seekers as f64).sqrt() * (vacancies as f64).sqrt();
    (m / seekers as f64).clamp(0.0, 0.95)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The book's running count is the tenancies started, less those ended early and those
    /// past their last month; months may be skipped.
    #[test]
    fn tenancies_run_to_their_last_month() {
        let mut b = Tenancies::default();
        b.advance(10);
        b.start(12, 3);
        b.start(10, 1);
        b.start(15, 2);
        assert_eq!(b.running(), 6);
        b.advance(11);
        assert_eq!(b.running(), 5);
        b.end(15, 1);
        b.advance(13);
        assert_eq!(b.running(), 1);
        b.start(20, 4);
        b.advance(15);
        assert_eq!(b.running(), 5);
        b.advance(16);
        assert_eq!(b.running(), 4);
        b.advance(40);
        assert_eq!(b.running(), 0);
        b.start(41, 2);
        assert_eq!(b.running(), 2);
        b.advance(42);
        assert_eq!(b.running(), 0);
    }

    /// The leave table: the monthly probability from the annual hazard
    /// `rate · age factor · exp(−sensitivity · (u − u_alt))`, with housed people's utility at
    /// the discounted rent and people past the housing age at half the hazard; hand-computed.
    #[test]
    fn leave_hazards_by_status_housing_and_age() {
        let b = Behaviour::default();
        let mut r = Region::default();
        r.housing.discount = 0.5;
        let mut st = RegionState {
            wage: 10_000.0,
            rent: 3_000.0,
            amenity: 0.2,
            p_find: 0.4,
            ..RegionState::default()
        };
        let u_alt = 0.3;
        update_choices(&mut st, &r, &b, u_alt, 0.1);
        let u_market = place_utility(&b, 10_000.0, 3_000.0, 0.2, r.base_utility);
        let u_housed = place_utility(&b, 10_000.0, 1_500.0, 0.2, r.base_utility);
        let monthly = |rate: f64, age: f64, u: f64| {
            let annual = rate * age * (-b.leave_sensitivity * (u - u_alt)).exp();
            1.0 - (-annual / 12.0).exp()
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        let cell = |seeking, housed, young| st.leave[leave_index(seeking, housed, young)];
        assert!(close(
            cell(false, false, true),
            monthly(b.leave_rate_employed, 1.0, u_market)
        ));
        assert!(close(
            cell(true, false, true),
            monthly(b.leave_rate_seeker, 1.0, u_market)
        ));
        assert!(close(
            cell(false, true, true),
            monthly(b.leave_rate_employed, 1.0, u_housed)
        ));
        assert!(close(
            cell(true, true, false),
            monthly(b.leave_rate_seeker, 0.5, u_housed)
        ));
        // Housing keeps people (a cheaper rent is worth more); age halves the hazard.
        assert!(cell(false, true, true) < cell(false, false, true));
        assert!(cell(false, false, false) < cell(false, false, true));
    }

    /// Job finding: Cobb-Douglas in seekers and vacancies with elasticity ½, capped at 0.95;
    /// 0.9 with no seekers (nobody to match, the rate a newcomer would see).
    #[test]
    fn job_finding_is_cobb_douglas_and_capped() {
        assert_eq!(job_finding(0.5, 0, 100), 0.9);
        // 0.5 · √400 · √100 / 400 = 0.25.
        assert!((job_finding(0.5, 400, 100) - 0.25).abs() < 1e-12);
        assert_eq!(job_finding(5.0, 100, 10_000), 0.95);
        assert_eq!(job_finding(0.5, 100, 0), 0.0);
    }
}
