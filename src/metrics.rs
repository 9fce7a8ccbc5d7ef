//! Recording: the month's events and the end-of-month state, per region.
//!
//! Phases that apply decisions sequentially note what happened in [`Events`]; after the
//! month, [`Recorder::record`] combines events with a census of firms into one [`MonthRow`]
//! per region. Everything is in real units at any `scale`: people are counted by their
//! agents' weights, firms are one agent per real firm, money is CNY.

use serde::Serialize;

use crate::model::firm::{Firm, FirmYear, Kind, Outcome, Stage, during_run};
use crate::model::region::RegionState;
use crate::scenario::{Month, Scenario, ScenarioDef};
pub use crate::sim::Events;
use crate::sim::World;

/// One row of `timeseries.csv`. Field order is column order; names are the contract
/// documented in `docs/OUTPUTS.md`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct MonthRow {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The region's name, as in the scenario.
    pub region: String,
    /// People living in the region at the end of the month.
    pub talent_stock: u64,
    /// New graduates arriving this month, people.
    pub graduate_arrivals: u64,
    /// New graduates under 35 arriving this month, people.
    pub graduate_arrivals_under35: u64,
    /// People leaving the region this month (to elsewhere or another region); retirements are
    /// counted separately.
    pub departures: u64,
    /// People employed at the end of the month, founders included.
    pub employed: u64,
    /// People looking for work at the end of the month.
    pub job_seekers: u64,
    /// People running their own firm at the end of the month.
    pub founders: u64,
    /// Startups founded this month (by residents, spin-outs and landed competition projects).
    pub new_firms: u64,
    /// Startups operating at the end of the month, not listed or exited.
    pub active_startups: u64,
    /// Active startups that have raised no round yet (pre-seed).
    pub firms_preseed: u64,
    /// Active startups whose last round was a seed round.
    pub firms_seed: u64,
    /// Active startups whose last round was a series A.
    pub firms_series_a: u64,
    /// Active startups whose last round was a series B.
    pub firms_series_b: u64,
    /// Active startups whose last round was a series C.
    pub firms_series_c: u64,
    /// Active startups whose last round was a growth round (series D and later).
    pub firms_growth: u64,
    /// Startups that failed this month.
    pub failures: u64,
    /// Startups acquired this month.
    pub acquisitions: u64,
    /// Firms moving into the region this month.
    pub relocations_in: u64,
    /// Firms moving out of the region this month.
    pub relocations_out: u64,
    /// Venture rounds closed this month.
    pub rounds: u64,
    /// Venture capital invested this month, CNY (the talent fund's part excluded).
    pub vc_capital_cny: i64,
    /// Grants paid this month (tranches, follow-ons, landing awards), CNY.
    pub grant_cny: i64,
    /// Bank loans granted this month, CNY.
    pub loan_cny: i64,
    /// Operating firms whose revenue has passed the industrialization threshold.
    pub industrialized_firms: u64,
    /// Firms listed since the start of the run (cumulative).
    pub listed_cumulative: u64,
    /// Startups that have reached a valuation of USD 100M since the start (cumulative).
    pub quasi_unicorns: u64,
    /// Startups that have reached a valuation of USD 1B since the start (cumulative).
    pub unicorns: u64,
    /// Headcount of active startups at the end of the month, people.
    pub startup_jobs: u64,
    /// R&D spending this month by firms (anchors and startups, joint R&D funds included), CNY.
    pub rd_spend_firms_cny: i64,
    /// R&D spending this month by public research, CNY.
    pub rd_spend_public_cny: i64,
    /// Patent applications this month by firms.
    pub patents_firms: u64,
    /// Patent applications this month by public research.
    pub patents_public: u64,
    /// Public spending on the levers this month, CNY: the `spend_*` columns summed (talent-fund
    /// equity excluded).
    pub policy_spend_cny: i64,
    // Extra columns (docs/OUTPUTS.md: "as named").
    /// People arriving this month from every pool (graduates, experienced, high-level).
    pub arrivals_total: u64,
    /// High-level talent arriving this month, people.
    pub high_level_arrivals: u64,
    /// High-level talent living in the region at the end of the month, people.
    pub high_level_stock: u64,
    /// People under 35 living in the region at the end of the month.
    pub under35_stock: u64,
    /// People retiring this month.
    pub retirements: u64,
    /// People moving in from another simulated region this month (founders following their firm
    /// included).
    pub people_moved_in: u64,
    /// People moving out to another simulated region this month (founders following their firm
    /// included).
    pub people_moved_out: u64,
    /// People living in talent housing at the end of the month.
    pub housed: u64,
    /// Firms listed this month.
    pub listings: u64,
    /// Talent-fund equity co-invested this month, CNY.
    pub talent_fund_cny: i64,
    /// Projects applying to the region's competitions held this month.
    pub competition_projects: u64,
    /// Competition finalists landing this month: each founds a firm in the region.
    pub competition_landed: u64,
    /// Headcount of anchor firms at the end of the month, people.
    pub anchor_jobs: u64,
    /// People employed by the region's established (incumbent) employers at the end of the month.
    pub incumbent_jobs: u64,
    /// Openings at incumbent employers and growing firms at the end of the month, for next
    /// month's matching.
    pub vacancies: u64,
    /// Spending on grant programs this month, CNY.
    pub spend_grants_cny: i64,
    /// Spending on talent housing this month, CNY.
    pub spend_housing_cny: i64,
    /// Spending on welcome packages this month, CNY.
    pub spend_welcome_cny: i64,
    /// Spending on programs' office subsidies this month, CNY.
    pub spend_office_cny: i64,
    /// Spending on programs' R&D subsidies this month, CNY.
    pub spend_rd_subsidy_cny: i64,
    /// Spending on joint R&D consortia this month, CNY.
    pub spend_joint_rd_cny: i64,
    /// Spending on loan guarantees and interest subsidies this month, CNY.
    pub spend_loan_support_cny: i64,
    /// Spending on service specialists this month, CNY.
    pub spend_service_cny: i64,
    /// Spending on the recruitment drive and university stations this month, CNY.
    pub spend_recruitment_cny: i64,
    /// Spending on competitions this month (running costs and landing awards), CNY.
    pub spend_competition_cny: i64,
    /// Spending on amenities this month, CNY.
    pub spend_amenities_cny: i64,
}

