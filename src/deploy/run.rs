//! One plan or deploy run over an environment's layers, in deploy order.
//!
//! Input: the environment input and an [`Engine`]. Output: a [`RunResult`]
//! with a report per layer and the diagnostics. Invariants: problems found
//! without AWS (settings, unknown `--layer`, a template too large with no
//! bucket) stop before any call; the account is checked with STS before any
//! write; `deploy --plan` checks every reviewed stack and change set before
//! any write; the first layer that fails, is refused, blocked, declined or
//! interrupted stops the run and every later layer is reported `not run`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use super::api::{Caller, CloudFormationApi, TemplateStore};
use super::diagnose;
use super::follow;
use super::input::{EnvironmentInput, LayerInput};
use super::layer::Upstream;
use super::planfile::StackState;
use super::report::{LayerReport, LayerStatus};
use super::status::{classify, StackState as State};
use super::{Engine, Mode, Stop};
use crate::diag::Diagnostic;

/// What a run did.
#[derive(Debug, Default)]
pub struct RunResult {
    pub layers: Vec<LayerReport>,
    /// Every deploy diagnostic, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// A usage problem (an unknown `--layer`): nothing was done.
    pub usage: Option<String>,
    /// Who the credentials belong to, when STS answered.
    pub caller: Option<Caller>,
    /// Each layer's stack as read (for `plan --out`).
    pub stacks: BTreeMap<String, Option<StackState>>,
    /// Stacks of the environment that no layer names (W0650).
    pub orphans: Vec<super::orphans::Orphan>,
}

impl RunResult {
    /// Whether every layer ended well and nothing was reported as an error.
    pub fn succeeded(&self) -> bool {
        let ok = |l: &LayerReport| {
            !l.status.stops_the_run() && l.status != LayerStatus::NotRun && l.refused.is_empty()
        };
        self.usage.is_none()
            && !self.diagnostics.iter().any(Diagnostic::is_error)
            && self.layers.iter().all(ok)
    }

    /// Whether a plan found something to apply.
    pub fn has_changes(&self) -> bool {
        self.layers.iter().any(|l| l.status.has_changes() || !l.inputs_change.is_empty())
    }
}

/// Plan or deploy `environment` (all layers, or those `--layer` names).
pub async fn run<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
) -> RunResult {
    engine.protect = environment.protect;
    let mut result = RunResult::default();
    match before_any_call(engine, environment) {
        Ok(selected) => {
            let ready =
                check_identity(engine, environment).await && check_reviewed(engine, environment).await;
            if ready && dependencies_deployed(engine, environment, &selected).await {
                run_layers(engine, environment, &selected, &mut result).await;
            }
            let interrupted = engine.options.interrupt.is_set();
            if ready && engine.options.look_for_orphans && !interrupted {
                result.orphans = engine.report_orphans(environment).await;
            }
        }
        Err(Some(usage)) => result.usage = Some(usage),
        Err(None) => {}
    }
    result.caller = engine.caller.clone();
    result.diagnostics = std::mem::take(&mut engine.diagnostics);
    result
}

/// Settings, `--layer` names and template sizes: checked without AWS.
/// `Err(Some(text))` is a usage error; `Err(None)` was reported.
fn before_any_call<'i, A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &'i EnvironmentInput,
) -> Result<Vec<&'i LayerInput>, Option<String>> {
    let inputs = &environment.layers;
    let wanted = &engine.options.layers;
    if let Some(unknown) = wanted.iter().find(|w| !inputs.iter().any(|i| &i.layer == *w)) {
        let known: Vec<&str> = inputs.iter().map(|i| i.layer.as_str()).collect();
        return Err(Some(format!("there is no layer `{unknown}` (layers: {})", known.join(", "))));
    }
    let mut problems = diagnose::settings(environment);
    let selected: Vec<&LayerInput> =
        inputs.iter().filter(|i| wanted.is_empty() || wanted.contains(&i.layer)).collect();
    if engine.options.template_bucket.is_none() {
        let big = selected.iter().filter(|i| i.body.len() > crate::cfn::limits::INLINE_BODY_BYTES);
        problems.extend(big.map(|i| diagnose::too_large(i)));
    }
    if problems.is_empty() {
        return Ok(selected);
    }
    for problem in problems {
        engine.report(problem);
    }
    Err(None)
}

