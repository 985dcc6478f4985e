//! A guard that runs before pest: rejects nesting deeper than the parser can
//! take without exhausting the stack.
//!
//! pest parses recursively, so `[[[[…` a hundred thousand levels deep would
//! overflow the stack before any error could be reported. This scanner walks
//! the text once, skipping comments and string text, and counts every level
//! the parser recurses into: brackets, `${` inside strings, `map<` and
//! `deploy<` types, each `else if` of a chain, and `if` or `match` keywords
//! that follow each other before their block opens (`if if if …`). It
//! reports where the limit is first crossed.

use super::lexical;
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Deepest nesting accepted. Real specs stay well under 20.
pub const MAX_NESTING: usize = 64;

/// The E0103 diagnostic for nesting that first exceeds the limit at `offset`.
pub fn too_deep(file: FileId, offset: usize) -> Diagnostic {
    Diagnostic::new(
        Code::NestingTooDeep,
        format!("brackets, types or `else if` chains nest more than {MAX_NESTING} levels deep"),
        Span::new(file, offset, offset + 1),
        "this opens one level too many",
    )
    .with_help("split the value into named bindings (or a long `else if` chain into a `match`)")
}

/// The levels opened inside one bracket (or at the top level).
#[derive(Default)]
struct Level {
    /// A `${` inside a string: its closing `}` returns to string text.
    interpolation: bool,
    /// `else if`s of the chain being read at this level.
    chained: usize,
    /// `if` / `match` keywords whose block has not opened yet.
    pending: usize,
    /// `map<` / `deploy<` not closed yet.
    angles: usize,
    /// A bracket just closed at this level: a chain goes on only with `else`.
    after_block: bool,
}

impl Level {
    fn weight(&self) -> usize {
        self.chained + self.pending + self.angles
    }
}

/// Why a text must not be given to pest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Nesting first exceeds [`MAX_NESTING`] at this byte offset.
    TooDeep(usize),
    /// A block comment is never closed: pest's nesting comment rule would
    /// backtrack through the rest of the text once per `/*` in it.
    UnclosedComment,
}

/// Byte offset where nesting first exceeds [`MAX_NESTING`], if it does.
pub fn too_deep_at(text: &str) -> Option<usize> {
    match refusal(text) {
        Some(Refusal::TooDeep(offset)) => Some(offset),
        Some(Refusal::UnclosedComment) | None => None,
    }
}

/// Why `text` must not be given to pest, if it must not.
pub fn refusal(text: &str) -> Option<Refusal> {
    let mut guard =
        Guard { bytes: text.as_bytes(), levels: vec![Level::default()], depth: 0, in_string: false };
    guard.run().err()
}

/// The scan's state: the levels open, and how deep they nest in all.
struct Guard<'a> {
    bytes: &'a [u8],
    levels: Vec<Level>,
    depth: usize,
    in_string: bool,
}