/// Column names of `timeseries.csv`, in order.
pub const COLUMNS: &[&str] = &[
    "month",
    "region",
    "talent_stock",
    "graduate_arrivals",
    "graduate_arrivals_under35",
    "departures",
    "employed",
    "job_seekers",
    "founders",
    "new_firms",
    "active_startups",
    "firms_preseed",
    "firms_seed",
    "firms_series_a",
    "firms_series_b",
    "firms_series_c",
    "firms_growth",
    "failures",
    "acquisitions",
    "relocations_in",
    "relocations_out",
    "rounds",
    "vc_capital_cny",
    "grant_cny",
    "loan_cny",
    "industrialized_firms",
    "listed_cumulative",
    "quasi_unicorns",
    "unicorns",
    "startup_jobs",
    "rd_spend_firms_cny",
    "rd_spend_public_cny",
    "patents_firms",
    "patents_public",
    "policy_spend_cny",
    "arrivals_total",
    "high_level_arrivals",
    "high_level_stock",
    "under35_stock",
    "retirements",
    "people_moved_in",
    "people_moved_out",
    "housed",
    "listings",
    "talent_fund_cny",
    "competition_projects",
    "competition_landed",
    "anchor_jobs",
    "incumbent_jobs",
    "vacancies",
    "spend_grants_cny",
    "spend_housing_cny",
    "spend_welcome_cny",
    "spend_office_cny",
    "spend_rd_subsidy_cny",
    "spend_joint_rd_cny",
    "spend_loan_support_cny",
    "spend_service_cny",
    "spend_recruitment_cny",
    "spend_competition_cny",
    "spend_amenities_cny",
];

