//! Every problem the checker reports, as data, and the one conversion to a
//! [`Diagnostic`].
//!
//! Input: facts gathered where a rule fails (spans, names, rendered types).
//! Output: diagnostics with a stable code, a one-line message, a primary label,
//! secondary labels where another place explains the problem, and help when a
//! fix is known. Invariant: no other file of the checker formats messages.

use crate::diag::{Code, Diagnostic, Fix};
use crate::source::Span;

/// A problem found by the checker.
#[derive(Debug, Clone)]
pub enum CheckError {
    /// E0201: a name that is not in scope.
    UnknownName { name: String, span: Span, suggestion: Option<String>, help: Option<String> },
    /// E0201: `ecs.clustr`, a namespace without that declaration.
    UnknownInNamespace { namespace: String, name: String, span: Span, suggestion: Option<String> },
    /// E0201: a bare variant that several enums have.
    AmbiguousVariant { name: String, enums: Vec<String>, span: Span },
    /// E0201: a call to a function that is not built in.
    UnknownFunction { name: String, span: Span, suggestion: Option<String> },
    /// E0202: a field that the record, construct, settings or variant does not have.
    UnknownField {
        field: String,
        owner: String,
        span: Span,
        suggestion: Option<String>,
        declared: Option<Span>,
    },
    /// E0203: a name defined twice in one place.
    Duplicate { name: String, what: &'static str, first: Span, second: Span },
    /// E0206: a layer that refers to itself.
    LayerSelfReference { layer: String, span: Span },
    /// E0206: layers that depend on each other; one reference per step of the cycle.
    LayerCycle { layers: Vec<String>, references: Vec<(Span, String, String)> },
    /// E0207: a cross-layer reference to a member that is not published.
    NotPublished { layer: String, member: String, span: Span, declared: Span, instance: bool },
    /// E0208: an environment the project does not list.
    UnknownEnvironment { name: String, project: String, span: Span, suggestion: Option<String>, list: Span },
    /// E0209: no project, or several, where an environment is declared.
    ProjectCount { environment: String, span: Span, projects: Vec<Span> },
    /// E0210: required fields that a literal does not set.
    MissingFields { owner: String, missing: Vec<String>, span: Span },
    /// E0211: a binding defined in terms of itself, or a construct instantiating itself.
    SelfReference { name: String, span: Span, declared: Span },
    /// E0211: constructs that instantiate each other.
    ConstructCycle { references: Vec<(Span, String, String)> },
    /// E0105: a member that this kind of body does not allow.
    Misplaced { member: &'static str, container: &'static str, span: Span, help: &'static str },
    /// E0310: `when` on a member that cannot be switched off.
    WhenNotAllowed { member: &'static str, span: Span },
    /// E0301: a value of the wrong type.
    TypeMismatch { expected: String, found: String, span: Span, declared: Option<Span>, help: Option<String> },
    /// E0301: anything else about types, with its own message.
    Type { message: String, label: String, span: Span, help: Option<String> },
    /// E0302: a wrong dimension, or a bare number where a quantity is expected.
    UnitMismatch {
        expected: String,
        found: String,
        span: Span,
        declared: Option<Span>,
        help: Option<String>,
        fix: Option<Fix>,
    },
    /// E0302: an operator over quantities of different dimensions.
    UnitOperator { op: &'static str, left: String, right: String, span: Span, help: Option<String> },
    /// E0303: branching on (or iterating over) a deploy-time value.
    DeployBranch { what: &'static str, span: Span },
    /// E0304: a secret flowing into a plain value.
    SecretLeak { into: String, span: Span, declared: Option<Span> },
    /// E0305: a match that misses cases.
    NonExhaustive { missing: Vec<String>, span: Span },
    /// E0306: a construct instance that is not the whole value of a named binding.
    UnnamedInstance { construct: String, span: Span },
    /// E0307: a built-in called with the wrong number or types of arguments.
    WrongArguments { function: String, problem: String, span: Span, signature: &'static str },
    /// E0308: a deploy-time value where a check-time value is needed.
    DeployTimeName { what: &'static str, span: Span },
    /// E0309: a type alias defined in terms of itself.
    RecursiveType { name: String, span: Span },
    /// W0201: a stdlib import nothing uses.
    UnusedImport { name: String, span: Span },
    /// W0301: a match arm that can never be chosen.
    UnreachableArm { span: Span, reason: String, earlier: Option<Span> },
}

const SECRET_HELP: &str =
    "pass it to a field of type `secret` (such as container secrets), or use `.parameter` for its SSM name";
const DEPLOY_BRANCH_HELP: &str =
    "this value is known only when CloudFormation runs; branch on a setting of `env` instead";

impl CheckError {
    /// The one conversion from facts to a rendered diagnostic.
    pub fn into_diagnostic(self) -> Diagnostic {
        match self {
            CheckError::UnknownName { name, span, suggestion, help } => {
                unknown_name(name, span, suggestion, help)
            }
            CheckError::UnknownInNamespace { namespace, name, span, suggestion } => {
                unknown_in_namespace(namespace, name, span, suggestion)
            }
            CheckError::AmbiguousVariant { name, enums, span } => ambiguous_variant(name, enums, span),
            CheckError::UnknownFunction { name, span, suggestion } => {
                unknown_function(name, span, suggestion)
            }
            CheckError::UnknownField { field, owner, span, suggestion, declared } => {
                unknown_field(field, owner, span, suggestion, declared)
            }
            CheckError::Duplicate { name, what, first, second } => duplicate(name, what, first, second),
            CheckError::LayerSelfReference { layer, span } => layer_self_reference(layer, span),
            CheckError::LayerCycle { layers, references } => layer_cycle(layers, references),
            CheckError::NotPublished { layer, member, span, declared, instance } => {
                not_published(layer, member, span, declared, instance)
            }
            CheckError::UnknownEnvironment { name, project, span, suggestion, list } => {
                unknown_environment(name, project, span, suggestion, list)
            }
            CheckError::ProjectCount { environment, span, projects } => {
                project_count(environment, span, projects)
            }
            CheckError::MissingFields { owner, missing, span } => missing_fields(owner, missing, span),
            CheckError::SelfReference { name, span, declared } => self_reference(name, span, declared),
            CheckError::ConstructCycle { references } => construct_cycle(references),
            CheckError::Misplaced { member, container, span, help } => {
                misplaced(member, container, span, help)
            }
            CheckError::WhenNotAllowed { member, span } => Diagnostic::new(
                Code::WhenNotAllowed,
                format!("{member} cannot be switched off with `when`"),
                span,
                "this condition",
            )
            .with_help(
                "only bindings, services and pipelines can be switched off; give this member a value \
                 in every environment (`default(x.out, \"-\")` reads a switched-off instance's output)",
            ),
            CheckError::TypeMismatch { expected, found, span, declared, help } => {
                type_mismatch(expected, found, span, declared, help)
            }
            CheckError::Type { message, label, span, help } => type_error(message, label, span, help),
            CheckError::UnitMismatch { expected, found, span, declared, help, fix } => {
                unit_mismatch(expected, found, span, declared, help).with_fix(fix)
            }
            CheckError::UnitOperator { op, left, right, span, help } => {
                unit_operator(op, left, right, span, help)
            }
            CheckError::DeployBranch { what, span } => deploy_branch(what, span),
            CheckError::SecretLeak { into, span, declared } => secret_leak(into, span, declared),
            CheckError::NonExhaustive { missing, span } => non_exhaustive(missing, span),
            CheckError::UnnamedInstance { construct, span } => unnamed_instance(construct, span),
            CheckError::WrongArguments { function, problem, span, signature } => {
                wrong_arguments(function, problem, span, signature)
            }
            CheckError::DeployTimeName { what, span } => deploy_time_name(what, span),
            CheckError::RecursiveType { name, span } => recursive_type(name, span),
            CheckError::UnusedImport { name, span } => unused_import(name, span),
            CheckError::UnreachableArm { span, reason, earlier } => unreachable_arm(span, reason, earlier),
        }
    }
}

/// The built-in functions, listed when an unknown function has no close match.
const BUILTIN_LIST: &str = "built-in functions: len, contains, join, upper, lower, replace, min, max, \
                            units, keys, entries, default, file, logical_id";

/// "a parameter", "an output".
fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn did_you_mean(name: String) -> String {
    format!("did you mean `{name}`?")
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

fn with_optional_label(diagnostic: Diagnostic, span: Option<Span>, message: &str) -> Diagnostic {
    match span {
        Some(span) => diagnostic.with_label(span, message),
        None => diagnostic,
    }
}

fn layer_cycle(layers: Vec<String>, references: Vec<(Span, String, String)>) -> Diagnostic {
    let cycle = Cycle { code: Code::LayerCycle, what: "layers depend on each other", verb: "reads from" };
    cycle
        .diagnostic(layers, references)
        .with_help("layers deploy in order: move the shared value to a layer both read from")
}

/// A cycle of references (layers reading each other, constructs instantiating
/// each other): the chain in the message, a label on every reference in it.
struct Cycle {
    code: Code,
    what: &'static str,
    verb: &'static str,
}

impl Cycle {
    fn diagnostic(&self, names: Vec<String>, references: Vec<(Span, String, String)>) -> Diagnostic {
        let mut chain: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        if let Some(first) = chain.first().cloned() {
            chain.push(first);
        }
        let mut references = references.into_iter();
        let Some((span, from, to)) = references.next() else {
            return Diagnostic::new(self.code, self.what, Span::default(), "");
        };
        let label = |from: &str, to: &str| format!("`{from}` {} `{to}` here", self.verb);
        let mut diagnostic = Diagnostic::new(
            self.code,
            format!("{}: {}", self.what, chain.join(" → ")),
            span,
            label(&from, &to),
        );
        for (span, from, to) in references {
            diagnostic = diagnostic.with_label(span, label(&from, &to));
        }
        diagnostic
    }
}

fn project_count(environment: String, span: Span, projects: Vec<Span>) -> Diagnostic {
    if projects.is_empty() {
        return Diagnostic::new(
            Code::MissingProject,
            format!("environment `{environment}` has no project in scope"),
            span,
            "no project declares this environment",
        )
        .with_help("import the file that declares the project: `import \"./platform.mdl\"`");
    }
    let mut diagnostic = Diagnostic::new(
        Code::MissingProject,
        format!("environment `{environment}` sees {} projects; exactly one is expected", projects.len()),
        span,
        "which project does this environment belong to?",
    )
    .with_help("keep one project per set of spec files");
    for project in projects {
        diagnostic = diagnostic.with_label(project, "a project is declared here");
    }
    diagnostic
}

fn construct_cycle(references: Vec<(Span, String, String)>) -> Diagnostic {
    let names = references.iter().map(|(_, from, _)| from.clone()).collect();
    let cycle =
        Cycle { code: Code::SelfReference, what: "constructs instantiate each other", verb: "instantiates" };
    cycle
        .diagnostic(names, references)
        .with_help("an instance would contain itself forever: remove one of these instances")
}

fn unknown_name(name: String, span: Span, suggestion: Option<String>, help: Option<String>) -> Diagnostic {
    Diagnostic::new(Code::UnknownName, format!("unknown name `{name}`"), span, "not found in scope")
        .with_optional_help(suggestion.map(did_you_mean).or(help))
}

fn unknown_in_namespace(
    namespace: String,
    name: String,
    span: Span,
    suggestion: Option<String>,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownName,
        format!("`{namespace}` has no declaration `{name}`"),
        span,
        format!("not found in `{namespace}`"),
    )
    .with_optional_help(suggestion.map(did_you_mean))
}

fn ambiguous_variant(name: String, enums: Vec<String>, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownName,
        format!("`{name}` is a variant of several enums: {}", quoted(&enums)),
        span,
        "ambiguous variant",
    )
    .with_help(format!("qualify it: `{}.{name}`", enums.first().map_or("Enum", String::as_str)))
}

fn unknown_function(name: String, span: Span, suggestion: Option<String>) -> Diagnostic {
    Diagnostic::new(Code::UnknownName, format!("unknown function `{name}`"), span, "not a built-in function")
        .with_optional_help(suggestion.map(did_you_mean).or_else(|| Some(BUILTIN_LIST.to_string())))
}

fn unknown_field(
    field: String,
    owner: String,
    span: Span,
    suggestion: Option<String>,
    declared: Option<Span>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnknownField,
        format!("unknown field `{field}`: not {} {owner}", article(&owner)),
        span,
        "unknown field",
    )
    .with_optional_help(suggestion.map(did_you_mean));
    with_optional_label(diagnostic, declared, "declared here")
}

fn duplicate(name: String, what: &'static str, first: Span, second: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDefinition,
        format!("{what} `{name}` is defined twice"),
        second,
        "defined again here",
    )
    .with_label(first, "first defined here")
    .with_help(format!("rename one of them, or remove the second `{name}`"))
}

fn layer_self_reference(layer: String, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::LayerCycle,
        format!("layer `{layer}` refers to itself"),
        span,
        "a layer cannot read its own published values",
    )
    .with_help("refer to the member by its name, without the layer prefix")
}

fn not_published(layer: String, member: String, span: Span, declared: Span, instance: bool) -> Diagnostic {
    let help = if instance {
        format!("publish one of its outputs, which are strings: `publish {member}_url = {member}.url`")
    } else {
        format!("publish it: `publish {member} = ...`")
    };
    Diagnostic::new(
        Code::NotPublished,
        format!("`{member}` is not published by layer `{layer}`"),
        span,
        "another layer can only read published values and secrets",
    )
    .with_label(declared, "defined here, not published")
    .with_help(help)
}

fn unknown_environment(
    name: String,
    project: String,
    span: Span,
    suggestion: Option<String>,
    list: Span,
) -> Diagnostic {
    let help = suggestion
        .map(did_you_mean)
        .unwrap_or_else(|| format!("add `{name}` to the `environments` of project `{project}`"));
    Diagnostic::new(
        Code::UnknownEnvironment,
        format!("environment `{name}` is not declared by project `{project}`"),
        span,
        "not in the project's environments",
    )
    .with_label(list, "the project's environments")
    .with_help(help)
}

fn missing_fields(owner: String, missing: Vec<String>, span: Span) -> Diagnostic {
    let (noun, fields) = if missing.len() == 1 { ("field", "it") } else { ("fields", "them") };
    let example: Vec<String> = missing.iter().map(|m| format!("{m} = ...")).collect();
    Diagnostic::new(
        Code::MissingField,
        format!("missing {noun} {} in {owner}", quoted(&missing)),
        span,
        format!("missing {}", quoted(&missing)),
    )
    .with_help(format!("set {fields}: `{}`", example.join(", ")))
}

fn self_reference(name: String, span: Span, declared: Span) -> Diagnostic {
    Diagnostic::new(
        Code::SelfReference,
        format!("`{name}` is defined in terms of itself"),
        span,
        "this refers back to it",
    )
    .with_label(declared, format!("`{name}` is defined here"))
    .with_help("break the cycle: compute the value from something that does not depend on it")
}

fn misplaced(member: &'static str, container: &'static str, span: Span, help: &'static str) -> Diagnostic {
    Diagnostic::new(
        Code::MisplacedMember,
        format!("{member} is not allowed in a {container}"),
        span,
        format!("not allowed in a {container}"),
    )
    .with_help(help)
}

fn type_mismatch(
    expected: String,
    found: String,
    span: Span,
    declared: Option<Span>,
    help: Option<String>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::TypeMismatch,
        format!("expected `{expected}`, found `{found}`"),
        span,
        format!("this is `{found}`"),
    )
    .with_optional_help(help);
    with_optional_label(diagnostic, declared, &format!("declared here as `{expected}`"))
}

fn type_error(message: String, label: String, span: Span, help: Option<String>) -> Diagnostic {
    Diagnostic::new(Code::TypeMismatch, message, span, label).with_optional_help(help)
}

fn unit_mismatch(
    expected: String,
    found: String,
    span: Span,
    declared: Option<Span>,
    help: Option<String>,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::UnitMismatch,
        format!("expected `{expected}`, found `{found}`"),
        span,
        format!("this is `{found}`"),
    )
    .with_optional_help(help);
    with_optional_label(diagnostic, declared, &format!("declared here as `{expected}`"))
}

fn unit_operator(
    op: &'static str,
    left: String,
    right: String,
    span: Span,
    help: Option<String>,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnitMismatch,
        format!("cannot apply `{op}` to `{left}` and `{right}`"),
        span,
        format!("`{left}` {op} `{right}`"),
    )
    .with_optional_help(help)
}

