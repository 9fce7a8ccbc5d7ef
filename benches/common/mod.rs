//! Shared by the benches: synthetic worlds of a chosen size, a way to rewind them, and the
//! size selection.
//!
//! The size sweep uses a one-region scenario built in code, shaped like `scenarios/minimal.toml`
//! (every lever on) with every stock, flow and budget scaled by `N / 3000`, so that a world of
//! 10^7 people has the same make-up (people per firm, per fund, per vacancy) as one of 10^4 and
//! the cost per person-month can be compared across sizes.

#![allow(dead_code)]

use std::time::Duration;

use talentsim::World;
use talentsim::model::firm::Firm;
use talentsim::model::investor::Fund;
use talentsim::model::person::Person;
use talentsim::output::FirmYear;
use talentsim::scenario::{
    Amenities, Anchor, Competition, Education, Grant, Housing, JointRd, Loans, Month, Recruitment,
    Region, ScenarioDef, Service, TalentFund, Tier, Welcome,
};
use talentsim::{Scenario, sim};

/// Months simulated before measuring, so that firms, funds and vacancies exist.
pub const WARMUP_MONTHS: u32 = 12;

/// The sizes of the sweep: people at the start.
pub const ALL_SIZES: [u64; 4] = [10_000, 100_000, 1_000_000, 10_000_000];

/// `1e4` for powers of ten, the number otherwise.
pub fn label(n: u64) -> String {
    let mut k = 0;
    let mut m = n;
    while m >= 10 && m.is_multiple_of(10) {
        m /= 10;
        k += 1;
    }
    if m == 1 {
        format!("1e{k}")
    } else {
        n.to_string()
    }
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once(['e', 'E']) {
        let a: f64 = a.parse().ok()?;
        let b: i32 = b.parse().ok()?;
        return Some((a * 10f64.powi(b)).round() as u64);
    }
    s.replace('_', "").parse().ok()
}

/// True when the binary runs as a benchmark (`cargo bench`), false under `cargo test --benches`.
pub fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Sizes to run: `TALENTSIM_BENCH_SIZES` (e.g. `1e4,1e5`) if set, else all four under
/// `cargo bench` and only 10^4 under `cargo test --benches` (a smoke run).
pub fn sizes() -> Vec<u64> {
    match std::env::var("TALENTSIM_BENCH_SIZES") {
        Ok(v) if !v.trim().is_empty() => v
            .split(',')
            .filter_map(parse_size)
            .filter(|&n| n > 0)
            .collect(),
        _ if bench_mode() => ALL_SIZES.to_vec(),
        _ => vec![ALL_SIZES[0]],
    }
}

/// The benchmark-name filter passed on the command line (`cargo bench --bench sim -- FILTER`),
/// if it is a plain string: criterion treats it as a regex, which for such strings is a
/// substring match. Used to skip building worlds no selected benchmark needs.
pub fn plain_filter() -> Option<String> {
    const WITH_VALUE: [&str; 20] = [
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--save-baseline",
        "-s",
        "--baseline",
        "-b",
        "--baseline-lenient",
        "--load-baseline",
        "--color",
        "-c",
        "--output-format",
        "--format",
        "--profile-time",
        "--plotting-backend",
        "--logfile",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    let mut filter = None;
    while i < args.len() {
        let a = &args[i];
        if WITH_VALUE.contains(&a.as_str()) {
            i += 2;
            continue;
        }
        if !a.starts_with('-') {
            filter = Some(a.clone());
        }
        i += 1;
    }
    filter.filter(|f| {
        f.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '-'))
    })
}

/// Whether any of `ids` can be selected by the command-line filter.
pub fn selected(ids: &[String]) -> bool {
    match plain_filter() {
        Some(f) => ids.iter().any(|id| id.contains(&f)),
        None => true,
    }
}

/// Criterion settings for one size: sizes of 10^6 and more get 10 samples, flat sampling and a
/// short, fixed measurement time (these override `--measurement-time` on the command line);
/// smaller sizes take criterion's settings (defaults or command line).
pub fn big_settings(n: u64) -> Option<(Duration, Duration)> {
    match n {
        0..1_000_000 => None,
        1_000_000..10_000_000 => Some((Duration::from_millis(500), Duration::from_secs(3))),
        _ => Some((Duration::from_millis(500), Duration::from_secs(5))),
    }
}

