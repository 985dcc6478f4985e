//! `match`: patterns against the scrutinee's type, exhaustiveness (E0305) and
//! unreachable arms (W0301).
//!
//! Input: the scrutinee and arms. Output: the type the arms agree on.
//! Invariants: enums, environment names and bools must be covered (or have a
//! `_` arm); other scrutinees need `_`; an arm after `_`, or a pattern already
//! matched, is unreachable. A deploy-time scrutinee is E0303.

use std::collections::HashMap;

use crate::check::error::CheckError;
use crate::check::scope::DeclRef;
use crate::check::table::Def;
use crate::check::types::Type;
use crate::check::Checker;
use crate::source::Span;
use crate::syntax::ast::{Expr, MatchArm, Name, Pattern, PatternKind};
use crate::units::Quantity;

/// What is being matched, with the cases that must be covered.
enum Cases {
    Enum(DeclRef, Vec<String>),
    Environment(Option<DeclRef>, Vec<String>),
    Bool,
    /// Ints, strings, quantities, numbers: any literal of this type; needs `_`.
    Literal(Type),
    Unknown,
}

/// What the arms so far cover.
#[derive(Default)]
struct Coverage {
    /// Pattern key → the arm that first matched it.
    seen: HashMap<String, Span>,
    wildcard: Option<Span>,
}

impl<'w> Checker<'w> {
    /// `match scrutinee { pattern => expr, ... }`.
    pub fn match_expr(
        &mut self,
        whole: &'w Expr,
        scrutinee: &'w Expr,
        arms: &'w [MatchArm],
        hint: Option<&Type>,
    ) -> Type {
        let ty = self.infer(scrutinee);
        let cases = if ty.is_deploy() {
            self.report(CheckError::DeployBranch {
                what: "a `match` on a deploy-time value",
                span: scrutinee.span,
            });
            Cases::Unknown
        } else {
            self.cases(&ty)
        };
        let mut coverage = Coverage::default();
        let mut result = Type::Unknown;
        for arm in arms {
            if let Some(wildcard) = coverage.wildcard {
                let reason = "a wildcard `_` above already matches everything".to_string();
                self.report(CheckError::UnreachableArm {
                    span: arm.pattern.span,
                    reason,
                    earlier: Some(wildcard),
                });
            }
            let bindings = self.pattern(&arm.pattern, &cases, &mut coverage);
            let depth = self.ctx.locals.len();
            self.ctx.locals.extend(bindings);
            let arm_hint = hint.cloned().or_else(|| (result != Type::Unknown).then(|| result.clone()));
            let body = self.expr(&arm.body, arm_hint.as_ref());
            self.ctx.locals.truncate(depth);
            result = self.join_branches(&result, &body, &arm.body, "`match` arms");
        }
        if coverage.wildcard.is_none() {
            self.exhaustive(&cases, &coverage, whole, scrutinee);
        }
        result
    }

    fn cases(&mut self, ty: &Type) -> Cases {
        match ty {
            Type::Enum(decl) => {
                let names = self.enum_sig(*decl).variants.iter().map(|v| v.name.clone()).collect();
                Cases::Enum(*decl, names)
            }
            Type::Environment => {
                let project = self.project_of(self.ctx.module);
                let names = project.map(|p| self.environment_names(p)).unwrap_or_default();
                Cases::Environment(project, names.iter().map(|n| n.text.clone()).collect())
            }
            Type::Bool => Cases::Bool,
            Type::Unknown | Type::Json => Cases::Unknown,
            other => Cases::Literal(other.clone()),
        }
    }

