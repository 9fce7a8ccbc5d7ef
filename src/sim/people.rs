//! People phases: the regional environment, arrivals, and monthly decisions.

use rayon::prelude::*;

use crate::model::firm::{Firm, Kind};
use crate::model::person::{
    Act, Decision, Employer, EmployerView, Now, Person, PersonContext, QUIET_SLOTS, RegionView,
    Status, draw_sector, draw_tech, edu_code, founding_hazard, slot_cell,
};
use crate::model::program::expected_support;
use crate::model::region::{
    RegionState, Tenancies, job_finding, outside_utility, typical_alternative, update_choices,
    update_leave_clock,
};
use crate::rng::{KeyedRng, MonthStreams, Phase, key, tag};
use crate::scenario::RegionId;
use crate::scenario::{Education, Elsewhere, ScenarioDef, units};

use super::{Events, World};

/// Prices, policy stocks (housing, amenities, budgets) and the utilities people compare.
pub fn environment(w: &mut World) {
    let def = w.def;
    let years = w.years();
    let month_of_year = w.month().month();
    w.price_index = (1.0 + def.economy.wage_growth).powf(years);
    w.u_out = outside_utility(&def.behaviour, &def.economy, &def.elsewhere, w.price_index);
    let u_alt = typical_alternative(&def.behaviour, &def.economy, w.price_index);
    for (ri, r) in def.region.iter().enumerate() {
        let st = &mut w.regions[ri];
        st.wage = r.wage_cny * w.price_index;
        st.rent = r.rent_cny * w.price_index;
        st.office_rent = r.office_rent_cny_m2_month * w.price_index;
        let h = &r.housing;
        let mut units = h.units;
        if h.doubling_years > 0.0 {
            units *= 2f64.powf(years / h.doubling_years);
            if h.max_units > 0.0 {
                units = units.min(h.max_units);
            }
        }
        st.housing_units = units;
        // Established employers grow on their own path, and expand where talent is available:
        // each month they add jobs for a share of last month's job seekers.
        st.incumbent_absorbed += r.incumbent_absorption * st.seekers as f64;
        st.incumbent_jobs =
            r.incumbent_jobs * (1.0 + r.incumbent_growth).powf(years) + st.incumbent_absorbed;
        st.public_rd_year = r.public_rd_cny_year * (1.0 + r.public_rd_growth).powf(years);
        let a = &r.amenities;
        let rp = &w.params.region[ri];
        st.amenity = (st.amenity + rp.amenity_gain_month
            - rp.amenity_depreciation_month * (st.amenity - a.index).max(0.0))
        .min(1.0);
        if month_of_year == 1 || w.t == 0 {
            for (g, gs) in r.grant.iter().zip(st.grants.iter_mut()) {
                gs.budget_left = g.budget_cny_year * (1.0 + g.budget_growth).powf(years);
            }
            st.joint_rd_left = r.joint_rd.budget_cny_year;
            if w.t > 0 {
                st.talent_fund += r.talent_fund.topup_cny_year;
            }
        }
        st.p_find = job_finding(
            def.behaviour.matching_efficiency,
            st.seekers.max(1),
            st.vacancies,
        );
        let eligible = st.young.max(1) as f64;
        let p_unit = (st.housing_units - st.housed as f64).max(0.0).min(eligible) / eligible;
        let p_unit = if w.t == 0 {
            (st.housing_units / eligible).min(1.0)
        } else {
            p_unit.max(0.0)
        };
        update_choices(st, r, &def.behaviour, u_alt, p_unit);
        // Expected support a founder of each education tier can count on.
        for (code, edu) in Education::ALL.iter().enumerate() {
            st.support[code] = r
                .grant
                .iter()
                .zip(&st.grants)
                .filter(|(g, gs)| edu_code(g.min_education) <= edu_code(*edu) && gs.start <= w.t)
                .map(|(g, gs)| expected_support(g, gs, st.office_rent))
                .sum();
        }
        // Lever costs that do not depend on individual agents.
        let e = &mut w.events[ri];
        e.spend_service = rp.spend_service_month;
        e.spend_recruitment = rp.spend_recruitment_month;
        e.spend_amenities = rp.spend_amenities_month;
        e.rd_public_real = units::per_month(st.public_rd_year);
        let k = key([tag::REGION, w.region_keys[ri], Phase::Product as u64]);
        let mut rng = KeyedRng::new(w.seed, w.t, Phase::Product, k);
        e.patents_public_real =
            rng.poisson(units::millions(e.rd_public_real) * r.public_patents_per_million);
    }
}

/// The pools elsewhere send people to the regions they choose (a logit over the regions each
/// person is aware of and staying away).
pub fn arrivals(w: &mut World) {
    let def = w.def;
    let years = w.years();
    let e = &def.elsewhere;
    let b = &def.behaviour;
    let hl = edu_code(Education::HighLevel) as usize;
    // Three pools: graduates (young), experienced movers, high-level talent.
    let pools = [
        e.graduates_per_year * (1.0 + e.graduates_growth).powf(years),
        e.experienced_per_year * (1.0 + e.experienced_growth).powf(years),
        e.high_level_per_year * (1.0 + e.high_level_growth).powf(years),
    ];
    for (group, pool) in pools.iter().enumerate() {
        let utils: Vec<f64> = w
            .regions
            .iter()
            .zip(&def.region)
            .map(|(st, r)| match group {
                0 => st.u_young,
                1 => st.u_old,
                _ => {
                    st.u_old
                        + units::millions(b.support_weight * st.support[hl])
                        + r.startup_climate
                }
            })
            .collect();
        let denom = w.u_out.exp()
            + w.regions
                .iter()
                .zip(&utils)
                .map(|(st, u)| st.awareness * u.exp())
                .sum::<f64>();
        for (ri, u) in utils.iter().enumerate() {
            let share = w.regions[ri].awareness * u.exp() / denom;
            let n = arrival_count(
                w,
                ri,
                group,
                w.params.agents(units::per_month(*pool)) * share,
            );
            arrive(w, ri, group, n);
        }
    }
    // Recruitment drive: posts filled at campus fairs, arriving with a job in hand.
    for ri in 0..def.region.len() {
        let n = arrival_count(
            w,
            ri,
            RECRUITED,
            w.params.region[ri].recruits_per_agent_month,
        );
        arrive(w, ri, RECRUITED, n);
        w.regions[ri].incumbent_employed += w.scale * n;
    }
}

/// The `n` newcomers of the month from `pool` to region `ri`, appended to the person vector in
/// order — drawn in parallel (each from their own stream) straight into it — and counted in the
/// region's events in order (so that the sums, CNY included, are the same on any thread
/// count). Recruited newcomers arrive employed by the established employers (the caller adds
/// them to their count).
fn arrive(w: &mut World, ri: usize, pool: usize, n: u64) {
    let n = n as usize;
    let mut persons = std::mem::take(&mut w.persons);
    super::grow_persons(&mut persons, n);
    let mut tallies = vec![Tally::default(); n];
    {
        let w = &*w;
        persons.par_extend(
            tallies
                .par_iter_mut()
                .enumerate()
                .with_min_len(ARRIVALS_PER_TASK)
                .map(|(k, slot)| {
                    let (mut p, tally) = new_arrival(w, ri, pool, k as u64);
                    if pool == RECRUITED {
                        p.employer = Employer::INCUMBENT;
                        p.set_status(Status::Employed);
                    }
                    *slot = tally;
                    p
                }),
        );
    }
    w.persons = persons;
    for tally in tallies {
        tally.count(w, ri);
    }
}

/// Newcomers drawn per parallel task (fewer are drawn on the calling thread).
const ARRIVALS_PER_TASK: usize = 512;

/// What the month's events count of one newcomer.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    graduate: bool,
    under35: bool,
    high_level: bool,
    /// Under the welcome package's age limit.
    welcome: bool,
}

impl Tally {
    /// Count the newcomer (an aggregated agent: `scale` people) in region `ri`'s events.
    fn count(self, w: &mut World, ri: usize) {
        let s = w.scale;
        let welcome = w.def.region[ri].welcome.value_cny;
        let ev = &mut w.events[ri];
        ev.arrivals += s;
        if self.graduate {
            ev.graduate_arrivals += s;
            if self.under35 {
                ev.graduate_arrivals_under35 += s;
            }
        }
        if self.high_level {
            ev.high_level_arrivals += s;
        }
        if self.welcome {
            ev.spend_welcome += welcome * s as f64;
        }
    }
}

/// The arrival pool of graduates recruited with a job in hand (pools 0–2 are graduates,
/// experienced movers and high-level talent).
const RECRUITED: usize = 3;

