//! What can go wrong while lowering, and the one place it becomes a diagnostic.

use super::schema::{CountRange, NumberRange};
use crate::diag::{Code, Diagnostic};
use crate::eval::Model;
use crate::source::Span;

/// A lowering problem, with the span of the spec text that caused it.
#[derive(Debug, Clone, PartialEq)]
pub enum LowerError {
    /// A quantity reached a template; CloudFormation wants plain numbers.
    QuantityInTemplate {
        span: Span,
        property: String,
        display: String,
    },
    /// A value with no CloudFormation form (an instance, a variant with fields, a condition).
    NotATemplateValue {
        span: Span,
        property: String,
        what: &'static str,
    },
    /// The resource type is not in CloudFormation's registry.
    UnknownResourceType {
        span: Span,
        type_name: String,
        suggestion: Option<String>,
    },
    /// The type exists but not in the environment's region.
    TypeNotInRegion {
        span: Span,
        type_name: String,
        region: String,
        /// Every region that offers it.
        offered_in: Vec<String>,
    },
    UnknownProperty {
        span: Span,
        type_name: String,
        path: String,
        suggestion: Option<String>,
    },
    MissingProperty {
        span: Span,
        type_name: String,
        path: String,
    },
    WrongPropertyType {
        span: Span,
        path: String,
        expected: String,
        found: &'static str,
    },
    NotInEnum {
        span: Span,
        path: String,
        value: String,
        allowed: Vec<String>,
    },
    UnknownAttribute {
        span: Span,
        type_name: String,
        attribute: String,
        suggestion: Option<String>,
    },
    /// A number outside the range the resource schema allows.
    OutOfSchemaRange {
        span: Span,
        /// The resource or construct instance, when the value was written elsewhere.
        owner: Option<Span>,
        type_name: String,
        path: String,
        value: String,
        range: NumberRange,
    },
    /// A string shorter or longer than the resource schema allows.
    WrongLength {
        span: Span,
        owner: Option<Span>,
        type_name: String,
        path: String,
        length: u64,
        allowed: CountRange,
    },
    /// A string the resource schema's pattern does not match.
    PatternMismatch {
        span: Span,
        owner: Option<Span>,
        type_name: String,
        path: String,
        value: String,
        /// The schema's pattern, as written there (ECMA-262).
        pattern: String,
        /// The value in lowercase, when that matches.
        hint: Option<String>,
    },
    /// A list with fewer or more items than the resource schema allows.
    WrongItemCount {
        span: Span,
        owner: Option<Span>,
        type_name: String,
        path: String,
        count: u64,
        allowed: CountRange,
    },
    /// A template over a hard CloudFormation limit.
    OverLimit {
        span: Span,
        stack: String,
        what: &'static str,
        count: usize,
        limit: usize,
    },
    /// A template body over the inline limit: deployable only through S3.
    NeedsS3 {
        span: Span,
        stack: String,
        bytes: usize,
    },
}

impl LowerError {
    /// The diagnostic users see.
    pub fn to_diagnostic(&self, model: &Model) -> Diagnostic {
        let note = format!("while lowering environment `{}` ({})", model.environment, model.region);
        self.diagnostic().with_note(note)
    }

