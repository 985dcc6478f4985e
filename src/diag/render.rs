//! Rendering diagnostics: terminal text (ariadne), JSON, GitHub annotations and SARIF.
//!
//! Input: [`Diagnostic`]s and the [`Sources`] their spans point into. Output:
//! text. This is the one place diagnostics become text; stages never format
//! for the terminal. Rendering never panics on odd spans: offsets past the end
//! of a file or inside a multi-byte character are clamped first.

mod github;
mod human;
mod json;
mod sarif;

pub use github::render_github;
pub use human::{render_human, render_human_all, SourceCache};
pub use json::{render_json, JsonDiagnostic, JsonReport};
pub use sarif::render_sarif;

use crate::source::{Sources, Span};

/// Where a span is, in the terms users and tools count in: 1-based lines and
/// columns in characters. `end_*` points just past the last character.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Location {
    /// The location of `span`; a span of an unknown file is `<unknown>` at 1:1.
    pub fn of(span: Span, sources: &Sources) -> Location {
        let Some(file) = sources.get(span.file) else {
            return Location { file: "<unknown>".into(), line: 1, column: 1, end_line: 1, end_column: 1 };
        };
        let range = clamp(span, &file.text);
        let (line, column) = file.line_column(range.start);
        let (end_line, end_column) = file.line_column(range.end);
        Location { file: file.name.clone(), line, column, end_line, end_column }
    }
}

/// The byte range of `span` inside `text`, moved onto character boundaries
/// (start rounds down, end rounds up), kept within the text, and without
/// trailing whitespace: a label never ends on the blank lines after its text
/// (pest includes them in rules that end with an optional repetition).
pub(crate) fn clamp(span: Span, text: &str) -> std::ops::Range<usize> {
    let mut start = (span.start as usize).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (span.end as usize).clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let trimmed = text[start..end].trim_end().len();
    if trimmed > 0 {
        end = start + trimmed;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn clamps_into_char_boundaries_and_text() {
        let text = "aé b";
        // 'é' is bytes 1..3: a span starting or ending inside it widens to cover it.
        assert_eq!(clamp(Span::new(FileId(0), 2, 2), text), 1..3);
        assert_eq!(clamp(Span::new(FileId(0), 0, 2), text), 0..3);
        assert_eq!(clamp(Span::new(FileId(0), 40, 90), text), 5..5);
        // Trailing blanks are not part of a label; an all-blank span keeps its place.
        assert_eq!(clamp(Span::new(FileId(0), 0, 4), text), 0..3);
        assert_eq!(clamp(Span::new(FileId(0), 3, 4), text), 3..4);
    }

    #[test]
    fn locations_count_characters_from_one() {
        let mut sources = Sources::default();
        let file = sources.add("a.mdl".into(), None, "é = 1\nxy = ñ\n".into());
        let at = Location::of(Span::new(file, 12, 14), &sources);
        assert_eq!(at, Location { file: "a.mdl".into(), line: 2, column: 6, end_line: 2, end_column: 7 });
    }
}