/// How many people of `pool` arrive in region `ri` this month: a Poisson draw of the
/// region's and pool's own stream.
fn arrival_count(w: &World, ri: usize, pool: usize, mean: f64) -> u64 {
    let k = key([
        tag::REGION,
        w.region_keys[ri],
        Phase::Arrival as u64,
        pool as u64,
    ]);
    KeyedRng::new(w.seed, w.t, Phase::Arrival, k).poisson(mean)
}

/// Median quality of a technology a high-level newcomer carries.
const TECH_MEDIAN_HIGH_LEVEL: f64 = 0.5;
/// Median quality of a technology a graduate or experienced newcomer carries.
const TECH_MEDIAN_GRADUATE: f64 = 0.35;
/// Share of masters (the rest bachelors) among experienced newcomers.
const EXPERIENCED_MASTER_SHARE: f64 = 0.4;

/// A newcomer's education and age (years) by pool: graduates (0) by the pool's PhD and
/// master shares, aged 27–32 (PhD), 24–27 (master) or 22–24 (bachelor); experienced people (1)
/// aged 26–40; high-level talent aged 30–48. Ages are uniform in each range.
fn education_and_age(e: &Elsewhere, group: usize, rng: &mut KeyedRng) -> (Education, f64) {
    match group {
        0 => {
            let u = rng.uniform();
            if u < e.phd_share {
                (Education::Phd, 27.0 + rng.uniform() * 5.0)
            } else if u < e.phd_share + e.master_share {
                (Education::Master, 24.0 + rng.uniform() * 3.0)
            } else {
                (Education::Bachelor, 22.0 + rng.uniform() * 2.0)
            }
        }
        1 => (
            if rng.chance(EXPERIENCED_MASTER_SHARE) {
                Education::Master
            } else {
                Education::Bachelor
            },
            26.0 + rng.uniform() * 14.0,
        ),
        _ => (Education::HighLevel, 30.0 + rng.uniform() * 18.0),
    }
}

/// The `k`-th newcomer of the month from `pool` (0 graduate, 1 experienced, 2 high-level,
/// [`RECRUITED`] a recruited graduate) to region `ri`, and what the events count of them. The
/// person's key, `[ARRIVING_PERSON, month, region, pool, k]`, seeds their attributes' stream.
fn new_arrival(w: &World, ri: usize, pool: usize, k: u64) -> (Person, Tally) {
    let def = w.def;
    let e = &def.elsewhere;
    let id = key([
        tag::ARRIVING_PERSON,
        w.t as u64,
        w.region_keys[ri],
        pool as u64,
        k,
    ]);
    let rng = &mut KeyedRng::new(w.seed, w.t, Phase::Arrival, id);
    let group = if pool == RECRUITED { 0 } else { pool };
    let (edu, age) = education_and_age(e, group, rng);
    let tech_p = match edu {
        Education::HighLevel => e.tech_share_high_level,
        Education::Phd => e.tech_share_phd,
        Education::Master => e.tech_share_master,
        Education::Bachelor => 0.0,
    };
    let tech = if rng.chance(tech_p) {
        let median = if edu == Education::HighLevel {
            TECH_MEDIAN_HIGH_LEVEL
        } else {
            TECH_MEDIAN_GRADUATE
        };
        draw_tech(rng, median)
    } else {
        0.0
    };
    let t = w.t as i32;
    // (An arriving agent is aggregated: it stands for `scale` people.)
    let tally = Tally {
        graduate: group == 0,
        under35: age < 35.0,
        high_level: edu == Education::HighLevel,
        welcome: age < def.region[ri].welcome.max_age,
    };
    let p = Person::new(
        id,
        Employer::NONE,
        tech,
        (t - units::months(age).round() as i32) as i16,
        t as i16,
        RegionId::new(ri),
        edu_code(edu),
        draw_sector(def, rng),
        Status::Seeking,
    );
    (p, tally)
}

/// The people's month, in one pass over the person vector in chunks: every person decides,
/// in parallel, from their own state and last month's region and firm state (retire, leave,
/// lose a job, found a firm, find a job), and the decisions are applied in person order
/// (departures, relocations, new firms, matching, talent housing), one chunk after another
/// as soon as the chunks before it are applied — the sequential step runs beside the
/// parallel decisions instead of after them. Then the census of people is published.
///
/// The decisions read nothing the apply step changes (the firms through a table taken
/// before the pass, the regions through their views of the month), and the apply step reads
/// nothing the decisions of later chunks find but the month's running tenancies, which the
/// regions keep by month of end ([`RegionState::tenancies`]): the outcome is the same as
/// deciding everyone first and applying after, on any thread count.
pub fn people(w: &mut World) {
    let def = w.def;
    let t = w.t as i32;
    let seed = w.seed;
    // What a person reads of their employer, packed (8 bytes a firm) so the parallel pass
    // touches a small, cache-resident table instead of the whole firm records.
    let firms: Vec<EmployerView> = w
        .firms
        .iter()
        .map(|f| EmployerView::new(f.layoff, f.region, f.operating()))
        .collect();
    let found = founding_multipliers(w);
    let s = w.scale;
    let spinout_agent = 1.0 - (1.0 - def.behaviour.spinout_rate).powf(s as f64);
    let rebound: Vec<bool> = w.regions.iter_mut().map(update_leave_clock).collect();
    let views: Vec<RegionView> = w
        .regions
        .iter()
        .zip(&w.params.region)
        .zip(found.iter().copied())
        .zip(rebound)
        .map(|(((st, rp), found), rebound)| {
            let housing_free = st.housed < st.rooms();
            RegionView::new(
                st,
                found,
                rp.young_below,
                housing_free,
                rebound,
                spinout_agent,
            )
        })
        .collect();
    let ctx = PersonContext {
        t,
        regions: &views,
        firms: &firms,
        spinout: def.behaviour.spinout_rate,
        spinout_agent,
        retire_months: w.params.retire_months,
        scale: s,
        any_rebound: views.iter().any(|v| v.rebound),
        quiet: w.quiet,
    };
    let streams = MonthStreams::new(seed, t as u32, Phase::Person);
    let nreg = w.regions.len();

    // This month's labour market per region: every opening in a random order that does not
    // depend on which other employers are hiring (see `Market`).
    let markets: Vec<Market> = w
        .openings
        .iter()
        .map(|o| Market::new(o, w.seed, w.t))
        .collect();
    let young_below = young_below(w);
    // The tenancies running this month, before this month's new ones.
    let housed: Vec<Tenancies> = w
        .regions
        .iter_mut()
        .map(|st| {
            st.tenancies.advance(t);
            std::mem::take(&mut st.tenancies)
        })
        .collect();
    let running: Vec<u64> = housed.iter().map(Tenancies::running).collect();
    let mut persons = std::mem::take(&mut w.persons);
    let census = Census::new(t, s, &young_below);
    let mut applying = Applying {
        a: Applier {
            def,
            t,
            s,
            seed: w.seed,
            u_out: w.u_out,
            cap: w.cap,
            housed_until_for: w
                .params
                .region
                .iter()
                .map(|r| (t + r.housing_months - 1) as i16)
                .collect(),
            young_below: &young_below,
            rooms: w.regions.iter().map(RegionState::rooms).collect(),
            found,
            firms: &mut w.firms,
            regions: &mut w.regions,
            events: &mut w.events,
            owed: &mut w.owed,
            over_cap: &mut w.over_cap,
            markets,
            housed,
            spawned: Vec::new(),
        },
        census,
        counts: vec![[0; CENSUS]; nreg],
        counted_housed: vec![0; nreg],
        died: 0,
    };
    if s == 1 {
        decide_and_apply::<false>(&mut persons, &ctx, streams, &mut applying)
    } else {
        decide_and_apply::<true>(&mut persons, &ctx, streams, &mut applying)
    };
    let Applying {
        a,
        mut counts,
        counted_housed,
        died,
        ..
    } = applying;
    // (The decisions' count of the tenancies is the book's.)
    debug_assert_eq!(counted_housed, running);
    let (housed, spawned) = (a.housed, a.spawned);
    for p in &spawned {
        census.count(&mut counts, p, true);
    }
    super::grow_persons(&mut persons, spawned.len());
    persons.extend(spawned);
    let mut dead = w.dead + died;
    if s > 1 {
        dead += consolidate(&mut persons, &w.firms, &census, &mut counts);
    }
    if dead > persons.len() / DEAD_SHARE {
        // The gone are dropped in one pass once they are a share of the vector, not each
        // month: the order of everyone else is the same either way.
        persons.retain(|p| !p.dead());
        dead = 0;
    }
    w.dead = dead;
    w.persons = persons;
    publish_census(w, &counts);
    publish_housing(w, housed);
}

