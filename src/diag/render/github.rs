//! GitHub Actions workflow commands: one `::error …::message` line per
//! diagnostic, which the runner turns into annotations on the pull request.

use super::Location;
use crate::diag::{Diagnostic, Severity};
use crate::source::Sources;

/// One annotation line per diagnostic.
pub fn render_github(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    diagnostics.iter().map(|d| annotation(d, sources) + "\n").collect()
}

fn annotation(diagnostic: &Diagnostic, sources: &Sources) -> String {
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let at = Location::of(diagnostic.primary.span, sources);
    let title = format!("{} {}", diagnostic.code, diagnostic.code.title());
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    for note in &diagnostic.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(&at.file),
        at.line,
        at.column,
        at.end_line,
        at.end_column,
        escape_property(&title),
        escape_data(&message)
    )
}

/// The runner reads `%`, CR and LF in a message as escapes.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Properties also end at `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::source::Span;

    #[test]
    fn one_escaped_line_per_diagnostic() {
        let mut sources = Sources::default();
        let file = sources.add("specs/a,b.mdl".into(), None, "layer core {\n  x = 1\n}\n".into());
        let diagnostic =
            Diagnostic::new(Code::UnknownName, "unknown name `y`: 100%", Span::new(file, 15, 16), "here")
                .with_help("did you mean `x`?");
        let text = render_github(&[diagnostic], &sources);
        assert_eq!(
            text,
            "::error file=specs/a%2Cb.mdl,line=2,col=3,endLine=2,endColumn=4,title=E0201 unknown name::unknown name `y`: 100%25%0Ahelp: did you mean `x`?\n"
        );
    }
}
