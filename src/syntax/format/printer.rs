//! The printer's state and the small pieces every layout rule shares.
//!
//! Rendering is a pure function of (node, [`Ctx`], [`Mode`]) returning text:
//! the same node at the same column always prints the same way. That is what
//! makes the alignment pass (which renders a field, measures it and may render
//! it again further right) and idempotence work.

use super::comments::{Comment, Comments};
use crate::source::Span;

/// Lines longer than this break their brackets.
pub const WIDTH: usize = 100;
/// One level of indentation.
pub const INDENT: usize = 2;

/// Where a node starts printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ctx {
    /// Indentation of the line the node starts on; broken brackets close here.
    pub indent: usize,
    /// Column (in characters) of the node's first character.
    pub col: usize,
}

impl Ctx {
    /// A node starting a fresh line at `indent`.
    pub fn line(indent: usize) -> Ctx {
        Ctx { indent, col: indent }
    }

    /// Where printing continues after `text`: further right, or on the last
    /// line `text` started (whose indentation becomes the new indent).
    pub fn after(self, text: &str) -> Ctx {
        match text.rfind(['\n', '\r']) {
            Some(i) => {
                let last = &text[i + 1..];
                let indent = last.len() - last.trim_start_matches(' ').len();
                Ctx { indent, col: width(last) }
            }
            None => Ctx { indent: self.indent, col: self.col + width(text) },
        }
    }

    /// The indentation one level in.
    pub fn inner(self) -> Ctx {
        Ctx::line(self.indent + INDENT)
    }
}

/// How a node may print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// On one line, as a part of a one-line bracket: fails (`None`) on any
    /// comment or on a bracket that was written over several lines.
    Flat,
    /// Any layout; brackets stay on one line when they may and fit.
    Fit,
}

/// Width of a one-line text in columns (characters).
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// Whether `text` fits on the line starting at `col`.
pub fn fits(col: usize, text: &str) -> bool {
    !text.contains(['\n', '\r']) && col + width(text) <= WIDTH
}

pub fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// The comments between two nodes, sorted into the line of the node before
/// and the lines of their own before the node after.
#[derive(Debug, Default)]
pub struct Gap {
    /// On the previous node's line (nothing but spaces before them).
    pub trailing: Vec<Comment>,
    /// On lines of their own; `true` when a blank line precedes the comment.
    pub leading: Vec<(bool, Comment)>,
    /// A blank line between the last comment (or the previous node) and the next node.
    pub blank_after: bool,
}

/// The source, its comments, and the rules shared by every node's printer.
pub struct Printer<'a> {
    pub src: &'a str,
    pub comments: Comments,
}

impl<'a> Printer<'a> {
    /// A printer over one file's text.
    pub fn new(src: &'a str) -> Printer<'a> {
        Printer { src, comments: Comments::scan(src) }
    }

    /// The text of a span, as written.
    pub fn slice(&self, span: Span) -> &'a str {
        self.src.get(span.range()).unwrap_or("")
    }

