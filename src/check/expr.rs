//! Typing expressions: literals, lists, strings, conditions, and the one place
//! a found type is compared with an expected one.
//!
//! Input: an AST expression and, optionally, the type the context expects (a
//! hint used for bare variants, record literals, `none` and empty lists).
//! Output: the expression's [`Type`]; problems go to the checker's errors.
//! Invariants: every error yields `Type::Unknown`, which nothing reports again;
//! names that are not values (`ecs`, `Capacity`, `env`) only survive inside
//! `raw`, and [`Checker::expr`] rejects them as values.

use crate::check::error::CheckError;
use crate::check::scope::DeclRef;
use crate::check::types::{self, accepts, Mismatch, Type};
use crate::check::Checker;
use crate::diag::Fix;
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, ItemKind, MemberKind, Name, StringLit, StringPart};
use crate::units::{Dimension, Unit};

impl<'w> Checker<'w> {
    /// Type `expr` and report it when it does not fit `expected`; `declared`
    /// is where the expected type was written, shown as a secondary label.
    pub fn check_expr(&mut self, expr: &'w Expr, expected: &Type, declared: Option<Span>) -> Type {
        let found = self.expr(expr, Some(expected));
        self.expect_type(expected, &found, expr, declared);
        found
    }

    /// The type of a value expression, with no expectation.
    pub fn infer(&mut self, expr: &'w Expr) -> Type {
        self.expr(expr, None)
    }

    /// The type of a value expression; `hint` is what the context expects.
    pub fn expr(&mut self, expr: &'w Expr, hint: Option<&Type>) -> Type {
        let ty = self.raw(expr, hint);
        if !ty.is_kind() {
            return ty;
        }
        let ty = self.as_value(ty, expr);
        match path_name(expr) {
            Some(name) => self.table.retype_last_name(name.span, &ty),
            None => self.table.retype_last(expr.span, &ty),
        }
        ty
    }

    /// Like [`Checker::expr`], but paths may stay names (`ecs`, `Capacity`,
    /// `spot`) for the `.field` or `{ .. }` that follows.
    pub fn raw(&mut self, expr: &'w Expr, hint: Option<&Type>) -> Type {
        let ty = self.raw_kind(expr, hint);
        // A literal's type is the one it spells, a name's is recorded with
        // the name (see `Table::type_of`).
        let recorded = match &expr.kind {
            ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Decimal(_)
            | ExprKind::Quantity { .. }
            | ExprKind::None
            | ExprKind::Name(_)
            | ExprKind::Paren(_) => true,
            ExprKind::String(lit) => lit.parts.iter().all(|p| matches!(p, StringPart::Text(_))),
            ExprKind::Field { field, .. } => self.table.named_last(field.span),
            _ => false,
        };
        if !recorded {
            self.table.expr(expr.span, &ty);
        }
        ty
    }