fn deploy_branch(what: &'static str, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DeployTimeBranch,
        format!("branching on a deploy-time value: {what}"),
        span,
        "known only when CloudFormation runs",
    )
    .with_help(DEPLOY_BRANCH_HELP)
}

fn secret_leak(into: String, span: Span, declared: Option<Span>) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::SecretInPlainString,
        format!("a secret cannot flow into a plain {into}"),
        span,
        "this is a secret",
    )
    .with_help(SECRET_HELP);
    with_optional_label(diagnostic, declared, &format!("declared here as `{into}`"))
}

fn non_exhaustive(missing: Vec<String>, span: Span) -> Diagnostic {
    let arms: Vec<String> = missing.iter().map(|m| format!("{m} => ...")).collect();
    Diagnostic::new(
        Code::NonExhaustiveMatch,
        format!("non-exhaustive match: {} not covered", quoted(&missing)),
        span,
        format!("missing {}", quoted(&missing)),
    )
    .with_help(format!("add arms for them (`{}`) or a wildcard `_ => ...`", arms.join(", ")))
    .with_fix(Some(Fix::AddArms { cases: missing }))
}

fn unnamed_instance(construct: String, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnnamedInstance,
        format!("an instance of `{construct}` must be the whole value of a named binding"),
        span,
        "instance without a name",
    )
    .with_help(format!(
        "bind it to a name first (`my_{construct} = {construct} {{ ... }}`) and use the name here; \
         its resources' logical ids come from that name"
    ))
}

