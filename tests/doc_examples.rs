//! Every ```mdl block of the documentation is checked, so an example cannot
//! drift from the language or the stdlib.
//!
//! A block tagged `mdl` is a whole program: it must check with no error and no
//! warning, and every environment it declares must lower to templates.
//! `mdl,fails(E0403)` shows a mistake on purpose and must fail with that code.
//! `mdl,excerpt` is a piece of a larger file (a parameter line, a match arm),
//! quoted to explain it; it is not checked on its own. A block whose first line
//! is a `// path.mdl` comment is that file, and the other blocks of its page
//! may import it (`import "./platform.mdl"`).
//!
//! `docs/diagnostics.md` is left out: its examples show each code's mistake in a
//! few lines of context, and `tests/ui/` holds a checked case for every code
//! (`tests/diagnostics_registry.rs`).

use std::path::PathBuf;

/// The pages whose examples are checked.
const PAGES: [&str; 4] = ["README.md", "docs/language.md", "docs/stdlib.md", "editors/vscode/README.md"];

/// What a block's info string asks of it.
#[derive(Debug, PartialEq)]
enum Expect {
    Checks,
    Fails(String),
    Excerpt,
}

/// One ```mdl block: where it starts, its tag, its text, the file it names.
#[derive(Debug)]
struct Block {
    line: usize,
    expect: Expect,
    text: String,
    path: Option<String>,
}

fn expectation(info: &str) -> Option<Expect> {
    let mut parts = info.split(',').map(str::trim);
    if parts.next()? != "mdl" {
        return None;
    }
    Some(match parts.next() {
        None => Expect::Checks,
        Some("excerpt") => Expect::Excerpt,
        Some(tag) => match tag.strip_prefix("fails(").and_then(|t| t.strip_suffix(')')) {
            Some(code) => Expect::Fails(code.to_string()),
            None => panic!("unknown mdl block tag `{tag}`: use `excerpt` or `fails(CODE)`"),
        },
    })
}

/// The ```mdl blocks of a markdown page, in order.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut open: Option<(usize, Expect, Vec<&str>)> = None;
    for (index, line) in markdown.lines().enumerate() {
        let fence = line.trim_start();
        match open.take() {
            Some((start, expect, body)) if fence == "```" => {
                let text = body.join("\n") + "\n";
                let path = body
                    .first()
                    .and_then(|first| first.trim().strip_prefix("// "))
                    .and_then(|rest| rest.split_whitespace().next())
                    .filter(|name| name.ends_with(".mdl"))
                    .map(str::to_string);
                found.push(Block { line: start, expect, text, path });
            }
            Some((start, expect, mut body)) => {
                body.push(line);
                open = Some((start, expect, body));
            }
            None => {
                if let Some(info) = fence.strip_prefix("```") {
                    if let Some(expect) = expectation(info) {
                        open = Some((index + 1, expect, Vec::new()));
                    }
                }
            }
        }
    }
    assert!(open.is_none(), "an ```mdl block is never closed");
    found
}

/// Check `block` with the named files of its page beside it.
fn check(block: &Block, named: &[&Block]) -> mdl::Report {
    let own = block.path.clone().unwrap_or_else(|| "specs/example.mdl".to_string());
    let folder = PathBuf::from(&own).parent().map(PathBuf::from).unwrap_or_default();
    let mut files: Vec<(String, String)> = vec![(own.clone(), block.text.clone())];
    for other in named {
        let path = other.path.clone().unwrap_or_default();
        if path != own {
            // Named files sit beside the block, as `./name.mdl`.
            let file = PathBuf::from(&path).file_name().map(PathBuf::from).unwrap_or_default();
            files.push((folder.join(file).to_string_lossy().into_owned(), other.text.clone()));
        }
    }
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let workspace = mdl::workspace::Workspace::from_memory(&borrowed);
    mdl::run_pipeline(workspace)
}

fn codes(report: &mdl::Report) -> Vec<String> {
    report.diagnostics.iter().map(|d| d.code.as_str().to_string()).collect()
}

#[test]
fn every_mdl_example_of_the_docs_checks_or_fails_as_marked() {
    let mut checked = 0;
    for page in PAGES {
        let markdown = std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{page}: {e}"));
        let all = blocks(&markdown);
        let named: Vec<&Block> =
            all.iter().filter(|b| b.path.is_some() && b.expect == Expect::Checks).collect();
        for block in &all {
            let at = format!("{page}:{}", block.line);
            match &block.expect {
                Expect::Excerpt => continue,
                Expect::Checks => {
                    let report = check(block, &named);
                    assert!(report.diagnostics.is_empty(), "{at}: {:#?}", report.diagnostics);
                    assert!(!report.models.is_empty() || !block.text.contains("environment "), "{at}");
                    for model in &report.models {
                        let lowered = mdl::cfn::lower(model);
                        assert!(lowered.diagnostics.is_empty(), "{at}: {:#?}", lowered.diagnostics);
                    }
                }
                Expect::Fails(code) => {
                    let report = check(block, &named);
                    let mut found = codes(&report);
                    for model in &report.models {
                        found.extend(
                            mdl::cfn::lower(model).diagnostics.iter().map(|d| d.code.as_str().to_string()),
                        );
                    }
                    assert!(found.contains(code), "{at}: expected {code}, got {found:?}");
                }
            }
            checked += 1;
        }
    }
    // Guards against a parser that finds no block: the pages hold at least this many.
    assert!(checked >= 9, "only {checked} examples were checked");
}

#[test]
fn tags_are_read_as_written() {
    let page =
        "text\n```mdl\nlayer a {}\n```\n```mdl,fails(E0402)\nx\n```\n```mdl,excerpt\ny\n```\n```sh\nz\n```\n";
    let found = blocks(page);
    let expects: Vec<&Expect> = found.iter().map(|b| &b.expect).collect();
    assert_eq!(expects, [&Expect::Checks, &Expect::Fails("E0402".into()), &Expect::Excerpt]);
    assert_eq!(found[0].line, 2);
    assert_eq!(found[1].text, "x\n");
}
