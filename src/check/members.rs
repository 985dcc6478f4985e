//! Typing the members of layers and constructs, once each, in whatever order
//! references reach them.
//!
//! Input: a body (layer or construct) and a member index. Output: the member's
//! [`Type`], memoized. Invariants: a member is typed in its own body's context
//! (never with the locals of the expression that referred to it); a member
//! reached again while it is being typed is a cycle, reported once (E0211).

use crate::check::checker::{member_name, Body, MemberState};
use crate::check::error::CheckError;
use crate::check::scope::DeclRef;
use crate::check::types::Type;
use crate::check::Checker;
use crate::source::Span;
use crate::syntax::ast::{Binding, FieldDecl, ItemKind, Member, MemberKind, RecordLit, ResourceDecl};

/// How deep on-demand typing of members may nest before giving up on precision
/// (not on correctness: an untyped reference is `Unknown`, which reports nothing).
const MAX_MEMBER_DEPTH: usize = 128;

impl<'w> Checker<'w> {
    /// The type of member `index` of `body`, referred to at `span`.
    pub fn member_ref(&mut self, body: DeclRef, index: usize, span: Span) -> Type {
        match self.members.get(&(body, index)) {
            Some(MemberState::Done(ty)) => ty.clone(),
            Some(MemberState::InProgress) => {
                if self.reported_cycles.insert((body, index)) {
                    if let Some(name) = self.body_members(body).get(index).and_then(member_name) {
                        let error =
                            CheckError::SelfReference { name: name.text.clone(), span, declared: name.span };
                        self.report(error);
                    }
                }
                Type::Unknown
            }
            // A long chain of forward references would recurse once per link:
            // past the limit the reference is left untyped (no error is
            // invented) and the member is typed later in declaration order.
            None if self.member_depth >= MAX_MEMBER_DEPTH => Type::Unknown,
            None => {
                self.member_depth += 1;
                let ty = self.type_member(body, index);
                self.member_depth -= 1;
                ty
            }
        }
    }

    /// Type a member in its body's context and remember the result.
    pub fn type_member(&mut self, body: DeclRef, index: usize) -> Type {
        if let Some(MemberState::Done(ty)) = self.members.get(&(body, index)) {
            return ty.clone();
        }
        let Some(member) = self.body_members(body).get(index) else { return Type::Unknown };
        self.members.insert((body, index), MemberState::InProgress);
        let kind = match &self.item(body).kind {
            ItemKind::Layer(_) => Body::Layer(body),
            _ => Body::Construct(body),
        };
        let ctx = self.body_ctx(body, kind);
        let ty = self.with_ctx(ctx, |checker| checker.member_type(body, index, member));
        self.members.insert((body, index), MemberState::Done(ty.clone()));
        ty
    }

    fn member_type(&mut self, body: DeclRef, index: usize, member: &'w Member) -> Type {
        match &member.kind {
            MemberKind::Param(field) if matches!(self.item(body).kind, ItemKind::Layer(_)) => {
                self.typed_binding(body, field)
            }
            MemberKind::Param(field) => {
                let params = self.construct_params(body);
                params.field(&field.name.text).map_or(Type::Unknown, |f| f.ty.clone())
            }
            MemberKind::Binding(binding) | MemberKind::Service(binding) | MemberKind::Pipeline(binding) => {
                self.switched(body, index, member, binding)
            }
            MemberKind::Publish(binding) => self.publish(binding),
            MemberKind::Output(binding) => self.infer(&binding.value),
            MemberKind::Secret { description, .. } => {
                if let Some(description) = description {
                    self.string_lit(description);
                }
                Type::Secret
            }
            MemberKind::Resource(resource) => {
                self.resource(resource);
                Type::Resource
            }
            MemberKind::Require(require) => {
                self.require(require);
                Type::Unknown
            }
        }
    }

    /// `x = .. when cond`: the condition is a check-time bool, and the value
    /// is absent where it is false, so the member's type is optional. The
    /// value is typed where the condition holds.
    fn switched(&mut self, body: DeclRef, index: usize, member: &'w Member, binding: &'w Binding) -> Type {
        let Some(condition) = &member.when else { return self.named_value(binding) };
        let guard = self.guard(condition, "a `when` condition");
        let ty = self.assuming(&guard.holds, |checker| checker.named_value(binding));
        match ty {
            Type::Optional(_) | Type::None | Type::Unknown => ty,
            ty => {
                self.switched_by(body, index, &guard);
                Type::Optional(Box::new(ty))
            }
        }
    }

