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
    let (_, model) = match environment::load(&args.spec, &args.root, args.environment.as_deref(), args.color)
    {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    match &args.out {
        Some(dir) => match write(dir, &model) {
            Ok(count) => {
                eprintln!(
                    "wrote {count} files to {} ({} {}, {})",
                    dir.display(),
                    model.project,
                    model.environment,
                    model.region
                );
                Outcome::Ok
            }
            Err(error) => {
                eprintln!("error: cannot write to {}: {error}", dir.display());
                Outcome::Usage
            }
        },
        None => {
            let _ = print_summary(&model, &cfn::lower(&model).stacks);
            Outcome::Ok
        }
    }
}

/// Write each layer's template as soon as it is lowered, then the manifest;
/// a template is let go once written, so memory holds one at a time.
fn write(dir: &Path, model: &mdl::eval::Model) -> io::Result<usize> {
    fs::create_dir_all(dir)?;
    let mut stacks = Vec::new();
    let mut written = Ok(());
    cfn::lower_each(model, |mut stack, _| {
        if written.is_ok() {
            written = write_file(dir, &output::template_file_name(&stack), &stack.template_body());
        }
        // The manifest needs the stack's name, dependencies and parameters only.
        stack.template = serde_json::Value::Null;
        stack.property_spans = BTreeMap::new();
        stacks.push(stack);
    });
    written?;
    write_file(dir, output::MANIFEST, &output::manifest(model, &stacks))?;
    Ok(stacks.len() + 1)
}

/// Write to a temporary name first, then rename, so an interrupted build
/// never leaves a half-written file behind.
fn write_file(dir: &Path, name: &str, contents: &str) -> io::Result<()> {
    let partial = dir.join(format!(".{name}.partial"));
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
        let body = stack.deploy_body().len();
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