impl MonthRow {
    /// The value of a numeric column by name (`None` for `month`, `region` and unknown names).
    pub fn value(&self, column: &str) -> Option<f64> {
        Some(match column {
            "talent_stock" => self.talent_stock as f64,
            "graduate_arrivals" => self.graduate_arrivals as f64,
            "graduate_arrivals_under35" => self.graduate_arrivals_under35 as f64,
            "departures" => self.departures as f64,
            "employed" => self.employed as f64,
            "job_seekers" => self.job_seekers as f64,
            "founders" => self.founders as f64,
            "new_firms" => self.new_firms as f64,
            "active_startups" => self.active_startups as f64,
            "firms_preseed" => self.firms_preseed as f64,
            "firms_seed" => self.firms_seed as f64,
            "firms_series_a" => self.firms_series_a as f64,
            "firms_series_b" => self.firms_series_b as f64,
            "firms_series_c" => self.firms_series_c as f64,
            "firms_growth" => self.firms_growth as f64,
            "failures" => self.failures as f64,
            "acquisitions" => self.acquisitions as f64,
            "relocations_in" => self.relocations_in as f64,
            "relocations_out" => self.relocations_out as f64,
            "rounds" => self.rounds as f64,
            "vc_capital_cny" => self.vc_capital_cny as f64,
            "grant_cny" => self.grant_cny as f64,
            "loan_cny" => self.loan_cny as f64,
            "industrialized_firms" => self.industrialized_firms as f64,
            "listed_cumulative" => self.listed_cumulative as f64,
            "quasi_unicorns" => self.quasi_unicorns as f64,
            "unicorns" => self.unicorns as f64,
            "startup_jobs" => self.startup_jobs as f64,
            "rd_spend_firms_cny" => self.rd_spend_firms_cny as f64,
            "rd_spend_public_cny" => self.rd_spend_public_cny as f64,
            "patents_firms" => self.patents_firms as f64,
            "patents_public" => self.patents_public as f64,
            "policy_spend_cny" => self.policy_spend_cny as f64,
            "arrivals_total" => self.arrivals_total as f64,
            "high_level_arrivals" => self.high_level_arrivals as f64,
            "high_level_stock" => self.high_level_stock as f64,
            "under35_stock" => self.under35_stock as f64,
            "retirements" => self.retirements as f64,
            "people_moved_in" => self.people_moved_in as f64,
            "people_moved_out" => self.people_moved_out as f64,
            "housed" => self.housed as f64,
            "listings" => self.listings as f64,
            "talent_fund_cny" => self.talent_fund_cny as f64,
            "competition_projects" => self.competition_projects as f64,
            "competition_landed" => self.competition_landed as f64,
            "anchor_jobs" => self.anchor_jobs as f64,
            "incumbent_jobs" => self.incumbent_jobs as f64,
            "vacancies" => self.vacancies as f64,
            "spend_grants_cny" => self.spend_grants_cny as f64,
            "spend_housing_cny" => self.spend_housing_cny as f64,
            "spend_welcome_cny" => self.spend_welcome_cny as f64,
            "spend_office_cny" => self.spend_office_cny as f64,
            "spend_rd_subsidy_cny" => self.spend_rd_subsidy_cny as f64,
            "spend_joint_rd_cny" => self.spend_joint_rd_cny as f64,
            "spend_loan_support_cny" => self.spend_loan_support_cny as f64,
            "spend_service_cny" => self.spend_service_cny as f64,
            "spend_recruitment_cny" => self.spend_recruitment_cny as f64,
            "spend_competition_cny" => self.spend_competition_cny as f64,
            "spend_amenities_cny" => self.spend_amenities_cny as f64,
            _ => return None,
        })
    }
}

