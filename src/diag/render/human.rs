//! Terminal text: a rustc-style header (`error[E0201]: unknown name`), the
//! source snippet with labels drawn by ariadne, then `help:` and `note:` lines.
//!
//! ariadne draws the snippet; the header and the help/note lines are ours, so
//! the code reads `error[E0201]` and colors follow the caller's choice alone
//! (ariadne colors a custom header kind even when asked not to).

use std::collections::hash_map::{Entry, HashMap};
use std::fmt;
use std::ops::Range;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};

use super::{clamp, Location};
use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, Sources, Span};

/// A span as ariadne takes it: a file and a byte range.
type AriadneSpan = (FileId, Range<usize>);

/// Lines longer than this are not drawn: a 1 MB minified line would flood
/// the terminal and say nothing the location does not.
const MAX_SNIPPET_LINE: usize = 400;

/// An ariadne [`ariadne::Cache`] over a workspace's [`Sources`]: each file's
/// line table is built once, however many diagnostics point into it.
pub struct SourceCache<'a> {
    sources: &'a Sources,
    built: HashMap<FileId, ariadne::Source<&'a str>>,
}

impl<'a> SourceCache<'a> {
    /// A cache that reads from `sources`.
    pub fn new(sources: &'a Sources) -> SourceCache<'a> {
        SourceCache { sources, built: HashMap::new() }
    }
}

impl<'a> ariadne::Cache<FileId> for SourceCache<'a> {
    type Storage = &'a str;

    fn fetch(&mut self, id: &FileId) -> Result<&ariadne::Source<&'a str>, impl fmt::Debug> {
        let sources = self.sources;
        match self.built.entry(*id) {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(entry) => match sources.get(*id) {
                Some(file) => Ok(entry.insert(ariadne::Source::from(file.text.as_str()))),
                None => Err(format!("no source file {}", id.0)),
            },
        }
    }

    fn display<'b>(&self, id: &'b FileId) -> Option<impl fmt::Display + 'b> {
        self.sources.get(*id).map(|file| file.name.clone())
    }
}

/// One diagnostic as terminal text, ending with a newline.
pub fn render_human(diagnostic: &Diagnostic, sources: &Sources, color: bool) -> String {
    render_with(diagnostic, &mut SourceCache::new(sources), color)
}

/// Every diagnostic, separated by blank lines, sharing one source cache.
pub fn render_human_all(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let mut cache = SourceCache::new(sources);
    let rendered: Vec<String> = diagnostics.iter().map(|d| render_with(d, &mut cache, color)).collect();
    rendered.join("\n")
}

fn render_with(diagnostic: &Diagnostic, cache: &mut SourceCache<'_>, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = header(diagnostic, paint);
    let snippet = if can_draw(diagnostic.primary.span, cache.sources) {
        snippet(diagnostic, cache, color)
    } else {
        None
    };
    match snippet {
        Some(text) => out.push_str(&text),
        None => out.push_str(&plain_body(diagnostic, cache.sources, paint)),
    }
    out.push_str(&footer(diagnostic, paint));
    out
}

/// `  = help: ...` then `  = note: ...` lines, as rustc prints them.
fn footer(diagnostic: &Diagnostic, paint: Paint) -> String {
    let help = diagnostic.help.iter().map(|text| ("help", text));
    let notes = diagnostic.notes.iter().map(|text| ("note", text));
    help.chain(notes)
        .map(|(kind, text)| format!("  {} {text}\n", paint.bold(&format!("= {kind}:"))))
        .collect()
}

/// `error[E0201]: unknown name `x``
fn header(diagnostic: &Diagnostic, paint: Paint) -> String {
    let kind = format!("{}[{}]", diagnostic.severity.as_str(), diagnostic.code);
    let kind = match diagnostic.severity {
        Severity::Error => paint.red(&kind),
        Severity::Warning => paint.yellow(&kind),
    };
    format!("{kind}{}\n", paint.bold(&format!(": {}", diagnostic.message)))
}

