//! Where the cursor is, read from the text alone: inside a comment or a
//! string, after a number, after `x.`, at a field name or a field's value
//! inside `target { .. }` (nested through `field = { .. }` and `[ .. ]`).
//!
//! While the user types, the document rarely parses, so completion cannot
//! read the cursor's place from the tree; it reads it here, and asks the
//! checker's answers (of the last good analysis) what the names mean. The
//! scan follows the grammar's lexical rules: comments nest, strings hold
//! `${..}` interpolations, which are code.

use crate::syntax::lexical::block_comment_end;

/// What the braces around the cursor are the body of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `ecs.fargate_service {`: a construct, record type or variant, by path.
    Path(String),
    /// `environment dev {`: the project's settings.
    Settings,
}

/// A record being written: the base, then the fields whose values are the
/// nested records (`network = {` inside `ecs.fargate_service {`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub base: Base,
    pub fields: Vec<String>,
}

/// What the cursor is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// A comment, a string's text, a number: nothing to complete.
    Silent,
    /// `base.` then the cursor (and maybe a partial word).
    AfterDot(String),
    /// At the start of an entry of a record: which fields are already set.
    FieldName { target: Target, set: Vec<String> },
    /// After `field =` in a record.
    FieldValue { target: Target, field: String },
    /// In an expression elsewhere: names in scope.
    Anywhere,
}

/// An open bracket before the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Brace(usize),
    Bracket,
    Paren,
    String,
    Interpolation,
}

/// The context of a cursor at `offset` in `text`.
pub fn context(text: &str, offset: usize) -> Context {
    let offset = floor_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let Some(stack) = scan(before) else { return Context::Silent };
    if matches!(stack.last(), Some(Open::String)) {
        return Context::Silent;
    }
    let word_start = before.trim_end_matches(is_word_char).len();
    let prefix = &before[..word_start];
    if let Some(base) = prefix.strip_suffix('.') {
        let base_start = base.trim_end_matches(|c: char| is_word_char(c) || c == '.').len();
        let base = &base[base_start..];
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            return Context::Silent;
        }
        return Context::AfterDot(base.to_string());
    }
    if after_number(prefix) || before[word_start..].starts_with(|c: char| c.is_ascii_digit()) {
        return Context::Silent;
    }
    let Some(Open::Brace(open)) = stack.last().copied() else { return Context::Anywhere };
    let Some(target) = target_of(text, &stack) else { return Context::Anywhere };
    let entry = prefix.rsplit(['\n', ',', '{']).next().unwrap_or("");
    if entry.trim().is_empty() {
        return Context::FieldName { target, set: fields_set(text, open) };
    }
    match entry.trim_end().strip_suffix('=') {
        Some(field) if is_name(field.trim()) && !field.ends_with(['=', '!', '<', '>']) => {
            Context::FieldValue { target, field: field.trim().to_string() }
        }
        _ => Context::Anywhere,
    }
}

/// The brackets open at the end of `text`, innermost last; `None` when the
/// text ends inside a comment.
fn scan(text: &str) -> Option<Vec<Open>> {
    let bytes = text.as_bytes();
    let mut stack = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(stack.last(), Some(Open::String)) {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    stack.pop();
                    i += 1;
                }
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(Open::Interpolation);
                    i += 2;
                }
                _ => i += 1,
            }
            continue;
        }
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'/')) => i = bytes[i..].iter().position(|&b| b == b'\n').map(|n| i + n)?,
            (b'/', Some(b'*')) => i = block_comment_end(bytes, i)?,
            (b'"', _) => {
                stack.push(Open::String);
                i += 1;
            }
            (open @ (b'{' | b'[' | b'('), _) => {
                stack.push(match open {
                    b'{' => Open::Brace(i),
                    b'[' => Open::Bracket,
                    _ => Open::Paren,
                });
                i += 1;
            }
            (b'}' | b']' | b')', _) => {
                stack.pop();
                i += 1;
            }
            _ => i += 1,
        }
    }
    Some(stack)
}