/// What the decisions of one chunk of people hand the apply step and the census: the people
/// with a decision, in person order (indices into `World::persons`, with each one's
/// decision), and the chunk's census and running tenancies per region.
struct Decided {
    todo: Vec<(u32, Decision)>,
    census: Vec<CensusRow>,
    housed: Vec<u64>,
}

/// The most people per chunk of the person pass.
const CHUNK: usize = 1 << 14;

/// The fewest people per chunk of the person pass (a smaller world is one chunk).
const MIN_CHUNK: usize = 1 << 11;

/// People per chunk for `n` people: about four chunks per thread, within [`MIN_CHUNK`] and
/// [`CHUNK`], so that a small world still uses every thread. (The results do not depend on
/// it: the chunks are applied in person order, and their counts are integer sums.)
fn chunk_len(n: usize) -> usize {
    (n / (4 * rayon::current_num_threads())).clamp(MIN_CHUNK, CHUNK)
}

/// The sequential apply step and what it keeps: the applier, the census it reads places with,
/// the month's census (each chunk's count as its decisions found it, and the apply step's
/// changes to it: wrapping integer sums), the tenancies the decisions counted and the agents
/// it buried.
struct Applying<'a, 'w> {
    a: Applier<'w>,
    census: Census<'a>,
    counts: Vec<CensusRow>,
    counted_housed: Vec<u64>,
    died: usize,
}

impl Applying<'_, '_> {
    /// Take the decisions `part` of the people of `chunk`, whose first is person `first`: add
    /// its census, and apply its decisions.
    fn chunk(&mut self, chunk: &mut [Person], first: u32, part: Decided) {
        for (row, add) in self.counts.iter_mut().zip(&part.census) {
            for (x, y) in row.iter_mut().zip(add) {
                *x = x.wrapping_add(*y);
            }
        }
        for (h, add) in self.counted_housed.iter_mut().zip(&part.housed) {
            *h += add;
        }
        // A claim for a room and nothing else changes nobody once the rooms are taken.
        let claim_only = Decision::NONE.with_house();
        let census = self.census;
        for &(i, d) in &part.todo {
            let p = &mut chunk[(i - first) as usize];
            // (The person is read only while some region has a room left. No single is
            // seeking when the month's decisions are made — a single out of a job rejoins the
            // aggregated people in the apply step that took it — so an unmet claim changes
            // nothing.)
            if d == claim_only && !(self.a.any_room() && self.a.room_for(p)) {
                debug_assert!(!p.single() || p.status() != Status::Seeking);
                continue;
            }
            let before = census.place(p);
            if self.a.person(p, d) {
                let after = census.place(p);
                if after != before {
                    census.add(&mut self.counts, before, false);
                    census.add(&mut self.counts, after, true);
                }
            } else {
                census.add(&mut self.counts, before, false);
                p.bury();
                self.died += 1;
            }
        }
    }
}

/// A chunk of people decided and not yet applied, with what its decisions found.
type DecidedChunk<'p> = (&'p mut [Person], Decided);

/// The chunks decided and not yet applied, and the next one to apply.
struct Ready<'p> {
    next: usize,
    chunks: Vec<Option<DecidedChunk<'p>>>,
}

/// Every person's decision, in parallel chunks taken in person order by every thread of the
/// pool, and the decisions applied chunk after chunk in person order by whichever thread
/// finds the next chunk decided and the apply step free (the step is never waited for: a
/// thread that finds it taken goes on deciding).
fn decide_and_apply<const AGGREGATED: bool>(
    persons: &mut [Person],
    ctx: &PersonContext<'_>,
    streams: MonthStreams,
    applying: &mut Applying<'_, '_>,
) {
    use std::sync::Mutex;
    let under35 = under35_months();
    let per = chunk_len(persons.len());
    let n = persons.len().div_ceil(per);
    // The chunks no thread has taken yet, in person order.
    let untaken = Mutex::new(persons.chunks_mut(per).enumerate());
    let ready = Mutex::new(Ready {
        next: 0,
        chunks: (0..n).map(|_| None).collect(),
    });
    let applying = Mutex::new(applying);
    let work = || {
        loop {
            // (A statement of its own: the lock is let go before the chunk is decided.)
            let next = untaken.lock().expect("the chunks").next();
            let Some((ci, chunk)) = next else {
                break;
            };
            let part = decide_chunk::<AGGREGATED>(chunk, (ci * per) as u32, ctx, streams, under35);
            ready.lock().expect("the ready chunks").chunks[ci] = Some((chunk, part));
            apply_ready(&ready, &applying, per);
        }
    };
    let threads = rayon::current_num_threads().min(n);
    rayon::scope(|sc| {
        for _ in 1..threads {
            sc.spawn(|_| work());
        }
        work();
    });
    // (Every chunk is applied by now: the last one decided was applied by its thread or by
    // the one then applying, which looks again after it lets go.)
    apply_ready(&ready, &applying, per);
    debug_assert_eq!(ready.lock().expect("the ready chunks").next, n);
}

/// Apply the decided chunks next in person order, if the apply step is free; looks again
/// after letting it go, so that a chunk made ready meanwhile by a thread that found the step
/// taken is not left behind.
fn apply_ready(
    ready: &std::sync::Mutex<Ready<'_>>,
    applying: &std::sync::Mutex<&mut Applying<'_, '_>>,
    per: usize,
) {
    use std::sync::TryLockError;
    loop {
        let mut step = match applying.try_lock() {
            Ok(step) => step,
            Err(TryLockError::WouldBlock) => return,
            Err(TryLockError::Poisoned(e)) => panic!("the apply step panicked: {e}"),
        };
        loop {
            let next = {
                let mut r = ready.lock().expect("the ready chunks");
                let ci = r.next;
                match r.chunks.get_mut(ci).and_then(Option::take) {
                    Some(c) => {
                        r.next += 1;
                        Some((ci, c))
                    }
                    None => None,
                }
            };
            let Some((ci, (chunk, part))) = next else {
                break;
            };
            step.chunk(chunk, (ci * per) as u32, part);
        }
        drop(step);
        let r = ready.lock().expect("the ready chunks");
        if r.chunks.get(r.next).is_none_or(Option::is_none) {
            return;
        }
    }
}

/// The decisions of the people of `chunk` (the first is person `first`): its list of people
/// with a decision and its census.
#[inline]
fn decide_chunk<const AGGREGATED: bool>(
    chunk: &mut [Person],
    first: u32,
    ctx: &PersonContext<'_>,
    streams: MonthStreams,
    under35: i32,
) -> Decided {
    let nreg = ctx.regions.len();
    let mut part = Decided {
        todo: Vec::new(),
        housed: vec![0; nreg],
        census: vec![[0; CENSUS]; nreg],
    };
    // Each person adds one to one cell of their region's histogram; the cells are
    // expanded into the census and the tenancies once per chunk.
    let mut hist = vec![[0u64; CENSUS_CELLS]; nreg];
    // Quiet people between visits, by their stored slot (`Person::quiet_slot`).
    let mut quiet = vec![[0u64; QUIET_SLOTS]; nreg];
    // (Locals, not loads through `ctx`, in the hot loop.)
    let (t, firms, any_rebound) = (ctx.t, ctx.firms, ctx.any_rebound);
    // Whether a quiet person draws by their leave clock this month: their employer is
    // calm and their region's clock kept its rate (else the monthly rule applies).
    let thinned = |p: &Person| {
        p.calm_employer(firms) && !(any_rebound && ctx.regions[p.region.index()].rebound)
    };
    for (j, p) in chunk.iter_mut().enumerate() {
        let ri = p.region.index();
        // (At full scale every agent weighs 1: no multiply in the pass.)
        let n = if AGGREGATED { p.weight(ctx.scale) } else { 1 };
        if p.quiet() && t < p.next_visit() && thinned(p) {
            // A quiet person between visits: counted, nothing else (most people); a
            // newcomer still in the housing queue claims a room if one is free.
            if p.queued() && p.housed_until < 0 && ctx.regions[ri].housing_free {
                part.todo
                    .push((first + j as u32, Decision::NONE.with_house()));
            }
            quiet[ri][p.quiet_slot()] += n;
            continue;
        }
        let thinned = p.quiet() && thinned(p);
        if p.dead() {
            continue; // (reached in a month the leave clock changed)
        }
        let rv = &ctx.regions[ri];
        let now = p.now(ctx.t, rv.young_below);
        let mut rng = streams.stream(p.key);
        let d = if thinned {
            p.decide_quiet(ctx, rv, now, p.leave_candidate(), &mut rng)
        } else {
            p.decide_now::<AGGREGATED>(ctx, rv, now, &mut rng)
        };
        hist[ri][census_cell(p, now, under35)] += n;
        if d == Decision::NONE {
            settle(p, now, ctx, rv, under35, &mut rng);
        } else if d == Decision::NONE.with_house() {
            // A claim for a room: the person stays as they are unless it is met (the
            // apply step wakes them then).
            part.todo.push((first + j as u32, d));
            settle(p, now, ctx, rv, under35, &mut rng);
        } else {
            part.todo.push((first + j as u32, d));
            if p.quiet() {
                p.wake();
            }
        }
    }
    for (ri, q) in quiet.iter().enumerate() {
        for (slot, &k) in q.iter().enumerate() {
            if let Some(cell) = slot_cell(slot) {
                hist[ri][cell] += k;
            }
        }
    }
    for (ri, h) in hist.iter().enumerate() {
        expand(h, &mut part.census[ri], &mut part.housed[ri]);
    }
    part
}

