//! JSON: one object `{"diagnostics": [...], "errors": N, "warnings": N}`.
//!
//! The schema is documented at the top of `docs/diagnostics.md` and is
//! stable: fields may be added, never renamed or removed.

use serde::Serialize;

use super::Location;
use crate::diag::{Diagnostic, Label};
use crate::source::Sources;

/// The whole JSON document.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    pub diagnostics: Vec<JsonDiagnostic>,
    pub errors: usize,
    pub warnings: usize,
}

/// One diagnostic: its primary location flattened in, every label listed.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: &'static str,
    pub message: String,
    #[serde(flatten)]
    pub location: Location,
    /// The primary label first (`"primary": true`), then the secondary ones.
    pub labels: Vec<JsonLabel>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

/// A labelled span.
#[derive(Debug, Serialize)]
pub struct JsonLabel {
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
    pub primary: bool,
}

impl JsonReport {
    /// The report for `diagnostics`, located in `sources`.
    pub fn new(diagnostics: &[Diagnostic], sources: &Sources) -> JsonReport {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        JsonReport {
            diagnostics: diagnostics.iter().map(|d| JsonDiagnostic::new(d, sources)).collect(),
            errors,
            warnings: diagnostics.len() - errors,
        }
    }
}

impl JsonDiagnostic {
    fn new(diagnostic: &Diagnostic, sources: &Sources) -> JsonDiagnostic {
        let mut labels = vec![JsonLabel::new(&diagnostic.primary, true, sources)];
        labels.extend(diagnostic.secondary.iter().map(|l| JsonLabel::new(l, false, sources)));
        JsonDiagnostic {
            code: diagnostic.code.as_str(),
            severity: diagnostic.severity.as_str(),
            message: diagnostic.message.clone(),
            location: Location::of(diagnostic.primary.span, sources),
            labels,
            help: diagnostic.help.clone(),
            notes: diagnostic.notes.clone(),
        }
    }
}

impl JsonLabel {
    fn new(label: &Label, primary: bool, sources: &Sources) -> JsonLabel {
        JsonLabel { location: Location::of(label.span, sources), message: label.message.clone(), primary }
    }
}

/// The JSON document for `diagnostics`, pretty-printed, ending with a newline.
pub fn render_json(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let report = JsonReport::new(diagnostics, sources);
    // Serializing plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| String::from("{}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::source::Span;

    #[test]
    fn schema_fields_in_order() {
        let mut sources = Sources::default();
        let file = sources.add("a.mdl".into(), None, "x = y\n".into());
        let diagnostic =
            Diagnostic::new(Code::UnknownName, "unknown name `y`", Span::new(file, 4, 5), "here")
                .with_label(Span::new(file, 0, 1), "bound here");
        let value: serde_json::Value =
            serde_json::from_str(&render_json(&[diagnostic], &sources)).expect("valid JSON");
        assert_eq!(value["errors"], 1);
        assert_eq!(value["warnings"], 0);
        let first = &value["diagnostics"][0];
        let keys: Vec<&str> = first.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "code",
                "severity",
                "message",
                "file",
                "line",
                "column",
                "end_line",
                "end_column",
                "labels",
                "help",
                "notes"
            ]
        );
        assert_eq!(first["column"], 5);
        assert_eq!(first["end_column"], 6);
        assert_eq!(first["labels"][0]["primary"], true);
        assert_eq!(first["labels"][1]["primary"], false);
        assert_eq!(first["labels"][1]["message"], "bound here");
        assert!(first["help"].is_null());
    }
}
