//! Deploy: one CloudFormation change set per layer, in dependency order.
//!
//! Input: an environment's lowered stacks ([`input::layer_inputs`]), the
//! [`Options`] the command line gave, a CloudFormation client behind
//! [`api::CloudFormationApi`] and a [`Ui`] that prints and asks. Output: a
//! [`report::LayerReport`] per layer. `plan` makes change sets and deletes
//! them; `deploy` also asks, executes and follows each one.
//!
//! Invariants: this module alone knows the AWS SDK (in `aws.rs`); every
//! decision (unchanged, empty change set, refusals, stack states, error
//! messages) is a pure function tested over recorded AWS response shapes; a
//! layer whose template and parameters equal the deployed ones costs two read
//! calls and no change set; nothing runs after a layer that failed.

pub mod api;
pub mod aws;
pub mod changes;
pub mod errors;
mod execute;
pub mod input;
mod layer;
pub mod report;
mod run;
pub mod status;

#[cfg(test)]
mod fake;

use std::time::Duration;

pub use run::{run, RunResult};

use api::{CloudFormationApi, TemplateStore};
use errors::{ApiError, Target};

/// What the command asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Make change sets, show them, execute nothing; keep them with `keep`.
    Plan { keep: bool },
    /// Make, ask (unless `yes`), execute and follow change sets.
    Deploy { yes: bool },
}

/// How often to poll: from `first`, doubling, up to `max`.
#[derive(Debug, Clone, Copy)]
pub struct Poll {
    pub first: Duration,
    pub max: Duration,
}

impl Poll {
    /// The delay after `current`.
    pub fn next(&self, current: Duration) -> Duration {
        if current.is_zero() {
            self.first
        } else {
            (current * 2).min(self.max)
        }
    }
}

impl Default for Poll {
    fn default() -> Self {
        Poll { first: Duration::from_secs(1), max: Duration::from_secs(10) }
    }
}

/// Everything the command line decides.
#[derive(Debug, Clone)]
pub struct Options {
    pub mode: Mode,
    /// Only these layers (their dependencies must be deployed); empty: all.
    pub layers: Vec<String>,
    /// Logical ids whose removal or replacement the user accepts.
    pub allow_replace: Vec<String>,
    /// Where templates over 51,200 bytes are uploaded.
    pub template_bucket: Option<String>,
    /// Enable termination protection on the stacks (prod).
    pub termination_protection: bool,
    pub target: Target,
    pub poll: Poll,
}

impl Options {
    /// `plan` or `deploy`.
    pub fn command(&self) -> &'static str {
        match self.mode {
            Mode::Plan { .. } => "plan",
            Mode::Deploy { .. } => "deploy",
        }
    }
}

/// Whether the environment named `environment` gets termination protection:
/// `prod` and `production` do (see docs/deploy.md).
pub fn is_protected_environment(environment: &str) -> bool {
    matches!(environment, "prod" | "production")
}

/// Where deploy prints and asks.
pub trait Ui {
    /// A line of output.
    fn say(&mut self, text: &str);
    /// Progress of one layer: a live line on a terminal, a plain line otherwise.
    fn progress(&mut self, layer: &str, text: &str);
    /// Ask a yes/no question; `false` unless the user said yes.
    fn confirm(&mut self, question: &str) -> bool;
}

/// Why a layer stopped early.
#[derive(Debug)]
pub enum Stop {
    /// An AWS call failed while doing something.
    Api { error: ApiError, doing: String },
    /// A problem explained in one message.
    Message(String),
    /// Ctrl-C while waiting.
    Interrupted,
}

/// The shared state of one run.
pub struct Engine<'a, A, S> {
    pub api: &'a A,
    pub store: Option<&'a S>,
    pub ui: &'a mut dyn Ui,
    pub options: &'a Options,
    counter: usize,
    interrupts: Interrupts,
}

impl<'a, A: CloudFormationApi, S: TemplateStore> Engine<'a, A, S> {
    /// An engine over these clients.
    pub fn new(api: &'a A, store: Option<&'a S>, ui: &'a mut dyn Ui, options: &'a Options) -> Self {
        Engine { api, store, ui, options, counter: 0, interrupts: Interrupts::default() }
    }

    fn api_stop(&self, error: ApiError, doing: &str) -> Stop {
        Stop::Api { error, doing: doing.to_string() }
    }

    /// `mdl-<layer>-<unix seconds>-<pid>-<n>`: unique per run and call.
    fn change_set_name(&mut self, layer: &str) -> String {
        self.counter += 1;
        let secs =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let layer: String = layer.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        format!("mdl-{layer}-{secs}-{}-{}", std::process::id(), self.counter)
    }
}

/// Ctrl-C while mdl waits. Once listening starts, SIGINT no longer ends the
/// process: a Ctrl-C pressed during an AWS call is kept and ends the next wait,
/// so mdl always gets to say how to watch what CloudFormation keeps doing.
#[derive(Default)]
struct Interrupts {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    /// Start listening (needs the runtime).
    fn listen(&mut self) {
        #[cfg(unix)]
        if self.signal.is_none() {
            self.signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
        }
    }

    /// Sleep for `delay`, or stop when the user presses Ctrl-C.
    async fn pause(&mut self, delay: Duration) -> Result<(), Stop> {
        if delay.is_zero() {
            return Ok(());
        }
        self.listen();
        #[cfg(unix)]
        if let Some(signal) = self.signal.as_mut() {
            return tokio::select! {
                () = tokio::time::sleep(delay) => Ok(()),
                _ = signal.recv() => Err(Stop::Interrupted),
            };
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => Ok(()),
            _ = tokio::signal::ctrl_c() => Err(Stop::Interrupted),
        }
    }
}
