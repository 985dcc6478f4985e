//! Cutting text that does not parse into pieces that may: top-level items,
//! or the members of one block.
//!
//! Input: a range of a file's text and the [`Level`] to cut at. Output: the
//! [`Piece`]s that tile the range, each with the lexical [`Problem`]s found in
//! it (an unterminated string or block comment, an unclosed bracket), located
//! where the construct *starts*.
//!
//! The scanner knows strings (with `${..}` interpolations, which hold code),
//! comments and brackets, nothing else. A piece starts on a line whose first
//! word starts an item (or a member), together with the doc comments right
//! above it, when no bracket or string is open. Such a line at the left margin
//! of the level (column 0 for items, the indentation of the first member for
//! members) starts a piece even when something is still open: whatever is open
//! there was never closed, and is reported where it was opened. This is what
//! keeps one missing `}` or `"` from swallowing the rest of the file.

use std::ops::Range;

use crate::syntax::{depth, lexical};

/// Words that start a top-level item. A new kind of declaration adds its
/// keyword here (see docs/language-changes.md).
pub const ITEM_KEYWORDS: &[&str] =
    &["import", "project", "environment", "layer", "construct", "type", "enum"];

/// Words that start a member of a block whatever follows them.
const MEMBER_KEYWORDS: &[&str] = &[
    "publish",
    "secret",
    "service",
    "pipeline",
    "output",
    "resource",
    "require",
    "stage",
    "environments",
    "settings",
];

/// What to cut a range into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Top-level items: a piece starts at an item keyword.
    Items,
    /// Members of a layer, construct, project or environment: a piece starts
    /// at a member keyword or at `name =` / `name:`, and after a `,`.
    Members,
    /// Variants of an enum: a piece starts at any name, and after a `,`.
    Variants,
}

/// A lexical problem, located where the unfinished construct starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A string whose closing `"` is missing; `quote` is its opening quote.
    UnterminatedString { quote: usize },
    /// A `/*` never closed by `*/`.
    UnterminatedComment { open: usize },
    /// A bracket never closed; `next` is where the next piece started, if
    /// that is what showed it was never closed.
    Unclosed { open: usize, bracket: u8, next: Option<usize> },
}

impl Problem {
    /// Where the problem is reported.
    pub fn offset(self) -> usize {
        match self {
            Problem::UnterminatedString { quote } => quote,
            Problem::UnterminatedComment { open } => open,
            Problem::Unclosed { open, .. } => open,
        }
    }
}

/// One piece of the range, and what the scanner found wrong in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub range: Range<usize>,
    pub problems: Vec<Problem>,
}

/// Something open at the current position.
#[derive(Debug, Clone, Copy)]
enum Frame {
    Bracket { open: usize, byte: u8 },
    String { quote: usize },
    Interpolation,
}

/// Cut `range` of `text` into pieces at `level`. A block body ends at the
/// first closing bracket that closes nothing in it: pass the range from just
/// after its `{`.
pub fn cut(text: &str, range: Range<usize>, level: Level) -> Vec<Piece> {
    cut_with(text, range, level, true)
}

/// [`cut`], choosing whether a piece start at the margin closes what is
/// open. Without it, a block whose members are indented like their nested
/// fields is still cut right; with it, an unclosed bracket costs one member.
pub fn cut_with(text: &str, range: Range<usize>, level: Level, use_margin: bool) -> Vec<Piece> {
    let margin = match level {
        _ if !use_margin => None,
        Level::Items => Some(0),
        Level::Members | Level::Variants => member_margin(text.as_bytes(), range.clone()),
    };
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        level,
        margin,
        stack: Vec::new(),
        open_strings: Vec::new(),
        problems: Vec::new(),
        multiline_string: None,
        pieces: Vec::new(),
        piece_start: range.start,
        doc_run: None,
        body_end: None,
        unclosed_comment: false,
    };
    scanner.run(range);
    scanner.pieces
}

/// The indentation of the first line of a block body that holds something,
/// when the body does not start on the line of its `{`.
fn member_margin(bytes: &[u8], range: Range<usize>) -> Option<usize> {
    let first_line_end = bytes[range.clone()].iter().position(|&b| lexical::is_line_end(b))?;
    if !is_blank(bytes, range.start..range.start + first_line_end) {
        return None;
    }
    let mut line = range.start + first_line_end;
    while line < range.end {
        while line < range.end && lexical::is_line_end(bytes[line]) {
            line += 1;
        }
        let indent = bytes[line..range.end].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
        let first = line + indent;
        if first < range.end && !lexical::is_line_end(bytes[first]) {
            return Some(indent);
        }
        line = first;
    }
    None
}

