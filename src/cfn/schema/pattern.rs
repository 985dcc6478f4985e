//! Resource-schema patterns: ECMA-262 regular expressions, translated for
//! `regex-lite`, compiled once each and only when a value needs one.
//!
//! The translation never makes a pattern stricter than the schema's (a value
//! CloudFormation accepts must never be reported): where the dialects differ
//! (ECMA-262 as written, Java as in CloudFormation's handlers, Python as in
//! cfn-lint) it picks the reading that accepts more, and a pattern it cannot
//! translate that way is not checked at all. The table of what is translated
//! how, and the count of what is skipped: `schemas/README.md`.

use std::sync::OnceLock;

use regex_lite::Regex;

use super::digest;

/// Counted repetitions above this (`[a-z-]{1,255}`) become `*` or `+`: the
/// engine builds one copy of the repeated part per count, and `.{1,65535}`
/// takes 20 ms to compile. Lengths are checked on their own (`maxLength`), so
/// little is lost.
const MAX_COUNT: u32 = 64;

/// Why a pattern cannot be checked, for the README's count and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Untranslatable {
    /// `&&`, `--` or `~~` inside a class: set operators for Java, plain characters in ECMA-262.
    ClassOperator,
    /// A UTF-16 surrogate (`\uD800`): no character of a Rust string is one.
    Surrogate,
    /// A back-reference (`\1`).
    BackReference,
    /// A `\p{..}` class this translation does not know.
    UnknownClass,
    /// Anything else `regex-lite` refuses.
    Unsupported,
}

/// The `regex-lite` form of an ECMA-262 schema pattern.
pub fn translate(ecma: &str) -> Result<String, Untranslatable> {
    Translator { chars: ecma.chars().collect(), at: 0, out: String::with_capacity(ecma.len() + 8) }.run()
}

/// `pattern` compiled, or why it cannot be.
pub fn compile(pattern: &str) -> Result<Regex, Untranslatable> {
    let translated = translate(pattern)?;
    Regex::new(&translated).map_err(|_| Untranslatable::Unsupported)
}

/// Whether `text` matches the pattern at `index` of the digest's table; `None`
/// when the pattern is not checked.
pub fn matches(index: usize, text: &str) -> Option<bool> {
    static COMPILED: [OnceLock<Option<Regex>>; digest::PATTERN_COUNT] =
        [const { OnceLock::new() }; digest::PATTERN_COUNT];
    let cell = COMPILED.get(index)?;
    let regex = cell.get_or_init(|| digest::pattern(index).and_then(|p| compile(&p).ok()));
    regex.as_ref().map(|r| r.is_match(text))
}

/// Code point ranges, inclusive.
type Ranges = Vec<(u32, u32)>;

const NON_ASCII: (u32, u32) = (0x80, 0x10FFFF);

/// ECMA-262's `\s`: WhiteSpace and LineTerminator.
const SPACES: &[(u32, u32)] = &[
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
];

/// The ASCII members of a Unicode general category (or of Java's POSIX
/// classes `Print` and `Graph`); `None` for a name not in the table. These
/// never change: ASCII's categories are fixed (a test checks them against
/// Unicode's tables).
fn ascii_members(name: &str) -> Option<Ranges> {
    Some(match name {
        "L" | "Letter" => vec![(0x41, 0x5A), (0x61, 0x7A)],
        "Lu" | "Uppercase_Letter" => vec![(0x41, 0x5A)],
        "Ll" | "Lowercase_Letter" => vec![(0x61, 0x7A)],
        "N" | "Number" | "Nd" | "Decimal_Number" => vec![(0x30, 0x39)],
        "Z" | "Separator" | "Zs" | "Space_Separator" => vec![(0x20, 0x20)],
        "P" | "Punctuation" => {
            vec![
                (0x21, 0x23),
                (0x25, 0x2A),
                (0x2C, 0x2F),
                (0x3A, 0x3B),
                (0x3F, 0x40),
                (0x5B, 0x5D),
                (0x5F, 0x5F),
                (0x7B, 0x7B),
                (0x7D, 0x7D),
            ]
        }
        "S" | "Symbol" => vec![
            (0x24, 0x24),
            (0x2B, 0x2B),
            (0x3C, 0x3E),
            (0x5E, 0x5E),
            (0x60, 0x60),
            (0x7C, 0x7C),
            (0x7E, 0x7E),
        ],
        "C" | "Other" | "Cc" | "Control" => vec![(0x00, 0x1F), (0x7F, 0x7F)],
        "M" | "Mark" | "Cf" | "Format" | "Co" | "Private_Use" | "Cn" | "Unassigned" => vec![],
        "ASCII" => vec![(0x00, 0x7F)],
        "Print" => vec![(0x20, 0x7E)],
        "Graph" => vec![(0x21, 0x7E)],
        _ => return None,
    })
}

