//! Capital: venture rounds (with the talent fund alongside), and bank loans.

use super::Events;
use crate::model::firm::{Firm, NEVER, Stage};
use crate::model::investor::{Fund, bar, firm_score, needed_revenue, round_size};
use crate::rng::{KeyedRng, Phase};
use crate::scenario::units;
use crate::scenario::{Capital, Loans};

use super::World;

/// Grant a bank loan of `amount` to a firm; payments include interest, part of which the
/// district may pay.
pub fn lend(f: &mut Firm, amount: f64, c: &Capital, loans: &Loans, e: &mut Events) {
    let term = c.loan_term_months.max(1) as f64;
    let principal = amount / term;
    // Level payment approximated by average interest over the term.
    let interest = units::per_month(amount * c.loan_rate) * 0.5;
    f.cash += amount;
    f.loan.balance = amount;
    f.loan.payment = principal + interest;
    f.loan.principal = principal;
    f.loan.subsidy = interest * loans.interest_subsidy;
    e.loan += amount;
}

/// Funds raised this year join the market; funds past their investment period stop.
fn refresh_funds(w: &mut World) {
    let c = &w.def.capital;
    let years = w.years();
    let mut rng = KeyedRng::new(w.seed, w.t, Phase::Investor, u64::MAX);
    let n = rng.poisson(units::per_month(
        c.new_funds_per_year * (1.0 + c.new_funds_growth).powf(years),
    ));
    for k in 0..n {
        let mut r = KeyedRng::new(w.seed, w.t, Phase::Investor, k | 1 << 32);
        let f = Fund::new(w.t, c, w.params.fund_life_months, &mut r);
        w.funds.push(f);
    }
    let t = w.t;
    w.funds.retain(|f| f.until >= t && f.dry_powder > 0.0);
}

/// Firms short of runway look for a round; screened by funds that lead their next stage.
/// Those that fail to raise may borrow from a bank.
pub fn funding(w: &mut World) {
    refresh_funds(w);
    let def = w.def;
    let c = &def.capital;
    let t = w.t as i32;
    // Seekers per stage, to share out the funds' screening capacity.
    let mut seekers = [0f64; 6];
    let mut seeking = Vec::new();
    for &li in &w.live {
        let (i, f) = (li as usize, &mut w.firms[li as usize]);
        if !f.active_startup() || f.stage == Stage::Growth {
            continue;
        }
        if look_for_round(f, w.regions[f.region.index()].wage, def, t) {
            seekers[f.stage.next() as usize] += 1.0;
            seeking.push(i);
        }
    }
    let leaders = stage_leaders(&w.funds);
    // Screenings per month a stage's leaders can do.
    let per_fund = c.deals_per_fund_month;
    let capacity: Vec<f64> = (0..6).map(|s| leaders[s].len() as f64 * per_fund).collect();
    for i in seeking {
        let ri = w.firms[i].region.index();
        let next = w.firms[i].stage.next();
        let mut rng = KeyedRng::new(w.seed, w.t, Phase::Funding, w.firms[i].key);
        let looks = rng.poisson(capacity[next as usize] / seekers[next as usize].max(1.0));
        let tf = &def.region[ri].talent_fund;
        let size = round_size(next, c);
        let tf_part = if w.firms[i].fund_eligible {
            (size * tf.co_invest_share)
                .min(tf.max_per_deal_cny)
                .min(w.regions[ri].talent_fund)
        } else {
            0.0
        };
        let relief = if tf_part > 0.0 { tf.bar_relief } else { 0.0 };
        let score = firm_score(&w.firms[i], next, c, t);
        let mut raised = false;
        for _ in 0..looks {
            let cands = &leaders[next as usize];
            if cands.is_empty() {
                break;
            }
            let j = cands[rng.below(cands.len() as u64) as usize];
            let fund = &mut w.funds[j];
            if fund.dry_powder < size - tf_part {
                continue;
            }
            let signal = score + fund.noise * rng.normal();
            if signal < bar(next, c) - relief {
                continue;
            }
            fund.dry_powder -= size - tf_part;
            w.regions[ri].talent_fund -= tf_part;
            let f = &mut w.firms[i];
            let e = &mut w.events[ri];
            f.raise(next, size, c.dilution, t);
            if next == Stage::SeriesA && f.benefits.follow_on > 0.0 {
                let gi = f.benefits.staged_program as usize;
                follow_on(f, &mut w.regions[ri].grants[gi].budget_left, e);
            }
            e.rounds += 1;
            e.vc_capital += size - tf_part;
            e.talent_fund += tf_part;
            raised = true;
            break;
        }
        let f = &w.firms[i];
        let burn = monthly_burn(f, w.regions[ri].wage, def);
        if !raised && f.loan.balance <= 0.0 && f.cash < LOAN_RUNWAY_MONTHS * burn {
            apply_for_loan(w, i, burn, &mut rng);
        }
    }
}

