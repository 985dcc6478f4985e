//! Deploying independent layers at the same time (`deploy --concurrency N`).
//!
//! Input: the selected layers in deploy order and an [`Engine`]. Output: the
//! same [`RunResult`] a sequential run gives, reports in deploy order. A layer
//! starts as soon as every selected layer it reads has finished well, up to N
//! at once; the first that fails, is refused, blocked, declined or
//! interrupted starts nothing new, and the running ones finish. Each layer
//! runs on its own engine over the same clients, one thread, its futures
//! polled in turn: progress lines carry the layer's name, and the user
//! interface is shared between them one call at a time.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use super::api::{CloudFormationApi, TemplateStore};
use super::input::LayerInput;
use super::interrupt::Interrupt;
use super::planfile::StackState;
use super::report::LayerReport;
use super::run::{one_layer, Progress, RunResult};
use super::{Answer, Engine, Ui};
use crate::diag::Diagnostic;

/// One user interface shared by the layers' engines.
struct SharedUi<'c, 'u, 'd>(&'c RefCell<&'u mut (dyn Ui + 'd)>);

impl Ui for SharedUi<'_, '_, '_> {
    fn say(&mut self, text: &str) {
        self.0.borrow_mut().say(text);
    }
    fn progress(&mut self, layer: &str, text: &str) {
        self.0.borrow_mut().progress(layer, text);
    }
    fn confirm(&mut self, question: &str, interrupt: &Interrupt) -> Answer {
        self.0.borrow_mut().confirm(question, interrupt)
    }
    fn diagnostic(&mut self, diagnostic: &Diagnostic) {
        self.0.borrow_mut().diagnostic(diagnostic);
    }
}

/// What one layer's engine hands back.
struct Done {
    index: usize,
    report: LayerReport,
    stack: Option<StackState>,
    diagnostics: Vec<Diagnostic>,
    prompt_time: Duration,
}

type Running<'f> = Vec<Pin<Box<dyn Future<Output = Done> + 'f>>>;

/// Run the selected layers, up to `options.concurrency` at once.
pub(super) async fn run_layers<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    selected: &[&LayerInput],
    result: &mut RunResult,
) {
    let finished = schedule(engine, selected).await;
    for (input, done) in selected.iter().zip(finished) {
        match done {
            Some(done) => {
                engine.diagnostics.extend(done.diagnostics);
                engine.prompt_time += done.prompt_time;
                result.stacks.insert(input.layer.clone(), done.stack);
                result.layers.push(done.report);
            }
            None => result.layers.push(LayerReport::new(&input.layer, &input.stack_name)),
        }
    }
}

/// Start each layer once what it reads is done, up to the limit, until
/// nothing more can start; what each layer did, by position (`None`: not run).
async fn schedule<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    selected: &[&LayerInput],
) -> Vec<Option<Done>> {
    let (api, store, options) = (engine.api, engine.store, engine.options);
    let (caller, protect) = (engine.caller.clone(), engine.protect);
    let ui = RefCell::new(&mut *engine.ui);
    let ui = &ui;
    let mut finished: Vec<Option<Done>> = selected.iter().map(|_| None).collect();
    let mut state = Progress::default();
    let mut started = vec![false; selected.len()];
    let mut running: Running<'_> = Vec::new();
    loop {
        let stopping = state_stopped(&finished) || options.interrupt.is_set();
        for index in 0..selected.len() {
            if stopping || running.len() >= options.concurrency.max(1) {
                break;
            }
            if started[index] || !ready(selected, index, &finished) {
                continue;
            }
            started[index] = true;
            let (input, upstream) = (selected[index], state.upstream(selected[index], options.mode));
            let caller = caller.clone();
            running.push(Box::pin(async move {
                let mut shared = SharedUi(ui);
                let mut engine = Engine::new(api, store, &mut shared, options);
                engine.caller = caller;
                engine.protect = protect;
                let (report, stack) = one_layer(&mut engine, input, upstream).await;
                let diagnostics = std::mem::take(&mut engine.diagnostics);
                Done { index, report, stack, diagnostics, prompt_time: engine.prompt_time }
            }));
        }
        if running.is_empty() {
            return finished;
        }
        let done = next_done(&mut running).await;
        state.record(selected[done.index], &done.report);
        let index = done.index;
        finished[index] = Some(done);
    }
}

/// Whether a finished layer stops new starts.
fn state_stopped(finished: &[Option<Done>]) -> bool {
    finished.iter().flatten().any(|d| d.report.status.stops_the_run())
}

/// Whether every selected layer that `selected[index]` reads has finished.
/// (Layers left out by `--layer` were checked to be deployed before the run.)
fn ready(selected: &[&LayerInput], index: usize, finished: &[Option<Done>]) -> bool {
    selected[index].depends_on.iter().all(|dependency| {
        match selected.iter().position(|l| &l.layer == dependency) {
            Some(at) => finished[at].is_some(),
            None => true,
        }
    })
}

/// Poll the running layers in turn until one finishes; remove and return it.
async fn next_done(running: &mut Running<'_>) -> Done {
    std::future::poll_fn(|cx| {
        for at in 0..running.len() {
            if let Poll::Ready(done) = running[at].as_mut().poll(cx) {
                drop(running.swap_remove(at));
                return Poll::Ready(done);
            }
        }
        Poll::Pending
    })
    .await
}

#[cfg(test)]
#[path = "parallel_tests.rs"]
mod tests;