/// Whether `range` holds only whitespace and comments (doc comments count as
/// content: they belong to the next item).
pub fn is_blank(bytes: &[u8], range: Range<usize>) -> bool {
    let mut i = range.start;
    while i < range.end {
        if bytes[i..].starts_with(b"///") && !bytes[i..].starts_with(b"////") {
            return false;
        }
        if let Some(end) = lexical::comment_end(bytes, i) {
            i = end;
            continue;
        }
        if !matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') && !bytes[i..].starts_with("\u{FEFF}".as_bytes())
        {
            return false;
        }
        i += 1;
    }
    true
}

struct Scanner<'a> {
    bytes: &'a [u8],
    level: Level,
    /// A piece start at this indentation or less closes whatever is open.
    margin: Option<usize>,
    stack: Vec<Frame>,
    /// The quotes of the strings in `stack`, innermost last (a line end
    /// asks for it, and the stack may be deep).
    open_strings: Vec<usize>,
    problems: Vec<Problem>,
    /// The first string of the piece that ran past the end of its line: when
    /// a string is left unterminated, the quote missing is most likely its.
    multiline_string: Option<usize>,
    pieces: Vec<Piece>,
    piece_start: usize,
    /// Where the doc comments right above the current line start.
    doc_run: Option<usize>,
    /// In a block body: the closer that ends it.
    body_end: Option<usize>,
    /// A block comment was left unclosed.
    unclosed_comment: bool,
}