    /// `when` is for the members that hold a value: bindings, services, pipelines.
    pub fn when_allowed(&mut self, member: &'w Member) {
        let Some(condition) = &member.when else { return };
        let what = match &member.kind {
            MemberKind::Binding(_) | MemberKind::Service(_) | MemberKind::Pipeline(_) => return,
            MemberKind::Param(_) => "a parameter",
            MemberKind::Publish(_) => "`publish`",
            MemberKind::Secret { .. } => "`secret`",
            MemberKind::Output(_) => "an `output`",
            MemberKind::Resource(_) => "a `resource` (use `with { Condition = cond }`)",
            MemberKind::Require(_) => "`require`",
        };
        self.report(CheckError::WhenNotAllowed { member: what, span: condition.span });
    }

    /// `name = expr`: the one place a construct instance may stand.
    fn named_value(&mut self, binding: &'w Binding) -> Type {
        self.ctx.instance_ok = Some(binding.value.span);
        let ty = self.infer(&binding.value);
        self.ctx.instance_ok = None;
        ty
    }

    /// `name: T = value` in a layer: the value checked against `T`, which is
    /// the name's type (`rules: json = [..]` passes raw CloudFormation through
    /// unchecked; without a value it is a misplaced parameter, E0105).
    fn typed_binding(&mut self, body: DeclRef, field: &'w FieldDecl) -> Type {
        let declared = self.resolve_type(&field.ty, body.module);
        if let Some(value) = &field.default {
            self.ctx.instance_ok = Some(value.span);
            self.check_expr(value, &declared, Some(field.ty.span));
            self.ctx.instance_ok = None;
        }
        declared
    }

    /// `publish name = expr`: a string, check-time or deploy-time (an SSM
    /// `String`), or a list of them (an SSM `StringList`). The member's type
    /// is what a later layer reads: `deploy<string>` or `[deploy<string>]`.
    fn publish(&mut self, binding: &'w Binding) -> Type {
        let text = Type::Deploy(Box::new(Type::String));
        let found = self.expr(&binding.value, Some(&text));
        if let Type::List(_) = found.unwrapped() {
            let list = Type::List(Box::new(text));
            self.expect_type(&list, &found, &binding.value, None);
            return list;
        }
        self.expect_type(&text, &found, &binding.value, None);
        text
    }

    /// What another layer reads from the published member `index` of
    /// `layer`. A member still being typed (layers reading each other, a
    /// cycle reported as E0206) reads as a string.
    pub fn published_type(&mut self, layer: DeclRef, index: usize, span: Span) -> Type {
        let text = Type::Deploy(Box::new(Type::String));
        if let Some(MemberState::InProgress) = self.members.get(&(layer, index)) {
            return text;
        }
        match self.member_ref(layer, index, span) {
            list @ Type::List(_) => list,
            _ => text,
        }
    }

    /// `resource "AWS::X::Y" name { .. } with { .. }`: properties are json,
    /// where deploy-time values and secrets (as dynamic references) may flow.
    fn resource(&mut self, resource: &'w ResourceDecl) {
        match resource.type_name.as_plain() {
            Some(name) if is_resource_type(&name) => {}
            Some(name) => self.report(CheckError::Type {
                message: format!("`{name}` is not a CloudFormation resource type"),
                label: "expected `AWS::Service::Resource`".into(),
                span: resource.type_name.span,
                help: Some("write the type as CloudFormation does: `AWS::SNS::Topic`".into()),
            }),
            None => self.report(CheckError::DeployTimeName {
                what: "a resource type",
                span: resource.type_name.span,
            }),
        }
        let saved = self.ctx.secrets_ok;
        self.ctx.secrets_ok = true;
        self.json_record(&resource.properties);
        self.ctx.secrets_ok = saved;
        if let Some(options) = &resource.options {
            self.json_record(options);
        }
    }

    fn json_record(&mut self, record: &'w RecordLit) {
        self.record_literal(record, Some(&Type::Json));
    }

    /// `require cond else [CODE] "message"`.
    pub fn require(&mut self, require: &'w crate::syntax::ast::Require) {
        self.condition(&require.condition, "a `require` condition");
        let message = self.string_lit(&require.message);
        if message.is_deploy() {
            self.report(CheckError::DeployTimeName {
                what: "a `require` message",
                span: require.message.span,
            });
        }
        if let Some(code) = &require.code {
            if crate::diag::Code::from_str_code(&code.text).is_none() {
                self.report(CheckError::Type {
                    message: format!("`{}` is not a diagnostic code", code.text),
                    label: "unknown code".into(),
                    span: code.span,
                    help: Some("use a code listed in docs/diagnostics.md, such as `E0402`".into()),
                });
            }
        }
    }
}

/// `AWS::SNS::Topic`, `Custom::Thing`: three parts, or a `Custom::` type.
fn is_resource_type(name: &str) -> bool {
    let parts: Vec<&str> = name.split("::").collect();
    let well_formed = parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
    well_formed && (parts.len() == 3 || (parts.len() == 2 && parts.first() == Some(&"Custom")))
}
