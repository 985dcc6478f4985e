//! The few lexical facts the byte scanners share (the nesting guard, the
//! trivia table, the formatter's comment recovery): where a comment or a
//! string that starts at an offset ends. Comments nest, as in the grammar;
//! strings hold `${..}` interpolations, which hold strings and comments.

/// The offset of the line end (`\n`, `\r\n` or a lone `\r`) that ends the
/// line comment at `start` (or the end of the text).
pub fn line_comment_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..].iter().position(|&b| is_line_end(b)).map_or(bytes.len(), |n| start + n)
}

/// Whether a byte ends a line: LF, and CR alone or before LF, end lines alike.
pub fn is_line_end(byte: u8) -> bool {
    byte == b'\n' || byte == b'\r'
}

/// Just past the `*/` closing the (nesting) block comment at `start`; `None`
/// when it is never closed.
pub fn block_comment_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Just past the comment at `start`, if one starts there.
pub fn comment_end(bytes: &[u8], start: usize) -> Option<usize> {
    match (bytes.get(start), bytes.get(start + 1)) {
        (Some(b'/'), Some(b'/')) => Some(line_comment_end(bytes, start)),
        (Some(b'/'), Some(b'*')) => block_comment_end(bytes, start),
        _ => None,
    }
}

/// Just past the string literal whose `"` is at `start` (the end of the text
/// when it is never closed). Recursion follows interpolations, whose depth the
/// parser's nesting guard has bounded before any caller runs this.
pub fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => i = interpolation_end(bytes, i + 2),
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Just past the `}` closing an interpolation whose body starts at `start`.
fn interpolation_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        if let Some(end) = comment_end(bytes, i) {
            i = end;
            continue;
        }
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return i + 1,
            b'}' => {
                depth -= 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_strings_end_where_the_grammar_says() {
        let text = b"/* a /* b */ c */ x // d\n\"s ${ \"}\" /* } */ } t\" y";
        assert_eq!(block_comment_end(text, 0), Some(17));
        assert_eq!(line_comment_end(text, 20), 24);
        let quote = 25;
        assert_eq!(&text[string_end(text, quote)..], b" y");
        assert_eq!(block_comment_end(b"/* open", 0), None);
    }

    #[test]
    fn a_line_comment_ends_at_any_line_end() {
        assert_eq!(line_comment_end(b"// a\rb", 0), 4);
        assert_eq!(line_comment_end(b"// a\r\nb", 0), 4);
        assert_eq!(line_comment_end(b"// a\nb", 0), 4);
    }
}
