//! Evaluation: one environment of a checked program → a fully resolved [`Model`].

pub mod model;

pub use model::Model;
