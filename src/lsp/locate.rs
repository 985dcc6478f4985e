//! What is under the cursor: the innermost name in the AST at a byte offset,
//! with enough context (the enclosing declaration and record) to resolve it.

use crate::syntax::ast::*;

/// The declaration and member the cursor is in.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub item: &'a Item,
}

/// A name under the cursor and what kind of reference it is.
pub enum Hit<'a> {
    /// A plain name in an expression: `vpc`, `spot`, `core`.
    Name { name: &'a Name, context: Context<'a> },
    /// `target.field`, with the cursor on `field`.
    Field { target: &'a Expr, field: &'a Name, context: Context<'a> },
    /// `field = ..` inside `target { .. }` (or an environment's record when
    /// `target` is `None`).
    RecordField { target: Option<&'a Expr>, field: &'a Name, context: Context<'a> },
    /// A segment of a type name: `ecs.cluster` in a field declaration.
    TypePath { path: &'a [Name], index: usize },
    /// The name a declaration or member introduces.
    Declaration { name: &'a Name, context: Context<'a> },
}

/// The innermost hit at `offset` in `file`.
pub fn locate(file: &File, offset: u32) -> Option<Hit<'_>> {
    let item = file.items.iter().find(|i| contains(i.span.start, i.span.end, offset))?;
    let context = Context { item };
    let mut finder = Finder { offset, context, hit: None };
    finder.item(item);
    finder.hit
}

struct Finder<'a> {
    offset: u32,
    context: Context<'a>,
    hit: Option<Hit<'a>>,
}

fn contains(start: u32, end: u32, offset: u32) -> bool {
    start <= offset && offset <= end
}

impl<'a> Finder<'a> {
    fn on(&self, name: &Name) -> bool {
        contains(name.span.start, name.span.end, self.offset)
    }

    fn declaration(&mut self, name: &'a Name) {
        if self.on(name) {
            self.hit = Some(Hit::Declaration { name, context: self.context });
        }
    }

    fn item(&mut self, item: &'a Item) {
        match &item.kind {
            ItemKind::Import(_) => {}
            ItemKind::Project(p) => {
                self.declaration(&p.name);
                p.environments.iter().for_each(|e| self.declaration(e));
                p.settings.iter().for_each(|f| self.field_decl(f));
                p.fields.iter().for_each(|b| self.binding(b));
            }
            ItemKind::Environment(e) => {
                self.declaration(&e.name);
                self.record(None, &e.fields);
            }
            ItemKind::Layer(Layer { name, members }) | ItemKind::Construct(Construct { name, members }) => {
                self.declaration(name);
                members.iter().for_each(|m| self.member(m));
            }
            ItemKind::Type(t) => {
                self.declaration(&t.name);
                self.type_expr(&t.ty);
                t.requires.iter().for_each(|r| self.expr(&r.condition));
            }
            ItemKind::Enum(e) => {
                self.declaration(&e.name);
                for variant in &e.variants {
                    self.declaration(&variant.name);
                    variant.fields.iter().for_each(|f| self.field_decl(f));
                }
            }
        }
    }

    fn member(&mut self, member: &'a Member) {
        if !contains(member.span.start, member.span.end, self.offset) {
            return;
        }
        match &member.kind {
            MemberKind::Param(field) => self.field_decl(field),
            MemberKind::Binding(b)
            | MemberKind::Service(b)
            | MemberKind::Pipeline(b)
            | MemberKind::Publish(b)
            | MemberKind::Output(b) => self.binding(b),
            MemberKind::Secret { name, .. } => self.declaration(name),
            MemberKind::Resource(r) => {
                self.declaration(&r.name);
                self.record(None, &r.properties);
                if let Some(options) = &r.options {
                    self.record(None, options);
                }
            }
            MemberKind::Require(r) => self.expr(&r.condition),
        }
    }

    fn binding(&mut self, binding: &'a Binding) {
        self.declaration(&binding.name);
        self.expr(&binding.value);
    }

    fn field_decl(&mut self, field: &'a FieldDecl) {
        self.declaration(&field.name);
        self.type_expr(&field.ty);
        if let Some(range) = &field.range {
            range.low.iter().chain(range.high.iter()).for_each(|e| self.expr(e));
        }
        if let Some(default) = &field.default {
            self.expr(default);
        }
    }

    fn type_expr(&mut self, ty: &'a TypeExpr) {
        match &ty.kind {
            TypeExprKind::Named(path) => {
                if let Some(index) = path.iter().position(|n| self.on(n)) {
                    self.hit = Some(Hit::TypePath { path, index });
                }
            }
            TypeExprKind::List(inner)
            | TypeExprKind::Map(inner)
            | TypeExprKind::Deploy(inner)
            | TypeExprKind::Optional(inner) => self.type_expr(inner),
            TypeExprKind::Record(fields) => fields.iter().for_each(|f| self.field_decl(f)),
        }
    }

    fn record(&mut self, target: Option<&'a Expr>, record: &'a RecordLit) {
        for field in &record.fields {
            if self.on(&field.name) {
                self.hit = Some(Hit::RecordField { target, field: &field.name, context: self.context });
            }
            self.expr(&field.value);
        }
        for stage in &record.stages {
            self.declaration(&stage.name);
            stage.when.iter().for_each(|w| self.expr(w));
            self.expr(&stage.action);
        }
    }

    fn expr(&mut self, expr: &'a Expr) {
        if !contains(expr.span.start, expr.span.end, self.offset) {
            return;
        }
        match &expr.kind {
            ExprKind::Name(name) => {
                if self.on(name) {
                    self.hit = Some(Hit::Name { name, context: self.context });
                }
            }
            ExprKind::Field { target, field } => {
                if self.on(field) {
                    self.hit = Some(Hit::Field { target, field, context: self.context });
                } else {
                    self.expr(target);
                }
            }
            ExprKind::Apply { target, body } => {
                self.expr(target);
                self.record(Some(target), body);
            }
            ExprKind::Record(record) => self.record(None, record),
            ExprKind::Call { args, .. } | ExprKind::List(args) => args.iter().for_each(|a| self.expr(a)),
            ExprKind::Unary { operand, .. } | ExprKind::Paren(operand) => self.expr(operand),
            ExprKind::Binary { left, right, .. } => {
                self.expr(left);
                self.expr(right);
            }
            ExprKind::If { condition, then, otherwise } => {
                [condition, then, otherwise].into_iter().for_each(|e| self.expr(e));
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                arms.iter().for_each(|arm| self.expr(&arm.body));
            }
            ExprKind::Comprehension { element, iterable, filter, .. } => {
                self.expr(element);
                self.expr(iterable);
                filter.iter().for_each(|f| self.expr(f));
            }
            ExprKind::String(s) => {
                for part in &s.parts {
                    if let StringPart::Interpolation(e) = part {
                        self.expr(e);
                    }
                }
            }
            ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Decimal(_)
            | ExprKind::Quantity { .. }
            | ExprKind::None => {}
        }
    }
}