    fn diagnostic(&self) -> Diagnostic {
        match self {
            LowerError::QuantityInTemplate { span, property, display } => Diagnostic::new(
                Code::QuantityInTemplate,
                format!("`{property}` gets the quantity {display}, but CloudFormation wants a plain number"),
                *span,
                "a quantity",
            )
            .with_help(format!("convert it with `units(..)` (CPU units, MiB, seconds or percent): `units({display})`")),
            LowerError::NotATemplateValue { span, property, what } => Diagnostic::new(
                Code::NotATemplateValue,
                format!("`{property}` gets {what}, which has no CloudFormation form"),
                *span,
                format!("{what} here"),
            )
            .with_help("pass one of its fields or outputs instead"),
            LowerError::UnknownResourceType { span, type_name, suggestion } => Diagnostic::new(
                Code::UnknownResourceType,
                format!("`{type_name}` is not a CloudFormation resource type"),
                *span,
                "unknown resource type",
            )
            .with_optional_help(suggestion.as_ref().map(|s| format!("did you mean `{s}`?"))),
            LowerError::TypeNotInRegion { span, type_name, region, offered_in } => Diagnostic::new(
                Code::TypeNotInRegion,
                format!("`{type_name}` is not available in {region}"),
                *span,
                format!("not offered in {region}"),
            )
            .with_help(match offered_in.len() {
                1..=4 => format!(
                    "it is offered in {} only: choose another resource type for this environment, or that region",
                    offered_in.join(", ")
                ),
                _ => "choose another resource type for this environment, or another region".to_string(),
            }),
            LowerError::UnknownProperty { span, type_name, path, suggestion } => Diagnostic::new(
                Code::UnknownProperty,
                format!("`{type_name}` has no property `{path}`"),
                *span,
                "unknown property",
            )
            .with_optional_help(suggestion.as_ref().map(|s| format!("did you mean `{s}`?"))),
            LowerError::MissingProperty { span, type_name, path } => Diagnostic::new(
                Code::MissingProperty,
                format!("`{type_name}` requires the property `{path}`"),
                *span,
                format!("`{path}` is missing"),
            )
            .with_help(format!("add `{} = ...`", path.rsplit('.').next().unwrap_or(path))),
            LowerError::WrongPropertyType { span, path, expected, found } => Diagnostic::new(
                Code::WrongPropertyType,
                format!("`{path}` must be {expected}, found {found}"),
                *span,
                format!("expected {expected}"),
            ),
            LowerError::NotInEnum { span, path, value, allowed } => Diagnostic::new(
                Code::NotInEnum,
                format!("`{value}` is not an allowed value of `{path}`"),
                *span,
                "not allowed",
            )
            .with_help(allowed_help(value, allowed)),
            LowerError::UnknownAttribute { span, type_name, attribute, suggestion } => Diagnostic::new(
                Code::UnknownAttribute,
                format!("`{type_name}` has no attribute `{attribute}`"),
                *span,
                "unknown attribute",
            )
            .with_optional_help(suggestion.as_ref().map(|s| format!("did you mean `{s}`?"))),
            LowerError::OutOfSchemaRange { span, owner, type_name, path, value, range } => Diagnostic::new(
                Code::PropertyOutOfRange,
                format!("`{path}` of `{type_name}` must be {}, found {value}", number_range(range)),
                *span,
                "out of range",
            )
            .with_owner(*owner),
            LowerError::WrongLength { span, owner, type_name, path, length, allowed } => Diagnostic::new(
                Code::PropertyLength,
                format!(
                    "`{path}` of `{type_name}` must be {} long, found {}",
                    count_range(allowed, "character"),
                    plural(*length, "character")
                ),
                *span,
                if allowed.max.is_some_and(|max| *length > max) { "too long" } else { "too short" },
            )
            .with_owner(*owner),
            LowerError::PatternMismatch { span, owner, type_name, path, value, pattern, hint } => Diagnostic::new(
                Code::PropertyPattern,
                format!("`{}` does not match the pattern of `{path}` of `{type_name}`", shorten(value)),
                *span,
                "does not match",
            )
            .with_owner(*owner)
            .with_help(match hint {
                Some(lower) => format!("`{path}` must match `{pattern}`; `{}` would match", shorten(lower)),
                None => format!("`{path}` must match `{pattern}`"),
            }),
            LowerError::WrongItemCount { span, owner, type_name, path, count, allowed } => Diagnostic::new(
                Code::PropertyItemCount,
                format!(
                    "`{path}` of `{type_name}` must have {}, found {count}",
                    count_range(allowed, "item")
                ),
                *span,
                if allowed.max.is_some_and(|max| *count > max) { "too many items" } else { "too few items" },
            )
            .with_owner(*owner),
            LowerError::OverLimit { span, stack, what, count, limit } => Diagnostic::new(
                Code::TemplateOverLimit,
                format!("stack `{stack}` has {count} {what}; CloudFormation allows {limit}"),
                *span,
                "this layer",
            )
            .with_help("split the layer in two: move some members into a new layer"),
            LowerError::NeedsS3 { span, stack, bytes } => Diagnostic::new(
                Code::TemplateNeedsS3,
                format!(
                    "the template of `{stack}` is {bytes} bytes, over the 51,200 bytes CloudFormation takes inline"
                ),
                *span,
                "this layer",
            )
            .with_help(
                "it can still be deployed through S3 (up to 1 MB): `mdl deploy --template-bucket NAME`, or split the layer",
            ),
        }
    }
}

trait WithOwner {
    fn with_owner(self, owner: Option<Span>) -> Self;
}

impl WithOwner for Diagnostic {
    /// Point at the resource too when the value was written elsewhere (an
    /// environment setting, a construct's argument).
    fn with_owner(self, owner: Option<Span>) -> Self {
        match owner {
            Some(owner) => self.with_label(owner, "for this resource"),
            None => self,
        }
    }
}

/// `between 1 and 900`, `at least 1`, `less than 1000`, ...
fn number_range(range: &NumberRange) -> String {
    match (&range.min, &range.max) {
        (Some((min, false)), Some((max, false))) => format!("between {min} and {max}"),
        (min, max) => {
            let low = min.as_ref().map(|(n, exclusive)| {
                if *exclusive {
                    format!("greater than {n}")
                } else {
                    format!("at least {n}")
                }
            });
            let high =
                max.as_ref().map(
                    |(n, exclusive)| {
                        if *exclusive {
                            format!("less than {n}")
                        } else {
                            format!("at most {n}")
                        }
                    },
                );
            low.into_iter().chain(high).collect::<Vec<_>>().join(" and ")
        }
    }
}

/// `2 to 256 characters`, `at most 5 items`, `exactly 12 characters`.
fn count_range(range: &CountRange, unit: &str) -> String {
    match (range.min, range.max) {
        (Some(min), Some(max)) if min == max => format!("exactly {}", plural(min, unit)),
        (Some(min), Some(max)) => format!("{min} to {}", plural(max, unit)),
        (Some(min), None) => format!("at least {}", plural(min, unit)),
        (None, Some(max)) => format!("at most {}", plural(max, unit)),
        (None, None) => format!("any number of {unit}s"),
    }
}

fn plural(count: u64, unit: &str) -> String {
    if count == 1 {
        format!("1 {unit}")
    } else {
        format!("{count} {unit}s")
    }
}

/// A value short enough for a one-line message.
fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX - 1).collect();
    format!("{head}…")
}

fn allowed_help(value: &str, allowed: &[String]) -> String {
    match crate::diag::did_you_mean(value, allowed.iter().map(String::as_str)) {
        Some(close) => format!("did you mean `{close}`?"),
        None if allowed.len() <= 12 => format!("allowed: {}", allowed.join(", ")),
        None => format!("allowed: {}, … ({} values)", allowed[..12].join(", "), allowed.len()),
    }
}