impl Scanner<'_> {
    fn run(&mut self, range: Range<usize>) {
        let end = range.end;
        let mut i = range.start;
        let mut line_start = true;
        while i < end {
            if line_start {
                line_start = false;
                self.line(i, end);
            }
            let byte = self.bytes[i];
            if lexical::is_line_end(byte) {
                if let Some(&quote) = self.open_strings.last() {
                    self.multiline_string.get_or_insert(quote);
                }
                line_start = true;
                i += 1;
                continue;
            }
            i = match self.stack.last() {
                Some(Frame::String { .. }) => self.string_byte(i),
                _ => self.code_byte(i, end),
            };
        }
        let end = self.body_end.unwrap_or(end);
        self.close_all(None);
        self.finish_piece(end);
    }

    /// At the start of a line: does a piece start here?
    fn line(&mut self, start: usize, end: usize) {
        let indent = self.bytes[start..end].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
        let first = start + indent;
        let rest = &self.bytes[first..end];
        let in_code = !matches!(self.stack.last(), Some(Frame::String { .. }));
        if rest.starts_with(b"///") && !rest.starts_with(b"////") {
            if in_code && self.stack.is_empty() {
                self.doc_run.get_or_insert(start);
            }
            return;
        }
        if rest.first().map_or(true, |&b| lexical::is_line_end(b)) {
            return;
        }
        let starts = self.starts_piece(first, end);
        let at_margin = self.margin.is_some_and(|margin| indent <= margin);
        if starts && ((in_code && self.stack.is_empty()) || at_margin) {
            let cut = self.doc_run.unwrap_or(start);
            self.close_all(Some(first));
            self.finish_piece(cut);
        }
        self.doc_run = None;
    }

    /// Whether the text at `at` (the first token of a line) starts a piece.
    fn starts_piece(&self, at: usize, end: usize) -> bool {
        let rest = &self.bytes[at..end];
        let word_len = rest.iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_').count();
        let word = std::str::from_utf8(&rest[..word_len]).unwrap_or("");
        match self.level {
            Level::Items => ITEM_KEYWORDS.contains(&word),
            Level::Variants => word_len > 0 && !rest[0].is_ascii_digit(),
            Level::Members if MEMBER_KEYWORDS.contains(&word) => true,
            Level::Members => {
                let name_end = if rest.first() == Some(&b'"') {
                    // Only this line: a quote left open must not make every
                    // line's check scan to the end of the text.
                    let line_end = at + lexical::line_comment_end(&self.bytes[at..end], 0);
                    lexical::string_end(&self.bytes[..line_end], at) - at
                } else {
                    word_len
                };
                name_end > 0 && binds_or_declares(&rest[name_end..])
            }
        }
    }

    fn string_byte(&mut self, i: usize) -> usize {
        match self.bytes[i] {
            // An escape takes the next byte, unless it ends the line.
            b'\\' if self.bytes.get(i + 1).is_some_and(|&b| !lexical::is_line_end(b)) => i + 2,
            b'"' => {
                self.stack.pop();
                self.open_strings.pop();
                i + 1
            }
            b'$' if self.bytes.get(i + 1) == Some(&b'{') => {
                self.stack.push(Frame::Interpolation);
                i + 2
            }
            _ => i + 1,
        }
    }

    fn code_byte(&mut self, i: usize, end: usize) -> usize {
        match self.bytes[i] {
            b'/' if matches!(self.bytes.get(i + 1), Some(b'/' | b'*')) => self.comment(i, end),
            b'"' => {
                self.stack.push(Frame::String { quote: i });
                self.open_strings.push(i);
                i + 1
            }
            byte @ (b'(' | b'[' | b'{') => {
                self.stack.push(Frame::Bracket { open: i, byte });
                i + 1
            }
            // In a block body, a closer with nothing open ends the body.
            b')' | b']' | b'}' if self.stack.is_empty() && self.level != Level::Items => {
                self.body_end = Some(i);
                end
            }
            byte @ (b')' | b']' | b'}') => {
                self.close(byte);
                i + 1
            }
            b',' if self.stack.is_empty() && self.level != Level::Items => {
                self.finish_piece(i + 1);
                self.doc_run = None;
                i + 1
            }
            _ => i + 1,
        }
    }

    /// Skip a comment; an unterminated block comment is reported, and
    /// scanning goes on at the end of its line so later pieces still start.
    ///
    /// Once one block comment ran to the end of the text unclosed, later ones
    /// are looked for only on their own line: scanning each to the end of the
    /// text again would make a text full of `/*` quadratic.
    fn comment(&mut self, i: usize, end: usize) -> usize {
        let line_end = lexical::line_comment_end(self.bytes, i).min(end);
        if self.bytes.get(i + 1) == Some(&b'/') {
            return line_end;
        }
        let scope = if self.unclosed_comment { line_end } else { end };
        match lexical::block_comment_end(&self.bytes[..scope], i) {
            Some(comment_end) => comment_end,
            None if self.unclosed_comment => line_end,
            None => {
                self.unclosed_comment = true;
                self.problems.push(Problem::UnterminatedComment { open: i });
                line_end
            }
        }
    }

    /// A closing bracket: closes its opener, and reports the brackets opened
    /// after it as unclosed. One with no opener is left to the parser.
    fn close(&mut self, byte: u8) {
        let opener = match byte {
            b')' => b'(',
            b']' => b'[',
            _ => b'{',
        };
        // Brackets inside an interpolation close there: search above it. The
        // search looks back no further than the nesting limit, so a
        // pathological text cannot make it quadratic (deeper is E0103).
        let window = self.stack.len().saturating_sub(depth::MAX_NESTING + 1);
        let barrier = self.stack[window..]
            .iter()
            .rposition(|f| !matches!(f, Frame::Bracket { .. }))
            .map(|at| at + window);
        let floor = barrier.map_or(window, |b| b + 1);
        let found = self.stack[floor..]
            .iter()
            .rposition(|f| matches!(f, Frame::Bracket { byte, .. } if *byte == opener))
            .map(|at| at + floor);
        let closes = match (found, barrier) {
            (Some(at), _) => at,
            // `}` closing an interpolation returns to its string.
            (None, Some(b)) if byte == b'}' && matches!(self.stack[b], Frame::Interpolation) => b,
            (None, _) => return,
        };
        for frame in self.stack.split_off(closes + 1) {
            if let Frame::Bracket { open, byte } = frame {
                self.problems.push(Problem::Unclosed { open, bracket: byte, next: None });
            }
        }
        self.stack.pop();
    }

    /// Report whatever is still open. An unterminated string explains every
    /// later problem of the piece, so it is reported alone.
    fn close_all(&mut self, next: Option<usize>) {
        let stack = std::mem::take(&mut self.stack);
        self.open_strings.clear();
        if let Some(Frame::String { quote }) = stack.iter().find(|f| matches!(f, Frame::String { .. })) {
            let quote = self.multiline_string.map_or(*quote, |first| first.min(*quote));
            self.problems.retain(|p| p.offset() < quote);
            self.problems.push(Problem::UnterminatedString { quote });
            return;
        }
        for frame in stack.into_iter().rev() {
            if let Frame::Bracket { open, byte } = frame {
                self.problems.push(Problem::Unclosed { open, bracket: byte, next });
            }
        }
    }

    fn finish_piece(&mut self, end: usize) {
        if end > self.piece_start {
            let mut problems = std::mem::take(&mut self.problems);
            problems.sort_by_key(|p| p.offset());
            self.pieces.push(Piece { range: self.piece_start..end, problems });
            self.piece_start = end;
        }
        self.multiline_string = None;
    }
}