/// After a visit at month `ctx.t` with no decision but perhaps a claim for a room (the person
/// is unchanged this month unless the claim is met, their state `now`), make a person quiet
/// who qualifies: employed by the established employers or a calm firm
/// ([`EmployerView::calm_in`]) and carrying no technology. Their next visit is the first
/// month after this one in which something can happen to them — the retirement age, a census
/// threshold (35, the housing age, the end of a tenancy), the close of their housing queue
/// (a newcomer under the housing age who may still claim a room does so, between visits, in
/// any month one is free), or a candidate month of the region's leave clock, drawn from `rng`
/// at the clock's rate ([`Person::next_candidate`]; a geometric draw: the clock is a
/// Bernoulli trial each month, memoryless, so redrawing it at any visit keeps every month's
/// chance) — and the census counts them in their next month's cell until then.
#[inline]
fn settle(
    p: &mut Person,
    now: Now,
    ctx: &PersonContext<'_>,
    rv: &RegionView,
    under35: i32,
    rng: &mut KeyedRng,
) {
    let t = ctx.t;
    let next = t + 1;
    let qualifies =
        ctx.quiet && now.status == Status::Employed && p.calm_employer(ctx.firms) && !p.carries();
    if !qualifies {
        if p.quiet() {
            p.wake();
        }
        return;
    }
    let born = p.born as i32;
    let retire = born + ctx.retire_months;
    let mut at = retire.max(next);
    // A newcomer under the housing age may still claim a room: until the queue closes.
    let queue = (p.queue_open(next) && now.months + 1 < rv.young_below).then(|| p.queue_last());
    for change in [
        born + under35,
        born + rv.young_below,
        p.housed_until as i32 + 1,
        queue.map_or(i32::MAX, |last| last + 1),
    ] {
        if change > next {
            at = at.min(change);
        }
    }
    let candidate = next as i64 + p.next_candidate(rv, rng).min(i16::MAX as u64) as i64;
    let is_candidate = candidate <= at as i64;
    let at = at.min(candidate as i32);
    let cell = census_cell(p, p.now(next, rv.young_below), under35);
    p.set_quiet(at, cell, is_candidate, queue.map(|last| last as i16));
}

/// Founding hazard multiplier per region and education tier: the climate and the support a
/// founder can expect here.
fn founding_multipliers(w: &World) -> Vec<[f64; 4]> {
    let b = &w.def.behaviour;
    w.regions
        .iter()
        .zip(&w.def.region)
        .map(|(st, r)| {
            let mut m = [0.0; 4];
            for (k, v) in m.iter_mut().enumerate() {
                *v = b.founding_rate
                    * (r.startup_climate + units::millions(b.support_weight * st.support[k])).exp();
            }
            m
        })
        .collect()
}

/// The people gone from the population ([`Person::bury`]) are dropped from the person vector
/// when they are more than one in this many of its records.
const DEAD_SHARE: usize = 8;

/// Publish the month's talent-housing tenancies (people, per region), what they cost, and the
/// seekers the next month's matching and housing read.
fn publish_housing(w: &mut World, housed: Vec<Tenancies>) {
    for (ri, book) in housed.into_iter().enumerate() {
        let st = &mut w.regions[ri];
        st.housed = book.running();
        st.tenancies = book;
        st.seekers = w.events[ri].seekers;
        let r = &w.def.region[ri];
        w.events[ri].spend_housing = st.housed as f64 * st.rent * r.housing.discount;
        w.events[ri].housed = st.housed;
    }
}

/// What the sequential apply phase reads and changes besides the person it applies: the
/// firms, regions and events, the month's labour markets, the ledger of aggregated people,
/// the talent rooms taken, and the singles split off or agents re-formed this month
/// (`spawned`, appended after the pass in the order they arose).
struct Applier<'w> {
    def: &'w ScenarioDef,
    t: i32,
    /// People per aggregated agent.
    s: u64,
    seed: u64,
    /// Utility of elsewhere this month.
    u_out: f64,
    /// Firms and singles the run may create (a memory pilot's guard).
    cap: usize,
    /// Last month of a tenancy that starts now, per region.
    housed_until_for: Vec<i16>,
    /// Per region, the months of age from which a person is past the housing age.
    young_below: &'w [i32],
    /// Per region, the talent rooms (the whole number of this month's housing units).
    rooms: Vec<u64>,
    found: Vec<[f64; 4]>,
    firms: &'w mut Vec<Firm>,
    regions: &'w mut Vec<RegionState>,
    events: &'w mut Vec<Events>,
    owed: &'w mut Vec<i64>,
    over_cap: &'w mut bool,
    markets: Vec<Market>,
    /// The running tenancies per region (this month's new ones included as they start).
    housed: Vec<Tenancies>,
    spawned: Vec<Person>,
}

