//! Firms: talent-founded startups and chain-leader anchors.
//!
//! A startup's life is driven by its own rules here (R&D → product → revenue, spending and
//! cash) and by the capital it raises (`sim::finance`). Size, survival and how far it gets are
//! never drawn: they follow from these rules.

use crate::rng::KeyedRng;
use crate::scenario::{Firms as FirmParams, RegionId, Sector, SectorId, units};

/// Funding stage reached (by the last round raised).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Stage {
    /// No round raised yet.
    PreSeed = 0,
    /// A seed round.
    Seed = 1,
    /// A series A.
    SeriesA = 2,
    /// A series B.
    SeriesB = 3,
    /// A series C.
    SeriesC = 4,
    /// A series D or later (`firms_growth` in `timeseries.csv`).
    Growth = 5,
}

impl Stage {
    pub(crate) const ALL: [Stage; 6] = [
        Stage::PreSeed,
        Stage::Seed,
        Stage::SeriesA,
        Stage::SeriesB,
        Stage::SeriesC,
        Stage::Growth,
    ];
    /// The stage as named in `firms.csv` (`last_stage`) and `firm_years.csv` (`stage`).
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
    /// The stage the next round takes the firm to (a growth-stage firm stays at growth).
    pub fn next(self) -> Stage {
        Stage::ALL[(self as usize + 1).min(5)]
    }
}

/// How a firm's story ended (or `Active`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Still operating as a startup (anchors are always active).
    Active,
    /// Closed: out of cash, or the founder quit.
    Failed,
    /// Bought by another firm.
    Acquired,
    /// Listed on a stock exchange.
    Listed,
    /// Moved out of the simulated regions.
    Relocated,
}

impl Outcome {
    pub(crate) const ALL: [Outcome; 5] = [
        Outcome::Active,
        Outcome::Failed,
        Outcome::Acquired,
        Outcome::Listed,
        Outcome::Relocated,
    ];

    /// The outcome written as `s` in `firms.csv` (the inverse of [`Outcome::as_str`]).
    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The outcome as written in the `outcome` column of `firms.csv`.
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

/// What a firm is: a startup founded by a person, or a chain leader defined in the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A talent-founded startup, driven by its own rules and the capital it raises.
    Startup,
    /// A chain leader from a `[[region.anchor]]` definition: grows at a set rate, never exits.
    Anchor,
}

/// Month index (months since the scenario's start; negative before it) meaning "never".
pub const NEVER: i32 = i32::MAX;

/// Whether an event month happened during the run (not never, not before the start).
#[inline]
pub fn during_run(m: i32) -> bool {
    m >= 0 && m != NEVER
}

/// Why a firm stopped being an active startup (`None` while active).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitReason {
    /// Still an active startup (or an anchor).
    None,
    /// Out of cash for longer than the grace period (failed).
    OutOfCash,
    /// The founder judged the firm's prospects below a job's and closed it (failed).
    FounderQuit,
    /// Bought by another firm.
    Acquired,
    /// Listed on a stock exchange.
    Listed,
    /// Moved out of the simulated regions.
    Relocated,
}

impl ExitReason {
    /// The `exit_reason` column of `firms.csv` (empty while active).
    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::None => "",
            ExitReason::OutOfCash => "out_of_cash",
            ExitReason::FounderQuit => "founder_quit",
            ExitReason::Acquired => "acquired",
            ExitReason::Listed => "listed",
            ExitReason::Relocated => "relocated",
        }
    }
}

