//! Programs: grant schemes, joint R&D funding, and startup competitions.

use crate::model::firm::{Firm, NEVER};
use crate::model::person::{Person, Status, edu_code};
use crate::model::program::assess;
use crate::rng::{KeyedRng, Phase, key, name_key, tag};
use crate::scenario::RegionId;
use crate::scenario::SectorId;
use crate::scenario::params::GrantParams;
use crate::scenario::{Competition, Education, Grant, units};

use rayon::prelude::*;

use super::World;
use crate::model::person::{Employer, draw_sector};

/// Grant programs: staged tranches fall due, eligible firms apply, the panel decides, awards
/// are paid within the year's budget.
pub fn grants(w: &mut World) {
    let def = w.def;
    let t = w.t as i32;
    for (ri, r) in def.region.iter().enumerate() {
        let coverage = service_coverage(w, ri);
        w.regions[ri].service_coverage = coverage;
        if r.grant.is_empty() {
            continue;
        }
        for li in 0..w.live.len() {
            let fi = w.live[li] as usize;
            let f = &w.firms[fi];
            if !f.active_startup() || f.region.index() != ri {
                continue;
            }
            // Staged support: the next tranche is paid if the firm has made progress.
            if f.benefits.tranches_left > 0 && f.benefits.next_tranche <= t {
                let gi = f.benefits.staged_program as usize;
                let budget = &mut w.regions[ri].grants[gi].budget_left;
                let stage_years = r.grant[gi].stage_years as f64;
                tranche_due(&mut w.firms[fi], budget, stage_years, t, &mut w.events[ri]);
            }
            for (gi, g) in r.grant.iter().enumerate() {
                let f = &w.firms[fi];
                let gs = &w.regions[ri].grants[gi];
                let bit = 1u64 << gi;
                // A firm that moved in with another district's backing does not apply again here.
                let eligible = t >= gs.start as i32
                    && (f.programs == 0 || f.program_region.index() == ri)
                    && f.programs & bit == 0
                    && f.founder_edu >= edu_code(g.min_education)
                    && f.age_months(t) <= g.max_firm_age_months as i32
                    && (!g.focus_only || w.params.region[ri].focus.contains(f.sector))
                    && (f.last_application == NEVER
                        || t >= f.last_application + REAPPLY_AFTER_MONTHS);
                if !eligible {
                    continue;
                }
                let mut rng =
                    KeyedRng::new(w.seed, w.t, Phase::Grant, key([f.key, name_key(&g.name)]));
                let rate =
                    (g.application_rate * (1.0 + r.service.application_boost * coverage)).min(1.0);
                if !rng.chance(rate) {
                    continue;
                }
                let f = &mut w.firms[fi];
                f.last_application = t;
                let st = &mut w.regions[ri];
                st.grants[gi].applications += 1;
                let Some(tier) = assess(f, g, &mut rng) else {
                    continue;
                };
                let award = g.tiers[tier].award_cny.min(g.cap_cny);
                let first = if g.staged {
                    award / g.stage_years as f64
                } else {
                    award
                };
                if st.grants[gi].budget_left < first {
                    continue;
                }
                st.grants[gi].budget_left -= first;
                st.grants[gi].awards += 1;
                f.programs |= bit;
                pay(f, first, &mut w.events[ri]);
                award_benefits(f, g, &w.params.region[ri].grant[gi], gi, award, first, t);
                if g.loan_cny > 0.0 && f.loan.balance <= 0.0 {
                    super::finance::lend(f, g.loan_cny, &def.capital, &r.loans, &mut w.events[ri]);
                }
                f.fund_eligible |= g.fund_eligible;
            }
        }
    }
}

/// Months between a staged program's tranches.
const TRANCHE_INTERVAL_MONTHS: i32 = 12;
/// Share of the product progress a tranche's milestone expects for the years gone by
/// (`maturity ≥ 0.9 × years done / stage_years`, or a launched product).
const MILESTONE_PROGRESS: f64 = 0.9;
/// Months before a firm turned down or not yet applying may apply to the program again.
const REAPPLY_AFTER_MONTHS: i32 = 6;