/// Every code point not in `ranges` (sorted, disjoint).
fn complement(ranges: &[(u32, u32)]) -> Ranges {
    let mut out = Vec::new();
    let mut next = 0;
    for &(low, high) in ranges {
        if low > next {
            out.push((next, low - 1));
        }
        next = high + 1;
    }
    if next <= 0x10FFFF {
        out.push((next, 0x10FFFF));
    }
    out
}

/// `(0x30, 0x39)` as `\x{30}-\x{39}`: members of a bracketed class.
fn members(ranges: &[(u32, u32)]) -> String {
    let mut out = String::new();
    for &(low, high) in ranges {
        if low == high {
            out.push_str(&format!("\\x{{{low:X}}}"));
        } else {
            out.push_str(&format!("\\x{{{low:X}}}-\\x{{{high:X}}}"));
        }
    }
    out
}

struct Translator {
    chars: Vec<char>,
    at: usize,
    out: String,
}

impl Translator {
    fn run(mut self) -> Result<String, Untranslatable> {
        while let Some(c) = self.peek(0) {
            match c {
                '\\' => self.escape(None)?,
                '[' => self.class()?,
                '(' if self.peek(1) == Some('?') && self.looks_around() => self.drop_look_around()?,
                '$' => {
                    // ECMA-262 `$` is the end; Java's and Python's also allow
                    // one final newline before it: accept both.
                    self.out.push_str(r"(?:\n?\z)");
                    self.at += 1;
                }
                '{' => self.count(),
                _ => self.copy(1),
            }
        }
        Ok(self.out)
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn copy(&mut self, n: usize) {
        for _ in 0..n {
            if let Some(c) = self.peek(0) {
                self.out.push(c);
                self.at += 1;
            }
        }
    }

    /// An escape; `class` says whether it is inside a bracketed class, and
    /// whether that class is negated.
    fn escape(&mut self, class: Option<bool>) -> Result<(), Untranslatable> {
        let Some(next) = self.peek(1) else {
            self.copy(1);
            return Ok(());
        };
        if let Some(ranges) = self.class_escape(next, class.unwrap_or(false))? {
            match class {
                Some(_) => self.out.push_str(&members(&ranges)),
                None => self.out.push_str(&format!("[{}]", members(&ranges))),
            }
            return Ok(());
        }
        match next {
            'Z' if class.is_none() => {
                self.out.push_str(r"(?:\n?\z)");
                self.at += 2;
            }
            '1'..='9' if class.is_none() => return Err(Untranslatable::BackReference),
            'u' => {
                let hex: String = (2..6).filter_map(|i| self.peek(i)).collect();
                if u32::from_str_radix(&hex, 16).is_ok_and(|code| (0xD800..=0xDFFF).contains(&code)) {
                    return Err(Untranslatable::Surrogate);
                }
                self.copy(2);
            }
            _ => self.copy(2),
        }
        Ok(())
    }

    /// The members of `\d`, `\w`, `\s`, `\p{..}` and their complements, as
    /// ranges; `None` for any other escape. In a negated class a Unicode
    /// category keeps its ASCII members only (fewer members, a wider class);
    /// anywhere else it also takes every non-ASCII character.
    fn class_escape(&mut self, escape: char, in_negated: bool) -> Result<Option<Ranges>, Untranslatable> {
        let ranges = match escape {
            'd' | 'D' => vec![(0x30, 0x39)],
            'w' | 'W' => vec![(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
            's' | 'S' => SPACES.to_vec(),
            'p' | 'P' if self.peek(2) == Some('{') => {
                let end = (self.at..self.chars.len())
                    .find(|&i| self.chars[i] == '}')
                    .ok_or(Untranslatable::Unsupported)?;
                let name: String = self.chars[self.at + 3..end].iter().collect();
                let mut ascii = ascii_members(&name).ok_or(Untranslatable::UnknownClass)?;
                if escape == 'P' {
                    ascii = complement(&ascii)
                        .into_iter()
                        .filter(|(low, _)| *low < 0x80)
                        .map(|(l, h)| (l, h.min(0x7F)))
                        .collect();
                }
                if !in_negated {
                    ascii.push(NON_ASCII);
                }
                self.at = end + 1;
                return Ok(Some(ascii));
            }
            _ => return Ok(None),
        };
        self.at += 2;
        Ok(Some(if escape.is_ascii_uppercase() { complement(&ranges) } else { ranges }))
    }

    /// A bracketed class, up to its closing `]`.
    fn class(&mut self) -> Result<(), Untranslatable> {
        self.copy(1);
        let negated = self.peek(0) == Some('^');
        if negated {
            self.copy(1);
        }
        if self.peek(0) == Some(']') {
            // `[]` matches nothing in ECMA-262, `[]a]` holds `]` in Java and Python.
            return Err(Untranslatable::Unsupported);
        }
        let mut after_class_escape = false;
        while let Some(c) = self.peek(0) {
            match c {
                ']' => {
                    self.copy(1);
                    return Ok(());
                }
                '\\' => {
                    after_class_escape = is_class_escape(self.peek(1));
                    self.escape(Some(negated))?;
                    continue;
                }
                '[' => {
                    // ECMA-262 has no nested classes: `[` is a character.
                    self.out.push_str(r"\[");
                    self.at += 1;
                }
                '&' | '-' | '~' if self.peek(1) == Some(c) => return Err(Untranslatable::ClassOperator),
                '-' if after_class_escape
                    || (self.peek(1) == Some('\\') && is_class_escape(self.peek(2))) =>
                {
                    // `[\w-.]`: next to a class escape, `-` is a character.
                    self.out.push_str(r"\-");
                    self.at += 1;
                }
                _ => self.copy(1),
            }
            after_class_escape = false;
        }
        Err(Untranslatable::Unsupported)
    }

    /// At `(?`: whether the group is a look-around.
    fn looks_around(&self) -> bool {
        matches!((self.peek(2), self.peek(3)), (Some('=' | '!'), _) | (Some('<'), Some('=' | '!')))
    }

    /// Skip a look-around group and any quantifier on it. `regex-lite` has
    /// none; an assertion only ever rejects, so without it the pattern accepts
    /// everything it accepted, and more (`^(?=.{2,256}$)[a-z0-9]+$` still
    /// rejects `MyRepo`).
    fn drop_look_around(&mut self) -> Result<(), Untranslatable> {
        let mut depth = 0usize;
        while let Some(c) = self.peek(0) {
            match c {
                '\\' => self.at += 2,
                '[' => self.skip_class(),
                '(' => {
                    depth += 1;
                    self.at += 1;
                }
                ')' => {
                    depth -= 1;
                    self.at += 1;
                    if depth == 0 {
                        self.skip_quantifier();
                        return Ok(());
                    }
                }
                _ => self.at += 1,
            }
        }
        Err(Untranslatable::Unsupported)
    }

    fn skip_class(&mut self) {
        self.at += 1;
        if self.peek(0) == Some('^') {
            self.at += 1;
        }
        if self.peek(0) == Some(']') {
            self.at += 1;
        }
        while let Some(c) = self.peek(0) {
            self.at += if c == '\\' { 2 } else { 1 };
            if c == ']' {
                return;
            }
        }
    }

    fn skip_quantifier(&mut self) {
        match self.peek(0) {
            Some('*' | '+' | '?') => self.at += 1,
            Some('{') => match self.quantifier() {
                Some((length, _, _)) => self.at += length,
                None => return,
            },
            _ => return,
        }
        if self.peek(0) == Some('?') {
            self.at += 1; // lazy
        }
    }

    /// At `{`: the quantifier's length in characters and its bounds, when it
    /// is one (`{2}`, `{2,}`, `{2,5}`).
    fn quantifier(&self) -> Option<(usize, u32, Option<u32>)> {
        let close = (self.at..self.chars.len().min(self.at + 24)).find(|&i| self.chars[i] == '}')?;
        let inner: String = self.chars[self.at + 1..close].iter().collect();
        let (low, high) = match inner.split_once(',') {
            Some((low, "")) => (low.parse().ok()?, None),
            Some((low, high)) => (low.parse().ok()?, Some(high.parse().ok()?)),
            None => (inner.parse().ok()?, Some(inner.parse().ok()?)),
        };
        Some((close + 1 - self.at, low, high))
    }

    /// A quantifier, copied, or relaxed to `*`/`+` when large; a `{` that
    /// starts none is a character (ECMA-262, Annex B).
    fn count(&mut self) {
        match self.quantifier() {
            Some((length, low, high)) if low > MAX_COUNT || high.is_some_and(|h| h > MAX_COUNT) => {
                self.out.push(if low == 0 { '*' } else { '+' });
                self.at += length;
            }
            Some((length, _, _)) => self.copy(length),
            None => {
                self.out.push_str(r"\{");
                self.at += 1;
            }
        }
    }
}

fn is_class_escape(c: Option<char>) -> bool {
    matches!(c, Some('w' | 'W' | 'd' | 'D' | 's' | 'S' | 'p' | 'P'))
}