fn wrong_arguments(function: String, problem: String, span: Span, signature: &'static str) -> Diagnostic {
    Diagnostic::new(
        Code::WrongArguments,
        format!("wrong arguments to `{function}`: {problem}"),
        span,
        problem.clone(),
    )
    .with_help(format!("`{signature}`"))
}

fn deploy_time_name(what: &'static str, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DeployTimeName,
        format!("{what} must be known at check time"),
        span,
        "known only when CloudFormation runs",
    )
    .with_help("use a literal or a setting of `env`")
}

fn recursive_type(name: String, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::RecursiveType,
        format!("type `{name}` is defined in terms of itself"),
        span,
        "recursive type",
    )
    .with_help("mdl types cannot be recursive; spell out the nested shape instead")
}

fn unused_import(name: String, span: Span) -> Diagnostic {
    Diagnostic::new(Code::UnusedImport, format!("unused import `{name}`"), span, "never used")
        .with_help("remove the import")
}

fn unreachable_arm(span: Span, reason: String, earlier: Option<Span>) -> Diagnostic {
    let diagnostic = Diagnostic::new(Code::UnreachableArm, "unreachable match arm", span, reason.clone())
        .with_help("remove this arm");
    with_optional_label(diagnostic, earlier, "this earlier arm matches first")
}
