//! The initial startups: a firms-only history simulated before the start.
//!
//! A region with `initial_startups_per_year > 0` begins the run with the startups such a flow
//! of foundings leaves behind after `firms.burn_in_years`. Each burn-in month, new firms are
//! founded (technology, founder education and sector drawn as for arriving carriers), and every
//! firm runs the same monthly rules as in the run — [`Firm::operate`], venture rounds judged by
//! [`firm_score`] against the stage bars, and [`month_end`] (staffing plan, founder's decision,
//! failure, listing, acquisition). Three things are simpler than in the run, and documented in
//! `docs/ODD.md` §5: there is no labour market (a firm has the headcount it plans), no program
//! (they start with the run) and no competition for fund capital (the start's funds screen, at
//! their capacity, without spending their dry powder). The cost is firm-months only: no person
//! is simulated. The survivors keep their founding month (before the start) and history; their
//! founders and staff are taken from the initial talent stock in `init`. Each month's
//! [`Firm::operate`] and [`month_end`] run over the operating firms in parallel (each firm
//! draws from its own keyed stream, so the result does not depend on the threads); foundings
//! and rounds, which share the month's funds, run in firm order.

use rayon::prelude::*;

use crate::model::firm::{Conditions, Firm, NO_FOUNDER, Stage};
use crate::model::investor::{Fund, bar, firm_score, round_size};
use crate::rng::{KeyedRng, Phase, key, name_key, tag};
use crate::scenario::RegionId;
use crate::scenario::units;
use crate::scenario::{Education, Scenario, ScenarioDef};

use super::finance::look_for_round;
use super::firms::{MonthEnd, month_end};
use crate::model::person::edu_code;
use crate::model::person::{draw_sector, draw_tech};

/// Sub-keys of the burn-in stream (one stream per firm and month and use).
const FOUND: u64 = 1 << 62;
const FUND: u64 = 1 << 61;
const END: u64 = 1 << 60;

/// The startups region `ri` has at the start (operating firms only, in founding order).
pub fn initial_startups(sc: &Scenario, seed: u64, ri: usize, funds: &[Fund]) -> Vec<Firm> {
    let (def, params) = (&sc.def, &sc.params);
    let r = &def.region[ri];
    let anchored = params.region[ri].anchored;
    let months = params.burn_in_months;
    if r.initial_startups_per_year <= 0.0 || months == 0 {
        return Vec::new();
    }
    let mut firms: Vec<Firm> = Vec::new();
    for m in 0..months {
        let t = m as i32 - months as i32;
        let prices = (1.0 + def.economy.wage_growth).powf(units::years(t as f64));
        let wage = r.wage_cny * prices;
        found(sc, seed, ri, m, t, &mut firms);
        firms.retain(|f| f.operating());
        firms.par_iter_mut().with_min_len(64).for_each(|f| {
            let sector = &def.sector[f.sector.index()];
            let chain = if anchored.contains(f.sector) {
                0.1
            } else {
                0.0
            };
            let mut rng = KeyedRng::new(seed, m, Phase::BurnIn, f.key);
            let office_rent = r.office_rent_cny_m2_month * prices;
            let c = Conditions {
                t,
                wage,
                office_rent,
                prices,
                chain_boost: chain,
                demand_persistence: params.demand_persistence,
            };
            f.operate(&c, &def.firms, sector, &mut rng);
        });
        rounds(def, seed, m, t, wage, funds, &mut firms);
        let ctx = MonthEnd {
            wage,
            prices,
            quasi_unicorn: params.quasi_unicorn_cny,
            unicorn: params.unicorn_cny,
            anchored: false,
            held_million: 0.0,
            support_weight: def.behaviour.support_weight,
        };
        firms.par_iter_mut().with_min_len(64).for_each(|f| {
            if !f.operating() {
                return;
            }
            let mut rng = KeyedRng::new(seed, m, Phase::BurnIn, key([f.key, END]));
            let ctx = MonthEnd {
                anchored: anchored.contains(f.sector),
                ..ctx
            };
            month_end(f, t, &def.firms, &ctx, &mut rng);
            // No labour market before the start: the firm has the staff it plans.
            f.headcount = f.desired.max(1);
            f.peak_headcount = f.peak_headcount.max(f.headcount);
            f.layoff = 0.0;
            f.revenue_ytd = 0.0;
            f.raised_ytd = 0.0;
        });
    }
    firms.retain(|f| f.operating());
    firms
}

