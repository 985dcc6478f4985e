//! Expressions, literals and patterns: the half of the builder below items.

use pest::iterators::Pair;

use super::{Builder, Children, Rule, MAX_CHAIN, PRATT};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::*;

impl Builder {
    /// `expr` or `cond_expr`: operands joined by infix operators.
    pub(super) fn expr(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        let operands: Vec<Pair<Rule>> = pair.into_inner().collect();
        if operands.len() > 2 * MAX_CHAIN {
            self.too_long(span);
            return None;
        }
        let mut failed = false;
        let result = PRATT
            .map_primary(|operand| match self.unary(operand) {
                Some(e) => e,
                None => {
                    failed = true;
                    placeholder(span)
                }
            })
            .map_infix(|left, op, right| {
                let span = left.span.to(right.span);
                let op = binary_op(op.as_rule());
                Expr { kind: ExprKind::Binary { op, left: Box::new(left), right: Box::new(right) }, span }
            })
            .parse(operands.into_iter());
        (!failed).then_some(result)
    }

    fn too_long(&mut self, span: crate::source::Span) {
        self.diagnostics.push(
            Diagnostic::new(
                Code::NestingTooDeep,
                format!("expression chains more than {MAX_CHAIN} operators or accesses"),
                span,
                "this expression is too long to evaluate",
            )
            .with_help("split it into named bindings"),
        );
    }

    /// `unary`: prefix operators applied to a postfix expression, innermost first.
    fn unary(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        let children: Vec<Pair<Rule>> = pair.into_inner().collect();
        if children.len() > MAX_CHAIN {
            self.too_long(span);
            return None;
        }
        let mut children = children.into_iter().rev();
        let mut expr = self.postfix(children.next()?)?;
        for op in children {
            let op_span = self.span(&op);
            let op = if op.as_rule() == Rule::not_op { UnaryOp::Not } else { UnaryOp::Negate };
            expr =
                Expr { span: op_span.to(expr.span), kind: ExprKind::Unary { op, operand: Box::new(expr) } };
        }
        Some(expr)
    }

    /// `postfix_expr` / `cond_postfix`: a primary then `.field`, `(args)`, `{ body }`.
    fn postfix(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        let children: Vec<Pair<Rule>> = pair.into_inner().collect();
        if children.len() > MAX_CHAIN {
            self.too_long(span);
            return None;
        }
        let mut children = children.into_iter();
        let mut expr = self.primary(children.next()?)?;
        for suffix in children {
            let span = expr.span.to(self.span(&suffix));
            let kind = match suffix.as_rule() {
                Rule::field_access => {
                    let field = self.name(Children::of(suffix).expect()?);
                    ExprKind::Field { target: Box::new(expr), field }
                }
                Rule::call_args => self.call(expr, suffix)?,
                Rule::index_access => self.index(expr, suffix)?,
                Rule::record_lit => {
                    ExprKind::Apply { target: Box::new(expr), body: self.record_lit(suffix)? }
                }
                _ => {
                    self.unexpected(&suffix);
                    return None;
                }
            };
            expr = Expr { kind, span };
        }
        Some(expr)
    }

    /// `index_access`: `[ expr ]`.
    fn index(&mut self, target: Expr, suffix: Pair<Rule>) -> Option<ExprKind> {
        let index = self.expr(Children::of(suffix).expect()?)?;
        Some(ExprKind::Index { target: Box::new(target), index: Box::new(index) })
    }

