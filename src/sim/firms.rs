//! Firm phases: operating (R&D, product, revenue, cash), growth and milestones, exits, and
//! the vacancies that feed next month's labour market.

use rayon::prelude::*;

use crate::model::firm::{Conditions, ExitReason, Firm, Kind, NEVER, Outcome, Stage};
use crate::model::person::Employer;
use crate::rng::{KeyedRng, Phase, key, tag};
use crate::scenario::Firms as FirmParams;
use crate::scenario::RegionId;
use crate::scenario::units;

use super::World;

/// The fewest firms per parallel task of [`operate`].
const FIRMS_PER_TASK: usize = 64;

/// Anchors follow their growth path; startups do R&D, sell, spend (in parallel: each firm
/// touches only itself).
pub fn operate(w: &mut World) {
    refresh_live(w);
    let def = w.def;
    let t = w.t;
    let seed = w.seed;
    let years = w.years();
    let regions = &w.regions;
    let params = w.params;
    let prices = w.price_index;
    for &ai in &w.anchors {
        let f = &mut w.firms[ai as usize];
        let a = **f.anchor.as_ref().expect("World::anchors lists anchors");
        f.desired = (a.initial_headcount * (1.0 + a.growth).powf(years)).round() as u32;
        f.revenue =
            units::per_month(f.headcount as f64 * a.revenue_per_employee_cny_year) * w.price_index;
        f.revenue_ytd += f.revenue;
        f.rd = f.revenue * a.rd_intensity + f.joint_rd;
        let mut rng = KeyedRng::new(seed, t, Phase::Product, f.key);
        f.patents = rng.poisson(units::millions(f.rd) * def.firms.patents_per_million) as u32;
        f.valuation = units::per_year(f.revenue) * def.sector[f.sector.index()].revenue_multiple;
        f.valuation_peak = f.valuation_peak.max(f.valuation);
    }
    // (At least `FIRMS_PER_TASK` firms a task: a small world's few firms stay on one thread.)
    w.firms
        .par_iter_mut()
        .with_min_len(FIRMS_PER_TASK)
        .for_each(|f| {
            if f.kind != Kind::Startup || !f.operating() {
                return;
            }
            let st = &regions[f.region.index()];
            let sector = &def.sector[f.sector.index()];
            let chain = if f.consortium {
                0.3
            } else if params.region[f.region.index()].anchored.contains(f.sector) {
                0.1
            } else {
                0.0
            };
            let mut rng = KeyedRng::new(seed, t, Phase::Product, f.key);
            let c = Conditions {
                t: t as i32,
                wage: st.wage,
                office_rent: st.office_rent,
                prices,
                chain_boost: chain,
                demand_persistence: params.demand_persistence,
            };
            f.operate(&c, &def.firms, sector, &mut rng);
        });
    // Subsidies received are policy spending (summed in firm order: deterministic).
    for &i in &w.live {
        let f = &mut w.firms[i as usize];
        let e = &mut w.events[f.region.index()];
        e.spend_office += f.office_subsidy;
        e.spend_rd_subsidy += f.rd_subsidy;
        e.spend_loan_support += f.loan.subsidy.min(f.loan.payment);
        e.spend_joint_rd += f.joint_rd;
        if f.loan.balance > 0.0 {
            f.loan.balance -= f.loan.principal;
            if f.loan.balance <= 1.0 {
                f.loan.balance = 0.0;
                f.loan.payment = 0.0;
                f.loan.subsidy = 0.0;
            }
        }
        f.joint_rd = 0.0;
    }
}

/// The firms operating now, for this month's firm phases ([`World::live`]).
pub fn refresh_live(w: &mut World) {
    w.live.clear();
    w.live.extend(
        w.firms
            .iter()
            .enumerate()
            .filter(|(_, f)| f.operating())
            .map(|(i, _)| i as u32),
    );
}

/// What a startup's month ends in, before relocation (shared by the run and the burn-in).
pub struct MonthEnd {
    /// The region's wage, CNY per person per month.
    pub wage: f64,
    /// The nominal price index since the start.
    pub prices: f64,
    /// Quasi-unicorn and unicorn valuations (CNY).
    pub quasi_unicorn: f64,
    pub(crate) unicorn: f64,
    /// An anchor of the firm's sector is in its region (acquisitions are likelier).
    pub anchored: bool,
    /// Public support staying would still bring (CNY million) and its weight in utils.
    pub held_million: f64,
    pub(crate) support_weight: f64,
}

