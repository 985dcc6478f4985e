//! CloudFormation's per-template limits, checked before anything is sent.

use super::error::LowerError;
use super::template::Stack;
use crate::eval::LayerModel;

/// A template body larger than this must be uploaded to S3.
pub const INLINE_BODY_BYTES: usize = 51_200;
/// The largest template body CloudFormation takes at all (through S3).
pub const MAX_BODY_BYTES: usize = 1_000_000;
pub const MAX_RESOURCES: usize = 500;
pub const MAX_PARAMETERS: usize = 200;
pub const MAX_OUTPUTS: usize = 200;
pub const MAX_DYNAMIC_REFERENCES: usize = 60;

/// Report every limit the stack's template crosses, at the layer's declaration.
pub fn check(stack: &Stack, layer: &LayerModel, errors: &mut Vec<LowerError>) {
    let body = stack.deploy_body();
    let count = |key: &str| stack.template.get(key).and_then(|v| v.as_object()).map_or(0, |o| o.len());
    let over = [
        ("bytes of template body", body.len(), MAX_BODY_BYTES),
        ("resources", count("Resources"), MAX_RESOURCES),
        ("parameters", count("Parameters"), MAX_PARAMETERS),
        ("outputs", count("Outputs"), MAX_OUTPUTS),
        ("dynamic references", body.matches("{{resolve:").count(), MAX_DYNAMIC_REFERENCES),
    ];
    for (what, count, limit) in over {
        if count > limit {
            errors.push(LowerError::OverLimit {
                span: layer.span,
                stack: stack.stack_name.clone(),
                what,
                count,
                limit,
            });
        }
    }
    if body.len() > INLINE_BODY_BYTES && body.len() <= MAX_BODY_BYTES {
        errors.push(LowerError::NeedsS3 {
            span: layer.span,
            stack: stack.stack_name.clone(),
            bytes: body.len(),
        });
    }
}
