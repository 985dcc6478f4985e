//! `mdl destroy`: delete an environment's stacks, the last layer first.
//!
//! Input: the environment, what to delete ([`DestroyRequest`]: every layer,
//! some layers, the orphans, or named stacks) and an [`Engine`]. Output: a
//! [`DestroyResult`]: per stack what was deleted, what data goes, stays or is
//! snapshotted, and the diagnostics (E0650 refused, E0651 failed).
//!
//! Invariants: STS confirms the account before anything; every stack and
//! every resource that holds data is shown (with what its `DeletionPolicy`
//! does to it) before the one prompt (or `--yes`); a protected environment
//! (`protect = true`, or a stack with termination protection) is refused
//! unless `--force-protected`, which turns termination protection off on
//! each stack, visibly, right before deleting it; a layer that a remaining
//! layer reads is refused; stacks go in reverse dependency order, one at a
//! time, each followed to its end; the first failure stops the rest; after an
//! interrupt nothing more is deleted. A layer's published SSM values are
//! `AWS::SSM::Parameter` resources of its stack: they go with it. A layer
//! fanned out as a StackSet goes in its place of the order: its instances
//! (and their stacks) first, then the StackSet.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value as Json;

use super::api::{Caller, CloudFormationApi, StackEvent, StackInfo, StackResource, TemplateStore};
use super::changes::{type_holds_data, Fate};
use super::diagnose;
use super::execute::event_line;
use super::input::{owner, EnvironmentInput, LayerInput};
use super::report::{LayerReport, SourceLine};
use super::run::{check_identity, report_stop};
use super::stack_set::Instance;
use super::{Engine, Stop};
use crate::diag::Diagnostic;
use crate::source::Span;

/// What the command line asked to delete.
#[derive(Debug, Clone, Default)]
pub struct DestroyRequest {
    /// Delete without asking (CI).
    pub yes: bool,
    /// Delete a protected environment, turning termination protection off.
    pub force_protected: bool,
    /// Only these layers (a layer that stays must not read them); empty: all.
    pub layers: Vec<String>,
    /// The orphan stacks instead of the layers.
    pub orphans: bool,
    /// These stacks of the environment (by name) instead of the layers.
    pub stacks: Vec<String>,
}

/// What became of one stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DestroyStatus {
    Deleted,
    /// There was no such stack: nothing to do.
    NotDeployed,
    Refused,
    Declined,
    Failed,
    Interrupted,
    /// Not reached: an earlier stack stopped the run.
    NotRun,
    /// Planned (shown before the prompt).
    Planned,
}

impl DestroyStatus {
    /// The word shown in the summary.
    pub fn word(self) -> &'static str {
        match self {
            DestroyStatus::Deleted => "deleted",
            DestroyStatus::NotDeployed => "not deployed",
            DestroyStatus::Refused => "refused",
            DestroyStatus::Declined => "declined",
            DestroyStatus::Failed => "failed",
            DestroyStatus::Interrupted => "interrupted",
            DestroyStatus::NotRun => "not run",
            DestroyStatus::Planned => "to delete",
        }
    }
}

/// A resource that holds data, and what deleting its stack does to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataFate {
    pub logical_id: String,
    pub resource_type: String,
    /// The live resource (a bucket's name, a log group's name).
    pub physical_id: Option<String>,
    /// From its `DeletionPolicy`: deleted, snapshotted, or retained and orphaned.
    pub fate: Fate,
    pub source: Option<SourceLine>,
}

impl DataFate {
    /// `Logs (AWS::Logs::LogGroup /shop/dev/logs): its data is deleted with it`
    pub fn describe(&self) -> String {
        let live = self.physical_id.as_deref().map(|p| format!(" {p}")).unwrap_or_default();
        let at = self.source.as_ref().map(|s| format!("  [{s}]")).unwrap_or_default();
        format!("{} ({}{live}): {}{at}", self.logical_id, self.resource_type, self.fate.describe())
    }
}

