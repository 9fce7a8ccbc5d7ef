//! Investors: venture funds (the talent fund and banks are region policy, in `region.rs`).

use crate::rng::KeyedRng;
use crate::scenario::Capital;

use super::firm::{Firm, Stage};

/// A venture fund. Funds are not tied to a region: districts compete for their deals.
#[derive(Clone, Debug)]
pub struct Fund {
    /// Capital left to invest (per the agent scale: real capital / scale).
    pub dry_powder: f64,
    /// Last month of the investment period.
    pub until: u32,
    /// This fund's screening noise (a better fund reads quality more sharply).
    pub noise: f64,
    /// Earliest and latest stage it leads (as the stage the round takes the firm to).
    pub min_stage: Stage,
    pub max_stage: Stage,
}

impl Fund {
    pub fn new(t: u32, c: &Capital, scale: f64, rng: &mut KeyedRng) -> Fund {
        let size = rng.lognormal(c.fund_size_cny, c.fund_size_sigma) / scale;
        // Bigger funds play later stages.
        let tilt = ((size * scale / c.fund_size_cny).ln() / 1.5).round() as i32;
        let lo = (1 + tilt + rng.below(2) as i32).clamp(1, 4) as usize;
        let hi = (lo + 1 + rng.below(3) as usize).min(5);
        Fund {
            dry_powder: size,
            until: t + (c.fund_life_years * 12.0).round() as u32,
            noise: c.screening_noise * (0.3 * rng.normal()).exp(),
            min_stage: Stage::ALL[lo],
            max_stage: Stage::ALL[hi],
        }
    }

    pub fn leads(&self, stage: Stage) -> bool {
        stage >= self.min_stage && stage <= self.max_stage
    }
}

/// What investors can see of a firm: quality read through traction.
///
/// Before a product, the signal is the technology and its progress; after launch, revenue
/// relative to what the next stage needs. Investors only ever see this plus their own noise.
pub fn firm_score(f: &Firm, next: Stage, c: &Capital) -> f64 {
    let base = f.quality + 0.3 * (f.maturity.min(1.0) - 0.5);
    if next <= Stage::Seed {
        return base;
    }
    // Revenue the next round needs: its size over a 4x revenue multiple, capped growth.
    let needed = round_size(next, c) / 8.0;
    let traction = ((f.revenue_year() + 1.0) / needed).ln().clamp(-3.0, 1.5);
    base + 0.35 * traction
}

/// Size of a round taking a firm to `stage`.
pub fn round_size(stage: Stage, c: &Capital) -> f64 {
    let k = (stage as i32 - 1).max(0);
    c.seed_round_cny * c.round_step.powi(k)
}

/// Signal bar for a round taking a firm to `stage`.
pub fn bar(stage: Stage, c: &Capital) -> f64 {
    c.seed_bar + c.stage_bar_step * (stage as i32 - 1).max(0) as f64
}