/// The funds that lead rounds at each stage, by index.
fn stage_leaders(funds: &[Fund]) -> [Vec<usize>; 6] {
    let mut leaders: [Vec<usize>; 6] = Default::default();
    for (j, fund) in funds.iter().enumerate() {
        for s in Stage::ALL {
            if fund.leads(s) {
                leaders[s as usize].push(j);
            }
        }
    }
    leaders
}

/// Months of net burn below which a firm that raised no round this month asks a bank for a
/// loan.
const LOAN_RUNWAY_MONTHS: f64 = 6.0;
/// Spread of the bank's reading of a firm (in score units).
const LOAN_SIGNAL_NOISE: f64 = 0.3;
/// The bank's credit for a launched product (in score units).
const LOAN_LAUNCH_CREDIT: f64 = 0.3;

/// Staged programs follow the firm into its series A: the follow-on tranche, as far as the
/// program's budget (`budget`) allows.
fn follow_on(f: &mut Firm, budget: &mut f64, e: &mut Events) {
    let amount = f.benefits.follow_on.min(*budget);
    *budget -= amount;
    f.cash += amount;
    f.grants_total += amount;
    e.grant += amount;
    e.spend_grants += amount;
    f.benefits.follow_on = 0.0;
}

/// Firm `i` asks a bank for a loan of `loan_months` of its net burn `burn`: the bank lends
/// where its reading of the firm (the firm's score, noise, credit for a launched product and
/// for the district's service specialists' signal) clears the loan bar, lowered by the
/// district's guarantee.
fn apply_for_loan(w: &mut World, i: usize, burn: f64, rng: &mut KeyedRng) {
    let (def, t) = (w.def, w.t as i32);
    let c = &def.capital;
    let f = &w.firms[i];
    let ri = f.region.index();
    let loans = &def.region[ri].loans;
    let coverage = w.regions[ri].service_coverage * def.region[ri].service.loan_signal;
    let signal = firm_score(f, f.stage, c, t)
        + LOAN_SIGNAL_NOISE * rng.normal()
        + coverage
        + if f.launched() {
            LOAN_LAUNCH_CREDIT
        } else {
            0.0
        };
    if signal >= c.loan_bar - loans.guarantee_effect * loans.guarantee_share {
        let amount = c.loan_months * burn;
        lend(&mut w.firms[i], amount, c, loans, &mut w.events[ri]);
    }
}

/// A startup with less than this many months of burn in cash looks for a round.
const SHORT_RUNWAY_MONTHS: f64 = 12.0;

/// Whether an active startup looks for a round this month: its last round is far enough
/// back, and its runway is short or its revenue already supports the next round.
fn seeks_round(f: &Firm, wage: f64, def: &crate::scenario::ScenarioDef, t: i32) -> bool {
    let c = &def.capital;
    let burn = monthly_burn(f, wage, def);
    let runway_short = f.cash < SHORT_RUNWAY_MONTHS * burn;
    // Firms whose revenue already supports the next round raise to grow faster.
    let traction = f.launched() && f.revenue_year() >= needed_revenue(f.stage.next(), c);
    let spaced = f.last_round == NEVER || t >= f.last_round + c.months_between_rounds as i32;
    (runway_short || traction) && spaced
}

/// [`seeks_round`], keeping the month the firm began looking (for the stale-deal discount).
pub(crate) fn look_for_round(
    f: &mut Firm,
    wage: f64,
    def: &crate::scenario::ScenarioDef,
    t: i32,
) -> bool {
    let seeks = seeks_round(f, wage, def, t);
    if !seeks {
        f.seeking_since = NEVER;
    } else if f.seeking_since == NEVER {
        f.seeking_since = t;
    }
    seeks
}

fn monthly_burn(f: &Firm, wage: f64, def: &crate::scenario::ScenarioDef) -> f64 {
    let p = &def.firms;
    (f.headcount.max(p.founding_team) as f64 * wage * p.cost_per_wage - f.revenue * p.margin)
        .max(wage)
}