    /// The names a project lists in `environments { .. }`.
    pub fn environment_names(&self, project: DeclRef) -> &'w [Name] {
        crate::check::lookup::environment_names(self.ws, project)
    }

    fn exhaustive(&mut self, cases: &Cases, coverage: &Coverage, whole: &Expr, scrutinee: &Expr) {
        let missing = missing_cases(cases, coverage);
        if !missing.is_empty() {
            let span = Span { end: scrutinee.span.end, ..whole.span };
            self.report(CheckError::NonExhaustive { missing, span });
        }
    }

    /// Check one pattern; returns the names it binds.
    fn pattern(
        &mut self,
        pattern: &'w Pattern,
        cases: &Cases,
        coverage: &mut Coverage,
    ) -> Vec<(String, Type, Def)> {
        let key = match (&pattern.kind, cases) {
            (PatternKind::Wildcard, _) => {
                let closed = matches!(cases, Cases::Enum(..) | Cases::Environment(..) | Cases::Bool);
                if closed && coverage.wildcard.is_none() && missing_cases(cases, coverage).is_empty() {
                    let reason = "every case is already matched above".to_string();
                    self.report(CheckError::UnreachableArm { span: pattern.span, reason, earlier: None });
                }
                coverage.wildcard.get_or_insert(pattern.span);
                return Vec::new();
            }
            (PatternKind::Variant { path, bindings }, _) => {
                return self.variant_pattern(pattern, path, bindings, cases, coverage)
            }
            (_, Cases::Unknown) => return Vec::new(),
            (PatternKind::Bool(b), Cases::Bool) => b.to_string(),
            (PatternKind::Int(n), Cases::Literal(Type::Int | Type::Number)) => n.to_string(),
            (PatternKind::String(s), Cases::Literal(Type::String)) => format!("{s:?}"),
            (PatternKind::Quantity { amount, unit }, Cases::Literal(Type::Quantity(d)))
                if unit.dimension() == *d =>
            {
                Quantity::new(*amount, *unit).to_string()
            }
            (kind, cases) => {
                self.pattern_mismatch(pattern, kind, cases);
                return Vec::new();
            }
        };
        self.cover(key, pattern.span, coverage);
        Vec::new()
    }

    fn cover(&mut self, key: String, span: Span, coverage: &mut Coverage) {
        if let Some(&earlier) = coverage.seen.get(&key) {
            let reason = "this case is already matched".to_string();
            self.report(CheckError::UnreachableArm { span, reason, earlier: Some(earlier) });
        } else {
            coverage.seen.insert(key, span);
        }
    }

    fn pattern_mismatch(&mut self, pattern: &Pattern, kind: &PatternKind, cases: &Cases) {
        let matched = match cases {
            Cases::Enum(decl, _) => self.decl_name(*decl),
            Cases::Environment(..) => "environment name".into(),
            Cases::Bool => "bool".into(),
            Cases::Literal(ty) => self.show(ty),
            Cases::Unknown => return,
        };
        let pattern_type = match kind {
            PatternKind::Bool(_) => "bool".to_string(),
            PatternKind::Int(_) => "int".into(),
            PatternKind::String(_) => "string".into(),
            PatternKind::Quantity { unit, .. } => unit.dimension().type_name().into(),
            PatternKind::Wildcard | PatternKind::Variant { .. } => "variant".into(),
        };
        let unit = matches!((kind, cases), (PatternKind::Quantity { .. }, Cases::Literal(Type::Quantity(_))));
        let error = if unit {
            CheckError::UnitMismatch {
                expected: matched,
                found: pattern_type,
                span: pattern.span,
                declared: None,
                help: None,
                fix: None,
            }
        } else {
            CheckError::TypeMismatch {
                expected: matched,
                found: pattern_type,
                span: pattern.span,
                declared: None,
                help: None,
            }
        };
        self.report(error);
    }

    fn variant_pattern(
        &mut self,
        pattern: &Pattern,
        path: &'w [Name],
        bindings: &'w [Name],
        cases: &Cases,
        coverage: &mut Coverage,
    ) -> Vec<(String, Type, Def)> {
        let Some(last) = path.last() else { return Vec::new() };
        match cases {
            Cases::Enum(decl, names) => {
                let decl = *decl;
                if !names.contains(&last.text) {
                    let owner = format!("variant of enum `{}`", self.decl_name(decl));
                    self.unknown_field(last, owner, names.iter().map(String::as_str).collect(), None);
                    return self.unknown_bindings(bindings);
                }
                self.cover(last.text.clone(), pattern.span, coverage);
                self.pattern_path(path, decl);
                self.variant_bindings(decl, &last.text, bindings)
            }
            Cases::Environment(project, names) => {
                match (names.iter().position(|n| *n == last.text), project) {
                    (Some(index), Some(project)) => {
                        self.cover(last.text.clone(), pattern.span, coverage);
                        let def = Def::Environment { project: *project, index: index as u32 };
                        self.resolved(last, def, Type::Environment);
                    }
                    (Some(_), None) => self.cover(last.text.clone(), pattern.span, coverage),
                    (None, Some(project)) => self.unknown_environment(last, *project),
                    (None, None) => {}
                }
                Vec::new()
            }
            Cases::Unknown => self.unknown_bindings(bindings),
            Cases::Bool | Cases::Literal(_) => {
                self.pattern_mismatch(pattern, &pattern.kind, cases);
                self.unknown_bindings(bindings)
            }
        }
    }

    /// `spot` or `Capacity.spot` matching a value of enum `decl`: the variant,
    /// and the enum when it is named.
    fn pattern_path(&mut self, path: &'w [Name], decl: DeclRef) {
        let sig = self.enum_sig(decl);
        let Some(last) = path.last() else { return };
        if let Some(variant) = sig.index.get(&last.text).and_then(|&i| sig.variants.get(i)) {
            let def = Def::Variant { decl, index: variant.declared as u32 };
            self.resolved(last, def, Type::Enum(decl));
        }
        if let [qualifier, _] = path {
            if qualifier.text == self.decl_name(decl) {
                self.resolved(qualifier, Def::Decl(decl), Type::EnumName(decl));
            }
        }
    }

    /// A name a pattern binds: a local from here to the end of its arm.
    fn bind(&mut self, binding: &Name, ty: Type) -> (String, Type, Def) {
        let def = Def::Local { declared: binding.span };
        let ty = self.resolved(binding, def, ty);
        (binding.text.clone(), ty, def)
    }

    fn unknown_bindings(&mut self, bindings: &'w [Name]) -> Vec<(String, Type, Def)> {
        bindings.iter().map(|b| self.bind(b, Type::Unknown)).collect()
    }

    fn variant_bindings(
        &mut self,
        decl: DeclRef,
        variant: &str,
        bindings: &'w [Name],
    ) -> Vec<(String, Type, Def)> {
        let sig = self.enum_sig(decl);
        let Some(fields) =
            sig.index.get(variant).and_then(|&i| sig.variants.get(i)).map(|v| v.fields.clone())
        else {
            return Vec::new();
        };
        let mut bound = Vec::with_capacity(bindings.len());
        for binding in bindings {
            let ty = match fields.field(&binding.text) {
                Some(field) => field.ty.clone(),
                None => {
                    let owner = format!("field of variant `{variant}`");
                    self.unknown_field(binding, owner, fields.names().collect(), None)
                }
            };
            bound.push(self.bind(binding, ty));
        }
        bound
    }

    /// E0208: a name that is not one of the project's environments.
    pub fn unknown_environment(&mut self, name: &Name, project: DeclRef) {
        let names = self.environment_names(project);
        let suggestion = crate::check::checker::suggest(&name.text, names.iter().map(|n| n.text.as_str()));
        let list = match (names.first(), names.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => self.item(project).span,
        };
        self.report(CheckError::UnknownEnvironment {
            name: name.text.clone(),
            project: self.decl_name(project),
            span: name.span,
            suggestion,
            list,
        });
    }
}

/// The cases no arm matches yet (`_` for open types such as ints).
fn missing_cases(cases: &Cases, coverage: &Coverage) -> Vec<String> {
    match cases {
        Cases::Enum(_, names) | Cases::Environment(_, names) => {
            names.iter().filter(|n| !coverage.seen.contains_key(n.as_str())).cloned().collect()
        }
        Cases::Bool => ["true", "false"]
            .iter()
            .filter(|n| !coverage.seen.contains_key(**n))
            .map(|n| n.to_string())
            .collect(),
        Cases::Literal(_) => vec!["_".to_string()],
        Cases::Unknown => Vec::new(),
    }
}
