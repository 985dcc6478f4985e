//! Deploy: one CloudFormation change set per layer, in dependency order.
//!
//! Input: an environment's lowered stacks ([`input::EnvironmentInput`]), the
//! [`Options`] the command line gave, an AWS client behind
//! [`api::CloudFormationApi`] and a [`Ui`] that prints and asks. Output: a
//! [`RunResult`]: a [`report::LayerReport`] per layer and the deploy
//! diagnostics (E06xx). `plan` makes change sets and deletes them (or keeps
//! them for `deploy --plan`); `deploy` also asks, executes and follows each one.
//!
//! Layout: `run` (the run over layers, the account check), `layer` (planning
//! one layer), `props` (property-level changes), `follow` (values that reach
//! later layers through SSM), `changes` (safety decisions, resource-type
//! knowledge), `execute` (executing and following), `planfile` (exact
//! apply), `diagnose` (failures as diagnostics), `report` (text, markdown,
//! JSON), `interrupt` (SIGINT/SIGTERM), `stack_set` (layers fanned out as
//! StackSets), `aws/` (the SDK).
//!
//! Invariants: `aws/` alone knows the AWS SDK; every decision is a pure
//! function tested over recorded AWS response shapes; an unchanged layer costs
//! two read calls and no change set; nothing runs after a layer that failed;
//! after an interrupt no change set is created or executed; nothing is
//! written before STS confirmed the account the environment names.

pub mod api;
mod apply;
pub mod aws;
pub mod changes;
pub mod destroy;
pub mod diagnose;
pub mod drift;
pub mod errors;
mod execute;
mod follow;
pub mod import;
pub mod input;
pub mod interrupt;
mod layer;
pub mod orphans;
pub mod outputs;
mod parallel;
pub mod planfile;
pub mod props;
pub mod report;
mod run;
pub mod stack_set;
pub mod status;

#[cfg(test)]
#[path = "diagnostics_tests.rs"]
mod diagnostics_tests;
#[cfg(test)]
mod fake;

use std::time::Duration;

pub use run::{run, RunResult};

use api::{Caller, CloudFormationApi, TemplateStore};
use errors::{ApiError, Target};
use interrupt::Interrupt;

/// What the command asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Make change sets, show them, execute nothing; keep them with `keep`
    /// (`plan --keep`, `plan --out`).
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
    /// The CloudFormation service role (`--role-arn`, or `service_role`).
    pub service_role: Option<String>,
    /// Keep what a failed change set created (`--no-rollback`).
    pub no_rollback: bool,
    pub target: Target,
    pub poll: Poll,
    /// Set by SIGINT/SIGTERM.
    pub interrupt: Interrupt,
    /// `deploy --plan FILE`: execute exactly these change sets.
    pub reviewed: Option<planfile::PlanFile>,
    /// After the layers, list the environment's orphan stacks (one more read).
    pub look_for_orphans: bool,
    /// How many layers may deploy at once (`--concurrency`); 1: one after another.
    pub concurrency: usize,
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

/// A yes/no answer, or an interrupt while asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    Interrupted,
}

/// Where deploy prints and asks.
pub trait Ui {
    /// A line of output.
    fn say(&mut self, text: &str);
    /// Progress of one layer: a live line on a terminal, a plain line otherwise.
    fn progress(&mut self, layer: &str, text: &str);
    /// Ask a yes/no question; anything but yes is no. Returns
    /// [`Answer::Interrupted`] when `interrupt` is set while waiting.
    fn confirm(&mut self, question: &str, interrupt: &Interrupt) -> Answer;
    /// A deploy diagnostic, as soon as it is found.
    fn diagnostic(&mut self, diagnostic: &crate::diag::Diagnostic);
}

/// Why a layer stopped early.
#[derive(Debug)]
pub enum Stop {
    /// An AWS call to `service` failed while doing something.
    Api { error: Box<ApiError>, service: &'static str, doing: String },
    /// A problem already turned into a diagnostic.
    Reported,
    /// SIGINT or SIGTERM.
    Interrupted,
}

impl From<interrupt::Interrupted> for Stop {
    fn from(_: interrupt::Interrupted) -> Self {
        Stop::Interrupted
    }
}

/// The shared state of one run.
pub struct Engine<'a, A, S> {
    pub api: &'a A,
    pub store: Option<&'a S>,
    pub ui: &'a mut dyn Ui,
    pub options: &'a Options,
    /// Who the credentials belong to, once STS said.
    pub caller: Option<Caller>,
    /// The environment's diagnostics so far.
    pub diagnostics: Vec<crate::diag::Diagnostic>,
    /// The environment's `protect` setting.
    pub protect: bool,
    /// Time spent waiting for answers at prompts (not counted in layer times).
    pub prompt_time: Duration,
    counter: usize,
}

impl<'a, A: CloudFormationApi, S: TemplateStore> Engine<'a, A, S> {
    /// An engine over these clients.
    pub fn new(api: &'a A, store: Option<&'a S>, ui: &'a mut dyn Ui, options: &'a Options) -> Self {
        Engine {
            api,
            store,
            ui,
            options,
            caller: None,
            diagnostics: Vec::new(),
            protect: false,
            prompt_time: Duration::ZERO,
            counter: 0,
        }
    }

    /// Ask `question`; `Err` on an interrupt. The time spent waiting is kept
    /// apart, so layer times do not include it.
    fn ask(&mut self, question: &str) -> Result<bool, Stop> {
        let started = std::time::Instant::now();
        let answer = self.ui.confirm(question, &self.options.interrupt);
        self.prompt_time += started.elapsed();
        match answer {
            Answer::Yes => Ok(true),
            Answer::No => Ok(false),
            Answer::Interrupted => Err(Stop::Interrupted),
        }
    }

    fn api_stop(&self, error: ApiError, doing: &str) -> Stop {
        Stop::Api { error: Box::new(error), service: "cloudformation", doing: doing.to_string() }
    }

    /// A read call, abandoned when an interrupt comes.
    async fn read<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, ApiError>>,
        doing: &str,
    ) -> Result<T, Stop> {
        self.options.interrupt.race(call).await?.map_err(|e| self.api_stop(e, doing))
    }

    /// Before any write: an interrupt stops here, so nothing new is started.
    fn before_write(&self) -> Result<(), Stop> {
        if self.options.interrupt.is_set() {
            return Err(Stop::Interrupted);
        }
        Ok(())
    }

    /// Report a diagnostic: shown now, kept for the JSON and SARIF outputs.
    fn report(&mut self, diagnostic: crate::diag::Diagnostic) {
        self.ui.diagnostic(&diagnostic);
        self.diagnostics.push(diagnostic);
    }

    /// `account 123456789012, us-east-1` (the region alone before STS answered).
    pub fn where_to(&self) -> String {
        match &self.caller {
            Some(caller) => format!("account {}, {}", caller.account, self.options.target.region),
            None => self.options.target.region.clone(),
        }
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