/// Ask STS who the credentials belong to; refuse another account than the
/// one the environment names.
pub(super) async fn check_identity<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
) -> bool {
    let doing = "asking STS who the credentials belong to";
    let caller = match engine.options.interrupt.race(engine.api.caller_identity()).await {
        Ok(Ok(caller)) => caller,
        Ok(Err(error)) => {
            let diagnostic =
                diagnose::api_failure(&error, &engine.options.target, "sts", doing, environment.span);
            engine.report(diagnostic);
            return false;
        }
        Err(_) => {
            engine.report(interrupted_before(environment));
            return false;
        }
    };
    engine.caller = Some(caller.clone());
    if let Some(expected) = environment.account.as_ref().filter(|a| a.value != caller.account) {
        engine.report(diagnose::account_mismatch(expected, &caller));
        return false;
    }
    true
}

fn interrupted_before(environment: &EnvironmentInput) -> Diagnostic {
    diagnose::interrupted(
        environment.span,
        vec!["nothing was applied".into()],
        "run the command again".into(),
    )
}

/// `deploy --plan`: the plan must be for this spec and account, and every
/// reviewed stack and change set must be as they were.
async fn check_reviewed<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
) -> bool {
    let Some(file) = engine.options.reviewed.clone() else { return true };
    let mut reasons: Vec<(crate::source::Span, String)> = Vec::new();
    if let Some(reason) = file.mismatch(environment) {
        reasons.push((environment.span, reason));
    }
    let account = engine.caller.as_ref().map(|c| c.account.clone());
    if file.account.is_some() && file.account != account {
        let made = file.account.clone().unwrap_or_default();
        reasons.push((
            environment.span,
            format!(
                "the plan was made in account {made}, the credentials are of account {}",
                account.unwrap_or_default()
            ),
        ));
    }
    if reasons.is_empty() {
        for input in &environment.layers {
            let Some(reviewed) = file.layer(&input.layer) else { continue };
            match stale(engine, input, reviewed).await {
                Ok(Some(reason)) => reasons.push((input.span, reason)),
                Ok(None) => {}
                Err(stop) => return report_stop(engine, environment, stop),
            }
        }
    }
    for (span, reason) in &reasons {
        engine.report(diagnose::plan_outdated(*span, reason.clone()));
    }
    reasons.is_empty()
}

pub(super) fn report_stop<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    stop: Stop,
) -> bool {
    match stop {
        Stop::Api { error, service, doing } => {
            let diagnostic =
                diagnose::api_failure(&error, &engine.options.target, service, &doing, environment.span);
            engine.report(diagnostic);
        }
        Stop::Interrupted => engine.report(interrupted_before(environment)),
        Stop::Reported => {}
    }
    false
}

/// Why one reviewed layer no longer holds: its template, its stack, its change set.
async fn stale<A: CloudFormationApi, S: TemplateStore>(
    engine: &Engine<'_, A, S>,
    input: &LayerInput,
    reviewed: &super::planfile::ReviewedLayer,
) -> Result<Option<String>, Stop> {
    let info = engine.read(engine.api.describe_stack(&input.stack_name), "reading the stack").await?;
    let compare_template = reviewed.stack.as_ref().is_some_and(|s| s.template.is_some()) && info.is_some();
    let deployed = if compare_template {
        let body =
            engine.read(engine.api.get_template(&input.stack_name), "reading the deployed template").await?;
        serde_json::from_str(&body).ok()
    } else {
        None
    };
    if let Some(reason) = reviewed.outdated(input, info.as_ref(), deployed.as_ref()) {
        return Ok(Some(reason));
    }
    let Some(name) = reviewed.change_set.as_deref().filter(|_| !reviewed.deferred) else { return Ok(None) };
    let page = match engine
        .options
        .interrupt
        .race(engine.api.describe_change_set(&input.stack_name, name, None))
        .await?
    {
        Ok(page) => page,
        Err(error) if error.has_code(&["ChangeSetNotFound", "ChangeSetNotFoundException"]) => {
            return Ok(Some(format!("the change set {name} of {} no longer exists", input.stack_name)))
        }
        Err(error) => return Err(engine.api_stop(error, "reading the reviewed change set")),
    };
    // Emulators give no execution status.
    let available = page.status == "CREATE_COMPLETE"
        && matches!(page.execution_status.as_deref(), None | Some("AVAILABLE"));
    Ok((!available).then(|| {
        format!(
            "the change set {name} of {} can no longer be executed (status {}, execution status {})",
            input.stack_name,
            page.status,
            page.execution_status.as_deref().unwrap_or("none")
        )
    }))
}

