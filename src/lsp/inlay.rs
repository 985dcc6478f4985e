//! Inlay hints: what the checker knows and the text does not say.
//!
//! - After a quantity written in another unit than its dimension's base
//!   unit, its amount in base units: `memory = 2 GB` shows `= 2048 MiB`,
//!   `cpu = 0.5 vcpu` shows `= 512 CPU units`, the numbers CloudFormation
//!   is given and `units(..)` returns ([`Quantity::in_base_units`]).
//! - After the name of a binding, `publish` or `output` whose value is not
//!   an instance or a literal, the type the checker gave it:
//!   `publish vpc_id: deploy<string> = vpc.id`.
//!
//! Hints come from the latest analysis that checked; while the document
//! does not parse, the ones inside the edit are left out.

use lsp_types::{InlayHint, InlayHintKind, InlayHintLabel, InlayHintParams, InlayHintTooltip};

use super::analysis::View;
use super::position::{self, LineIndex};
use super::state::State;
use crate::check::scope::DeclRef;
use crate::check::{self, Type};
use crate::syntax::ast::*;
use crate::units::Quantity;

/// The hints inside the request's range.
pub fn hints(state: &State, params: InlayHintParams) -> Option<Vec<InlayHint>> {
    let view = state.view(&params.text_document.uri)?;
    let module = view.workspace().module(view.module?);
    let wanted =
        position::offset(view.text, params.range.start)..=position::offset(view.text, params.range.end);
    let lines = LineIndex::new(view.text);
    let mut found: Vec<(usize, InlayHint)> = Vec::new();
    let mut add = |analysed: u32, hint: Unplaced| {
        let Some(at) = view.current_offset(analysed as usize).filter(|at| wanted.contains(at)) else {
            return;
        };
        found.push((at, hint.at(lines.position(at))));
    };
    check::each_expr(&module.ast, &mut |expr| {
        if let Some(hint) = quantity_hint(expr) {
            add(expr.span.end, hint);
        }
    });
    for (item, body) in module.ast.items.iter().enumerate() {
        let body_decl = DeclRef { module: view.module?, item };
        let (ItemKind::Layer(Layer { members, .. }) | ItemKind::Construct(Construct { members, .. })) =
            &body.kind
        else {
            continue;
        };
        for (index, member) in members.iter().enumerate() {
            if let Some((name, hint)) = type_hint(&view, body_decl, index, member) {
                add(name.span.end, hint);
            }
        }
    }
    found.sort_by_key(|(at, _)| *at);
    Some(found.into_iter().map(|(_, hint)| hint).collect())
}

/// A hint before its position in the editor's text is known.
struct Unplaced {
    label: String,
    kind: Option<InlayHintKind>,
    tooltip: &'static str,
}

impl Unplaced {
    fn at(self, position: lsp_types::Position) -> InlayHint {
        let is_type = self.kind == Some(InlayHintKind::TYPE);
        InlayHint {
            position,
            label: InlayHintLabel::String(self.label),
            kind: self.kind,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(self.tooltip.to_string())),
            padding_left: Some(!is_type),
            padding_right: None,
            data: None,
        }
    }
}

/// `2 GB` → `= 2048 MiB`; nothing for a quantity written in its base unit.
fn quantity_hint(expr: &Expr) -> Option<Unplaced> {
    let ExprKind::Quantity { amount, unit } = expr.kind else { return None };
    if Quantity::is_base(unit) {
        return None;
    }
    Some(Unplaced {
        label: format!("= {}", Quantity::new(amount, unit).in_base_units()),
        kind: None,
        tooltip: "In the base unit: what CloudFormation is given and `units(..)` returns.",
    })
}

/// `: deploy<string>` after the name of a member whose value does not say
/// its type (an instance `ecs.cluster { .. }` or a literal does).
fn type_hint<'a>(
    view: &View,
    body: DeclRef,
    index: usize,
    member: &'a Member,
) -> Option<(&'a Name, Unplaced)> {
    let (MemberKind::Binding(binding) | MemberKind::Publish(binding) | MemberKind::Output(binding)) =
        &member.kind
    else {
        return None;
    };
    if says_its_type(&binding.value) {
        return None;
    }
    let ty = view.checked().member_type(view.workspace(), body, index)?;
    if ty.is_kind() || matches!(ty, Type::Unknown | Type::Resource) {
        return None;
    }
    let shown = view.checked().show(view.workspace(), body.module, ty);
    let tooltip = "The type the checker gives the value.";
    Some((&binding.name, Unplaced { label: format!(": {shown}"), kind: Some(InlayHintKind::TYPE), tooltip }))
}

/// Whether the value's type can be read off the text: an instance, a literal.
fn says_its_type(value: &Expr) -> bool {
    match &value.kind {
        ExprKind::Apply { .. }
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Decimal(_)
        | ExprKind::Quantity { .. }
        | ExprKind::String(_)
        | ExprKind::None => true,
        ExprKind::Paren(inner) => says_its_type(inner),
        _ => false,
    }
}
