//! Firms: talent-founded startups and chain-leader anchors.
//!
//! A startup's life is driven by its own rules here (R&D → product → revenue, spending and
//! cash) and by the capital it raises (`sim::finance`). Size, survival and how far it gets are
//! never drawn: they follow from these rules.

use crate::rng::KeyedRng;
use crate::scenario::{Firms as FirmParams, Sector};

/// Funding stage reached (by the last round raised).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Stage {
    PreSeed = 0,
    Seed = 1,
    SeriesA = 2,
    SeriesB = 3,
    SeriesC = 4,
    Growth = 5,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::PreSeed,
        Stage::Seed,
        Stage::SeriesA,
        Stage::SeriesB,
        Stage::SeriesC,
        Stage::Growth,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::PreSeed => "preseed",
            Stage::Seed => "seed",
            Stage::SeriesA => "series_a",
            Stage::SeriesB => "series_b",
            Stage::SeriesC => "series_c",
            Stage::Growth => "growth",
        }
    }
    pub fn next(self) -> Stage {
        Stage::ALL[(self as usize + 1).min(5)]
    }
}

/// How a firm's story ended (or `Active`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Active,
    Failed,
    Acquired,
    Listed,
    Relocated,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Active => "active",
            Outcome::Failed => "failed",
            Outcome::Acquired => "acquired",
            Outcome::Listed => "listed",
            Outcome::Relocated => "relocated",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Startup,
    Anchor,
}

/// Month index meaning "never".
pub const NEVER: u32 = u32::MAX;

/// A firm agent (standing for `scale` firms; its values are per firm).
#[derive(Clone, Debug)]
pub struct Firm {
    pub kind: Kind,
    pub region: u8,
    pub sector: u8,
    pub founder_edu: u8,
    pub stage: Stage,
    pub outcome: Outcome,
    pub founded: u32,
    pub outcome_month: u32,
    /// Id of the founding person (for anchors: `u32::MAX`).
    pub founder: u32,
    /// Latent technology quality (investors and panels only see noisy readings of it).
    pub quality: f64,
    /// Progress to a first product: launched at 1.
    pub maturity: f64,
    pub cash: f64,
    /// Revenue this month.
    pub revenue: f64,
    pub valuation: f64,
    pub valuation_peak: f64,
    pub headcount: u32,
    pub peak_headcount: u32,
    /// Headcount the firm wants (its vacancies are the gap).
    pub desired: u32,
    /// Share of staff laid off this month (applied by the person phase).
    pub layoff: f32,
    /// R&D spent this month (own money and subsidies).
    pub rd: f64,
    /// Patent applications this month.
    pub patents: u32,
    /// Bitmask of the programs backing the firm (grants, then competitions) of region
    /// `program_region` (where it was founded; programs stay with their region on relocation).
    pub programs: u64,
    pub program_region: u8,
    pub grants_total: f64,
    pub capital_raised: f64,
    pub rounds: u32,
    pub last_round: u32,
    pub first_seed: u32,
    pub series_a: u32,
    pub quasi_unicorn: u32,
    pub unicorn: u32,
    pub industrialized: bool,
    pub zero_cash_months: u32,
    // Loans.
    pub loan_balance: f64,
    pub loan_payment: f64,
    pub loan_principal: f64,
    pub loan_subsidy: f64,
    // Program benefits.
    pub office_m2: f64,
    pub office_until: u32,
    pub rd_subsidy_share: f64,
    pub rd_subsidy_cap_month: f64,
    pub rd_subsidy_until: u32,
    pub tranche: f64,
    pub tranches_left: u32,
    pub next_tranche: u32,
    pub staged_program: u8,
    pub follow_on: f64,
    pub fund_eligible: bool,
    pub consortium: bool,
    pub last_application: u32,
    /// Joint R&D money received this month (spent on R&D).
    pub joint_rd: f64,
    /// Office subsidy and R&D subsidy received this month.
    pub office_subsidy: f64,
    pub rd_subsidy: f64,
    // Year-to-date figures for the firm-year panel.
    pub revenue_ytd: f64,
    pub raised_ytd: f64,
    // Anchors only.
    pub anchor_growth: f64,
    pub anchor_rev_per_employee: f64,
    pub anchor_rd_intensity: f64,
    pub anchor_slots: u32,
}