/// This burn-in month's new firms: Poisson arrivals at the region's rate; founders' education
/// in proportion to the technology carriers among arrivals (`elsewhere` pools and shares).
fn found(sc: &Scenario, seed: u64, ri: usize, m: u32, t: i32, firms: &mut Vec<Firm>) {
    let def = &sc.def;
    let r = &def.region[ri];
    let e = &def.elsewhere;
    let rk = name_key(&r.name);
    let mut rng = KeyedRng::new(seed, m, Phase::BurnIn, key([tag::REGION, rk, FOUND]));
    let n = rng.poisson(sc.params.region[ri].initial_startups_per_month);
    let weights = [
        (
            Education::Master,
            e.graduates_per_year * e.master_share * e.tech_share_master,
        ),
        (
            Education::Phd,
            e.graduates_per_year * e.phd_share * e.tech_share_phd,
        ),
        (
            Education::HighLevel,
            e.high_level_per_year * e.tech_share_high_level,
        ),
    ];
    let total: f64 = weights.iter().map(|w| w.1).sum();
    for k in 0..n {
        let id = key([tag::BURN_IN_FIRM, rk, m as u64, k]);
        let mut rng = KeyedRng::new(seed, m, Phase::BurnIn, id);
        let mut u = rng.uniform() * total;
        let edu = weights
            .iter()
            .find(|w| {
                u -= w.1;
                u < 0.0
            })
            .map_or(Education::HighLevel, |w| w.0);
        let median = if edu == Education::HighLevel {
            0.5
        } else {
            0.35
        };
        let tech = draw_tech(&mut rng, median) as f64;
        let sector = draw_sector(def, &mut rng);
        let mut f = Firm::startup(
            RegionId::new(ri),
            sector,
            NO_FOUNDER,
            edu_code(edu),
            tech,
            t,
            &def.firms,
            &mut rng,
        );
        f.key = id;
        firms.push(f);
    }
}

/// Venture rounds in a burn-in month: the start's funds screen the firms seeking their next
/// stage at their capacity (looks shared among seekers as in the run), without dry powder.
#[allow(clippy::too_many_arguments)]
fn rounds(
    def: &ScenarioDef,
    seed: u64,
    m: u32,
    t: i32,
    wage: f64,
    funds: &[Fund],
    firms: &mut [Firm],
) {
    let c = &def.capital;
    let mut seeking = Vec::new();
    for (i, f) in firms.iter_mut().enumerate() {
        if f.active_startup() && f.stage != Stage::Growth && look_for_round(f, wage, def, t) {
            seeking.push(i);
        }
    }
    let mut seekers = [0f64; 6];
    for &i in &seeking {
        seekers[firms[i].stage.next() as usize] += 1.0;
    }
    let leaders: Vec<Vec<&Fund>> = Stage::ALL
        .iter()
        .map(|&s| funds.iter().filter(|f| f.leads(s)).collect())
        .collect();
    let per_fund = c.deals_per_fund_month;
    for i in seeking {
        let next = firms[i].stage.next();
        let leaders = &leaders[next as usize];
        if leaders.is_empty() {
            continue;
        }
        let mut rng = KeyedRng::new(seed, m, Phase::BurnIn, key([firms[i].key, FUND]));
        let capacity = leaders.len() as f64 * per_fund;
        let looks = rng.poisson(capacity / seekers[next as usize].max(1.0));
        let score = firm_score(&firms[i], next, c, t);
        for _ in 0..looks {
            let fund = leaders[rng.below(leaders.len() as u64) as usize];
            if score + fund.noise * rng.normal() >= bar(next, c) {
                firms[i].raise(next, round_size(next, c), c.dilution, t);
                break;
            }
        }
    }
}
