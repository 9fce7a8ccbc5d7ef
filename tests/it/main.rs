//! The integration tests, in one binary (one link of the library instead of one per file).
//! Each module is one area; run one with `cargo test --test it <module>::`.

mod analysis;
mod binjiang;
mod calibrate;
mod compare;
mod determinism;
mod docs;
mod errors;
mod facts;
mod layers;
mod levers;
mod report;
mod report_browser;
mod scenario_errors;
mod slurm;
mod snapshots;
mod sweep;
mod sweep_memory;