    fn call(&mut self, callee: Expr, args: Pair<Rule>) -> Option<ExprKind> {
        let ExprKind::Name(callee) = callee.kind else {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::SyntaxError,
                    "only built-in functions can be called",
                    callee.span,
                    "not a function name",
                )
                .with_help("functions are called by name: `len(list)`"),
            );
            return None;
        };
        let args = Children::of(args).rest().map(|a| self.expr(a)).collect::<Option<Vec<_>>>()?;
        Some(ExprKind::Call { callee, args })
    }

    fn primary(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::number => self.number(&pair)?,
            Rule::quantity => self.quantity(pair)?,
            Rule::bool_lit => ExprKind::Bool(pair.as_str() == "true"),
            Rule::none_lit => ExprKind::None,
            Rule::string_lit => ExprKind::String(self.string_lit(pair)?),
            Rule::path => return Some(self.path_expr(pair)),
            Rule::paren_expr => ExprKind::Paren(Box::new(self.expr(Children::of(pair).expect()?)?)),
            Rule::list_lit => self.list(pair)?,
            Rule::record_lit => ExprKind::Record(self.record_lit(pair)?),
            Rule::if_expr => self.if_expr(pair)?,
            Rule::match_expr => self.match_expr(pair)?,
            _ => {
                self.unexpected(&pair);
                return None;
            }
        };
        Some(Expr { kind, span })
    }

    /// `a.b.c` written without spaces: a name followed by field accesses.
    fn path_expr(&mut self, pair: Pair<Rule>) -> Expr {
        let mut segments = Children::of(pair).rest().map(|p| self.name(p));
        let first = segments.next().unwrap_or_else(|| Name { text: String::new(), span: Default::default() });
        let mut expr = Expr { span: first.span, kind: ExprKind::Name(first) };
        for field in segments {
            let span = expr.span.to(field.span);
            expr = Expr { kind: ExprKind::Field { target: Box::new(expr), field }, span };
        }
        expr
    }

    fn number(&mut self, pair: &Pair<Rule>) -> Option<ExprKind> {
        let text = pair.as_str().replace('_', "");
        if text.contains('.') {
            return self.decimal(pair, &text).map(ExprKind::Decimal);
        }
        match text.parse::<i64>() {
            Ok(n) => Some(ExprKind::Int(n)),
            Err(_) => {
                let span = self.span(pair);
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidLiteral,
                        "integer too large",
                        span,
                        "does not fit in 64 bits",
                    )
                    .with_help(format!(
                        "integers range from {} to {}",
                        i64::MIN,
                        i64::MAX
                    )),
                );
                None
            }
        }
    }

    fn decimal(&mut self, pair: &Pair<Rule>, text: &str) -> Option<f64> {
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                let span = self.span(pair);
                self.diagnostics.push(Diagnostic::new(
                    Code::InvalidLiteral,
                    "number out of range",
                    span,
                    "too large",
                ));
                None
            }
        }
    }

    fn quantity(&mut self, pair: Pair<Rule>) -> Option<ExprKind> {
        let (amount, unit) = self.amount_and_unit(pair)?;
        Some(ExprKind::Quantity { amount, unit })
    }

    fn amount_and_unit(&mut self, pair: Pair<Rule>) -> Option<(f64, Unit)> {
        let text = pair.as_str();
        let number = Children::of(pair.clone()).expect()?;
        let digits = number.as_str().replace('_', "");
        let amount = self.decimal(&number, &digits)?;
        let unit_text = text[number.as_str().len()..].trim();
        let Some(unit) = Unit::parse(unit_text) else {
            self.unexpected(&pair);
            return None;
        };
        Some((amount, unit))
    }

    pub(super) fn string_lit(&mut self, pair: Pair<Rule>) -> Option<StringLit> {
        let span = self.span(&pair);
        let mut parts: Vec<StringPart> = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::string_text => push_text(&mut parts, part.as_str()),
                Rule::escape => match unescape(part.as_str()) {
                    Some(text) => push_text(&mut parts, &text),
                    None => {
                        let span = self.span(&part);
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::InvalidLiteral,
                                "this escape is not a character",
                                span,
                                "invalid escape",
                            )
                            .with_help("`\\u{..}` takes a Unicode scalar value, not a surrogate"),
                        );
                        return None;
                    }
                },
                Rule::interpolation => {
                    parts.push(StringPart::Interpolation(self.expr(Children::of(part).expect()?)?))
                }
                _ => self.unexpected(&part),
            }
        }
        // Most literals are one part; a `Vec` grown by a push holds room for
        // four, and a large spec holds hundreds of thousands of literals.
        parts.shrink_to_fit();
        Some(StringLit { parts, span })
    }

    fn list(&mut self, pair: Pair<Rule>) -> Option<ExprKind> {
        let mut children = Children::of(pair);
        let Some(first) = children.expect() else { return Some(ExprKind::List(Vec::new())) };
        let first = self.expr(first)?;
        let Some(tail) = children.expect() else { return Some(ExprKind::List(vec![first])) };
        if tail.as_rule() == Rule::comprehension {
            let mut c = Children::of(tail);
            let var = self.name(c.expect()?);
            let iterable = Box::new(self.expr(c.expect()?)?);
            let filter = match c.expect() {
                Some(f) => Some(Box::new(self.expr(f)?)),
                None => None,
            };
            return Some(ExprKind::Comprehension { element: Box::new(first), var, iterable, filter });
        }
        let mut items = vec![first];
        for item in Children::of(tail).rest() {
            items.push(self.expr(item)?);
        }
        Some(ExprKind::List(items))
    }

    pub(super) fn record_lit(&mut self, pair: Pair<Rule>) -> Option<RecordLit> {
        let span = self.span(&pair);
        let items = Children::of(pair).rest();
        // Sized once: a spec of thousands of services holds a few hundred
        // thousand record literals, and growing each by doubling left a
        // third of their memory unused.
        let mut record =
            RecordLit { fields: Vec::with_capacity(items.size_hint().0), stages: Vec::new(), span };
        for item in items {
            let inner = Children::of(item).expect()?;
            match inner.as_rule() {
                Rule::field_binding => record.fields.push(self.binding(inner)?),
                Rule::stage_item => record.stages.push(self.stage(inner)?),
                _ => self.unexpected(&inner),
            }
        }
        Some(record)
    }

    fn stage(&mut self, pair: Pair<Rule>) -> Option<Stage> {
        let span = self.span(&pair);
        let mut children: Vec<Pair<Rule>> = Children::of(pair).rest().collect();
        let action = self.expr(children.pop()?)?;
        let mut children = children.into_iter();
        let name = self.name(children.next()?);
        let when = match children.next() {
            Some(cond) => Some(self.expr(cond)?),
            None => None,
        };
        Some(Stage { name, when, action, span })
    }

    fn if_expr(&mut self, pair: Pair<Rule>) -> Option<ExprKind> {
        let mut children = Children::of(pair);
        let condition = Box::new(self.expr(children.expect()?)?);
        let then = Box::new(self.block(children.expect()?)?);
        let otherwise_pair = children.expect()?;
        let otherwise = match otherwise_pair.as_rule() {
            Rule::if_expr => {
                let span = self.span(&otherwise_pair);
                Expr { kind: self.if_expr(otherwise_pair)?, span }
            }
            _ => self.block(otherwise_pair)?,
        };
        Some(ExprKind::If { condition, then, otherwise: Box::new(otherwise) })
    }

    fn block(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        self.expr(Children::of(pair).expect()?)
    }

    fn match_expr(&mut self, pair: Pair<Rule>) -> Option<ExprKind> {
        let mut children = Children::of(pair);
        let scrutinee = Box::new(self.expr(children.expect()?)?);
        let arms = children.rest().map(|arm| self.match_arm(arm)).collect::<Option<Vec<_>>>()?;
        Some(ExprKind::Match { scrutinee, arms })
    }

    fn match_arm(&mut self, pair: Pair<Rule>) -> Option<MatchArm> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let pattern = self.pattern(children.expect()?)?;
        let body = self.expr(children.expect()?)?;
        Some(MatchArm { pattern, body, span })
    }

    fn pattern(&mut self, pair: Pair<Rule>) -> Option<Pattern> {
        let span = self.span(&pair);
        let inner = Children::of(pair).expect()?;
        let kind = match inner.as_rule() {
            Rule::wildcard => PatternKind::Wildcard,
            Rule::bool_lit => PatternKind::Bool(inner.as_str() == "true"),
            Rule::number => match self.number(&inner)? {
                ExprKind::Int(n) => PatternKind::Int(n),
                _ => {
                    self.diagnostics.push(Diagnostic::new(
                        Code::InvalidLiteral,
                        "a pattern cannot be a decimal number",
                        span,
                        "decimal pattern",
                    ));
                    return None;
                }
            },
            Rule::quantity => {
                let (amount, unit) = self.amount_and_unit(inner)?;
                PatternKind::Quantity { amount, unit }
            }
            Rule::string_lit => {
                let literal = self.string_lit(inner)?;
                let Some(text) = literal.as_plain() else {
                    self.diagnostics.push(Diagnostic::new(
                        Code::InvalidLiteral,
                        "a pattern cannot be interpolated",
                        span,
                        "interpolated pattern",
                    ));
                    return None;
                };
                PatternKind::String(text)
            }
            Rule::variant_pattern => {
                let mut c = Children::of(inner);
                let path = Children::of(c.expect()?).rest().map(|p| self.name(p)).collect();
                let bindings = c.rest().map(|p| self.name(p)).collect();
                PatternKind::Variant { path, bindings }
            }
            _ => {
                self.unexpected(&inner);
                return None;
            }
        };
        Some(Pattern { kind, span })
    }
}

