//! Names CloudFormation and SSM would refuse, found before anything is
//! deployed: stack names, logical ids, SSM parameter names (the `params`
//! prefix and each published name), empty published values, an SSM name
//! written twice in one environment, and the same SSM name written by two
//! environments that share a region and an account.
//!
//! Input: evaluated [`Model`]s (the rules themselves are in [`limits`]).
//! Output: [`NameError`]s, each at the spec line that produced the name, and
//! their diagnostics. Invariants: a bad `params` prefix is reported once, not
//! once per name under it; a clash is reported once per pair of places.

use std::collections::HashMap;

use super::limits;
use super::template::stack_name;
use crate::diag::{Code, Diagnostic};
use crate::eval::{Model, ValueKind};
use crate::source::Span;

/// A name AWS would refuse, or two things that would write one SSM name.
#[derive(Debug, Clone, PartialEq)]
pub enum NameError {
    /// The stack name `<project>-<environment>-<layer>` breaks CloudFormation's rules.
    StackName { span: Span, stack: String, problem: String },
    /// A resource's logical id breaks CloudFormation's rules.
    LogicalId { span: Span, id: String, problem: String },
    /// An SSM parameter name (or the `params` prefix, `prefix` true) breaks SSM's rules.
    ParameterName { span: Span, name: String, prefix: bool, problem: String },
    /// `publish x = ""`: SSM refuses an empty value.
    EmptyValue { span: Span, parameter: String },
    /// Two members of one environment's layers write one SSM name.
    DuplicateParameter { first: Span, second: Span, parameter: String },
    /// Two environments in one region (and account, or an unknown one) write one SSM name.
    Collision {
        first_environment: (String, Span),
        second_environment: (String, Span),
        published: Span,
        parameter: String,
        region: String,
        more: usize,
    },
}

/// What one environment publishes, kept after its model is dropped, for
/// [`collisions`].
#[derive(Debug, Clone)]
pub struct PublishedNames {
    pub project: String,
    pub environment: String,
    pub environment_span: Span,
    pub region: String,
    /// The account the environment names, if it names one.
    pub account: Option<String>,
    /// Every SSM parameter its stacks create (published values; secrets are
    /// set outside mdl, and two environments may share one on purpose), with
    /// the member.
    pub parameters: Vec<(String, Span)>,
}

impl PublishedNames {
    /// What `model` publishes.
    pub fn of(model: &Model) -> PublishedNames {
        PublishedNames {
            project: model.project.clone(),
            environment: model.environment.clone(),
            environment_span: model.environment_span,
            region: model.region.clone(),
            account: model.deployment.account.as_ref().map(|a| a.value.clone()),
            parameters: model
                .layers
                .iter()
                .flat_map(|layer| layer.publishes.iter().map(|p| (p.parameter.clone(), p.span)))
                .collect(),
        }
    }
}

/// Every SSM name `model` writes, in layer order: published values, then secrets.
fn parameters(model: &Model) -> Vec<(String, Span)> {
    let mut found = Vec::new();
    for layer in &model.layers {
        found.extend(layer.publishes.iter().map(|p| (p.parameter.clone(), p.span)));
        found.extend(layer.secrets.iter().map(|s| (s.parameter.clone(), s.span)));
    }
    found
}

/// Every name of one environment that AWS would refuse.
pub fn check(model: &Model) -> Vec<NameError> {
    let mut errors = Vec::new();
    for layer in &model.layers {
        let stack = stack_name(model, &layer.name);
        if let Some(problem) = limits::stack_name_problem(&stack) {
            errors.push(NameError::StackName { span: layer.name_span, stack, problem });
        }
        for resource in &layer.resources {
            if let Some(problem) = limits::logical_id_problem(&resource.logical_id) {
                let span = resource.user_line();
                errors.push(NameError::LogicalId { span, id: resource.logical_id.clone(), problem });
            }
        }
        for published in
            layer.publishes.iter().filter(|p| matches!(&p.value.kind, ValueKind::String(s) if s.is_empty()))
        {
            errors
                .push(NameError::EmptyValue { span: published.span, parameter: published.parameter.clone() });
        }
    }
    parameter_names(model, &mut errors);
    errors
}

/// The `params` prefix, then (when it is fine) each name, then names written twice.
fn parameter_names(model: &Model, errors: &mut Vec<NameError>) {
    let prefix_problem = limits::parameter_name_problem(&model.params_prefix);
    if let (Some(problem), Some(span)) = (&prefix_problem, model.params_span) {
        let name = model.params_prefix.clone();
        errors.push(NameError::ParameterName { span, name, prefix: true, problem: problem.clone() });
    }
    let mut first: HashMap<&str, Span> = HashMap::new();
    let all = parameters(model);
    for (parameter, span) in &all {
        if prefix_problem.is_none() {
            if let Some(problem) = limits::parameter_name_problem(parameter) {
                let name = parameter.clone();
                errors.push(NameError::ParameterName { span: *span, name, prefix: false, problem });
            }
        }
        match first.get(parameter.as_str()) {
            Some(&earlier) => errors.push(NameError::DuplicateParameter {
                first: earlier,
                second: *span,
                parameter: parameter.clone(),
            }),
            None => {
                first.insert(parameter, *span);
            }
        }
    }
}