/// A one-region scenario with `n` people at the start and every lever on, all scaled with `n`.
pub fn scenario(n: u64) -> Scenario {
    let k = n as f64 / 3000.0;
    let mut def = ScenarioDef {
        name: format!("bench-{}", label(n)),
        start: Month::new(2010, 1),
        end: Month::new(2039, 12),
        scale: 1.0,
        seed: 7,
        // `Scenario::from_def` does not run the memory check; set high in case it ever does.
        memory_limit_gib: 1024.0,
        ..Default::default()
    };
    def.elsewhere.graduates_per_year = 6000.0 * k;
    def.elsewhere.experienced_per_year = 1500.0 * k;
    def.elsewhere.high_level_per_year = 150.0 * k;
    def.capital.funds_initial = (6.0 * k).ceil() as u32;
    def.capital.new_funds_per_year = 2.0 * k;
    def.capital.fund_size_cny = 2.0e8;
    def.region = vec![Region {
        name: "Benchtown".into(),
        initial_talent: n as f64,
        incumbent_jobs: 2600.0 * k,
        wage_cny: 9000.0,
        rent_cny: 2800.0,
        public_rd_cny_year: 2.0e7 * k,
        focus_sectors: vec!["iot".into(), "health".into()],
        anchor: vec![Anchor {
            name: "AnchorCo".into(),
            sector: "iot".into(),
            headcount: 200.0 * k,
            rd_intensity: 0.1,
            ..Default::default()
        }],
        housing: Housing {
            units: 100.0 * k,
            doubling_years: 3.0,
            max_units: 400.0 * k,
            discount: 0.5,
            ..Default::default()
        },
        welcome: Welcome {
            value_cny: 2000.0,
            ..Default::default()
        },
        amenities: Amenities {
            investment_cny_year: 1.0e8,
            ..Default::default()
        },
        recruitment: Recruitment {
            posts_per_year: 500.0 * k,
            university_stations: 2.0,
            cost_cny_year: 1.0e6 * k,
            ..Default::default()
        },
        service: Service {
            specialists: 3.0 * k,
            ..Default::default()
        },
        loans: Loans {
            guarantee_share: 0.5,
            interest_subsidy: 0.5,
            ..Default::default()
        },
        talent_fund: TalentFund {
            capital_cny: 5.0e7 * k,
            ..Default::default()
        },
        joint_rd: JointRd {
            budget_cny_year: 5.0e6 * k,
            ..Default::default()
        },
        grant: vec![Grant {
            name: "starter grant".into(),
            budget_cny_year: 1.0e7 * k,
            min_education: Education::Master,
            staged: true,
            office_m2: 100.0,
            rd_subsidy_share: 0.3,
            loan_cny: 1.0e6,
            tiers: vec![
                Tier {
                    name: "A".into(),
                    min_score: 0.9,
                    award_cny: 2.0e6,
                },
                Tier {
                    name: "B".into(),
                    min_score: 0.6,
                    award_cny: 1.0e6,
                },
            ],
            ..Default::default()
        }],
        competition: vec![Competition {
            name: "bench cup".into(),
            first_year: 2010,
            projects: 60.0 * k,
            finalists: (8.0 * k).ceil() as u32,
            landing_award_cny: 5.0e5,
            ..Default::default()
        }],
        ..Default::default()
    }];
    Scenario::from_def(def)
}

/// Build the world for `sc` and simulate `months` months, recording each.
pub fn warm_world(
    sc: &Scenario,
    seed: u64,
    months: u32,
) -> (World<'_>, talentsim::metrics::Recorder) {
    let mut w = World::new(sc, seed);
    let mut rec = talentsim::metrics::Recorder::default();
    for _ in 0..months {
        w.step();
        rec.observe(&w);
    }
    (w, rec)
}

/// Run the phase of `talentsim::sim::MONTH` named `name`.
pub fn run_step(w: &mut World, name: &str) {
    let phase = sim::phase(name).unwrap_or_else(|| panic!("no phase `{name}`"));
    (phase.run)(w);
}

