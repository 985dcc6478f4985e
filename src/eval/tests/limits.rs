//! The limits on what evaluation builds: each a located diagnostic at the
//! expression that would cross it, found before memory runs out.

use super::*;

/// A layer of `bindings`, evaluated for `prod`; its diagnostics and sources.
fn layer(bindings: &str) -> (Workspace, Vec<Diagnostic>) {
    let body = format!("{PROJECT}\nlayer app {{\n{bindings}}}\n");
    let (workspace, model, diagnostics) = spec(&body, PROD);
    assert!(model.is_none(), "a limit was expected");
    (workspace, diagnostics)
}

/// `name0 = first` and `count` bindings, each `step` applied to the one before.
fn chain(name: &str, first: &str, count: usize, step: &str) -> String {
    let mut out = format!("  {name}0 = {first}\n");
    for n in 1..=count {
        let previous = format!("{name}{}", n - 1);
        out.push_str(&format!("  {name}{n} = {}\n", step.replace('@', &previous)));
    }
    out
}

#[test]
fn a_doubled_string_stops_at_the_binding_that_crosses_a_mebibyte() {
    let (workspace, diagnostics) = layer(&chain("s", "\"ab\"", 40, "@ + @"));
    let d = only(&diagnostics, Code::StringTooLong);
    assert_eq!(d.message, "this string would be 2,097,152 bytes, over the limit of 1 MiB");
    assert_eq!(workspace.sources.slice(d.primary.span), "s19 + s19");
}

#[test]
fn interpolation_is_held_to_the_same_limit() {
    let (workspace, diagnostics) = layer(&chain("s", "\"ab\"", 40, "\"${@}${@}\""));
    let d = only(&diagnostics, Code::StringTooLong);
    assert_eq!(workspace.sources.slice(d.primary.span), "\"${s19}${s19}\"");
}

#[test]
fn join_and_replace_are_refused_before_they_build_their_string() {
    // A 64 KiB separator between 1,024 elements, a 1,000-byte replacement
    // for each of 64 Ki matches: 64 MB each, refused before allocating it.
    let base = chain("s", "\"aaaaaaaaaaaaaaaa\"", 12, "@ + @");
    let list = chain("l", "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\"]", 7, "@ + @");
    let thousand = "x".repeat(1000);
    let bindings =
        format!("{base}{list}  joined = join(l7, s12)\n  replaced = replace(s12, \"a\", \"{thousand}\")\n");
    let (workspace, diagnostics) = layer(&bindings);
    let texts: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.code == Code::StringTooLong)
        .map(|d| workspace.sources.slice(d.primary.span))
        .collect();
    assert_eq!(texts.len(), 2, "{diagnostics:#?}");
    assert!(texts[0].starts_with("join(") && texts[1].starts_with("replace("), "{texts:?}");
}

#[test]
fn a_doubled_list_stops_at_a_hundred_thousand_elements() {
    let (workspace, diagnostics) = layer(&chain("l", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", 20, "@ + @"));
    let d = only(&diagnostics, Code::TooManyElements);
    assert_eq!(d.message, "this list would have 163,840 elements, over the limit of 100,000");
    assert_eq!(workspace.sources.slice(d.primary.span), "l13 + l13");
}

#[test]
fn a_value_nested_a_thousand_levels_deep_is_refused_where_it_is_read() {
    let (workspace, diagnostics) = layer(&chain("r", "1", 1100, "{ a = @ }"));
    let d = only(&diagnostics, Code::TooManyElements);
    assert!(d.message.contains("more than 1,000 levels deep"), "{}", d.message);
    assert_eq!(workspace.sources.slice(d.primary.span), "r1001");
}

#[test]
fn a_squared_comprehension_runs_out_of_steps_once() {
    // l10: 10 × 2^10 elements; each level of the product copies the level below.
    let list = chain("l", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", 4, "@ + @");
    let product = chain("p", "l4", 4, "[@ for x in @]");
    let (_, diagnostics) = layer(&format!("{list}{product}"));
    only(&diagnostics, Code::TooManySteps);
}

#[test]
fn the_step_budget_grows_with_the_size_of_the_spec() {
    // 1,024 × 1,024 comparisons: over the fixed 4,000,000 steps, within the
    // budget of a spec of about a megabyte.
    let list = chain("l", "[0, 1, 2, 3, 4, 5, 6, 7]", 7, "@ + @");
    let pairs = "  pairs = [x for x in l7 if len([y for y in l7 if y == x]) > 5000]\n";
    let (_, diagnostics) = layer(&format!("{list}{pairs}"));
    only(&diagnostics, Code::TooManySteps);

    let padding = format!("  // {}\n", "x".repeat(96)).repeat(10_000);
    let body = format!("{PROJECT}\nlayer app {{\n{padding}{list}{pairs}}}\n");
    let (_, model, diagnostics) = spec(&body, PROD);
    assert!(diagnostics.is_empty(), "{:#?}", &diagnostics[..diagnostics.len().min(3)]);
    assert!(model.is_some());
}