/// A startup's month end in phase order: staffing plan and milestones; then, unless listed,
/// failure when out of cash beyond the grace period, the founder's decision to go on, listing,
/// and acquisition. Returns the exit, if any (the caller books it).
pub fn month_end(
    f: &mut Firm,
    t: i32,
    p: &FirmParams,
    c: &MonthEnd,
    rng: &mut KeyedRng,
) -> Option<ExitReason> {
    f.plan_headcount(c.wage, c.prices, p);
    if f.revenue_year() >= p.industrial_revenue_cny_year {
        f.industrialized = true;
    }
    if f.valuation_peak >= c.quasi_unicorn && f.quasi_unicorn == NEVER {
        f.quasi_unicorn = t;
    }
    if f.valuation_peak >= c.unicorn && f.unicorn == NEVER {
        f.unicorn = t;
    }
    if f.outcome == Outcome::Listed {
        return None;
    }
    // Out of cash: losses are written off (the founder goes unpaid) and staff are shed. After
    // the grace period each unpaid month weighs on the founder's decision to go on; closing
    // then is a failure for lack of cash.
    let stay = f.stay_value(p, c.wage, c.support_weight, c.held_million);
    if f.cash < 0.0 {
        f.cash = 0.0;
        f.zero_cash_months += 1;
        f.layoff = f.layoff.max(0.5);
        let unpaid = units::years(p.unpaid_weight * f.zero_cash_months as f64);
        if f.zero_cash_months > p.grace_months && stay - unpaid < 0.0 && rng.chance(p.quit_rate) {
            f.exit(Outcome::Failed, ExitReason::OutOfCash, t);
            return Some(ExitReason::OutOfCash);
        }
    } else {
        f.zero_cash_months = 0;
    }
    // The founder closes the firm when its prospects, with what is still to learn and the
    // support still to come, are worth less than a job.
    if stay < 0.0 && rng.chance(p.quit_rate) {
        f.exit(Outcome::Failed, ExitReason::FounderQuit, t);
        return Some(ExitReason::FounderQuit);
    }
    if f.stage >= Stage::SeriesC
        && f.revenue_year() >= p.listing_revenue_cny_year
        && f.valuation >= p.listing_valuation_cny
        && rng.chance(p.listing_rate)
    {
        f.exit(Outcome::Listed, ExitReason::Listed, t);
        return Some(ExitReason::Listed);
    }
    if f.launched() {
        let chain = if c.anchored { 3.0 } else { 1.0 };
        if rng.chance(p.acquisition_rate * chain) {
            // Staff look for work again; the acquirer keeps the technology.
            f.exit(Outcome::Acquired, ExitReason::Acquired, t);
            return Some(ExitReason::Acquired);
        }
    }
    None
}

/// Public support a startup would lose by leaving or closing: tranches still due and the
/// office still free (CNY million).
fn held_support(f: &Firm, t: i32, office_rent: f64) -> f64 {
    let office = if t < f.benefits.office_until {
        units::per_year(f.benefits.office_m2) * office_rent
    } else {
        0.0
    };
    units::millions(f.benefits.tranche * f.benefits.tranches_left as f64 + office)
}

