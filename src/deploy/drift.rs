//! `mdl drift`: what changed in the account since the last deploy.
//!
//! Input: the environment and an [`Engine`]. Output: per layer, CloudFormation's
//! drift detection (`DetectStackDrift`, then `DescribeStackResourceDrifts`):
//! each modified or deleted resource with every property's expected and
//! actual value and the spec line that declared it; and each published SSM
//! value compared with what its stack wrote (the stack's `Published*`
//! output) — a W0651 for each. Invariants: reads only (a detection starts work
//! on AWS's side but changes nothing); a layer whose detection cannot run
//! (an emulator without drift detection, a permission) still gets its SSM
//! comparison, and says why the other half is missing.

use std::time::Duration;

use serde::Serialize;

use super::api::{CloudFormationApi, DriftDetection, ResourceDrift, StackInfo, TemplateStore};
use super::diagnose;
use super::input::{EnvironmentInput, LayerInput};
use super::report::SourceLine;
use super::run::{check_identity, report_stop};
use super::{Engine, Stop};
use crate::diag::Diagnostic;

/// One layer's drift.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerDrift {
    pub layer: String,
    pub stack_name: String,
    /// `in_sync`, `drifted`, `not_deployed`, or `unknown` (nothing could be checked).
    pub status: &'static str,
    /// CloudFormation's detection: `DETECTION_COMPLETE`, `DETECTION_FAILED`, or `unavailable`.
    pub detection: Option<String>,
    /// Why the detection failed or could not run.
    pub detection_reason: Option<String>,
    pub resources: Vec<DriftedResource>,
    pub published: Vec<PublishedDrift>,
}

/// A resource that no longer matches its template.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DriftedResource {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
    /// `MODIFIED` or `DELETED`.
    pub status: String,
    pub properties: Vec<DriftedProperty>,
    pub source: Option<SourceLine>,
}

/// One property that differs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DriftedProperty {
    /// As plans show it: `Tags[0].Value`.
    pub path: String,
    pub expected: String,
    pub actual: String,
    /// `ADD`, `REMOVE`, `NOT_EQUAL`.
    pub difference: String,
    /// The spec line that wrote the expected value.
    pub source: Option<SourceLine>,
}

/// A published value that differs from what its stack wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PublishedDrift {
    /// The SSM parameter name.
    pub name: String,
    pub expected: String,
    /// `None`: the parameter is gone.
    pub actual: Option<String>,
    pub source: Option<SourceLine>,
}

/// What `mdl drift` found.
#[derive(Debug, Default)]
pub struct DriftResult {
    pub layers: Vec<LayerDrift>,
    pub diagnostics: Vec<Diagnostic>,
    pub account: Option<String>,
}

impl DriftResult {
    /// Whether anything drifted.
    pub fn drifted(&self) -> bool {
        self.layers.iter().any(|l| l.status == "drifted")
    }

    /// Whether some check could not be made (a detection that failed or is unavailable).
    pub fn incomplete(&self) -> bool {
        self.layers.iter().any(|l| l.detection.as_deref().is_some_and(|d| d != "DETECTION_COMPLETE"))
            || self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Check every deployed layer.
pub async fn drift<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
) -> DriftResult {
    let mut result = DriftResult::default();
    if check_identity(engine, environment).await {
        for input in &environment.layers {
            match layer_drift(engine, input).await {
                Ok(layer) => result.layers.push(layer),
                Err(stop) => {
                    report_stop(engine, environment, stop);
                    break;
                }
            }
        }
    }
    result.account = engine.caller.as_ref().map(|c| c.account.clone());
    result.diagnostics = std::mem::take(&mut engine.diagnostics);
    result
}

async fn layer_drift<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
) -> Result<LayerDrift, Stop> {
    let mut layer = LayerDrift {
        layer: input.layer.clone(),
        stack_name: input.stack_name.clone(),
        status: "not_deployed",
        ..LayerDrift::default()
    };
    if input.fan_out.is_some() {
        return stack_set_drift(engine, input, layer).await;
    }
    let info = engine.read(engine.api.describe_stack(&input.stack_name), "reading the stack").await?;
    let Some(info) = info.filter(|i| i.status != "DELETE_COMPLETE") else { return Ok(layer) };
    engine.ui.progress(&input.layer, &format!("{}: detecting drift", input.stack_name));
    match detect(engine, &input.stack_name).await? {
        Ok(detection) => {
            layer.detection = Some(detection.detection_status.clone());
            layer.detection_reason = detection.detection_status_reason.clone();
            let drifts = engine
                .read(engine.api.describe_resource_drifts(&input.stack_name), "reading the resource drifts")
                .await?;
            layer.resources = drifts.iter().map(|d| drifted_resource(input, d)).collect();
        }
        Err(reason) => {
            layer.detection = Some("unavailable".into());
            layer.detection_reason = Some(reason);
        }
    }
    layer.published = published_drift(engine, input, &info).await?;
    let drifted = !layer.resources.is_empty() || !layer.published.is_empty();
    let checked = layer.detection.as_deref() == Some("DETECTION_COMPLETE") || !input.publishes.is_empty();
    layer.status = match (drifted, checked) {
        (true, _) => "drifted",
        (false, true) => "in_sync",
        (false, false) => "unknown",
    };
    report(engine, input, &layer);
    Ok(layer)
}

