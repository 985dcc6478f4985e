//! Moving a parsed tree: every span of an item shifted by the same number
//! of bytes, or every span of a file's tree put in another file.
//!
//! The item-level parse cache ([`super::incremental`]) keeps each item's
//! tree with spans counted from the start of the item's own text, and moves
//! it to wherever that text now starts in the file. The stdlib's trees
//! ([`crate::stdlib::cache`]) are stored with their spans in file 0 and put
//! in the file id their module is loaded as. Every `Span` of the tree is
//! visited here ([`each_span`]), so a field added to the AST with a span is
//! added here.

use super::ast::*;
use crate::source::{FileId, Span};

/// Shift every span of `item` by `by` bytes.
pub fn item(item: &mut Item, by: u32) {
    each_span(item, &mut |s: &mut Span| {
        s.start = s.start.saturating_add(by);
        s.end = s.end.saturating_add(by);
    });
}

/// Put every span of `tree` in `file`.
pub fn move_to_file(tree: &mut File, file: FileId) {
    let mut retarget = |s: &mut Span| s.file = file;
    for item in &mut tree.items {
        each_span(item, &mut retarget);
    }
    for broken in &mut tree.broken {
        retarget(&mut broken.span);
    }
}

/// Call `visit` on every span of `item`.
fn each_span<F: FnMut(&mut Span)>(item: &mut Item, visit: &mut F) {
    visit(&mut item.span);
    match &mut item.kind {
        ItemKind::Import(Import::File { span: s, .. }) => visit(s),
        ItemKind::Import(Import::Modules(paths)) => {
            for path in paths {
                name(&mut path.binding, visit);
                if let Some(from) = &mut path.renamed_from {
                    name(from, visit);
                }
                visit(&mut path.span);
            }
        }
        ItemKind::Project(project) => {
            name(&mut project.name, visit);
            names(&mut project.environments, visit);
            fields(&mut project.settings, visit);
            for field in &mut project.fields {
                binding(field, visit);
            }
        }
        ItemKind::Environment(environment) => {
            name(&mut environment.name, visit);
            record(&mut environment.fields, visit);
        }
        ItemKind::Layer(Layer { name: n, members: m })
        | ItemKind::Construct(Construct { name: n, members: m }) => {
            name(n, visit);
            for member in m {
                self::member(member, visit);
            }
        }
        ItemKind::Type(decl) => {
            name(&mut decl.name, visit);
            ty(&mut decl.ty, visit);
            for r in &mut decl.requires {
                require(r, visit);
            }
        }
        ItemKind::Enum(decl) => {
            name(&mut decl.name, visit);
            for variant in &mut decl.variants {
                name(&mut variant.name, visit);
                if let Some(value) = &mut variant.value {
                    string(value, visit);
                }
                fields(&mut variant.fields, visit);
                visit(&mut variant.span);
            }
        }
    }
}

fn name<F: FnMut(&mut Span)>(n: &mut Name, visit: &mut F) {
    visit(&mut n.span);
}

fn names<F: FnMut(&mut Span)>(list: &mut [Name], visit: &mut F) {
    for n in list {
        name(n, visit);
    }
}

fn member<F: FnMut(&mut Span)>(member: &mut Member, visit: &mut F) {
    visit(&mut member.span);
    if let Some(when) = &mut member.when {
        expr(when, visit);
    }
    match &mut member.kind {
        MemberKind::Param(field) => self::field(field, visit),
        MemberKind::Binding(b)
        | MemberKind::Service(b)
        | MemberKind::Pipeline(b)
        | MemberKind::Publish(b)
        | MemberKind::Output(b) => binding(b, visit),
        MemberKind::Secret { name: n, description } => {
            name(n, visit);
            if let Some(description) = description {
                string(description, visit);
            }
        }
        MemberKind::Resource(resource) => {
            string(&mut resource.type_name, visit);
            name(&mut resource.name, visit);
            record(&mut resource.properties, visit);
            if let Some(options) = &mut resource.options {
                record(options, visit);
            }
        }
        MemberKind::Require(r) => require(r, visit),
    }
}

fn binding<F: FnMut(&mut Span)>(b: &mut Binding, visit: &mut F) {
    name(&mut b.name, visit);
    expr(&mut b.value, visit);
}

