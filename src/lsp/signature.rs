//! Signature help inside a record being written (`ecs.fargate_service {`,
//! `environment dev {`, `network = {`): every field the record takes, with
//! its type and default, the one being written highlighted.

use lsp_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, SignatureHelp,
    SignatureHelpParams, SignatureInformation,
};

use super::completion::fields_for;
use super::context::{self, Base, Context, Target};
use super::position;
use super::state::State;

/// The record's fields, when the cursor is inside one.
pub fn signature_help(state: &State, params: SignatureHelpParams) -> Option<SignatureHelp> {
    let at = params.text_document_position_params;
    let view = state.view(&at.text_document.uri)?;
    let offset = position::offset(view.text, at.position);
    let (target, current) = match context::context(view.text, offset) {
        Context::FieldName { target, .. } => (target, None),
        Context::FieldValue { target, field } => (target, Some(field)),
        Context::Silent | Context::AfterDot(_) | Context::Anywhere => return None,
    };
    let fields = fields_for(&view, offset, &target);
    if fields.is_empty() {
        return None;
    }
    let mut label = format!("{} {{ ", title(&target));
    let mut parameters = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            label.push_str(", ");
        }
        let text = view
            .workspace()
            .sources
            .slice(crate::source::Span { start: field.name.span.start, ..field.span });
        let text = text.lines().next().unwrap_or("").trim_end_matches([',', ' ', '{']);
        let start = label.encode_utf16().count() as u32;
        label.push_str(text);
        let end = label.encode_utf16().count() as u32;
        parameters.push(ParameterInformation {
            label: ParameterLabel::LabelOffsets([start, end]),
            documentation: field.doc.as_ref().map(|doc| {
                Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: doc.clone() })
            }),
        });
    }
    label.push_str(" }");
    let active = current.and_then(|name| fields.iter().position(|f| f.name.text == name)).map(|i| i as u32);
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label,
            documentation: None,
            parameters: Some(parameters),
            active_parameter: active,
        }],
        active_signature: Some(0),
        active_parameter: active,
    })
}

/// How the record is named in the signature: `ecs.fargate_service`,
/// `environment`, `ecs.fargate_service.network`.
fn title(target: &Target) -> String {
    let base = match &target.base {
        Base::Path(path) => path.clone(),
        Base::Settings => "environment".to_string(),
    };
    std::iter::once(base).chain(target.fields.iter().cloned()).collect::<Vec<_>>().join(".")
}
