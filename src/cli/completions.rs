//! `mdl completions SHELL`: a completion script for bash, zsh or fish,
//! generated from the same definitions that parse the command line.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Outcome};

/// Arguments of `mdl completions`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  mdl completions bash > ~/.local/share/bash-completion/completions/mdl\n  mdl completions zsh > ~/.zfunc/_mdl\n  mdl completions fish > ~/.config/fish/completions/mdl.fish"
)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_parser = ["bash", "zsh", "fish"])]
    shell: String,
}

/// Print the completion script on stdout.
pub fn run(args: &CompletionsArgs) -> Outcome {
    let shell = match args.shell.as_str() {
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        _ => Shell::Bash,
    };
    clap_complete::generate(shell, &mut Cli::command(), "mdl", &mut std::io::stdout());
    Outcome::Ok
}
