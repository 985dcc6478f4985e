//! The `mdl` binary: parse the command line, run one command, exit with its code.
//!
//! Everything here is thin: the work happens in the library (`mdl::check_files`),
//! and `cli/` only turns arguments into calls and results into text.

mod cli;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

/// Stack for the thread that runs the command. The parser bounds nesting, but
/// checking and evaluating still recurse over the tree; a large stack keeps a
/// hostile spec from ever reaching the limit of the platform's default.
const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let worker = std::thread::Builder::new().name("mdl".into()).stack_size(STACK_BYTES).spawn(cli::run);
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => {
            eprintln!("error: mdl stopped on an internal error (a bug); please report it with the command that caused it");
            ExitCode::from(70)
        }
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            ExitCode::from(70)
        }
    }
}