/// Start a month as `World::step` does and run the phases before the one named `first`.
pub fn replay_until(w: &mut World, first: &str) {
    w.begin_month();
    for p in sim::MONTH.iter().take_while(|p| p.name != first) {
        (p.run)(w);
    }
}

/// How much of the person vector a rewind restores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persons {
    /// Untouched by the measured code.
    Keep,
    /// Only appended to (arrivals): cut back to the saved length.
    Truncate,
    /// Changed in place (the apply phase): copy back.
    Copy,
}

/// The mutable state of a world, to rewind it (`World` is not `Clone`; all its parts are).
/// `def`, `seed`, `focus` and `anchored` never change during a run.
pub struct Snapshot {
    t: u32,
    persons: Option<Vec<Person>>,
    persons_len: usize,
    dead: usize,
    firms: Vec<Firm>,
    live: Vec<u32>,
    owed: Vec<i64>,
    funds: Vec<Fund>,
    regions: Vec<talentsim::model::region::RegionState>,
    events: Vec<talentsim::metrics::Events>,
    panel: usize,
    price_index: f64,
    openings: Vec<talentsim::sim::people::Openings>,
    u_out: f64,
}

impl Snapshot {
    pub fn take(w: &World, with_persons: bool) -> Snapshot {
        Snapshot {
            t: w.t,
            persons: with_persons.then(|| w.persons.clone()),
            persons_len: w.persons.len(),
            dead: w.dead,
            firms: w.firms.clone(),
            live: w.live.clone(),
            owed: w.owed.clone(),
            funds: w.funds.clone(),
            regions: w.regions.clone(),
            events: w.events.clone(),
            panel: w.panel.len(),
            price_index: w.price_index,
            openings: w.openings.clone(),
            u_out: w.u_out,
        }
    }

    /// People in the world when the snapshot was taken.
    pub fn persons_len(&self) -> usize {
        self.persons_len
    }

    /// Rewind `w`; `firms: false` skips the firm vector (for code that does not touch it).
    pub fn restore(&self, w: &mut World, persons: Persons, firms: bool) {
        w.t = self.t;
        w.dead = self.dead;
        match persons {
            Persons::Keep => {}
            Persons::Truncate => w.persons.truncate(self.persons_len),
            Persons::Copy => {
                let saved = self
                    .persons
                    .as_ref()
                    .expect("snapshot taken without persons");
                w.persons.clear();
                w.persons.extend_from_slice(saved);
            }
        }
        if firms {
            w.firms.clone_from(&self.firms);
        }
        w.live.clone_from(&self.live);
        w.owed.clone_from(&self.owed);
        w.funds.clone_from(&self.funds);
        w.regions.clone_from(&self.regions);
        w.events.clone_from(&self.events);
        w.panel.truncate(self.panel);
        w.price_index = self.price_index;
        w.openings.clone_from(&self.openings);
        w.u_out = self.u_out;
    }
}

/// Bytes held by a world's vectors and its recorder's rows (capacity, not length), by part.
pub fn world_bytes(w: &World, rec: &talentsim::metrics::Recorder) -> Vec<(&'static str, usize)> {
    use std::mem::size_of;
    let slots: usize = w
        .openings
        .iter()
        .map(|o| o.firsts.capacity() * 12 + o.others.capacity() * 16)
        .sum();
    let regions: usize = w
        .regions
        .iter()
        .map(|r| {
            size_of::<talentsim::model::region::RegionState>()
                + r.grants.capacity() * size_of::<talentsim::model::program::GrantState>()
                + r.tenancies.heap_bytes()
        })
        .sum();
    vec![
        ("persons", w.persons.capacity() * size_of::<Person>()),
        ("firms", w.firms.capacity() * size_of::<Firm>()),
        ("openings", slots),
        ("funds", w.funds.capacity() * size_of::<Fund>()),
        ("regions", regions),
        (
            "firm-year panel",
            w.panel.capacity() * size_of::<FirmYear>(),
        ),
        (
            "recorder rows",
            rec.rows.capacity() * size_of::<talentsim::metrics::MonthRow>(),
        ),
    ]
}

/// This process's resident set size in bytes (Linux), if known.
pub fn rss_bytes() -> Option<u64> {
    talentsim::resolve::footprint::proc_status_bytes("VmRSS:").map(|b| b as u64)
}