/// One stack of the destroy, in the order they are deleted.
#[derive(Debug, Clone, Serialize)]
pub struct StackPlan {
    pub stack_name: String,
    /// The layer, as the spec (or, for an orphan, the stack's tags) names it.
    pub layer: Option<String>,
    pub status: DestroyStatus,
    pub termination_protection: bool,
    /// Every resource that holds data.
    pub data: Vec<DataFate>,
    /// The SSM names of the values it published, deleted with it.
    pub published: Vec<String>,
    pub reason: Option<String>,
    #[serde(skip)]
    stack_id: String,
    #[serde(skip)]
    resources: Vec<StackResource>,
    #[serde(skip)]
    span: Span,
    /// Logical id → the spec line that declares it (a layer's stack).
    #[serde(skip)]
    sources: std::collections::BTreeMap<String, SourceLine>,
    /// Logical id → the same place, as a span (for diagnostics).
    #[serde(skip)]
    spans: std::collections::BTreeMap<String, Span>,
    /// A fanned-out layer: its StackSet's instances, deleted (with their
    /// stacks) before the StackSet itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_set_instances: Option<Vec<Instance>>,
    /// A fanned-out layer's input (for its operations' progress and diagnostics).
    #[serde(skip)]
    fanned: Option<Box<LayerInput>>,
    /// A fanned-out layer's deployed template (`DescribeStackSet`).
    #[serde(skip)]
    stack_set_body: String,
}

impl StackPlan {
    fn new(stack_name: &str, layer: Option<String>, span: Span) -> StackPlan {
        StackPlan {
            stack_name: stack_name.to_string(),
            layer,
            status: DestroyStatus::NotDeployed,
            termination_protection: false,
            data: Vec::new(),
            published: Vec::new(),
            reason: None,
            stack_id: String::new(),
            resources: Vec::new(),
            span,
            sources: Default::default(),
            spans: Default::default(),
            stack_set_instances: None,
            fanned: None,
            stack_set_body: String::new(),
        }
    }

    /// `shop-dev-app (layer app)`
    pub fn title(&self) -> String {
        match &self.layer {
            Some(layer) => format!("{} (layer {layer})", self.stack_name),
            None => self.stack_name.clone(),
        }
    }

    /// The lines that show what deleting it does.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![format!("  {}", self.title())];
        if let Some(instances) = &self.stack_set_instances {
            let list: Vec<String> = instances.iter().map(ToString::to_string).collect();
            lines.push(format!(
                "    StackSet: its instances (and their stacks) first, then the StackSet: {}",
                if list.is_empty() { "no instance".to_string() } else { list.join(", ") }
            ));
        }
        if self.termination_protection {
            lines.push("    termination protection: turned off right before deleting".into());
        }
        lines.extend(self.data.iter().map(|d| format!("    data: {}", d.describe())));
        if !self.published.is_empty() {
            lines.push(format!("    published values deleted with it: {}", self.published.join(", ")));
        }
        lines
    }
}

/// What a destroy did.
#[derive(Debug, Default)]
pub struct DestroyResult {
    /// Every stack considered, in the order of deletion.
    pub stacks: Vec<StackPlan>,
    pub diagnostics: Vec<Diagnostic>,
    /// A usage problem (an unknown `--layer`): nothing was done.
    pub usage: Option<String>,
    pub caller: Option<Caller>,
}

impl DestroyResult {
    /// Whether everything asked for is gone and nothing went wrong.
    pub fn succeeded(&self) -> bool {
        self.usage.is_none()
            && !self.diagnostics.iter().any(Diagnostic::is_error)
            && self
                .stacks
                .iter()
                .all(|s| matches!(s.status, DestroyStatus::Deleted | DestroyStatus::NotDeployed))
    }
}