impl Applier<'_> {
    /// Apply one person's decision; `false` when the agent leaves the population (removed at
    /// the end of the pass).
    fn person(&mut self, p: &mut Person, d: Decision) -> bool {
        match d.act() {
            Act::Retire => return self.retire(p),
            Act::FollowFirm => return self.follow_firm(p),
            _ => {}
        }
        if d.quit() {
            if p.status() != Status::Founder {
                self.release(p);
            }
            p.employer = Employer::NONE;
            p.set_status(Status::Seeking);
        }
        if d.act() == Act::Leave {
            return self.leave(p);
        }
        if p.single() && p.status() == Status::Seeking && d.act() != Act::Found {
            // Out of a startup job: back into the aggregated people.
            let ri = p.region.index();
            if p.housed(self.t) {
                self.housed[ri].end(p.housed_until as i32, 1);
            }
            merge(p, &mut self.owed[ri], self.s, self.t, &mut self.spawned);
            return false;
        }
        let aggregated = p.weight(self.s) > 1;
        let stays = match d.act() {
            Act::Found if aggregated => self.found_aggregated(p),
            Act::Found => {
                self.found(p);
                true
            }
            Act::Match if aggregated => self.match_aggregated(p),
            Act::Match => {
                self.match_one(p);
                true
            }
            _ => true,
        };
        if stays {
            self.house(p);
        }
        stays
    }

    /// The person's job ends: their employer's headcount (or the region's established
    /// employers') drops by the people the agent stands for.
    fn release(&mut self, p: &Person) {
        let wgt = p.weight(self.s);
        if p.employer == Employer::INCUMBENT {
            let st = &mut self.regions[p.region.index()];
            st.incumbent_employed = st.incumbent_employed.saturating_sub(wgt);
        } else if let Some(fi) = p.employer.firm_index() {
            let f = &mut self.firms[fi];
            f.headcount = f.headcount.saturating_sub(wgt as u32);
        }
    }

    /// The agent gives up its talent room, if it has one.
    fn vacate(&mut self, p: &Person) {
        if p.housed(self.t) {
            self.housed[p.region.index()].end(p.housed_until as i32, p.weight(self.s));
        }
    }

    fn retire(&mut self, p: &mut Person) -> bool {
        self.release(p);
        self.vacate(p);
        self.events[p.region.index()].retirements += p.weight(self.s);
        false
    }

    /// A founder following the firm to another region.
    fn follow_firm(&mut self, p: &mut Person) -> bool {
        let (ri, wgt) = (p.region.index(), p.weight(self.s));
        let fi = p.employer.firm_index().expect("a founder has a firm");
        let to = self.firms[fi].region.index();
        self.vacate(p);
        p.housed_until = -1;
        self.events[ri].people_moved_out += wgt;
        self.events[to].people_moved_in += wgt;
        p.region = RegionId::new(to);
        p.set_arrived(self.t);
        true
    }

    /// Leave the region: for elsewhere, or, with the chance `relocate_consider`, for another
    /// simulated region chosen by awareness × utility against elsewhere (a logit).
    fn leave(&mut self, p: &mut Person) -> bool {
        let (ri, wgt, t) = (p.region.index(), p.weight(self.s), self.t);
        self.release(p);
        self.vacate(p);
        self.events[ri].departures += wgt;
        let mut rng = KeyedRng::new(self.seed, t as u32, Phase::Exit, p.key);
        if self.regions.len() < 2 || !rng.chance(self.def.behaviour.relocate_consider) {
            return false;
        }
        let weights: Vec<f64> = self
            .regions
            .iter()
            .enumerate()
            .map(|(j, st)| {
                if j == ri {
                    0.0
                } else {
                    st.awareness * st.u_old.exp()
                }
            })
            .collect();
        let total: f64 = weights.iter().sum::<f64>();
        let mut u = rng.uniform() * (total + self.u_out.exp());
        for (j, wgt_j) in weights.iter().enumerate() {
            u -= wgt_j;
            if u < 0.0 && *wgt_j > 0.0 {
                p.region = RegionId::new(j);
                p.employer = Employer::NONE;
                p.set_status(Status::Seeking);
                p.housed_until = -1;
                p.set_arrived(t);
                self.events[ri].people_moved_out += wgt;
                self.events[j].people_moved_in += wgt;
                if p.single() {
                    // A single who is no longer a founder or startup employee rejoins the
                    // aggregated people of the region moved to.
                    merge(p, &mut self.owed[j], self.s, t, &mut self.spawned);
                    return false;
                }
                return true;
            }
        }
        false
    }

    /// Some of an aggregated agent's people found firms: each becomes a single founder.
    /// `false` when the agent is handed over whole.
    fn found_aggregated(&mut self, p: &mut Person) -> bool {
        let (ri, s, t) = (p.region.index(), self.s, self.t);
        let mut rng = KeyedRng::new(self.seed, t as u32, Phase::Founding, p.key);
        let per = founding_hazard(
            p,
            p.status(),
            &self.found[ri],
            self.def.behaviour.spinout_rate,
        );
        let k = rng.binomial_at_least_one(s, per);
        let carries = p.tech() > 0.0;
        for j in 0..k {
            if self.firms.len() + self.spawned.len() >= self.cap {
                *self.over_cap = true;
                break;
            }
            let id = key([tag::SINGLE, p.key, t as u64, j]);
            let mut frng = KeyedRng::new(self.seed, t as u32, Phase::Founding, id);
            let tech = if carries {
                p.tech() as f64
            } else {
                let fi = p.employer.firm_index().expect("a spin-out has an employer");
                spinout_tech(self.firms[fi].quality, &mut frng)
            };
            let firm = Firm::startup(
                RegionId::new(ri),
                p.sector,
                id,
                p.edu(),
                tech,
                t,
                &self.def.firms,
                &mut frng,
            );
            self.firms.push(firm);
            let mut f = p.like(
                id,
                Employer::firm(self.firms.len() - 1),
                Status::Founder,
                true,
            );
            f.set_tech(0.0);
            self.spawned.push(f);
            self.events[ri].new_firms += 1;
        }
        // The carriers who founded have used their technology: the agent stops carrying it
        // with the chance that stands for them.
        if carries && rng.chance(k as f64 / s as f64) {
            p.set_tech(0.0);
        }
        self.hand_over_if_due(p, k)
    }

    /// Where the ledger says the `handed` people just split off make up a whole agent, the
    /// agent itself is handed over (its job and room released): `false` then.
    fn hand_over_if_due(&mut self, p: &Person, handed: u64) -> bool {
        if hand_over(&mut self.owed[p.region.index()], handed, self.s) {
            self.release(p);
            self.vacate(p);
            return false;
        }
        true
    }

    /// One person founds a firm (a spin-out takes a technology from its employer's).
    fn found(&mut self, p: &mut Person) {
        let (ri, t) = (p.region.index(), self.t);
        let mut rng = KeyedRng::new(self.seed, t as u32, Phase::Founding, p.key);
        if let (true, Some(fi)) = (p.tech() <= 0.0, p.employer.firm_index()) {
            let q = spinout_tech(self.firms[fi].quality, &mut rng);
            p.set_tech(q as f32);
        }
        self.release(p);
        let firm = Firm::startup(
            RegionId::new(ri),
            p.sector,
            p.key,
            p.edu(),
            p.tech() as f64,
            t,
            &self.def.firms,
            &mut rng,
        );
        self.firms.push(firm);
        p.employer = Employer::firm(self.firms.len() - 1);
        p.set_status(Status::Founder);
        p.set_tech(0.0);
        self.events[ri].new_firms += 1;
    }

    /// Each of an aggregated agent's people takes an opening: a startup's is taken by a single
    /// split off; the agent itself goes to the first other employer drawn. `false` when the
    /// agent is handed over whole.
    fn match_aggregated(&mut self, p: &mut Person) -> bool {
        let (ri, s, t, wgt) = (p.region.index(), self.s, self.t, p.weight(self.s));
        let mut rng = KeyedRng::new(self.seed, t as u32, Phase::Match, p.key);
        let mut handed = 0;
        let mut employer = None;
        for j in 0..s {
            if self.firms.len() + self.spawned.len() >= self.cap {
                *self.over_cap = true;
                break;
            }
            let Some(emp) = self.markets[ri].take(rng.uniform()) else {
                break;
            };
            let fi = emp.firm_index();
            let startup = fi.is_some_and(|i| self.firms[i].kind == Kind::Startup);
            if startup && fi.is_some_and(|i| self.firms[i].headcount as u64 >= LARGE_FIRM * s) {
                // A large firm takes the whole agent into its further openings (a step of
                // `scale` people is at most a tenth of its staff); the people already handed
                // to singles are booked in the ledger.
                self.markets[ri].take_more(emp, s - 1);
                employer = Some(emp);
                break;
            }
            if let (true, Some(i)) = (startup, fi) {
                let f = &mut self.firms[i];
                f.headcount += 1;
                f.peak_headcount = f.peak_headcount.max(f.headcount);
                let id = key([tag::SINGLE, p.key, t as u64, j]);
                self.spawned.push(p.like(id, emp, Status::Employed, true));
                handed += 1;
            } else if employer.is_none() {
                employer = Some(emp);
            }
        }
        if let Some(emp) = employer {
            p.employer = emp;
            p.set_status(Status::Employed);
            self.hire(emp, ri, wgt);
        }
        self.hand_over_if_due(p, handed)
    }

    /// A seeker takes the opening their uniform number draws, if any is left.
    fn match_one(&mut self, p: &mut Person) {
        let ri = p.region.index();
        let u = KeyedRng::new(self.seed, self.t as u32, Phase::Match, p.key).uniform();
        if let Some(emp) = self.markets[ri].take(u) {
            p.employer = emp;
            p.set_status(Status::Employed);
            self.hire(emp, ri, 1);
        }
    }

    /// `n` more people at `emp` in region `ri`.
    fn hire(&mut self, emp: Employer, ri: usize, n: u64) {
        match emp.firm_index() {
            None => self.regions[ri].incumbent_employed += n,
            Some(i) => {
                let f = &mut self.firms[i];
                f.headcount += n as u32;
                f.peak_headcount = f.peak_headcount.max(f.headcount);
            }
        }
    }

    /// Whether any region has a room free (for one person at least).
    #[inline]
    fn any_room(&self) -> bool {
        self.housed
            .iter()
            .zip(&self.rooms)
            .any(|(h, r)| h.running() < *r)
    }

    /// Whether a room is free for the agent `p` (for all the people it stands for).
    #[inline]
    fn room_for(&self, p: &Person) -> bool {
        let ri = p.region.index();
        self.housed[ri].running() + p.weight(self.s) <= self.rooms[ri]
    }

    /// Talent housing: a tenancy ends; an eligible newcomer takes a free room, in queue order.
    fn house(&mut self, p: &mut Person) {
        let (ri, t, wgt) = (p.region.index(), self.t, p.weight(self.s));
        let young = t - (p.born as i32) < self.young_below[ri];
        if !p.housed(t) && p.housed_until >= 0 {
            p.housed_until = -1;
        }
        if young && p.housed_until < 0 && self.room_for(p) && p.queue_open(t) {
            p.housed_until = self.housed_until_for[ri];
            self.housed[ri].start(p.housed_until as i32, wgt);
            if p.quiet() {
                // (Housed: their census cell and schedule change.)
                p.wake();
            }
        }
    }
}

