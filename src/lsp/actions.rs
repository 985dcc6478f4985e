//! Code actions: quick fixes for the diagnostics the editor shows at the
//! cursor. A "did you mean `x`?" replaces the misspelt name with `x`; a
//! missing required field (E0210) is added to the record, for the user to
//! give it a value; the cases a `match` misses (E0305) are added as arms, for
//! the user to give each its value; a bare number where a quantity is
//! expected (E0302) is written with a unit, one action per unit.
//!
//! The fixes read the diagnostics the editor sends back (the server's own,
//! as published), so they apply to the text the editor shows. The facts a fix
//! needs travel in the diagnostic's `data` ([`crate::diag::Fix`], filled
//! where diagnostics are converted), so no fix parses a message it did not
//! write for that purpose.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, NumberOrString, TextEdit,
    Url, WorkspaceEdit,
};

use super::context;
use super::position;
use super::state::State;
use crate::diag::{self, Code};

/// The quick fixes for the diagnostics in the request's range.
pub fn code_actions(state: &State, params: CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let url = params.text_document.uri;
    let text = state.documents.text(&url)?;
    let mut actions = Vec::new();
    for diagnostic in &params.context.diagnostics {
        if diagnostic.source.as_deref() != Some("mdl") {
            continue;
        }
        if let Some(action) = replace_with_suggestion(&url, diagnostic) {
            actions.push(action);
        }
        if code_of(diagnostic) == Some(Code::MissingField.as_str()) {
            actions.extend(add_missing_fields(&url, text, diagnostic));
        }
        if let Some(cases) = data_list(diagnostic, "add_arms") {
            actions.extend(add_missing_arms(&url, text, diagnostic, &cases));
        }
        if let Some(writings) = data_list(diagnostic, "replace_with") {
            actions.extend(write_instead(&url, diagnostic, &writings));
        }
    }
    Some(actions.into_iter().map(CodeActionOrCommand::CodeAction).collect())
}

fn code_of(diagnostic: &Diagnostic) -> Option<&str> {
    match &diagnostic.code {
        Some(NumberOrString::String(code)) => Some(code),
        _ => None,
    }
}

/// The strings a fix lists under `key` in the diagnostic's `data`.
fn data_list(diagnostic: &Diagnostic, key: &str) -> Option<Vec<String>> {
    let list = diagnostic.data.as_ref()?.get(key)?.as_array()?;
    list.iter().map(|item| item.as_str().map(str::to_string)).collect()
}

/// E0302 `4` where a memory is expected: one action per writing, `4 MiB`
/// (the help's, preferred), `4 GiB`.
fn write_instead(url: &Url, diagnostic: &Diagnostic, writings: &[String]) -> Vec<CodeAction> {
    writings
        .iter()
        .enumerate()
        .map(|(index, written)| {
            let edit = TextEdit { range: diagnostic.range, new_text: written.clone() };
            let mut action = quick_fix(format!("Write `{written}`"), url, vec![edit], diagnostic);
            action.is_preferred = Some(index == 0);
            action
        })
        .collect()
}

/// E0305: each missing case as an arm `case => ` before the match's closing
/// brace, indented like the arms above it.
fn add_missing_arms(url: &Url, text: &str, diagnostic: &Diagnostic, cases: &[String]) -> Option<CodeAction> {
    if cases.is_empty() {
        return None;
    }
    // The diagnostic points at `match scrutinee`; the arms' block follows.
    let (open, close) = braces_after(text, diagnostic)?;
    let arms: Vec<String> = cases.iter().map(|case| format!("{case} => ")).collect();
    let (insert_at, new_text) = if text[open..close].contains('\n') {
        arms_over_lines(text, open, close, &arms)
    } else {
        let before = text[..close].trim_end();
        let separator = if before.ends_with('{') || before.ends_with(',') { " " } else { ", " };
        (before.len(), format!("{separator}{} ", arms.join(", ").trim_end()))
    };
    let at = position::position(text, insert_at);
    let edit = TextEdit { range: lsp_types::Range { start: at, end: at }, new_text };
    let title =
        format!("Add the missing arm{} `{}`", if cases.len() == 1 { "" } else { "s" }, cases.join("`, `"));
    Some(quick_fix(title, url, vec![edit], diagnostic))
}

