//! What can go wrong while evaluating, as data, and the one place it becomes a
//! [`Diagnostic`].
//!
//! Input: errors raised anywhere in `eval/`. Output: diagnostics carrying the
//! environment being evaluated as a note. Invariant: [`EvalError::Reported`]
//! produces nothing, so a failed binding is reported once, not at every use.

use super::limits::{self, Limit};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// An evaluation failure with the spans and facts needed to explain it.
#[derive(Debug, Clone)]
pub enum EvalError {
    /// Already reported (a failed binding used again): nothing more to say.
    Reported,
    /// A field range `in lo..hi` does not hold.
    OutOfRange(Box<RangeFailure>),
    /// A `require` does not hold.
    RequirementFailed(Box<RequireFailure>),
    /// `x / 0`, `x % 0`.
    DivisionByZero { span: Span },
    /// Integer arithmetic left the 64-bit range.
    Overflow { span: Span, op: &'static str },
    /// A binding that needs its own value.
    BindingCycle { name: String, span: Span },
    /// Constructs instantiating each other without end.
    TooDeep { construct: String, span: Span, limit: usize },
    /// Two resources of one layer with the same logical id.
    DuplicateLogicalId { id: String, first: Span, second: Span },
    /// A construct instance that is not the whole value of a named binding.
    UnnamedInstance { span: Span },
    /// `file(path)` on a file that is not in the stdlib.
    FileNotFound { path: String, span: Span },
    /// A built-in function called with arguments it does not take.
    WrongArguments { function: String, message: String, span: Span },
    /// A secret interpolated into a string (the checker should have refused it).
    SecretInString { span: Span },
    /// Branching on a deploy-time value (the checker should have refused it).
    DeployTimeBranch { span: Span },
    /// A raw Fargate task definition of a size Fargate does not offer.
    FargateSize { message: String, span: Span, cpu: Option<Span> },
    /// `xs[i]` past the end of `xs` (or below 0).
    IndexOutOfRange { index: i64, length: usize, span: Span, list: Span },
    /// A published list SSM cannot hold as a `StringList`.
    PublishedList { name: String, problem: PublishedListProblem, span: Span },
    /// A limit on what evaluation may build or do (`limits.rs`).
    Limit { limit: Limit, span: Span },
    /// Something the checker should have refused; never a panic.
    Internal { message: String, span: Span },
}

/// Why a published list cannot be an SSM `StringList`.
#[derive(Debug, Clone)]
pub enum PublishedListProblem {
    /// No elements: SSM refuses an empty value.
    Empty,
    /// This element holds a comma, which separates the elements.
    Comma(String),
}

/// Facts of a failed range check.
#[derive(Debug, Clone)]
pub struct RangeFailure {
    pub field: String,
    /// The value as shown (`32 vcpu`).
    pub value: String,
    pub low: Option<String>,
    pub high: Option<String>,
    /// Where the value was written (the primary label).
    pub value_span: Span,
    /// The `in lo..hi` declaration.
    pub range_span: Span,
    /// Where the value was passed, when that is not where it was written
    /// (`cpu = env.cpu` while `32 vcpu` is written in the environment file).
    pub passed_at: Option<Span>,
    /// Where the value was written, when the primary label had to move to a
    /// spec line because it was written inside the stdlib.
    pub written_at: Option<Span>,
}

/// Facts of a failed `require`.
#[derive(Debug, Clone)]
pub struct RequireFailure {
    pub code: Code,
    /// The interpolated message.
    pub message: String,
    /// The instantiation site, or the value the require is about.
    pub site: Span,
    /// The `require` statement.
    pub require_span: Span,
    /// Values the condition names, with where they were written: ("cpu is 4 vcpu", span).
    pub values: Vec<(String, Span)>,
}

/// Shorthand for results inside the evaluator.
pub type EvalResult<T> = Result<T, EvalError>;

impl EvalError {
    /// An internal error at `span`.
    pub fn internal(message: impl Into<String>, span: Span) -> EvalError {
        EvalError::Internal { message: message.into(), span }
    }

    /// The diagnostic, with a note naming the environment; `None` when already reported.
    pub fn into_diagnostic(self, environment: &str) -> Option<Diagnostic> {
        let diagnostic = self.describe()?;
        Some(diagnostic.with_note(format!("while evaluating environment `{environment}`")))
    }

