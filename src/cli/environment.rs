//! Loading one spec and choosing the environment a command works on: shared by
//! `build`, `graph`, `plan` and `deploy`; and `--root`, shared by every
//! command that loads specs.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use mdl::diag::render;
use mdl::eval::Model;
use mdl::workspace::DiskFileSystem;
use mdl::{Inputs, Report};

use super::{ColorChoice, Outcome};

/// `--root DIR`: where spec imports may lead.
#[derive(Debug, Args)]
pub struct RootArg {
    /// The project root: spec imports must resolve inside it.
    ///
    /// Default: the nearest folder, from the named file's folder upward (up to
    /// a folder holding `.git`), with a `.mdl` file that declares `project`;
    /// else the named file's own folder.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

impl RootArg {
    /// The root named, checked to be a directory (the error is printed here).
    pub fn dir(&self) -> Result<Option<&Path>, Outcome> {
        match &self.root {
            Some(dir) if !dir.is_dir() => {
                let what = if dir.exists() { "is not a directory" } else { "does not exist" };
                eprintln!("error: --root `{}` {what}", dir.display());
                Err(Outcome::Usage)
            }
            root => Ok(root.as_deref()),
        }
    }
}

/// Check `spec` (the report keeps the sources, for pointing at spec lines)
/// and pick the environment: the only one it declares, or the one named by
/// `wanted`. Diagnostics and errors are printed here; the `Err` is the exit
/// code to end with.
pub fn load(
    spec: &Path,
    root: &RootArg,
    wanted: Option<&str>,
    color: ColorChoice,
) -> Result<(Report, Model), Outcome> {
    let entries = [PathBuf::from(spec)];
    let mut report = Inputs { entries: &entries, root: spec_root(spec, root)? }.check(&DiskFileSystem);
    refuse_errors(&report, spec, color)?;
    let model = pick(&mut report, spec, wanted)?;
    Ok((report, model))
}

/// `spec` checked, its environments evaluated but not lowered yet (for
/// `mdl build`, which lowers the one it writes as it writes it): nothing is
/// printed but a usage error; the caller adds what lowering finds, then
/// calls [`refuse_errors`] and [`pick`].
pub fn check_unlowered(spec: &Path, root: &RootArg) -> Result<Report, Outcome> {
    let entries = [PathBuf::from(spec)];
    Ok(Inputs { entries: &entries, root: spec_root(spec, root)? }.check_unlowered(&DiskFileSystem))
}

/// The environment `wanted` names, else the only one, if there is one (no message).
pub fn wanted_index(report: &Report, wanted: Option<&str>) -> Option<usize> {
    match wanted {
        Some(name) => report.models.iter().position(|m| m.environment == name),
        None if report.models.len() == 1 => Some(0),
        None => None,
    }
}

/// Print the report's diagnostics; `Err` when any is an error.
pub fn refuse_errors(report: &Report, spec: &Path, color: ColorChoice) -> Result<(), Outcome> {
    if !report.diagnostics.is_empty() {
        let text =
            render::render_human_all(&report.diagnostics, &report.workspace.sources, color.for_stderr());
        let _ = writeln!(io::stderr().lock(), "{text}");
    }
    if report.errors() > 0 {
        eprintln!("error: {} has errors; nothing was built", spec.display());
        return Err(Outcome::Problems);
    }
    Ok(())
}

/// The project root to load `spec` under, once `spec` is known to be a file
/// (the error is printed here).
fn spec_root<'a>(spec: &Path, root: &'a RootArg) -> Result<Option<&'a Path>, Outcome> {
    if !spec.is_file() {
        let what = if spec.is_dir() {
            "is a directory; name one spec file, e.g. specs/dev.mdl"
        } else if spec.exists() {
            "is not a regular file; name a spec file, e.g. specs/dev.mdl"
        } else {
            "does not exist"
        };
        eprintln!("error: `{}` {what}", spec.display());
        return Err(Outcome::Usage);
    }
    root.dir()
}

/// The chosen environment's model, moved out of `report` (a model of a large
/// platform is hundreds of megabytes: a copy would double the peak).
pub fn pick(report: &mut Report, spec: &Path, wanted: Option<&str>) -> Result<Model, Outcome> {
    let names: Vec<&str> = report.models.iter().map(|m| m.environment.as_str()).collect();
    let chosen = match (wanted, names.as_slice()) {
        (Some(name), _) => report.models.iter().position(|m| m.environment == name),
        (None, [_]) => Some(0),
        (None, []) => {
            eprintln!("error: {} declares no environment; name a file such as specs/dev.mdl", spec.display());
            return Err(Outcome::Usage);
        }
        (None, several) => {
            eprintln!(
                "error: {} declares {} environments; choose one with --env ({})",
                spec.display(),
                several.len(),
                several.join(", ")
            );
            return Err(Outcome::Usage);
        }
    };
    match chosen {
        Some(index) => Ok(report.models.swap_remove(index)),
        None => {
            eprintln!(
                "error: {} has no environment `{}` (it has: {})",
                spec.display(),
                wanted.unwrap_or(""),
                names.join(", ")
            );
            Err(Outcome::Usage)
        }
    }
}