/// What the innermost brace of `stack` is the body of, from the text before
/// each brace: `path {`, `environment NAME {`, or `field = {` (a field of
/// the brace outside it, through any `[`).
fn target_of(text: &str, stack: &[Open]) -> Option<Target> {
    let (last, outer) = stack.split_last()?;
    let Open::Brace(at) = *last else { return None };
    let head = text[..at].trim_end();
    let head = head.trim_end_matches(|c: char| c == '[' || c == ',' || c.is_whitespace());
    if let Some(field) = head.strip_suffix('=').filter(|h| !h.ends_with(['=', '!', '<', '>'])) {
        let field = field.trim_end();
        let name_start = field.trim_end_matches(is_word_char).len();
        let name = &field[name_start..];
        if !is_name(name) {
            return None;
        }
        let brace = outer.iter().rposition(|o| matches!(o, Open::Brace(_)))?;
        if !outer[brace + 1..].iter().all(|o| *o == Open::Bracket) {
            return None;
        }
        let outer = &outer[..=brace];
        let mut target = target_of(text, outer)?;
        target.fields.push(name.to_string());
        return Some(target);
    }
    let start = head.trim_end_matches(|c: char| is_word_char(c) || c == '.').len();
    let path = &head[start..];
    let keyword = head[..start].trim_end();
    let keyword = &keyword[keyword.trim_end_matches(is_word_char).len()..];
    match keyword {
        "environment" => Some(Target { base: Base::Settings, fields: Vec::new() }),
        "layer" | "construct" | "project" | "type" | "enum" | "settings" | "environments" => None,
        _ if path.is_empty() || path.starts_with(|c: char| c.is_ascii_digit()) || is_keyword(path) => None,
        _ => Some(Target { base: Base::Path(path.to_string()), fields: Vec::new() }),
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(word, "settings" | "environments" | "else" | "with" | "match" | "for" | "if")
}

/// The names set in the record whose `{` is at `open`: `name =` at the start
/// of each of its entries, before and after the cursor.
fn fields_set(text: &str, open: usize) -> Vec<String> {
    walk_record(text, open).0
}

/// The offset of the `}` closing the record whose `{` is at `open`.
pub fn record_end(text: &str, open: usize) -> Option<usize> {
    walk_record(text, open).1
}

/// The names set in a record, and where it closes.
fn walk_record(text: &str, open: usize) -> (Vec<String>, Option<usize>) {
    let bytes = text.as_bytes();
    let mut set = Vec::new();
    let mut depth = 0usize;
    let mut entry_start = open + 1;
    let mut i = open + 1;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'/')) => {
                i = bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            (b'/', Some(b'*')) => {
                i = block_comment_end(bytes, i).unwrap_or(bytes.len());
                continue;
            }
            (b'"', _) => {
                i = string_end(bytes, i);
                continue;
            }
            (b'{' | b'[' | b'(', _) => depth += 1,
            (b'}' | b']' | b')', _) if depth == 0 => return (set, Some(i)),
            (b'}' | b']' | b')', _) => depth -= 1,
            (b'\n' | b',', _) if depth == 0 => entry_start = i + 1,
            (b'=', next) if depth == 0 && next != Some(&b'=') => {
                let name = text[entry_start..i].trim();
                if is_name(name) && !set.iter().any(|s| s == name) {
                    set.push(name.to_string());
                }
                entry_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    (set, None)
}

/// Just past the string whose `"` is at `start` (interpolations followed).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    let mut depth = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' if depth == 0 => return i + 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Whether the text ends with a number and spaces (`cpu = 4 `): what comes
/// next is a unit, not a name.
fn after_number(prefix: &str) -> bool {
    let trimmed = prefix.trim_end_matches([' ', '\t']);
    let number_start = trimmed.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '_').len();
    number_start < trimmed.len()
        && trimmed[number_start..].starts_with(|c: char| c.is_ascii_digit())
        && !trimmed[..number_start].ends_with(is_word_char)
}

fn is_name(word: &str) -> bool {
    !word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit()) && word.chars().all(is_word_char)
}

/// A letter, digit or `_`: a character of a name.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_end(text: &str) -> Context {
        context(text, text.len())
    }

    fn path(p: &str, fields: &[&str]) -> Target {
        Target { base: Base::Path(p.into()), fields: fields.iter().map(|f| f.to_string()).collect() }
    }

    #[test]
    fn comments_strings_and_numbers_are_silent() {
        assert_eq!(at_end("layer a {\n  // the web "), Context::Silent);
        assert_eq!(at_end("layer a {\n  /* the /* web */ "), Context::Silent);
        assert_eq!(at_end("layer a {\n  x = \"the web "), Context::Silent);
        assert_eq!(at_end("layer a {\n  x = 4."), Context::Silent);
        assert_eq!(at_end("layer a {\n  x = 4 "), Context::Silent);
        assert_eq!(at_end("layer a {\n  x = \"${env."), Context::AfterDot("env".into()));
        assert_eq!(at_end("layer a {\n  // done\n  x = "), Context::Anywhere);
    }

    #[test]
    fn reads_the_record_being_written() {
        let text = "environment dev {\n  region = us_east_1\n  size = ";
        let settings = Target { base: Base::Settings, fields: Vec::new() };
        assert_eq!(at_end(text), Context::FieldValue { target: settings.clone(), field: "size".into() });
        assert_eq!(
            at_end("environment dev {\n  region = us_east_1\n  "),
            Context::FieldName { target: settings.clone(), set: vec!["region".into()] }
        );
        let text = "layer a {\n  x = ecs.service {\n    cpu = 1 vcpu\n    network = {\n      ";
        assert_eq!(
            at_end(text),
            Context::FieldName { target: path("ecs.service", &["network"]), set: vec![] }
        );
        let text = "environment dev {\n  scaling = { min = 1, ";
        let target = Target { base: Base::Settings, fields: vec!["scaling".into()] };
        assert_eq!(at_end(text), Context::FieldName { target, set: vec!["min".into()] });
        assert_eq!(at_end("x = ecs."), Context::AfterDot("ecs".into()));
        assert_eq!(at_end("x = pipeline.Action.ap"), Context::AfterDot("pipeline.Action".into()));
    }

    #[test]
    fn fields_after_the_cursor_count_as_set() {
        let text = "x = q {\n  \n  name = \"a\", delay = 2 s\n}\n";
        let cursor = text.find("\n  \n").expect("blank") + 3;
        assert_eq!(
            context(text, cursor),
            Context::FieldName { target: path("q", &[]), set: vec!["name".into(), "delay".into()] }
        );
    }
}
