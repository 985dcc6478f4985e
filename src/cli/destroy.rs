//! `mdl destroy SPEC`: delete the environment's stacks, the last layer first,
//! after one prompt that names the account, region, environment, every stack
//! and what becomes of the data; `--orphans` / `--stack NAME` delete stacks
//! that no layer names any more.
//!
//! Without a terminal on stdin, destroy needs `--yes` and says so before any
//! AWS call.

use std::io::{self, IsTerminal};

use clap::Args;
use mdl::deploy::destroy::{destroy, DestroyRequest, DestroyResult};
use mdl::deploy::Engine;
use serde_json::json;

use super::aws::{self, AwsArgs, Format};
use super::terminal::TerminalUi;
use super::Outcome;

/// Arguments of `mdl destroy`.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    aws: AwsArgs,
    /// Delete without asking (for CI).
    #[arg(long)]
    yes: bool,
    /// Destroy a protected environment (`protect = true`, or stacks with
    /// termination protection): turns termination protection off on each
    /// stack right before deleting it.
    #[arg(long)]
    force_protected: bool,
    /// Delete the orphan stacks (the environment's stacks no layer names, as
    /// plan and deploy list them) instead of the layers.
    #[arg(long)]
    orphans: bool,
    /// Delete this stack of the environment (repeatable), e.g. one orphan.
    #[arg(long = "stack", value_name = "NAME")]
    stacks: Vec<String>,
}

/// Run `mdl destroy`.
pub fn run(args: &DestroyArgs) -> Outcome {
    if !args.yes && !io::stdin().is_terminal() {
        eprintln!("error: mdl destroy asks before deleting anything, and stdin is not a terminal.\n  Run it with --yes to delete without asking (CI).");
        return Outcome::Usage;
    }
    let loaded = match aws::load(&args.aws) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let clients = match aws::connected(&args.aws, &loaded, "destroy", args.yes) {
        Ok(clients) => clients,
        Err(outcome) => return outcome,
    };
    let request = DestroyRequest {
        yes: args.yes,
        force_protected: args.force_protected,
        layers: args.aws.layers.clone(),
        orphans: args.orphans,
        stacks: args.stacks.clone(),
    };
    let human = args.aws.format == Format::Human;
    let mut ui = TerminalUi::new(human, &loaded.sources, args.aws.color.for_stderr());
    let result = clients.runtime.block_on(async {
        let mut engine = Engine::new(&clients.api, Some(&clients.store), &mut ui, &clients.options);
        destroy(&mut engine, &loaded.environment, &request).await
    });
    ui.finish_live();
    if let Some(usage) = &result.usage {
        eprintln!("error: {usage}");
    } else if human {
        print_summary(&loaded.environment, &result);
    } else {
        print_json(&loaded, &result);
    }
    aws::exit_code(result.usage.is_some(), &result.diagnostics, result.succeeded())
}

fn print_summary(environment: &mdl::deploy::input::EnvironmentInput, result: &DestroyResult) {
    if result.stacks.is_empty() {
        return;
    }
    let account = result.caller.as_ref().map(|c| format!("account {}, ", c.account)).unwrap_or_default();
    println!(
        "\ndestroy summary ({} {}, {account}{}):",
        environment.project, environment.environment, environment.region
    );
    let width = result.stacks.iter().map(|s| s.title().chars().count()).max().unwrap_or(0);
    for stack in &result.stacks {
        println!("  {:<width$}  {}", stack.title(), stack.status.word());
    }
}

fn print_json(loaded: &aws::Loaded, result: &DestroyResult) {
    let environment = &loaded.environment;
    let value = json!({
        "schema": "mdl.destroy/1",
        "project": environment.project,
        "environment": environment.environment,
        "region": environment.region,
        "account": result.caller.as_ref().map(|c| c.account.clone()),
        "stacks": result.stacks,
        "diagnostics": aws::diagnostics_json(&result.diagnostics, &loaded.sources),
    });
    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
}
