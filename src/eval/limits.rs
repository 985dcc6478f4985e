//! Limits on what evaluating one environment may build and do.
//!
//! A spec of a few lines can ask for more than any machine has: a string
//! doubled in forty bindings is a terabyte; a comprehension over a
//! comprehension squares a list's length at each level. Evaluation stops such
//! a spec with a located diagnostic (E0408–E0411) long before memory or time
//! run out, while legal specs stay far inside every limit (the 100,000-line
//! benchmark uses a small fraction of each; see docs/performance.md).
//!
//! - a string holds at most [`MAX_STRING_BYTES`] (E0408);
//! - a list, map or record holds at most [`MAX_ELEMENTS`] (E0409);
//! - one environment takes at most [`step_budget`] steps (E0410): a step is one
//!   expression evaluated, plus one per part of every value a name or a field
//!   access copies (a list of a thousand elements costs a thousand), so the
//!   budget bounds time and memory together: everything a spec holds was
//!   charged when it was built. The budget is [`MAX_STEPS`] plus
//!   [`STEPS_PER_SPEC_BYTE`] for each byte of the spec's own files: a few
//!   hostile lines get the fixed part only, while a platform of thousands of
//!   services, which needs steps in proportion to what it says, is not
//!   refused for being large;
//! - evaluation nests at most [`MAX_DEPTH`] levels (E0411): a binding that uses
//!   another is evaluated inside it, so a chain of 15,000 bindings each using
//!   the next is fine and a longer one is reported, never a stack overflow;
//! - a value nests at most [`MAX_VALUE_DEPTH`] lists and maps deep (E0409),
//!   so nothing that walks a value (lowering, output) recurses without bound.
//!
//! Sizes are checked where they can grow: the top of every evaluated value is
//! checked in O(1), and the built-in functions whose result can be far larger
//! than their arguments (`join`, `replace`) check before they build it.

use super::error::{EvalError, EvalResult};
use super::model::{DeployExpr, Value, ValueKind};
use super::Evaluator;
use crate::source::Span;

/// The longest string evaluation builds, in bytes.
pub(crate) const MAX_STRING_BYTES: usize = 1024 * 1024;

/// The most elements of one list, or fields of one map or record.
pub(crate) const MAX_ELEMENTS: usize = 100_000;

/// The steps one environment's evaluation may take, whatever the spec's size.
pub(crate) const MAX_STEPS: u64 = 4_000_000;

/// The steps each byte of the spec's own files (not the stdlib's) adds to
/// the budget. A service written with the stdlib's `ecs.fargate_service`
/// (about 840 bytes) takes 2,500 to 3,100 steps, 3 to 4 a byte; twice that
/// leaves room for constructs heavier than the stdlib's.
pub(crate) const STEPS_PER_SPEC_BYTE: u64 = 8;

/// The steps one environment may take in a spec whose own files hold `spec_bytes`.
pub(crate) fn step_budget(spec_bytes: usize) -> u64 {
    MAX_STEPS.saturating_add(STEPS_PER_SPEC_BYTE.saturating_mul(spec_bytes as u64))
}

/// How deep evaluation may nest. The evaluator's thread has room for this
/// many levels with a wide margin (about 1.3 KB a level in a release build,
/// 5 KB in a debug build, on a stack of [`super::EVAL_STACK_BYTES`]).
pub(crate) const MAX_DEPTH: usize = 60_000;

/// How deep lists, maps and records may nest inside one value.
pub(crate) const MAX_VALUE_DEPTH: usize = 1_000;

/// String bytes that count as one step when a string is copied.
const BYTES_PER_STEP: usize = 64;

/// Which limit a spec reached.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    /// A string of this many bytes.
    StringBytes(usize),
    /// A list (`kind` "list") or map with this many elements.
    Elements { kind: &'static str, count: usize },
    /// A value nesting lists and maps deeper than [`MAX_VALUE_DEPTH`].
    ValueDepth,
    /// More steps than the budget, this many ([`step_budget`]).
    Steps(u64),
    /// Evaluation nesting deeper than this many levels ([`MAX_DEPTH`]).
    Depth(usize),
}

