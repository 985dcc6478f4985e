//! Names CloudFormation and SSM would refuse, found before anything is
//! deployed: stack names, logical ids, SSM parameter names (the `params`
//! prefix and each published name), empty published values, an SSM name
//! written twice in one environment, and names two environments of one
//! project would both take: the same SSM name in a region and account they
//! share, or the same physical name for resources of one type in the scope
//! where such names are unique.
//!
//! Input: evaluated [`Model`]s (the rules themselves are in [`limits`]; which
//! property is a resource's physical name, in the schema digest). Output:
//! [`NameError`]s, each at the spec line that produced the name, and their
//! diagnostics. Invariants: a bad `params` prefix is reported once, not once
//! per name under it; an SSM clash is reported once per pair of
//! environments, a physical-name clash once per resource declaration.

use std::collections::{HashMap, HashSet};

use super::limits::{self, NameScope};
use super::schema::{resource_facts, resource_type};
use super::template::stack_name;
use crate::diag::{Code, Diagnostic};
use crate::eval::{Model, ResourceModel, ValueKind};
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
    /// Two environments would create resources of one type with one literal
    /// physical name in the scope where such names are unique.
    ResourceCollision {
        first_environment: (String, Span),
        second_environment: (String, Span),
        /// The second environment's resource, and the first's when declared elsewhere.
        resource: Span,
        first_resource: Option<Span>,
        name: PhysicalName,
        region: String,
    },
}

/// The names one environment takes that another could take too, kept after
/// its model is dropped, for [`collisions`].
#[derive(Debug, Clone)]
pub struct EnvironmentNames {
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
    /// Every physical name its resources set to a literal.
    pub physical_names: Vec<PhysicalName>,
}

/// A resource whose physical name the template sets to a literal string.
#[derive(Debug, Clone, PartialEq)]
pub struct PhysicalName {
    /// `AWS::ECS::Cluster`
    pub type_name: String,
    /// The property that holds the name (`ClusterName`).
    pub property: &'static str,
    /// The name itself.
    pub name: String,
    /// The resource's line in the spec (the construct call for a stdlib resource).
    pub span: Span,
    /// Where the name's text was written.
    pub origin: Span,
    /// Whether the schema lets the name be left out (CloudFormation then generates one).
    pub optional: bool,
}

impl PhysicalName {
    /// The literal physical name of `resource`, if its template sets one.
    /// A name known only at deploy time (`Ref`, `Fn::Sub` of the stack) is
    /// not compared.
    fn of(resource: &ResourceModel) -> Option<PhysicalName> {
        let property = resource_facts(&resource.type_name)?.physical_name_property()?;
        let value = resource.properties.field(property)?;
        let required = resource_type(&resource.type_name).is_some_and(|t| t.required.contains(&property));
        Some(PhysicalName {
            type_name: resource.type_name.clone(),
            property,
            name: value.as_str()?.to_string(),
            span: resource.user_line(),
            origin: value.origin,
            optional: !required,
        })
    }
}

impl EnvironmentNames {
    /// The names `model` takes.
    pub fn of(model: &Model) -> EnvironmentNames {
        EnvironmentNames {
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
            physical_names: model
                .layers
                .iter()
                .flat_map(|layer| layer.resources.iter().filter_map(PhysicalName::of))
                .collect(),
        }
    }