impl Firm {
    pub fn startup(
        region: u8,
        sector: u8,
        founder: u32,
        founder_edu: u8,
        quality: f64,
        t: u32,
        p: &FirmParams,
    ) -> Firm {
        Firm {
            kind: Kind::Startup,
            region,
            sector,
            founder_edu,
            stage: Stage::PreSeed,
            outcome: Outcome::Active,
            founded: t,
            outcome_month: NEVER,
            founder,
            quality,
            maturity: 0.0,
            cash: p.founder_cash_cny,
            revenue: 0.0,
            valuation: 0.0,
            valuation_peak: 0.0,
            headcount: 1,
            peak_headcount: 1,
            desired: p.founding_team,
            layoff: 0.0,
            rd: 0.0,
            patents: 0,
            programs: 0,
            program_region: region,
            grants_total: 0.0,
            capital_raised: 0.0,
            rounds: 0,
            last_round: NEVER,
            first_seed: NEVER,
            series_a: NEVER,
            quasi_unicorn: NEVER,
            unicorn: NEVER,
            industrialized: false,
            zero_cash_months: 0,
            loan_balance: 0.0,
            loan_payment: 0.0,
            loan_principal: 0.0,
            loan_subsidy: 0.0,
            office_m2: 0.0,
            office_until: 0,
            rd_subsidy_share: 0.0,
            rd_subsidy_cap_month: 0.0,
            rd_subsidy_until: 0,
            tranche: 0.0,
            tranches_left: 0,
            next_tranche: NEVER,
            staged_program: 0,
            follow_on: 0.0,
            fund_eligible: false,
            consortium: false,
            last_application: NEVER,
            joint_rd: 0.0,
            office_subsidy: 0.0,
            rd_subsidy: 0.0,
            revenue_ytd: 0.0,
            raised_ytd: 0.0,
            anchor_growth: 0.0,
            anchor_rev_per_employee: 0.0,
            anchor_rd_intensity: 0.0,
            anchor_slots: 0,
        }
    }

    /// Still operating in its region (listed firms keep operating but are no longer startups).
    #[inline]
    pub fn operating(&self) -> bool {
        matches!(self.outcome, Outcome::Active | Outcome::Listed)
    }

    /// An active startup (not listed, not exited).
    #[inline]
    pub fn active_startup(&self) -> bool {
        self.kind == Kind::Startup && self.outcome == Outcome::Active
    }

    #[inline]
    pub fn launched(&self) -> bool {
        self.maturity >= 1.0
    }

    /// Annualised revenue.
    #[inline]
    pub fn revenue_year(&self) -> f64 {
        self.revenue * 12.0
    }

    /// Monthly operating cost at the given wage and office rent, before subsidies.
    pub fn opex(&self, wage: f64, office_rent: f64, p: &FirmParams, s: &Sector) -> (f64, f64) {
        let staff = self.headcount as f64 * wage * p.cost_per_wage;
        let rd_share = if self.launched() {
            p.rd_share_late
        } else {
            p.rd_share_early
        };
        // R&D materials and equipment on top of R&D staff, scaled by the sector's R&D cost.
        let rd = staff * rd_share * s.rd_cost;
        let materials = staff * rd_share * (s.rd_cost - 1.0).max(0.0);
        let office = self.headcount as f64 * p.m2_per_employee * office_rent;
        (staff + office + materials, rd)
    }