/// A staged program's tranche falls due: paid if the firm met its milestone and the program's
/// `budget` allows; skipped (and one tranche fewer) if it missed it; a month later if the
/// budget is spent (the new year's budget pays it).
fn tranche_due(f: &mut Firm, budget: &mut f64, stage_years: f64, t: i32, e: &mut super::Events) {
    let done = stage_years - f.benefits.tranches_left as f64;
    let milestone = f.launched() || f.maturity >= MILESTONE_PROGRESS * done / stage_years;
    if milestone && *budget >= f.benefits.tranche {
        *budget -= f.benefits.tranche;
        pay(f, f.benefits.tranche, e);
        f.benefits.tranches_left -= 1;
        f.benefits.next_tranche = t + TRANCHE_INTERVAL_MONTHS;
    } else if !milestone {
        f.benefits.tranches_left -= 1;
        f.benefits.next_tranche = t + TRANCHE_INTERVAL_MONTHS;
    } else {
        f.benefits.next_tranche = t + 1;
    }
}

/// What an award of program `g` (index `gi`) brings besides its `first` payment: the rest of
/// a staged `award` in yearly tranches and its series-A follow-on, office space and the R&D
/// subsidy for their years (`gp`: the program's durations and cap in months).
fn award_benefits(
    f: &mut Firm,
    g: &Grant,
    gp: &GrantParams,
    gi: usize,
    award: f64,
    first: f64,
    t: i32,
) {
    if g.staged {
        f.benefits.tranche = first;
        f.benefits.tranches_left = g.stage_years.saturating_sub(1);
        f.benefits.next_tranche = t + TRANCHE_INTERVAL_MONTHS;
        f.benefits.staged_program = gi as u8;
        f.benefits.follow_on = g.follow_on_share * award;
    }
    if g.office_m2 > 0.0 {
        f.benefits.office_m2 = f.benefits.office_m2.max(g.office_m2);
        f.benefits.office_until = f.benefits.office_until.max(t + gp.office_months);
    }
    if g.rd_subsidy_share > 0.0 {
        f.benefits.rd_subsidy_share = f.benefits.rd_subsidy_share.max(g.rd_subsidy_share);
        f.benefits.rd_subsidy_cap_month =
            f.benefits.rd_subsidy_cap_month.max(gp.rd_subsidy_cap_month);
        f.benefits.rd_subsidy_until = f.benefits.rd_subsidy_until.max(t + gp.rd_subsidy_months);
    }
}

fn pay(f: &mut Firm, amount: f64, e: &mut super::Events) {
    f.cash += amount;
    f.grants_total += amount;
    e.grant += amount;
    e.spend_grants += amount;
}

/// Share of active startups a service specialist follows (capped at 1).
fn service_coverage(w: &World, ri: usize) -> f64 {
    let sv = &w.def.region[ri].service;
    if sv.specialists <= 0.0 {
        return 0.0;
    }
    let active = w
        .live
        .iter()
        .filter(|&&i| {
            let f = &w.firms[i as usize];
            f.active_startup() && f.region.index() == ri
        })
        .count()
        .max(1) as f64;
    (sv.specialists * sv.firms_per_specialist / active).min(1.0)
}