    fn raw_kind(&mut self, expr: &'w Expr, hint: Option<&Type>) -> Type {
        match &expr.kind {
            ExprKind::Bool(_) => Type::Bool,
            ExprKind::Int(_) => Type::Int,
            ExprKind::Decimal(_) => Type::Number,
            ExprKind::Quantity { unit, .. } => Type::Quantity(unit.dimension()),
            ExprKind::None => Type::None,
            ExprKind::String(lit) => self.string_lit(lit),
            ExprKind::Name(name) => self.name(name, hint),
            ExprKind::Field { target, field } => self.field(target, field),
            ExprKind::Call { callee, args } => self.call(callee, args, expr.span),
            ExprKind::Index { target, index } => self.index(target, index),
            ExprKind::Apply { target, body } => self.apply(expr, target, body, hint),
            ExprKind::List(items) => self.list(items, hint),
            ExprKind::Record(lit) => self.record_literal(lit, hint),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, expr.span),
            ExprKind::Binary { op, left, right } => self.binary(*op, left, right, expr.span),
            ExprKind::If { condition, then, otherwise } => self.if_expr(condition, then, otherwise, hint),
            ExprKind::Match { scrutinee, arms } => self.match_expr(expr, scrutinee, arms, hint),
            ExprKind::Comprehension { element, var, iterable, filter } => {
                self.comprehension(element, var, iterable, filter.as_deref(), hint)
            }
            ExprKind::Paren(inner) => {
                if self.ctx.instance_ok == Some(expr.span) {
                    self.ctx.instance_ok = Some(inner.span);
                }
                self.raw(inner, hint)
            }
        }
    }

    /// Turn a resolved path into a value: a bare variant must not need fields,
    /// and names such as `ecs` or `env` are not values.
    fn as_value(&mut self, ty: Type, expr: &Expr) -> Type {
        match ty {
            Type::Variant(decl, index) => {
                let sig = self.enum_sig(decl);
                if let Some(variant) = sig.variants.get(index) {
                    let missing: Vec<String> =
                        variant.fields.fields.iter().filter(|f| f.required).map(|f| f.name.clone()).collect();
                    if !missing.is_empty() {
                        let owner = format!("variant `{}`", variant.name);
                        self.report(CheckError::MissingFields { owner, missing, span: expr.span });
                    }
                }
                Type::Enum(decl)
            }
            ty if ty.is_kind() => {
                let what = self.show(&ty);
                self.report(CheckError::Type {
                    message: format!("{what} is not a value"),
                    label: "expected a value".into(),
                    span: expr.span,
                    help: not_a_value_help(&ty),
                });
                Type::Unknown
            }
            ty => ty,
        }
    }

    /// Report `found` where `expected` is expected, with the right code and help.
    pub fn expect_type(&mut self, expected: &Type, found: &Type, expr: &Expr, declared: Option<Span>) {
        let Err(mismatch) = accepts(expected, found, self.ctx.secrets_ok) else { return };
        let (expected_text, found_text) = (self.show(expected), self.show(found));
        let span = expr.span;
        let error = match mismatch {
            Mismatch::Type => CheckError::TypeMismatch {
                expected: expected_text,
                found: found_text,
                span,
                declared,
                help: self.type_help(expected, found, expr),
            },
            Mismatch::Unit => CheckError::UnitMismatch {
                expected: expected_text,
                found: found_text,
                span,
                declared,
                help: unit_help(expected, found, expr),
                fix: unit_fix(expected, found, expr),
            },
            Mismatch::Secret => {
                let into = if *expected.unwrapped() == Type::String {
                    "string".to_string()
                } else {
                    format!("`{expected_text}`")
                };
                CheckError::SecretLeak { into, span, declared }
            }
            Mismatch::DeployTime => CheckError::TypeMismatch {
                expected: expected_text,
                found: found_text,
                span,
                declared,
                help: Some(
                    "this value is known only when CloudFormation runs; it can flow into resource \
                     properties and fields typed `deploy<...>`"
                        .into(),
                ),
            },
        };
        self.report(error);
    }

    /// How to fix a plain type mismatch, when there is a likely fix.
    fn type_help(&mut self, expected: &Type, found: &Type, expr: &Expr) -> Option<String> {
        match (expected.unwrapped(), found, &expr.kind) {
            (_, Type::Optional(_) | Type::None, _) => {
                Some("this may be `none`: use `default(x, value)`".into())
            }
            // `capacity = "spot"`: the variant, quoted.
            (Type::Enum(decl), Type::String, ExprKind::String(lit)) => {
                match lit.as_plain().and_then(|text| self.variant_written_as(*decl, &text)) {
                    Some(variant) => Some(format!("write the variant without quotes: `{variant}`")),
                    None => Some(format!("write one of its variants: {}", self.variant_list(*decl))),
                }
            }
            (Type::Enum(decl), _, _) => {
                Some(format!("write one of its variants: {}", self.variant_list(*decl)))
            }
            (_, Type::Construct(construct), kind) => {
                let instance = match kind {
                    ExprKind::Name(name) => name.text.as_str(),
                    _ => "",
                };
                Some(format!(
                    "an instance is not a value of this type; read one of its outputs: {}",
                    self.output_list(*construct, instance)
                ))
            }
            _ => None,
        }
    }

    /// `standard`, `public { uri = .. }`: how each variant of `decl` is written.
    fn variant_list(&self, decl: DeclRef) -> String {
        let ItemKind::Enum(declared) = &self.item(decl).kind else { return String::new() };
        let written = declared.variants.iter().map(|v| {
            let required = v.fields.iter().filter(|f| f.default.is_none());
            let fields: Vec<String> = required.map(|f| format!("{} = ..", f.name.text)).collect();
            if fields.is_empty() {
                format!("`{}`", v.name.text)
            } else {
                format!("`{} {{ {} }}`", v.name.text, fields.join(", "))
            }
        });
        written.collect::<Vec<_>>().join(", ")
    }

    /// `release.pipeline_name`, `release.arn`: the outputs of `construct`
    /// read from `instance`, as a reader writes them.
    fn output_list(&self, construct: DeclRef, instance: &str) -> String {
        let outputs = self.body_members(construct).iter().filter_map(|m| match &m.kind {
            MemberKind::Output(b) => Some(format!("`{instance}.{}`", b.name.text)),
            _ => None,
        });
        outputs.collect::<Vec<_>>().join(", ")
    }

    /// The variant of `decl` named `text`, or whose text is `text` (`"us-east-1"`).
    fn variant_written_as(&self, decl: DeclRef, text: &str) -> Option<String> {
        let ItemKind::Enum(declared) = &self.item(decl).kind else { return None };
        let found = declared.variants.iter().find(|v| {
            v.name.text == text
                || v.value.as_ref().and_then(|l| l.as_plain()).is_some_and(|value| value == text)
        });
        found.map(|v| v.name.text.clone())
    }

    /// A condition of `if`, `require`, `when` or a comprehension filter: a
    /// check-time `bool`.
    pub fn condition(&mut self, expr: &'w Expr, what: &'static str) {
        let ty = self.expr(expr, Some(&Type::Bool));
        if ty.is_deploy() {
            self.report(CheckError::DeployBranch { what, span: expr.span });
        } else {
            self.expect_type(&Type::Bool, &ty, expr, None);
        }
    }

    /// `"a ${x} b"`: a string, or `deploy<string>` when a part is deploy-time.
    pub fn string_lit(&mut self, lit: &'w StringLit) -> Type {
        let mut deploy = false;
        for part in &lit.parts {
            let StringPart::Interpolation(expr) = part else { continue };
            let ty = self.infer(expr);
            deploy |= ty.is_deploy();
            self.interpolated(&ty, expr);
        }
        if deploy {
            Type::Deploy(Box::new(Type::String))
        } else {
            Type::String
        }
    }

    fn interpolated(&mut self, ty: &Type, expr: &Expr) {
        let inner = match ty {
            Type::Deploy(inner) => inner.as_ref(),
            other => other,
        };
        let help = match inner {
            Type::Secret => {
                self.report(CheckError::SecretLeak {
                    into: "string".into(),
                    span: expr.span,
                    declared: None,
                });
                return;
            }
            Type::List(_) => "join the list first: `join(list, \",\")`",
            Type::Optional(_) | Type::None => "give a value for `none` first: `default(x, \"\")`",
            Type::Map(_) | Type::Record(_) | Type::Construct(_) | Type::Resource => {
                "interpolate one of its fields instead"
            }
            _ => return,
        };
        let found = self.show(ty);
        self.report(CheckError::Type {
            message: format!("cannot interpolate `{found}` into a string"),
            label: format!("this is `{found}`"),
            span: expr.span,
            help: Some(help.into()),
        });
    }

    /// `[a, b]`: elements of one type (the expected element type when known).
    fn list(&mut self, items: &'w [Expr], hint: Option<&Type>) -> Type {
        match hint.map(Type::unwrapped) {
            Some(Type::List(element)) => {
                for item in items {
                    self.check_expr(item, element, None);
                }
                return Type::List(element.clone());
            }
            Some(Type::Json) => {
                for item in items {
                    self.check_expr(item, &Type::Json, None);
                }
                return Type::Json;
            }
            _ => {}
        }
        let mut element = Type::Unknown;
        for item in items {
            let ty = self.infer(item);
            match types::join(&element, &ty) {
                Some(joined) => element = joined,
                None => self.different_elements(&element, &ty, item),
            }
        }
        Type::List(Box::new(element))
    }

    /// E0301 for a list whose elements do not join. Records of different
    /// shapes join; records that give one field two types do not, and
    /// neither shape is the right one to impose on the others.
    fn different_elements(&mut self, first: &Type, this: &Type, item: &Expr) {
        let (first_text, this_text) = (self.show(first), self.show(this));
        let clash = match (first, this) {
            (Type::Record(a), Type::Record(b)) => types::join_records(a, b).err(),
            _ => None,
        };
        let (message, help) = match clash {
            Some(field) => (
                format!(
                    "list elements give field `{field}` different types: `{first_text}` and `{this_text}`"
                ),
                "give the binding the type its elements share (`rules: [Rule] = [..]`), or `json` for raw \
                 CloudFormation passed through unchecked (`rules: json = [..]`)"
                    .to_string(),
            ),
            None => (
                format!("list elements have different types: `{first_text}` and `{this_text}`"),
                format!("make every element a `{first_text}`"),
            ),
        };
        let label = format!("this is `{this_text}`");
        self.report(CheckError::Type { message, label, span: item.span, help: Some(help) });
    }
}