/// Which stacks, before AWS is asked.
enum Which<'i> {
    /// These layers, the last deployed first.
    Layers(Vec<&'i LayerInput>),
    Orphans,
    Stacks(Vec<String>),
}

/// Destroy what `request` names.
pub async fn destroy<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    request: &DestroyRequest,
) -> DestroyResult {
    let mut result = DestroyResult::default();
    match which(environment, request) {
        Err(usage) => result.usage = Some(usage),
        Ok(which) => {
            if check_identity(engine, environment).await {
                if let Err(stop) = run(engine, environment, request, which, &mut result.stacks).await {
                    interrupted_or_failed(engine, environment, stop, &mut result.stacks);
                }
            }
        }
    }
    result.caller = engine.caller.clone();
    result.diagnostics = std::mem::take(&mut engine.diagnostics);
    result
}

/// The selection, checked without AWS.
fn which<'i>(environment: &'i EnvironmentInput, request: &DestroyRequest) -> Result<Which<'i>, String> {
    let modes = [!request.layers.is_empty(), request.orphans, !request.stacks.is_empty()];
    if modes.iter().filter(|m| **m).count() > 1 {
        return Err("--layer, --orphans and --stack choose different stacks: use one of them".into());
    }
    if request.orphans {
        return Ok(Which::Orphans);
    }
    if !request.stacks.is_empty() {
        return Ok(Which::Stacks(request.stacks.clone()));
    }
    let inputs = &environment.layers;
    if let Some(unknown) = request.layers.iter().find(|w| !inputs.iter().any(|i| &i.layer == *w)) {
        let known: Vec<&str> = inputs.iter().map(|i| i.layer.as_str()).collect();
        return Err(format!("there is no layer `{unknown}` (layers: {})", known.join(", ")));
    }
    let wanted = |i: &&LayerInput| request.layers.is_empty() || request.layers.contains(&i.layer);
    Ok(Which::Layers(inputs.iter().rev().filter(wanted).collect()))
}

async fn run<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    request: &DestroyRequest,
    which: Which<'_>,
    plans: &mut Vec<StackPlan>,
) -> Result<(), Stop> {
    let Some(found) = targets(engine, environment, which).await? else { return Ok(()) };
    *plans = found;
    for plan in plans.iter_mut().filter(|p| p.status == DestroyStatus::Planned) {
        read_contents(engine, plan).await?;
    }
    if !allowed(engine, environment, request, plans) {
        return Ok(());
    }
    if !confirmed(engine, environment, request, plans)? {
        return Ok(());
    }
    for index in 0..plans.len() {
        if plans[index].status != DestroyStatus::Planned {
            continue;
        }
        delete_one(engine, environment, &mut plans[index]).await?;
        if plans[index].status == DestroyStatus::Failed {
            not_run(&mut plans[index + 1..]);
            break;
        }
    }
    Ok(())
}

fn not_run(plans: &mut [StackPlan]) {
    for plan in plans.iter_mut().filter(|p| p.status == DestroyStatus::Planned) {
        plan.status = DestroyStatus::NotRun;
    }
}

