//! Every lever acts through a mechanism: turning it up moves the outcome it works on in the
//! expected direction, on the same seeds (common random numbers).

use talentsim::metrics::MonthRow;
use talentsim::model::firm::{Kind, NEVER};
use talentsim::{RunResult, load, simulate};

const SEEDS: [u64; 4] = [11, 12, 13, 14];

fn runs(sets: &[&str]) -> Vec<RunResult> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let sc = load("tests/fixtures/levers.toml".as_ref(), &sets).expect("valid fixture");
    SEEDS.iter().map(|&s| simulate(&sc, s)).collect()
}

/// Sum of a column over all months and seeds.
fn total(rs: &[RunResult], f: fn(&MonthRow) -> f64) -> f64 {
    rs.iter().flat_map(|r| r.recorder.rows.iter()).map(f).sum()
}

/// Sum over seeds of a column in the last month.
fn end(rs: &[RunResult], f: fn(&MonthRow) -> f64) -> f64 {
    rs.iter().map(|r| f(r.recorder.rows.last().unwrap())).sum()
}

fn backed(rs: &[RunResult]) -> f64 {
    rs.iter()
        .flat_map(|r| r.firms.iter())
        .filter(|f| f.programs & 1 == 1)
        .count() as f64
}

/// Assert `more` of a lever gives more of an outcome than `less`.
fn up(knob: &str, less: &str, more: &str, what: &str, measure: impl Fn(&[RunResult]) -> f64) {
    let lo = measure(&runs(&[&format!("{knob}={less}")]));
    let hi = measure(&runs(&[&format!("{knob}={more}")]));
    assert!(
        hi > lo,
        "{knob}: {less} → {more} should raise {what}, got {lo} → {hi}"
    );
}

/// Assert `more` of a lever gives less of an outcome than `less`.
fn down(knob: &str, less: &str, more: &str, what: &str, measure: impl Fn(&[RunResult]) -> f64) {
    let lo = measure(&runs(&[&format!("{knob}={less}")]));
    let hi = measure(&runs(&[&format!("{knob}={more}")]));
    assert!(
        hi < lo,
        "{knob}: {less} → {more} should lower {what}, got {lo} → {hi}"
    );
}

const R: &str = "region.Testville";

#[test]
fn housing_units_retain_talent() {
    // Housing draws and keeps the young: it lowers their rent, so more come (expected discount)
    // and the housed leave less. (The aggregate departure count can rise with the inflow.)
    up(
        &format!("{R}.housing.units"),
        "0",
        "8000",
        "young talent at the end",
        |r| end(r, |m| m.under35_stock as f64),
    );
    up(
        &format!("{R}.housing.units"),
        "0",
        "8000",
        "people housed",
        |r| total(r, |m| m.housed as f64),
    );
}

#[test]
fn housing_discount_retains_talent() {
    // The discount acts on the rooms there are: with the fixture's 500 rooms in a district of
    // ~38,000 its effect (~1%) is below the run-to-run spread that the larger, more volatile
    // startup sector of the learning/demand-shock firm model adds (common random numbers do
    // not hold across different arrivals yet: issue 9), so the test gives it 4,000 rooms.
    let sets = |d: &str| {
        runs(&[
            &format!("{R}.housing.units=4000"),
            &format!("{R}.housing.discount={d}"),
        ])
    };
    let young = |r: &[RunResult]| end(r, |m| m.under35_stock as f64);
    let (lo, hi) = (young(&sets("0.1")), young(&sets("0.9")));
    assert!(
        hi > lo,
        "housing.discount 0.1 → 0.9 should raise young talent, got {lo} → {hi}"
    );
}

#[test]
fn welcome_package_attracts_graduates() {
    up(
        &format!("{R}.welcome.value_cny"),
        "0",
        "30000",
        "graduate arrivals",
        |r| total(r, |m| m.graduate_arrivals as f64),
    );
}

#[test]
fn amenity_investment_attracts_and_retains() {
    up(
        &format!("{R}.amenities.investment_cny_year"),
        "0",
        "3e9",
        "talent stock",
        |r| end(r, |m| m.talent_stock as f64),
    );
}

#[test]
fn recruitment_posts_bring_graduates() {
    up(
        &format!("{R}.recruitment.posts_per_year"),
        "0",
        "10000",
        "graduate arrivals",
        |r| total(r, |m| m.graduate_arrivals as f64),
    );
}

#[test]
fn university_stations_raise_awareness() {
    up(
        &format!("{R}.recruitment.university_stations"),
        "0",
        "20",
        "arrivals",
        |r| total(r, |m| m.arrivals_total as f64),
    );
}

#[test]
fn service_specialists_bring_firms_to_programs() {
    up(
        &format!("{R}.service.specialists"),
        "0",
        "500",
        "program-backed firms",
        backed,
    );
}

#[test]
fn loan_guarantees_unlock_bank_loans() {
    up(
        &format!("{R}.loans.guarantee_share"),
        "0",
        "1",
        "bank lending",
        |r| total(r, |m| m.loan_cny as f64),
    );
}

#[test]
fn interest_subsidy_is_paid_and_spent() {
    up(
        &format!("{R}.loans.interest_subsidy"),
        "0",
        "1",
        "loan support spending",
        |r| total(r, |m| m.spend_loan_support_cny as f64),
    );
}

