//! Evaluation tests: small programs from source to model and diagnostics.