/// A layer fanned out as a StackSet: its instances live in other regions
/// and mdl does not detect their drift; the check is said to be incomplete.
async fn stack_set_drift<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    mut layer: LayerDrift,
) -> Result<LayerDrift, Stop> {
    let name = &input.stack_name;
    if engine.read(engine.api.describe_stack_set(name), "reading the StackSet").await?.is_none() {
        return Ok(layer);
    }
    layer.status = "unknown";
    layer.detection = Some("unavailable".into());
    layer.detection_reason = Some(format!(
        "fanned out as a StackSet: mdl does not check its instances for drift; aws cloudformation detect-stack-set-drift --stack-set-name {name} --region {}",
        engine.options.target.region
    ));
    Ok(layer)
}

/// Start a detection and wait for it; `Ok(Err(reason))` when it cannot run.
async fn detect<A: CloudFormationApi, S: TemplateStore>(
    engine: &Engine<'_, A, S>,
    stack: &str,
) -> Result<Result<DriftDetection, String>, Stop> {
    let started = engine.options.interrupt.race(engine.api.detect_stack_drift(stack)).await?;
    let id = match started {
        Ok(id) => id,
        Err(error) if error.code.is_some() => {
            return Ok(Err(format!("CloudFormation could not start a drift detection (AWS said: {error})")))
        }
        Err(_) => {
            let why = "the endpoint did not answer DetectStackDrift as AWS does (emulators have no drift detection)";
            return Ok(Err(why.to_string()));
        }
    };
    let mut delay = Duration::ZERO;
    loop {
        engine.options.interrupt.pause(delay).await?;
        let status =
            engine.read(engine.api.describe_drift_detection(&id), "reading the drift detection").await?;
        if status.detection_status != "DETECTION_IN_PROGRESS" {
            return Ok(Ok(status));
        }
        delay = engine.options.poll.next(delay);
    }
}

/// `/Tags/0/Value` → `Tags[0].Value`, the path plans and spec lines use.
pub fn dotted(pointer: &str) -> String {
    let mut path = String::new();
    for part in pointer.split('/').filter(|p| !p.is_empty()) {
        if part.chars().all(|c| c.is_ascii_digit()) {
            path.push_str(&format!("[{part}]"));
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&part.replace("~1", "/").replace("~0", "~"));
        }
    }
    path
}

/// The spec line of `path` in resource `id`: the property's own line, or the
/// nearest enclosing property's, or the resource's.
fn source_of(input: &LayerInput, id: &str, path: &str) -> Option<SourceLine> {
    let lines = input.property_sources.get(id);
    let mut candidate = path.to_string();
    loop {
        if let Some(line) = lines.and_then(|l| l.get(&candidate)) {
            return Some(line.clone());
        }
        match candidate.rfind(['.', '[']) {
            Some(at) => candidate.truncate(at),
            None => return input.sources.get(id).cloned(),
        }
    }
}

fn drifted_resource(input: &LayerInput, drift: &ResourceDrift) -> DriftedResource {
    let id = &drift.logical_resource_id;
    DriftedResource {
        logical_id: id.clone(),
        resource_type: drift.resource_type.clone(),
        physical_id: drift.physical_resource_id.clone(),
        status: drift.stack_resource_drift_status.clone(),
        properties: drift
            .property_differences
            .iter()
            .map(|p| {
                let path = dotted(&p.property_path);
                DriftedProperty {
                    source: source_of(input, id, &path),
                    path,
                    expected: p.expected_value.clone(),
                    actual: p.actual_value.clone(),
                    difference: p.difference_type.clone(),
                }
            })
            .collect(),
        source: input.sources.get(id).cloned(),
    }
}

