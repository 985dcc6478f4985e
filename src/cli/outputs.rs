//! `mdl outputs SPEC`: each layer's stack status, last update, published
//! values (values unless secret) and service addresses; `--format json` for
//! scripts. Reads only.

use clap::Args;
use mdl::deploy::outputs::{outputs, to_text, OutputsResult};
use mdl::deploy::Engine;
use serde_json::json;

use super::aws::{self, AwsArgs, Format};
use super::terminal::TerminalUi;
use super::Outcome;

/// Arguments of `mdl outputs`.
#[derive(Debug, Args)]
pub struct OutputsArgs {
    #[command(flatten)]
    aws: AwsArgs,
}

/// Run `mdl outputs`.
pub fn run(args: &OutputsArgs) -> Outcome {
    let loaded = match aws::load(&args.aws) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let clients = match aws::connected(&args.aws, &loaded, "outputs", true) {
        Ok(clients) => clients,
        Err(outcome) => return outcome,
    };
    let human = args.aws.format == Format::Human;
    let mut ui = TerminalUi::new(human, &loaded.sources, args.aws.color.for_stderr());
    let result = clients.runtime.block_on(async {
        let mut engine = Engine::new(&clients.api, Some(&clients.store), &mut ui, &clients.options);
        outputs(&mut engine, &loaded.environment).await
    });
    ui.finish_live();
    if human {
        if !result.layers.is_empty() {
            println!("{}", to_text(&result.layers));
        }
    } else {
        print_json(&loaded, &result);
    }
    aws::exit_code(false, &result.diagnostics, result.diagnostics.is_empty())
}

fn print_json(loaded: &aws::Loaded, result: &OutputsResult) {
    let environment = &loaded.environment;
    let value = json!({
        "schema": "mdl.outputs/1",
        "project": environment.project,
        "environment": environment.environment,
        "region": environment.region,
        "account": result.account,
        "layers": result.layers,
        "diagnostics": aws::diagnostics_json(&result.diagnostics, &loaded.sources),
    });
    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
}