fn require<F: FnMut(&mut Span)>(r: &mut Require, visit: &mut F) {
    expr(&mut r.condition, visit);
    if let Some(code) = &mut r.code {
        name(code, visit);
    }
    string(&mut r.message, visit);
    visit(&mut r.span);
}

fn fields<F: FnMut(&mut Span)>(list: &mut [FieldDecl], visit: &mut F) {
    for f in list {
        field(f, visit);
    }
}

fn field<F: FnMut(&mut Span)>(f: &mut FieldDecl, visit: &mut F) {
    name(&mut f.name, visit);
    ty(&mut f.ty, visit);
    if let Some(range) = &mut f.range {
        for bound in [&mut range.low, &mut range.high].into_iter().flatten() {
            expr(bound, visit);
        }
        visit(&mut range.span);
    }
    if let Some(default) = &mut f.default {
        expr(default, visit);
    }
    visit(&mut f.span);
}

fn ty<F: FnMut(&mut Span)>(t: &mut TypeExpr, visit: &mut F) {
    visit(&mut t.span);
    match &mut t.kind {
        TypeExprKind::Named(path) => names(path, visit),
        TypeExprKind::List(inner)
        | TypeExprKind::Map(inner)
        | TypeExprKind::Deploy(inner)
        | TypeExprKind::Optional(inner) => ty(inner, visit),
        TypeExprKind::Record(list) => fields(list, visit),
    }
}

fn string<F: FnMut(&mut Span)>(s: &mut StringLit, visit: &mut F) {
    visit(&mut s.span);
    for part in &mut s.parts {
        if let StringPart::Interpolation(e) = part {
            expr(e, visit);
        }
    }
}

fn record<F: FnMut(&mut Span)>(r: &mut RecordLit, visit: &mut F) {
    visit(&mut r.span);
    for b in &mut r.fields {
        binding(b, visit);
    }
    for stage in &mut r.stages {
        name(&mut stage.name, visit);
        if let Some(when) = &mut stage.when {
            expr(when, visit);
        }
        expr(&mut stage.action, visit);
        visit(&mut stage.span);
    }
}

fn expr<F: FnMut(&mut Span)>(e: &mut Expr, visit: &mut F) {
    visit(&mut e.span);
    match &mut e.kind {
        ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Decimal(_)
        | ExprKind::Quantity { .. }
        | ExprKind::None => {}
        ExprKind::String(s) => string(s, visit),
        ExprKind::Name(n) => name(n, visit),
        ExprKind::Field { target, field } => {
            expr(target, visit);
            name(field, visit);
        }
        ExprKind::Index { target, index } => {
            expr(target, visit);
            expr(index, visit);
        }
        ExprKind::Call { callee, args } => {
            name(callee, visit);
            for arg in args {
                expr(arg, visit);
            }
        }
        ExprKind::Apply { target, body } => {
            expr(target, visit);
            record(body, visit);
        }
        ExprKind::List(list) => {
            for element in list {
                expr(element, visit);
            }
        }
        ExprKind::Record(r) => record(r, visit),
        ExprKind::Unary { operand, .. } => expr(operand, visit),
        ExprKind::Binary { left, right, .. } => {
            expr(left, visit);
            expr(right, visit);
        }
        ExprKind::If { condition, then, otherwise } => {
            expr(condition, visit);
            expr(then, visit);
            expr(otherwise, visit);
        }
        ExprKind::Match { scrutinee, arms } => {
            expr(scrutinee, visit);
            for arm in arms {
                pattern(&mut arm.pattern, visit);
                expr(&mut arm.body, visit);
                visit(&mut arm.span);
            }
        }
        ExprKind::Comprehension { element, var, iterable, filter } => {
            expr(element, visit);
            name(var, visit);
            expr(iterable, visit);
            if let Some(filter) = filter {
                expr(filter, visit);
            }
        }
        ExprKind::Paren(inner) => expr(inner, visit),
    }
}

fn pattern<F: FnMut(&mut Span)>(p: &mut Pattern, visit: &mut F) {
    visit(&mut p.span);
    if let PatternKind::Variant { path, bindings } = &mut p.kind {
        names(path, visit);
        names(bindings, visit);
    }
}
