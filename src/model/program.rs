//! Programs: grant schemes (5050/5213 style) and competitions, with their selection rules.

use crate::rng::KeyedRng;
use crate::scenario::{Grant, Tier, units};

use super::firm::Firm;

/// Running state of a grant program in one region.
#[derive(Clone, Debug, Default)]
pub struct GrantState {
    /// Budget left this calendar year.
    pub budget_left: f64,
    pub(crate) applications: u64,
    pub(crate) awards: u64,
    /// First month it accepts applications.
    pub start: u32,
}

impl GrantState {
    /// The acceptance rate applicants can expect (a Beta(1, 2)-prior estimate from history).
    pub fn acceptance(&self) -> f64 {
        (self.awards as f64 + 1.0) / (self.applications as f64 + 3.0)
    }
}

/// "Market assessment + collective decision": an assessor's reading of the project, then each
/// panel member's own reading of it; the award tier is the best one a majority of the panel
/// scores the project into (the median member decides). Returns the tier index, or `None`.
///
/// The verdict is news to the founder too: the panel's median reading, less the credit for
/// product progress, is a reading of the firm's quality that the founder weighs into their
/// belief ([`Firm::observe`]), whether the project is funded or turned down.
pub fn assess(f: &mut Firm, g: &Grant, rng: &mut KeyedRng) -> Option<usize> {
    let progress = 0.3 * f.maturity.min(1.0);
    let market = f.quality + progress + g.assessment_noise * rng.normal();
    let n = g.panel_size.max(1) as usize;
    let mut votes: Vec<f64> = (0..n)
        .map(|_| market + g.panel_noise * rng.normal())
        .collect();
    votes.sort_by(f64::total_cmp);
    let median = votes[n / 2];
    let read = (median - progress).max(0.05);
    let noise = (g.assessment_noise.powi(2) + g.panel_noise.powi(2) / n as f64).sqrt();
    // In logs: a reading `read ± noise` of the quality is `ln read ± noise / read`.
    f.observe(read.ln(), noise / read);
    best_tier(&g.tiers, median)
}

/// Index of the tier with the highest award whose bar `score` clears.
pub fn best_tier(tiers: &[Tier], score: f64) -> Option<usize> {
    tiers
        .iter()
        .enumerate()
        .filter(|(_, t)| score >= t.min_score)
        .max_by(|a, b| a.1.award_cny.total_cmp(&b.1.award_cny))
        .map(|(i, _)| i)
}

/// Expected value, in CNY, of applying to a program: acceptance × (average award + benefits).
pub fn expected_support(g: &Grant, st: &GrantState, office_rent: f64) -> f64 {
    let award = g
        .tiers
        .iter()
        .map(|t| t.award_cny.min(g.cap_cny))
        .sum::<f64>()
        / g.tiers.len().max(1) as f64;
    let office = units::per_year(g.office_m2 * office_rent) * g.office_years;
    let rd = g.rd_subsidy_cap_cny_year * g.rd_subsidy_years * g.rd_subsidy_share.min(1.0) * 0.5;
    let loan = g.loan_cny * 0.1;
    st.acceptance() * (award + office + rd + loan)
}