/// A firm: one agent per real firm at any `scale`.
#[derive(Clone, Debug)]
pub struct Firm {
    /// Startup or anchor.
    pub kind: Kind,
    /// The region the firm operates in now (changes on relocation).
    pub region: RegionId,
    /// The firm's sector.
    pub sector: SectorId,
    pub(crate) founder_edu: u8,
    /// Funding stage reached by the last round raised.
    pub stage: Stage,
    /// How the firm's story ended (`Active` while it goes on).
    pub outcome: Outcome,
    /// Month founded (months since the start; negative for the initial population's burn-in).
    pub founded: i32,
    /// Month of the outcome (months since the start; [`NEVER`] while active).
    pub outcome_month: i32,
    /// Key of the founding person (for anchors, and initial startups not yet staffed:
    /// [`NO_FOUNDER`]).
    pub founder: u64,
    /// Stable identity, the key of this firm's random streams: `[STARTUP, founder, month]`,
    /// `[ANCHOR, region, name]` or `[BURN_IN_FIRM, region, month, index]` (see
    /// [`crate::rng::tag`]); never the firm's position among all firms.
    pub key: u64,
    /// Latent technology quality (investors and panels only see noisy readings of it).
    pub quality: f64,
    /// Progress to a first product: launched at 1.
    pub maturity: f64,
    pub(crate) cash: f64,
    /// Revenue this month.
    pub revenue: f64,
    pub(crate) valuation: f64,
    pub(crate) valuation_peak: f64,
    /// Employees this month (people).
    pub headcount: u32,
    /// Largest headcount reached (people).
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
    pub(crate) program_region: RegionId,
    pub(crate) grants_total: f64,
    pub(crate) capital_raised: f64,
    /// Venture rounds raised.
    pub rounds: u32,
    pub(crate) last_round: i32,
    /// Month of the first seed round ([`NEVER`] if none).
    pub first_seed: i32,
    /// Month of the series A ([`NEVER`] if none).
    pub series_a: i32,
    pub(crate) quasi_unicorn: i32,
    pub(crate) unicorn: i32,
    /// Whether revenue has passed the industrialization threshold (it stays set).
    pub industrialized: bool,
    pub(crate) zero_cash_months: u32,
    /// Why the firm stopped being an active startup ([`ExitReason::None`] while active).
    pub exit_reason: ExitReason,
    /// The firm's own belief about its prospects: posterior mean and variance of
    /// `ln(quality) + demand`, updated monthly from market feedback (a Kalman filter).
    pub belief: f64,
    belief_var: f64,
    /// Persistent idiosyncratic demand shock (log, AR(1)): scales the firm's niche.
    pub demand: f64,
    /// What the firm had shown at its last round (or founding): monthly revenue, product
    /// maturity, and patents filed since. Investors judge the next round on the change.
    pub round_revenue: f64,
    pub(crate) round_maturity: f64,
    /// The firm's belief about its prospects at its last round (or founding).
    pub round_belief: f64,
    pub(crate) patents_since_round: u32,
    /// Month the firm began looking for its next round without success (`NEVER` when not
    /// looking): investors discount a deal that has been shopped around.
    pub seeking_since: i32,
    /// The bank loan being repaid (zero when none).
    pub loan: Loan,
    /// What program awards still bring: free office, the R&D subsidy, staged tranches.
    pub benefits: Benefits,
    pub(crate) fund_eligible: bool,
    pub(crate) consortium: bool,
    pub(crate) last_application: i32,
    /// Joint R&D money received this month (spent on R&D).
    pub joint_rd: f64,
    /// Office subsidy and R&D subsidy received this month.
    pub office_subsidy: f64,
    pub(crate) rd_subsidy: f64,
    // Year-to-date figures for the firm-year panel.
    pub(crate) revenue_ytd: f64,
    pub(crate) raised_ytd: f64,
    /// What only a chain leader has (`kind` is [`Kind::Anchor`] exactly when this is set).
    pub anchor: Option<Box<AnchorTraits>>,
}

/// A bank loan (a firm repays at most one at a time), CNY.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Loan {
    /// What is still owed.
    pub balance: f64,
    /// The monthly payment: principal plus average interest.
    pub payment: f64,
    pub(crate) principal: f64,
    /// The part of each payment's interest the district pays.
    pub subsidy: f64,
}

/// What program awards bring a firm besides their first payment (the most generous of its
/// programs for each benefit), until the months given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Benefits {
    /// Free office space, m², until `office_until`.
    pub office_m2: f64,
    pub(crate) office_until: i32,
    /// The R&D subsidy: its share of own R&D and monthly cap (CNY), until `rd_subsidy_until`.
    pub rd_subsidy_share: f64,
    pub(crate) rd_subsidy_cap_month: f64,
    pub(crate) rd_subsidy_until: i32,
    /// A staged award: each tranche (CNY), how many are left and when the next falls due, the
    /// program (index in its region) paying them, and the follow-on at a series A (CNY).
    pub tranche: f64,
    pub(crate) tranches_left: u32,
    pub(crate) next_tranche: i32,
    pub(crate) staged_program: u8,
    pub(crate) follow_on: f64,
}

impl Default for Benefits {
    fn default() -> Benefits {
        Benefits {
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
        }
    }
}

