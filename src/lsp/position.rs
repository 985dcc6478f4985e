//! Byte offsets ↔ LSP positions (0-based lines, UTF-16 code units).

use lsp_types::{Position, Range};

use crate::source::{line_starts, SourceFile};

/// The LSP position of a byte offset. Lines end as the lexer ends them (LF,
/// CRLF or a lone CR), which is also what the protocol says.
pub fn position(text: &str, offset: usize) -> Position {
    LineIndex::new(text).position(offset)
}

/// The byte offset of an LSP position, clamped to the text.
pub fn offset(text: &str, position: Position) -> usize {
    let starts = line_starts(text);
    let Some(&line_start) = starts.get(position.line as usize) else { return text.len() };
    let mut units = 0u32;
    for (i, c) in text[line_start..].char_indices() {
        if units >= position.character || c == '\n' || c == '\r' {
            return line_start + i;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

/// The LSP range of a byte range in `file`, from the file's line table (a
/// diagnostic's range costs a search, not a scan of the file).
pub fn range(file: &SourceFile, start: usize, end: usize) -> Range {
    let starts = file.line_starts();
    Range { start: position_in(&file.text, starts, start), end: position_in(&file.text, starts, end) }
}

/// The LSP position of a byte offset of `text`, whose lines start at `starts`.
fn position_in(text: &str, starts: &[usize], offset: usize) -> Position {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line = match starts.binary_search(&offset) {
        Ok(line) => line,
        Err(next) => next.saturating_sub(1),
    };
    let start = starts.get(line).copied().unwrap_or(0);
    let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
    Position { line: saturate(line), character: saturate(character) }
}

/// Where each line of a text starts: positions of many offsets in one text
/// (an outline, every token of a file) in time linear in the text, where
/// [`position`] scans from the start each time.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    /// The index of `text`.
    pub fn new(text: &'t str) -> Self {
        LineIndex { text, starts: line_starts(text) }
    }

    /// The LSP position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        position_in(self.text, &self.starts, offset)
    }

    /// The LSP range of a byte range.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range { start: self.position(start), end: self.position(end) }
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_utf16_units_and_round_trips() {
        let text = "a = 1\nb = \"é😀\" x";
        let x = text.find('x').expect("x");
        let p = position(text, x);
        assert_eq!(p, Position { line: 1, character: 10 });
        assert_eq!(offset(text, p), x);
        assert_eq!(offset(text, Position { line: 9, character: 0 }), text.len());
        let index = LineIndex::new(text);
        for at in [0, 3, 6, x, text.len()] {
            assert_eq!(index.position(at), position(text, at), "{at}");
        }
    }

    #[test]
    fn lf_crlf_and_a_lone_cr_each_end_a_line() {
        let text = "a = 1\rb = 2\r\nc = 3\nd";
        for (name, line) in [("b", 1), ("c", 2), ("d", 3)] {
            let at = text.find(name).expect(name);
            assert_eq!(position(text, at), Position { line, character: 0 }, "{name}");
            assert_eq!(offset(text, Position { line, character: 0 }), at, "{name}");
        }
        // A character past the end of a line stops at its line ending.
        assert_eq!(offset(text, Position { line: 0, character: 99 }), text.find('\r').expect("cr"));
    }
}
