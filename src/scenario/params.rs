//! The scenario in the simulation's terms: typed ids instead of names, and every rate and
//! duration that depends only on knobs already in months, CNY per month and agents.
//!
//! Built once per [`super::Scenario`] by [`SimParams::new`] (the resolve stage), so `src/sim`
//! and `src/model` look up no name and convert no knob's unit; what the run computes itself
//! (prices, pools that grow, a firm's revenue) is converted with [`super::units`].

use super::diag::Collector;
use super::tree::Node;
use super::units::{millions, months, per_month};
use super::{Region, ScenarioDef, span_of};

/// Most sectors a scenario may have: a [`SectorSet`] is a 64-bit mask.
pub const MAX_SECTORS: usize = 64;

/// Most regions a scenario may have: an agent keeps its region in a byte.
pub const MAX_REGIONS: usize = 256;

/// Most grant programs and competitions a region may have together: a firm keeps the programs
/// that backed it in a 64-bit set.
pub const MAX_PROGRAMS: usize = 64;

/// What these ids can hold: at most [`MAX_SECTORS`] sectors, [`MAX_REGIONS`] regions, and
/// [`MAX_PROGRAMS`] programs in a region.
pub(super) fn check(def: &ScenarioDef, root: &Node, c: &mut Collector) {
    for (i, r) in def.region.iter().enumerate() {
        let n = r.grant.len() + r.competition.len();
        if n > MAX_PROGRAMS {
            let (key, k) = if r.grant.len() > MAX_PROGRAMS {
                ("grant", MAX_PROGRAMS)
            } else {
                ("competition", MAX_PROGRAMS - r.grant.len())
            };
            c.error(
                span_of(root, &["region", &i.to_string(), key, &k.to_string()]),
                &format!("region[{i}].{key}"),
                format!(
                    "{n} programs (grants: {}, competitions: {}): expected at most \
                     {MAX_PROGRAMS} grants and competitions together",
                    r.grant.len(),
                    r.competition.len()
                ),
            );
        }
    }
    for (key, n, max, what) in [
        ("sector", def.sector.len(), MAX_SECTORS, "sectors"),
        ("region", def.region.len(), MAX_REGIONS, "regions"),
    ] {
        if n > max {
            c.error(
                span_of(root, &[key, &max.to_string()]),
                key,
                format!("{n} {what}: expected at most {max}"),
            );
        }
    }
}

/// A sector: its index in the scenario's `[[sector]]` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SectorId(pub u8);

impl SectorId {
    /// The index into `ScenarioDef::sector`.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A region: its index in the scenario's `[[region]]` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct RegionId(pub u8);

impl RegionId {
    /// The region at index `i` of `ScenarioDef::region` (fewer than [`MAX_REGIONS`]).
    #[inline]
    pub fn new(i: usize) -> RegionId {
        debug_assert!(i < MAX_REGIONS);
        RegionId(i as u8)
    }

    /// The index into `ScenarioDef::region`.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A set of sectors (at most 64, which validation enforces) as a bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SectorSet(pub u64);

impl SectorSet {
    /// Whether `sector` is in the set.
    #[inline]
    pub fn contains(self, sector: SectorId) -> bool {
        self.0 >> sector.0 & 1 == 1
    }

    /// The set with `sector` added.
    #[inline]
    pub fn with(self, sector: SectorId) -> SectorSet {
        SectorSet(self.0 | 1 << sector.0)
    }
}

/// The knobs of a scenario the simulation reads in its own units.
#[derive(Debug, Clone, Default)]
pub struct SimParams {
    /// People an aggregated person agent stands for (`scale`, validated to be whole).
    pub scale: u64,
    /// Months of firm history simulated before the start (`firms.burn_in_years`).
    pub burn_in_months: u32,
    /// The valuation (CNY) at which a firm counts as a quasi-unicorn
    /// (`economy.quasi_unicorn_usd` at `usd_cny`).
    pub quasi_unicorn_cny: f64,
    /// The valuation (CNY) at which a firm counts as a unicorn (`economy.unicorn_usd` at
    /// `usd_cny`).
    pub unicorn_cny: f64,
    /// A venture fund's life (`capital.fund_life_years`), in months, not rounded.
    pub fund_life_months: f64,
    /// The monthly AR(1) coefficient of a firm's demand shock
    /// (`firms.demand_persistence_years`).
    pub demand_persistence: f64,
    /// The retirement age in months of age ([`super::units::age_months_at_least`]).
    pub retire_months: i32,
    /// Per region, in the scenario's order.
    pub region: Vec<RegionParams>,
    /// Person agents to reserve room for at the start: the peak the memory pilot saw, where
    /// the resolve stage ran one (`crate::resolve::footprint::estimate`); `None` reserves for
    /// the initial stock and lets the vector grow.
    pub person_capacity: Option<usize>,
}

/// One region's knobs in the simulation's units.
#[derive(Debug, Clone, Default)]
pub struct RegionParams {
    /// The initial talent stock in agents (`initial_talent / scale`, not rounded).
    pub initial_agents: f64,
    /// Startups founded a month before the run (`initial_startups_per_year`, for the burn-in).
    pub initial_startups_per_month: f64,
    /// The region's focus sectors.
    pub focus: SectorSet,
    /// Each anchor's sector, in the order of `[[region.anchor]]`.
    pub anchor_sector: Vec<SectorId>,
    /// The sectors with an anchor.
    pub anchored: SectorSet,
    /// Amenity index points a month of amenity investment adds.
    pub amenity_gain_month: f64,
    /// Share of the amenity index above its base lost a month.
    pub amenity_depreciation_month: f64,
    /// Public spending on service specialists a month (CNY).
    pub spend_service_month: f64,
    /// Public spending on the recruitment drive a month (CNY).
    pub spend_recruitment_month: f64,
    /// Public spending on amenities a month (CNY).
    pub spend_amenities_month: f64,
    /// Agents a month that recruitment posts fill (`posts_per_year · fill_rate / 12 / scale`).
    pub recruits_per_agent_month: f64,
    /// Months a talent flat may be held (`housing.max_years`, rounded).
    pub housing_months: i32,
    /// The months of age from which a person is past the talent-housing age
    /// (`housing.max_age`, [`super::units::age_months_at_least`]); younger is under it.
    pub young_below: i32,
    /// The joint R&D budget a month (CNY).
    pub joint_rd_budget_month: f64,
    /// The joint R&D funding one firm may get a month (CNY).
    pub joint_rd_max_per_firm_month: f64,
    /// Per grant program, in the order of `[[region.grant]]`.
    pub grant: Vec<GrantParams>,
    /// Per competition, in the order of `[[region.competition]]`.
    pub competition: Vec<CompetitionParams>,
}

/// One grant program's knobs in the simulation's units.
#[derive(Debug, Clone, Default)]
pub struct GrantParams {
    /// First month (since the scenario start) the program takes applications (`start`).
    pub start: u32,
    /// Months of free office space (`office_years`, rounded).
    pub office_months: i32,
    /// Months of the R&D subsidy (`rd_subsidy_years`, rounded).
    pub rd_subsidy_months: i32,
    /// The R&D subsidy's cap a month (CNY).
    pub rd_subsidy_cap_month: f64,
}

/// One competition's knobs in the simulation's units.
#[derive(Debug, Clone, Default)]
pub struct CompetitionParams {
    /// A finalist's utility of the landing award (`behaviour.support_weight` per CNY million).
    pub award_utility: f64,
}

impl SimParams {
    /// `people` (a flow or a stock) in aggregated agents: `people / scale`.
    #[inline]
    pub fn agents(&self, people: f64) -> f64 {
        people / self.scale as f64
    }

