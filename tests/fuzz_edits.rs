//! Property test: random edits of real spec files never make the pipeline
//! (load, parse, check, evaluate) or the renderers panic.
//!
//! The specs come from `specs/` at test time (so the test grows with them);
//! while `specs/` is empty a built-in sample stands in. Edits are the ones an
//! editor makes mid-typing: delete a range, insert characters or grammar
//! tokens, duplicate a line, swap two lines.

use std::fs;
use std::path::Path;

use mdl::diag::render;
use mdl::workspace::Workspace;
use proptest::prelude::*;

/// Used while `specs/` has no `.mdl` files.
const SAMPLE: &str = r#"project megadolls {
  environments { dev, prod }
  settings {
    image_tag: string
    approval: bool = false
    desired: int in 1..10 = 1
  }
  params = "/megadolls/infra"
}

environment dev { region = us_east_1, image_tag = "dev-latest" }
environment prod { region = us_east_1, image_tag = "latest", approval = true, desired = 2 }

enum Size { small = "s", large { cpu: cpu in 0.25 vcpu..16 vcpu = 1 vcpu } }

construct queue {
  name: string
  retention: duration = 4 days
  require len(name) > 0 else "a queue needs a name"
  resource "AWS::SQS::Queue" queue { QueueName = name, MessageRetentionPeriod = units(retention) }
  output arn = queue.Arn
}

layer core {
  jobs = queue { name = "jobs-${env.name}" }
  secret stripe_key = "Stripe API key"
  publish jobs_arn = jobs.arn
  count = match env.name { dev => 1, prod => 3 }
  names = [upper(n) for n in ["a", "b"] if n != "b"]
  resource "AWS::SNS::Topic" alerts { TopicName = "alerts" } with { DeletionPolicy = "Retain" }
}

layer app {
  arn = core.jobs_arn
  size = if env.approval { 2 GB } else { 512 MiB }
}
"#;

/// Tokens of the grammar, and a few characters that tend to break lexers.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{", "}", "[", "]", "(", ")", "=", ",", ".", "..", ":", "?", "\"", "${", "\\", "import", "std/aws/{ecs}",
    "layer", "construct", "project", "environment", "type", "enum", "publish", "secret", "service",
    "resource", "require", "else", "if", "match", "=>", "_", "for", "in", "stage", "when", "with", "output",
    "1 vcpu", "2 GB", "10%", "5 min", "0.5", "99999999999999999999", "none", "true", "!", "-", "+", "*", "/",
    "%", "&&", "||", "==", "<=", "//", "/*", "*/", "///", "\n", "\t", "é", "\u{feff}", "\0", "env.name",
    "core.jobs_arn", "deploy<string>", "map<int>", "[string]",
];

/// The files to edit: `(display path, text)`.
fn corpus() -> Vec<(String, String)> {
    let mut files = Vec::new();
    if Path::new("specs").is_dir() {
        for entry in walkdir::WalkDir::new("specs").sort_by_file_name().into_iter().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "mdl") {
                if let Ok(text) = fs::read_to_string(path) {
                    files.push((path.display().to_string(), text));
                }
            }
        }
    }
    if files.is_empty() {
        files.push(("specs/sample.mdl".to_string(), SAMPLE.to_string()));
    }
    files
}

/// One edit; positions are fractions of the text, so they fit any file.
#[derive(Debug, Clone)]
enum Edit {
    Delete { at: f64, len: usize },
    Insert { at: f64, text: String },
    DuplicateLine { line: f64 },
    SwapLines { a: f64, b: f64 },
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let fraction = 0.0..1.0f64;
    let token = prop::sample::select(TOKENS).prop_map(str::to_string);
    let text = prop_oneof![3 => token, 1 => "\\PC{0,8}"];
    prop_oneof![
        (fraction.clone(), 1..40usize).prop_map(|(at, len)| Edit::Delete { at, len }),
        (fraction.clone(), text).prop_map(|(at, text)| Edit::Insert { at, text }),
        fraction.clone().prop_map(|line| Edit::DuplicateLine { line }),
        (fraction.clone(), fraction).prop_map(|(a, b)| Edit::SwapLines { a, b }),
    ]
}