/// Pairs of environments of one project that would write the same SSM name:
/// SSM names are per account and region, and an environment that names no
/// account may share one with any other.
pub fn collisions(environments: &[PublishedNames]) -> Vec<NameError> {
    let mut errors = Vec::new();
    for (i, second) in environments.iter().enumerate() {
        for first in &environments[..i] {
            let same_place = first.project == second.project
                && first.environment != second.environment
                && first.region == second.region
                && match (&first.account, &second.account) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
            if !same_place {
                continue;
            }
            let theirs: HashMap<&str, Span> =
                first.parameters.iter().map(|(p, s)| (p.as_str(), *s)).collect();
            let shared: Vec<&(String, Span)> =
                second.parameters.iter().filter(|(p, _)| theirs.contains_key(p.as_str())).collect();
            let Some((parameter, published)) = shared.first() else { continue };
            errors.push(NameError::Collision {
                first_environment: (first.environment.clone(), first.environment_span),
                second_environment: (second.environment.clone(), second.environment_span),
                published: *published,
                parameter: parameter.clone(),
                region: second.region.clone(),
                more: shared.len() - 1,
            });
        }
    }
    errors
}

impl NameError {
    /// The diagnostic users see.
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            NameError::StackName { span, stack, problem } => Diagnostic::new(
                Code::InvalidStackName,
                format!("CloudFormation would refuse the stack name `{stack}`: {problem}"),
                *span,
                "this layer's stack",
            )
            .with_help(
                "a stack is named `<project>-<environment>-<layer>` (`_` becoming `-`): shorten or rename the project, environment or layer so the name starts with a letter",
            ),
            NameError::LogicalId { span, id, problem } => Diagnostic::new(
                Code::InvalidLogicalId,
                match id.as_str() {
                    "" => format!("CloudFormation would refuse this resource's logical id: {problem}"),
                    _ => format!("CloudFormation would refuse the logical id `{id}`: {problem}"),
                },
                *span,
                "the resource is named from this binding",
            )
            .with_help("a logical id is the CamelCase of the binding path: shorten the names of the bindings that lead to it"),
            NameError::ParameterName { span, name, prefix, problem } => {
                let (what, label, help) = if *prefix {
                    (
                        "the `params` prefix",
                        "the SSM prefix of every published value",
                        "write a path like `\"/shop/infra\"`: letters, digits and `_ . - /`, not starting with `aws` or `ssm`",
                    )
                } else {
                    (
                        "the SSM parameter name",
                        "the name comes from this member",
                        "rename the member, or change the project's `params` prefix",
                    )
                };
                Diagnostic::new(
                    Code::InvalidParameterName,
                    format!("SSM would refuse {what} `{name}`: {problem}"),
                    *span,
                    label,
                )
                .with_help(help)
            }
            NameError::EmptyValue { span, parameter } => Diagnostic::new(
                Code::EmptyPublishedValue,
                format!("`{parameter}` would be published empty, and SSM refuses an empty value"),
                *span,
                "this value is the empty string",
            )
            .with_help("publish a value that is not empty, or remove the `publish`"),
            NameError::DuplicateParameter { first, second, parameter } => Diagnostic::new(
                Code::DuplicateParameter,
                format!("two members write the SSM parameter `{parameter}`"),
                *second,
                "written again here",
            )
            .with_label(*first, "first written here")
            .with_help(
                "the second stack would fail with \"The parameter already exists\": rename one of them (layers share the `params` prefix)",
            ),
            NameError::Collision { first_environment, second_environment, published, parameter, region, more } => {
                let (first, first_span) = first_environment;
                let (second, second_span) = second_environment;
                let others = match more {
                    0 => String::new(),
                    1 => " (and 1 more name)".to_string(),
                    n => format!(" (and {n} more names)"),
                };
                Diagnostic::new(
                    Code::ParameterCollision,
                    format!(
                        "environments `{first}` and `{second}` would both write the SSM parameter `{parameter}`{others} in {region}"
                    ),
                    *second_span,
                    format!("`{second}` writes `{parameter}`"),
                )
                .with_label(*first_span, format!("`{first}` writes it too, in the same region"))
                .with_label(*published, "published here")
                .with_help(
                    "the second environment's first deploy would fail with \"The parameter already exists\": leave `params` out of the project (each environment then publishes under `/<project>/<environment>`) or name the environment in it (`params = \"/shop/${env.name}\"`), or give the environments different regions or `account`s",
                )
            }
        }
    }
}