/// A chain leader's own traits (from its `[[region.anchor]]` definition).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnchorTraits {
    /// Headcount at the start of the run (people).
    pub initial_headcount: f64,
    /// Headcount growth, a share per year.
    pub growth: f64,
    /// Revenue per employee, CNY per year.
    pub revenue_per_employee_cny_year: f64,
    /// R&D spending as a share of revenue.
    pub rd_intensity: f64,
    /// Startups of its sector its R&D consortium takes at once.
    pub consortium_slots: u32,
}

/// [`Firm::founder`] of a firm without a founding person.
pub const NO_FOUNDER: u64 = u64::MAX;

impl Firm {
    /// A new startup founded in month `t` by the person keyed `founder` (the firm's key is
    /// `[STARTUP, founder, t]`), whose technology the founder
    /// rates at `tech`. The firm's true quality (`tech` times a log-normal surprise of spread
    /// `quality_sigma`) and the founder's own money (log-normal around `founder_cash_cny`,
    /// mean-preserving) are drawn here; the founder's prior belief is `ln tech` with variance
    /// `quality_sigma²`.
    #[allow(clippy::too_many_arguments)]
    pub fn startup(
        region: RegionId,
        sector: SectorId,
        founder: u64,
        founder_edu: u8,
        tech: f64,
        t: i32,
        p: &FirmParams,
        rng: &mut KeyedRng,
    ) -> Firm {
        let tech = tech.clamp(0.02, 2.5);
        let quality = (tech * (p.quality_sigma * rng.normal()).exp()).clamp(0.02, 2.5);
        let sc = p.founder_cash_sigma;
        let cash = p.founder_cash_cny * (sc * rng.normal() - 0.5 * sc * sc).exp();
        let mut f = Firm::blank(Kind::Startup, region, sector, founder, founder_edu, t);
        f.key = crate::rng::key([crate::rng::tag::STARTUP, founder, t as i64 as u64]);
        f.quality = quality;
        f.cash = cash;
        f.desired = p.founding_team;
        f.belief = tech.ln();
        f.round_belief = f.belief;
        f.belief_var = p.quality_sigma * p.quality_sigma;
        f
    }

    /// A chain-leader firm: quality 1, launched, no cash account; staffed through matching.
    /// `region_key` is the [`crate::rng::name_key`] of its region's name.
    pub fn anchor(
        region: RegionId,
        region_key: u64,
        sector: SectorId,
        a: &crate::scenario::Anchor,
    ) -> Firm {
        let mut f = Firm::blank(Kind::Anchor, region, sector, NO_FOUNDER, 3, 0);
        f.key = crate::rng::key([
            crate::rng::tag::ANCHOR,
            region_key,
            crate::rng::name_key(&a.name),
        ]);
        f.quality = 1.0;
        f.maturity = 1.0;
        f.headcount = 0;
        f.peak_headcount = 0;
        f.desired = a.headcount.round() as u32;
        f.anchor = Some(Box::new(AnchorTraits {
            initial_headcount: a.headcount,
            growth: a.growth,
            revenue_per_employee_cny_year: a.revenue_per_employee_cny_year,
            rd_intensity: a.rd_intensity,
            consortium_slots: a.consortium_slots,
        }));
        f
    }

    fn blank(
        kind: Kind,
        region: RegionId,
        sector: SectorId,
        founder: u64,
        founder_edu: u8,
        t: i32,
    ) -> Firm {
        Firm {
            kind,
            region,
            sector,
            founder_edu,
            stage: Stage::PreSeed,
            outcome: Outcome::Active,
            founded: t,
            outcome_month: NEVER,
            founder,
            key: 0,
            quality: 1.0,
            maturity: 0.0,
            cash: 0.0,
            revenue: 0.0,
            valuation: 0.0,
            valuation_peak: 0.0,
            headcount: 1,
            peak_headcount: 1,
            desired: 1,
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
            exit_reason: ExitReason::None,
            belief: 0.0,
            belief_var: 0.0,
            demand: 0.0,
            round_revenue: 0.0,
            round_maturity: 0.0,
            round_belief: 0.0,
            patents_since_round: 0,
            seeking_since: NEVER,
            loan: Loan::default(),
            benefits: Benefits::default(),
            fund_eligible: false,
            consortium: false,
            last_application: NEVER,
            joint_rd: 0.0,
            office_subsidy: 0.0,
            rd_subsidy: 0.0,
            revenue_ytd: 0.0,
            raised_ytd: 0.0,
            anchor: None,
        }
    }

    /// Age in months at month `t`.
    #[inline]
    pub fn age_months(&self, t: i32) -> i32 {
        t - self.founded
    }

