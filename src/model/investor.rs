//! Investors: venture funds (the talent fund and banks are region policy, in `region.rs`).

use crate::rng::KeyedRng;
use crate::scenario::{Capital, units};

use super::firm::{Firm, Stage};

/// A venture fund. Funds are not tied to a region: districts compete for their deals.
#[derive(Clone, Debug)]
pub struct Fund {
    /// Capital left to invest.
    pub dry_powder: f64,
    /// Last month of the investment period.
    pub until: u32,
    /// This fund's screening noise (a better fund reads quality more sharply).
    pub noise: f64,
    /// Earliest and latest stage it leads (as the stage the round takes the firm to).
    pub min_stage: Stage,
    max_stage: Stage,
}

impl Fund {
    /// A fund raised at month `t` that invests for `life_months` (`SimParams::fund_life_months`).
    pub fn new(t: u32, c: &Capital, life_months: f64, rng: &mut KeyedRng) -> Fund {
        let size = rng.lognormal(c.fund_size_cny, c.fund_size_sigma);
        // Bigger funds play later stages.
        let tilt = ((size / c.fund_size_cny).ln() / 1.5).round() as i32;
        let lo = (1 + tilt + rng.below(2) as i32).clamp(1, 4) as usize;
        let hi = (lo + 1 + rng.below(3) as usize).min(5);
        Fund {
            dry_powder: size,
            until: t + life_months.round() as u32,
            noise: c.screening_noise * (0.3 * rng.normal()).exp(),
            min_stage: Stage::ALL[lo],
            max_stage: Stage::ALL[hi],
        }
    }

    pub(crate) fn leads(&self, stage: Stage) -> bool {
        stage >= self.min_stage && stage <= self.max_stage
    }
}

/// What investors can see of a firm when it seeks a round taking it to `next`.
///
/// Never the latent quality: for a seed round, the firm's own evidence about its prospects
/// (its belief, which starts at the founder's rating of the technology and moves with the
/// market's feedback) and its product progress; for a series A or later, also its revenue
/// against what the stage needs and what it has shown since its last round ([`progress`]).
/// A firm that has been looking for this round for a while is discounted by
/// `stale_penalty` per year of looking. Investors see this plus their own noise.
pub fn firm_score(f: &Firm, next: Stage, c: &Capital, t: i32) -> f64 {
    // A deal shopped around without success reads worse with every month it stays open.
    let stale = if f.seeking_since == super::firm::NEVER {
        0.0
    } else {
        units::years(c.stale_penalty * (t - f.seeking_since).max(0) as f64)
    };
    let product = 0.3 * (f.maturity.min(1.0) - 0.5) - stale;
    if next <= Stage::Seed {
        return f.belief.exp() + product;
    }
    let shown =
        product + c.level_weight * f.belief.exp() + c.evidence_weight * (f.belief - f.round_belief);
    let traction = ((f.revenue_year() + 1.0) / needed_revenue(next, c))
        .ln()
        .clamp(-3.0, 1.5);
    shown + c.traction_weight * traction + c.progress_weight * progress(f)
}

/// Progress since the last round (or founding): log growth of monthly revenue (from a floor
/// of CNY 100,000 a month, a typical launch, between −1 and 1), product maturity gained, and
/// `0.2·ln(1 + n)` for the `n` patents filed since.
pub fn progress(f: &Firm) -> f64 {
    const FLOOR: f64 = 1.0e5;
    let growth = ((f.revenue + FLOOR) / (f.round_revenue + FLOOR))
        .ln()
        .clamp(-1.0, 1.0);
    let product = (f.maturity.min(1.0) - f.round_maturity.min(1.0)).max(0.0);
    growth + product + 0.2 * (1.0 + f.patents_since_round as f64).ln()
}

/// Size of a round taking a firm to `stage`.
pub fn round_size(stage: Stage, c: &Capital) -> f64 {
    let k = (stage as i32 - 1).max(0);
    c.seed_round_cny * c.round_step.powi(k)
}

/// Annual revenue a round taking a firm to `stage` asks for: its size over `traction_multiple`.
pub fn needed_revenue(stage: Stage, c: &Capital) -> f64 {
    round_size(stage, c) / c.traction_multiple
}

/// Signal bar for a round taking a firm to `stage`.
pub fn bar(stage: Stage, c: &Capital) -> f64 {
    match stage {
        Stage::PreSeed | Stage::Seed => c.seed_bar,
        _ => c.series_a_bar + c.stage_bar_step * (stage as i32 - Stage::SeriesA as i32) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::firm::Firm;
    use crate::rng::{KeyedRng, Phase};
    use crate::scenario::{Capital, Firms as FirmParams, RegionId, SectorId};

    fn seed_funded(belief_at_round: f64, c: &Capital) -> Firm {
        let mut rng = KeyedRng::new(1, 0, Phase::Founding, 7);
        let mut f = Firm::startup(
            RegionId(0),
            SectorId(0),
            1,
            0,
            1.0,
            0,
            &FirmParams::default(),
            &mut rng,
        );
        f.belief = belief_at_round;
        f.raise(Stage::Seed, round_size(Stage::Seed, c), c.dilution, 0);
        f
    }

    /// From the series A on, investors score the news since the last round, not its level: two
    /// firms whose evidence held its ground score alike however good it was, and a firm whose
    /// evidence improved since its seed outscores one whose evidence fell.
    #[test]
    fn later_rounds_read_the_news_since_the_last_round() {
        let c = Capital::default();
        let (low, high) = (seed_funded(-0.5, &c), seed_funded(1.0, &c));
        let a = |f: &Firm| firm_score(f, Stage::SeriesA, &c, 12);
        assert!((a(&low) - a(&high)).abs() < 1e-12);
        // The seed round itself reads the level.
        assert!(firm_score(&high, Stage::Seed, &c, 12) > firm_score(&low, Stage::Seed, &c, 12));
        let (mut up, mut down) = (seed_funded(0.0, &c), seed_funded(0.0, &c));
        up.belief = 0.4;
        down.belief = -0.4;
        let gap = a(&up) - a(&down);
        assert!((gap - c.evidence_weight * 0.8).abs() < 1e-12, "{gap}");
        // With level_weight the level counts again.
        let lc = Capital {
            level_weight: 1.0,
            ..Capital::default()
        };
        assert!(
            firm_score(&high, Stage::SeriesA, &lc, 12) > firm_score(&low, Stage::SeriesA, &lc, 12)
        );
    }

    #[test]
    fn bars_are_stage_specific() {
        let c = Capital {
            seed_bar: 0.6,
            series_a_bar: 1.1,
            stage_bar_step: -0.3,
            ..Capital::default()
        };
        assert_eq!(bar(Stage::Seed, &c), 0.6);
        assert_eq!(bar(Stage::SeriesA, &c), 1.1);
        assert!((bar(Stage::SeriesC, &c) - 0.5).abs() < 1e-12);
    }

    /// Rounds grow by `round_step` a stage from the seed; a round asks for its size over
    /// `traction_multiple` in annual revenue.
    #[test]
    fn round_sizes_and_the_revenue_they_need() {
        let c = Capital::default();
        assert_eq!(round_size(Stage::Seed, &c), 3.0e6);
        assert_eq!(round_size(Stage::SeriesC, &c), 3.0e6 * 64.0);
        assert_eq!(needed_revenue(Stage::SeriesA, &c), 12.0e6 / 8.0);
    }
}
