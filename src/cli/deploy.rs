//! `mdl deploy SPEC`: plan each layer, ask, execute, follow; with `--plan
//! FILE`, execute exactly the change sets `mdl plan --out FILE` kept.
//!
//! Without a terminal on stdin, deploy needs `--yes` and says so before any
//! AWS call.

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use clap::Args;
use mdl::deploy::planfile::PlanFile;
use mdl::deploy::Mode;

use super::aws::{self, AwsArgs, Extra};
use super::Outcome;

/// Arguments of `mdl deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    aws: AwsArgs,
    /// Execute every change set without asking (for CI).
    #[arg(long)]
    yes: bool,
    /// Execute exactly the change sets this plan file (from `mdl plan --out`) kept.
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// Deploy up to N layers at once: a layer starts as soon as every layer it
    /// reads is deployed; a failure starts nothing new and lets running ones finish.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=16))]
    concurrency: u16,
    /// Keep what a failed change set created instead of rolling back (for debugging a failed create).
    #[arg(long)]
    no_rollback: bool,
}

/// Run `mdl deploy`.
pub fn run(args: &DeployArgs) -> Outcome {
    if !args.yes && !io::stdin().is_terminal() {
        eprintln!("error: mdl deploy asks before executing each change set, and stdin is not a terminal.\n  Run it with --yes to execute without asking (CI), or use `mdl plan` to only see the changes.");
        return Outcome::Usage;
    }
    let reviewed = match args.plan.as_deref().map(read_plan).transpose() {
        Ok(reviewed) => reviewed,
        Err(outcome) => return outcome,
    };
    if reviewed.is_some() && !args.aws.allow_replace.is_empty() {
        eprintln!("error: --allow-replace belongs to `mdl plan --out`; a plan file is executed with what was allowed when it was made");
        return Outcome::Usage;
    }
    let loaded = match aws::load(&args.aws) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let extra = Extra {
        mode: Mode::Deploy { yes: args.yes },
        concurrency: usize::from(args.concurrency),
        no_rollback: args.no_rollback,
        reviewed,
    };
    aws::run(&args.aws, &loaded, extra).0
}

fn read_plan(path: &std::path::Path) -> Result<PlanFile, Outcome> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read the plan file {}: {e}", path.display());
        Outcome::Usage
    })?;
    serde_json::from_str(&text).map_err(|e| {
        eprintln!(
            "error: {} is not an mdl plan file ({e}); make one with `mdl plan SPEC --out FILE`",
            path.display()
        );
        Outcome::Usage
    })
}
