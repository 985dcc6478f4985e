//! Characters that make text display differently from what it says.
//!
//! Input: a file's text. Output: an E0109 for every bidirectional control
//! character (U+202A–U+202E, U+2066–U+2069: the "Trojan Source" attack,
//! CVE-2021-42574, reorders what an editor or a review tool shows) and a
//! W0101 for every invisible character (zero-width space, joiners, word
//! joiner, a byte order mark after the start of the file, soft hyphen), in
//! strings, comments and code alike. Each says which character it is, by
//! code point and name, and how to fix it: an escape `\u{..}` in a string,
//! deletion elsewhere.

use std::ops::Range;

use super::lexical;
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Where a character sits, which decides the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    String,
    Comment,
    Code,
}

/// A diagnostic for every hidden character of `text`.
pub fn diagnostics(file: FileId, text: &str) -> Vec<Diagnostic> {
    if text.is_ascii() {
        return Vec::new();
    }
    let places = places(text.as_bytes());
    text.char_indices()
        .filter(|&(offset, c)| !(offset == 0 && c == '\u{FEFF}'))
        .filter_map(|(offset, c)| {
            let (bidi, name) = describe(c)?;
            let place = place_of(&places, offset);
            Some(diagnostic(Span::new(file, offset, offset + c.len_utf8()), c, bidi, name, place))
        })
        .collect()
}

/// Whether `c` is hidden: `(is a bidi control, its Unicode name)`.
fn describe(c: char) -> Option<(bool, &'static str)> {
    Some(match c {
        '\u{202A}' => (true, "LEFT-TO-RIGHT EMBEDDING"),
        '\u{202B}' => (true, "RIGHT-TO-LEFT EMBEDDING"),
        '\u{202C}' => (true, "POP DIRECTIONAL FORMATTING"),
        '\u{202D}' => (true, "LEFT-TO-RIGHT OVERRIDE"),
        '\u{202E}' => (true, "RIGHT-TO-LEFT OVERRIDE"),
        '\u{2066}' => (true, "LEFT-TO-RIGHT ISOLATE"),
        '\u{2067}' => (true, "RIGHT-TO-LEFT ISOLATE"),
        '\u{2068}' => (true, "FIRST STRONG ISOLATE"),
        '\u{2069}' => (true, "POP DIRECTIONAL ISOLATE"),
        '\u{200B}' => (false, "ZERO WIDTH SPACE"),
        '\u{200C}' => (false, "ZERO WIDTH NON-JOINER"),
        '\u{200D}' => (false, "ZERO WIDTH JOINER"),
        '\u{2060}' => (false, "WORD JOINER"),
        '\u{FEFF}' => (false, "ZERO WIDTH NO-BREAK SPACE (byte order mark)"),
        '\u{00AD}' => (false, "SOFT HYPHEN"),
        _ => return None,
    })
}

fn diagnostic(span: Span, c: char, bidi: bool, name: &str, place: Place) -> Diagnostic {
    let code_point = format!("U+{:04X}", u32::from(c));
    let (kind, code, label) = if bidi {
        (
            "bidirectional control character",
            Code::BidiCharacter,
            "this invisible character changes the order in which the text around it is displayed",
        )
    } else {
        ("invisible character", Code::InvisibleCharacter, "an invisible character is here")
    };
    let (where_, help) = match place {
        Place::String => (
            "in a string",
            format!("if it is meant to be there, write it as an escape: `\\u{{{:X}}}`", u32::from(c)),
        ),
        Place::Comment => ("in a comment", "delete it".to_string()),
        Place::Code => ("outside strings and comments", "delete it".to_string()),
    };
    Diagnostic::new(code, format!("{kind} {code_point} ({name}) {where_}"), span, label).with_help(help)
}

/// The strings and comments of the text, in order.
fn places(bytes: &[u8]) -> Vec<(Range<usize>, Place)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(end) = lexical::comment_end(bytes, i) {
            found.push((i..end, Place::Comment));
            i = end;
        } else if bytes[i..].starts_with(b"/*") {
            // Never closed: a comment to the end, as the grammar would read it.
            found.push((i..bytes.len(), Place::Comment));
            i = bytes.len();
        } else if bytes[i] == b'"' {
            let end = lexical::string_end(bytes, i);
            found.push((i..end, Place::String));
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

fn place_of(places: &[(Range<usize>, Place)], offset: usize) -> Place {
    let at = places.partition_point(|(range, _)| range.end <= offset);
    match places.get(at) {
        Some((range, place)) if range.start <= offset => *place,
        _ => Place::Code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_which_character_and_where() {
        let text =
            "layer l {\n  x = \"admin\u{202E} \u{2066}// check\u{2069}\"\n  // a\u{200B}b\n}\n\u{FEFF}";
        let found = diagnostics(FileId(0), text);
        let summary: Vec<(Code, &str)> = found.iter().map(|d| (d.code, d.message.as_str())).collect();
        assert_eq!(
            summary,
            [
                (Code::BidiCharacter, "bidirectional control character U+202E (RIGHT-TO-LEFT OVERRIDE) in a string"),
                (Code::BidiCharacter, "bidirectional control character U+2066 (LEFT-TO-RIGHT ISOLATE) in a string"),
                (Code::BidiCharacter, "bidirectional control character U+2069 (POP DIRECTIONAL ISOLATE) in a string"),
                (Code::InvisibleCharacter, "invisible character U+200B (ZERO WIDTH SPACE) in a comment"),
                (
                    Code::InvisibleCharacter,
                    "invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE (byte order mark)) outside strings and comments"
                ),
            ]
        );
        assert_eq!(
            found[0].help.as_deref(),
            Some("if it is meant to be there, write it as an escape: `\\u{202E}`")
        );
        assert_eq!(&text[found[0].primary.span.range()], "\u{202E}");
    }

    #[test]
    fn a_leading_byte_order_mark_and_other_unicode_are_fine() {
        assert!(diagnostics(FileId(0), "\u{FEFF}layer l { x = \"héllo → 世界\" }").is_empty());
    }
}
