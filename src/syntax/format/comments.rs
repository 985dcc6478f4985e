//! Comments recovered from the source text.
//!
//! Input: a file's text. Output: every `//`, `///` and `/* */` comment with its
//! byte range, in order, plus queries over them ("which comments lie between
//! these two offsets", "where does the next token start").
//!
//! Invariant: string literals are opaque. A `//` inside `"http://x"` or inside
//! an interpolation `"${a /* b */}"` is part of the string node, which the
//! formatter copies byte for byte, so it is neither collected nor printed.
//! Doc comments (`///`) are collected like any other: the formatter prints
//! them from the source, so their text survives untouched.

use crate::syntax::lexical;

/// One comment as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment {
    /// Byte offset of the first `/`.
    pub start: usize,
    /// Byte offset just past the comment (a line comment stops before its
    /// trailing spaces and the end of its line).
    pub end: usize,
    /// `//` and `///` run to the end of the line; `/* */` may sit mid-line.
    pub is_line: bool,
}

/// Every comment of one file, sorted by position.
#[derive(Debug, Default)]
pub struct Comments {
    list: Vec<Comment>,
}

impl Comments {
    /// Scan `text` for comments, skipping string literals.
    pub fn scan(text: &str) -> Comments {
        let bytes = text.as_bytes();
        let mut list = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            i = match comment_at(bytes, i) {
                Some(comment) => {
                    list.push(comment);
                    comment.end
                }
                None if bytes[i] == b'"' => lexical::string_end(bytes, i),
                None => i + 1,
            };
        }
        Comments { list }
    }

    /// The comments that start in `from..to`.
    pub fn between(&self, from: usize, to: usize) -> &[Comment] {
        let first = self.list.partition_point(|c| c.start < from);
        let last = self.list.partition_point(|c| c.start < to);
        self.list.get(first..last.max(first)).unwrap_or(&[])
    }

    /// Whether any comment starts in `from..to`.
    pub fn any_between(&self, from: usize, to: usize) -> bool {
        !self.between(from, to).is_empty()
    }

    /// The first offset at or after `pos` that is neither whitespace nor inside
    /// a comment: where the next token starts. Used to find a declaration's
    /// keyword behind its doc comments.
    pub fn skip_trivia(&self, text: &str, mut pos: usize) -> usize {
        let bytes = text.as_bytes();
        loop {
            while pos < bytes.len() && is_space(bytes, pos) {
                pos += space_len(bytes, pos);
            }
            match self.list.binary_search_by_key(&pos, |c| c.start) {
                Ok(i) => pos = self.list[i].end,
                Err(_) => return pos,
            }
        }
    }

    /// The comment that ends exactly at `pos`, if any.
    pub fn ending_at(&self, pos: usize) -> Option<Comment> {
        // Comments do not overlap, so they are sorted by end as well as by start.
        let i = self.list.partition_point(|c| c.end < pos);
        self.list.get(i).filter(|c| c.end == pos).copied()
    }

    /// All comments, in order.
    pub fn all(&self) -> &[Comment] {
        &self.list
    }
}

/// The comment starting at `i`, if one does. An unterminated `/*` is not a
/// comment (the grammar would have read `/` as division and failed).
fn comment_at(bytes: &[u8], i: usize) -> Option<Comment> {
    if bytes.get(i) != Some(&b'/') {
        return None;
    }
    match bytes.get(i + 1) {
        Some(b'/') => {
            let mut end = lexical::line_comment_end(bytes, i);
            // Trailing spaces (and the `\r` of a CRLF) are not part of the
            // comment: the gap after it is whitespace only.
            while end > i + 2 && bytes[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            Some(Comment { start: i, end, is_line: true })
        }
        Some(b'*') => {
            lexical::block_comment_end(bytes, i).map(|end| Comment { start: i, end, is_line: false })
        }
        _ => None,
    }
}

/// Whitespace as the grammar defines it, including a byte-order mark.
fn is_space(bytes: &[u8], i: usize) -> bool {
    matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') || bytes[i..].starts_with("\u{FEFF}".as_bytes())
}

fn space_len(bytes: &[u8], i: usize) -> usize {
    if bytes[i] == 0xEF {
        3
    } else {
        1
    }
}

/// The comments of `text` as strings, sorted: what the formatter must keep.
/// Line comments lose trailing whitespace, which the formatter trims.
pub fn comment_texts(text: &str) -> Vec<String> {
    let mut texts: Vec<String> = Comments::scan(text)
        .all()
        .iter()
        .map(|c| {
            let body = &text[c.start..c.end];
            if c.is_line {
                body.trim_end().to_string()
            } else {
                body.to_string()
            }
        })
        .collect();
    texts.sort();
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        Comments::scan(src).all().iter().map(|c| src[c.start..c.end].to_string()).collect()
    }

    #[test]
    fn line_comments_end_at_their_last_visible_character() {
        let src = "a // note  \r\nb";
        assert_eq!(texts(src), ["// note"]);
    }

    #[test]
    fn finds_line_block_and_doc_comments() {
        let src = "/// doc\na = 1 // end\n/* b /* nested */ */ x";
        assert_eq!(texts(src), ["/// doc", "// end", "/* b /* nested */ */"]);
    }

    #[test]
    fn skips_strings_and_interpolations() {
        let src = r#"a = "http://x /* no */ ${ b /* in */ + "//" } \" //" // yes"#;
        assert_eq!(texts(src), ["// yes"]);
    }

    #[test]
    fn skip_trivia_jumps_docs_and_comments() {
        let src = "/// a\n  /* b */ // c\n layer";
        let comments = Comments::scan(src);
        assert_eq!(&src[comments.skip_trivia(src, 0)..], "layer");
    }

    #[test]
    fn between_is_half_open() {
        let src = "// a\n// b\n";
        let comments = Comments::scan(src);
        assert_eq!(comments.between(0, 5).len(), 1);
        assert_eq!(comments.between(1, 100).len(), 1);
    }
}