/// Joint R&D: each January anchors admit startups of their sector into their consortia; the
/// budget is paid monthly to consortium members and to the anchors' own joint projects.
pub fn joint_rd(w: &mut World) {
    let def = w.def;
    let t = w.t;
    for (ri, r) in def.region.iter().enumerate() {
        let jr = &r.joint_rd;
        if jr.budget_cny_year <= 0.0 {
            continue;
        }
        if w.month().month() == 1 || t == 0 {
            admit_consortia(w, ri);
        }
        let rp = &w.params.region[ri];
        let monthly = rp.joint_rd_budget_month.min(w.regions[ri].joint_rd_left);
        let members: Vec<usize> = w
            .live
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| {
                w.firms[i].consortium
                    && w.firms[i].active_startup()
                    && w.firms[i].region.index() == ri
            })
            .collect();
        let anchors: Vec<usize> = w
            .anchors
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| w.firms[i].region.index() == ri)
            .collect();
        let mut paid = 0.0;
        if !members.is_empty() {
            let each = (monthly * jr.startup_share / members.len() as f64)
                .min(rp.joint_rd_max_per_firm_month);
            for &i in &members {
                w.firms[i].joint_rd = each;
                paid += each;
            }
        }
        if !anchors.is_empty() {
            let share = if members.is_empty() {
                1.0
            } else {
                1.0 - jr.startup_share
            };
            let each = monthly * share / anchors.len() as f64;
            for &i in &anchors {
                w.firms[i].joint_rd = each;
                paid += each;
            }
        }
        w.regions[ri].joint_rd_left -= paid;
    }
}

/// Anchors admit the most promising startups of their sector, as they read them.
fn admit_consortia(w: &mut World, ri: usize) {
    let t = w.t;
    for f in w.firms.iter_mut().filter(|f| f.region.index() == ri) {
        f.consortium = false;
    }
    let anchors: Vec<(u64, SectorId, u32)> = w
        .anchors
        .iter()
        .map(|&i| &w.firms[i as usize])
        .filter(|f| f.region.index() == ri)
        .filter_map(|f| Some((f.key, f.sector, f.anchor.as_ref()?.consortium_slots)))
        .collect();
    for (ak, sector, slots) in anchors {
        let mut cands: Vec<(f64, usize)> = w
            .firms
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.active_startup() && f.region.index() == ri && f.sector == sector && !f.consortium
            })
            .map(|(i, f)| {
                let mut rng = KeyedRng::new(w.seed, t, Phase::Consortium, key([f.key, ak]));
                (
                    f.quality + 0.3 * f.maturity.min(1.0) + 0.3 * rng.normal(),
                    i,
                )
            })
            .collect();
        cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let n = (slots as usize).min(cands.len());
        for &(_, i) in &cands[..n] {
            w.firms[i].consortium = true;
        }
    }
}

/// A project of a competition edition: the jury's reading, its quality, its key, and the
/// stream its landing (and the founder who may land with it) draws from.
type Project = (f64, f64, u64, KeyedRng);

/// An edition's `n` projects, in the order they are drawn (in parallel: each from its own
/// stream, keyed by the project's place in the draw).
fn edition(c: &Competition, n: usize, seed: u64, t: u32, rk: u64, ck: u64) -> Vec<Project> {
    (0..n)
        .into_par_iter()
        .with_min_len(PROJECTS_PER_TASK)
        .map(|k| {
            let id = key([tag::LANDING_FOUNDER, t as u64, rk, ck, k as u64]);
            let mut rng = KeyedRng::new(seed, t, Phase::Competition, id);
            let q = rng.lognormal(c.quality_median, 0.5).clamp(0.02, 2.0);
            (q + c.jury_noise * rng.normal(), q, id, rng)
        })
        .collect()
}

/// Projects drawn per parallel task.
const PROJECTS_PER_TASK: usize = 1024;

/// The jury's ranking: best reading first, ties by key (a total order: keys are distinct).
fn by_rank(a: &Project, b: &Project) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.2.cmp(&b.2))
}

/// A landing project's founder is aged uniformly from `.0` to `.0 + .1` years.
const LANDING_FOUNDER_AGE: (f64, f64) = (28.0, 12.0);