/// The char boundary at or before `fraction` of the text.
fn offset(text: &str, fraction: f64) -> usize {
    let mut at = ((text.len() as f64) * fraction) as usize;
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, edit: &Edit) {
    match edit {
        Edit::Delete { at, len } => {
            let start = offset(text, *at);
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(start..end, "");
        }
        Edit::Insert { at, text: inserted } => {
            let at = offset(text, *at);
            text.insert_str(at, inserted);
        }
        Edit::DuplicateLine { line } => {
            let mut lines: Vec<&str> = text.split('\n').collect();
            let i = ((lines.len() as f64) * line) as usize % lines.len();
            lines.insert(i, lines[i]);
            *text = lines.join("\n");
        }
        Edit::SwapLines { a, b } => {
            let mut lines: Vec<&str> = text.split('\n').collect();
            let n = lines.len();
            lines.swap(((n as f64) * a) as usize % n, ((n as f64) * b) as usize % n);
            *text = lines.join("\n");
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

proptest! {
    // 256 cases by default (about 25 s in a debug build with the real specs);
    // `PROPTEST_CASES=5000` for a longer hunt.
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_edits_never_panic(file in any::<prop::sample::Index>(), edits in prop::collection::vec(edit_strategy(), 1..5)) {
        let mut files = corpus();
        let chosen = file.index(files.len());
        for edit in &edits {
            apply(&mut files[chosen].1, edit);
        }
        let in_memory: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let report = mdl::run_pipeline(Workspace::from_memory(&in_memory));
        let sources = &report.workspace.sources;
        let human = render::render_human_all(&report.diagnostics, sources, true);
        let json = render::render_json(&report.diagnostics, sources);
        prop_assert!(report.diagnostics.is_empty() || !human.is_empty());
        prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    }
}

/// A diagnostic with random spans (past the end, inside a character, in a
/// file that does not exist) over random text.
fn random_diagnostic(text: &str, spans: &[(u32, u32, u32)]) -> (mdl::source::Sources, mdl::diag::Diagnostic) {
    use mdl::diag::{Code, Diagnostic};
    use mdl::source::{FileId, Sources, Span};
    let mut sources = Sources::default();
    sources.add("a.mdl".into(), None, text.to_string());
    sources.add("empty.mdl".into(), None, String::new());
    let span = |&(file, start, len): &(u32, u32, u32)| {
        Span::new(FileId(file), start as usize, (start + len) as usize)
    };
    let mut diagnostic = Diagnostic::new(Code::SyntaxError, "message", span(&spans[0]), "primary");
    for secondary in &spans[1..] {
        diagnostic = diagnostic.with_label(span(secondary), "secondary");
    }
    (sources, diagnostic.with_help("help").with_note("note"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn renderers_never_panic_on_odd_spans(
        text in "(\\PC|\n|\t|é|日本|\r\n){0,200}",
        spans in prop::collection::vec((0..3u32, 0..260u32, 0..40u32), 1..4),
    ) {
        let (sources, diagnostic) = random_diagnostic(&text, &spans);
        for color in [false, true] {
            let human = render::render_human(&diagnostic, &sources, color);
            prop_assert!(human.contains("error[E0101]"));
        }
        let json = render::render_json(std::slice::from_ref(&diagnostic), &sources);
        prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    }
}

#[test]
fn edits_stay_on_char_boundaries() {
    let mut text = String::from("é\nà ü\n");
    for edit in [
        Edit::Delete { at: 0.1, len: 2 },
        Edit::Insert { at: 0.5, text: "ñ".into() },
        Edit::DuplicateLine { line: 0.99 },
        Edit::SwapLines { a: 0.0, b: 0.7 },
    ] {
        apply(&mut text, &edit);
    }
    assert!(text.is_char_boundary(text.len()));
}
