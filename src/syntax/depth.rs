//! A guard that runs before pest: rejects nesting deeper than the parser can
//! take without exhausting the stack.
//!
//! pest parses recursively, so `[[[[…` a hundred thousand levels deep would
//! overflow the stack before any error could be reported. This scanner walks
//! the text once, skipping comments and string text but counting `${` inside
//! strings, and reports where the limit is first crossed.

use super::lexical;

/// Deepest bracket nesting accepted. Real specs stay well under 20.
pub const MAX_NESTING: usize = 64;

/// Byte offset where nesting first exceeds [`MAX_NESTING`], if it does.
pub fn too_deep_at(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    // Each entry is a `(`, `[`, `{` or `${`; `true` marks an interpolation,
    // whose closing `}` returns to string text.
    let mut stack: Vec<bool> = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        if in_string {
            match bytes[i] {
                b'\\' => i += 1,
                b'"' => in_string = false,
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(true);
                    in_string = false;
                    i += 1;
                    if stack.len() > MAX_NESTING {
                        return Some(i - 1);
                    }
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match bytes[i] {
            b'"' => in_string = true,
            b'/' if matches!(bytes.get(i + 1), Some(b'/' | b'*')) => {
                i = lexical::comment_end(bytes, i).unwrap_or(bytes.len());
                continue;
            }
            b'(' | b'[' | b'{' => {
                stack.push(false);
                if stack.len() > MAX_NESTING {
                    return Some(i);
                }
            }
            // Closing an interpolation returns to the string it opened in.
            b')' | b']' | b'}' if stack.pop() == Some(true) => in_string = true,
            _ => {}
        }
        i += 1;
    }
    None
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
    fn counts_interpolations_inside_strings() {
        let text = "x = ".to_string() + &"\"${".repeat(1000);
        assert!(too_deep_at(&text).is_some());
    }
}