/// Competitions: each edition's projects are judged, finalists go through the camp, and the
/// projects whose founders choose the region land as startups with a high-level founder.
pub fn competitions(w: &mut World) {
    let def = w.def;
    let month = w.month();
    let t = w.t;
    let hl = edu_code(Education::HighLevel);
    for (ri, r) in def.region.iter().enumerate() {
        for (ci, c) in r.competition.iter().enumerate() {
            if month.year() < c.first_year || month.month() != c.month {
                continue;
            }
            let (rk, ck) = (w.region_keys[ri], name_key(&c.name));
            let mut rng = KeyedRng::new(w.seed, t, Phase::Competition, key([tag::REGION, rk, ck]));
            let years = (month.year() - c.first_year) as f64;
            let n = rng.poisson(c.projects * (1.0 + c.projects_growth).powf(years)) as usize;
            let finalists = (c.finalists as usize).min(n);
            let mut projects = edition(c, n, w.seed, t, rk, ck);
            // The finalists are the jury's best `finalists` (in any order here: each decides
            // alone); the landings below are taken in the jury's order.
            if finalists > 0 && finalists < n {
                projects.select_nth_unstable_by(finalists - 1, by_rank);
            }
            let st = &w.regions[ri];
            let support = units::millions(def.behaviour.support_weight * st.support[hl as usize]);
            let base = c.landing_utility + st.u_old - w.u_out + r.startup_climate;
            let e = &mut w.events[ri];
            e.competition_projects += n as u64;
            e.spend_competition += c.cost_cny;
            let bit = 1u64 << (r.grant.len() + ci).min(63);
            // Finalists have been through the camp and are offered the landing award.
            let camp = c.camp_utility + w.params.region[ri].competition[ci].award_utility;
            let mut landing: Vec<(Project, bool)> = projects
                .into_par_iter()
                .enumerate()
                .with_min_len(PROJECTS_PER_TASK)
                .filter_map(|(k, mut project)| {
                    let finalist = k < finalists;
                    let u = base + support + if finalist { camp } else { 0.0 };
                    let p_land = 1.0 / (1.0 + (-u).exp());
                    project.3.chance(p_land).then_some((project, finalist))
                })
                .collect();
            landing.sort_unstable_by(|a, b| by_rank(&a.0, &b.0));
            for ((_, q, id, mut rng), finalist) in landing {
                let award = (finalist && c.landing_award_cny > 0.0).then_some(bit);
                land(w, ri, c, award, (q, id), &mut rng);
            }
        }
    }
}

/// A project (quality `q`, founder keyed `id`) lands in region `ri` as a startup with a
/// high-level founder; a finalist's landing award, if any, is paid and recorded as the
/// program `award` (its bit).
fn land(
    w: &mut World,
    ri: usize,
    c: &Competition,
    award: Option<u64>,
    (q, id): (f64, u64),
    rng: &mut KeyedRng,
) {
    let (def, t) = (w.def, w.t);
    let hl = edu_code(Education::HighLevel);
    let age = LANDING_FOUNDER_AGE.0 + rng.uniform() * LANDING_FOUNDER_AGE.1;
    let sector = draw_sector(def, rng);
    let region = RegionId::new(ri);
    let mut firm = Firm::startup(region, sector, id, hl, q, t as i32, &def.firms, rng);
    let e = &mut w.events[ri];
    if let Some(bit) = award {
        firm.programs |= bit;
        firm.cash += c.landing_award_cny;
        firm.grants_total += c.landing_award_cny;
        e.grant += c.landing_award_cny;
        e.spend_competition += c.landing_award_cny;
    }
    w.firms.push(firm);
    let born = (t as i32 - units::months(age) as i32) as i16;
    let employer = Employer::firm(w.firms.len() - 1);
    let mut founder = Person::new(
        id,
        employer,
        0.0,
        born,
        t as i16,
        region,
        hl,
        sector,
        Status::Founder,
    );
    // One person at any scale: a founder is a single (ODD 7.32).
    if w.scale > 1 {
        founder.set_single();
    }
    super::grow_persons(&mut w.persons, 1);
    w.persons.push(founder);
    e.competition_landed += 1;
    e.new_firms += 1;
    e.arrivals += 1;
    e.high_level_arrivals += 1;
}