/// What the stack wrote for published value `id`: its output, else a plain
/// string in the template.
fn written(input: &LayerInput, info: &StackInfo, id: &str) -> Option<String> {
    let output = info.outputs.iter().find(|o| o.output_key == id).map(|o| o.output_value.clone());
    output.or_else(|| {
        let value = input.template.pointer(&format!("/Resources/{id}/Properties/Value"))?;
        value.as_str().map(str::to_string)
    })
}

/// Each published value whose SSM parameter differs from what the stack wrote.
async fn published_drift<A: CloudFormationApi, S: TemplateStore>(
    engine: &Engine<'_, A, S>,
    input: &LayerInput,
    info: &StackInfo,
) -> Result<Vec<PublishedDrift>, Stop> {
    let mut found = Vec::new();
    for (id, name) in &input.publishes {
        let Some(expected) = written(input, info, id) else { continue };
        let actual = engine.read(engine.api.get_parameter(name), "reading a published value").await.map_err(
            |stop| match stop {
                Stop::Api { error, doing, .. } => Stop::Api { error, service: "ssm", doing },
                other => other,
            },
        )?;
        if actual.as_deref() != Some(expected.as_str()) {
            found.push(PublishedDrift {
                name: name.clone(),
                expected,
                actual,
                source: input.sources.get(id).cloned(),
            });
        }
    }
    Ok(found)
}

/// One W0651 per drifted resource and per drifted published value.
fn report<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    layer: &LayerDrift,
) {
    let region = engine.options.target.region.clone();
    for resource in &layer.resources {
        let span = input.spans.get(&resource.logical_id).copied().unwrap_or(input.span);
        let notes: Vec<String> = resource.properties.iter().map(DriftedProperty::describe).collect();
        let message = format!(
            "{} ({}) in {} was {} outside CloudFormation",
            resource.logical_id,
            resource.resource_type,
            input.stack_name,
            if resource.status == "DELETED" { "deleted" } else { "changed" }
        );
        let help = "CloudFormation does not revert drift, and a deploy of an unchanged template makes no change set: set the resource back by hand, or write the live value into the spec and deploy".to_string();
        engine.report(diagnose::drifted(span, message, &notes, help));
    }
    for value in &layer.published {
        let id = input.publishes.iter().find(|(_, n)| **n == value.name).map(|(id, _)| id.as_str());
        let span = id.and_then(|id| input.spans.get(id)).copied().unwrap_or(input.span);
        let actual = value.actual.as_deref().map_or("(missing)".to_string(), |a| format!("{a:?}"));
        let message =
            format!("the published value {} differs from what {} wrote", value.name, input.stack_name);
        let notes = vec![format!("expected {:?}, actual {actual}", value.expected)];
        let help = format!(
            "every layer that reads it gets the changed value on its next deploy; set it back with `aws ssm put-parameter --name {} --value '{}' --overwrite --region {region}`",
            value.name, value.expected
        );
        engine.report(diagnose::drifted(span, message, &notes, help));
    }
}

impl DriftedProperty {
    /// `RetentionInDays: expected 7, actual 14  platform.mdl:30`
    pub fn describe(&self) -> String {
        let at = self.source.as_ref().map(|s| format!("  {s}")).unwrap_or_default();
        format!("{}: expected {}, actual {}{at}", self.path, self.expected, self.actual)
    }
}

/// The drift as people read it.
pub fn to_text(layers: &[LayerDrift]) -> String {
    let mut lines = Vec::new();
    for layer in layers {
        lines.push(format!("{} ({}): {}", layer.layer, layer.stack_name, layer.status.replace('_', " ")));
        if let (Some(detection), Some(reason)) = (&layer.detection, &layer.detection_reason) {
            lines.push(format!("  drift detection {}: {reason}", detection.to_lowercase().replace('_', " ")));
        }
        for resource in &layer.resources {
            let live = resource.physical_id.as_deref().map(|p| format!(" {p}")).unwrap_or_default();
            let at = resource.source.as_ref().map(|s| format!("  {s}")).unwrap_or_default();
            lines.push(format!(
                "  {} ({}{live}): {}{at}",
                resource.logical_id, resource.resource_type, resource.status
            ));
            lines.extend(resource.properties.iter().map(|p| format!("    {}", p.describe())));
        }
        for value in &layer.published {
            let actual = value.actual.as_deref().map_or("(missing)".to_string(), |a| format!("{a:?}"));
            let at = value.source.as_ref().map(|s| format!("  {s}")).unwrap_or_default();
            lines.push(format!(
                "  {} (published): expected {:?}, actual {actual}{at}",
                value.name, value.expected
            ));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
#[path = "drift_tests.rs"]
mod tests;
