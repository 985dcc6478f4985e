//! Recovery: a file that does not parse as a whole still yields every item
//! that does, and one diagnostic per broken piece.
//!
//! Input: a file's text, already known not to parse (or to nest too deeply).
//! Output: the text with every broken piece blanked out (spaces, line ends
//! kept, so every offset stays where it was), the diagnostics that say why
//! each piece is broken, and the names the broken pieces declared.
//!
//! The text is cut into top-level items ([`pieces`]), and each is parsed
//! alone. A broken layer, construct, project, environment or enum is cut
//! again into its members: when blanking the broken members makes the item
//! parse, only those members are lost. Otherwise the whole item is. A piece
//! with a lexical problem (an unterminated string or comment, an unclosed
//! bracket) is reported at the start of that construct; any other broken
//! piece gets pest's "expected …" error. Parsing the blanked text then
//! builds the AST with the same builder as a file that parses.

pub mod pieces;

use std::ops::Range;

use self::pieces::{Level, Piece, Problem};
use super::ast::Name;
use super::depth;
use super::errors;
use super::lexical;
use super::parse::{parse_pairs, Rule};
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// What recovery made of a file.
pub struct Recovered {
    /// The text with every broken piece replaced by spaces.
    pub blanked: String,
    /// Why each piece is broken.
    pub diagnostics: Vec<Diagnostic>,
    /// Names the broken pieces declared, so later stages do not report them missing.
    pub broken: Vec<Name>,
}

/// Cut `text` into items, keep the ones that parse, and say why the others do not.
pub fn recover(file: FileId, text: &str) -> Recovered {
    let mut recovery =
        Recovery { file, text, blank: Vec::new(), diagnostics: Vec::new(), broken: Vec::new() };
    for piece in pieces::cut(text, 0..text.len(), Level::Items) {
        if !pieces::is_blank(text.as_bytes(), piece.range.clone()) {
            recovery.item(&piece);
        }
    }
    let mut bytes = text.as_bytes().to_vec();
    for range in &recovery.blank {
        blank(&mut bytes[range.clone()]);
    }
    // Pieces start and end at ASCII bytes, so blanking keeps the text UTF-8.
    let blanked = String::from_utf8(bytes).unwrap_or_default();
    Recovered { blanked, diagnostics: recovery.diagnostics, broken: recovery.broken }
}

/// Replace every byte but line ends by a space.
fn blank(bytes: &mut [u8]) {
    for byte in bytes.iter_mut().filter(|b| !lexical::is_line_end(**b)) {
        *byte = b' ';
    }
}

struct Recovery<'a> {
    file: FileId,
    text: &'a str,
    /// Ranges to blank out.
    blank: Vec<Range<usize>>,
    diagnostics: Vec<Diagnostic>,
    broken: Vec<Name>,
}

