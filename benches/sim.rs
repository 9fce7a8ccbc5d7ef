//! Speed of the monthly step and of each phase, on synthetic worlds of 10^4 … 10^7 people.
//!
//! ```text
//! cargo bench --bench sim                                            # everything
//! cargo bench --bench sim -- --warm-up-time 1 --measurement-time 3   # quicker (10^4, 10^5)
//! TALENTSIM_BENCH_SIZES=1e4,1e5 cargo bench --bench sim              # some sizes only
//! cargo bench --bench sim -- month/                                  # the whole month only
//! ```
//!
//! Benchmark ids: `month/<size>` is `World::step`; `phase/<phase>/<size>` is one phase of the
//! month; `floor/<size>` is the floor a month is compared with: one parallel read-modify-write
//! pass (rayon, the same pool as the month) over a `Vec` of as many records the size of
//! `Person` as the world has people — the least a month that touches every person can cost.
//! Throughput is `Elements(people in the world)`, so criterion's `elem/s` reads as
//! **people-months per second**. Sizes of 10^6 and 10^7 use 10 flat samples and a short fixed
//! measurement time (see `common::big_settings`).
//!
//! How the worlds are measured. `World` is not `Clone`, and building a 10^7 world and warming it
//! up takes tens of seconds, so each size is built **once** and warmed up for
//! `WARMUP_MONTHS` months (firms, funds and vacancies exist by then); then a [`Snapshot`] of
//! everything a month changes is taken, which rewinds the world far faster than a rebuild
//! (one copy of the person vector).
//! * `month/<size>`: `step()` and the recorder's observation on a world that keeps advancing, for at most `WINDOW` months
//!   after the snapshot; then it is rewound to the snapshot, untimed. Advancing (rather than
//!   re-running one month) measures an average month, with its January budget resets,
//!   December panel rows and October competitions, and keeps the world's make-up close to the
//!   snapshot's.
//! * `phase/<phase>/<size>`: the month is replayed up to the phase once (untimed), that state is
//!   saved, and each iteration rewinds to it (untimed) and times the phase alone: every
//!   iteration measures the phase on exactly the state a real month hands it. Rewinds copy only
//!   what the phase changes (e.g. `operate` changes no person, so the person vector is not
//!   copied back for it).
//!
//! Before measuring, each size also prints a profile of a year of months by step, on the pool
//! (including the steps without their own benchmark: competitions, joint R&D, vacancies,
//! closing the month), to stderr.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::{Persons, Snapshot};
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};
use rayon::prelude::*;
use talentsim::World;
use talentsim::metrics::Recorder;
use talentsim::model::person::Person;

/// 64-bit words in a record the size of a `Person` (rounded up).
const WORDS: usize = std::mem::size_of::<Person>().div_ceil(8);

/// A record the size of a `Person`, for the floor pass.
#[derive(Clone, Copy)]
struct Record([u64; WORDS]);

/// The floor: read every record, write one word of each (a dependent update, so the pass can
/// be neither skipped nor vectorised away).
fn floor_pass(records: &mut [Record], month: u64) {
    records.par_iter_mut().for_each(|r| {
        let x = r.0[0] ^ r.0[WORDS - 1] ^ month;
        r.0[0] = x.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
    });
}

/// Months `month/<size>` lets the world advance before rewinding it.
const WINDOW: u32 = 24;

/// A measured phase: the steps it runs and what a rewind must restore.
struct Phase {
    name: &'static str,
    steps: &'static [&'static str],
    persons: Persons,
    firms: bool,
}

const PHASES: [Phase; 6] = [
    // people::environment + people::arrivals: prices, policies, utilities; newcomers appended.
    Phase {
        name: "environment_arrivals",
        steps: &["environment", "arrivals"],
        persons: Persons::Truncate,
        firms: false,
    },
    Phase {
        name: "people",
        steps: &["people"],
        persons: Persons::Copy,
        firms: true,
    },
    Phase {
        name: "operate",
        steps: &["operate"],
        persons: Persons::Keep,
        firms: true,
    },
    Phase {
        name: "grants",
        steps: &["grants"],
        persons: Persons::Keep,
        firms: true,
    },
    Phase {
        name: "funding",
        steps: &["funding"],
        persons: Persons::Keep,
        firms: true,
    },
    Phase {
        name: "growth_and_exits",
        steps: &["growth_and_exits"],
        persons: Persons::Keep,
        firms: true,
    },
];

/// One size's world, its snapshot after warm-up, and the saved state before the phase being
/// measured.
struct Bed<'s> {
    world: World<'s>,
    /// Observes the world after every month, as a run does.
    recorder: Recorder,
    start: Snapshot,
    pre: Option<(usize, Snapshot)>,
}

fn configure(g: &mut BenchmarkGroup<'_, WallTime>, n: u64, people: u64) {
    g.throughput(Throughput::Elements(people));
    if let Some((warm, measure)) = common::big_settings(n) {
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(warm)
            .measurement_time(measure);
    }
}