/// What a finished run hands to the writers: the world's firms and panel, and the rows
/// recorded after every month.
pub struct RunResult {
    /// The rows recorded after every month (`timeseries.csv`).
    pub recorder: Recorder,
    /// Every firm that ever existed, startups and anchors (`firms.csv`).
    pub firms: Vec<Firm>,
    /// One row per firm per year alive (`firm_years.csv`).
    pub panel: Vec<FirmYear>,
    /// The seed the run was simulated with.
    pub seed: u64,
    /// Person agents alive at the end of the run (agents, not people: at `scale > 1` an
    /// aggregated agent stands for `scale` people).
    pub people_end: usize,
}

/// Run `world` to its end, recording every month, calling `progress(t, months)` (on a thread
/// of rayon's pool: called from outside it, the whole run moves onto one, so that its months'
/// parallel passes start there; on the pool, in place).
pub fn run(mut world: World<'_>, progress: impl FnMut(u32, u32) + Send) -> RunResult {
    rayon::scope(move |_| {
        let mut recorder = Recorder::default();
        recorder
            .rows
            .reserve(world.months() as usize * world.regions.len());
        world.run_with(|w| recorder.observe(w), progress);
        let people_end = world.agent_count();
        RunResult {
            recorder,
            firms: world.firms,
            panel: world.panel,
            seed: world.seed,
            people_end,
        }
    })
}

/// Simulate a scenario with a seed, start to end (on a thread of rayon's pool, as [`run`]).
pub fn simulate(sc: &Scenario, seed: u64) -> RunResult {
    rayon::scope(|_| run(World::new(sc, seed), |_, _| {}))
}

/// All rows of a run, month-major then region in scenario order.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    /// One row per month and region, month-major, regions in scenario order.
    pub rows: Vec<MonthRow>,
}

/// One region's firms at the end of a month.
#[derive(Default)]
struct Census {
    active: u64,
    stages: [u64; 6],
    industrialized: u64,
    listed: u64,
    quasi: u64,
    unicorns: u64,
    startup_jobs: u64,
    anchor_jobs: u64,
    rd: f64,
    patents: u64,
}

impl Census {
    /// Count `firms` by the region they are in, one census for each of `regions` regions.
    fn of(firms: &[Firm], regions: usize) -> Vec<Census> {
        let mut census: Vec<Census> = (0..regions).map(|_| Census::default()).collect();
        for f in firms {
            census[f.region.index()].add(f);
        }
        census
    }

    /// Count one firm. Listing, quasi-unicorn and unicorn counts are cumulative and stay with
    /// the region the firm was in when it got there; the rest describe firms operating now.
    fn add(&mut self, f: &Firm) {
        if f.kind == Kind::Anchor {
            self.anchor_jobs += f.headcount as u64;
        }
        if f.outcome == Outcome::Listed && during_run(f.outcome_month) {
            self.listed += 1;
        }
        if during_run(f.quasi_unicorn) && f.kind == Kind::Startup {
            self.quasi += 1;
        }
        if during_run(f.unicorn) && f.kind == Kind::Startup {
            self.unicorns += 1;
        }
        if !f.operating() {
            return;
        }
        self.rd += f.rd;
        self.patents += f.patents as u64;
        if f.industrialized {
            self.industrialized += 1;
        }
        if f.active_startup() {
            self.active += 1;
            self.stages[f.stage as usize] += 1;
            self.startup_jobs += f.headcount as u64;
        }
    }
}

impl Recorder {
    /// Record the month `w` has just simulated (call after each [`World::step`]).
    pub fn observe(&mut self, w: &World<'_>) {
        self.record(w.simulated_month(), w.def, &w.regions, &w.firms, &w.events);
    }

