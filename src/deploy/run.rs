//! One plan or deploy run over an environment's layers, in deploy order.
//!
//! Input: the layer inputs and an [`Engine`]. Output: a [`RunResult`] with a
//! report per layer. Invariants: problems found without AWS (unknown
//! `--layer`, a template too large with no bucket) stop before any call; the
//! first layer that fails, is refused, blocked or declined stops the run and
//! every later layer is reported `not run`.

use std::collections::BTreeSet;
use std::time::Instant;

use super::api::{CloudFormationApi, TemplateStore};
use super::changes;
use super::errors::explain;
use super::input::LayerInput;
use super::layer::{too_large, Planned, Upstream};
use super::report::{change_table, LayerReport, LayerStatus};
use super::status::{classify, StackState};
use super::{Engine, Mode, Stop};

/// What a run did.
#[derive(Debug, Default)]
pub struct RunResult {
    pub layers: Vec<LayerReport>,
    /// A problem that stopped the run before any layer (already explained).
    pub error: Option<String>,
}

impl RunResult {
    /// Whether every layer ended well.
    pub fn succeeded(&self) -> bool {
        let ok = |l: &LayerReport| {
            !l.status.stops_the_run() && l.status != LayerStatus::NotRun && l.refused.is_empty()
        };
        self.error.is_none() && self.layers.iter().all(ok)
    }
}

/// Plan or deploy `inputs` (all layers, or those `--layer` names).
pub async fn run<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    inputs: &[LayerInput],
) -> RunResult {
    let selected = match preflight(engine, inputs) {
        Ok(selected) => selected,
        Err(error) => return RunResult { layers: Vec::new(), error: Some(error) },
    };
    if let Err(error) = dependencies_deployed(engine, inputs, &selected).await {
        return RunResult { layers: Vec::new(), error: Some(error) };
    }
    engine.interrupts.listen();
    let mut state = Progress::default();
    let mut layers = Vec::new();
    for input in &selected {
        if state.stopped {
            layers.push(LayerReport::new(&input.layer, &input.stack_name));
            continue;
        }
        let report = one_layer(engine, input, &mut state).await;
        state.stopped = report.status.stops_the_run();
        layers.push(report);
    }
    RunResult { layers, error: None }
}

/// What earlier layers of the run did.
#[derive(Default)]
struct Progress {
    changed: BTreeSet<String>,
    missing: BTreeSet<String>,
    stopped: bool,
}

fn preflight<'i, A, S>(
    engine: &Engine<'_, A, S>,
    inputs: &'i [LayerInput],
) -> Result<Vec<&'i LayerInput>, String> {
    let wanted = &engine.options.layers;
    if let Some(unknown) = wanted.iter().find(|w| !inputs.iter().any(|i| &i.layer == *w)) {
        let known: Vec<&str> = inputs.iter().map(|i| i.layer.as_str()).collect();
        return Err(format!("there is no layer `{unknown}` (layers: {})", known.join(", ")));
    }
    let selected: Vec<&LayerInput> =
        inputs.iter().filter(|i| wanted.is_empty() || wanted.contains(&i.layer)).collect();
    if engine.options.template_bucket.is_none() {
        if let Some(big) = selected.iter().find(|i| i.body.len() > crate::cfn::limits::INLINE_BODY_BYTES) {
            return Err(too_large(big));
        }
    }
    Ok(selected)
}

/// With `--layer`, the layers left out that the selected ones depend on must be deployed.
async fn dependencies_deployed<A: CloudFormationApi, S: TemplateStore>(
    engine: &Engine<'_, A, S>,
    inputs: &[LayerInput],
    selected: &[&LayerInput],
) -> Result<(), String> {
    let names: BTreeSet<&str> = selected.iter().map(|i| i.layer.as_str()).collect();
    let needed: BTreeSet<&str> = selected
        .iter()
        .flat_map(|i| i.depends_on.iter().map(String::as_str))
        .filter(|d| !names.contains(d))
        .collect();
    for dep in inputs.iter().filter(|i| needed.contains(i.layer.as_str())) {
        let region = &engine.options.target.region;
        let info = engine
            .api
            .describe_stack(&dep.stack_name)
            .await
            .map_err(|e| explain(&e, &engine.options.target, "reading a dependency").to_string())?;
        if classify(info.as_ref().map(|i| i.status.as_str()), &dep.stack_name, region) != StackState::Stable {
            return Err(format!(
                "layer `{}` is needed by the layers named with --layer but its stack {} is not deployed (or not stable): deploy it first, or run without --layer",
                dep.layer, dep.stack_name
            ));
        }
    }
    Ok(())
}

async fn one_layer<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    state: &mut Progress,
) -> LayerReport {
    let started = Instant::now();
    let upstream = state.upstream(input, engine.options.mode);
    engine.ui.progress(&input.layer, &format!("{}: planning", input.stack_name));
    let mut report = match engine.plan_layer(input, upstream).await {
        Ok(planned) => finish(engine, input, planned).await,
        Err(stop) => {
            let report = stopped(engine, input, stop);
            let reason = report.reason.as_deref().unwrap_or("");
            let status = report.status.word();
            engine.ui.say(&format!("{} ({}): {status}\n{reason}", input.layer, input.stack_name));
            report
        }
    };
    state.record(&report);
    report.seconds = started.elapsed().as_secs_f64();
    report
}

