//! Line endings: which one a file mostly uses, and rewriting a text to use one.
//!
//! String literals and block comments are opaque: a line break written
//! inside a string is part of its value, and one inside a block comment is
//! part of the comment the formatter promises to keep, so both are copied
//! byte for byte.

use crate::syntax::lexical;

/// The line ending most lines of `text` use: `"\n"`, `"\r\n"` or `"\r"`
/// (LF on a tie, then CRLF).
pub fn dominant(text: &str) -> &'static str {
    let bytes = text.as_bytes();
    let (mut lf, mut crlf, mut cr) = (0usize, 0usize, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\n' if i > 0 && bytes[i - 1] == b'\r' => crlf += 1,
            b'\n' => lf += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => cr += 1,
            _ => {}
        }
    }
    if lf >= crlf && lf >= cr {
        "\n"
    } else if crlf >= cr {
        "\r\n"
    } else {
        "\r"
    }
}

/// `text` with every line ending outside string literals and block comments
/// written as `ending`.
pub fn convert(text: &str, ending: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = lexical::string_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = lexical::line_comment_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = lexical::block_comment_end(bytes, i).unwrap_or(bytes.len());
            }
            b'\r' | b'\n' => {
                out.push_str(&text[copied..i]);
                out.push_str(ending);
                i += if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_common_ending_wins() {
        assert_eq!(dominant("a\r\nb\r\nc\n"), "\r\n");
        assert_eq!(dominant("a\rb\rc"), "\r");
        assert_eq!(dominant("a\r\nb\n"), "\n");
        assert_eq!(dominant("a"), "\n");
    }

    #[test]
    fn strings_keep_their_line_breaks() {
        let text = "a = \"x\r\ny\"\r\nb = 1 // c\rd\n";
        assert_eq!(convert(text, "\n"), "a = \"x\r\ny\"\nb = 1 // c\nd\n");
        assert_eq!(convert("a\nb\n", "\r\n"), "a\r\nb\r\n");
        assert_eq!(convert("/* \"\r\n */\r\n\"\r\"", "\n"), "/* \"\r\n */\n\"\r\"");
    }
}
