//! `mdl build SPEC [-o DIR]`: lower one environment to one CloudFormation
//! template per layer, plus `manifest.json`; without `-o`, a summary per layer.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use mdl::cfn::{self, limits, output, Stack};

use super::environment;
use super::{ColorChoice, Outcome};

/// Arguments of `mdl build`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  mdl build specs/dev.mdl               # summary per layer\n  mdl build specs/prod.mdl -o out/prod  # write templates and manifest.json"
)]
pub struct BuildArgs {
    /// The spec file of one environment, e.g. specs/dev.mdl.
    spec: PathBuf,
    /// Write `<stack>.template.json` per layer and `manifest.json` into this directory.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
    /// The environment, when the file declares more than one.
    #[arg(long = "env")]
    environment: Option<String>,
    #[command(flatten)]
    root: environment::RootArg,
    /// When to color human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

/// Run `mdl build`.
pub fn run(args: &BuildArgs) -> Outcome {
    match build(args) {
        Ok(outcome) | Err(outcome) => outcome,
    }
}

/// What lowering the chosen environment left: its templates written under
/// temporary names, or its stacks for the summary.
enum Lowered {
    Files(Partial),
    Summary(Vec<Stack>),
}

/// Every environment of the spec is lowered once, in order, as checking
/// would: the chosen one into its files (or its summary), the others for
/// their diagnostics only. The files are renamed into place only when
/// nothing reported an error.
fn build(args: &BuildArgs) -> Result<Outcome, Outcome> {
    let mut report = environment::check_unlowered(&args.spec, &args.root)?;
    let chosen = match report.errors() {
        0 => environment::wanted_index(&report, args.environment.as_deref()),
        _ => None,
    };
    let mut found = Vec::new();
    let mut lowered = None;
    for (index, model) in report.models.iter().enumerate() {
        if Some(index) != chosen {
            found.extend(cfn::check(model));
            continue;
        }
        lowered = Some(match &args.out {
            Some(dir) => Lowered::Files(Partial::write(dir, model, &mut found)),
            None => {
                let all = cfn::lower(model);
                found.extend(all.diagnostics);
                Lowered::Summary(all.stacks)
            }
        });
    }
    report.diagnostics.extend(found);
    mdl::diag::sort_and_dedup(&mut report.diagnostics);
    if let Err(outcome) = environment::refuse_errors(&report, &args.spec, args.color) {
        if let Some(Lowered::Files(partial)) = lowered {
            partial.discard();
        }
        return Err(outcome);
    }
    let model = environment::pick(&mut report, &args.spec, args.environment.as_deref())?;
    let lowered = match (lowered, &args.out) {
        (Some(lowered), _) => lowered,
        // `pick` chose as `wanted_index` did: not reached, but never a guess.
        (None, Some(dir)) => Lowered::Files(Partial::write(dir, &model, &mut Vec::new())),
        (None, None) => Lowered::Summary(cfn::lower(&model).stacks),
    };
    let outcome = match lowered {
        Lowered::Files(partial) => {
            let dir = partial.dir.clone();
            match partial.finish(&model) {
                Ok(count) => {
                    eprintln!(
                        "wrote {count} files to {} ({} {}, {})",
                        dir.display(),
                        model.project,
                        model.environment,
                        model.region
                    );
                    Ok(Outcome::Ok)
                }
                Err(error) => {
                    eprintln!("error: cannot write to {}: {error}", dir.display());
                    Err(Outcome::Usage)
                }
            }
        }
        Lowered::Summary(stacks) => {
            let _ = print_summary(&model, &stacks);
            Ok(Outcome::Ok)
        }
    };
    // The process ends with this command: the evaluated model and the
    // spec's trees are left for the operating system to take back at exit
    // rather than freed value by value (at 4,000 services, freeing the
    // model alone was 6% of a build's CPU).
    std::mem::forget(model);
    std::mem::forget(report);
    outcome
}

/// One environment's templates, each written under a temporary name as soon
/// as its layer is lowered and then let go (memory holds one at a time), and
/// renamed into place with the manifest only once the whole environment
/// lowered without errors ([`Partial::finish`]), else removed.
struct Partial {
    dir: PathBuf,
    /// `dir` did not exist before: removed again with the partial files.
    created_dir: bool,
    /// The final names of the templates written (or begun) under temporary names.
    files: Vec<String>,
    /// Each layer's stack without its template: the manifest needs the
    /// stack's name, dependencies and parameters only.
    stacks: Vec<Stack>,
    /// The first write that failed.
    written: io::Result<()>,
}

impl Partial {
    /// Lower `model` layer by layer, writing each template under a temporary
    /// name; what lowering reports is added to `found`.
    fn write(dir: &Path, model: &mdl::eval::Model, found: &mut Vec<mdl::diag::Diagnostic>) -> Partial {
        let created_dir = !dir.exists();
        let mut partial = Partial {
            dir: dir.to_path_buf(),
            created_dir,
            files: Vec::new(),
            stacks: Vec::new(),
            written: fs::create_dir_all(dir),
        };
        cfn::lower_each(model, |mut stack, mut diagnostics| {
            found.append(&mut diagnostics);
            if partial.written.is_ok() {
                let name = output::template_file_name(&stack);
                partial.written = write_template(&partial_path(dir, &name), &stack);
                partial.files.push(name);
            }
            stack.template = serde_json::Value::Null;
            partial.stacks.push(stack);
        });
        found.extend(cfn::check_environment(model));
        partial
    }

