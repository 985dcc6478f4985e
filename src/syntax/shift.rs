//! Moving a parsed item to another place in its file: every span of the
//! item's tree shifted by the same number of bytes.
//!
//! The item-level parse cache ([`super::incremental`]) keeps each item's
//! tree with spans counted from the start of the item's own text, and moves
//! it to wherever that text now starts in the file. Every `Span` of the tree
//! is visited here, so a field added to the AST with a span is added here.

use super::ast::*;
use crate::source::Span;

/// Shift every span of `item` by `by` bytes.
pub fn item(item: &mut Item, by: u32) {
    span(&mut item.span, by);
    match &mut item.kind {
        ItemKind::Import(Import::File { span: s, .. }) => span(s, by),
        ItemKind::Import(Import::Modules(paths)) => {
            for path in paths {
                name(&mut path.binding, by);
                if let Some(from) = &mut path.renamed_from {
                    name(from, by);
                }
                span(&mut path.span, by);
            }
        }
        ItemKind::Project(project) => {
            name(&mut project.name, by);
            names(&mut project.environments, by);
            fields(&mut project.settings, by);
            for field in &mut project.fields {
                binding(field, by);
            }
        }
        ItemKind::Environment(environment) => {
            name(&mut environment.name, by);
            record(&mut environment.fields, by);
        }
        ItemKind::Layer(Layer { name: n, members: m })
        | ItemKind::Construct(Construct { name: n, members: m }) => {
            name(n, by);
            for member in m {
                self::member(member, by);
            }
        }
        ItemKind::Type(decl) => {
            name(&mut decl.name, by);
            ty(&mut decl.ty, by);
            for r in &mut decl.requires {
                require(r, by);
            }
        }
        ItemKind::Enum(decl) => {
            name(&mut decl.name, by);
            for variant in &mut decl.variants {
                name(&mut variant.name, by);
                if let Some(value) = &mut variant.value {
                    string(value, by);
                }
                fields(&mut variant.fields, by);
                span(&mut variant.span, by);
            }
        }
    }
}

fn span(s: &mut Span, by: u32) {
    s.start = s.start.saturating_add(by);
    s.end = s.end.saturating_add(by);
}

fn name(n: &mut Name, by: u32) {
    span(&mut n.span, by);
}

fn names(list: &mut [Name], by: u32) {
    for n in list {
        name(n, by);
    }
}

fn member(member: &mut Member, by: u32) {
    span(&mut member.span, by);
    if let Some(when) = &mut member.when {
        expr(when, by);
    }
    match &mut member.kind {
        MemberKind::Param(field) => self::field(field, by),
        MemberKind::Binding(b)
        | MemberKind::Service(b)
        | MemberKind::Pipeline(b)
        | MemberKind::Publish(b)
        | MemberKind::Output(b) => binding(b, by),
        MemberKind::Secret { name: n, description } => {
            name(n, by);
            if let Some(description) = description {
                string(description, by);
            }
        }
        MemberKind::Resource(resource) => {
            string(&mut resource.type_name, by);
            name(&mut resource.name, by);
            record(&mut resource.properties, by);
            if let Some(options) = &mut resource.options {
                record(options, by);
            }
        }
        MemberKind::Require(r) => require(r, by),
    }
}

fn binding(b: &mut Binding, by: u32) {
    name(&mut b.name, by);
    expr(&mut b.value, by);
}

fn require(r: &mut Require, by: u32) {
    expr(&mut r.condition, by);
    if let Some(code) = &mut r.code {
        name(code, by);
    }
    string(&mut r.message, by);
    span(&mut r.span, by);
}

fn fields(list: &mut [FieldDecl], by: u32) {
    for f in list {
        field(f, by);
    }
}

fn field(f: &mut FieldDecl, by: u32) {
    name(&mut f.name, by);
    ty(&mut f.ty, by);
    if let Some(range) = &mut f.range {
        for bound in [&mut range.low, &mut range.high].into_iter().flatten() {
            expr(bound, by);
        }
        span(&mut range.span, by);
    }
    if let Some(default) = &mut f.default {
        expr(default, by);
    }
    span(&mut f.span, by);
}

fn ty(t: &mut TypeExpr, by: u32) {
    span(&mut t.span, by);
    match &mut t.kind {
        TypeExprKind::Named(path) => names(path, by),
        TypeExprKind::List(inner)
        | TypeExprKind::Map(inner)
        | TypeExprKind::Deploy(inner)
        | TypeExprKind::Optional(inner) => ty(inner, by),
        TypeExprKind::Record(list) => fields(list, by),
    }
}

fn string(s: &mut StringLit, by: u32) {
    span(&mut s.span, by);
    for part in &mut s.parts {
        if let StringPart::Interpolation(e) = part {
            expr(e, by);
        }
    }
}

fn record(r: &mut RecordLit, by: u32) {
    span(&mut r.span, by);
    for b in &mut r.fields {
        binding(b, by);
    }
    for stage in &mut r.stages {
        name(&mut stage.name, by);
        if let Some(when) = &mut stage.when {
            expr(when, by);
        }
        expr(&mut stage.action, by);
        span(&mut stage.span, by);
    }
}

fn expr(e: &mut Expr, by: u32) {
    span(&mut e.span, by);
    match &mut e.kind {
        ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Decimal(_)
        | ExprKind::Quantity { .. }
        | ExprKind::None => {}
        ExprKind::String(s) => string(s, by),
        ExprKind::Name(n) => name(n, by),
        ExprKind::Field { target, field } => {
            expr(target, by);
            name(field, by);
        }
        ExprKind::Index { target, index } => {
            expr(target, by);
            expr(index, by);
        }
        ExprKind::Call { callee, args } => {
            name(callee, by);
            for arg in args {
                expr(arg, by);
            }
        }
        ExprKind::Apply { target, body } => {
            expr(target, by);
            record(body, by);
        }
        ExprKind::List(list) => {
            for element in list {
                expr(element, by);
            }
        }
        ExprKind::Record(r) => record(r, by),
        ExprKind::Unary { operand, .. } => expr(operand, by),
        ExprKind::Binary { left, right, .. } => {
            expr(left, by);
            expr(right, by);
        }
        ExprKind::If { condition, then, otherwise } => {
            expr(condition, by);
            expr(then, by);
            expr(otherwise, by);
        }
        ExprKind::Match { scrutinee, arms } => {
            expr(scrutinee, by);
            for arm in arms {
                pattern(&mut arm.pattern, by);
                expr(&mut arm.body, by);
                span(&mut arm.span, by);
            }
        }
        ExprKind::Comprehension { element, var, iterable, filter } => {
            expr(element, by);
            name(var, by);
            expr(iterable, by);
            if let Some(filter) = filter {
                expr(filter, by);
            }
        }
        ExprKind::Paren(inner) => expr(inner, by),
    }
}

fn pattern(p: &mut Pattern, by: u32) {
    span(&mut p.span, by);
    if let PatternKind::Variant { path, bindings } = &mut p.kind {
        names(path, by);
        names(bindings, by);
    }
}
