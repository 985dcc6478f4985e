//! The innermost expression written at an offset of a file, for questions
//! such as "what is the type of what is under the cursor" (the names there
//! are in the resolution table already: [`Checked::node_at`](super::Checked::node_at)).
//!
//! Input: a parsed file and a byte offset. Output: the smallest expression
//! whose span contains the offset, found by walking only into the items,
//! members and expressions that contain it. [`each_expr`] walks them all
//! (the editor's inlay hints read every quantity written).

use crate::syntax::ast::*;

/// The innermost expression of `file` containing `offset`.
pub fn expr_at(file: &File, offset: u32) -> Option<&Expr> {
    let item = file.items.iter().find(|i| contains(i.span.start, i.span.end, offset))?;
    let mut found = None;
    for root in item_exprs(item) {
        innermost(root, offset, &mut found);
    }
    found
}

/// Every expression of `file`, outer before inner, in the order written.
pub fn each_expr<'a>(file: &'a File, visit: &mut dyn FnMut(&'a Expr)) {
    fn walk<'a>(expr: &'a Expr, visit: &mut dyn FnMut(&'a Expr)) {
        visit(expr);
        for child in children(expr) {
            walk(child, visit);
        }
    }
    for item in &file.items {
        for root in item_exprs(item) {
            walk(root, visit);
        }
    }
}

fn contains(start: u32, end: u32, offset: u32) -> bool {
    start <= offset && offset <= end
}

/// Descend into `expr` while it contains `offset`, keeping the deepest.
fn innermost<'a>(expr: &'a Expr, offset: u32, found: &mut Option<&'a Expr>) {
    if !contains(expr.span.start, expr.span.end, offset) {
        return;
    }
    *found = Some(expr);
    for child in children(expr) {
        innermost(child, offset, found);
    }
}

/// The expressions directly inside `expr`.
pub(super) fn children(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Field { target, .. }
        | ExprKind::Unary { operand: target, .. }
        | ExprKind::Paren(target) => {
            vec![target]
        }
        ExprKind::Call { args, .. } | ExprKind::List(args) => args.iter().collect(),
        ExprKind::Apply { target, body } => std::iter::once(&**target).chain(record_exprs(body)).collect(),
        ExprKind::Record(record) => record_exprs(record).collect(),
        ExprKind::Binary { left, right, .. } | ExprKind::Index { target: left, index: right } => {
            vec![left, right]
        }
        ExprKind::If { condition, then, otherwise } => vec![condition, then, otherwise],
        ExprKind::Match { scrutinee, arms } => {
            std::iter::once(&**scrutinee).chain(arms.iter().map(|arm| &arm.body)).collect()
        }
        ExprKind::Comprehension { element, iterable, filter, .. } => {
            [Some(&**element), Some(&**iterable), filter.as_deref()].into_iter().flatten().collect()
        }
        ExprKind::String(lit) => string_exprs(lit).collect(),
        ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Decimal(_)
        | ExprKind::Quantity { .. }
        | ExprKind::None
        | ExprKind::Name(_) => Vec::new(),
    }
}

fn record_exprs(record: &RecordLit) -> impl Iterator<Item = &Expr> {
    let fields = record.fields.iter().map(|f| &f.value);
    let stages = record.stages.iter().flat_map(|s| s.when.iter().chain(std::iter::once(&s.action)));
    fields.chain(stages)
}

fn string_exprs(lit: &StringLit) -> impl Iterator<Item = &Expr> {
    lit.parts.iter().filter_map(|part| match part {
        StringPart::Interpolation(expr) => Some(expr),
        StringPart::Text(_) => None,
    })
}

/// The outermost expressions written in an item.
pub(super) fn item_exprs(item: &Item) -> Vec<&Expr> {
    let mut out = Vec::new();
    match &item.kind {
        ItemKind::Import(_) => {}
        ItemKind::Project(p) => {
            p.settings.iter().for_each(|f| field_exprs(f, &mut out));
            out.extend(p.fields.iter().map(|b| &b.value));
        }
        ItemKind::Environment(e) => out.extend(record_exprs(&e.fields)),
        ItemKind::Layer(Layer { members, .. }) | ItemKind::Construct(Construct { members, .. }) => {
            members.iter().for_each(|m| member_exprs(m, &mut out));
        }
        ItemKind::Type(t) => {
            type_exprs(&t.ty, &mut out);
            t.requires.iter().for_each(|r| require_exprs(r, &mut out));
        }
        ItemKind::Enum(e) => {
            for variant in &e.variants {
                variant.fields.iter().for_each(|f| field_exprs(f, &mut out));
                out.extend(variant.value.iter().flat_map(string_exprs));
            }
        }
    }
    out
}

fn member_exprs<'a>(member: &'a Member, out: &mut Vec<&'a Expr>) {
    match &member.kind {
        MemberKind::Param(field) => field_exprs(field, out),
        MemberKind::Binding(b)
        | MemberKind::Service(b)
        | MemberKind::Pipeline(b)
        | MemberKind::Publish(b)
        | MemberKind::Output(b) => out.push(&b.value),
        MemberKind::Secret { description, .. } => out.extend(description.iter().flat_map(string_exprs)),
        MemberKind::Resource(r) => {
            out.extend(string_exprs(&r.type_name));
            out.extend(record_exprs(&r.properties));
            out.extend(r.options.iter().flat_map(record_exprs));
        }
        MemberKind::Require(r) => require_exprs(r, out),
    }
    out.extend(member.when.iter());
}

fn require_exprs<'a>(require: &'a Require, out: &mut Vec<&'a Expr>) {
    out.push(&require.condition);
    out.extend(string_exprs(&require.message));
}

/// A field's default and range bounds, and those of record types in its type.
fn field_exprs<'a>(field: &'a FieldDecl, out: &mut Vec<&'a Expr>) {
    out.extend(field.default.iter());
    if let Some(range) = &field.range {
        out.extend(range.low.iter().chain(range.high.iter()));
    }
    type_exprs(&field.ty, out);
}

fn type_exprs<'a>(ty: &'a TypeExpr, out: &mut Vec<&'a Expr>) {
    match &ty.kind {
        TypeExprKind::Record(fields) => fields.iter().for_each(|f| field_exprs(f, out)),
        TypeExprKind::List(inner)
        | TypeExprKind::Map(inner)
        | TypeExprKind::Deploy(inner)
        | TypeExprKind::Optional(inner) => type_exprs(inner, out),
        TypeExprKind::Named(_) => {}
    }
}