impl Recovery<'_> {
    /// One top-level piece: fine, fixed by dropping members, or broken.
    fn item(&mut self, piece: &Piece) {
        let slice = &self.text[piece.range.clone()];
        if let Some(offset) = depth::too_deep_at(slice) {
            self.diagnostics.push(depth::too_deep(self.file, piece.range.start + offset));
            self.drop_item(piece);
            return;
        }
        if piece.problems.is_empty() && parse_pairs(Rule::file, slice, false).is_ok() {
            return;
        }
        if self.drop_members(piece) {
            return;
        }
        let diagnostics = self.why(piece, Rule::file);
        self.diagnostics.extend(diagnostics);
        self.drop_item(piece);
    }

    fn drop_item(&mut self, piece: &Piece) {
        self.broken.extend(item_names(self.file, self.text, piece.range.clone()));
        self.blank.push(piece.range.clone());
    }

    /// Try the item again without its broken members; `true` when that
    /// parses. The members are cut first as they nest, then (if that fails,
    /// as it does when a bracket is left open) by their indentation.
    fn drop_members(&mut self, piece: &Piece) -> bool {
        let Some((level, rule, body)) = block_body(self.text, piece.range.clone()) else { return false };
        for use_margin in [false, true] {
            let members = pieces::cut_with(self.text, body.clone(), level, use_margin);
            if let Some(broken) = self.broken_members(piece, members, rule) {
                for member in &broken {
                    let diagnostics = self.why(member, rule);
                    self.diagnostics.extend(diagnostics);
                    self.broken.extend(member_names(self.file, self.text, member.range.clone()));
                    self.blank.push(member.range.clone());
                }
                return true;
            }
        }
        false
    }

    /// The members that do not parse, if there are some and the item parses without them.
    fn broken_members(&self, piece: &Piece, members: Vec<Piece>, rule: Rule) -> Option<Vec<Piece>> {
        let bytes = self.text.as_bytes();
        let broken: Vec<Piece> = members
            .into_iter()
            .filter(|member| !pieces::is_blank(bytes, member.range.clone()))
            .filter(|member| {
                !member.problems.is_empty()
                    || parse_pairs(rule, &self.text[member.range.clone()], false).is_err()
            })
            .collect();
        if broken.is_empty() {
            return None;
        }
        let mut item = bytes[piece.range.clone()].to_vec();
        for member in &broken {
            let start = member.range.start - piece.range.start;
            blank(&mut item[start..start + member.range.len()]);
        }
        let parses = std::str::from_utf8(&item).is_ok_and(|t| parse_pairs(Rule::file, t, false).is_ok());
        parses.then_some(broken)
    }

    /// Why a piece does not parse with `rule`: its lexical problems, or pest's error.
    fn why(&self, piece: &Piece, rule: Rule) -> Vec<Diagnostic> {
        if !piece.problems.is_empty() {
            let next = if rule == Rule::file { "a new declaration" } else { "a new member" };
            return piece.problems.iter().map(|p| self.problem(*p, next)).collect();
        }
        let slice = &self.text[piece.range.clone()];
        match parse_pairs(rule, slice, true) {
            Err(error) if rule == Rule::file => {
                vec![errors::syntax_error(self.file, self.text, piece.range.start, &error)]
            }
            Err(error) => {
                let end = "the end of the member";
                vec![errors::syntax_error_within(self.file, self.text, piece.range.clone(), &error, end)]
            }
            // Only the blanked item as a whole failed: say so at the item.
            Ok(_) => vec![Diagnostic::new(
                Code::SyntaxError,
                "this declaration does not parse",
                Span::new(self.file, piece.range.start, piece.range.start),
                "here",
            )],
        }
    }

    /// The diagnostic for a lexical problem; `next` names what starts a new piece.
    fn problem(&self, problem: Problem, next_piece: &str) -> Diagnostic {
        let at = |offset: usize, len: usize| Span::new(self.file, offset, offset + len);
        match problem {
            Problem::UnterminatedString { quote } => Diagnostic::new(
                Code::UnterminatedString,
                "unterminated string",
                at(quote, 1),
                "this string is never closed",
            )
            .with_help("close it with `\"`; a quote inside a string is written `\\\"`"),
            Problem::UnterminatedComment { open } => Diagnostic::new(
                Code::UnterminatedComment,
                "unterminated block comment",
                at(open, 2),
                "this comment is never closed",
            )
            .with_help("close it with `*/` (block comments nest: each `/*` needs its own `*/`)"),
            Problem::Unclosed { open, bracket, next } => {
                let (open_text, close_text) = match bracket {
                    b'(' => ("(", ")"),
                    b'[' => ("[", "]"),
                    _ => ("{", "}"),
                };
                let diagnostic = Diagnostic::new(
                    Code::UnclosedBracket,
                    format!("unclosed `{open_text}`"),
                    at(open, 1),
                    "this bracket is never closed",
                )
                .with_help(format!("add the `{close_text}` that closes it"));
                match next {
                    Some(next) => {
                        let word = word_len(self.text.as_bytes(), next);
                        diagnostic.with_label(at(next, word), format!("{next_piece} starts here"))
                    }
                    None => diagnostic,
                }
            }
        }
    }
}

/// The body of a block item: the level to cut it at, the rule that parses
/// one of its pieces, and the range from its `{` to the end of the piece
/// (the cut stops at the closing `}`).
fn block_body(text: &str, range: Range<usize>) -> Option<(Level, Rule, Range<usize>)> {
    let bytes = text.as_bytes();
    let keyword_at = first_token(bytes, range.clone())?;
    let (level, rule) = match word(bytes, keyword_at) {
        "layer" | "construct" => (Level::Members, Rule::member_piece),
        "project" => (Level::Members, Rule::project_item_piece),
        "environment" => (Level::Members, Rule::record_item_piece),
        "enum" => (Level::Variants, Rule::variant_piece),
        _ => return None,
    };
    let open = keyword_at + bytes[keyword_at..range.end].iter().position(|&b| b == b'{')?;
    Some((level, rule, open + 1..range.end))
}

/// The first byte of `range` outside whitespace and comments (doc comments included).
fn first_token(bytes: &[u8], range: Range<usize>) -> Option<usize> {
    let mut i = range.start;
    while i < range.end {
        if let Some(end) = lexical::comment_end(bytes, i) {
            i = end;
        } else if matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        } else if bytes[i..].starts_with("\u{FEFF}".as_bytes()) {
            i += 3;
        } else {
            return Some(i);
        }
    }
    None
}