/// With `--layer`, the layers left out that the selected ones depend on must be deployed.
async fn dependencies_deployed<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    selected: &[&LayerInput],
) -> bool {
    let names: BTreeSet<&str> = selected.iter().map(|i| i.layer.as_str()).collect();
    let needed: BTreeSet<&str> = selected
        .iter()
        .flat_map(|i| i.depends_on.iter().map(String::as_str))
        .filter(|d| !names.contains(d))
        .collect();
    for dep in environment.layers.iter().filter(|i| needed.contains(i.layer.as_str())) {
        let info = match engine.read(engine.api.describe_stack(&dep.stack_name), "reading a dependency").await
        {
            Ok(info) => info,
            Err(stop) => return report_stop(engine, environment, stop),
        };
        let region = &engine.options.target.region;
        if classify(info.as_ref().map(|i| i.status.as_str()), &dep.stack_name, region) != State::Stable {
            engine.report(diagnose::dependency_not_deployed(dep));
            return false;
        }
    }
    true
}

/// What earlier layers of the run did.
#[derive(Default)]
pub(super) struct Progress {
    changed: BTreeSet<String>,
    missing: BTreeSet<String>,
    published: follow::Changed,
    stopped: bool,
}

async fn run_layers<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    selected: &[&LayerInput],
    result: &mut RunResult,
) {
    if engine.options.concurrency > 1 {
        super::parallel::run_layers(engine, selected, result).await;
    } else {
        let mut state = Progress::default();
        for input in selected {
            if state.stopped {
                result.layers.push(LayerReport::new(&input.layer, &input.stack_name));
                continue;
            }
            let upstream = state.upstream(input, engine.options.mode);
            let (report, stack) = one_layer(engine, input, upstream).await;
            state.record(input, &report);
            state.stopped = report.status.stops_the_run();
            result.stacks.insert(input.layer.clone(), stack);
            result.layers.push(report);
        }
    }
    if result.layers.iter().any(|l| l.status == LayerStatus::Interrupted) {
        let diagnostic = interrupted_after(engine, environment, &result.layers);
        engine.report(diagnostic);
    }
}

/// Plan (and in a deploy, apply) one layer, given what earlier layers did.
pub(super) async fn one_layer<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    upstream: Upstream,
) -> (LayerReport, Option<StackState>) {
    let started = Instant::now();
    let prompts_before = engine.prompt_time;
    engine.ui.progress(&input.layer, &format!("{}: planning", input.stack_name));
    let (mut report, stack) = match &input.fan_out {
        Some(fan_out) => (super::stack_set::plan_and_apply(engine, input, fan_out, upstream).await, None),
        None => match engine.plan_layer(input, upstream).await {
            Ok(planned) => {
                let stack = planned.stack.clone();
                (super::apply::finish(engine, input, planned).await, stack)
            }
            Err(stop) => (stopped(engine, input, stop), None),
        },
    };
    let prompts = engine.prompt_time.saturating_sub(prompts_before);
    report.seconds = started.elapsed().saturating_sub(prompts).as_secs_f64();
    (report, stack)
}