/// Time each step of a year of months from the snapshot (untimed by criterion, printed), on a
/// thread of rayon's pool as a run's months are, then rewind.
fn profile(bed: &mut Bed, label: &str, months: u32) {
    let mut spent = [Duration::ZERO; talentsim::sim::MONTH.len()];
    let w = &mut bed.world;
    rayon::scope(|_| {
        for _ in 0..months {
            w.begin_month();
            for (k, p) in talentsim::sim::MONTH.iter().enumerate() {
                let t = Instant::now();
                (p.run)(w);
                spent[k] += t.elapsed();
            }
            w.t += 1;
        }
    });
    let total: Duration = spent.iter().sum();
    let people = bed.start_people() as f64;
    let parts: Vec<String> = talentsim::sim::MONTH
        .iter()
        .zip(&spent)
        .map(|(p, d)| {
            format!(
                "{} {:.3} ms ({:.0}%)",
                p.name,
                d.as_secs_f64() * 1e3 / months as f64,
                100.0 * d.as_secs_f64() / total.as_secs_f64()
            )
        })
        .collect();
    eprintln!(
        "profile/{label}: {:.2} ms/month = {:.3e} people-months/s; {}",
        total.as_secs_f64() * 1e3 / months as f64,
        people * months as f64 / total.as_secs_f64(),
        parts.join(", ")
    );
    bed.start.restore(&mut bed.world, Persons::Copy, true);
}

impl Bed<'_> {
    fn start_people(&self) -> usize {
        self.start.persons_len()
    }
}

fn sweep(c: &mut Criterion) {
    for n in common::sizes() {
        let label = common::label(n);
        let mut ids = vec![format!("month/{label}"), format!("floor/{label}")];
        ids.extend(PHASES.iter().map(|p| format!("phase/{}/{label}", p.name)));
        if !common::selected(&ids) {
            continue;
        }
        let sc = common::scenario(n);
        let t = Instant::now();
        let world = World::new(&sc, sc.def.seed);
        let built = t.elapsed();
        let mut world = world;
        let t = Instant::now();
        let mut recorder = Recorder::default();
        for _ in 0..common::WARMUP_MONTHS {
            world.step();
            recorder.observe(&world);
        }
        let warmed = t.elapsed();
        let people = world.agent_count() as u64;
        eprintln!(
            "world/{label}: {} people at start, {people} people and {} firms ({} operating) after {} months; built in {:.2} s, warmed up in {:.2} s",
            n,
            world.firms.len(),
            world.firms.iter().filter(|f| f.operating()).count(),
            common::WARMUP_MONTHS,
            built.as_secs_f64(),
            warmed.as_secs_f64()
        );
        let start = Snapshot::take(&world, true);
        let t0 = world.t;
        let mut bed = Bed {
            world,
            recorder,
            start,
            pre: None,
        };
        // (A year: January resets and an October competition included, as in `month/`.)
        profile(&mut bed, &label, 12);

        let mut g = c.benchmark_group("month");
        configure(&mut g, n, people);
        g.bench_function(label.as_str(), |b| {
            // (Each measurement on a thread of rayon's pool, as a run's months are: see
            // `metrics::run`.)
            b.iter_custom(|iters| {
                rayon::scope(|_| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        if bed.world.t >= t0 + WINDOW {
                            bed.start.restore(&mut bed.world, Persons::Copy, true);
                            bed.recorder.rows.clear();
                        }
                        let t = Instant::now();
                        bed.world.step();
                        bed.recorder.observe(&bed.world);
                        total += t.elapsed();
                    }
                    black_box(bed.world.persons.len());
                    total
                })
            })
        });
        g.finish();

        let mut g = c.benchmark_group("floor");
        configure(&mut g, n, people);
        // Built on first use: criterion skips the closure when a filter leaves `floor/` out,
        // and then the records (about 400 MB at 10^7) are never allocated.
        let mut records: Option<Vec<Record>> = None;
        let mut month = 0u64;
        g.bench_function(label.as_str(), |b| {
            let records =
                records.get_or_insert_with(|| (0..people).map(|i| Record([i; WORDS])).collect());
            // (On the pool too, like `month/`.)
            b.iter_custom(|iters| {
                rayon::scope(|_| {
                    let t = Instant::now();
                    for _ in 0..iters {
                        month += 1;
                        floor_pass(records, month);
                        black_box(records[0].0[0]);
                    }
                    t.elapsed()
                })
            })
        });
        g.finish();
        drop(records);

        let mut g = c.benchmark_group("phase");
        configure(&mut g, n, people);
        for (pi, ph) in PHASES.iter().enumerate() {
            g.bench_function(BenchmarkId::new(ph.name, &label), |b| {
                if bed.pre.as_ref().map(|p| p.0) != Some(pi) {
                    bed.pre = None;
                    bed.start.restore(&mut bed.world, Persons::Copy, true);
                    common::replay_until(&mut bed.world, ph.steps[0]);
                    bed.pre = Some((pi, Snapshot::take(&bed.world, ph.persons == Persons::Copy)));
                }
                let pre = &bed.pre.as_ref().expect("saved above").1;
                let w = &mut bed.world;
                b.iter_custom(|iters| {
                    rayon::scope(|_| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            pre.restore(w, ph.persons, ph.firms);
                            let t = Instant::now();
                            for s in ph.steps {
                                common::run_step(w, s);
                            }
                            total += t.elapsed();
                        }
                        black_box(w.persons.len());
                        total
                    })
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, sweep);
criterion_main!(benches);
