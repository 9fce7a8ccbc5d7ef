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
///
/// The burn-in reads no program (they start with the run), so the runs of a sweep or a
/// calibration that differ only in programs and share a seed (common random numbers) have the
/// same burn-in: it is simulated once and kept (a memo of a few of the latest), keyed by
/// everything else it could read — the scenario with every region's programs cleared, the
/// derived parameters it reads, the start's funds, the seed and the region.
pub fn initial_startups(sc: &Scenario, seed: u64, ri: usize, funds: &[Fund]) -> Vec<Firm> {
    if sc.def.region[ri].initial_startups_per_year <= 0.0 || sc.params.burn_in_months == 0 {
        return Vec::new();
    }
    let key = memo_key(sc, seed, ri, funds);
    let memo = MEMO.get_or_init(Default::default);
    if let Some(firms) = memo.lock().ok().and_then(|m| m.get(&key)) {
        return firms;
    }
    let firms = simulate(sc, seed, ri, funds);
    if let Ok(mut m) = memo.lock() {
        m.put(key, &firms);
    }
    firms
}

/// Burn-ins kept for reuse by [`initial_startups`].
static MEMO: std::sync::OnceLock<std::sync::Mutex<Memo>> = std::sync::OnceLock::new();

/// How many burn-ins [`MEMO`] keeps (the latest; a sweep on common random numbers needs one per
/// replicate seed and region).
const MEMO_ENTRIES: usize = 8;

/// The firms [`MEMO`] holds at most, all entries together (368 bytes each: 2.9 MiB; the
/// oldest go first): a larger burn-in is simulated every time.
const MEMO_FIRMS: usize = 8192;

/// The latest burn-ins, by their key ([`memo_key`]).
#[derive(Default)]
struct Memo {
    entries: std::collections::VecDeque<(String, Vec<Firm>)>,
}

impl Memo {
    fn get(&self, key: &str) -> Option<Vec<Firm>> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, f)| f.clone())
    }

    fn put(&mut self, key: String, firms: &[Firm]) {
        if firms.len() > MEMO_FIRMS || self.entries.iter().any(|(k, _)| *k == key) {
            return;
        }
        let held = |m: &Memo| m.entries.iter().map(|(_, f)| f.len()).sum::<usize>();
        while self.entries.len() == MEMO_ENTRIES || held(self) + firms.len() > MEMO_FIRMS {
            self.entries.pop_front();
        }
        self.entries.push_back((key, firms.to_vec()));
    }
}

/// Everything the burn-in of region `ri` can read, as text: the scenario with the programs of
/// every region cleared, the parameters derived from it that the burn-in reads, the funds, the
/// seed and the region.
fn memo_key(sc: &Scenario, seed: u64, ri: usize, funds: &[Fund]) -> String {
    let mut def = sc.def.clone();
    for r in &mut def.region {
        r.housing = Default::default();
        r.welcome = Default::default();
        r.amenities = Default::default();
        r.recruitment = Default::default();
        r.service = Default::default();
        r.loans = Default::default();
        r.talent_fund = Default::default();
        r.joint_rd = Default::default();
        r.grant.clear();
        r.competition.clear();
    }
    let p = &sc.params;
    let rp = &p.region[ri];
    format!(
        "{seed} {ri} {def:?} {} {} {} {} {} {:?} {funds:?}",
        p.burn_in_months,
        p.demand_persistence,
        p.quasi_unicorn_cny,
        p.unicorn_cny,
        rp.initial_startups_per_month,
        rp.anchored,
    )
}

/// The burn-in itself (see the module's comment), for a region with initial startups.
fn simulate(sc: &Scenario, seed: u64, ri: usize, funds: &[Fund]) -> Vec<Firm> {
    let (def, params) = (&sc.def, &sc.params);
    let r = &def.region[ri];
    let anchored = params.region[ri].anchored;
    let months = params.burn_in_months;
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
        // (Every firm still operates here: the month's failures come from `month_end`.)
        firms.par_iter_mut().with_min_len(64).for_each(|f| {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn binjiang(sets: &[&str]) -> Scenario {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        crate::scenario::ScenarioSource::read(&root.join("scenarios/binjiang.toml"))
            .resolve_with(&crate::scenario::Override::args(&sets), |_, _, _| {})
            .unwrap()
    }

    fn funds(sc: &Scenario, seed: u64) -> Vec<Fund> {
        crate::sim::World::new(sc, seed).funds
    }

    /// A burn-in from the memo is the one simulated afresh; scenarios that differ only in a
    /// program share it, and any other difference (a knob the burn-in reads, the seed, the
    /// region) is a different key.
    #[test]
    fn the_memo_gives_the_burn_in_simulated_afresh() {
        let base = binjiang(&[]);
        let housing = binjiang(&["region.Binjiang.housing.units=9000"]);
        let wage = binjiang(&["region.Binjiang.wage_cny=9100"]);
        let noise = binjiang(&["firms.growth_noise=0.06"]);
        let f = funds(&base, 4);
        let fresh = simulate(&base, 4, 0, &f);
        assert!(!fresh.is_empty());
        let memo = initial_startups(&base, 4, 0, &f);
        let again = initial_startups(&housing, 4, 0, &f);
        assert_eq!(format!("{fresh:?}"), format!("{memo:?}"));
        assert_eq!(format!("{fresh:?}"), format!("{again:?}"));
        let key = memo_key(&base, 4, 0, &f);
        assert_eq!(key, memo_key(&housing, 4, 0, &f));
        for other in [
            memo_key(&wage, 4, 0, &f),
            memo_key(&noise, 4, 0, &f),
            memo_key(&base, 5, 0, &f),
            memo_key(&base, 4, 0, &funds(&base, 5)),
        ] {
            assert_ne!(key, other);
        }
        assert_eq!(
            format!("{:?}", initial_startups(&wage, 4, 0, &f)),
            format!("{:?}", simulate(&wage, 4, 0, &f))
        );
    }

    /// The memo keeps at most its entries and its firms, the latest first to stay.
    #[test]
    fn the_memo_is_bounded() {
        let sc = binjiang(&[]);
        let firms = simulate(&sc, 1, 0, &funds(&sc, 1));
        let mut m = Memo::default();
        for k in 0..3 * MEMO_ENTRIES {
            m.put(format!("{k}"), &firms);
            let held: usize = m.entries.iter().map(|(_, f)| f.len()).sum();
            assert!(m.entries.len() <= MEMO_ENTRIES && held <= MEMO_FIRMS);
            assert!(m.get(&format!("{k}")).is_some());
        }
        assert!(m.get("0").is_none());
        m.put("big".into(), &vec![firms[0].clone(); MEMO_FIRMS + 1]);
        assert!(m.get("big").is_none());
    }
}