    /// Rename every template into place and write the manifest: the number of files written.
    fn finish(self, model: &mdl::eval::Model) -> io::Result<usize> {
        if let Err(error) = self.written {
            Partial { written: Ok(()), ..self }.discard();
            return Err(error);
        }
        for name in &self.files {
            fs::rename(partial_path(&self.dir, name), self.dir.join(name))?;
        }
        write_file(&self.dir, output::MANIFEST, &output::manifest(model, &self.stacks))?;
        Ok(self.stacks.len() + 1)
    }

    /// Remove what was written: a build with errors leaves nothing behind.
    fn discard(self) {
        for name in &self.files {
            let _ = fs::remove_file(partial_path(&self.dir, name));
        }
        if self.created_dir {
            let _ = fs::remove_dir(&self.dir);
        }
    }
}

/// Where a file is written before it is renamed into place.
fn partial_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.partial"))
}

/// The stack's template body, serialised straight into the file.
fn write_template(path: &Path, stack: &Stack) -> io::Result<()> {
    let mut file = io::BufWriter::new(fs::File::create(path)?);
    stack.write_template_body(&mut file)?;
    file.flush()
}

/// Write to a temporary name first, then rename, so an interrupted build
/// never leaves a half-written file behind.
fn write_file(dir: &Path, name: &str, contents: &str) -> io::Result<()> {
    let partial = partial_path(dir, name);
    fs::write(&partial, contents)?;
    fs::rename(&partial, dir.join(name))
}

fn print_summary(model: &mdl::eval::Model, stacks: &[Stack]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{} {} ({}): {} stacks in deploy order",
        model.project,
        model.environment,
        model.region,
        stacks.len()
    )?;
    for stack in stacks {
        let body = stack.deploy_body_size().bytes;
        let resources = resource_counts(stack);
        let total: usize = resources.values().sum();
        let after = if stack.depends_on.is_empty() {
            String::new()
        } else {
            format!(", after {}", stack.depends_on.join(", "))
        };
        writeln!(out, "\n{}{after}", stack.stack_name)?;
        writeln!(
            out,
            "  {} (limit {}), {}, template {body} bytes ({}% of the {} inline limit)",
            plural(total, "resource"),
            limits::MAX_RESOURCES,
            plural(stack.parameters.len(), "parameter"),
            body * 100 / limits::INLINE_BODY_BYTES,
            limits::INLINE_BODY_BYTES
        )?;
        for (type_name, count) in resources {
            writeln!(out, "  {count:>4}  {type_name}")?;
        }
    }
    out.flush()
}

/// `1 resource`, `3 resources`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn resource_counts(stack: &Stack) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let resources = stack.template.get("Resources").and_then(|r| r.as_object());
    for resource in resources.into_iter().flat_map(|r| r.values()) {
        let type_name = resource.get("Type").and_then(|t| t.as_str()).unwrap_or("?");
        *counts.entry(type_name.to_string()).or_insert(0) += 1;
    }
    counts
}
