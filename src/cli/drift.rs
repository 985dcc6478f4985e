//! `mdl drift SPEC`: CloudFormation's drift detection per layer, and each
//! published SSM value compared with what its stack wrote.
//!
//! Exit codes (for CI): 0 everything checked is in sync, 3 something drifted,
//! 1 a check could not be made (drift detection unavailable or failed, an AWS
//! error) and nothing drifted, 2 usage, 130 interrupted.

use clap::Args;
use mdl::deploy::drift::{drift, to_text, DriftResult};
use mdl::deploy::Engine;
use serde_json::json;

use super::aws::{self, AwsArgs, Format};
use super::terminal::TerminalUi;
use super::Outcome;

/// Arguments of `mdl drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    aws: AwsArgs,
}

/// Run `mdl drift`.
pub fn run(args: &DriftArgs) -> Outcome {
    let loaded = match aws::load(&args.aws) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let clients = match aws::connected(&args.aws, &loaded, "drift", true) {
        Ok(clients) => clients,
        Err(outcome) => return outcome,
    };
    let human = args.aws.format == Format::Human;
    let mut ui = TerminalUi::new(human, &loaded.sources, args.aws.color.for_stderr());
    let result = clients.runtime.block_on(async {
        let mut engine = Engine::new(&clients.api, Some(&clients.store), &mut ui, &clients.options);
        drift(&mut engine, &loaded.environment).await
    });
    ui.finish_live();
    if human {
        if !result.layers.is_empty() {
            println!("{}", to_text(&result.layers));
        }
    } else {
        print_json(&loaded, &result);
    }
    match aws::exit_code(false, &result.diagnostics, true) {
        Outcome::Ok if result.drifted() => Outcome::Changes,
        Outcome::Ok if result.incomplete() => Outcome::Problems,
        other => other,
    }
}

fn print_json(loaded: &aws::Loaded, result: &DriftResult) {
    let environment = &loaded.environment;
    let value = json!({
        "schema": "mdl.drift/1",
        "project": environment.project,
        "environment": environment.environment,
        "region": environment.region,
        "account": result.account,
        "drifted": result.drifted(),
        "layers": result.layers,
        "diagnostics": aws::diagnostics_json(&result.diagnostics, &loaded.sources),
    });
    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
}
