//! # talentsim
//!
//! An agent-based simulator of regional talent ecosystems: graduates, founders, firms and
//! investors move month by month through the pipeline **talent brings technology → technology
//! becomes a project → the project raises capital → industrialization**, under the policies
//! (grants, housing, loans, funds, competitions…) a scenario file switches on.
//!
//! ```no_run
//! let sc = talentsim::load("scenarios/minimal.toml".as_ref(), &[]).unwrap();
//! let run = talentsim::simulate(&sc, 1);
//! println!("{} firms ever existed", run.firms.len());
//! ```
//!
//! To run many variants of one scenario (what sweeps and calibration do), read it once and
//! resolve it with overrides in memory:
//!
//! ```no_run
//! use talentsim::scenario::{Override, ScenarioSource};
//! let src = ScenarioSource::read("scenarios/binjiang.toml".as_ref());
//! for units in [0, 5_000, 20_000] {
//!     let sc = src
//!         .resolve(&[Override::value("region.Binjiang.housing.units", units)])
//!         .unwrap();
//!     let run = talentsim::simulate(&sc, 1);
//!     println!("{units}: {} firms", run.firms.len());
//! }
//! ```
//!
//! The library never prints or exits; the `talentsim` binary is a thin CLI over it.

#![warn(missing_docs)]

pub mod analysis;
pub mod batch;
pub mod calibrate;
pub mod compare;
pub mod facts;
pub mod metrics;
pub mod model;
pub mod output;
pub mod plot;
pub mod report;
pub mod resolve;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod sweep;
pub mod term;

pub use metrics::{RunResult, simulate};
pub use resolve::{from_str, load};
pub use scenario::{Scenario, ScenarioError};
pub use sim::World;

/// Version of talentsim, recorded in every manifest.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
