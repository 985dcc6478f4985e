//! mdl: a small typed language for AWS infrastructure, lowered to CloudFormation.
//!
//! The pipeline, one module per stage: [`workspace`] loads files and
//! [`syntax`] parses them, [`check`] resolves names and types, [`eval`]
//! evaluates one environment into a model. [`diag`] holds the diagnostics
//! every stage reports and renders them.

pub mod check;
pub mod diag;
pub mod eval;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod units;
pub mod workspace;