    /// Whether a name unique within `scope` could be taken by both
    /// environments: an environment that names no account may share one
    /// with any other.
    fn share(&self, other: &EnvironmentNames, scope: NameScope) -> bool {
        let same_account = match (&self.account, &other.account) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        match scope {
            NameScope::Region => same_account && self.region == other.region,
            NameScope::Account => same_account,
            NameScope::Global => true,
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

/// Names two environments of one project would both take: the same SSM
/// name (unique per account and region), or the same literal physical name
/// for resources of one type (unique in their type's [`NameScope`]).
pub fn collisions(environments: &[EnvironmentNames]) -> Vec<NameError> {
    let mut errors = Vec::new();
    let mut reported = HashSet::new();
    for (i, second) in environments.iter().enumerate() {
        for first in &environments[..i] {
            if first.project != second.project || first.environment == second.environment {
                continue;
            }
            errors.extend(parameter_collision(first, second));
            let clashes = resource_collisions(first, second);
            errors.extend(clashes.into_iter().filter(|(span, _)| reported.insert(*span)).map(|(_, e)| e));
        }
    }
    errors
}

/// The SSM names both environments would write, as one error at the second.
fn parameter_collision(first: &EnvironmentNames, second: &EnvironmentNames) -> Option<NameError> {
    if !first.share(second, NameScope::Region) {
        return None;
    }
    let theirs: HashSet<&str> = first.parameters.iter().map(|(p, _)| p.as_str()).collect();
    let shared: Vec<&(String, Span)> =
        second.parameters.iter().filter(|(p, _)| theirs.contains(p.as_str())).collect();
    let (parameter, published) = shared.first()?;
    Some(NameError::Collision {
        first_environment: (first.environment.clone(), first.environment_span),
        second_environment: (second.environment.clone(), second.environment_span),
        published: *published,
        parameter: parameter.clone(),
        region: second.region.clone(),
        more: shared.len() - 1,
    })
}

/// Each resource of `second` that `first` would create too, with its line.
fn resource_collisions(first: &EnvironmentNames, second: &EnvironmentNames) -> Vec<(Span, NameError)> {
    let theirs: HashMap<(&str, &str), &PhysicalName> =
        first.physical_names.iter().map(|n| ((n.type_name.as_str(), n.name.as_str()), n)).collect();
    second
        .physical_names
        .iter()
        .filter_map(|ours| {
            let earlier = theirs.get(&(ours.type_name.as_str(), ours.name.as_str()))?;
            if !first.share(second, limits::name_scope(&ours.type_name)) {
                return None;
            }
            let error = NameError::ResourceCollision {
                first_environment: (first.environment.clone(), first.environment_span),
                second_environment: (second.environment.clone(), second.environment_span),
                resource: ours.span,
                first_resource: (earlier.span != ours.span).then_some(earlier.span),
                name: ours.clone(),
                region: second.region.clone(),
            };
            Some((ours.span, error))
        })
        .collect()
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
            NameError::ResourceCollision {
                first_environment,
                second_environment,
                resource,
                first_resource,
                name,
                region,
            } => resource_collision(first_environment, second_environment, *resource, *first_resource, name, region),
        }
    }
}

/// E0531: two environments would create one resource.
fn resource_collision(
    (first, first_span): &(String, Span),
    (second, second_span): &(String, Span),
    resource: Span,
    first_resource: Option<Span>,
    name: &PhysicalName,
    region: &str,
) -> Diagnostic {
    let PhysicalName { type_name, property, name: text, origin, optional, .. } = name;
    let scope = limits::name_scope(type_name);
    let ScopeWords { place, shared, unique } = scope_words(scope, region);
    let mut diagnostic = Diagnostic::new(
        Code::ResourceNameCollision,
        format!(
            "environments `{first}` and `{second}` would both create the `{type_name}` named `{text}`{place}"
        ),
        resource,
        format!("both environments set its `{property}` to `{text}`"),
    );
    if let Some(first_resource) = first_resource {
        diagnostic =
            diagnostic.with_label(first_resource, format!("`{first}` names its `{type_name}` `{text}` here"));
    }
    // A name built inside a stdlib construct (`"alias/${name}"`) is not
    // shown: the construct call, in the user's file, is the place to change.
    let written_here = origin.file == resource.file;
    if *origin != resource && written_here && Some(*origin) != first_resource {
        diagnostic = diagnostic.with_label(*origin, "the name is written here");
    }
    let example = if written_here { format!(" (`\"{text}-${{env.name}}\"`)") } else { String::new() };
    let leave_out = if *optional {
        ", or, where the name may be left out, leave it out so CloudFormation generates a unique one"
    } else {
        ""
    };
    diagnostic
        .with_label(*second_span, format!("`{second}` creates it"))
        .with_label(*first_span, format!("`{first}` creates it too{shared}"))
        .with_help(format!(
            "the second environment's first deploy would fail with \"already exists\": put `${{env.name}}` in the name{example}{leave_out}; {unique}"
        ))
}

/// How E0531 words a name's scope.
struct ScopeWords {
    /// Where both would create it, after the name in the message.
    place: String,
    /// What the first environment shares with the second, in its label.
    shared: &'static str,
    /// Where the name must be unique, in the help.
    unique: &'static str,
}

fn scope_words(scope: NameScope, region: &str) -> ScopeWords {
    match scope {
        NameScope::Region => ScopeWords {
            place: format!(" in {region}"),
            shared: ", in the same region",
            unique: "these names are unique per region and account, so different regions or `account`s avoid it too",
        },
        NameScope::Account => ScopeWords {
            place: " in one account".to_string(),
            shared: ", in the same account as far as mdl can tell",
            unique: "IAM names are unique across an account, in every region at once: only different `account`s avoid it",
        },
        NameScope::Global => ScopeWords {
            place: String::new(),
            shared: "",
            unique: "S3 bucket names are unique across every account and region: neither regions nor accounts avoid it",
        },
    }
}
