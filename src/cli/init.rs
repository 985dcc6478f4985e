//! `mdl init [DIR] [--example NAME] [--name PROJECT]`: a new project made
//! from one of the embedded examples, which checks and builds at once.
//!
//! Nothing is overwritten: when any file the scaffold would write exists,
//! mdl says which and writes none.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;
use mdl::examples::{self, ScaffoldFile};

use super::Outcome;

/// Arguments of `mdl init`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    mdl init shop                              # shop/specs/: the web-api example, project `shop`\n  \
    mdl init --example internal-services ops   # internal services with a shared database\n  \
    mdl init . --name payments                 # here, with another project name\n\n\
    Then: cd DIR && mdl check && mdl build specs/dev.mdl -o out/dev")]
pub struct InitArgs {
    /// The folder of the new project (created if missing); its specs go in `DIR/specs/`.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// The example to start from.
    #[arg(long, default_value = examples::DEFAULT, value_parser = examples::names())]
    example: String,
    /// The project's name [default: the folder's name, lowercased, `-` as `_`].
    #[arg(long)]
    name: Option<String>,
}

/// Run `mdl init`.
pub fn run(args: &InitArgs) -> Outcome {
    let project = match &args.name {
        Some(name) => name.clone(),
        None => examples::project_name_from(&folder_name(&args.dir)),
    };
    let files = match examples::scaffold(&args.example, &project) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: {error}");
            return Outcome::Usage;
        }
    };
    let existing: Vec<PathBuf> =
        files.iter().map(|f| args.dir.join(&f.path)).filter(|path| path.exists()).collect();
    if !existing.is_empty() {
        let list: Vec<String> = existing.iter().map(|p| p.display().to_string()).collect();
        eprintln!("error: mdl init writes no file over another; these exist: {}", list.join(", "));
        eprintln!("help: choose an empty folder (`mdl init NEW_DIR`), or move them away");
        return Outcome::Usage;
    }
    if let Err(error) = write(&args.dir, &files) {
        eprintln!("error: cannot write to {}: {error}", args.dir.display());
        return Outcome::Usage;
    }
    report(&args.dir, &args.example, &project, &files);
    Outcome::Ok
}

/// The folder's own name, for the default project name (`.` is the current folder's).
fn folder_name(dir: &Path) -> String {
    let absolute = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir().map(|cwd| cwd.join(dir)).unwrap_or_else(|_| dir.to_path_buf())
    };
    let normal: PathBuf = absolute.components().collect();
    normal.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Each file through a temporary name and a rename, so an interrupted init
/// leaves no half-written spec.
fn write(dir: &Path, files: &[ScaffoldFile]) -> std::io::Result<()> {
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let partial = path.with_extension("mdl.partial");
        fs::write(&partial, &file.contents)?;
        fs::rename(&partial, &path)?;
    }
    Ok(())
}

fn report(dir: &Path, example: &str, project: &str, files: &[ScaffoldFile]) {
    let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    eprintln!(
        "created project `{project}` from the {example} example in {}: {}",
        dir.display(),
        names.join(", ")
    );
    eprintln!("next:");
    eprintln!("  cd {}", dir.display());
    eprintln!("  mdl check                            # every environment");
    eprintln!("  mdl build specs/dev.mdl -o out/dev   # the templates");
    eprintln!("  mdl plan specs/dev.mdl               # what a deploy would change (needs AWS credentials)");
    eprintln!("Set each environment's region, image tag and certificate in specs/<environment>.mdl.");
}