    fn describe(self) -> Option<Diagnostic> {
        Some(match self {
            EvalError::Reported => return None,
            EvalError::OutOfRange(failure) => out_of_range(*failure),
            EvalError::RequirementFailed(failure) => requirement_failed(*failure),
            EvalError::DivisionByZero { span } => {
                Diagnostic::new(Code::ArithmeticError, "division by zero", span, "the divisor is zero here")
            }
            EvalError::Overflow { span, op } => Diagnostic::new(
                Code::ArithmeticError,
                format!("integer overflow in `{op}`"),
                span,
                "the result does not fit in 64 bits",
            ),
            EvalError::BindingCycle { name, span } => Diagnostic::new(
                Code::BindingCycle,
                format!("`{name}` depends on its own value"),
                span,
                "this binding needs itself",
            )
            .with_help("break the cycle: one of the bindings must not use the other"),
            EvalError::TooDeep { construct, span, limit } => Diagnostic::new(
                Code::RecursiveInstance,
                format!("construct `{construct}` instantiates itself (more than {limit} nested instances)"),
                span,
                "instantiated here",
            )
            .with_help(
                "a construct cannot contain an instance of itself, directly or through another construct",
            ),
            EvalError::DuplicateLogicalId { id, first, second } => Diagnostic::new(
                Code::DuplicateLogicalId,
                format!("two resources of this layer have the logical id `{id}`"),
                second,
                "this resource",
            )
            .with_label(first, "has the same logical id as this one")
            .with_help("logical ids are the CamelCase of binding paths: rename one of the bindings"),
            EvalError::UnnamedInstance { span } => Diagnostic::new(
                Code::UnnamedInstance,
                "a construct instance needs a name",
                span,
                "not the whole value of a binding",
            )
            .with_help("bind it first (`name = construct { .. }`) and use the name here"),
            EvalError::FileNotFound { path, span } => Diagnostic::new(
                Code::WrongArguments,
                format!("there is no stdlib file `{path}`"),
                span,
                "read here",
            )
            .with_help("`file` reads files of the stdlib, relative to the module that calls it"),
            EvalError::WrongArguments { function, message, span } => {
                Diagnostic::new(Code::WrongArguments, format!("`{function}`: {message}"), span, "called here")
            }
            EvalError::SecretInString { span } => Diagnostic::new(
                Code::SecretInPlainString,
                "a secret cannot flow into a plain string",
                span,
                "a secret, interpolated",
            )
            .with_help("pass it to a field of type `secret`, such as container secrets"),
            EvalError::DeployTimeBranch { span } => Diagnostic::new(
                Code::DeployTimeBranch,
                "branching on a deploy-time value",
                span,
                "known only when CloudFormation runs",
            )
            .with_help("branch on a setting of `env` instead"),
            EvalError::FargateSize { message, span, cpu } => {
                let diagnostic =
                    Diagnostic::new(Code::InvalidFargateSize, message, span, "not a size Fargate offers");
                let diagnostic = match cpu {
                    Some(cpu) => diagnostic.with_label(cpu, "with this CPU"),
                    None => diagnostic,
                };
                diagnostic.with_help("pick a CPU and memory pair from the list; `ecs.fargate_service` and `ecs.task_size` check theirs the same way")
            }
            EvalError::IndexOutOfRange { index, length, span, list } => {
                index_out_of_range(index, length, span, list)
            }
            EvalError::PublishedList { name, problem, span } => published_list(name, problem, span),
            EvalError::Limit { limit, span } => limit_reached(limit, span),
            EvalError::Internal { message, span } => {
                Diagnostic::new(Code::EvaluationFailed, format!("cannot evaluate: {message}"), span, "here")
                    .with_help("the checker should have reported this; please report it as an mdl bug")
            }
        })
    }
}

fn index_out_of_range(index: i64, length: usize, span: Span, list: Span) -> Diagnostic {
    let positions = match length {
        0 => "the list is empty".to_string(),
        1 => "its only position is 0".to_string(),
        n => format!("its positions are 0 to {}", n - 1),
    };
    Diagnostic::new(
        Code::IndexOutOfRange,
        format!("index {index} is out of range for a list of {length}"),
        span,
        format!("position {index}"),
    )
    .with_label(list, format!("{length} element{} here", if length == 1 { "" } else { "s" }))
    .with_help(format!("{positions}; a list that differs between environments is safer used whole, or checked first: `require len(xs) > {index} else \"..\"`"))
}

fn published_list(name: String, problem: PublishedListProblem, span: Span) -> Diagnostic {
    match problem {
        PublishedListProblem::Empty => Diagnostic::new(
            Code::InvalidPublishedList,
            format!("`{name}` publishes an empty list"),
            span,
            "no elements in this environment",
        )
        .with_help("an SSM StringList holds at least one element: publish the list only where it has one, or publish a placeholder string"),
        PublishedListProblem::Comma(text) => Diagnostic::new(
            Code::InvalidPublishedList,
            format!("`{name}` publishes \"{text}\", which holds a comma"),
            span,
            "this element holds a comma",
        )
        .with_help("an SSM StringList separates its elements with commas: publish this value on its own, as a string"),
    }
}

fn limit_reached(limit: Limit, span: Span) -> Diagnostic {
    match limit {
        Limit::StringBytes(bytes) => Diagnostic::new(
            Code::StringTooLong,
            format!("this string would be {} bytes, over the limit of {} MiB", thousands(bytes), limits::MAX_STRING_BYTES >> 20),
            span,
            "built here",
        )
        .with_help("a string in a spec is at most 1 MiB (an SSM parameter holds 8 KB): look for a string doubled along a chain of bindings"),
        Limit::Elements { kind, count } => Diagnostic::new(
            Code::TooManyElements,
            format!("this {kind} would have {} elements, over the limit of {}", thousands(count), thousands(limits::MAX_ELEMENTS)),
            span,
            "built here",
        )
        .with_help("look for a list concatenated with itself along a chain of bindings, or a comprehension over a comprehension"),
        Limit::ValueDepth => Diagnostic::new(
            Code::TooManyElements,
            format!("this value nests lists and maps more than {} levels deep", thousands(limits::MAX_VALUE_DEPTH)),
            span,
            "used here",
        )
        .with_help("look for a chain of bindings each wrapping the one before in a list or map"),
        Limit::Steps(budget) => Diagnostic::new(
            Code::TooManySteps,
            format!("evaluation takes more than {} steps", thousands(budget as usize)),
            span,
            "the budget ran out here",
        )
        .with_help("a deployment is described in far fewer steps: look for comprehensions nested in comprehensions over long lists, and values doubled along chains of bindings"),
        Limit::Depth(levels) => Diagnostic::new(
            Code::EvaluationTooDeep,
            format!("evaluation nests more than {} levels deep", thousands(levels)),
            span,
            "here",
        )
        .with_help("each binding that uses another is evaluated inside it: split a chain of tens of thousands of bindings, each using the next, into independent parts"),
    }
}

/// `100000` → `100,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn out_of_range(failure: RangeFailure) -> Diagnostic {
    let bounds = match (&failure.low, &failure.high) {
        (Some(low), Some(high)) => format!("between {low} and {high}"),
        (Some(low), None) => format!("at least {low}"),
        (None, Some(high)) => format!("at most {high}"),
        (None, None) => "in range".to_string(),
    };
    let message = format!("`{}` must be {bounds}, got {}", failure.field, failure.value);
    let mut diagnostic = Diagnostic::new(
        Code::OutOfRange,
        message,
        failure.value_span,
        format!("`{}` is {}", failure.field, failure.value),
    )
    .with_label(failure.range_span, "allowed range");
    if let Some(span) = failure.written_at {
        diagnostic = diagnostic.with_label(span, "the value is computed here");
    }
    if let Some(span) = failure.passed_at {
        diagnostic = diagnostic.with_label(span, format!("passed as `{}` here", failure.field));
    }
    diagnostic
}

fn requirement_failed(failure: RequireFailure) -> Diagnostic {
    let mut diagnostic =
        Diagnostic::new(failure.code, failure.message, failure.site, "this does not meet a requirement")
            .with_label(failure.require_span, "required here");
    for (label, span) in failure.values {
        diagnostic = diagnostic.with_label(span, label);
    }
    diagnostic
}