/// After a member's name: `=` (not `==` or `=>`) or `:`.
fn binds_or_declares(after_name: &[u8]) -> bool {
    let spaces = after_name.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    match &after_name[spaces..] {
        [b'=', b'=' | b'>', ..] => false,
        [b'=' | b':', ..] => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, level: Level) -> Vec<&str> {
        cut(text, 0..text.len(), level).into_iter().map(|p| &text[p.range]).collect()
    }

    #[test]
    fn items_start_at_their_keyword_with_their_docs() {
        let text = "layer a { x = 1 }\n/// Doc.\nlayer b {\n  y = \"layer c\"\n}\ntype t = int\n";
        assert_eq!(
            texts(text, Level::Items),
            ["layer a { x = 1 }\n", "/// Doc.\nlayer b {\n  y = \"layer c\"\n}\n", "type t = int\n"]
        );
    }

    #[test]
    fn an_item_keyword_at_the_margin_ends_what_is_open() {
        let text = "layer a {\n  x = [1\n\nlayer b { }\n";
        let pieces = cut(text, 0..text.len(), Level::Items);
        assert_eq!(pieces.len(), 2);
        let next = Some(text.find("layer b").expect("b"));
        assert_eq!(
            pieces[0].problems,
            [
                Problem::Unclosed { open: 8, bracket: b'{', next },
                Problem::Unclosed { open: 16, bracket: b'[', next }
            ]
        );
        assert!(pieces[1].problems.is_empty());
    }

    #[test]
    fn an_unterminated_string_is_reported_at_its_quote() {
        let text = "layer a {\n  x = \"abc\n  y = \"def\"\n}\nlayer b { }\n";
        let pieces = cut(text, 0..text.len(), Level::Items);
        let quote = text.find('"').expect("quote");
        assert_eq!(pieces[0].problems, [Problem::UnterminatedString { quote }]);
        assert_eq!(&text[pieces[1].range.clone()], "layer b { }\n");
    }

    #[test]
    fn members_start_at_names_and_after_commas() {
        let text = "\n  a = 1\n  + 2\n  service web = x {\n    b = 2\n  }\n  c = f(1, 2), d = 3\n";
        assert_eq!(
            texts(text, Level::Members),
            ["\n", "  a = 1\n  + 2\n", "  service web = x {\n    b = 2\n  }\n", "  c = f(1, 2),", " d = 3\n"]
        );
    }

    #[test]
    fn interpolations_hold_code_and_comments_hold_nothing() {
        let text = "layer a { x = \"${ \"}\" }\" /* layer b */ }\n// layer c\nlayer d {}";
        assert_eq!(texts(text, Level::Items).len(), 2);
        assert!(cut(text, 0..text.len(), Level::Items).iter().all(|p| p.problems.is_empty()));
    }

    #[test]
    fn an_unterminated_block_comment_is_reported_at_its_start() {
        let text = "layer a { } /* open\nlayer b { }";
        let pieces = cut(text, 0..text.len(), Level::Items);
        assert_eq!(pieces[0].problems, [Problem::UnterminatedComment { open: 12 }]);
        assert_eq!(pieces.len(), 2);
    }

    #[test]
    fn a_lone_cr_ends_a_line() {
        let text = "layer a { }\r// c\rlayer b { }\r";
        assert_eq!(texts(text, Level::Items), ["layer a { }\r// c\r", "layer b { }\r"]);
    }
}