/// Staffing plans, milestones (industrialized, quasi-unicorn, unicorn), failure, founders'
/// decisions, listing, acquisition and relocation: each operating startup in parallel (its own
/// stream), then the month's events booked in firm order (the sums, CNY included, are the
/// same on any thread count).
pub fn growth_and_exits(w: &mut World) {
    let def = w.def;
    let t = w.t as i32;
    let p = &def.firms;
    let nreg = w.regions.len();
    // Firm-level attractiveness of each region: ecosystem and base utility.
    let firm_utility: Vec<f64> = def
        .region
        .iter()
        .map(|r| r.base_utility + r.startup_climate)
        .collect();
    // A typical place elsewhere (utility 0 on this scale), as for people deciding to leave.
    let outside = 0.0;
    let common = MonthEnd {
        wage: 0.0,
        prices: w.price_index,
        quasi_unicorn: w.params.quasi_unicorn_cny,
        unicorn: w.params.unicorn_cny,
        anchored: false,
        held_million: 0.0,
        support_weight: def.behaviour.support_weight,
    };
    let (regions, params, seed, month) = (&w.regions, w.params, w.seed, w.t);
    let ends: Vec<(usize, Ending)> = w
        .firms
        .par_iter_mut()
        .with_min_len(FIRMS_PER_TASK)
        .filter_map(|f| {
            if f.kind != Kind::Startup || !f.operating() {
                return None;
            }
            let ri = f.region.index();
            let held = held_support(f, t, regions[ri].office_rent);
            let ctx = MonthEnd {
                wage: regions[ri].wage,
                anchored: params.region[ri].anchored.contains(f.sector),
                held_million: held,
                ..common
            };
            let mut rng = KeyedRng::new(seed, month, Phase::Exit, f.key);
            match month_end(f, t, p, &ctx, &mut rng) {
                Some(ExitReason::OutOfCash | ExitReason::FounderQuit) => {
                    // The district pays its guarantee on the loan left unpaid.
                    let unpaid = std::mem::take(&mut f.loan.balance);
                    return Some((ri, Ending::Failed(unpaid)));
                }
                Some(ExitReason::Listed) => return Some((ri, Ending::Listed)),
                Some(ExitReason::Acquired) => return Some((ri, Ending::Acquired)),
                _ => {}
            }
            if f.outcome == Outcome::Listed {
                return None;
            }
            // Relocation: toward the most attractive place, held back by support still to
            // come.
            let here = firm_utility[ri] + def.behaviour.support_weight * held;
            let (best, best_u) = (0..nreg)
                .filter(|&j| j != ri)
                .map(|j| (j, firm_utility[j]))
                .fold(
                    (usize::MAX, outside),
                    |acc, x| if x.1 > acc.1 { x } else { acc },
                );
            let gap = best_u - here;
            if gap > 0.0 && rng.chance(p.relocation_rate * gap) {
                let to = (best != usize::MAX).then_some(best);
                relocate(f, to, t);
                return Some((ri, Ending::Moved(to)));
            }
            None
        })
        .collect();
    for (ri, end) in ends {
        let e = &mut w.events[ri];
        match end {
            Ending::Failed(unpaid) => {
                e.failures += 1;
                e.spend_loan_support += unpaid * def.region[ri].loans.guarantee_share;
            }
            Ending::Listed => e.listings += 1,
            Ending::Acquired => e.acquisitions += 1,
            Ending::Moved(to) => {
                e.relocations_out += 1;
                if let Some(to) = to {
                    w.events[to].relocations_in += 1;
                }
            }
        }
    }
}

/// How a startup's month ended, for the month's events of its region: failed (with the loan
/// balance left unpaid), listed, acquired, or moved away (to another simulated region or
/// elsewhere).
enum Ending {
    Failed(f64),
    Listed,
    Acquired,
    Moved(Option<usize>),
}

/// A startup leaves its region: for another simulated region `to` (support tied to the old
/// district stops; its programs stay in the firm's history), or, with `None`, for elsewhere
/// (it leaves the simulation). The caller books the move in the month's events.
fn relocate(f: &mut Firm, to: Option<usize>, t: i32) {
    match to {
        None => f.exit(Outcome::Relocated, ExitReason::Relocated, t),
        Some(best) => {
            f.region = RegionId::new(best);
            f.benefits.office_until = 0;
            f.benefits.rd_subsidy_until = 0;
            f.benefits.tranches_left = 0;
            f.benefits.follow_on = 0.0;
        }
    }
}

/// Vacancies for next month's matching: established employers, anchors, startups (each
/// startup's first opening apart, filled first), each keyed by the employer's identity.
pub fn vacancies(w: &mut World) {
    for o in &mut w.openings {
        o.clear();
    }
    for (ri, st) in w.regions.iter_mut().enumerate() {
        let open = (st.incumbent_jobs - st.incumbent_employed as f64).max(0.0) as u64;
        st.vacancies = open;
        let k = key([tag::INCUMBENT, w.region_keys[ri]]);
        let open = open.min(u32::MAX as u64) as u32;
        w.openings[ri].others.push((k, Employer::INCUMBENT, open));
    }
    for &i in &w.live {
        let f = &w.firms[i as usize];
        if !f.operating() || f.desired <= f.headcount {
            continue;
        }
        let open = f.desired - f.headcount;
        let ri = f.region.index();
        w.regions[ri].vacancies = w.regions[ri].vacancies.saturating_add(open as u64);
        let o = &mut w.openings[ri];
        if f.kind == Kind::Startup {
            o.firsts.push((f.key, Employer::firm(i as usize)));
            if open > 1 {
                o.others.push((f.key, Employer::firm(i as usize), open - 1));
            }
        } else {
            o.others.push((f.key, Employer::firm(i as usize), open));
        }
    }
}