    /// Record `month`: one row per region of `def`, from the region's state, the month's
    /// events (both in scenario order) and a census of `firms`.
    pub fn record(
        &mut self,
        month: Month,
        def: &ScenarioDef,
        regions: &[RegionState],
        firms: &[Firm],
        events: &[Events],
    ) {
        let census = Census::of(firms, regions.len());
        for (i, (r, e)) in regions.iter().zip(events).enumerate() {
            let (month, region) = (month.to_string(), def.region[i].name.clone());
            self.rows.push(month_row(month, region, r, e, &census[i]));
        }
    }
}

/// Every lever's spending in the month, CNY.
fn policy_spend(e: &Events) -> f64 {
    e.spend_grants
        + e.spend_housing
        + e.spend_welcome
        + e.spend_office
        + e.spend_rd_subsidy
        + e.spend_joint_rd
        + e.spend_loan_support
        + e.spend_service
        + e.spend_recruitment
        + e.spend_competition
        + e.spend_amenities
}

/// The row of `region` in `month`, from the region's state, its month's events and its census
/// of firms; money is rounded to whole CNY.
fn month_row(month: String, region: String, r: &RegionState, e: &Events, c: &Census) -> MonthRow {
    let m = |x: f64| x.round() as i64;
    MonthRow {
        month,
        region,
        talent_stock: e.stock,
        graduate_arrivals: e.graduate_arrivals,
        graduate_arrivals_under35: e.graduate_arrivals_under35,
        departures: e.departures,
        employed: e.employed,
        job_seekers: e.seekers,
        founders: e.founders,
        new_firms: e.new_firms,
        active_startups: c.active,
        firms_preseed: c.stages[Stage::PreSeed as usize],
        firms_seed: c.stages[Stage::Seed as usize],
        firms_series_a: c.stages[Stage::SeriesA as usize],
        firms_series_b: c.stages[Stage::SeriesB as usize],
        firms_series_c: c.stages[Stage::SeriesC as usize],
        firms_growth: c.stages[Stage::Growth as usize],
        failures: e.failures,
        acquisitions: e.acquisitions,
        relocations_in: e.relocations_in,
        relocations_out: e.relocations_out,
        rounds: e.rounds,
        vc_capital_cny: m(e.vc_capital),
        grant_cny: m(e.grant),
        loan_cny: m(e.loan),
        industrialized_firms: c.industrialized,
        listed_cumulative: c.listed,
        quasi_unicorns: c.quasi,
        unicorns: c.unicorns,
        startup_jobs: c.startup_jobs,
        rd_spend_firms_cny: m(c.rd),
        rd_spend_public_cny: e.rd_public_real.round() as i64,
        patents_firms: c.patents,
        patents_public: e.patents_public_real,
        policy_spend_cny: m(policy_spend(e)),
        arrivals_total: e.arrivals,
        high_level_arrivals: e.high_level_arrivals,
        high_level_stock: e.high_level,
        under35_stock: e.under35,
        retirements: e.retirements,
        people_moved_in: e.people_moved_in,
        people_moved_out: e.people_moved_out,
        housed: e.housed,
        listings: e.listings,
        talent_fund_cny: m(e.talent_fund),
        competition_projects: e.competition_projects,
        competition_landed: e.competition_landed,
        anchor_jobs: c.anchor_jobs,
        incumbent_jobs: r.incumbent_employed,
        vacancies: r.vacancies,
        spend_grants_cny: m(e.spend_grants),
        spend_housing_cny: m(e.spend_housing),
        spend_welcome_cny: m(e.spend_welcome),
        spend_office_cny: m(e.spend_office),
        spend_rd_subsidy_cny: m(e.spend_rd_subsidy),
        spend_joint_rd_cny: m(e.spend_joint_rd),
        spend_loan_support_cny: m(e.spend_loan_support),
        spend_service_cny: m(e.spend_service),
        spend_recruitment_cny: m(e.spend_recruitment),
        spend_competition_cny: m(e.spend_competition),
        spend_amenities_cny: m(e.spend_amenities),
    }
}