    /// Resolve `def`'s names and units. `def` has passed validation (every sector name it
    /// refers to exists; `scale` is whole).
    pub fn new(def: &ScenarioDef) -> SimParams {
        SimParams {
            scale: def.scale as u64,
            burn_in_months: def.firms.burn_in_years * 12,
            quasi_unicorn_cny: def.economy.quasi_unicorn_usd * def.economy.usd_cny,
            unicorn_cny: def.economy.unicorn_usd * def.economy.usd_cny,
            fund_life_months: months(def.capital.fund_life_years),
            demand_persistence: super::units::monthly_persistence(
                def.firms.demand_persistence_years,
            ),
            retire_months: super::units::age_months_at_least(def.economy.retirement_age as f32),
            region: def
                .region
                .iter()
                .map(|r| RegionParams::new(def, r))
                .collect(),
            person_capacity: None,
        }
    }
}

/// The sector named `name`; sector 0 if none is (validation reports such a name).
pub fn sector_id(def: &ScenarioDef, name: &str) -> SectorId {
    SectorId(def.sector.iter().position(|s| s.name == name).unwrap_or(0) as u8)
}

impl RegionParams {
    fn new(def: &ScenarioDef, r: &Region) -> RegionParams {
        let focus = r
            .focus_sectors
            .iter()
            .fold(SectorSet::default(), |set, f| set.with(sector_id(def, f)));
        let anchor_sector: Vec<SectorId> =
            r.anchor.iter().map(|a| sector_id(def, &a.sector)).collect();
        let anchored = anchor_sector
            .iter()
            .fold(SectorSet::default(), |set, &s| set.with(s));
        let (a, rec, jr) = (&r.amenities, &r.recruitment, &r.joint_rd);
        RegionParams {
            initial_agents: r.initial_talent / def.scale,
            initial_startups_per_month: per_month(r.initial_startups_per_year),
            focus,
            anchor_sector,
            anchored,
            amenity_gain_month: per_month(a.index_per_billion * a.investment_cny_year / 1e9),
            amenity_depreciation_month: per_month(a.depreciation),
            spend_service_month: per_month(r.service.specialists * r.service.cost_cny_year),
            spend_recruitment_month: per_month(rec.cost_cny_year),
            spend_amenities_month: per_month(a.investment_cny_year),
            recruits_per_agent_month: per_month(rec.posts_per_year * rec.fill_rate) / def.scale,
            housing_months: months(r.housing.max_years).round() as i32,
            young_below: super::units::age_months_at_least(r.housing.max_age as f32),
            joint_rd_budget_month: per_month(jr.budget_cny_year),
            joint_rd_max_per_firm_month: per_month(jr.max_per_firm_cny_year),
            grant: r
                .grant
                .iter()
                .map(|g| GrantParams {
                    start: g.start.map_or(0, |m| m.0.saturating_sub(def.start.0)),
                    office_months: months(g.office_years).round() as i32,
                    rd_subsidy_months: months(g.rd_subsidy_years).round() as i32,
                    rd_subsidy_cap_month: per_month(g.rd_subsidy_cap_cny_year),
                })
                .collect(),
            competition: r
                .competition
                .iter()
                .map(|c| CompetitionParams {
                    award_utility: millions(def.behaviour.support_weight * c.landing_award_cny),
                })
                .collect(),
        }
    }
}