impl<'a> Evaluator<'a> {
    /// One more step; an error once the budget is spent (reported once: every
    /// later step fails silently, so one diagnostic stands for the rest).
    pub(crate) fn step(&mut self, cost: u64, span: Span) -> EvalResult<()> {
        if self.steps > self.max_steps {
            return Err(EvalError::Reported);
        }
        self.steps += cost;
        if self.steps > self.max_steps {
            return Err(EvalError::Limit { limit: Limit::Steps(self.max_steps), span });
        }
        Ok(())
    }

    /// Charge for a value a name or a field access copied, and refuse one
    /// nested deeper than [`MAX_VALUE_DEPTH`].
    pub(crate) fn charge_copy(&mut self, value: &Value, span: Span) -> EvalResult<()> {
        let Some(cost) = copy_cost(value, 0) else {
            return Err(EvalError::Limit { limit: Limit::ValueDepth, span });
        };
        if cost > 1 {
            self.step(cost - 1, span)?;
        }
        Ok(())
    }
}

/// What copying `value` costs, in steps; `None` when it nests deeper than
/// [`MAX_VALUE_DEPTH`] (the walk stops there, so it never recurses further).
fn copy_cost(value: &Value, depth: usize) -> Option<u64> {
    if depth > MAX_VALUE_DEPTH {
        return None;
    }
    match &value.kind {
        ValueKind::String(s) => Some(1 + (s.len() / BYTES_PER_STEP) as u64),
        ValueKind::List(items) => items_cost(items, depth),
        ValueKind::Deploy(expr) => match &**expr {
            DeployExpr::Join(items) => items_cost(items, depth),
            DeployExpr::Equals { left, right, .. } => {
                Some(1 + copy_cost(left, depth + 1)? + copy_cost(right, depth + 1)?)
            }
            _ => Some(1),
        },
        ValueKind::Record(_) | ValueKind::Variant(_) | ValueKind::Instance(_) => {
            let fields = value.kind.fields().map_or(&[][..], |f| &f[..]);
            fields.iter().try_fold(1, |sum: u64, (_, v)| Some(sum + copy_cost(v, depth + 1)?))
        }
        ValueKind::Null
        | ValueKind::Bool(_)
        | ValueKind::Int(_)
        | ValueKind::Number(_)
        | ValueKind::Quantity(_)
        | ValueKind::Secret { .. } => Some(1),
    }
}

/// What copying the elements of a list at `depth` costs, the list included.
fn items_cost(items: &[Value], depth: usize) -> Option<u64> {
    items.iter().try_fold(1, |sum: u64, v| Some(sum + copy_cost(v, depth + 1)?))
}

/// Refuse a value whose top level is over a size limit: a check in O(1), made
/// on every evaluated value, so a string or list over its limit goes no
/// further than the expression that built it.
pub(crate) fn check_size(value: &Value, span: Span) -> EvalResult<()> {
    match &value.kind {
        ValueKind::String(s) => check_string_length(s.len(), span),
        ValueKind::List(items) => check_count("list", items.len(), span),
        ValueKind::Record(fields) => check_count("map", fields.len(), span),
        ValueKind::Deploy(expr) => match &**expr {
            DeployExpr::Join(parts) => check_count("deploy-time string", parts.len(), span),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Refuse a string before building it, when its length is known beforehand.
pub(crate) fn check_string_length(bytes: usize, span: Span) -> EvalResult<()> {
    if bytes > MAX_STRING_BYTES {
        return Err(EvalError::Limit { limit: Limit::StringBytes(bytes), span });
    }
    Ok(())
}

/// Refuse a collection of `count` elements (`kind`: "list", "map", ...) over the limit.
pub(crate) fn check_count(kind: &'static str, count: usize, span: Span) -> EvalResult<()> {
    if count > MAX_ELEMENTS {
        return Err(EvalError::Limit { limit: Limit::Elements { kind, count }, span });
    }
    Ok(())
}
