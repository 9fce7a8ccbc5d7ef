//! Agents and their own rules, one file per kind.

pub mod firm;
pub mod investor;
pub mod person;
pub mod program;
pub mod region;
