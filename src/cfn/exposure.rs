//! What a protected environment serves to the internet without HTTPS (W0520).
//!
//! Input: one environment's [`Model`]. Output: a warning for each listener
//! that serves plain HTTP (protocol `HTTP`, no redirect among its default
//! actions) on an internet-facing load balancer of the same layer, in an
//! environment with `protect = true`, unless the spec says why: the
//! listener's checkov skip of `CKV_AWS_2` ("the listener uses HTTPS") with a
//! reason, which std/aws/elb writes from `plain_http_because` and which a raw
//! listener can carry in its `Metadata`. The warning is at the construct
//! instance (or the raw listener), with the `protect` setting as a label.

use crate::diag::{Code, Diagnostic};
use crate::eval::{DeployExpr, LayerModel, Model, ResourceModel, Value, ValueKind};
use crate::source::Span;

const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
const LOAD_BALANCER: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";
/// The checkov check whose skip, with its reason, acknowledges plain HTTP.
const PLAIN_HTTP_CHECK: &str = "CKV_AWS_2";

/// W0520 for every unacknowledged public plain-HTTP listener of a protected environment.
pub fn check(model: &Model) -> Vec<Diagnostic> {
    if !model.deployment.protect {
        return Vec::new();
    }
    let mut found = Vec::new();
    for layer in &model.layers {
        let listeners = layer.resources.iter().filter(|r| r.type_name == LISTENER);
        for listener in listeners.filter(|l| serves_plain_http(l) && is_public(layer, l) && !acknowledged(l))
        {
            found.push(warning(model, listener));
        }
    }
    found
}

fn text(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str)
}

fn list(value: Option<&Value>) -> &[Value] {
    match value.map(|v| &v.kind) {
        Some(ValueKind::List(items)) => items,
        _ => &[],
    }
}

/// Protocol `HTTP`, answering rather than redirecting.
fn serves_plain_http(listener: &ResourceModel) -> bool {
    let properties = &listener.properties;
    let redirects =
        list(properties.field("DefaultActions")).iter().any(|a| text(a.field("Type")) == Some("redirect"));
    text(properties.field("Protocol")) == Some("HTTP") && !redirects
}

/// On a load balancer of the same layer that is internet-facing (the default scheme).
fn is_public(layer: &LayerModel, listener: &ResourceModel) -> bool {
    let Some(ValueKind::Deploy(expr)) = listener.properties.field("LoadBalancerArn").map(|v| &v.kind) else {
        return false;
    };
    let DeployExpr::Ref(id) = &**expr else {
        return false;
    };
    layer.resource(id).is_some_and(|balancer| {
        balancer.type_name == LOAD_BALANCER
            && text(balancer.properties.field("Scheme")).unwrap_or("internet-facing") == "internet-facing"
    })
}

/// A checkov skip of the HTTPS check, with a reason.
fn acknowledged(listener: &ResourceModel) -> bool {
    let skips =
        listener.options.field("Metadata").and_then(|m| m.field("checkov")).and_then(|c| c.field("skip"));
    list(skips).iter().any(|skip| {
        text(skip.field("id")) == Some(PLAIN_HTTP_CHECK)
            && text(skip.field("comment")).is_some_and(|c| !c.trim().is_empty())
    })
}

fn warning(model: &Model, listener: &ResourceModel) -> Diagnostic {
    let span: Span = listener.user_line();
    let mut diagnostic = Diagnostic::new(
        Code::PlainHttpWhileProtected,
        format!(
            "environment `{}` is protected, yet `{}` serves plain HTTP to the internet",
            model.environment, listener.logical_id
        ),
        span,
        "its load balancer listens on HTTP without redirecting to HTTPS",
    )
    .with_help(
        "give it a certificate (`public_http { certificate = \"arn:aws:acm:...\" }` on a service, `certificate` on an `elb.load_balancer`): HTTP then redirects to HTTPS; or say why plain HTTP is acceptable with `plain_http_because = \"...\"`",
    );
    if let Some(protect) = model.deployment.protect_span {
        diagnostic = diagnostic.with_label(protect, "protected here");
    }
    diagnostic.with_note(format!("while lowering environment `{}` ({})", model.environment, model.region))
}
