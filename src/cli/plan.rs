//! `mdl plan SPEC`: one change set per layer, shown and then deleted
//! (kept with `--keep`); nothing is executed.

use clap::Args;
use mdl::deploy::Mode;

use super::deploy::{run_command, AwsArgs};
use super::Outcome;

/// Arguments of `mdl plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    aws: AwsArgs,
    /// Keep the change sets (to inspect them in the console, or execute them later).
    #[arg(long)]
    keep: bool,
}

/// Run `mdl plan`.
pub fn run(args: &PlanArgs) -> Outcome {
    run_command(&args.aws, Mode::Plan { keep: args.keep })
}
