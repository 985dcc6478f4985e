//! `mdl graph SPEC [--format dot|mermaid]`: the layers and resources of one
//! environment with the dependencies between them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mdl::cfn::graph;

use super::environment;
use super::{ColorChoice, Outcome};

/// Arguments of `mdl graph`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  mdl graph specs/dev.mdl | dot -Tsvg > dev.svg\n  mdl graph specs/prod.mdl --format mermaid"
)]
pub struct GraphArgs {
    /// The spec file of one environment, e.g. specs/dev.mdl.
    spec: PathBuf,
    /// Graphviz DOT or a Mermaid flowchart.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
    /// Only the layers, with the SSM parameters each reads from the others.
    #[arg(long)]
    layers: bool,
    /// The environment, when the file declares more than one.
    #[arg(long = "env")]
    environment: Option<String>,
    #[command(flatten)]
    root: environment::RootArg,
    /// When to color diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
}

/// Run `mdl graph`.
pub fn run(args: &GraphArgs) -> Outcome {
    let (_, model) = match environment::load(&args.spec, &args.root, args.environment.as_deref(), args.color)
    {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let text = match (args.format, args.layers) {
        (GraphFormat::Dot, false) => graph::dot(&model),
        (GraphFormat::Mermaid, false) => graph::mermaid(&model),
        (GraphFormat::Dot, true) => graph::layers_dot(&model),
        (GraphFormat::Mermaid, true) => graph::layers_mermaid(&model),
    };
    print!("{text}");
    Outcome::Ok
}
