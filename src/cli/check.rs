//! `mdl check [PATH...]`: load, check and evaluate every environment; print
//! diagnostics and a summary.
//!
//! Which paths exit 2 and which exit 1: mdl exits 2 when it cannot tell what
//! to check (a path that does not exist, a directory without `.mdl` files, a
//! directory it cannot walk). Once a file is on the list, every problem with
//! it, including "cannot read" or "not UTF-8" (E0102), is a diagnostic, so it
//! shows up in JSON output and exits 1 like any other spec error.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use mdl::diag::render;
use mdl::syntax::ast::ItemKind;
use mdl::workspace::{DiskFileSystem, ModuleOrigin};
use mdl::{Inputs, Report};

use super::environment::RootArg;
use super::{ColorChoice, Outcome};

/// What `mdl check` checks when no path is given.
const DEFAULT_PATH: &str = "specs/";

/// Arguments of `mdl check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 no errors, 1 the specs have errors (or warnings with --deny-warnings), 2 usage or I/O error.\n\nExamples:\n  mdl check                         # everything under specs/\n  mdl check specs/prod.mdl          # one environment and what it imports\n  mdl check --format json specs/    # machine-readable, schema in docs/diagnostics.md\n  mdl check --format github specs/  # annotations in a GitHub Actions run\n  mdl check --format sarif specs/ > mdl.sarif"
)]
pub struct CheckArgs {
    /// Spec files or directories (searched recursively for `*.mdl`) [default: specs/]
    paths: Vec<PathBuf>,
    /// Output format: `human` (stderr), or `json`, `github` or `sarif` (stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 1 when there are warnings, even without errors.
    #[arg(long)]
    deny_warnings: bool,
    /// When to color human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(flatten)]
    root: RootArg,
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets and a summary line, on stderr.
    Human,
    /// One JSON object on stdout (schema in docs/diagnostics.md).
    Json,
    /// GitHub Actions workflow commands on stdout: annotations on the pull request.
    Github,
    /// A SARIF 2.1.0 log on stdout, for code scanning.
    Sarif,
}

/// Run `mdl check`.
pub fn run(args: &CheckArgs) -> Outcome {
    let default = [PathBuf::from(DEFAULT_PATH)];
    let paths = if args.paths.is_empty() { &default[..] } else { &args.paths[..] };
    let files = match spec_files(paths) {
        Ok(files) => files,
        Err(message) => {
            let hint = if args.paths.is_empty() { " (no PATH given: mdl checks `specs/`)" } else { "" };
            let _ = writeln!(io::stderr().lock(), "error: {message}{hint}");
            return Outcome::Usage;
        }
    };
    let root = match args.root.dir() {
        Ok(root) => root,
        Err(outcome) => return outcome,
    };
    let report = Inputs { entries: &files, root }.lint(&DiskFileSystem);
    let failed = report.errors() > 0 || (args.deny_warnings && report.warnings() > 0);
    // A closed pipe (`mdl check | head`) is not worth a panic or another message.
    let _ = match args.format {
        Format::Human => print_human(&report, args, args.color.for_stderr()),
        Format::Json => print_stdout(&render::render_json(&report.diagnostics, &report.workspace.sources)),
        Format::Github => {
            print_stdout(&render::render_github(&report.diagnostics, &report.workspace.sources))
        }
        Format::Sarif => print_stdout(&render::render_sarif(&report.diagnostics, &report.workspace.sources)),
    };
    if failed {
        Outcome::Problems
    } else {
        Outcome::Ok
    }
}

fn print_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn print_human(report: &Report, args: &CheckArgs, color: bool) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stderr().lock());
    if !report.diagnostics.is_empty() {
        let text = render::render_human_all(&report.diagnostics, &report.workspace.sources, color);
        writeln!(out, "{text}")?;
    }
    writeln!(out, "{}", summary(report, args.deny_warnings, color))?;
    out.flush()
}

