//! pest's errors → syntax diagnostics that name tokens the way users write them.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::parse::Rule;
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// The E0101 diagnostic for a pest error: "expected X or Y, found Z".
/// `error` came from parsing the piece of `text` that starts at `base`.
pub fn syntax_error(file: FileId, text: &str, base: usize, error: &Error<Rule>) -> Diagnostic {
    syntax_error_within(file, text, base..text.len(), error, "end of file")
}

/// [`syntax_error`] for the piece `piece` of `text`, whose end is not the end
/// of the file: `end` says what pest's end of input stands for ("the end of
/// the member"). An error at the end of the piece is reported at the end of
/// its last line ("found end of line"), not at the next piece's first token.
pub fn syntax_error_within(
    file: FileId,
    text: &str,
    piece: std::ops::Range<usize>,
    error: &Error<Rule>,
    end: &str,
) -> Diagnostic {
    let base = piece.start;
    let mut offset = base
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((start, _)) => start,
        };
    let mut expected = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => expected_list(positives, end),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    // pest's rule-level position can lag behind the farthest token it tried
    // (`region` matched, then `=` was missing): the farthest point is where
    // the user's mistake is.
    if let Some(attempts) = error.parse_attempts() {
        let tokens = expected_tokens(&attempts.expected_tokens());
        if base + attempts.max_position > offset && !tokens.is_empty() {
            offset = base + attempts.max_position;
            expected = tokens;
        }
    }
    let mut offset = skip_whitespace(text, offset);
    if offset >= piece.end && piece.end < text.len() {
        offset = skip_whitespace(text, piece.start + text[piece.clone()].trim_end().len());
    }
    let found = describe_found(text, offset);
    let span = Span::new(file, offset, offset + found_len(text, offset));
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {expected}, found {found}")
    };
    let label = format!("unexpected {found}");
    let diagnostic = Diagnostic::new(Code::SyntaxError, message, span, label);
    match hint(text, offset) {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// Friendly names for what pest expected, deduplicated, in a stable order.
fn expected_list(rules: &[Rule], end: &str) -> String {
    let mut names: Vec<&str> =
        rules.iter().filter_map(|r| if *r == Rule::EOI { Some(end) } else { token_name(*r) }).collect();
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

fn token_name(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::ident | Rule::path => "a name",
        Rule::expr | Rule::cond_expr | Rule::unary | Rule::cond_unary => "an expression",
        Rule::string_lit => "a string",
        Rule::number | Rule::quantity => "a number",
        Rule::unit => "a unit (vcpu, MiB, GiB, MB, GB, s, min, h, days, %)",
        Rule::type_expr => "a type",
        Rule::item | Rule::import_decl | Rule::project_decl | Rule::environment_decl | Rule::layer_decl => {
            "a declaration (import, project, environment, layer, construct, type, enum)"
        }
        Rule::member | Rule::project_item => {
            "a member (`name = value`, `service`, `publish`, `secret`, `resource`, `require`, ...)"
        }
        Rule::record_item | Rule::field_binding => "a field (`name = value`)",
        Rule::field_decl | Rule::param_decl => "a field declaration (`name: type`)",
        Rule::record_lit => "`{`",
        Rule::match_arm | Rule::pattern => "a match arm (`pattern => value`)",
        Rule::variant => "an enum variant",
        Rule::diag_code => "a diagnostic code",
        Rule::doc => "a doc comment",
        Rule::or_op | Rule::and_op | Rule::eq_op | Rule::ne_op | Rule::lt_op | Rule::le_op | Rule::gt_op => {
            "an operator"
        }
        Rule::ge_op | Rule::add_op | Rule::sub_op | Rule::mul_op | Rule::div_op | Rule::rem_op => {
            "an operator"
        }
        Rule::field_access => "`.`",
        Rule::call_args => "`(`",
        Rule::index_access => "`[`",
        Rule::when_clause => "`when`",
        Rule::kw_else => "`else`",
        Rule::kw_in => "`in`",
        Rule::kw_with => "`with`",
        Rule::kw_where => "`where`",
        Rule::kw_when => "`when`",
        Rule::kw_as => "`as`",
        Rule::kw_if => "`if`",
        Rule::kw_for => "`for`",
        Rule::comprehension => "`for`",
        Rule::optional_mark => "`?`",
        Rule::range => "`in`",
        _ => return None,
    })
}

/// Literal tokens pest tried, quoted: "`=` or `}`".
fn expected_tokens<T: std::fmt::Display>(tokens: &[T]) -> String {
    let mut names: Vec<String> = tokens
        .iter()
        .map(|t| t.to_string())
        // pest shows built-in rules as BUILTIN_RULE and character ranges as `a..z`.
        .filter(|t| !is_noise(t))
        .map(|t| format!("`{t}`"))
        .collect();
    names.sort();
    names.dedup();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// Tokens pest tries everywhere (comments, the start of a longer name) that
/// would only clutter "expected …".
fn is_noise(token: &str) -> bool {
    token.trim().is_empty()
        || matches!(token, "BUILTIN_RULE" | "//" | "/*" | "///" | "_" | "\u{feff}")
        || (token.chars().count() == 4 && token.contains(".."))
}

/// Point at the next token rather than at the spaces before it.
fn skip_whitespace(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    offset + (rest.len() - rest.trim_start_matches([' ', '\t']).len())
}

/// What stands at `offset`: a quoted token, "end of file" or "end of line".
fn describe_found(text: &str, offset: usize) -> String {
    let rest = text.get(offset..).unwrap_or("");
    match rest.chars().next() {
        None => "end of file".into(),
        Some('\n') | Some('\r') => "end of line".into(),
        Some(_) => {
            let token: String = rest[..found_len(text, offset)].chars().take(40).collect();
            format!("`{token}`")
        }
    }
}

/// Byte length of the token at `offset`: a word, or one character.
fn found_len(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    let word =
        rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').map(char::len_utf8).sum::<usize>();
    if word > 0 {
        word
    } else {
        rest.chars().next().map_or(0, |c| if c == '\n' { 0 } else { c.len_utf8() })
    }
}

/// Help for mistakes with a known fix.
fn hint(text: &str, offset: usize) -> Option<String> {
    let rest = text.get(offset..).unwrap_or("");
    let before = text.get(..offset).unwrap_or("").trim_end();
    if rest.starts_with(':') && before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
        return Some("fields are set with `=`: `name = value`".into());
    }
    if rest.starts_with("%") && before.ends_with(|c: char| c.is_ascii_digit()) {
        return Some("write percentages without a space: `10%`".into());
    }
    let word: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
    let lowercase_unit =
        ["gb", "mb", "gib", "mib", "vcpus", "cpu", "sec", "secs", "mins", "minutes", "hours", "day"];
    if before.ends_with(|c: char| c.is_ascii_digit())
        && lowercase_unit.contains(&word.to_lowercase().as_str())
    {
        return Some(
            "units are written `vcpu`, `MiB`, `GiB`, `MB`, `GB`, `s`, `min`, `h`, `days` or `%` (e.g. `2 GB`)".into(),
        );
    }
    None
}