impl Guard<'_> {
    fn run(&mut self) -> Result<(), Refusal> {
        let bytes = self.bytes;
        let mut i = 0;
        while i < bytes.len() {
            i = if self.in_string {
                self.string_byte(i)?
            } else if bytes[i..].starts_with(b"//") {
                lexical::line_comment_end(bytes, i)
            } else if bytes[i..].starts_with(b"/*") {
                block_comment_end(bytes, i)?
            } else if matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
                i + 1
            } else {
                self.token(i)?
            };
        }
        Ok(())
    }

    /// One more level, opened at `offset`.
    fn open(&mut self, offset: usize) -> Result<(), Refusal> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Refusal::TooDeep(offset));
        }
        Ok(())
    }

    fn level(&mut self) -> &mut Level {
        if self.levels.is_empty() {
            self.levels.push(Level::default());
        }
        let last = self.levels.len() - 1;
        &mut self.levels[last]
    }

    fn string_byte(&mut self, i: usize) -> Result<usize, Refusal> {
        Ok(match self.bytes[i] {
            b'\\' => i + 2,
            b'"' => {
                self.in_string = false;
                i + 1
            }
            b'$' if self.bytes.get(i + 1) == Some(&b'{') => {
                self.levels.push(Level { interpolation: true, ..Level::default() });
                self.in_string = false;
                self.open(i)?;
                i + 2
            }
            _ => i + 1,
        })
    }

    /// A token in code: a word, or one byte of punctuation.
    fn token(&mut self, i: usize) -> Result<usize, Refusal> {
        let word = word_at(self.bytes, i);
        let level = self.level();
        // A chain goes on only with `else` right after its block.
        if std::mem::take(&mut level.after_block) && word != b"else" {
            let chained = std::mem::take(&mut level.chained);
            self.depth -= chained;
        }
        if word.is_empty() {
            self.punctuation(i)?;
            Ok(i + 1)
        } else {
            self.word(i, word.len())
        }
    }

    /// `else if`, `if`, `match`, `map<` and `deploy<` each nest one level.
    fn word(&mut self, i: usize, len: usize) -> Result<usize, Refusal> {
        let bytes = self.bytes;
        let after = skip_spaces(bytes, i + len);
        let (next, level) = match &bytes[i..i + len] {
            b"else" if word_at(bytes, after) == b"if" => (after + 2, &mut self.level().chained),
            b"if" | b"match" => (i + len, &mut self.level().pending),
            b"map" | b"deploy" if bytes.get(after) == Some(&b'<') => (after + 1, &mut self.level().angles),
            _ => return Ok(i + len),
        };
        *level += 1;
        self.open(next - 1)?;
        Ok(next)
    }

    fn punctuation(&mut self, i: usize) -> Result<(), Refusal> {
        let angles_open = self.levels.last().is_some_and(|level| level.angles > 0);
        match self.bytes[i] {
            b'"' => self.in_string = true,
            b'(' | b'[' | b'{' => {
                // The block of the pending `if`s opens: they no longer nest.
                let pending = std::mem::take(&mut self.level().pending);
                self.depth -= pending;
                self.levels.push(Level::default());
                self.open(i)?;
            }
            b'>' if angles_open => {
                self.level().angles -= 1;
                self.depth -= 1;
            }
            b')' | b']' | b'}' if self.levels.len() > 1 => {
                if let Some(closed) = self.levels.pop() {
                    self.depth -= 1 + closed.weight();
                    self.level().after_block = true;
                    // Closing an interpolation returns to the string it opened in.
                    self.in_string = closed.interpolation;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Just past the block comment at `start`, or why pest must not read it:
/// comments nest (pest recurses into each level), or it is never closed.
fn block_comment_end(bytes: &[u8], start: usize) -> Result<usize, Refusal> {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Refusal::TooDeep(i));
                }
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
    Err(Refusal::UnclosedComment)
}

/// The identifier starting at `at` (empty when none does, or when `at` is
/// in the middle of one).
fn word_at(bytes: &[u8], at: usize) -> &[u8] {
    let is_word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    if at > 0 && bytes.get(at - 1).is_some_and(is_word) {
        return &[];
    }
    let len = bytes.get(at..).map_or(0, |rest| rest.iter().take_while(|b| is_word(b)).count());
    &bytes[at..at + len]
}

fn skip_spaces(bytes: &[u8], at: usize) -> usize {
    at + bytes.get(at..).map_or(0, |rest| rest.iter().take_while(|b| b.is_ascii_whitespace()).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_nesting() {
        assert_eq!(too_deep_at("a = [[{ b = (1) }]]"), None);
    }

    #[test]
    fn finds_where_the_limit_is_crossed() {
        let text = "x = ".to_string() + &"[".repeat(100_000);
        assert_eq!(too_deep_at(&text), Some(4 + MAX_NESTING));
    }

    #[test]
    fn ignores_brackets_in_strings_and_comments() {
        let text = format!("x = \"{}\" // {}\n/* {} */", "(".repeat(500), "[".repeat(500), "{".repeat(500));
        assert_eq!(too_deep_at(&text), None);
    }

    #[test]
    fn counts_nested_types_and_else_if_chains() {
        let text = "type t = ".to_string() + &"map<".repeat(300_000);
        assert_eq!(too_deep_at(&text), Some(9 + 4 * MAX_NESTING + 3));
        let text = "layer l { x = if a { 1 }".to_string() + &" else if a { 1 }".repeat(300_000);
        assert!(too_deep_at(&text).is_some());
        let text = "layer l { x = ".to_string() + &"if ".repeat(300_000);
        assert!(too_deep_at(&text).is_some());
    }

    #[test]
    fn separate_chains_do_not_add_up() {
        let chain = " x = if a { 1 } else if b { 2 } else if c { 3 } else { 4 }\n";
        let text = format!("layer l {{\n{}}}", chain.repeat(100));
        assert_eq!(too_deep_at(&text), None);
        let types = "type t = map<map<deploy<string>>>\n".repeat(100);
        assert_eq!(too_deep_at(&types), None);
    }

    #[test]
    fn nested_and_unclosed_comments_are_refused() {
        let text = "/*".repeat(100) + &"*/".repeat(100);
        assert_eq!(refusal(&text), Some(Refusal::TooDeep(2 * MAX_NESTING)));
        assert_eq!(refusal("layer l {} /* open"), Some(Refusal::UnclosedComment));
        assert_eq!(too_deep_at("layer l {} /* open"), None);
        assert_eq!(refusal("/* a /* b */ c */ layer l {}"), None);
    }

    #[test]
    fn counts_interpolations_inside_strings() {
        let text = "x = ".to_string() + &"\"${".repeat(1000);
        assert!(too_deep_at(&text).is_some());
    }
}