fn word_len(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(at..)
        .map_or(0, |rest| rest.iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_').count())
}

fn word(bytes: &[u8], at: usize) -> &str {
    std::str::from_utf8(&bytes[at..at + word_len(bytes, at)]).unwrap_or("")
}

/// The next token after `at` on the same line, skipping spaces.
fn next_on_line(bytes: &[u8], at: usize) -> usize {
    at + bytes[at..].iter().take_while(|&&b| b == b' ' || b == b'\t').count()
}

fn name_at(file: FileId, bytes: &[u8], at: usize) -> Option<Name> {
    let text = word(bytes, at);
    let valid = text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    valid.then(|| Name { text: text.to_string(), span: Span::new(file, at, at + text.len()) })
}

/// The names a broken item declared: `layer core` → `core`; an import of
/// stdlib modules → the names it binds; an import of a spec file → `*`.
pub(super) fn item_names(file: FileId, text: &str, range: Range<usize>) -> Vec<Name> {
    let bytes = text.as_bytes();
    let Some(keyword_at) = first_token(bytes, range.clone()) else { return Vec::new() };
    let keyword = word(bytes, keyword_at);
    let after = next_on_line(bytes, keyword_at + keyword.len());
    if keyword != "import" {
        return name_at(file, bytes, after).into_iter().collect();
    }
    // A spec file import brings names nobody can list here: `*` (see `File::broken`).
    if bytes.get(after) == Some(&b'"') {
        return vec![Name { text: "*".to_string(), span: Span::new(file, after, after + 1) }];
    }
    // `std/aws/ecs` binds `ecs`; `std/aws/{ecs, ecr}` binds both.
    let line_end = lexical::line_comment_end(bytes, after).min(range.end);
    let path = &text[after..line_end];
    let names = match (path.find('{'), path.rfind('/')) {
        (Some(open), _) => path[open + 1..].split([',', '}']).map(str::trim).collect::<Vec<_>>(),
        (None, Some(slash)) => vec![path[slash + 1..].trim()],
        (None, None) => Vec::new(),
    };
    names
        .into_iter()
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .filter_map(|n| {
            let at = after + path.find(n)?;
            name_at(file, bytes, at)
        })
        .collect()
}

/// The names a broken member declared: `x = ..`, `service web = ..`,
/// `resource "T" name ..`, `"quoted" = ..`, an enum variant; every field of
/// a `settings { .. }` block and every environment of an `environments { .. }`
/// list.
pub(super) fn member_names(file: FileId, text: &str, range: Range<usize>) -> Vec<Name> {
    // Scans stop at the end of the piece, so an unterminated string costs
    // no more than the piece.
    let bytes = text.as_bytes();
    let Some(first) = first_token(bytes, range.clone()) else { return Vec::new() };
    if bytes[first] == b'"' {
        let end = lexical::string_end(&bytes[..range.end], first);
        let inner = text.get(first + 1..end.saturating_sub(1)).unwrap_or("");
        return vec![Name { text: inner.to_string(), span: Span::new(file, first, end) }];
    }
    let keyword = word(bytes, first);
    let after = next_on_line(bytes, first + keyword.len());
    let name = match keyword {
        "publish" | "secret" | "service" | "pipeline" | "output" | "stage" => name_at(file, bytes, after),
        "resource" if bytes.get(after) == Some(&b'"') => {
            let end = lexical::string_end(&bytes[..range.end], after);
            name_at(file, bytes, next_on_line(bytes, end))
        }
        "settings" => return words(file, bytes, after..range.end, |rest| rest.starts_with(b":")),
        "environments" => return words(file, bytes, after..range.end, |_| true),
        "resource" | "require" => None,
        _ => name_at(file, bytes, first),
    };
    name.into_iter().collect()
}

/// The names in `range` (outside strings and comments) that `keep` accepts,
/// given the text after the name and its spaces.
fn words(file: FileId, bytes: &[u8], range: Range<usize>, keep: impl Fn(&[u8]) -> bool) -> Vec<Name> {
    let mut found = Vec::new();
    let mut i = range.start;
    while i < range.end {
        if let Some(end) = lexical::comment_end(bytes, i) {
            i = end;
        } else if bytes[i] == b'"' {
            i = lexical::string_end(&bytes[..range.end], i);
        } else if let Some(name) = name_at(file, bytes, i).filter(|_| i == 0 || word_len(bytes, i - 1) == 0) {
            let end = name.span.end as usize;
            if keep(&bytes[next_on_line(bytes, end).min(range.end)..range.end]) {
                found.push(name);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests;