    /// One month of R&D, product progress, revenue and spending for a startup.
    ///
    /// Touches only this firm: safe to run in parallel over firms.
    /// `prices` is the nominal price index since the start (revenues scale with it).
    #[allow(clippy::too_many_arguments)]
    pub fn operate(
        &mut self,
        t: u32,
        wage: f64,
        office_rent: f64,
        prices: f64,
        p: &FirmParams,
        s: &Sector,
        chain_boost: f64,
        rng: &mut KeyedRng,
    ) {
        let (mut cost, rd_own) = self.opex(wage, office_rent, p, s);
        // Program benefits: free office, R&D subsidy.
        self.office_subsidy = if t < self.office_until {
            (self.office_m2 * office_rent).min(cost)
        } else {
            0.0
        };
        cost -= self.office_subsidy;
        self.rd_subsidy = if t < self.rd_subsidy_until {
            (rd_own * self.rd_subsidy_share).min(self.rd_subsidy_cap_month)
        } else {
            0.0
        };
        cost -= self.rd_subsidy;
        self.rd = rd_own + self.joint_rd;
        // Product progress: the R&D effort relative to a funded founding team.
        if !self.launched() {
            let team_rd =
                p.founding_team as f64 * wage * p.cost_per_wage * p.rd_share_early * s.rd_cost;
            let effort = (self.rd / team_rd.max(1.0)).max(0.0).sqrt().min(2.0);
            let before = self.maturity;
            self.maturity += self.quality * effort / s.months_to_product;
            if self.maturity >= 1.0 && before < 1.0 {
                self.revenue = p.launch_revenue_cny_month * prices * self.quality.min(1.5);
            }
        } else {
            // Revenue growth: quality, room left in the firm's niche, capacity of the staff,
            // chain demand, age, luck.
            let market =
                s.market_cny_year * prices * self.quality * self.quality * (1.0 + chain_boost);
            let room = (1.0 - self.revenue_year() / market).max(-0.5);
            let capacity = self.headcount as f64 * p.revenue_per_employee_cny_year * prices / 12.0;
            let staffed = (capacity / self.revenue.max(1.0)).min(1.0);
            let age_years = (t.saturating_sub(self.founded)) as f64 / 12.0;
            let youth = 0.5f64.powf(age_years / p.growth_halflife_years);
            let g =
                s.growth * self.quality * room * staffed * youth + p.growth_noise * rng.normal();
            self.revenue = (self.revenue * (1.0 + g)).max(0.0);
        }
        self.patents = rng.poisson(
            self.rd / 1e6 * p.patents_per_million * self.quality.max(0.1) * s.rd_cost.recip(),
        ) as u32;
        // Cash: gross profit less costs and loan service.
        self.cash += self.revenue * p.margin - cost - self.loan_payment
            + self.loan_subsidy.min(self.loan_payment);
        self.revenue_ytd += self.revenue;
        let rev_value = self.revenue_year() * s.revenue_multiple;
        self.valuation = self.valuation.max(rev_value).max(0.0);
        if self.launched() && rev_value < self.valuation {
            // Between rounds the mark drifts toward what revenue supports.
            self.valuation = 0.98 * self.valuation + 0.02 * rev_value;
        }
        self.valuation_peak = self.valuation_peak.max(self.valuation);
    }

    /// Headcount the startup wants next month, from its cash, revenue and stage.
    pub fn plan_headcount(&mut self, wage: f64, prices: f64, p: &FirmParams) {
        let monthly = wage * p.cost_per_wage;
        let by_cash = p.founding_team as f64 + p.hires_per_million * self.cash.max(0.0) / 1e6;
        let by_revenue = if self.launched() {
            1.2 * self.revenue_year() / (p.revenue_per_employee_cny_year * prices)
        } else {
            0.0
        };
        let runway_cap = (self.cash.max(0.0) + self.revenue * p.margin * 12.0) / (monthly * 12.0);
        let want = by_cash.max(by_revenue).min(runway_cap.max(1.0));
        let step = (self.headcount as f64 * 0.25 + 2.0).max(1.0);
        let target = want.min(self.headcount as f64 + step).max(1.0);
        self.desired = target.round() as u32;
        self.layoff = 0.0;
        if (want as u32) < self.headcount && self.headcount > 1 {
            // Too many people for the money: shed part of the gap this month.
            let excess = self.headcount as f64 - want.max(1.0);
            self.layoff = ((excess * 0.5) / self.headcount as f64) as f32;
        }
    }
}