    /// Close a round of `size` taking the firm to stage `next` in month `t`; the post-money
    /// valuation is `size / dilution`. The next round is judged on what the firm shows from
    /// here.
    pub fn raise(&mut self, next: Stage, size: f64, dilution: f64, t: i32) {
        self.cash += size;
        self.capital_raised += size;
        self.raised_ytd += size;
        self.rounds += 1;
        self.last_round = t;
        self.stage = next;
        if next == Stage::Seed && self.first_seed == NEVER {
            self.first_seed = t;
        }
        if next == Stage::SeriesA {
            self.series_a = t;
        }
        self.round_revenue = self.revenue;
        self.round_maturity = self.maturity;
        self.round_belief = self.belief;
        self.patents_since_round = 0;
        self.seeking_since = NEVER;
        self.valuation = self.valuation.max(size / dilution);
        self.valuation_peak = self.valuation_peak.max(self.valuation);
    }

    /// Stop being an active startup in month `t` for `reason`.
    pub fn exit(&mut self, outcome: Outcome, reason: ExitReason, t: i32) {
        self.outcome = outcome;
        self.exit_reason = reason;
        self.outcome_month = t;
    }

    /// The founder's view of going on, in utils: the belief about the firm's prospects plus
    /// the option value of what is still to learn, against the outside option (a job, at
    /// `quit_quality`); plus, before launch, the runway already paid for (years of costs the
    /// cash covers, up to 3: developing further costs the founder nothing while it lasts) and the
    /// public support staying would still bring (CNY million, weighted as in location choice).
    pub fn stay_value(
        &self,
        p: &FirmParams,
        wage: f64,
        support_weight: f64,
        held_million: f64,
    ) -> f64 {
        // Before launch the firm is a paid-for experiment; after, the market judges it.
        let runway_years = if self.launched() {
            0.0
        } else {
            let burn = self.headcount.max(1) as f64 * wage * p.cost_per_wage;
            units::years(self.cash.max(0.0) / burn).min(3.0)
        };
        self.belief + p.option_value * self.belief_var.sqrt() - p.quit_quality.ln()
            + p.runway_weight * runway_years
            + support_weight * held_million
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
    pub(crate) fn launched(&self) -> bool {
        self.maturity >= 1.0
    }

    /// Annualised revenue.
    #[inline]
    pub fn revenue_year(&self) -> f64 {
        units::per_year(self.revenue)
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

    /// One month of R&D, product progress, revenue and spending for a startup, in the
    /// month's conditions `c`, under the scenario's firm knobs `p` and its sector's `s`.
    ///
    /// Touches only this firm: safe to run in parallel over firms.
    pub fn operate(&mut self, c: &Conditions, p: &FirmParams, s: &Sector, rng: &mut KeyedRng) {
        let Conditions {
            t,
            wage,
            office_rent,
            prices,
            chain_boost,
            demand_persistence,
        } = *c;
        let (mut cost, rd_own) = self.opex(wage, office_rent, p, s);
        // Program benefits: free office, R&D subsidy.
        self.office_subsidy = if t < self.benefits.office_until {
            (self.benefits.office_m2 * office_rent).min(cost)
        } else {
            0.0
        };
        cost -= self.office_subsidy;
        self.rd_subsidy = if t < self.benefits.rd_subsidy_until {
            (rd_own * self.benefits.rd_subsidy_share).min(self.benefits.rd_subsidy_cap_month)
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
            // Revenue growth: quality, room left in the firm's niche (which moves with the
            // firm's demand shock), capacity of the staff, chain demand, age, luck. Above its
            // niche a firm's revenue contracts at the sector's pace, whatever its age.
            let q_eff = self.quality * self.demand.exp();
            let market = s.market_cny_year * prices * q_eff * q_eff * (1.0 + chain_boost);
            let room = (1.0 - self.revenue_year() / market).max(-0.5);
            let capacity =
                units::per_month(self.headcount as f64 * p.revenue_per_employee_cny_year * prices);
            let staffed = (capacity / self.revenue.max(1.0)).min(1.0);
            let age_years = units::years(self.age_months(t).max(0) as f64);
            let youth = 0.5f64.powf(age_years / p.growth_halflife_years);
            let drift = if room >= 0.0 {
                s.growth * self.quality * room * staffed * youth
            } else {
                s.growth * room
            };
            let g = drift + p.growth_noise * rng.normal();
            self.revenue = (self.revenue * (1.0 + g)).max(0.0);
        }
        self.learn(p, demand_persistence, rng);
        self.patents = rng.poisson(
            units::millions(self.rd)
                * p.patents_per_million
                * self.quality.max(0.1)
                * s.rd_cost.recip(),
        ) as u32;
        self.patents_since_round += self.patents;
        // Cash: gross profit less costs and loan service.
        self.cash += self.revenue * p.margin - cost - self.loan.payment
            + self.loan.subsidy.min(self.loan.payment);
        self.revenue_ytd += self.revenue;
        let rev_value = self.revenue_year() * s.revenue_multiple;
        self.valuation = self.valuation.max(rev_value).max(0.0);
        if self.launched() && rev_value < self.valuation {
            // Between rounds the mark drifts toward what revenue supports.
            self.valuation = 0.98 * self.valuation + 0.02 * rev_value;
        }
        self.valuation_peak = self.valuation_peak.max(self.valuation);
    }

    /// A month of market feedback: after launch the demand shock moves (AR(1) in logs); the
    /// firm reads a noisy signal of its prospects `ln(quality) + demand` and updates its
    /// belief by a Kalman step (prospects treated as a random walk with the demand shock's
    /// variance). Uncertainty falls with age, so young firms learn most (Jovanovic 1982);
    /// demand keeps moving, so old firms can still decline (Hopenhayn 1992).
    /// `rho` is the demand shock's monthly persistence (`SimParams::demand_persistence`).
    pub fn learn(&mut self, p: &FirmParams, rho: f64, rng: &mut KeyedRng) {
        // Technology risk first: before launch the feedback is about the quality alone; the
        // market's demand moves once there is a product.
        let drift = if self.launched() {
            self.demand = rho * self.demand + p.demand_shock_sd * rng.normal();
            p.demand_shock_sd * p.demand_shock_sd
        } else {
            0.0
        };
        // Sales speak more clearly than prototypes.
        let noise = if self.launched() {
            p.signal_noise_launched
        } else {
            p.signal_noise
        };
        let prospects = self.quality.ln() + self.demand;
        self.belief_var += drift;
        self.observe(prospects + noise * rng.normal(), noise);
    }

    /// Weigh a reading `signal ± noise_sd` of the firm's log prospects (the month's market
    /// feedback, or a grant panel's verdict) into the belief: a Kalman update.
    pub fn observe(&mut self, signal: f64, noise_sd: f64) {
        let var = self.belief_var;
        let gain = var / (var + noise_sd * noise_sd);
        self.belief += gain * (signal - self.belief);
        self.belief_var = (1.0 - gain) * var;
    }

    /// Headcount the startup wants next month, from its cash, revenue and stage.
    pub fn plan_headcount(&mut self, wage: f64, prices: f64, p: &FirmParams) {
        let monthly = wage * p.cost_per_wage;
        let by_cash =
            p.founding_team as f64 + units::millions(p.hires_per_million * self.cash.max(0.0));
        let by_revenue = if self.launched() {
            1.2 * self.revenue_year() / (p.revenue_per_employee_cny_year * prices)
        } else {
            0.0
        };
        let runway_cap = (self.cash.max(0.0) + units::per_year(self.revenue * p.margin))
            / units::per_year(monthly);
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

/// What a startup's month of operation ([`Firm::operate`]) depends on besides the firm.
#[derive(Clone, Copy, Debug)]
pub struct Conditions {
    /// The month (since the start).
    pub t: i32,
    /// The region's wage this month, CNY per person per month.
    pub wage: f64,
    /// The region's office rent this month, CNY per m² per month.
    pub(crate) office_rent: f64,
    /// The nominal price index since the start (revenues scale with it).
    pub prices: f64,
    /// Extra demand from the firm's chain (an anchor of its sector, a consortium).
    pub chain_boost: f64,
    /// The demand shock's monthly persistence (`SimParams::demand_persistence`).
    pub demand_persistence: f64,
}

/// One row of the firm-year panel.
#[derive(Clone, Debug)]
pub struct FirmYear {
    /// The firm's index among all firms of the run (`firm_id` in `firms.csv`).
    pub firm_id: u32,
    /// Calendar year.
    pub year: u32,
    /// Employees at the row's month (people).
    pub headcount: u32,
    /// Revenue over the months of the year the firm was simulated.
    pub revenue_cny: f64,
    /// Valuation at the row's month (CNY).
    pub valuation_cny: f64,
    /// Funding stage reached at the row's month.
    pub stage: Stage,
    /// Capital raised in rounds during the year.
    pub raised_cny: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{KeyedRng, Phase};

    fn startup(p: &FirmParams) -> Firm {
        let mut rng = KeyedRng::new(1, 0, Phase::Founding, 3);
        Firm::startup(RegionId(0), SectorId(0), 1, 0, 1.0, 0, p, &mut rng)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// A Kalman step: the gain is the share of the prior variance in the total.
    #[test]
    fn observe_weighs_a_reading_by_its_precision() {
        let mut f = startup(&FirmParams::default());
        f.belief = 0.0;
        f.belief_var = 1.0;
        f.observe(2.0, 1.0);
        assert!(close(f.belief, 1.0) && close(f.belief_var, 0.5));
        // A reading twice as noisy moves it a third as far (gain 0.5 / 2.5 = 0.2).
        f.observe(3.0, 2.0f64.sqrt());
        assert!(close(f.belief, 1.0 + 0.2 * 2.0), "{}", f.belief);
    }

    /// Runway counts only before launch and at most three years; support adds at its weight.
    #[test]
    fn stay_value_counts_runway_before_launch_only() {
        let p = FirmParams::default();
        let mut f = startup(&p);
        f.belief = 0.0;
        f.belief_var = 0.25;
        f.headcount = 1;
        f.maturity = 0.0;
        f.cash = units::months(5.0) * 10_000.0 * p.cost_per_wage; // five years of one person's cost
        let base = 0.5 - p.quit_quality.ln();
        let v = f.stay_value(&p, 10_000.0, 0.15, 2.0);
        assert!(close(v, base + p.runway_weight * 3.0 + 0.3), "{v}");
        f.maturity = 1.0;
        assert!(close(f.stay_value(&p, 10_000.0, 0.15, 2.0), base + 0.3));
    }

    /// Operating cost: staff at `cost_per_wage`, office space per head, and R&D materials on
    /// top of R&D staff where the sector's R&D costs more than staff alone.
    #[test]
    fn opex_is_staff_office_and_rd_materials() {
        let p = FirmParams::default();
        let s = Sector {
            rd_cost: 1.5,
            ..Sector::default()
        };
        let mut f = startup(&p);
        f.headcount = 4;
        f.maturity = 0.0;
        // Staff 4·10,000·1.5 = 60,000; office 4·10 m²·70; R&D 0.7 of staff × 1.5, of which
        // the 0.5 above staff is materials.
        let (cost, rd) = f.opex(10_000.0, 70.0, &p, &s);
        assert!(close(cost, 60_000.0 + 2_800.0 + 21_000.0), "{cost}");
        assert!(close(rd, 63_000.0), "{rd}");
        f.maturity = 1.0; // after launch, R&D is 0.25 of staff
        let (cost, rd) = f.opex(10_000.0, 70.0, &p, &s);
        assert!(close(cost, 60_000.0 + 2_800.0 + 7_500.0), "{cost}");
        assert!(close(rd, 22_500.0), "{rd}");
    }

    /// Headcount plans follow cash before launch and revenue after, grow by at most a quarter
    /// plus two a month, and shed half the excess when the money falls short (ODD 7.12).
    #[test]
    fn headcount_plans_follow_cash_and_revenue() {
        let p = FirmParams::default();
        let (wage, prices) = (10_000.0, 1.0);
        let mut f = startup(&p);
        f.maturity = 0.0;
        f.headcount = 3;
        f.cash = 10.0e6; // by cash 3 + 0.8·10 = 11, capped at 3 + 0.75 + 2
        f.plan_headcount(wage, prices, &p);
        assert_eq!((f.desired, f.layoff), (6, 0.0));

        f.headcount = 10;
        f.cash = 0.9e6; // by cash 3.72: shed (10 − 3.72)/2 of 10
        f.plan_headcount(wage, prices, &p);
        assert_eq!(f.desired, 4);
        assert!((f.layoff - 0.314).abs() < 1e-6, "{}", f.layoff);

        f.maturity = 1.0;
        f.headcount = 20;
        f.cash = 0.0;
        f.revenue = 1.0e6; // by revenue 1.2·12e6/8e5 = 18, runway (0.4·12e6)/(12·15e3) = 26.7
        f.plan_headcount(wage, prices, &p);
        assert_eq!(f.desired, 18);
        assert!((f.layoff - 0.05).abs() < 1e-6, "{}", f.layoff);
    }
}
