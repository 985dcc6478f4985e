//! Where significant text ends: pest's implicit whitespace and comments can
//! trail a rule's span (a sequence that ends in an optional part keeps the
//! whitespace it skipped before trying it), and a label must end at the last
//! real character, not on the next line.

use super::lexical;

/// For every byte offset, the end of the last significant (non-whitespace,
/// non-comment) character at or before it.
pub struct Trivia {
    significant_end: Vec<u32>,
}

impl Trivia {
    /// Scan `text` once: strings are significant, comments and whitespace are not.
    pub fn scan(text: &str) -> Trivia {
        let bytes = text.as_bytes();
        let mut significant_end = vec![0u32; bytes.len() + 1];
        let mut last = 0u32;
        let mut i = 0;
        while i < bytes.len() {
            let (next, significant) = match (bytes[i], bytes.get(i + 1)) {
                (b'"', _) => (lexical::string_end(bytes, i), true),
                (b'/', Some(b'/')) => (lexical::line_comment_end(bytes, i), false),
                (b'/', Some(b'*')) => (lexical::block_comment_end(bytes, i).unwrap_or(bytes.len()), false),
                (b' ' | b'\t' | b'\r' | b'\n', _) => (i + 1, false),
                _ => (i + 1, true),
            };
            let next = next.clamp(i + 1, bytes.len());
            for (offset, slot) in significant_end.iter_mut().enumerate().take(next + 1).skip(i + 1) {
                *slot = if significant { to_u32(offset) } else { last };
            }
            if significant {
                last = to_u32(next);
            }
            i = next;
        }
        Trivia { significant_end }
    }

    /// `end` moved back over trailing whitespace and comments (never before `start`).
    pub fn trim_end(&self, start: usize, end: usize) -> usize {
        let trimmed = self.significant_end.get(end).map_or(end, |e| *e as usize);
        trimmed.max(start)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_whitespace_and_comments_are_trimmed() {
        let text = "x = \"a // b\" // note\n  /* c */ y";
        let trivia = Trivia::scan(text);
        let y = text.len() - 1;
        assert_eq!(&text[..trivia.trim_end(0, y)], "x = \"a // b\"");
        assert_eq!(trivia.trim_end(0, text.len()), text.len());
        assert_eq!(trivia.trim_end(3, 3), 3);
    }
}
