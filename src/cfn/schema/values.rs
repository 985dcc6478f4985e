//! The constraints a resource schema puts on one value: a number's range, a
//! string's length and pattern, a list's item count.
//!
//! Each applies the way cfn-lint applies the same JSON-schema keyword, and
//! only to a value known at check time (the caller skips deploy-time values,
//! interpolations with deploy-time parts included): a range to numbers and to
//! strings that read as numbers where the schema wants a number, a length to
//! strings, a pattern to strings and to the text of whole numbers and bools.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Number;

use super::check::{is_scalar, scalar_text};
use super::digest::{self, CountRange, Kind, NumberRange, Scalar};
use super::pattern;
use crate::cfn::error::LowerError;
use crate::cfn::property_path::PropertyPath;
use crate::eval::{Value, ValueKind};
use crate::source::Span;

/// Where a value sits: its resource type, property path and spans.
pub(super) struct Site<'a> {
    pub type_name: &'a str,
    pub path: &'a PropertyPath<'a>,
    /// The value's own span.
    pub span: Span,
    /// The resource, or the construct instance that declares it.
    pub owner: Span,
}

impl Site<'_> {
    /// The owner's span, when it does not already contain the value's.
    fn owner_label(&self) -> Option<Span> {
        let inside = self.span.file == self.owner.file
            && self.span.start >= self.owner.start
            && self.span.end <= self.owner.end;
        (!inside).then_some(self.owner)
    }
}

/// Check a scalar value (already of the right kind) against `scalar`'s range,
/// length and pattern.
pub(super) fn check_scalar(value: &Value, scalar: &Scalar, site: &Site, errors: &mut Vec<LowerError>) {
    if let Some(number) = number(&value.kind, scalar.kind) {
        if !in_range(&number, &scalar.range) {
            errors.push(LowerError::OutOfSchemaRange {
                span: site.span,
                owner: site.owner_label(),
                type_name: site.type_name.into(),
                path: site.path.to_string(),
                value: scalar_text(&value.kind).into_owned(),
                range: scalar.range.clone(),
            });
        }
    }
    if let Some(text) = string(&value.kind) {
        let length = text.chars().count() as u64;
        if !scalar.length.contains(length) {
            errors.push(LowerError::WrongLength {
                span: site.span,
                owner: site.owner_label(),
                type_name: site.type_name.into(),
                path: site.path.to_string(),
                length,
                allowed: scalar.length,
            });
        }
    }
    if let Some(index) = scalar.pattern {
        check_pattern(value, index, site, errors);
    }
}

fn check_pattern(value: &Value, index: usize, site: &Site, errors: &mut Vec<LowerError>) {
    let text = match &value.kind {
        ValueKind::Int(_) | ValueKind::Bool(_) => scalar_text(&value.kind),
        kind => match string(kind) {
            Some(text) => text,
            None => return,
        },
    };
    if pattern::matches(index, &text) != Some(false) {
        return;
    }
    let lowercase = text.to_lowercase();
    let hint = (lowercase != text && pattern::matches(index, &lowercase) == Some(true)).then_some(lowercase);
    errors.push(LowerError::PatternMismatch {
        span: site.span,
        owner: site.owner_label(),
        type_name: site.type_name.into(),
        path: site.path.to_string(),
        value: text.into_owned(),
        pattern: digest::pattern(index).unwrap_or_default(),
        hint,
    });
}

/// Check how many items a list lowers to (`none` items are left out).
pub(super) fn check_count(items: &[Value], allowed: CountRange, site: &Site, errors: &mut Vec<LowerError>) {
    let count = items.iter().filter(|item| !matches!(item.kind, ValueKind::Null)).count() as u64;
    if !allowed.contains(count) {
        errors.push(LowerError::WrongItemCount {
            span: site.span,
            owner: site.owner_label(),
            type_name: site.type_name.into(),
            path: site.path.to_string(),
            count,
            allowed,
        });
    }
}

/// The text of a value that lowers to a JSON string.
fn string(kind: &ValueKind) -> Option<Cow<'_, str>> {
    match kind {
        ValueKind::String(_) | ValueKind::Variant { .. } if is_scalar(kind) => Some(scalar_text(kind)),
        _ => None,
    }
}

/// A number known at check time.
enum Known {
    Whole(i64),
    Decimal(f64),
}

/// The number a value stands for, where the schema wants one: numbers, and
/// strings that read as numbers (CloudFormation converts them).
fn number(kind: &ValueKind, expected: Kind) -> Option<Known> {
    match kind {
        ValueKind::Int(n) => Some(Known::Whole(*n)),
        ValueKind::Number(n) => Some(Known::Decimal(*n)),
        ValueKind::String(s) if expected != Kind::String => match s.parse::<i64>() {
            Ok(n) => Some(Known::Whole(n)),
            Err(_) => s.parse::<f64>().ok().filter(|n| n.is_finite()).map(Known::Decimal),
        },
        _ => None,
    }
}

fn in_range(value: &Known, range: &NumberRange) -> bool {
    let above_min = range.min.as_ref().map_or(true, |(min, exclusive)| match compare(value, min) {
        Some(Ordering::Less) => false,
        Some(Ordering::Equal) => !exclusive,
        _ => true,
    });
    let below_max = range.max.as_ref().map_or(true, |(max, exclusive)| match compare(value, max) {
        Some(Ordering::Greater) => false,
        Some(Ordering::Equal) => !exclusive,
        _ => true,
    });
    above_min && below_max
}

/// `value` against a schema bound, exactly for whole numbers; `None` when
/// they cannot be compared (which never reports anything).
fn compare(value: &Known, bound: &Number) -> Option<Ordering> {
    match value {
        Known::Whole(n) => match (bound.as_i64(), bound.as_u64()) {
            (Some(b), _) => Some(n.cmp(&b)),
            (None, Some(_)) => Some(Ordering::Less), // a bound above i64::MAX
            (None, None) => (*n as f64).partial_cmp(&bound.as_f64()?),
        },
        Known::Decimal(n) => n.partial_cmp(&bound.as_f64()?),
    }
}
