//! The terminal side of `plan` and `deploy`: progress lines, prompts that an
//! interrupt ends, and deploy diagnostics rendered like `mdl check`'s.

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::mpsc;
use std::time::Duration;

use mdl::deploy::interrupt::Interrupt;
use mdl::deploy::{Answer, Ui};
use mdl::diag::{render, Diagnostic};
use mdl::source::Sources;

/// Prints to stdout (human) or stderr (machine formats); one live progress
/// line per layer on a terminal, plain lines otherwise; diagnostics on stderr.
pub struct TerminalUi<'s> {
    to_stdout: bool,
    live: bool,
    showing: Option<String>,
    sources: &'s Sources,
    color: bool,
}

impl<'s> TerminalUi<'s> {
    /// Tables on stdout when `tables_on_stdout`, else on stderr.
    pub fn new(tables_on_stdout: bool, sources: &'s Sources, color: bool) -> Self {
        let live = if tables_on_stdout { io::stdout().is_terminal() } else { io::stderr().is_terminal() };
        TerminalUi { to_stdout: tables_on_stdout, live, showing: None, sources, color }
    }

    fn write(&mut self, text: &str) {
        let _ =
            if self.to_stdout { writeln!(io::stdout(), "{text}") } else { writeln!(io::stderr(), "{text}") };
    }

    /// End a live progress line.
    pub fn finish_live(&mut self) {
        if self.showing.take().is_some() {
            self.write("");
        }
    }
}

impl Ui for TerminalUi<'_> {
    fn say(&mut self, text: &str) {
        self.finish_live();
        self.write(text);
    }

    fn progress(&mut self, layer: &str, text: &str) {
        if !self.live {
            self.write(&format!("[{layer}] {text}"));
            return;
        }
        if self.showing.as_deref().is_some_and(|l| l != layer) {
            self.finish_live();
        }
        let line = format!("\r\x1b[2K[{layer}] {text}");
        let _ = if self.to_stdout { write!(io::stdout(), "{line}") } else { write!(io::stderr(), "{line}") };
        let _ = io::stdout().flush();
        let _ = io::stderr().flush();
        self.showing = Some(layer.to_string());
    }

    fn confirm(&mut self, question: &str, interrupt: &Interrupt) -> Answer {
        self.finish_live();
        eprint!("{question} [y/N] ");
        let _ = io::stderr().flush();
        read_answer(interrupt)
    }

    fn diagnostic(&mut self, diagnostic: &Diagnostic) {
        self.finish_live();
        let text = render::render_human(diagnostic, self.sources, self.color);
        let _ = writeln!(io::stderr(), "{text}");
    }
}

/// A line from stdin, read on its own thread so an interrupt ends the wait
/// (the thread stays blocked in `read_line`; the process ends soon after).
fn read_answer(interrupt: &Interrupt) -> Answer {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = io::stdin().lock().read_line(&mut line);
        let _ = send.send(read.map(|_| line));
    });
    loop {
        if interrupt.is_set() {
            eprintln!();
            return Answer::Interrupted;
        }
        match receive.recv_timeout(Duration::from_millis(25)) {
            Ok(Ok(line)) if matches!(line.trim().to_lowercase().as_str(), "y" | "yes") => return Answer::Yes,
            Ok(_) => return Answer::No,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return Answer::No,
        }
    }
}
