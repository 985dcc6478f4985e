//! `mdl import SPEC --resource LOGICAL=IDENTIFIER ...`: adopt live resources
//! (made by hand, by Copilot, by another tool) into their layer's stack
//! through a resource-import change set, without recreating them.
//!
//! Without a terminal on stdin, import needs `--yes` and says so before any
//! AWS call.

use std::io::{self, IsTerminal};

use clap::Args;
use mdl::deploy::import::{import, parse_resource, ImportRequest, ImportResult, ImportStatus};
use mdl::deploy::Engine;
use serde_json::json;

use super::aws::{self, AwsArgs, Format};
use super::terminal::TerminalUi;
use super::Outcome;

/// Arguments of `mdl import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    aws: AwsArgs,
    /// A resource of the spec and the live one it is: `ImagesRepository=megadolls/web`, or
    /// `WebService=ServiceArn=arn:...,Cluster=shop` for types with several identifier properties
    /// (repeatable; all in one layer).
    #[arg(long = "resource", value_name = "LOGICAL=IDENTIFIER", required = true)]
    resources: Vec<String>,
    /// Execute the import change set without asking (for CI).
    #[arg(long)]
    yes: bool,
}

/// Run `mdl import`.
pub fn run(args: &ImportArgs) -> Outcome {
    if !args.yes && !io::stdin().is_terminal() {
        eprintln!("error: mdl import asks before executing the import, and stdin is not a terminal.\n  Run it with --yes to import without asking (CI).");
        return Outcome::Usage;
    }
    let resources: Result<Vec<(String, String)>, String> =
        args.resources.iter().map(|r| parse_resource(r)).collect();
    let resources = match resources {
        Ok(resources) => resources,
        Err(usage) => {
            eprintln!("error: {usage}");
            return Outcome::Usage;
        }
    };
    let loaded = match aws::load(&args.aws) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let clients = match aws::connected(&args.aws, &loaded, "import", args.yes) {
        Ok(clients) => clients,
        Err(outcome) => return outcome,
    };
    let request = ImportRequest { yes: args.yes, resources };
    let human = args.aws.format == Format::Human;
    let mut ui = TerminalUi::new(human, &loaded.sources, args.aws.color.for_stderr());
    let result = clients.runtime.block_on(async {
        let mut engine = Engine::new(&clients.api, Some(&clients.store), &mut ui, &clients.options);
        import(&mut engine, &loaded.environment, &request).await
    });
    ui.finish_live();
    if let Some(usage) = &result.usage {
        eprintln!("error: {usage}");
    } else if human {
        print_summary(&args.aws, &result);
    } else {
        print_json(&loaded, &result);
    }
    let imported = result.status == Some(ImportStatus::Imported);
    aws::exit_code(result.usage.is_some(), &result.diagnostics, imported)
}

fn print_summary(args: &AwsArgs, result: &ImportResult) {
    let (Some(stack), Some(status)) = (&result.stack_name, result.status) else { return };
    let word =
        serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    println!("\nimport into {stack}: {word}");
    if status == ImportStatus::Imported {
        println!(
            "  next: `mdl plan {}` shows what the spec still changes on the imported resources; `mdl deploy` applies it",
            args.spec.display()
        );
    }
}

fn print_json(loaded: &aws::Loaded, result: &ImportResult) {
    let environment = &loaded.environment;
    let value = json!({
        "schema": "mdl.import/1",
        "project": environment.project,
        "environment": environment.environment,
        "region": environment.region,
        "account": result.caller.as_ref().map(|c| c.account.clone()),
        "layer": result.layer,
        "stack_name": result.stack_name,
        "status": result.status,
        "resources": result.resources,
        "diagnostics": aws::diagnostics_json(&result.diagnostics, &loaded.sources),
    });
    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
}