/// Arms on lines of their own, at the indent of the first arm (or one step
/// in from the closing brace when there is none), and the brace on its own line.
fn arms_over_lines(text: &str, open: usize, close: usize, arms: &[String]) -> (usize, String) {
    let close_line = text[..close].rfind('\n').map_or(0, |i| i + 1);
    let close_indent: String = text[close_line..close].chars().take_while(|c| c.is_whitespace()).collect();
    let first_arm = text[open + 1..close].lines().skip(1).find(|line| !line.trim().is_empty());
    let indent = match first_arm {
        Some(line) => line.chars().take_while(|c| c.is_whitespace()).collect(),
        None => format!("{close_indent}  "),
    };
    let lines: String = arms.iter().map(|arm| format!("{indent}{arm}\n")).collect();
    if text[close_line..close].trim().is_empty() {
        // `}` alone on its line: the arms go on lines of their own above it.
        (close_line, lines)
    } else {
        let before = text[..close].trim_end().len();
        (before, format!("\n{lines}{close_indent}"))
    }
}

/// The offsets of the `{` that follows what `diagnostic` points at (after
/// any whitespace) and of its matching `}`: a match's arms, a record.
fn braces_after(text: &str, diagnostic: &Diagnostic) -> Option<(usize, usize)> {
    let end = position::offset(text, diagnostic.range.end);
    let open = end + text[end..].find(|c: char| !c.is_whitespace())?;
    if !text[open..].starts_with('{') {
        return None;
    }
    Some((open, context::record_end(text, open)?))
}

/// "did you mean `x`?": write `x` where the diagnostic points.
fn replace_with_suggestion(url: &Url, diagnostic: &Diagnostic) -> Option<CodeAction> {
    let help = diagnostic.message.lines().find_map(|line| line.strip_prefix("help: "))?;
    let name = diag::suggested(help)?;
    let edit = TextEdit { range: diagnostic.range, new_text: name.to_string() };
    Some(quick_fix(format!("Replace with `{name}`"), url, vec![edit], diagnostic))
}

/// `missing fields `a`, `b` in ...`: add `a = ` and `b = ` before the
/// record's closing brace.
fn add_missing_fields(url: &Url, text: &str, diagnostic: &Diagnostic) -> Option<CodeAction> {
    let first_line = diagnostic.message.lines().next()?;
    let listed = first_line.strip_prefix("missing field")?.split(" in ").next()?;
    let names: Vec<&str> = listed.split('`').skip(1).step_by(2).collect();
    if names.is_empty() {
        return None;
    }
    // The diagnostic points at what is instantiated; its record follows.
    let (open, close) = braces_after(text, diagnostic)?;
    let record = &text[open..=close];
    let new_text = if record.contains('\n') {
        let line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
        let indent: String = text[line_start..close].chars().take_while(|c| c.is_whitespace()).collect();
        let all_blank = text[line_start..close].trim().is_empty();
        let fields: String = names.iter().map(|n| format!("{indent}  {n} = \n")).collect();
        if all_blank {
            format!("{}{indent}", fields.strip_prefix(indent.as_str()).unwrap_or(&fields))
        } else {
            format!("\n{fields}{indent}")
        }
    } else {
        let before = text[..close].trim_end();
        let separator = if before.ends_with('{') || before.ends_with(',') { " " } else { ", " };
        let fields: Vec<String> = names.iter().map(|n| format!("{n} = ")).collect();
        format!("{separator}{}", fields.join(", ").trim_end())
    };
    let insert_at = if record.contains('\n') { close } else { text[..close].trim_end().len() };
    let at = position::position(text, insert_at);
    let edit = TextEdit { range: lsp_types::Range { start: at, end: at }, new_text };
    let title =
        format!("Add the missing field{} `{}`", if names.len() == 1 { "" } else { "s" }, names.join("`, `"));
    Some(quick_fix(title, url, vec![edit], diagnostic))
}

fn quick_fix(title: String, url: &Url, edits: Vec<TextEdit>, diagnostic: &Diagnostic) -> CodeAction {
    let changes = HashMap::from([(url.clone(), edits)]);
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
        is_preferred: Some(true),
        ..CodeAction::default()
    }
}
