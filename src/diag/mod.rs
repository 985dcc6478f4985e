//! Diagnostics: what every stage reports, and the one place they become text.
//!
//! Stages build [`Diagnostic`]s from their own error enums; `render` turns them
//! into terminal text or JSON. Codes are stable and listed in [`codes`], each
//! with an entry in `docs/diagnostics.md`.

pub mod codes;
pub mod render;

pub use codes::Code;

use crate::source::Span;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// `error` or `warning`, as shown and as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with what it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    /// A label on `span` saying `message`.
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label { span, message: message.into() }
    }
}

/// One problem found in the specs, located and explained.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// One line: what is wrong.
    pub message: String,
    /// Where it is wrong.
    pub primary: Label,
    /// Other places that explain it ("first defined here").
    pub secondary: Vec<Label>,
    /// How to fix it, when known ("did you mean `memory`?").
    pub help: Option<String>,
    /// Facts that help but are not a fix (which environment was being evaluated).
    pub notes: Vec<String>,
    /// The facts an editor needs to fix it for the user, when the stage knows them.
    pub fix: Option<Fix>,
}

/// A fix an editor can apply, as facts rather than text to parse.
#[derive(Debug, Clone, PartialEq)]
pub enum Fix {
    /// E0305: the cases no arm matches, each to be added as an arm (`spot`,
    /// `true`, or `_` for an open type).
    AddArms { cases: Vec<String> },
    /// E0302: what may be written instead of the primary span, likeliest
    /// first (`4` where a `memory` is expected: `4 MiB`, `4 GiB`).
    Replace { with: Vec<String> },
}

impl Diagnostic {
    /// An error with its code's severity, located at `span`.
    pub fn new(code: Code, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            primary: Label::new(span, label),
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
            fix: None,
        }
    }

    /// Add a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label::new(span, message));
        self
    }

    /// Set the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Set the help line when there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Set the facts an editor's quick fix reads.
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    /// Add a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sort by file and position, and drop exact repeats (the same problem found
/// while evaluating two environments is reported once).
pub fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.primary.span, a.code.as_str(), &a.message).cmp(&(b.primary.span, b.code.as_str(), &b.message))
    });
    diagnostics
        .dedup_by(|a, b| a.code == b.code && a.primary.span == b.primary.span && a.message == b.message);
}

/// The closest of `candidates` to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lowercase = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::jaro_winkler(&lowercase, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.82)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" when a candidate is close.
pub fn suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The name a help text written by [`suggestion`] suggests (the editor's
/// quick fix replaces the misspelt name with it).
pub fn suggested(help: &str) -> Option<&str> {
    help.strip_prefix("did you mean `")?.strip_suffix("`?").filter(|name| !name.contains('`'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("memroy", ["memory", "cpu", "port"]), Some("memory"));
        assert_eq!(did_you_mean("clustr", ["cluster", "image"]), Some("cluster"));
        assert_eq!(did_you_mean("zzz", ["memory", "cpu"]), None);
        let help = suggestion("memroy", ["memory"]).expect("a suggestion");
        assert_eq!(suggested(&help), Some("memory"));
        assert_eq!(suggested("set it: `x = ...`"), None);
    }
}