/// The stacks to delete, read from AWS; `None` when refused (reported).
async fn targets<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    which: Which<'_>,
) -> Result<Option<Vec<StackPlan>>, Stop> {
    let mut plans = Vec::new();
    match which {
        Which::Layers(layers) => {
            if !still_read(engine, environment, &layers).await? {
                return Ok(None);
            }
            for layer in layers {
                if layer.fan_out.is_some() {
                    plans.push(planned_stack_set(engine, layer).await?);
                    continue;
                }
                let info =
                    engine.read(engine.api.describe_stack(&layer.stack_name), "reading the stack").await?;
                plans.push(planned_layer(layer, info));
            }
        }
        Which::Orphans => {
            for orphan in engine.find_orphans(environment).await? {
                let info =
                    engine.read(engine.api.describe_stack(&orphan.stack_name), "reading the stack").await?;
                plans.push(planned(&orphan.stack_name, Some(orphan.layer), environment.span, info));
            }
        }
        Which::Stacks(names) => {
            // A layer's stack named here is a layer: the layers that stay must
            // not read it, and layers go the last first (after other stacks).
            let layers: Vec<&LayerInput> =
                environment.layers.iter().rev().filter(|l| names.contains(&l.stack_name)).collect();
            if !still_read(engine, environment, &layers).await? {
                return Ok(None);
            }
            let others = names.iter().filter(|n| !layers.iter().any(|l| &l.stack_name == *n)).cloned();
            let ordered: Vec<String> = others.chain(layers.iter().map(|l| l.stack_name.clone())).collect();
            for name in ordered {
                let info = engine.read(engine.api.describe_stack(&name), "reading the stack").await?;
                if let Some(why) = not_ours(environment, info.as_ref()) {
                    engine.report(diagnose::destroy_foreign(environment, &name, &why));
                    return Ok(None);
                }
                match environment.layers.iter().find(|l| l.stack_name == name) {
                    Some(layer) => plans.push(planned_layer(layer, info)),
                    None => {
                        let layer = info.as_ref().and_then(|i| owner(&i.tags)).map(|o| o.2);
                        plans.push(planned(&name, layer, environment.span, info));
                    }
                }
            }
        }
    }
    Ok(Some(plans))
}

fn planned(stack: &str, layer: Option<String>, span: Span, info: Option<StackInfo>) -> StackPlan {
    let mut plan = StackPlan::new(stack, layer, span);
    if let Some(info) = info.filter(|i| i.status != "DELETE_COMPLETE") {
        plan.status = DestroyStatus::Planned;
        plan.termination_protection = info.termination_protection;
        plan.stack_id = info.stack_id;
    }
    plan
}

fn planned_layer(layer: &LayerInput, info: Option<StackInfo>) -> StackPlan {
    let mut plan = planned(&layer.stack_name, Some(layer.layer.clone()), layer.span, info);
    plan.sources.clone_from(&layer.sources);
    plan.spans.clone_from(&layer.spans);
    plan
}

/// A fanned-out layer: its StackSet and instances, as read.
async fn planned_stack_set<A: CloudFormationApi, S: TemplateStore>(
    engine: &Engine<'_, A, S>,
    layer: &LayerInput,
) -> Result<StackPlan, Stop> {
    let name = &layer.stack_name;
    let mut plan = planned_layer(layer, None);
    let Some(info) = engine.read(engine.api.describe_stack_set(name), "reading the StackSet").await? else {
        return Ok(plan);
    };
    let instances =
        engine.read(engine.api.list_stack_instances(name), "listing the StackSet's instances").await?;
    plan.status = DestroyStatus::Planned;
    plan.stack_set_instances = Some(
        instances.iter().map(|i| Instance { account: i.account.clone(), region: i.region.clone() }).collect(),
    );
    plan.stack_set_body = info.template_body;
    plan.fanned = Some(Box::new(layer.clone()));
    Ok(plan)
}

/// Why `--stack NAME` is refused: missing, or tagged for something else.
fn not_ours(environment: &EnvironmentInput, info: Option<&StackInfo>) -> Option<String> {
    let Some(info) = info else { return Some("does not exist in this region".into()) };
    match owner(&info.tags) {
        Some((project, env, _)) if project == environment.project && env == environment.environment => None,
        Some((project, env, _)) => Some(format!("belongs to project {project}, environment {env}")),
        None => Some("carries no mdl tags: mdl did not deploy it".into()),
    }
}