/// The name whose entry holds the type of a path (`spot`, `ecs.cluster`, `(x)`).
fn path_name(expr: &Expr) -> Option<&Name> {
    match &expr.kind {
        ExprKind::Name(name) | ExprKind::Field { field: name, .. } => Some(name),
        ExprKind::Paren(inner) => path_name(inner),
        _ => None,
    }
}

fn not_a_value_help(ty: &Type) -> Option<String> {
    match ty {
        Type::ConstructName(_) => Some("instantiate it: `name { params }`".into()),
        Type::EnumName(_) => Some("pick a variant: `Enum.variant`".into()),
        Type::Layer(_) => Some("read a published value: `layer.name`".into()),
        Type::Env => Some("read a setting: `env.name`, `env.region`, ...".into()),
        Type::Aws => Some("read a pseudo parameter: `aws.region`, `aws.account_id`, ...".into()),
        _ => None,
    }
}

/// "write `2048 MiB`", "write the memory with a unit: `2 GB`".
fn unit_help(expected: &Type, found: &Type, expr: &Expr) -> Option<String> {
    match (expected.unwrapped(), found) {
        (Type::Quantity(dimension), Type::Int | Type::Number) => Some(match literal_amount(expr) {
            Some(amount) => format!("write `{}`", with_unit(amount, *dimension)),
            None => {
                format!("write the {} with a unit, e.g. `{}`", dimension.type_name(), example(*dimension))
            }
        }),
        (Type::Quantity(dimension), Type::Quantity(_)) => {
            Some(format!("write the {} with a unit: `{}`", dimension.type_name(), example(*dimension)))
        }
        (_, Type::Quantity(_)) => Some("use `units(x)` for the amount as a number".into()),
        _ => None,
    }
}