/// The closing line: `error: 3 errors, 1 warning in 2 files` or
/// `ok: checked 3 files, 2 environments (dev, prod)`.
fn summary(report: &Report, deny_warnings: bool, color: bool) -> String {
    let (errors, warnings) = (report.errors(), report.warnings());
    let paint =
        |code: &str, text: &str| if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.into() };
    if errors > 0 || (deny_warnings && warnings > 0) {
        let mut counts = Vec::new();
        if errors > 0 {
            counts.push(count(errors, "error"));
        }
        if warnings > 0 {
            counts.push(count(warnings, "warning"));
        }
        let denied = if errors == 0 { " (denied by --deny-warnings)" } else { "" };
        let files = count(files_with_diagnostics(report), "file");
        return format!("{} {} in {files}{denied}", paint("1;31", "error:"), counts.join(", "));
    }
    let environments = environments(report);
    let mut line = format!(
        "{} checked {}, {}",
        paint("1;32", "ok:"),
        count(spec_file_count(report), "file"),
        count(environments.len(), "environment")
    );
    if !environments.is_empty() {
        line.push_str(&format!(" ({})", environments.join(", ")));
    }
    if warnings > 0 {
        line.push_str(&format!(", {}", count(warnings, "warning")));
    }
    line
}

/// `1 error`, `3 errors`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn files_with_diagnostics(report: &Report) -> usize {
    report.diagnostics.iter().map(|d| d.primary.span.file).collect::<BTreeSet<_>>().len()
}

/// Spec files read (the named ones and those they import; not the stdlib).
fn spec_file_count(report: &Report) -> usize {
    report.workspace.modules.iter().filter(|m| matches!(m.origin, ModuleOrigin::Spec(_))).count()
}

/// Names of the environments declared in the named files, in order.
fn environments(report: &Report) -> Vec<String> {
    let mut names = Vec::new();
    for &id in &report.workspace.entries {
        for item in &report.workspace.module(id).ast.items {
            if let ItemKind::Environment(environment) = &item.kind {
                if !names.contains(&environment.name.text) {
                    names.push(environment.name.text.clone());
                }
            }
        }
    }
    names
}

/// The `.mdl` files to check: named files as given, directories walked
/// recursively (sorted by name, hidden entries skipped, links followed only
/// inside the directory), each file once.
pub(super) fn spec_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| match error.kind() {
            io::ErrorKind::NotFound => format!("`{}` does not exist", path.display()),
            _ => format!("cannot access `{}`: {error}", path.display()),
        })?;
        if metadata.is_dir() {
            let found = walk(path)?;
            if found.is_empty() {
                return Err(format!("no .mdl files found under `{}`", path.display()));
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut seen = BTreeSet::new();
    files.retain(|file| seen.insert(mdl::workspace::normalize(file)));
    Ok(files)
}

/// The `.mdl` files under `dir`. Links are followed only while they stay
/// inside `dir`: a spec folder from a pull request must not make mdl read
/// (and quote in syntax errors) a file elsewhere on the machine, so a link
/// out of it is an error naming the link, and nothing behind it is read.
fn walk(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let inside =
        std::fs::canonicalize(dir).map_err(|error| format!("cannot read `{}`: {error}", dir.display()))?;
    let escaping = std::cell::RefCell::new(None);
    let keep = |entry: &walkdir::DirEntry| {
        if entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.') {
            return false;
        }
        let leaves = entry.path_is_symlink()
            && std::fs::canonicalize(entry.path()).map_or(true, |target| !target.starts_with(&inside));
        if leaves && escaping.borrow().is_none() {
            *escaping.borrow_mut() = Some(entry.path().to_path_buf());
        }
        !leaves
    };
    let mut found = Vec::new();
    let walker = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(keep) {
        let entry = entry.map_err(|error| format!("cannot read `{}`: {error}", dir.display()))?;
        let is_spec = entry.path().extension().is_some_and(|ext| ext == "mdl");
        if is_spec && entry.file_type().is_file() {
            found.push(entry.into_path());
        }
    }
    if let Some(link) = escaping.into_inner() {
        return Err(format!(
            "`{}` is a link that leads out of `{}` (or nowhere); mdl does not follow it. Name the file itself to check it",
            link.display(),
            dir.display()
        ));
    }
    Ok(found)
}