/// At `scale > 1`, the singles on a large startup's staff (not founders, not housed), in
/// person order, `scale` at a time, become one aggregated agent employed there (the first one's
/// attributes, keyed `[MERGED, its key, month]`): the firm's headcount and the region's people
/// are unchanged, and a large firm's staff stop costing a record each. The singles merged are
/// buried ([`Person::bury`]); returns how many.
fn consolidate(
    persons: &mut Vec<Person>,
    firms: &[crate::model::firm::Firm],
    census: &Census<'_>,
    counts: &mut [CensusRow],
) -> usize {
    let (s, t) = (census.s, census.t);
    // The large startups, once per firm (a table, not a read of the firm's record for every
    // single); most months there is none, and nobody to look at.
    let large_firm: Vec<bool> = firms
        .iter()
        .map(|f| f.kind == Kind::Startup && f.operating() && f.headcount as u64 >= LARGE_FIRM * s)
        .collect();
    if !large_firm.contains(&true) {
        return 0;
    }
    let large = |e: Employer| e.firm_index().is_some_and(|i| large_firm[i]);
    let mut staff: std::collections::BTreeMap<Employer, Vec<usize>> = Default::default();
    for (i, p) in persons.iter().enumerate() {
        if p.single()
            && !p.dead()
            && p.status() == Status::Employed
            && !p.housed(t)
            && large(p.employer)
        {
            staff.entry(p.employer).or_default().push(i);
        }
    }
    let mut formed = Vec::new();
    for (&firm, idx) in &staff {
        for group in idx.chunks_exact(s as usize) {
            let first = persons[group[0]];
            for &i in group {
                census.count(counts, &persons[i], false);
                persons[i].bury();
            }
            let id = key([tag::MERGED, first.key, t as u64]);
            let agent = first.like(id, firm, Status::Employed, false);
            census.count(counts, &agent, true);
            formed.push(agent);
        }
    }
    let merged = formed.len() * s as usize;
    super::grow_persons(persons, formed.len());
    persons.extend(formed);
    merged
}

/// The technology a spin-out takes from an employer of quality `q`: a version of it,
/// `clamp(q·(0.5 + 0.6U), 0.05, 2)` (ODD 7.8).
fn spinout_tech(q: f64, rng: &mut KeyedRng) -> f64 {
    (q * (0.5 + 0.6 * rng.uniform())).clamp(0.05, 2.0)
}

/// A startup with at least this many times `scale` staff hires whole aggregated agents (ODD
/// 7.32): their steps of `scale` people are at most a tenth of it.
const LARGE_FIRM: u64 = 10;

/// An aggregated agent has handed `n` of its people to singles: book them in the region's
/// ledger `owed`; `true` when the ledger reaches a whole agent, which the caller then removes.
fn hand_over(owed: &mut i64, n: u64, s: u64) -> bool {
    *owed += n as i64;
    if *owed >= s as i64 {
        *owed -= s as i64;
        return true;
    }
    false
}

/// A single (removed by the caller) rejoins the aggregated people: booked in the region's
/// ledger `owed`; when a whole agent's worth has come back, an aggregated agent like it is
/// re-formed, keyed `[MERGED, single, month]`.
pub(super) fn merge(p: &Person, owed: &mut i64, s: u64, t: i32, spawned: &mut Vec<Person>) {
    *owed -= 1;
    if *owed <= -(s as i64) {
        *owed += s as i64;
        let id = key([tag::MERGED, p.key, t as u64]);
        spawned.push(p.like(id, Employer::NONE, Status::Seeking, false));
    }
}

/// The census's columns: people, employed, founders, seekers, under 35, high-level, under
/// the housing age.
const CENSUS: usize = 7;

/// Cells of the decide pass's histogram ([`census_cell`]): status × under 35 × high-level ×
/// under the housing age × housed.
const CENSUS_CELLS: usize = 64;

/// [`edu_code`] of high-level talent.
const HIGH_LEVEL_CODE: u8 = 3;
const _: () = assert!(HIGH_LEVEL_CODE as usize == Education::ALL.len() - 1);

/// A region's census: seven counts of people (people, employed, founders, seekers, under 35,
/// high-level, under the housing age).
pub type CensusRow = [u64; CENSUS];

/// Per region, the months of age from which a person is past the talent-housing age
/// (`RegionParams::young_below` of the resolved params), as the person passes read it.
fn young_below(w: &World) -> Vec<i32> {
    w.params.region.iter().map(|r| r.young_below).collect()
}

/// The age (years) under which the census counts a person as young.
const CENSUS_YOUNG_AGE: f32 = 35.0;

/// What the census counts of a person and where: ages are compared in whole months, against
/// the under-35 threshold and `young_below`, the housing age per region (the same tests as
/// comparing ages in years, without a division per person).
#[derive(Clone, Copy)]
struct Census<'a> {
    t: i32,
    s: u64,
    under35: i32,
    young_below: &'a [i32],
}

impl<'a> Census<'a> {
    fn new(t: i32, s: u64, young_below: &'a [i32]) -> Census<'a> {
        Census {
            t,
            s,
            under35: under35_months(),
            young_below,
        }
    }

    /// Add person `p` to (`add`) or take them from (`!add`) their region's row of `c`. The
    /// month's census is the decide pass's count of everyone, with each person the apply
    /// phase changes taken out before and put back after (integer sums: the same on any
    /// thread count, and the same as counting everyone again).
    #[inline(always)]
    fn count(&self, c: &mut [CensusRow], p: &Person, add: bool) {
        self.add(c, self.place(p), add);
    }

    /// Where person `p` counts: their region, census cell and weight.
    #[inline(always)]
    fn place(&self, p: &Person) -> Place {
        let ri = p.region.index();
        let now = p.now(self.t, self.young_below[ri]);
        Place {
            region: ri,
            cell: census_cell(p, now, self.under35),
            weight: p.weight(self.s),
        }
    }

    /// Add the people at `place` to (`add`) or take them from (`!add`) the census `c`.
    #[inline(always)]
    fn add(&self, c: &mut [CensusRow], place: Place, add: bool) {
        let row = cell_row(place.cell, place.weight);
        for (x, y) in c[place.region].iter_mut().zip(row) {
            *x = if add {
                x.wrapping_add(y)
            } else {
                x.wrapping_sub(y)
            };
        }
    }
}

/// Where an agent counts in the census: region, census cell and the people it stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Place {
    region: usize,
    cell: usize,
    weight: u64,
}

/// The census's under-35 threshold in months of age ([`units::age_months_at_least`]).
fn under35_months() -> i32 {
    units::age_months_at_least(CENSUS_YOUNG_AGE)
}

/// The census cell of person `p` in their state `now`: their status (bits 0–1), whether
/// under 35 (`under35` months of age, bit 2), high-level (bit 3), under the housing age
/// (bit 4) and housed (bit 5). The decide pass counts people per cell; [`cell_row`] says
/// what a cell adds to the census.
#[inline(always)]
fn census_cell(p: &Person, now: Now, under35: i32) -> usize {
    now.status as usize
        | ((now.months < under35) as usize) << 2
        | ((p.edu() == HIGH_LEVEL_CODE) as usize) << 3
        | (now.young as usize) << 4
        | (now.housed as usize) << 5
}

/// What `n` people of census cell `cell` add to their region's census row: people, employed,
/// founders, seekers, under 35, high-level, under the housing age.
#[inline(always)]
fn cell_row(cell: usize, n: u64) -> CensusRow {
    let mut row = [0; CENSUS];
    row[0] = n;
    row[match cell & 0b11 {
        1 => 1,
        2 => 2,
        _ => 3,
    }] = n;
    row[4] = (cell >> 2 & 1) as u64 * n;
    row[5] = (cell >> 3 & 1) as u64 * n;
    row[6] = (cell >> 4 & 1) as u64 * n;
    row
}

/// Add a histogram of [`census_cell`]s (people per cell) to a region's census row and its
/// running tenancies (people in housed cells).
fn expand(hist: &[u64; CENSUS_CELLS], row: &mut CensusRow, housed: &mut u64) {
    for (cell, &n) in hist.iter().enumerate() {
        if n == 0 {
            continue;
        }
        for (x, y) in row.iter_mut().zip(cell_row(cell, n)) {
            *x += y;
        }
        *housed += (cell >> 5 & 1) as u64 * n;
    }
}

/// Publish the month's census: the region's events and its count under the housing age.
fn publish_census(w: &mut World, counts: &[CensusRow]) {
    for (ri, c) in counts.iter().enumerate() {
        let e = &mut w.events[ri];
        e.stock = c[0];
        e.employed = c[1] + c[2];
        e.founders = c[2];
        e.seekers = c[3];
        e.under35 = c[4];
        e.high_level = c[5];
        w.regions[ri].young = c[6];
    }
}

/// A region's open positions at the end of a month, for the next month's matching.
#[derive(Clone, Debug, Default)]
pub struct Openings {
    /// Startups with an opening, `(firm key, firm index)`: each startup's first opening is
    /// filled before any other (startups recruit actively: founders' networks, job fairs).
    pub firsts: Vec<(u64, Employer)>,
    /// Every other opening, `(employer key, employer code, openings)`: established employers
    /// ([`Employer::INCUMBENT`]), anchors, and startups' further openings.
    pub others: Vec<(u64, Employer, u32)>,
}

