//! Command-line definitions (clap derive) and dispatch: one file per command.
//!
//! Exit codes are shared by every command: 0 success, 1 problems found in the
//! specs (or a deploy problem), 2 usage or I/O errors (clap also exits 2 on
//! bad arguments), 3 `plan --detailed-exitcode` found changes or `drift`
//! found drift, 130 a command talking to AWS was interrupted (SIGINT, SIGTERM).

mod aws;
mod build;
mod check;
mod completions;
mod deploy;
mod destroy;
mod drift;
mod environment;
mod fmt;
mod graph;
mod import;
mod init;
mod lsp;
mod outputs;
mod plan;
mod terminal;
mod write;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// mdl: a small typed language for AWS infrastructure.
#[derive(Debug, Parser)]
#[command(name = "mdl", version, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start a new project from an example platform (specs that check and build at once).
    Init(init::InitArgs),
    /// Parse, check and evaluate every environment of the specs; report diagnostics.
    Check(check::CheckArgs),
    /// Make one change set per layer and show what would change; execute nothing.
    Plan(plan::PlanArgs),
    /// Plan, ask, execute and follow each layer's change set, in dependency order.
    Deploy(deploy::DeployArgs),
    /// Delete the environment's stacks, the last layer first (or its orphan stacks).
    Destroy(destroy::DestroyArgs),
    /// Show what is deployed: each layer's status, published values and service addresses.
    Outputs(outputs::OutputsArgs),
    /// Compare what is deployed with the templates and published values (exit 3 on drift).
    Drift(drift::DriftArgs),
    /// Adopt live resources into their layer's stack (a resource-import change set).
    Import(import::ImportArgs),
    /// Rewrite spec files in the canonical layout (`--check` only lists them).
    Fmt(fmt::FmtArgs),
    /// Lower one environment to one CloudFormation template per layer.
    Build(build::BuildArgs),
    /// Draw the layers and resources of one environment (DOT or Mermaid).
    Graph(graph::GraphArgs),
    /// Run the language server over stdio (the VS Code extension starts it).
    #[command(after_help = "Editors start it themselves; see editors/vscode/README.md.")]
    Lsp,
    /// Print a shell completion script (bash, zsh or fish).
    Completions(completions::CompletionsArgs),
}

/// How a command ended; the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing wrong (warnings allowed unless denied).
    Ok = 0,
    /// The specs have errors (or warnings, with `--deny-warnings`).
    Problems = 1,
    /// Bad usage, or mdl could not find or read what it was asked to check.
    Usage = 2,
    /// `plan --detailed-exitcode`: the plan has changes; `drift`: something drifted.
    Changes = 3,
    /// A plan or deploy stopped on SIGINT or SIGTERM.
    Interrupted = 130,
}

/// When to color terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When the output is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to color text written to stderr.
    pub fn for_stderr(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                std::io::stderr().is_terminal() && !no_color
            }
        }
    }
}

/// Parse the command line and run the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Deploy(args) => deploy::run(&args),
        Command::Destroy(args) => destroy::run(&args),
        Command::Outputs(args) => outputs::run(&args),
        Command::Drift(args) => drift::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Lsp => lsp::run(),
        Command::Completions(args) => completions::run(&args),
    };
    ExitCode::from(outcome as u8)
}
