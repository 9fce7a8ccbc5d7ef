//! The starting world: the initial talent stock, anchors, funds and policies.

use super::Events;
use crate::model::firm::{Firm, Kind, NO_FOUNDER};
use crate::model::investor::Fund;
use crate::model::person::{Employer, Person, Status, edu_code};
use crate::model::person::{draw_sector, draw_tech};
use crate::model::program::GrantState;
use crate::model::region::RegionState;
use crate::rng::{KeyedRng, Phase, key, name_key, tag};
use crate::scenario::RegionId;
use crate::scenario::units;
use crate::scenario::{Education, Region, Scenario, ScenarioDef};

use super::World;

/// The starting world of scenario `sc` for `seed`.
pub fn build(sc: &Scenario, seed: u64) -> World<'_> {
    let (def, params) = (&sc.def, &sc.params);
    let nreg = def.region.len();
    let mut w = World {
        def,
        params,
        seed,
        t: 0,
        scale: params.scale,
        persons: Vec::new(),
        dead: 0,
        owed: vec![0; nreg],
        cap: usize::MAX,
        over_cap: false,
        region_keys: def.region.iter().map(|r| name_key(&r.name)).collect(),
        firms: Vec::new(),
        live: Vec::new(),
        anchors: Vec::new(),
        funds: Vec::new(),
        regions: Vec::with_capacity(nreg),
        events: vec![Events::default(); nreg],
        panel: Vec::new(),
        price_index: 1.0,
        openings: vec![Default::default(); nreg],
        u_out: 0.0,
        quiet: true,
    };
    // Room for the peak the memory pilot saw, where one ran; else for the initial stock and
    // an eighth more (the vector grows past it by a quarter at a time: `grow_persons`).
    let expected: f64 = params.region.iter().map(|r| r.initial_agents).sum();
    w.persons.reserve_exact(
        params
            .person_capacity
            .unwrap_or((expected * 1.125) as usize + 1024),
    );
    for i in 0..def.capital.funds_initial {
        let mut rng = KeyedRng::new(seed, 0, Phase::Investor, i as u64);
        let mut f = Fund::new(0, &def.capital, params.fund_life_months, &mut rng);
        // Funds already running at the start are part-way through their life.
        let age = rng.below(params.fund_life_months as u64 + 1) as u32;
        f.until = f.until.saturating_sub(age);
        w.funds.push(f);
    }
    for (ri, r) in def.region.iter().enumerate() {
        let rp = &params.region[ri];
        let grants = rp
            .grant
            .iter()
            .map(|g| GrantState {
                start: g.start,
                ..Default::default()
            })
            .collect();
        w.regions.push(RegionState {
            wage: r.wage_cny,
            rent: r.rent_cny,
            office_rent: r.office_rent_cny_m2_month,
            housing_units: r.housing.units,
            amenity: r.amenities.index,
            incumbent_jobs: r.incumbent_jobs,
            talent_fund: r.talent_fund.capital_cny,
            grants,
            p_find: 0.3,
            ..Default::default()
        });
        for (a, &sector) in r.anchor.iter().zip(&rp.anchor_sector) {
            let f = Firm::anchor(RegionId::new(ri), w.region_keys[ri], sector, a);
            w.firms.push(f);
        }
        let startups = super::burnin::initial_startups(sc, seed, ri, &w.funds);
        w.firms.extend(startups);
        initial_people(&mut w, ri);
    }
    w.anchors = (0..w.firms.len() as u32)
        .filter(|&i| w.firms[i as usize].anchor.is_some())
        .collect();
    // Open positions for the first month's matching.
    super::firms::refresh_live(&mut w);
    super::firms::vacancies(&mut w);
    w
}

/// Round-robin over firms with openings left, from `cursor`.
fn next_open(open: &[(u32, u32)], cursor: &mut usize) -> Option<usize> {
    for _ in 0..open.len() {
        let k = *cursor % open.len();
        *cursor = k + 1;
        if open[k].1 > 0 {
            return Some(k);
        }
    }
    None
}

