//! `mdl fmt [--check] [PATH...]`: rewrite spec files in the one canonical layout.
//!
//! A file with syntax errors is reported and left untouched; how a formatted
//! file is written (through links, keeping hard links, permissions and owner,
//! atomically where it can be) is `write.rs`'s business.

use std::path::{Path, PathBuf};

use clap::Args;
use mdl::diag::render;
use mdl::source::Sources;
use mdl::syntax::format::format_source;
use mdl::workspace::read_spec_file;

use super::check::spec_files;
use super::write::replace_contents;
use super::{ColorChoice, Outcome};

/// Arguments of `mdl fmt`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 nothing to do (or all written), 1 files would change with --check or have syntax errors, 2 usage or I/O error.\n\nExamples:\n  mdl fmt                          # format everything under specs/\n  mdl fmt --check specs/ stdlib/   # CI: list files that are not formatted"
)]
pub struct FmtArgs {
    /// Spec files or directories (searched recursively for `*.mdl`) [default: specs/]
    paths: Vec<PathBuf>,
    /// Write nothing; list the files that would change and exit 1 if any would.
    #[arg(long)]
    check: bool,
    /// When to color diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

/// What happened to one file.
enum FileOutcome {
    Unchanged,
    Changed,
    /// Syntax errors or unreadable: reported, untouched.
    Failed,
}

/// Run `mdl fmt`.
pub fn run(args: &FmtArgs) -> Outcome {
    let default = [PathBuf::from("specs/")];
    let paths = if args.paths.is_empty() { &default[..] } else { &args.paths[..] };
    let files = match spec_files(paths) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("error: {message}");
            return Outcome::Usage;
        }
    };
    let (mut changed, mut failed) = (0, 0);
    for file in &files {
        match format_file(file, args) {
            FileOutcome::Unchanged => {}
            FileOutcome::Changed => changed += 1,
            FileOutcome::Failed => failed += 1,
        }
    }
    summarize(args.check, files.len(), changed, failed)
}

fn format_file(path: &Path, args: &FmtArgs) -> FileOutcome {
    let text = match read_spec_file(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => return fail(path, "is not valid UTF-8"),
        Err(error) => return fail(path, &format!("cannot be read: {error}")),
    };
    let mut sources = Sources::default();
    let file = sources.add(path.display().to_string(), Some(path.to_path_buf()), text.clone());
    let formatted = match format_source(file, &text) {
        Ok(formatted) => formatted,
        Err(diagnostics) => {
            eprintln!("{}", render::render_human_all(&diagnostics, &sources, args.color.for_stderr()));
            eprintln!("error: {} has syntax errors; left as it is", path.display());
            return FileOutcome::Failed;
        }
    };
    if formatted == text {
        return FileOutcome::Unchanged;
    }
    if args.check {
        println!("would reformat {}", path.display());
        return FileOutcome::Changed;
    }
    match replace_contents(path, &formatted) {
        Ok(()) => {
            println!("formatted {}", path.display());
            FileOutcome::Changed
        }
        Err(why) => fail(path, &why),
    }
}

fn fail(path: &Path, why: &str) -> FileOutcome {
    eprintln!("error: {} {why}", path.display());
    FileOutcome::Failed
}

fn summarize(check: bool, total: usize, changed: usize, failed: usize) -> Outcome {
    let files = |n: usize| if n == 1 { "1 file".to_string() } else { format!("{n} files") };
    match (check, changed) {
        (true, 0) => eprintln!("ok: {} already formatted", files(total - failed)),
        (true, n) => eprintln!("error: {} would be reformatted (run `mdl fmt`)", files(n)),
        (false, n) => {
            eprintln!("ok: formatted {}, {} already formatted", files(n), files(total - n - failed))
        }
    }
    if failed > 0 || (check && changed > 0) {
        Outcome::Problems
    } else {
        Outcome::Ok
    }
}
