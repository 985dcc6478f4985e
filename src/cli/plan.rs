//! `mdl plan SPEC`: one change set per layer, shown value by value, then
//! deleted (kept with `--keep`); nothing is executed. `--out FILE` keeps them
//! and writes what was reviewed, for `mdl deploy --plan FILE`.

use std::path::PathBuf;

use clap::Args;
use mdl::deploy::planfile;
use mdl::deploy::Mode;

use super::aws::{self, AwsArgs, Extra};
use super::Outcome;

/// Arguments of `mdl plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    aws: AwsArgs,
    /// Keep the change sets (to inspect them in the console).
    #[arg(long)]
    keep: bool,
    /// Keep the change sets and write what was reviewed to FILE, for `mdl deploy --plan FILE`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Exit with 3 (not 0) when the plan has changes, like `terraform plan -detailed-exitcode`.
    #[arg(long)]
    detailed_exitcode: bool,
}

/// Run `mdl plan`.
pub fn run(args: &PlanArgs) -> Outcome {
    let loaded = match aws::load(&args.aws) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let keep = args.keep || args.out.is_some();
    let extra = Extra { mode: Mode::Plan { keep }, concurrency: 1, no_rollback: false, reviewed: None };
    let (outcome, result) = aws::run(&args.aws, &loaded, extra);
    let Some(result) = result else { return outcome };
    if outcome != Outcome::Ok {
        if args.out.is_some() {
            eprintln!("no plan file written: the plan has problems (above)");
        }
        return outcome;
    }
    if let Some(path) = &args.out {
        let account = result.caller.as_ref().map(|c| c.account.clone());
        let file = planfile::from_plan(
            &loaded.environment,
            account,
            &args.aws.allow_replace,
            &result.layers,
            &result.stacks,
        );
        let text = serde_json::to_string_pretty(&file).unwrap_or_default() + "\n";
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("error: cannot write the plan file {}: {e}", path.display());
            return Outcome::Usage;
        }
        eprintln!(
            "plan written to {}: apply exactly this with `mdl deploy {} --plan {}`",
            path.display(),
            args.aws.spec.display(),
            path.display()
        );
    }
    if args.detailed_exitcode && result.has_changes() {
        return Outcome::Changes;
    }
    Outcome::Ok
}
