//! Expressions, records and patterns.
//!
//! Literals print as written (numbers, strings byte for byte, quantities with
//! their unit spaced canonically); operators get spaces; brackets follow the
//! [`Seq`] rules. Comments inside an expression (rare: `a + /* why */ b`) are
//! printed where they sat, between the same two nodes.

use super::block::{Align, Elem, Head, Seq};
use super::comments::Comment;
use super::printer::{fits, spaces, Ctx, Mode, Printer, INDENT};
use crate::syntax::ast::*;

/// A span's bounds as offsets.
pub fn bounds(span: crate::source::Span) -> (usize, usize) {
    (span.start as usize, span.end as usize)
}

impl<'a> Printer<'a> {
    /// Print an expression.
    pub fn expr(&self, e: &Expr, ctx: Ctx, mode: Mode) -> Option<String> {
        let (start, end) = bounds(e.span);
        match &e.kind {
            ExprKind::Bool(b) => Some(b.to_string()),
            ExprKind::Int(_) | ExprKind::Decimal(_) => Some(self.text(start, end).to_string()),
            ExprKind::Quantity { .. } => Some(self.quantity(e.span)),
            ExprKind::None => Some("none".to_string()),
            ExprKind::String(s) => self.string(s, mode),
            ExprKind::Name(name) => Some(name.text.clone()),
            ExprKind::Field { target, field } => self.field(target, field, ctx, mode),
            ExprKind::Call { callee, args } => self.call(e, callee, args, ctx, mode),
            ExprKind::Index { target, index } => self.index(e, target, index, ctx, mode),
            ExprKind::Apply { target, body } => self.apply(target, body, ctx, mode),
            ExprKind::List(items) => self.list(e, items, ctx, mode),
            ExprKind::Record(record) => self.record(record, ctx, mode),
            ExprKind::Unary { op, operand } => {
                let symbol = match op {
                    UnaryOp::Not => "!",
                    UnaryOp::Negate => "-",
                };
                let lead = self.lead(start + 1, bounds(operand.span).0, ctx.indent + INDENT, mode)?;
                let prefix = format!("{symbol}{lead}");
                Some(prefix.clone() + &self.expr(operand, ctx.after(&prefix), mode)?)
            }
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right, ctx, mode),
            ExprKind::If { .. } => self.if_expr(e, ctx, mode),
            ExprKind::Match { scrutinee, arms } => self.match_expr(e, scrutinee, arms, ctx, mode),
            ExprKind::Comprehension { .. } => self.comprehension(e, ctx, mode),
            ExprKind::Paren(inner) => {
                let (inner_start, inner_end) = bounds(inner.span);
                let lead = self.lead(start + 1, inner_start, ctx.indent + INDENT, mode)?;
                let prefix = format!("({lead}");
                let body = self.expr(inner, ctx.after(&prefix), mode)?;
                let trail = self.trail(inner_end, end.saturating_sub(1), Some(ctx.indent), mode)?;
                Some(format!("{prefix}{body}{trail})"))
            }
        }
    }

    fn binary(&self, op: BinaryOp, left: &Expr, right: &Expr, ctx: Ctx, mode: Mode) -> Option<String> {
        let left_text = self.expr(left, ctx, mode)?;
        let (left_end, right_start) = (bounds(left.span).1, bounds(right.span).0);
        let indent = ctx.indent + INDENT;
        let slash = (op == BinaryOp::Div).then(|| self.slash_comment(left_end, right_start)).flatten();
        let prefix = match slash {
            // `a /// x` reads as `/` and the comment `// x`: keep them glued.
            Some(c) if mode == Mode::Fit => {
                let before = self.lead(left_end, c.start, indent, mode)?;
                let after = self.lead(c.end, right_start, indent, mode)?;
                format!("{left_text} {before}{}\n{}{after}", self.comment(&c), spaces(indent))
            }
            Some(_) => return None,
            None => {
                let gap = self.lead(left_end, right_start, indent, mode)?;
                format!("{left_text} {} {gap}", op.symbol())
            }
        };
        Some(prefix.clone() + &self.expr(right, ctx.after(&prefix), mode)?)
    }

    /// A `///` where the operator of a division should be: the grammar skips
    /// only plain comments before an operator, so this is `/` and `// ..`.
    fn slash_comment(&self, from: usize, to: usize) -> Option<Comment> {
        let bytes = self.src.as_bytes();
        let mut pos = from;
        while pos < to {
            if bytes[pos].is_ascii_whitespace() {
                pos += 1;
                continue;
            }
            let c = *self.comments.between(pos, pos + 1).first()?;
            let text = self.comment(&c);
            if text.starts_with("///") && !text.starts_with("////") {
                return Some(c);
            }
            pos = c.end;
        }
        None
    }

    /// A string literal, byte for byte; multi-line ones cannot be flat.
    fn string(&self, s: &StringLit, mode: Mode) -> Option<String> {
        let text = self.slice(s.span);
        (mode == Mode::Fit || !text.contains(['\n', '\r'])).then(|| text.to_string())
    }

    fn field(&self, target: &Expr, field: &Name, ctx: Ctx, mode: Mode) -> Option<String> {
        let target_text = self.expr(target, ctx, mode)?;
        let (_, target_end) = bounds(target.span);
        let lead = self.lead(target_end, bounds(field.span).0, ctx.indent + INDENT, mode)?;
        let space = if lead.is_empty() { "" } else { " " };
        Some(format!("{target_text}{space}{lead}.{}", field.text))
    }

    /// `target[index]`; comments inside the brackets stay there.
    fn index(&self, e: &Expr, target: &Expr, index: &Expr, ctx: Ctx, mode: Mode) -> Option<String> {
        let target_text = self.expr(target, ctx, mode)?;
        let ((_, target_end), (index_start, index_end)) = (bounds(target.span), bounds(index.span));
        let lead = self.lead(target_end, index_start, ctx.indent + INDENT, mode)?;
        let prefix = format!("{target_text}[{lead}");
        let body = self.expr(index, ctx.after(&prefix), mode)?;
        let trail = self.trail(index_end, bounds(e.span).1.saturating_sub(1), Some(ctx.indent), mode)?;
        Some(format!("{prefix}{body}{trail}]"))
    }

    fn call(&self, e: &Expr, callee: &Name, args: &[Expr], ctx: Ctx, mode: Mode) -> Option<String> {
        let (_, callee_end) = bounds(callee.span);
        let (_, end) = bounds(e.span);
        let seq = Seq::commas(
            "(",
            ")",
            false,
            self.flat_ok(callee_end, end),
            callee_end,
            end.saturating_sub(1),
            args.iter().map(|a| self.expr_elem(a)).collect(),
        );
        let body = self.seq(&seq, ctx.after(&callee.text), mode)?;
        Some(format!("{}{body}", callee.text))
    }

    /// An expression as an element of a list or argument list.
    fn expr_elem<'p>(&'p self, e: &'p Expr) -> Elem<'p> {
        let (start, end) = bounds(e.span);
        Elem { start, end, head: None, body: Box::new(move |ctx, mode| self.expr(e, ctx, mode)) }
    }

    fn apply(&self, target: &Expr, body: &RecordLit, ctx: Ctx, mode: Mode) -> Option<String> {
        let target_text = self.expr(target, ctx, mode)?;
        let lead = self.lead(bounds(target.span).1, bounds(body.span).0, ctx.indent + INDENT, mode)?;
        let prefix = format!("{target_text} {lead}");
        Some(prefix.clone() + &self.record(body, ctx.after(&prefix), mode)?)
    }

    fn list(&self, e: &Expr, items: &[Expr], ctx: Ctx, mode: Mode) -> Option<String> {
        let (start, end) = bounds(e.span);
        let seq = Seq::commas(
            "[",
            "]",
            false,
            self.flat_ok(start, end),
            start + 1,
            end.saturating_sub(1),
            items.iter().map(|i| self.expr_elem(i)).collect(),
        );
        self.seq(&seq, ctx, mode)
    }

    /// `{ a = 1, stage build = .. }`: fields and stages in source order.
    pub fn record(&self, record: &RecordLit, ctx: Ctx, mode: Mode) -> Option<String> {
        let (start, end) = bounds(record.span);
        let mut elems: Vec<Elem> = record.fields.iter().map(|b| self.binding_elem("", None, b)).collect();
        elems.extend(record.stages.iter().map(|s| self.stage_elem(s)));
        elems.sort_by_key(|e| e.start);
        let seq = Seq::record(self.flat_ok(start, end), start + 1, end.saturating_sub(1), elems);
        self.seq(&seq, ctx, mode)
    }

    /// `keyword name = value`, aligned on `=` unless comments sit inside it.
    /// `keyword_at` is where the keyword starts (`None` without one).
    pub fn binding_elem<'p>(
        &'p self,
        keyword: &'p str,
        keyword_at: Option<usize>,
        b: &'p Binding,
    ) -> Elem<'p> {
        let (name_start, name_end) = bounds(b.name.span);
        let (value_start, end) = bounds(b.value.span);
        let start = keyword_at.unwrap_or(name_start);
        let name = self.slice(b.name.span);
        let value = move |ctx: Ctx, mode: Mode| -> Option<String> {
            let lead = self.lead(name_end, value_start, ctx.indent + INDENT, mode)?;
            Some(lead.clone() + &self.expr(&b.value, ctx.after(&lead), mode)?)
        };
        if !self.comments.any_between(start, value_start) {
            let head = Head { text: format!("{keyword}{name}"), align: Align::Equals };
            return Elem { start, end, head: Some(head), body: Box::new(value) };
        }
        let body = move |ctx: Ctx, mode: Mode| -> Option<String> {
            let lead = self.lead(start, name_start, ctx.indent + INDENT, mode)?;
            let prefix = format!("{keyword}{lead}{name} = ");
            Some(prefix.clone() + &value(ctx.after(&prefix), mode)?)
        };
        Elem { start, end, head: None, body: Box::new(body) }
    }

    /// `stage name when cond = action`
    fn stage_elem<'p>(&'p self, stage: &'p Stage) -> Elem<'p> {
        let (start, end) = (stage.span.start as usize, self.end_of(stage.span));
        let body = move |ctx: Ctx, mode: Mode| -> Option<String> {
            let indent = ctx.indent + INDENT;
            let (name_start, name_end) = bounds(stage.name.span);
            let mut out = format!("stage {}{}", self.lead(start, name_start, indent, mode)?, stage.name.text);
            let mut prev = name_end;
            if let Some(when) = &stage.when {
                let (when_start, when_end) = bounds(when.span);
                out.push_str(" when ");
                out.push_str(&self.lead(prev, when_start, indent, mode)?);
                out.push_str(&self.expr(when, ctx.after(&out), mode)?);
                prev = when_end;
            }
            out.push_str(" = ");
            out.push_str(&self.lead(prev, bounds(stage.action.span).0, indent, mode)?);
            Some(out.clone() + &self.expr(&stage.action, ctx.after(&out), mode)?)
        };
        Elem { start, end, head: None, body: Box::new(body) }
    }

    /// `if c { a } else { b }` on one line when written so and short, else
    /// every branch on lines of its own.
    fn if_expr(&self, e: &Expr, ctx: Ctx, mode: Mode) -> Option<String> {
        let (start, end) = bounds(e.span);
        let flat_ok = self.flat_ok(start, end);
        if mode == Mode::Flat || flat_ok {
            let flat = if flat_ok { self.if_chain(e, ctx, Mode::Flat) } else { None };
            if mode == Mode::Flat || flat.as_ref().is_some_and(|f| fits(ctx.col, f)) {
                return flat;
            }
        }
        self.if_chain(e, ctx, Mode::Fit)
    }

    /// The chain `if .. else if .. else ..`: flat in [`Mode::Flat`], broken in [`Mode::Fit`].
    fn if_chain(&self, e: &Expr, ctx: Ctx, mode: Mode) -> Option<String> {
        let ExprKind::If { condition, then, otherwise } = &e.kind else { return self.expr(e, ctx, mode) };
        let (start, end) = bounds(e.span);
        let (cond_start, cond_end) = bounds(condition.span);
        let (_, then_end) = bounds(then.span);
        let (else_start, else_end) = bounds(otherwise.span);
        let inner = ctx.inner();
        let mut out = format!("if {}", self.lead(start, cond_start, inner.indent, mode)?);
        out.push_str(&self.expr(condition, ctx.after(&out), mode)?);
        let then_close = self.next_token(then_end);
        out.push_str(&self.branch(cond_end, then, then_close, ctx, mode)?);
        out.push_str(" else");
        let chained =
            matches!(otherwise.kind, ExprKind::If { .. }) && !self.comments.any_between(else_end, end);
        if chained {
            out.push(' ');
            out.push_str(&self.lead(then_close, else_start, ctx.indent, mode)?);
            out.push_str(&self.if_chain(otherwise, ctx.after(&out), mode)?);
        } else {
            out.push_str(&self.branch(then_close, otherwise, end.saturating_sub(1), ctx, mode)?);
        }
        Some(out)
    }

    /// ` { body }` of an `if` branch; `from..to` holds the braces and comments.
    fn branch(&self, from: usize, body: &Expr, close: usize, ctx: Ctx, mode: Mode) -> Option<String> {
        let (body_start, body_end) = bounds(body.span);
        if mode == Mode::Flat {
            self.lead(from, body_start, 0, mode)?;
            self.trail(body_end, close, None, mode)?;
            return Some(format!(" {{ {} }}", self.expr(body, ctx, mode)?));
        }
        let inner = ctx.inner();
        let lead = self.lead(from, body_start, inner.indent, mode)?;
        let text = self.expr(body, inner.after(&lead), mode)?;
        let trail = self.trail(body_end, close, None, mode)?;
        let indent = super::printer::spaces(inner.indent);
        let outer = super::printer::spaces(ctx.indent);
        Some(format!(" {{\n{indent}{lead}{text}{trail}\n{outer}}}"))
    }

    fn match_expr(
        &self,
        e: &Expr,
        scrutinee: &Expr,
        arms: &[MatchArm],
        ctx: Ctx,
        mode: Mode,
    ) -> Option<String> {
        let (start, end) = bounds(e.span);
        let (scrutinee_start, scrutinee_end) = bounds(scrutinee.span);
        let mut out = format!("match {}", self.lead(start, scrutinee_start, ctx.indent + INDENT, mode)?);
        out.push_str(&self.expr(scrutinee, ctx.after(&out), mode)?);
        out.push(' ');
        let seq = Seq::record(
            self.flat_ok(start, end),
            scrutinee_end,
            end.saturating_sub(1),
            arms.iter().map(|arm| self.arm_elem(arm)).collect(),
        );
        Some(out.clone() + &self.seq(&seq, ctx.after(&out), mode)?)
    }

    fn arm_elem<'p>(&'p self, arm: &'p MatchArm) -> Elem<'p> {
        let (start, end) = (arm.span.start as usize, self.end_of(arm.span));
        let body = move |ctx: Ctx, mode: Mode| -> Option<String> {
            let pattern = self.pattern(&arm.pattern, ctx, mode)?;
            let lead =
                self.lead(self.end_of(arm.pattern.span), bounds(arm.body.span).0, ctx.indent + INDENT, mode)?;
            let prefix = format!("{pattern} => {lead}");
            Some(prefix.clone() + &self.expr(&arm.body, ctx.after(&prefix), mode)?)
        };
        Elem { start, end, head: None, body: Box::new(body) }
    }

    fn pattern(&self, p: &Pattern, ctx: Ctx, mode: Mode) -> Option<String> {
        let (start, end) = (p.span.start as usize, self.end_of(p.span));
        match &p.kind {
            PatternKind::Wildcard => Some("_".to_string()),
            PatternKind::Bool(b) => Some(b.to_string()),
            PatternKind::Int(_) => Some(self.text(start, end).to_string()),
            PatternKind::Quantity { .. } => Some(self.quantity(p.span)),
            PatternKind::String(_) => {
                let text = self.text(start, end);
                (mode == Mode::Fit || !text.contains(['\n', '\r'])).then(|| text.to_string())
            }
            PatternKind::Variant { path, bindings } => {
                let names: Vec<&str> = path.iter().map(|n| n.text.as_str()).collect();
                let path_text = names.join(".");
                let path_end = path.last().map_or(start, |n| bounds(n.span).1);
                if bindings.is_empty() && !self.comments.any_between(path_end, end) {
                    return Some(path_text);
                }
                let seq = Seq::commas(
                    "{",
                    "}",
                    true,
                    self.flat_ok(path_end, end),
                    path_end,
                    end.saturating_sub(1),
                    bindings.iter().map(|n| self.name_elem(n)).collect(),
                );
                let prefix = format!("{path_text} ");
                Some(prefix.clone() + &self.seq(&seq, ctx.after(&prefix), mode)?)
            }
        }
    }

    /// A bare name as an element: a pattern binding, an environment name.
    pub fn name_elem<'p>(&'p self, name: &'p Name) -> Elem<'p> {
        let (start, end) = bounds(name.span);
        Elem { start, end, head: None, body: Box::new(move |_, _| Some(name.text.clone())) }
    }

    /// `[element for x in list if cond]`, broken as one clause per line.
    fn comprehension(&self, e: &Expr, ctx: Ctx, mode: Mode) -> Option<String> {
        let (start, end) = bounds(e.span);
        let flat_ok = self.flat_ok(start, end);
        if mode == Mode::Flat || flat_ok {
            let flat = if flat_ok { self.clauses(e, ctx, Mode::Flat) } else { None };
            if mode == Mode::Flat || flat.as_ref().is_some_and(|f| fits(ctx.col, f)) {
                return flat;
            }
        }
        self.clauses(e, ctx, Mode::Fit)
    }

    fn clauses(&self, e: &Expr, ctx: Ctx, mode: Mode) -> Option<String> {
        let ExprKind::Comprehension { element, var, iterable, filter } = &e.kind else { return None };
        let (start, end) = bounds(e.span);
        let inner = ctx.inner();
        let (sep, indent, close) = match mode {
            Mode::Flat => (" ".to_string(), String::new(), "]".to_string()),
            Mode::Fit => {
                let pad = super::printer::spaces(inner.indent);
                (format!("\n{pad}"), pad, format!("\n{}]", super::printer::spaces(ctx.indent)))
            }
        };
        let mut out = format!("[{}", if mode == Mode::Fit { format!("\n{indent}") } else { String::new() });
        out.push_str(&self.lead(start + 1, bounds(element.span).0, inner.indent, mode)?);
        out.push_str(&self.expr(element, ctx.after(&out), mode)?);
        out.push_str(&sep);
        out.push_str(&self.lead(bounds(element.span).1, bounds(var.span).0, inner.indent, mode)?);
        out.push_str(&format!("for {} in ", var.text));
        out.push_str(&self.lead(bounds(var.span).1, bounds(iterable.span).0, inner.indent, mode)?);
        out.push_str(&self.expr(iterable, ctx.after(&out), mode)?);
        let mut last = bounds(iterable.span).1;
        if let Some(filter) = filter {
            out.push_str(&sep);
            out.push_str(&self.lead(last, bounds(filter.span).0, inner.indent, mode)?);
            out.push_str("if ");
            out.push_str(&self.expr(filter, ctx.after(&out), mode)?);
            last = bounds(filter.span).1;
        }
        let indent = (mode == Mode::Flat).then_some(0);
        out.push_str(&self.trail(last, end.saturating_sub(1), indent, mode)?);
        out.push_str(&close);
        Some(out)
    }
}
