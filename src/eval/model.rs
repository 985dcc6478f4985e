//! The resolved model of one environment: what lowering consumes.

/// Everything one environment deploys.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub project: String,
    pub environment: String,
    pub region: String,
}
