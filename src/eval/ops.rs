//! Operators: arithmetic on numbers and quantities, comparison, equality, logic.
//!
//! Input: operand values. Output: the result, with the operator expression as
//! its origin. Invariants: quantities combine only within a dimension (via
//! `units.rs`); division by zero and integer overflow are E0404, never a
//! panic or an infinity; `&&`/`||` evaluate their right side only when needed;
//! `==` on deploy-time values is a deploy-time bool.

use std::cmp::Ordering;

use std::sync::Arc;

use super::error::{EvalError, EvalResult};
use super::model::{DeployExpr, FieldName, Value, ValueKind};
use super::scope::Ctx;
use super::Evaluator;
use crate::source::Span;
use crate::syntax::ast::{self, BinaryOp, UnaryOp};
use crate::units::{Quantity, UnitError};

impl<'a> Evaluator<'a> {
    /// `!x`, `-x`.
    pub(crate) fn unary(&mut self, op: UnaryOp, value: Value, span: Span) -> EvalResult<Value> {
        let kind = match (op, value.kind) {
            (UnaryOp::Not, ValueKind::Bool(b)) => ValueKind::Bool(!b),
            (UnaryOp::Negate, ValueKind::Int(n)) => {
                ValueKind::Int(n.checked_neg().ok_or(EvalError::Overflow { span, op: "-" })?)
            }
            (UnaryOp::Negate, ValueKind::Number(n)) => ValueKind::Number(-n),
            (UnaryOp::Negate, ValueKind::Quantity(q)) => ValueKind::Quantity(q.scale_by(-1.0)),
            (_, other) => {
                return Err(EvalError::internal(
                    format!("cannot apply this operator to a {}", other.describe()),
                    span,
                ))
            }
        };
        Ok(Value::new(kind, span))
    }

    /// `left op right`.
    pub(crate) fn binary(
        &mut self,
        op: BinaryOp,
        left: &'a ast::Expr,
        right: &'a ast::Expr,
        ctx: &Ctx,
        span: Span,
    ) -> EvalResult<Value> {
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            let l = self.condition(left, ctx)?;
            // Short-circuit: `x != none && x.a > 1` must not evaluate the right side.
            let result = match op {
                BinaryOp::And => l && self.condition(right, ctx)?,
                _ => l || self.condition(right, ctx)?,
            };
            return Ok(Value::new(ValueKind::Bool(result), span));
        }
        let l = self.eval(left, ctx)?;
        let r = self.eval(right, ctx)?;
        apply_binary(op, l, r, span, right.span)
    }
}

/// A binary operator (not `&&`/`||`) on two evaluated operands.
pub(crate) fn apply_binary(
    op: BinaryOp,
    l: Value,
    r: Value,
    span: Span,
    right_span: Span,
) -> EvalResult<Value> {
    let kind = match op {
        BinaryOp::Eq | BinaryOp::Ne => return Ok(equality(op == BinaryOp::Ne, l, r, span)),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            let ordering = compare(&l, &r).ok_or_else(|| mismatch(op, &l, &r, span))?;
            ValueKind::Bool(match op {
                BinaryOp::Lt => ordering == Ordering::Less,
                BinaryOp::Le => ordering != Ordering::Greater,
                BinaryOp::Gt => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            })
        }
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
            arithmetic(op, &l, &r, span, right_span)?
        }
        BinaryOp::And | BinaryOp::Or => {
            return Err(EvalError::internal("logic operators are evaluated before this point", span))
        }
    };
    Ok(Value::new(kind, span))
}

fn mismatch(op: BinaryOp, l: &Value, r: &Value, span: Span) -> EvalError {
    EvalError::internal(
        format!("`{}` between a {} and a {}", op.symbol(), l.kind.describe(), r.kind.describe()),
        span,
    )
}

fn equality(negated: bool, l: Value, r: Value, span: Span) -> Value {
    if matches!(l.kind, ValueKind::Deploy(_)) || matches!(r.kind, ValueKind::Deploy(_)) {
        let expr = DeployExpr::Equals { left: Box::new(l), right: Box::new(r), negated };
        return Value::deploy(expr, span);
    }
    Value::new(ValueKind::Bool(values_equal(&l, &r) != negated), span)
}

/// Structural equality, ignoring origins; `1 == 1.0`.
pub(crate) fn values_equal(l: &Value, r: &Value) -> bool {
    use ValueKind as K;
    match (&l.kind, &r.kind) {
        (K::Null, K::Null) => true,
        (K::Bool(a), K::Bool(b)) => a == b,
        (K::String(a), K::String(b)) => a == b,
        (K::Int(_) | K::Number(_), K::Int(_) | K::Number(_)) => compare(l, r) == Some(Ordering::Equal),
        (K::Quantity(a), K::Quantity(b)) => a.dimension == b.dimension && a.base == b.base,
        (K::List(a), K::List(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| values_equal(x, y))
        }
        (K::Record(a), K::Record(b)) => fields_equal(a, b),
        (K::Variant(a), K::Variant(b)) => a.variant == b.variant && fields_equal(&a.fields, &b.fields),
        (K::Secret { parameter: a }, K::Secret { parameter: b }) => a == b,
        _ => false,
    }
}