fn binary_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::or_op => BinaryOp::Or,
        Rule::and_op => BinaryOp::And,
        Rule::eq_op => BinaryOp::Eq,
        Rule::ne_op => BinaryOp::Ne,
        Rule::lt_op => BinaryOp::Lt,
        Rule::le_op => BinaryOp::Le,
        Rule::gt_op => BinaryOp::Gt,
        Rule::ge_op => BinaryOp::Ge,
        Rule::add_op => BinaryOp::Add,
        Rule::sub_op => BinaryOp::Sub,
        Rule::mul_op => BinaryOp::Mul,
        Rule::div_op => BinaryOp::Div,
        // rem_op: the grammar's `infix` has no other operator.
        _ => BinaryOp::Rem,
    }
}

fn placeholder(span: crate::source::Span) -> Expr {
    Expr { kind: ExprKind::None, span }
}

fn push_text(parts: &mut Vec<StringPart>, text: &str) {
    if let Some(StringPart::Text(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(StringPart::Text(text.to_string()));
    }
}

/// The character an escape stands for; `None` for a `\u{..}` that is no
/// character (a surrogate), which the grammar cannot rule out.
fn unescape(escape: &str) -> Option<String> {
    let body = escape.strip_prefix('\\')?;
    Some(match body {
        "n" => "\n".into(),
        "t" => "\t".into(),
        "r" => "\r".into(),
        "\"" => "\"".into(),
        "\\" => "\\".into(),
        "$" => "$".into(),
        _ => {
            let hex = body.strip_prefix("u{")?.strip_suffix('}')?;
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?.to_string()
        }
    })
}