/// The initial startups' places, filled in person order: a founder for each firm first, then
/// staff one per firm per round (a firm's first hire before another's second).
struct StartupPlaces {
    /// `(firm index, places left)`.
    open: Vec<(u32, u32)>,
    founders: u64,
    founders_left: u64,
    staff_left: u64,
    open_left: u64,
    cursor: usize,
}

impl StartupPlaces {
    /// Whether a place is left for someone.
    fn any(&self) -> bool {
        self.founders_left > 0 || (self.staff_left > 0 && self.open_left > 0)
    }

    /// Give `p` the next place: founder (taking the firm's founder education, leaving the
    /// technology) or staff; `false` if none is left.
    fn place(&mut self, p: &mut Person, firms: &mut [Firm]) -> bool {
        if self.founders_left > 0 {
            let slot = &mut self.open[(self.founders - self.founders_left) as usize];
            self.founders_left -= 1;
            self.open_left -= 1;
            slot.1 -= 1;
            p.employer = Employer::firm(slot.0 as usize);
            let f = &mut firms[slot.0 as usize];
            f.founder = p.key;
            f.headcount = 1;
            p.set_edu(f.founder_edu);
            p.set_tech(0.0);
            p.set_status(Status::Founder);
            true
        } else if let Some(k) = (self.staff_left > 0)
            .then(|| next_open(&self.open, &mut self.cursor))
            .flatten()
        {
            self.staff_left -= 1;
            self.open_left -= 1;
            self.open[k].1 -= 1;
            p.employer = Employer::firm(self.open[k].0 as usize);
            p.set_status(Status::Employed);
            firms[self.open[k].0 as usize].headcount += 1;
            true
        } else {
            false
        }
    }
}

/// Share of the initial stock's people who could work at an established employer that has
/// jobs open but are seeking at the start.
const INITIAL_SEEKING_SHARE: f64 = 0.04;
/// The initial stock carries technologies at this fraction of newcomers' rates (many of its
/// carriers have already founded or moved on)...
const INITIAL_TECH_SHARE_FACTOR: f64 = 0.5;
/// ...of this median quality.
const INITIAL_TECH_MEDIAN: f64 = 0.4;
/// The initial stock arrived uniformly over this many months before the start.
const INITIAL_ARRIVED_MONTHS: u64 = 60;

/// One person of a region's initial stock, not yet employed: under 35 (aged 22–35) with the
/// region's `initial_under35` share, else 35–55; high-level talent with its
/// `initial_high_level` share, else graduates by the pool's PhD and master shares.
fn initial_person(def: &ScenarioDef, r: &Region, id: u64, ri: usize, rng: &mut KeyedRng) -> Person {
    let e = &def.elsewhere;
    let young = rng.chance(r.initial_under35);
    let age = if young {
        22.0 + rng.uniform() * 13.0
    } else {
        35.0 + rng.uniform() * 20.0
    };
    let hl = rng.chance(r.initial_high_level);
    let edu = if hl {
        Education::HighLevel
    } else {
        let u = rng.uniform();
        if u < e.phd_share {
            Education::Phd
        } else if u < e.phd_share + e.master_share {
            Education::Master
        } else {
            Education::Bachelor
        }
    };
    let tech_p = match edu {
        Education::HighLevel => e.tech_share_high_level,
        Education::Phd => e.tech_share_phd,
        Education::Master => e.tech_share_master,
        Education::Bachelor => 0.0,
    } * INITIAL_TECH_SHARE_FACTOR;
    let tech = if rng.chance(tech_p) {
        draw_tech(rng, INITIAL_TECH_MEDIAN)
    } else {
        0.0
    };
    Person::new(
        id,
        Employer::NONE,
        tech,
        -units::months(age).round() as i16,
        -(rng.below(INITIAL_ARRIVED_MONTHS) as i16),
        RegionId::new(ri),
        edu_code(edu),
        draw_sector(def, rng),
        Status::Seeking,
    )
}

/// Positions to fill at firms, `(firm index, positions)`.
type Positions = Vec<(u32, u32)>;