/// `--layer`: refuse a layer that a deployed layer left out still reads.
async fn still_read<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    selected: &[&LayerInput],
) -> Result<bool, Stop> {
    let chosen: HashSet<&str> = selected.iter().map(|l| l.layer.as_str()).collect();
    for layer in selected {
        let mut readers = Vec::new();
        let staying = environment.layers.iter().filter(|l| !chosen.contains(l.layer.as_str()));
        for reader in staying.filter(|l| l.depends_on.contains(&layer.layer)) {
            let deployed = if reader.fan_out.is_some() {
                engine
                    .read(engine.api.describe_stack_set(&reader.stack_name), "reading the StackSet")
                    .await?
                    .is_some()
            } else {
                let info =
                    engine.read(engine.api.describe_stack(&reader.stack_name), "reading the stack").await?;
                info.is_some_and(|i| i.status != "DELETE_COMPLETE")
            };
            if deployed {
                readers.push(reader.layer.clone());
            }
        }
        if !readers.is_empty() {
            engine.report(diagnose::destroy_still_read(layer, &readers));
            return Ok(false);
        }
    }
    Ok(true)
}

/// The stack's resources and deployed template: what holds data, what it publishes.
async fn read_contents<A: CloudFormationApi, S: TemplateStore>(
    engine: &Engine<'_, A, S>,
    plan: &mut StackPlan,
) -> Result<(), Stop> {
    let stack = plan.stack_name.clone();
    let body = if plan.fanned.is_some() {
        // The instances' resources live in their own regions: the template says what they hold.
        plan.stack_set_body.clone()
    } else {
        plan.resources =
            engine.read(engine.api.list_stack_resources(&stack), "reading the stack's resources").await?;
        engine.read(engine.api.get_template(&stack), "reading the deployed template").await?
    };
    let template: Json = serde_json::from_str(&body).unwrap_or(Json::Null);
    let Some(resources) = template.get("Resources").and_then(Json::as_object) else { return Ok(()) };
    let physical = |id: &str| {
        plan.resources
            .iter()
            .find(|r| r.logical_resource_id == id)
            .and_then(|r| r.physical_resource_id.clone())
    };
    let mut data = Vec::new();
    let mut published = Vec::new();
    for (id, body) in resources {
        let resource_type = body.get("Type").and_then(Json::as_str).unwrap_or_default();
        if resource_type == "AWS::SSM::Parameter" {
            let name = body.pointer("/Properties/Name").and_then(Json::as_str).map(str::to_string);
            published.extend(physical(id).or(name));
        } else if type_holds_data(resource_type) {
            data.push(DataFate {
                logical_id: id.clone(),
                resource_type: resource_type.to_string(),
                physical_id: physical(id),
                fate: Fate::of(Some(body), true),
                source: plan.sources.get(id).cloned(),
            });
        }
    }
    plan.data = data;
    plan.published = published;
    Ok(())
}

/// Protected stacks go only with `--force-protected`.
fn allowed<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    request: &DestroyRequest,
    plans: &mut [StackPlan],
) -> bool {
    let live = plans.iter().filter(|p| p.status == DestroyStatus::Planned);
    let protected: Vec<String> = live
        .filter(|p| environment.protect || p.termination_protection)
        .map(|p| p.stack_name.clone())
        .collect();
    if protected.is_empty() || request.force_protected {
        return true;
    }
    engine.report(diagnose::destroy_protected(environment, &protected));
    for plan in plans.iter_mut().filter(|p| p.status == DestroyStatus::Planned) {
        plan.status = DestroyStatus::Refused;
    }
    false
}