/// Whether ariadne can draw a snippet for `span`: its file has text, and no
/// line it touches is too long to show.
fn can_draw(span: Span, sources: &Sources) -> bool {
    let Some(file) = sources.get(span.file) else { return false };
    if file.text.is_empty() {
        return false;
    }
    let range = clamp(span, &file.text);
    // LF, CRLF and a lone CR each end a line, as in the lexer.
    let line_start = file.text[..range.start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line_end = file.text[range.end..].find(['\n', '\r']).map_or(file.text.len(), |i| range.end + i);
    line_end - line_start <= MAX_SNIPPET_LINE * 4
        && file.text[line_start..line_end].split(['\n', '\r']).all(short_line)
}

fn short_line(line: &str) -> bool {
    line.len() <= MAX_SNIPPET_LINE || line.chars().count() <= MAX_SNIPPET_LINE
}

/// The snippet drawn by ariadne, without its own header line.
fn snippet(diagnostic: &Diagnostic, cache: &mut SourceCache<'_>, color: bool) -> Option<String> {
    let sources = cache.sources;
    let primary = ariadne_span(diagnostic.primary.span, sources);
    let (label_color, kind) = match diagnostic.severity {
        Severity::Error => (Color::Red, ReportKind::Error),
        Severity::Warning => (Color::Yellow, ReportKind::Warning),
    };
    let config = Config::default().with_color(color).with_index_type(IndexType::Byte);
    let mut report = Report::build(kind, primary.clone()).with_config(config);
    report.add_label(label(primary, &diagnostic.primary.message, label_color, color));
    for secondary in &diagnostic.secondary {
        if can_draw(secondary.span, sources) {
            let span = ariadne_span(secondary.span, sources);
            report.add_label(label(span, &secondary.message, Color::Blue, color));
        }
    }
    let mut buffer = Vec::new();
    report.finish().write(&mut *cache, &mut buffer).ok()?;
    let text = String::from_utf8_lossy(&buffer).into_owned();
    // The first line is ariadne's own header; ours replaces it.
    let body = text.split_once('\n').map_or("", |(_, rest)| rest);
    // ariadne pads label lines with spaces; trailing blanks only make diffs noisy.
    let mut body: String = body.lines().map(|line| format!("{}\n", line.trim_end())).collect();
    for secondary in diagnostic.secondary.iter().filter(|l| !can_draw(l.span, sources)) {
        body.push_str(&located_line("note", &secondary.message, secondary.span, sources));
    }
    Some(body)
}

fn label(span: AriadneSpan, message: &str, color: Color, on: bool) -> Label<AriadneSpan> {
    let label = Label::new(span);
    let label = if message.is_empty() { label } else { label.with_message(message) };
    if on {
        label.with_color(color)
    } else {
        label
    }
}

/// The span as ariadne wants it: byte offsets on character boundaries, never
/// empty when there is a character to point at (ariadne draws nothing for an
/// empty span).
fn ariadne_span(span: Span, sources: &Sources) -> AriadneSpan {
    let text = sources.get(span.file).map_or("", |f| f.text.as_str());
    let mut range = clamp(span, text);
    if range.is_empty() {
        if let Some(c) = text[range.start..].chars().next() {
            range.end = range.start + c.len_utf8();
        } else if let Some(c) = text[..range.start].chars().next_back() {
            range.start -= c.len_utf8();
        }
    }
    (span.file, range)
}

/// A diagnostic whose file has no text to show (it could not be read) or
/// whose line is too long: the location and the labels as plain lines.
fn plain_body(diagnostic: &Diagnostic, sources: &Sources, paint: Paint) -> String {
    let at = Location::of(diagnostic.primary.span, sources);
    let empty = !sources.get(diagnostic.primary.span.file).is_some_and(|f| !f.text.is_empty());
    let mut out = if empty {
        format!("  {} {}\n", paint.bold("-->"), at.file)
    } else {
        format!("  {} {}:{}:{}\n", paint.bold("-->"), at.file, at.line, at.column)
    };
    if !diagnostic.primary.message.is_empty() {
        out.push_str(&format!("  {} {}\n", paint.bold("= label:"), diagnostic.primary.message));
    }
    for secondary in &diagnostic.secondary {
        out.push_str(&located_line("note", &secondary.message, secondary.span, sources));
    }
    out
}

/// `  = note: first defined here (a.mdl:3:5)`
fn located_line(kind: &str, message: &str, span: Span, sources: &Sources) -> String {
    let at = Location::of(span, sources);
    format!("  = {kind}: {message} ({}:{}:{})\n", at.file, at.line, at.column)
}

/// ANSI styling that is a no-op when colors are off.
#[derive(Clone, Copy)]
struct Paint {
    on: bool,
}

impl Paint {
    fn style(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn bold(self, text: &str) -> String {
        self.style("1", text)
    }

    fn red(self, text: &str) -> String {
        self.style("1;31", text)
    }

    fn yellow(self, text: &str) -> String {
        self.style("1;33", text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    fn sources_with(text: &str) -> (Sources, FileId) {
        let mut sources = Sources::default();
        let file = sources.add("specs/a.mdl".into(), None, text.into());
        (sources, file)
    }

    #[test]
    fn header_has_code_and_snippet_has_labels() {
        let (sources, file) = sources_with("layer core {\n  x = clustr\n}\n");
        let diagnostic = Diagnostic::new(
            Code::UnknownName,
            "unknown name `clustr`",
            Span::new(file, 19, 25),
            "not in scope",
        )
        .with_help("did you mean `cluster`?")
        .with_note("names are case-sensitive");
        let text = render_human(&diagnostic, &sources, false);
        assert!(text.starts_with("error[E0201]: unknown name `clustr`\n"), "{text}");
        assert!(text.contains("specs/a.mdl:2:7"), "{text}");
        assert!(text.contains("not in scope"), "{text}");
        assert!(text.contains("  = help: did you mean `cluster`?\n"), "{text}");
        assert!(text.contains("  = note: names are case-sensitive\n"), "{text}");
        assert!(!text.contains('\x1b'), "colors off means no escapes: {text}");
    }

    #[test]
    fn file_without_text_gets_a_plain_header() {
        let (sources, file) = sources_with("");
        let diagnostic =
            Diagnostic::new(Code::UnreadableFile, "cannot read `a.mdl`", Span::new(file, 0, 0), "");
        let text = render_human(&diagnostic, &sources, false);
        assert_eq!(text, "error[E0102]: cannot read `a.mdl`\n  --> specs/a.mdl\n");
    }

    #[test]
    fn odd_spans_do_not_panic() {
        let (sources, file) = sources_with("é\n");
        for (start, end) in [(0, 0), (1, 1), (1, 2), (2, 99), (99, 99), (3, 3)] {
            let diagnostic = Diagnostic::new(Code::SyntaxError, "x", Span::new(file, start, end), "here")
                .with_label(Span::new(FileId(7), 0, 1), "unknown file");
            let _ = render_human(&diagnostic, &sources, true);
        }
    }
}
