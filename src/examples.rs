//! The example platforms, embedded at build time from `examples/`, and the
//! scaffold `mdl init` makes of one.
//!
//! Input: an example's name and the new project's name. Output: the files of
//! the new project (`specs/<file>.mdl`, the example's project name replaced
//! by the new one), checked in memory before anything is written, or why
//! not. No I/O here: the CLI writes the files.

use crate::workspace::Workspace;

include!(concat!(env!("OUT_DIR"), "/example_files.rs"));

/// The example `mdl init` scaffolds when none is named.
pub const DEFAULT: &str = "web-api";

/// The longest project name a scaffold takes: it prefixes pipeline,
/// repository, cluster and group names, which AWS limits.
pub const MAX_PROJECT_NAME: usize = 32;

/// The names of the embedded examples, sorted.
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<&str> = EXAMPLES.iter().map(|(example, _, _)| *example).collect();
    names.dedup();
    names
}

/// One file of a scaffold: its path relative to the project folder, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaffoldFile {
    /// `specs/platform.mdl`, `specs/dev.mdl`, ...
    pub path: String,
    /// The example's text with the project renamed.
    pub contents: String,
}

/// Why a scaffold cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScaffoldError {
    /// No example has this name.
    UnknownExample { name: String, known: Vec<&'static str> },
    /// The project name is not a lowercase name AWS resource names accept.
    BadProjectName { name: String },
    /// The renamed example does not check (a reserved word as the name).
    DoesNotCheck { name: String, first: String },
}

impl std::fmt::Display for ScaffoldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScaffoldError::UnknownExample { name, known } => {
                write!(f, "no example is called `{name}`; the examples are: {}", known.join(", "))
            }
            ScaffoldError::BadProjectName { name } => write!(
                f,
                "`{name}` cannot name a project: use a lowercase letter, then lowercase letters, digits or `_`, \
                 at most {MAX_PROJECT_NAME} in all (it prefixes AWS resource names); pass --name NAME"
            ),
            ScaffoldError::DoesNotCheck { name, first } => {
                write!(f, "a project named `{name}` does not check ({first}); pass another --name")
            }
        }
    }
}

/// The files of a new project made from `example`, named `project`.
pub fn scaffold(example: &str, project: &str) -> Result<Vec<ScaffoldFile>, ScaffoldError> {
    let files: Vec<(&str, &str)> =
        EXAMPLES.iter().filter(|(e, _, _)| *e == example).map(|(_, name, text)| (*name, *text)).collect();
    if files.is_empty() {
        return Err(ScaffoldError::UnknownExample { name: example.to_string(), known: names() });
    }
    if !is_project_name(project) {
        return Err(ScaffoldError::BadProjectName { name: project.to_string() });
    }
    let old = files.iter().find_map(|(_, text)| declared_project(text)).unwrap_or_default();
    let scaffold: Vec<ScaffoldFile> = files
        .iter()
        .map(|(name, text)| ScaffoldFile {
            path: format!("specs/{name}"),
            contents: rename(text, old, project),
        })
        .collect();
    check(&scaffold, project)?;
    Ok(scaffold)
}

/// The project name a directory suggests: `./My-Shop` gives `my_shop`.
pub fn project_name_from(folder: &str) -> String {
    let lowered: String = folder
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    lowered.trim_matches('_').to_string()
}

fn is_project_name(name: &str) -> bool {
    let mut chars = name.chars();
    let starts = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    starts
        && name.len() <= MAX_PROJECT_NAME
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The name after `project` in the line that declares it.
fn declared_project(text: &str) -> Option<&str> {
    text.lines().find_map(|line| line.strip_prefix("project ")?.split_whitespace().next())
}

/// `text` with every whole-word occurrence of `old` replaced by `new` (a
/// word: letters, digits and `_`), so `gallery/app` and `/gallery` follow
/// the project but `galleryx` does not.
fn rename(text: &str, old: &str, new: &str) -> String {
    if old.is_empty() {
        return text.to_string();
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        // What precedes the match in the text: inside `rest`, or the end of
        // what was copied (a replaced word is a word either way).
        let before = if at > 0 { rest[..at].chars().last() } else { out.chars().last() };
        let after = rest[at + old.len()..].chars().next();
        out.push_str(&rest[..at]);
        let whole = !before.is_some_and(is_word) && !after.is_some_and(is_word);
        out.push_str(if whole { new } else { old });
        rest = &rest[at + old.len()..];
    }
    out + rest
}

/// The scaffold must check, so `mdl check` passes the moment it is written.
fn check(files: &[ScaffoldFile], project: &str) -> Result<(), ScaffoldError> {
    let sources: Vec<(&str, &str)> = files.iter().map(|f| (f.path.as_str(), f.contents.as_str())).collect();
    let report = crate::run_pipeline(Workspace::from_memory(&sources));
    match report.diagnostics.iter().find(|d| d.is_error()) {
        None => Ok(()),
        Some(first) => Err(ScaffoldError::DoesNotCheck {
            name: project.to_string(),
            first: format!("{}: {}", first.code.as_str(), first.message),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_scaffolds_and_is_renamed_everywhere() {
        assert!(names().len() >= 2, "{:?}", names());
        for example in names() {
            let files = scaffold(example, "acme_shop").expect("scaffolds");
            assert!(files.iter().any(|f| f.path == "specs/platform.mdl"), "{example}");
            let platform = files.iter().find(|f| f.path == "specs/platform.mdl").map(|f| &f.contents);
            assert!(platform.is_some_and(|t| t.contains("project acme_shop {")), "{example}");
            let old =
                EXAMPLES.iter().find_map(|(e, _, t)| (*e == example).then(|| declared_project(t)).flatten());
            let old = old.expect("the example declares a project");
            for file in &files {
                assert_eq!(
                    rename(&file.contents, old, "x"),
                    file.contents,
                    "{example} {}: `{old}` left",
                    file.path
                );
            }
        }
    }

    #[test]
    fn renaming_replaces_whole_words_only() {
        assert_eq!(
            rename("gallery/app gallery-dev /gallery galleryx xgallery", "gallery", "shop"),
            "shop/app shop-dev /shop galleryx xgallery"
        );
    }

    #[test]
    fn bad_names_and_unknown_examples_are_refused() {
        assert!(matches!(scaffold("nope", "shop"), Err(ScaffoldError::UnknownExample { .. })));
        for name in ["Shop", "9shop", "", "my-shop", &"a".repeat(MAX_PROJECT_NAME + 1)] {
            assert!(matches!(scaffold(DEFAULT, name), Err(ScaffoldError::BadProjectName { .. })), "{name}");
        }
        assert!(matches!(scaffold(DEFAULT, "none"), Err(ScaffoldError::DoesNotCheck { .. })));
        assert_eq!(project_name_from("My-Shop 2"), "my_shop_2");
    }
}