impl Openings {
    /// Remove every opening (the month's vacancies phase lists them anew).
    pub fn clear(&mut self) {
        self.firsts.clear();
        self.others.clear();
    }
}

/// The month's matching in one region: openings drawn without replacement, uniformly, by the
/// matched seeker's own uniform number.
///
/// Common random numbers need the same seeker to land with the same employer in two
/// scenarios that differ by a few openings elsewhere. So employers are ordered by a priority
/// keyed by `(seed, month, employer key)` — a random order in which adding or removing one
/// employer moves no other — and a seeker with uniform `u` takes the opening at position
/// `⌊u·n⌋` of the `n` still open (startups' first openings before the rest), found through a
/// Fenwick tree of the openings left per employer.
struct Market {
    firsts: Pool,
    others: Pool,
}

impl Market {
    fn new(o: &Openings, seed: u64, t: u32) -> Market {
        let prio = |k: u64| KeyedRng::new(seed, t, Phase::Match, k).next_u64();
        let firsts = o.firsts.iter().map(|&(k, code)| (prio(k), code, 1));
        let others = o.others.iter().map(|&(k, code, n)| (prio(k), code, n));
        Market {
            firsts: Pool::new(firsts),
            others: Pool::new(others),
        }
    }

    /// The employer of the opening a seeker with uniform number `u` takes, if any is left.
    fn take(&mut self, u: f64) -> Option<Employer> {
        self.firsts.take(u).or_else(|| self.others.take(u))
    }

    /// Take up to `n` more of employer `code`'s openings (after its first); how many were left.
    fn take_more(&mut self, code: Employer, n: u64) -> u64 {
        let pool = &mut self.others;
        // Built on the first call only: full-scale months never need it.
        let codes = &pool.codes;
        let index = pool
            .index
            .get_or_insert_with(|| codes.iter().enumerate().map(|(i, &c)| (c, i)).collect());
        match index.get(&code) {
            Some(&pos) => pool.take_at(pos, n),
            None => 0,
        }
    }
}

/// Openings per employer in priority order, with a Fenwick tree of counts.
struct Pool {
    codes: Vec<Employer>,
    /// Position of each employer code in `codes` (made when first asked for).
    index: Option<std::collections::HashMap<Employer, usize>>,
    tree: Vec<u64>,
    left: u64,
}

impl Pool {
    fn new(entries: impl Iterator<Item = (u64, Employer, u32)>) -> Pool {
        let mut e: Vec<(u64, Employer, u32)> = entries.filter(|x| x.2 > 0).collect();
        e.sort_unstable_by_key(|&(p, code, _)| (p, code));
        let n = e.len();
        let mut tree = vec![0u64; n + 1];
        for (i, x) in e.iter().enumerate() {
            tree[i + 1] += x.2 as u64;
            let j = i + 1 + ((i + 1) & (i + 1).wrapping_neg());
            if j <= n {
                tree[j] += tree[i + 1];
            }
        }
        Pool {
            codes: e.iter().map(|x| x.1).collect(),
            index: None,
            left: e.iter().map(|x| x.2 as u64).sum(),
            tree,
        }
    }

    /// Openings left at the employer in position `pos` (0-based).
    fn left_at(&self, pos: usize) -> u64 {
        let prefix = |mut i: usize| {
            let mut s = 0;
            while i > 0 {
                s += self.tree[i];
                i -= i & i.wrapping_neg();
            }
            s
        };
        prefix(pos + 1) - prefix(pos)
    }

    /// Take up to `n` openings of the employer in position `pos`; how many were taken.
    fn take_at(&mut self, pos: usize, n: u64) -> u64 {
        let k = n.min(self.left_at(pos));
        let mut i = pos + 1;
        while i < self.tree.len() {
            self.tree[i] -= k;
            i += i & i.wrapping_neg();
        }
        self.left -= k;
        k
    }

    fn take(&mut self, u: f64) -> Option<Employer> {
        if self.left == 0 {
            return None;
        }
        let target = ((u * self.left as f64) as u64).min(self.left - 1);
        // The first employer whose cumulative openings exceed `target`.
        let n = self.codes.len();
        let mut pos = 0usize;
        let mut rest = target;
        let mut step = n.next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= rest {
                pos = next;
                rest -= self.tree[next];
            }
            step >>= 1;
        }
        // `pos` openings-prefix is ≤ target: employer `pos` (0-based) holds the opening.
        let mut i = pos + 1;
        while i <= n {
            self.tree[i] -= 1;
            i += i & i.wrapping_neg();
        }
        self.left -= 1;
        Some(self.codes[pos])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::firm::Kind;
    use crate::sim::World;

    fn f(i: usize) -> Employer {
        Employer::firm(i)
    }

    /// Startups' first openings are filled before any other; `take_more` takes at most what
    /// an employer has left.
    #[test]
    fn first_openings_go_first_and_take_more_is_bounded() {
        let o = Openings {
            firsts: vec![(1, f(7)), (2, f(9))],
            others: vec![(3, f(8), 2), (4, Employer::INCUMBENT, 1)],
        };
        let mut m = Market::new(&o, 42, 5);
        let mut firsts = [m.take(0.99).unwrap(), m.take(0.0).unwrap()];
        firsts.sort_unstable();
        assert_eq!(firsts, [f(7), f(9)]);
        assert_eq!(m.take_more(f(8), 5), 2);
        assert_eq!(m.take_more(f(8), 5), 0);
        assert_eq!(m.take_more(f(12345), 1), 0);
        assert_eq!(m.take(0.5), Some(Employer::INCUMBENT));
        assert_eq!(m.take(0.5), None);
    }

    /// The founding hazard: a technology carrier's is the region's rate for their education
    /// times the technology's quality (at most 0.5 a month); an employee of a modelled firm
    /// without one spins out at `spinout`; anyone else does not found.
    #[test]
    fn founding_hazard_by_kind_of_person() {
        let found = [0.01, 0.02, 0.04, 0.3];
        let person = |tech: f32, edu: u8, employer: Employer, status: Status| {
            Person::new(
                1,
                employer,
                tech,
                0,
                0,
                RegionId(0),
                edu,
                crate::scenario::SectorId(0),
                status,
            )
        };
        let carrier = person(1.5, 2, Employer::INCUMBENT, Status::Employed);
        assert!((founding_hazard(&carrier, Status::Employed, &found, 0.001) - 0.06).abs() < 1e-6);
        let high = person(2.0, 3, Employer::INCUMBENT, Status::Seeking);
        assert_eq!(founding_hazard(&high, Status::Seeking, &found, 0.001), 0.5);
        let staff = person(0.0, 1, f(17), Status::Employed);
        assert_eq!(
            founding_hazard(&staff, Status::Employed, &found, 0.001),
            0.001
        );
        let incumbent = person(0.0, 1, Employer::INCUMBENT, Status::Employed);
        assert_eq!(
            founding_hazard(&incumbent, Status::Employed, &found, 0.001),
            0.0
        );
        let seeker = person(0.0, 1, Employer::INCUMBENT, Status::Seeking);
        assert_eq!(
            founding_hazard(&seeker, Status::Seeking, &found, 0.001),
            0.0
        );
    }