#[test]
fn talent_fund_co_invests_and_unlocks_rounds() {
    up(
        &format!("{R}.talent_fund.capital_cny"),
        "0",
        "1e9",
        "talent-fund investment",
        |r| total(r, |m| m.talent_fund_cny as f64),
    );
    up(
        &format!("{R}.talent_fund.capital_cny"),
        "0",
        "1e9",
        "rounds",
        |r| total(r, |m| m.rounds as f64),
    );
}

#[test]
fn joint_rd_raises_firm_rd_and_patents() {
    up(
        &format!("{R}.joint_rd.budget_cny_year"),
        "0",
        "5e8",
        "firm R&D",
        |r| total(r, |m| m.rd_spend_firms_cny as f64),
    );
    up(
        &format!("{R}.joint_rd.budget_cny_year"),
        "0",
        "5e8",
        "firm patents",
        |r| total(r, |m| m.patents_firms as f64),
    );
}

#[test]
fn grant_budget_backs_firms_and_draws_founders() {
    up(
        &format!("{R}.grant.grant.budget_cny_year"),
        "0",
        "2e8",
        "program-backed firms",
        backed,
    );
    up(
        &format!("{R}.grant.grant.budget_cny_year"),
        "0",
        "2e8",
        "new firms",
        |r| total(r, |m| m.new_firms as f64),
    );
}

#[test]
fn staged_support_backs_more_firms_on_the_same_budget() {
    up(
        &format!("{R}.grant.grant.staged"),
        "false",
        "true",
        "program-backed firms",
        backed,
    );
}

#[test]
fn office_space_is_provided() {
    up(
        &format!("{R}.grant.grant.office_m2"),
        "0",
        "500",
        "office subsidy",
        |r| total(r, |m| m.spend_office_cny as f64),
    );
}

#[test]
fn rd_subsidy_lowers_failures() {
    up(
        &format!("{R}.grant.grant.rd_subsidy_share"),
        "0",
        "1",
        "R&D subsidy spending",
        |r| total(r, |m| m.spend_rd_subsidy_cny as f64),
    );
}

#[test]
fn program_loans_are_lent() {
    up(
        &format!("{R}.grant.grant.loan_cny"),
        "0",
        "5e6",
        "bank lending",
        |r| total(r, |m| m.loan_cny as f64),
    );
}

#[test]
fn noisier_assessment_backs_weaker_firms() {
    let quality = |rs: &[RunResult]| {
        let q: Vec<f64> = rs
            .iter()
            .flat_map(|r| r.firms.iter())
            .filter(|f| f.programs & 1 == 1)
            .map(|f| f.quality)
            .collect();
        q.iter().sum::<f64>() / q.len().max(1) as f64
    };
    down(
        &format!("{R}.grant.grant.assessment_noise"),
        "0",
        "3",
        "mean quality of backed firms",
        quality,
    );
}

#[test]
fn focus_only_restricts_grants_to_focus_sectors() {
    let rs = runs(&[&format!("{R}.grant.grant.focus_only=true")]);
    let b: Vec<_> = rs
        .iter()
        .flat_map(|r| r.firms.iter())
        .filter(|f| f.programs & 1 == 1)
        .collect();
    assert!(!b.is_empty());
    assert!(
        b.iter()
            .all(|f| f.sector == talentsim::scenario::SectorId(0)),
        "only iot (sector 0) firms may be backed"
    );
}

#[test]
fn landing_award_lands_more_projects() {
    up(
        &format!("{R}.competition.cup.landing_award_cny"),
        "0",
        "2e7",
        "landed projects",
        |r| total(r, |m| m.competition_landed as f64),
    );
    up(
        &format!("{R}.competition.cup.projects"),
        "50",
        "2000",
        "landed projects",
        |r| total(r, |m| m.competition_landed as f64),
    );
}

#[test]
fn more_high_level_talent_founds_more_firms() {
    up(
        "elsewhere.high_level_per_year",
        "500",
        "5000",
        "new firms",
        |r| total(r, |m| m.new_firms as f64),
    );
}

#[test]
fn firms_emerge_with_skewed_sizes_and_stages() {
    // Nothing about firm outcomes is drawn: sizes and stages come from growth and funding.
    let rs = runs(&[]);
    let firms: Vec<_> = rs
        .iter()
        .flat_map(|r| r.firms.iter())
        .filter(|f| f.kind == Kind::Startup)
        .collect();
    let seeded = firms.iter().filter(|f| f.first_seed != NEVER).count();
    let a = firms.iter().filter(|f| f.series_a != NEVER).count();
    assert!(
        seeded > a && a > 0,
        "funnel narrows: {seeded} seeded, {a} series A"
    );
    let mut sizes: Vec<u32> = firms.iter().map(|f| f.peak_headcount).collect();
    sizes.sort_unstable();
    let median = sizes[sizes.len() / 2] as f64;
    let mean = sizes.iter().map(|&s| s as f64).sum::<f64>() / sizes.len() as f64;
    assert!(
        mean > median,
        "firm sizes are right-skewed: mean {mean}, median {median}"
    );
}

#[test]
fn scale_preserves_totals() {
    let full = end(&runs(&[]), |m| m.talent_stock as f64);
    let coarse = end(&runs(&["scale=10"]), |m| m.talent_stock as f64);
    assert!(
        (coarse / full - 1.0).abs() < 0.1,
        "scale=10 stock {coarse} vs scale=1 {full}"
    );
}