/// Show every stack and its data, then ask (unless `--yes`).
fn confirmed<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    request: &DestroyRequest,
    plans: &mut [StackPlan],
) -> Result<bool, Stop> {
    let live: Vec<&StackPlan> = plans.iter().filter(|p| p.status == DestroyStatus::Planned).collect();
    if live.is_empty() {
        engine.ui.say("nothing to delete: no stack of the selection is deployed");
        return Ok(false);
    }
    let whole = format!(
        "project {}, environment {} ({})",
        environment.project,
        environment.environment,
        engine.where_to()
    );
    let mut text = vec![format!("destroy: {whole}"), "These stacks are deleted, in this order:".to_string()];
    text.extend(live.iter().flat_map(|p| p.describe()));
    engine.ui.say(&text.join("\n"));
    let count = live.len();
    if request.yes || engine.ask(&format!("Delete {count} stack{} of {whole}?", plural(count)))? {
        return Ok(true);
    }
    for plan in plans.iter_mut().filter(|p| p.status == DestroyStatus::Planned) {
        plan.status = DestroyStatus::Declined;
    }
    Ok(false)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Delete one stack and follow it to its end.
async fn delete_one<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    plan: &mut StackPlan,
) -> Result<(), Stop> {
    if plan.fanned.is_some() {
        return delete_stack_set(engine, plan).await;
    }
    let stack = plan.stack_name.clone();
    // By id: a deleted stack is still described (DELETE_COMPLETE) through its id.
    let handle = if plan.stack_id.is_empty() { stack.clone() } else { plan.stack_id.clone() };
    let seen: HashSet<String> = engine
        .read(engine.api.describe_stack_events(&handle), "reading stack events")
        .await?
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    if plan.termination_protection {
        engine.before_write()?;
        let off = engine.api.set_termination_protection(&stack, false).await;
        off.map_err(|e| engine.api_stop(e, "turning termination protection off"))?;
        engine.ui.say(&format!("{stack}: termination protection turned off (--force-protected)"));
    }
    engine.before_write()?;
    engine.api.delete_stack(&stack).await.map_err(|e| engine.api_stop(e, "deleting the stack"))?;
    // Until followed to its end: a stop now leaves CloudFormation deleting it.
    plan.status = DestroyStatus::Interrupted;
    let label = plan.layer.clone().unwrap_or_else(|| stack.clone());
    let (status, failures) = engine.follow(&label, &handle, seen, "").await?;
    if status == "DELETE_COMPLETE" {
        plan.status = DestroyStatus::Deleted;
        engine.ui.progress(&label, &format!("{stack}: deleted"));
        return Ok(());
    }
    plan.status = DestroyStatus::Failed;
    let (notes, help) = explain_failure(environment, plan, &engine.options.target.region, &failures);
    plan.reason = Some(notes.join("\n"));
    let span = failures.iter().find_map(|e| plan.spans.get(&e.logical_resource_id).copied());
    engine.report(diagnose::destroy_failed(span.unwrap_or(plan.span), &stack, &status, &notes, help));
    Ok(())
}

/// A fanned-out layer: delete every instance (their stacks go too), follow
/// the operation to its end, then delete the StackSet. A failed operation is
/// E0673 (reported) and stops the destroy there.
async fn delete_stack_set<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    plan: &mut StackPlan,
) -> Result<(), Stop> {
    let Some(input) = plan.fanned.clone() else { return Ok(()) };
    let fan_out = input.fan_out.clone().unwrap_or_default();
    let name = plan.stack_name.clone();
    let instances = plan.stack_set_instances.clone().unwrap_or_default();
    let mut report = LayerReport::new(&input.layer, &name);
    // Until followed to its end: a stop now leaves CloudFormation deleting the instances.
    plan.status = DestroyStatus::Interrupted;
    if !engine.remove_instances(&input, &fan_out, &name, &instances, &mut report).await? {
        plan.status = DestroyStatus::Failed;
        plan.reason = report.reason;
        return Ok(());
    }
    engine.before_write()?;
    engine.api.delete_stack_set(&name).await.map_err(|e| engine.api_stop(e, "deleting the StackSet"))?;
    plan.status = DestroyStatus::Deleted;
    engine.ui.progress(&input.layer, &format!("{name}: StackSet deleted"));
    Ok(())
}

