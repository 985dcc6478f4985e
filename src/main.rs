//! The `mdl` binary: parse the command line, run one command, exit with its code.
//!
//! Everything here is thin: the work happens in the library (`mdl::check_files`),
//! and `cli/` only turns arguments into calls and results into text.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