impl Progress {
    /// What this run's earlier layers mean for `input`.
    pub(super) fn upstream(&self, input: &LayerInput, mode: Mode) -> Upstream {
        match mode {
            Mode::Plan { .. } => Upstream {
                changed: false,
                missing: input.depends_on.iter().filter(|d| self.missing.contains(*d)).cloned().collect(),
                inputs_change: follow::inputs_change(input, &self.published),
            },
            Mode::Deploy { .. } => Upstream {
                changed: input.depends_on.iter().any(|d| self.changed.contains(d)),
                ..Upstream::default()
            },
        }
    }

    /// Remember what `input`'s layer did, for the layers after it.
    pub(super) fn record(&mut self, input: &LayerInput, report: &LayerReport) {
        use LayerStatus::{Create, Created, FromTemplate, Update, Updated};
        if matches!(report.status, Create | FromTemplate) {
            self.missing.insert(report.layer.clone());
        }
        if matches!(report.status, Create | Update | FromTemplate | Created | Updated) {
            self.changed.insert(report.layer.clone());
        }
        follow::record(&mut self.published, input, report);
    }
}

/// A layer that stopped on an AWS failure or an interrupt.
pub(super) fn stopped<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    stop: Stop,
) -> LayerReport {
    let mut report = LayerReport::new(&input.layer, &input.stack_name);
    match stop {
        Stop::Api { error, service, doing } => {
            let doing = format!("{doing} of {}", input.stack_name);
            let diagnostic =
                diagnose::api_failure(&error, &engine.options.target, service, &doing, input.span);
            report.code = Some(diagnostic.code.as_str().to_string());
            report.reason =
                Some(format!("{}\n{}", diagnostic.message, diagnostic.help.clone().unwrap_or_default()));
            engine.report(diagnostic);
            report.status = LayerStatus::Failed;
        }
        Stop::Reported => report.status = LayerStatus::Failed,
        Stop::Interrupted => {
            report.status = LayerStatus::Interrupted;
            report.reason = Some("interrupted".into());
        }
    }
    report
}

/// The interrupt diagnostic: what was applied, what CloudFormation still
/// runs, and how to watch and resume.
fn interrupted_after<A: CloudFormationApi, S: TemplateStore>(
    engine: &Engine<'_, A, S>,
    environment: &EnvironmentInput,
    layers: &[LayerReport],
) -> Diagnostic {
    let region = &engine.options.target.region;
    let mut notes = super::report::outcome(layers);
    let running: Vec<&LayerReport> =
        layers.iter().filter(|l| l.status == LayerStatus::Interrupted && l.change_set.is_some()).collect();
    let mut help = Vec::new();
    for layer in &running {
        notes
            .push(format!("CloudFormation keeps working on {}; mdl only stopped watching", layer.stack_name));
        help.push(format!(
            "watch:  aws cloudformation describe-stack-events --stack-name {} --region {region}",
            layer.stack_name
        ));
        help.push(format!(
            "wait:   aws cloudformation wait stack-update-complete --stack-name {} --region {region}",
            layer.stack_name
        ));
    }
    let sets = layers.iter().filter(|l| l.status == LayerStatus::Interrupted).filter_map(|l| {
        let set = l.stack_set.as_ref()?;
        Some((set.name.as_str(), set.running_operation.as_deref()?))
    });
    let mut sets_running = false;
    for (name, operation) in sets {
        sets_running = true;
        notes.push(format!(
            "CloudFormation keeps running the StackSet operation {operation} of {name}; mdl only stopped watching"
        ));
        help.push(format!("watch:  {}", super::stack_set::watch_operation(name, operation, region)));
    }
    let running_any = !running.is_empty() || sets_running;
    if !running_any {
        notes.push(
            "no change set was left executing; change sets mdl had made and not executed were deleted".into(),
        );
    }
    let command = engine.options.command();
    help.push(format!(
        "resume: run the same `mdl {command}` again{} (layers already applied report unchanged)",
        if running_any { " once the stack has settled" } else { "" }
    ));
    diagnose::interrupted(environment.span, notes, help.join("\n"))
}

#[cfg(test)]
#[path = "run_tests.rs"]
pub(super) mod tests;