/// Each failing resource with CloudFormation's reason, and how to go on:
/// empty a resource that must be empty, finish with `--retain-resources`
/// for one deleted by hand, or keep it.
pub fn explain_failure(
    environment: &EnvironmentInput,
    plan: &StackPlan,
    region: &str,
    failures: &[StackEvent],
) -> (Vec<String>, String) {
    let stack = &plan.stack_name;
    let mut notes = Vec::new();
    let mut help = Vec::new();
    let retain = |id: &str| {
        format!(
            "aws cloudformation delete-stack --stack-name {stack} --region {region} --retain-resources {id}"
        )
    };
    for event in failures.iter().filter(|e| e.logical_resource_id != *stack && !e.resource_type.is_empty()) {
        let reason = event.resource_status_reason.as_deref().unwrap_or("no reason given");
        notes.push(event_line(event));
        let id = &event.logical_resource_id;
        let physical = plan
            .resources
            .iter()
            .find(|r| r.logical_resource_id == *id)
            .and_then(|r| r.physical_resource_id.clone())
            .unwrap_or_else(|| id.clone());
        let must_be_empty = crate::cfn::schema::resource_facts(&event.resource_type)
            .is_some_and(|f| f.delete_requires_empty());
        let lower = reason.to_lowercase();
        if must_be_empty || lower.contains("not empty") {
            let empty = if event.resource_type == "AWS::S3::Bucket" {
                format!("empty it with `aws s3 rm s3://{physical} --recursive` (and delete its object versions, if versioned)")
            } else {
                "empty it".to_string()
            };
            help.push(format!("{id} ({}) {physical} is not empty, and CloudFormation deletes it only empty: {empty}, then run `mdl destroy {} --stack {stack}` again; or keep it and finish: {}", event.resource_type, spec(environment), retain(id)));
        } else if lower.contains("not found")
            || lower.contains("does not exist")
            || lower.contains("notfound")
        {
            help.push(format!(
                "{id} ({}) is already gone (deleted by hand): finish with {}",
                event.resource_type,
                retain(id)
            ));
        } else {
            help.push(format!("{id} ({}): fix the cause above, then run `mdl destroy {} --stack {stack}` again; or keep it and finish: {}", event.resource_type, spec(environment), retain(id)));
        }
    }
    if help.is_empty() {
        help.push(format!("see the events: aws cloudformation describe-stack-events --stack-name {stack} --region {region}; then run `mdl destroy {}` again", spec(environment)));
    }
    (notes, help.join("\n"))
}

fn spec(environment: &EnvironmentInput) -> &str {
    if environment.spec_path.is_empty() {
        "ENV.mdl"
    } else {
        &environment.spec_path
    }
}

/// An AWS failure or an interrupt: report it, mark the rest not run.
fn interrupted_or_failed<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    stop: Stop,
    plans: &mut [StackPlan],
) {
    not_run(plans);
    let Stop::Interrupted = stop else {
        report_stop(engine, environment, stop);
        return;
    };
    let region = &engine.options.target.region;
    let deleted: Vec<&str> =
        plans.iter().filter(|p| p.status == DestroyStatus::Deleted).map(|p| p.stack_name.as_str()).collect();
    let mut notes = vec![if deleted.is_empty() {
        "nothing was deleted".to_string()
    } else {
        format!("deleted: {}", deleted.join(", "))
    }];
    let mut help = Vec::new();
    for running in plans.iter().filter(|p| p.status == DestroyStatus::Interrupted) {
        notes
            .push(format!("CloudFormation keeps deleting {}; mdl only stopped watching", running.stack_name));
        let watch = if running.stack_set_instances.is_some() {
            format!("list-stack-set-operations --stack-set-name {}", running.stack_name)
        } else {
            format!("describe-stack-events --stack-name {}", running.stack_name)
        };
        help.push(format!("watch:  aws cloudformation {watch} --region {region}"));
    }
    help.push(format!(
        "resume: run `mdl destroy {}` again (stacks already gone are skipped)",
        spec(environment)
    ));
    engine.report(diagnose::interrupted(environment.span, notes, help.join("\n")));
}

#[cfg(test)]
#[path = "destroy_tests.rs"]
mod tests;