    /// The text between two offsets ("" when out of range).
    pub fn text(&self, from: usize, to: usize) -> &'a str {
        self.src.get(from..to).unwrap_or("")
    }

    /// Written on one line without comments: a bracket that may stay flat.
    pub fn flat_ok(&self, from: usize, to: usize) -> bool {
        !self.text(from, to).contains(['\n', '\r']) && !self.comments.any_between(from, to)
    }

    /// Where the token after `pos` starts (past spaces and comments).
    pub fn next_token(&self, pos: usize) -> usize {
        self.comments.skip_trivia(self.src, pos)
    }

    /// Just past the last token of a node. pest extends a rule that ends in
    /// an unmatched optional part (`bb = "x"` in `variant`, a match arm) over
    /// the spaces and comments after it; those belong to the gap that follows.
    pub fn end_of(&self, span: Span) -> usize {
        let bytes = self.src.as_bytes();
        let mut pos = (span.end as usize).min(bytes.len());
        loop {
            while pos > span.start as usize && bytes[pos - 1].is_ascii_whitespace() {
                pos -= 1;
            }
            match self.comments.ending_at(pos) {
                Some(c) if c.start >= span.start as usize => pos = c.start,
                _ => return pos,
            }
        }
    }

    /// A comment's text: line comments lose trailing spaces.
    pub fn comment(&self, c: &Comment) -> &'a str {
        let text = self.text(c.start, c.end);
        if c.is_line {
            text.trim_end()
        } else {
            text
        }
    }

    fn newlines(&self, from: usize, to: usize) -> usize {
        self.text(from, to).matches('\n').count()
    }

    /// Sort the comments in `from..to` into a [`Gap`].
    pub fn gap(&self, from: usize, to: usize) -> Gap {
        let mut gap = Gap::default();
        let mut prev = from;
        for c in self.comments.between(from, to) {
            let lines = self.newlines(prev, c.start);
            // A doc comment belongs to what follows it, so it never trails a line.
            let doc = is_doc(self.comment(c));
            if lines == 0 && gap.leading.is_empty() && !doc {
                gap.trailing.push(*c);
            } else {
                gap.leading.push((lines >= 2, *c));
            }
            prev = c.end;
        }
        gap.blank_after = self.newlines(prev, to) >= 2;
        gap
    }

    /// Comments in `from..to` printed before the next token on the same line:
    /// `/* c */ ` stays inline, `// c` ends the line and the token continues on
    /// the next at `indent`. In [`Mode::Flat`] any comment fails.
    pub fn lead(&self, from: usize, to: usize, indent: usize, mode: Mode) -> Option<String> {
        let mut out = String::new();
        for c in self.comments.between(from, to) {
            if mode == Mode::Flat {
                return None;
            }
            out.push_str(self.comment(c));
            if c.is_line {
                out.push('\n');
                out.push_str(&spaces(indent));
            } else {
                out.push(' ');
            }
        }
        Some(out)
    }

    /// Comments in `from..to` printed after the previous token: ` /* c */`
    /// or ` // c`. After a line comment the closing token that follows goes
    /// on a new line at `indent`; with `None` the caller starts that line.
    pub fn trail(&self, from: usize, to: usize, indent: Option<usize>, mode: Mode) -> Option<String> {
        let mut out = String::new();
        for c in self.comments.between(from, to) {
            if mode == Mode::Flat {
                return None;
            }
            out.push(' ');
            out.push_str(self.comment(c));
            if let (true, Some(indent)) = (c.is_line, indent) {
                out.push('\n');
                out.push_str(&spaces(indent));
            }
        }
        Some(out)
    }

    /// A number with its unit as written, spaced canonically: `2 GB`, `10%`.
    pub fn quantity(&self, span: Span) -> String {
        let text = self.slice(span);
        let digits = text.find(|c: char| !(c.is_ascii_digit() || c == '_' || c == '.')).unwrap_or(text.len());
        let (number, unit) = text.split_at(digits);
        let unit = unit.trim();
        if unit == "%" {
            format!("{number}%")
        } else {
            format!("{number} {unit}")
        }
    }
}

/// `///` (but not `////`) starts a doc comment.
pub(super) fn is_doc(comment: &str) -> bool {
    comment.starts_with("///") && !comment.starts_with("////")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn after_follows_the_last_line() {
        let ctx = Ctx { indent: 2, col: 6 };
        assert_eq!(ctx.after("abc"), Ctx { indent: 2, col: 9 });
        assert_eq!(ctx.after("x {\n    y"), Ctx { indent: 4, col: 5 });
    }

    #[test]
    fn quantities_are_spaced_canonically() {
        let src = "2GB 10% 0.5   vcpu 1_000 MiB";
        let printer = Printer::new(src);
        let at = |start, end| printer.quantity(Span::new(FileId(0), start, end));
        assert_eq!(at(0, 3), "2 GB");
        assert_eq!(at(4, 7), "10%");
        assert_eq!(at(8, 18), "0.5 vcpu");
        assert_eq!(at(19, 28), "1_000 MiB");
    }

    #[test]
    fn end_of_drops_trailing_comments_and_spaces() {
        let src = "a = \"x\" // note\n  /* more */ \n";
        let printer = Printer::new(src);
        assert_eq!(printer.end_of(Span::new(FileId(0), 0, src.len())), 7);
    }

    #[test]
    fn gaps_sort_trailing_from_leading() {
        let src = "a /* t */ // u\n\n// own\n/* own2 */\n\nb";
        let printer = Printer::new(src);
        let gap = printer.gap(1, src.len() - 1);
        let texts = |cs: Vec<&Comment>| cs.iter().map(|c| printer.comment(c)).collect::<Vec<_>>();
        assert_eq!(texts(gap.trailing.iter().collect()), ["/* t */", "// u"]);
        assert_eq!(texts(gap.leading.iter().map(|(_, c)| c).collect()), ["// own", "/* own2 */"]);
        assert_eq!(gap.leading.iter().map(|(blank, _)| *blank).collect::<Vec<_>>(), [true, false]);
        assert!(gap.blank_after);
    }

    #[test]
    fn lead_and_trail_in_flat_mode_refuse_comments() {
        let src = "a /* c */ b";
        let printer = Printer::new(src);
        assert_eq!(printer.lead(1, 10, 0, Mode::Flat), None);
        assert_eq!(printer.lead(1, 10, 0, Mode::Fit).as_deref(), Some("/* c */ "));
        assert_eq!(printer.trail(1, 10, Some(0), Mode::Fit).as_deref(), Some(" /* c */"));
    }
}