fn literal_amount(expr: &Expr) -> Option<f64> {
    match &expr.kind {
        ExprKind::Int(n) => Some(*n as f64),
        ExprKind::Decimal(x) => Some(*x),
        ExprKind::Paren(inner) => literal_amount(inner),
        _ => None,
    }
}

/// The amount written in the dimension's usual unit: `2048` memory → `2048
/// MiB`; `1024` cpu (CPU units, as CloudFormation writes them) → `1 vcpu`.
fn with_unit(amount: f64, dimension: Dimension) -> String {
    let (amount, unit) = usual_unit(amount, dimension);
    unit.write(amount)
}

/// The unit a bare amount most likely meant, and the amount in it.
fn usual_unit(amount: f64, dimension: Dimension) -> (f64, Unit) {
    match dimension {
        Dimension::Cpu if amount >= 128.0 => (amount / 1024.0, Unit::Vcpu),
        Dimension::Cpu => (amount, Unit::Vcpu),
        Dimension::Memory => (amount, Unit::MiB),
        Dimension::Duration => (amount, Unit::Second),
        Dimension::Percent => (amount, Unit::Percent),
    }
}

/// E0302's quick fix for a bare number where a quantity is expected: the
/// writing the help gives, then the amount in each other unit of the
/// dimension, one per scale (`MB` means what `MiB` means).
fn unit_fix(expected: &Type, found: &Type, expr: &Expr) -> Option<Fix> {
    let (Type::Quantity(dimension), Type::Int | Type::Number) = (expected.unwrapped(), found) else {
        return None;
    };
    let amount = literal_amount(expr)?;
    let (usual_amount, usual) = usual_unit(amount, *dimension);
    let mut with = vec![usual.write(usual_amount)];
    let mut scales = vec![usual.scale()];
    for unit in dimension.units() {
        if !scales.contains(&unit.scale()) {
            scales.push(unit.scale());
            with.push(unit.write(amount));
        }
    }
    Some(Fix::Replace { with })
}

fn example(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Cpu => "1 vcpu",
        Dimension::Memory => "2 GB",
        Dimension::Duration => "5 min",
        Dimension::Percent => "50%",
    }
}
