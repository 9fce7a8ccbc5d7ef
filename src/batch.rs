//! Replicates: one scenario over many seeds, in parallel, results in seed order.
//!
//! Replicate `i` of a batch uses seed `base + i`, so two scenarios run with the same base share
//! their random streams (common random numbers): differences between them are differences of
//! the scenarios, not of luck.

use rayon::prelude::*;

use crate::metrics::{RunResult, simulate};
use crate::scenario::Scenario;

/// The seeds of `n` replicates starting at `base`.
pub fn seeds(base: u64, n: usize) -> Vec<u64> {
    (0..n as u64).map(|i| base.wrapping_add(i)).collect()
}

/// Run `sc` once per seed, in parallel; results in seed order. `done` is called after each
/// run finishes (from worker threads), for progress display.
pub fn replicates(sc: &Scenario, seeds: &[u64], done: &(dyn Fn() + Sync)) -> Vec<RunResult> {
    seeds
        .par_iter()
        .map(|&s| {
            let r = simulate(sc, s);
            done();
            r
        })
        .collect()
}

/// Run and reduce each replicate to the values of `measure` (keeps memory bounded: the full
/// run is dropped as soon as it is measured).
pub fn measure<T: Send>(
    sc: &Scenario,
    seeds: &[u64],
    done: &(dyn Fn() + Sync),
    measure: impl Fn(&RunResult) -> T + Sync,
) -> Vec<T> {
    seeds
        .par_iter()
        .map(|&s| {
            let r = simulate(sc, s);
            let v = measure(&r);
            done();
            v
        })
        .collect()
}