    /// The quiet scheme (ODD 7.4) is the monthly rule with other random numbers: over 40 seeds
    /// of `minimal` (36 months, at scale 1 and 5), what people do — departures, retirements,
    /// moves into a room, new firms, and the stock, employed and seekers at the end — agrees
    /// with a world where everyone decides by the monthly rule every month, within four
    /// standard errors of the difference; and the scheme does leave most people quiet.
    #[test]
    fn quiet_people_do_what_the_monthly_rule_says() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for scale in ["scale=1", "scale=5"] {
            let sc = crate::scenario::ScenarioSource::read(&root.join("scenarios/minimal.toml"))
                .resolve_with(
                    &crate::scenario::Override::args(&[scale.into()]),
                    |_, _, _| {},
                )
                .unwrap();
            let run = |seed: u64, quiet: bool| {
                let mut w = World::new(&sc, seed);
                w.quiet = quiet;
                let mut x = [0.0f64; 7];
                for _ in 0..36 {
                    w.step();
                    for e in &w.events {
                        x[0] += e.departures as f64;
                        x[1] += e.retirements as f64;
                        x[2] += e.new_firms as f64;
                    }
                }
                let e = &w.events[0];
                x[3] = e.stock as f64;
                x[4] = e.employed as f64;
                x[5] = e.seekers as f64;
                x[6] = e.housed as f64;
                let quiet_share =
                    w.agents().filter(|p| p.quiet()).count() as f64 / w.agent_count() as f64;
                (x, quiet_share)
            };
            let n = 40u64;
            let on: Vec<_> = (1..=n).map(|s| run(s, true)).collect();
            let off: Vec<_> = (1..=n).map(|s| run(s, false)).collect();
            assert!(on.iter().all(|r| r.1 > 0.5), "{scale}: most people quiet");
            assert!(
                off.iter().all(|r| r.1 == 0.0),
                "{scale}: nobody quiet when off"
            );
            let names = [
                "departures",
                "retirements",
                "new firms",
                "stock",
                "employed",
                "seekers",
                "housed",
            ];
            for (k, name) in names.iter().enumerate() {
                let stats = |v: &[([f64; 7], f64)]| {
                    let m = v.iter().map(|r| r.0[k]).sum::<f64>() / n as f64;
                    let var = v.iter().map(|r| (r.0[k] - m).powi(2)).sum::<f64>() / (n - 1) as f64;
                    (m, var)
                };
                let ((ma, va), (mb, vb)) = (stats(&on), stats(&off));
                let se = ((va + vb) / n as f64).sqrt();
                let z = if se > 0.0 { (ma - mb) / se } else { 0.0 };
                assert!(
                    z.abs() < 4.0,
                    "{scale}, {name}: quiet {ma:.1} against monthly {mb:.1} (z = {z:.2})"
                );
                eprintln!("{scale}, {name}: quiet {ma:.1}, monthly {mb:.1}, z = {z:.2}");
            }
        }
    }

    /// The census kept by the decisions and the apply step's corrections equals a count of
    /// every person after the month, in every month, at full and aggregated scale, with two
    /// regions and relocation (Hangzhou) and with every lever (minimal); so do the running
    /// tenancies the regions keep by month of end (rooms contested, tenancies ending).
    #[test]
    fn census_matches_a_recount() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let short = "region.Minitown.housing.max_years=1";
        let cases = [
            ("scenarios/minimal.toml", vec!["scale=1"], 36),
            ("scenarios/minimal.toml", vec!["scale=5"], 36),
            ("scenarios/minimal.toml", vec!["scale=1", short], 36),
            ("scenarios/minimal.toml", vec!["scale=5", short], 36),
            ("scenarios/hangzhou.toml", vec!["scale=200"], 60),
        ];
        let (mut housed_months, mut ended) = (0, 0);
        for (file, sets, months) in cases {
            let scale = sets.join(" ");
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            let sc = crate::scenario::ScenarioSource::read(&root.join(file))
                .resolve_with(&crate::scenario::Override::args(&sets), |_, _, _| {})
                .unwrap();
            let mut w = World::new(&sc, 3);
            let s = w.scale;
            let hl = edu_code(Education::HighLevel);
            for _ in 0..months {
                w.step();
                let t = w.t as i32 - 1;
                let mut c = vec![[0u64; 7]; w.regions.len()];
                let mut housed = vec![0u64; w.regions.len()];
                for p in w.agents() {
                    let ri = p.region.index();
                    let n = p.weight(s);
                    housed[ri] += p.housed(t) as u64 * n;
                    ended += (p.housed_until as i32 == t) as u64;
                    let age = p.age(t);
                    c[ri][0] += n;
                    let col = match p.status() {
                        Status::Employed => 1,
                        Status::Founder => 2,
                        Status::Seeking => 3,
                    };
                    c[ri][col] += n;
                    c[ri][4] += (age < 35.0) as u64 * n;
                    c[ri][5] += (p.edu() == hl) as u64 * n;
                    c[ri][6] += (age < sc.def.region[ri].housing.max_age as f32) as u64 * n;
                }
                for (ri, e) in w.events.iter().enumerate() {
                    let kept = [
                        e.stock,
                        e.employed - e.founders,
                        e.founders,
                        e.seekers,
                        e.under35,
                        e.high_level,
                        w.regions[ri].young,
                    ];
                    assert_eq!(kept, c[ri], "{file} {scale}, region {ri}, month {t}");
                    let st = &w.regions[ri];
                    assert_eq!(
                        (st.housed, st.tenancies.running()),
                        (housed[ri], housed[ri]),
                        "tenancies: {file} {scale}, region {ri}, month {t}"
                    );
                    housed_months += (housed[ri] > 0) as u64;
                }
            }
        }
        assert!(housed_months > 0 && ended > 0, "no tenancy ran or ended");
    }

    /// Every month of a run at `scale = 5` (and 1): an operating firm's headcount is the people its agents stand
    /// for, startups employ only singles, the established employers' count is their agents'
    /// weights, and each region's ledger stays within one agent.
    #[test]
    fn people_and_firms_account_for_each_other_at_any_scale() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/minimal.toml");
        for scale in [1u64, 5] {
            // Enough competition projects that some land (their founders are singles too).
            let sets = [
                format!("scale={scale}"),
                "region.Minitown.competition.mini cup.projects=3000".to_string(),
            ];
            let sc = crate::scenario::ScenarioSource::read(&path)
                .resolve_with(&crate::scenario::Override::args(&sets), |_, _, _| {})
                .unwrap();
            let mut w = World::new(&sc, 3);
            let mut singles_seen = 0;
            let mut aggregated_staff = 0;
            let mut landed = 0;
            for _ in 0..36 {
                w.step();
                landed += w.events.iter().map(|e| e.competition_landed).sum::<u64>();
                let mut heads = vec![0u64; w.firms.len()];
                let mut incumbent = vec![0u64; w.regions.len()];
                for p in w.agents() {
                    if p.employer == Employer::INCUMBENT {
                        incumbent[p.region.index()] += p.weight(scale);
                    } else if let Some(fi) = p.employer.firm_index() {
                        heads[fi] += p.weight(scale);
                        let f = &w.firms[fi];
                        if scale > 1 && f.kind == Kind::Startup && !p.single() {
                            aggregated_staff += 1;
                        }
                    }
                    if scale > 1 && p.status() == Status::Founder {
                        assert!(p.single(), "an aggregated founder: {p:?}");
                    }
                    if p.single() {
                        assert!(scale > 1, "a single at scale 1");
                        assert_ne!(p.status(), Status::Seeking, "a single left seeking");
                        singles_seen += 1;
                    }
                }
                // (A closed firm keeps its founder in its count: a founder quitting a closed
                // firm releases nothing.)
                for (i, f) in w.firms.iter().enumerate().filter(|(_, f)| f.operating()) {
                    assert_eq!(f.headcount as u64, heads[i], "firm {i} at month {}", w.t);
                }
                for (ri, st) in w.regions.iter().enumerate() {
                    assert_eq!(st.incumbent_employed, incumbent[ri], "month {}", w.t);
                    assert!(
                        w.owed[ri].unsigned_abs() < scale.max(2),
                        "ledger {}",
                        w.owed[ri]
                    );
                }
            }
            assert_eq!(singles_seen > 0, scale > 1);
            assert!(landed > 0, "no competition founder landed");
            eprintln!("scale {scale}: {aggregated_staff} aggregated agent-months at startups");
        }
    }

    #[test]
    fn pool_draws_every_opening_once() {
        let mut p = pool(&[(5, 10, 2), (1, 20, 0), (3, 30, 3), (9, 40, 1)]);
        // Priority order: 30 (3 openings), 10 (2), 40 (1); employer 20 has none.
        assert_eq!(take(&mut p, 0.0), Some(30));
        assert_eq!(take(&mut p, 0.999), Some(40));
        let mut rest: Vec<usize> = (0..4).map(|_| take(&mut p, 0.5).unwrap()).collect();
        rest.sort();
        assert_eq!(rest, vec![10, 10, 30, 30]);
        assert_eq!(take(&mut p, 0.5), None);
    }

    #[test]
    fn pool_picks_by_position() {
        // Openings [a, a, b, c, c, c] in priority order; u picks position ⌊6u⌋.
        let mk = || pool(&[(1, 1, 2), (2, 2, 1), (3, 3, 3)]);
        for (u, want) in [(0.0, 1), (0.3, 1), (0.34, 2), (0.5, 3), (0.99, 3)] {
            assert_eq!(take(&mut mk(), u), Some(want), "u = {u}");
        }
    }

    /// A pool of firms' openings, `(priority, firm index, openings)`.
    fn pool(entries: &[(u64, usize, u32)]) -> Pool {
        Pool::new(entries.iter().map(|&(k, i, n)| (k, f(i), n)))
    }

    /// The index of the firm whose opening `u` takes.
    fn take(p: &mut Pool, u: f64) -> Option<usize> {
        p.take(u).map(|e| e.firm_index().expect("a firm"))
    }
}
