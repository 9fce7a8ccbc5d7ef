//! Agents and their own rules, one file per kind.

#![warn(missing_docs)]

pub mod firm;
pub mod investor;
pub mod person;
pub mod program;
pub mod region;
