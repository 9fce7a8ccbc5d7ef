//! Memory per person: `size_of::<Person>()` and the bytes a whole world holds per person, for
//! the synthetic worlds of the size sweep (after the same warm-up as `benches/sim.rs`).
//!
//! ```text
//! cargo bench --bench memory                                   # 10^4 … 10^7
//! TALENTSIM_BENCH_SIZES=1e4,1e5 cargo bench --bench memory     # a subset
//! ```
//!
//! Bytes are counted from the vectors' capacities (what is allocated, not what is used):
//! persons, firms, openings, funds, regions, the firm-year panel and the recorder's rows.
//! The resident-set growth of the process while the world was built and warmed up is printed
//! beside it as a check (it also counts allocator slack and freed scratch the allocator kept).

mod common;

use std::mem::size_of;

use talentsim::World;
use talentsim::model::firm::Firm;
use talentsim::model::person::Person;

fn mib(b: f64) -> f64 {
    b / (1u64 << 20) as f64
}

fn main() {
    eprintln!(
        "size_of::<Person>() = {} B   size_of::<Firm>() = {} B",
        size_of::<Person>(),
        size_of::<Firm>()
    );
    eprintln!("warm-up: {} months", common::WARMUP_MONTHS);
    for n in common::sizes() {
        let rss0 = common::rss_bytes();
        let sc = common::scenario(n);
        let (w, rec): (World, _) = common::warm_world(&sc, sc.def.seed, common::WARMUP_MONTHS);
        let rss1 = common::rss_bytes();
        let parts = common::world_bytes(&w, &rec);
        let total: usize = parts.iter().map(|(_, b)| b).sum();
        let people = w.agent_count() as f64;
        eprintln!(
            "memory/{}: {} persons, {} firms; world {:.1} MiB = {:.1} B/person (persons {:.1} B/person = capacity {} × {} B)",
            common::label(n),
            w.agent_count(),
            w.firms.len(),
            mib(total as f64),
            total as f64 / people,
            parts[0].1 as f64 / people,
            w.persons.capacity(),
            size_of::<Person>(),
        );
        let detail: Vec<String> = parts
            .iter()
            .map(|(name, b)| format!("{name} {:.2} MiB", mib(*b as f64)))
            .collect();
        eprintln!("    {}", detail.join(", "));
        if let (Some(a), Some(b)) = (rss0, rss1) {
            let grew = b.saturating_sub(a) as f64;
            eprintln!(
                "    process RSS grew {:.1} MiB = {:.1} B/person while building and warming up",
                mib(grew),
                grew / people
            );
        }
        drop(w);
    }
}