fn fields_equal(a: &[(FieldName, Value)], b: &[(FieldName, Value)]) -> bool {
    a.len() == b.len() && a.iter().all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && values_equal(v, v2)))
}

/// Ordering of numbers, same-dimension quantities, and strings.
pub(crate) fn compare(l: &Value, r: &Value) -> Option<Ordering> {
    use ValueKind as K;
    match (&l.kind, &r.kind) {
        (K::Int(a), K::Int(b)) => Some(a.cmp(b)),
        (K::Int(_) | K::Number(_), K::Int(_) | K::Number(_)) => Some(as_f64(l)?.total_cmp(&as_f64(r)?)),
        (K::Quantity(a), K::Quantity(b)) => a.compare(*b).ok(),
        (K::String(a), K::String(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// A plain number as f64.
pub(crate) fn as_f64(value: &Value) -> Option<f64> {
    match value.kind {
        ValueKind::Int(n) => Some(n as f64),
        ValueKind::Number(n) => Some(n),
        _ => None,
    }
}

fn arithmetic(op: BinaryOp, l: &Value, r: &Value, span: Span, right_span: Span) -> EvalResult<ValueKind> {
    use ValueKind as K;
    match (&l.kind, &r.kind) {
        (K::Int(a), K::Int(b)) => int_arithmetic(op, *a, *b, span, right_span),
        (K::Int(_) | K::Number(_), K::Int(_) | K::Number(_)) => {
            let (a, b) = (as_f64(l).unwrap_or(0.0), as_f64(r).unwrap_or(0.0));
            number_arithmetic(op, a, b, span, right_span)
        }
        (K::Quantity(a), K::Quantity(b)) => quantity_arithmetic(op, *a, *b, span, right_span),
        (K::Quantity(q), K::Int(_) | K::Number(_)) => {
            let factor = as_f64(r).unwrap_or(1.0);
            match op {
                BinaryOp::Mul => Ok(K::Quantity(q.scale_by(factor))),
                BinaryOp::Div if factor == 0.0 => Err(EvalError::DivisionByZero { span: right_span }),
                BinaryOp::Div => Ok(K::Quantity(q.scale_by(1.0 / factor))),
                _ => Err(mismatch(op, l, r, span)),
            }
        }
        (K::Int(_) | K::Number(_), K::Quantity(q)) if op == BinaryOp::Mul => {
            Ok(K::Quantity(q.scale_by(as_f64(l).unwrap_or(1.0))))
        }
        (K::String(a), K::String(b)) if op == BinaryOp::Add => Ok(K::String([&**a, &**b].concat().into())),
        (K::List(a), K::List(b)) if op == BinaryOp::Add => {
            Ok(K::List(Arc::new(a.iter().chain(b.iter()).cloned().collect())))
        }
        _ => Err(mismatch(op, l, r, span)),
    }
}

fn int_arithmetic(op: BinaryOp, a: i64, b: i64, span: Span, right_span: Span) -> EvalResult<ValueKind> {
    if matches!(op, BinaryOp::Div | BinaryOp::Rem) && b == 0 {
        return Err(EvalError::DivisionByZero { span: right_span });
    }
    let result = match op {
        BinaryOp::Add => a.checked_add(b),
        BinaryOp::Sub => a.checked_sub(b),
        BinaryOp::Mul => a.checked_mul(b),
        BinaryOp::Div => a.checked_div(b),
        _ => a.checked_rem(b),
    };
    result.map(ValueKind::Int).ok_or(EvalError::Overflow { span, op: op.symbol() })
}

fn number_arithmetic(op: BinaryOp, a: f64, b: f64, span: Span, right_span: Span) -> EvalResult<ValueKind> {
    if matches!(op, BinaryOp::Div | BinaryOp::Rem) && b == 0.0 {
        return Err(EvalError::DivisionByZero { span: right_span });
    }
    let result = match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => a / b,
        _ => a % b,
    };
    if result.is_finite() {
        Ok(ValueKind::Number(result))
    } else {
        Err(EvalError::Overflow { span, op: op.symbol() })
    }
}

fn quantity_arithmetic(
    op: BinaryOp,
    a: Quantity,
    b: Quantity,
    span: Span,
    right_span: Span,
) -> EvalResult<ValueKind> {
    let result = match op {
        BinaryOp::Add => a.checked_add(b).map(ValueKind::Quantity),
        BinaryOp::Sub => a.checked_sub(b).map(ValueKind::Quantity),
        BinaryOp::Div => a.ratio(b).map(ValueKind::Number),
        BinaryOp::Rem => a.checked_rem(b).map(ValueKind::Quantity),
        _ => Err(UnitError::Mismatch { left: a.dimension, right: b.dimension }),
    };
    result.map_err(|error| match error {
        UnitError::DivisionByZero => EvalError::DivisionByZero { span: right_span },
        UnitError::Mismatch { left, right } => EvalError::internal(
            format!("`{}` between {} and {}", op.symbol(), left.type_name(), right.type_name()),
            span,
        ),
    })
}