impl Progress {
    /// What this run's earlier layers mean for `input`.
    fn upstream(&self, input: &LayerInput, mode: Mode) -> Upstream {
        let missing = match mode {
            Mode::Plan { .. } => {
                input.depends_on.iter().filter(|d| self.missing.contains(*d)).cloned().collect()
            }
            Mode::Deploy { .. } => Vec::new(),
        };
        Upstream { changed: input.depends_on.iter().any(|d| self.changed.contains(d)), missing }
    }

    fn record(&mut self, report: &LayerReport) {
        use LayerStatus::{Create, Created, FromTemplate, Update, Updated};
        if matches!(report.status, Create | FromTemplate) {
            self.missing.insert(report.layer.clone());
        }
        if matches!(report.status, Create | Update | FromTemplate | Created | Updated) {
            self.changed.insert(report.layer.clone());
        }
    }
}

async fn finish<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    mut planned: Planned,
) -> LayerReport {
    announce(engine, &planned.report, &input.template);
    if planned.change_set.is_none() {
        return planned.report;
    }
    match engine.options.mode {
        Mode::Plan { keep: true } => planned.report.change_set_kept = true,
        Mode::Plan { keep: false } => engine.discard(input, &mut planned).await,
        Mode::Deploy { yes } => {
            if let Err(stop) = deploy_planned(engine, input, &mut planned, yes).await {
                let status = stopped(engine, input, stop);
                planned.report.status = status.status;
                planned.report.reason = status.reason;
            }
            let status = planned.report.status;
            if status == LayerStatus::Refused {
                engine.ui.say(&format!(
                    "{}: refused: nothing was executed, later layers were not touched",
                    input.layer
                ));
            } else if let Some(reason) = planned.report.reason.as_deref().filter(|_| status.stops_the_run()) {
                engine.ui.say(&format!("{}: {}\n{reason}", input.layer, status.word()));
            }
        }
    }
    planned.report
}

async fn deploy_planned<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    planned: &mut Planned,
    yes: bool,
) -> Result<(), Stop> {
    if !planned.report.refused.is_empty() {
        let lines: Vec<String> =
            planned.report.refused.iter().map(|r| format!("  {}", r.describe())).collect();
        planned.report.reason =
            Some(format!("the change set destroys stateful resources:\n{}", lines.join("\n")));
        planned.report.status = LayerStatus::Refused;
        engine.discard(input, planned).await;
        return Ok(());
    }
    let question =
        format!("Execute this change set on {} ({})?", input.stack_name, engine.options.target.region);
    if !yes && !engine.ui.confirm(&question) {
        planned.report.status = LayerStatus::Declined;
        planned.report.reason =
            Some("not confirmed: nothing was executed; later layers were not touched".into());
        engine.discard(input, planned).await;
        return Ok(());
    }
    engine.execute(input, planned).await
}

fn announce<A, S>(engine: &mut Engine<'_, A, S>, report: &LayerReport, template: &serde_json::Value) {
    let mut text = format!("{} ({}): {}", report.layer, report.stack_name, report.status.word());
    if !report.changes.is_empty() {
        text.push_str(&format!(
            ", {}\n{}",
            super::report::changes(report.changes.len()),
            change_table(&report.changes)
        ));
    }
    if let Some(reason) = report.reason.as_deref().filter(|_| !report.status.stops_the_run()) {
        text.push_str(&format!("\n  {reason}"));
    }
    engine.ui.say(&text);
    for refusal in &report.refused {
        engine.ui.say(&format!("  refused: {}", refusal.describe()));
    }
    if matches!(report.status, LayerStatus::Create | LayerStatus::Update | LayerStatus::FromTemplate) {
        for (id, ty) in changes::unretained(template) {
            engine.ui.say(&format!("  warning: {id} ({ty}) holds data but lacks DeletionPolicy/UpdateReplacePolicy Retain: deleting the stack or replacing it loses the data"));
        }
    }
    if report.status.stops_the_run() {
        if let Some(reason) = &report.reason {
            engine.ui.say(reason);
        }
    }
}

fn stopped<A, S>(engine: &mut Engine<'_, A, S>, input: &LayerInput, stop: Stop) -> LayerReport {
    let mut report = LayerReport::new(&input.layer, &input.stack_name);
    let (status, reason) = match stop {
        Stop::Api { error, doing } => (
            LayerStatus::Failed,
            explain(&error, &engine.options.target, &format!("{doing} of {}", input.stack_name)).to_string(),
        ),
        Stop::Message(message) => (LayerStatus::Failed, message),
        Stop::Interrupted => (LayerStatus::Interrupted, "interrupted by Ctrl-C".to_string()),
    };
    report.status = status;
    report.reason = Some(reason);
    report
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