/// The positions region `ri`'s initial stock fills, `(firm index, positions)`: the anchors'
/// (filled first, then established employers), and the initial startups' from the burn-in (a
/// founder each, then their staff; their headcounts restart from 0 as people are placed).
fn initial_openings(firms: &mut [Firm], ri: usize) -> (Positions, Positions) {
    let anchors = firms
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == Kind::Anchor && f.region.index() == ri)
        .map(|(i, f)| (i as u32, f.desired))
        .collect();
    let mut startups = Vec::new();
    for (i, f) in firms.iter_mut().enumerate() {
        if f.kind == Kind::Startup && f.region.index() == ri && f.founder == NO_FOUNDER {
            startups.push((i as u32, f.headcount.max(1)));
            f.headcount = 0;
        }
    }
    (anchors, startups)
}

fn initial_people(w: &mut World, ri: usize) {
    let def = w.def;
    let r = &def.region[ri];
    let n = w.params.region[ri].initial_agents.round() as u64;
    let (mut anchor_open, startup_open) = initial_openings(&mut w.firms, ri);
    let mut incumbent_open = w.regions[ri].incumbent_jobs.round() as u64;
    // Startups are staffed from the people anchors and established employers leave, founders
    // first, then one employee per firm per round (a firm's first hire before another's
    // second): where labour is short they start smaller than they planned.
    let anchored_staff: u64 = anchor_open.iter().map(|a| a.1 as u64).sum();
    let founders = startup_open.len() as u64;
    // People an agent stands for; at `scale > 1` the initial startups' founders and staff are
    // singles split from the agents that reach them.
    let s = w.scale;
    let staff_left = (n * s).saturating_sub(
        anchored_staff
            .saturating_add(incumbent_open)
            .saturating_add(founders),
    );
    let mut places = StartupPlaces {
        open_left: startup_open.iter().map(|o| o.1 as u64).sum(),
        open: startup_open,
        founders,
        founders_left: founders,
        staff_left,
        cursor: 0,
    };
    for k in 0..n {
        let id = key([tag::INITIAL_PERSON, w.region_keys[ri], k]);
        let mut rng = KeyedRng::new(w.seed, 0, Phase::Init, id);
        let mut p = initial_person(def, r, id, ri, &mut rng);
        if let Some(slot) = anchor_open.iter_mut().find(|(_, open)| *open > 0) {
            slot.1 = slot.1.saturating_sub(s as u32);
            p.employer = Employer::firm(slot.0 as usize);
            w.firms[slot.0 as usize].headcount += s as u32;
        } else if s > 1 && places.any() {
            // Each of the agent's people becomes a single: the next founders, then staff; the
            // rest rejoin the aggregated people through the region's ledger.
            for j in 0..s {
                let mut q = p;
                q.key = key([tag::INITIAL_SINGLE, w.region_keys[ri], k, j]);
                q.set_single();
                if places.place(&mut q, &mut w.firms) {
                    super::grow_persons(&mut w.persons, 1);
                    w.persons.push(q);
                } else {
                    let mut back = Vec::new();
                    super::people::merge(&q, &mut w.owed[ri], s, 0, &mut back);
                    super::grow_persons(&mut w.persons, back.len());
                    w.persons.extend(back);
                }
            }
            continue;
        } else if places.place(&mut p, &mut w.firms) {
            // The next initial startup's founder (with the firm's founder education) or staff.
        } else if incumbent_open > 0 && !rng.chance(INITIAL_SEEKING_SHARE) {
            incumbent_open = incumbent_open.saturating_sub(s);
            p.employer = Employer::INCUMBENT;
            w.regions[ri].incumbent_employed += s;
        }
        if p.employer != Employer::NONE && p.status() != Status::Founder {
            p.set_status(Status::Employed);
        }
        super::grow_persons(&mut w.persons, 1);
        w.persons.push(p);
    }
    for f in w.firms.iter_mut().filter(|f| f.region.index() == ri) {
        f.peak_headcount = f.peak_headcount.max(f.headcount);
    }
    // Initial startups the talent stock could not staff with a founder do not exist (they are
    // the last firms pushed, staffed in order, so dropping them shifts no index).
    w.firms.retain(|f| {
        !(f.kind == Kind::Startup && f.region.index() == ri && f.founder == NO_FOUNDER)
    });
}
