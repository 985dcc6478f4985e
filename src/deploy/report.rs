//! What plan and deploy found, per layer: plain data, rendered as tables for
//! people, as a pull-request comment (markdown) and as JSON (schema
//! `mdl.plan/2`, documented in docs/deploy.md) for machines.
//!
//! Input: [`LayerReport`]s built by `run.rs`. Output: text. Invariant: the
//! JSON keys and status words are stable; new keys may be added, none renamed.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::api::{CallCounts, ResourceChange};
use super::changes::{Fate, Refusal, Replacement};
use super::props::{display, PropertyChange, Recreation};

/// Where a resource or a value was declared in the specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SourceLine {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for SourceLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One changed value, as shown: references by name, never resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertyRow {
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// `Never`, `Conditionally`, `Always`, `unknown`.
    pub recreation: String,
    pub cause: Option<String>,
    pub source: Option<SourceLine>,
}

impl PropertyRow {
    /// The row of `change`; `parameters` names the SSM values templates read.
    pub fn new(change: &PropertyChange, parameters: &BTreeMap<String, String>) -> Self {
        let recreation = match change.recreation {
            Recreation::Never => "Never",
            Recreation::Conditionally => "Conditionally",
            Recreation::Always => "Always",
            Recreation::Unknown => "unknown",
        };
        let cause = change.cause.as_ref().map(|c| {
            match c.strip_prefix("parameter ").and_then(|p| parameters.get(p)) {
                Some(ssm) => format!("{c} (ssm:{ssm})"),
                None => c.clone(),
            }
        });
        PropertyRow {
            path: change.path.clone(),
            before: change.before.as_ref().map(|v| display(v, parameters)),
            after: change.after.as_ref().map(|v| display(v, parameters)),
            recreation: recreation.into(),
            cause,
            source: change.source.clone(),
        }
    }

    /// `BackupRetentionPeriod: 1 → 3`
    pub fn describe(&self) -> String {
        let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        let mut text = format!("{}: {} → {}", self.path, side(&self.before), side(&self.after));
        if let Some(cause) = &self.cause {
            text.push_str(&format!(" (because {cause} changes)"));
        }
        if self.recreation == "Always" || self.recreation == "Conditionally" {
            text.push_str(&format!(" [replacement: {}]", self.recreation));
        }
        text
    }
}

/// One row of a change set, with the spec line it came from.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedChange {
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// For Modify: `True`, `Conditional`, `False`, `unknown`; none for Add, Remove.
    pub replacement: Option<String>,
    pub scope: Vec<String>,
    pub source: Option<SourceLine>,
    pub refused: bool,
    /// The values that change (Modify).
    pub properties: Vec<PropertyRow>,
    /// For a removal or replacement of a resource that holds data: what happens to it.
    pub data: Option<Fate>,
}

impl PlannedChange {
    /// A row from a change set entry.
    pub fn new(
        change: &ResourceChange,
        source: Option<SourceLine>,
        replacement: Option<Replacement>,
    ) -> Self {
        PlannedChange {
            action: change.action.clone(),
            logical_id: change.logical_resource_id.clone(),
            resource_type: change.resource_type.clone(),
            replacement: replacement.map(|r| r.word().to_string()),
            scope: change.scope.clone(),
            source,
            refused: false,
            properties: Vec::new(),
            data: None,
        }
    }
}

/// Where a layer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerStatus {
    /// Template and parameters equal what is deployed: no change set made.
    Unchanged,
    /// A change set was made and CloudFormation found nothing to do.
    NoChanges,
    /// Nothing changes now, but values it reads change once an earlier layer is deployed.
    WillChange,
    /// The stack does not exist: a CREATE change set.
    Create,
    /// An UPDATE change set with changes.
    Update,
    /// Planned from the template: dependencies are not deployed yet.
    FromTemplate,
    /// Deploy: the stack was created / updated.
    Created,
    Updated,
    /// A change set was refused (stateful resources) or declined at the prompt.
    Refused,
    Declined,
    /// The stack is in a state mdl cannot change now.
    Blocked,
    /// Creating or executing the change set failed.
    Failed,
    /// Interrupted (SIGINT, SIGTERM).
    Interrupted,
    /// Not reached: an earlier layer stopped the run.
    NotRun,
}

impl LayerStatus {
    /// The word shown in the summary.
    pub fn word(self) -> &'static str {
        match self {
            LayerStatus::Unchanged => "unchanged",
            LayerStatus::NoChanges => "no changes",
            LayerStatus::WillChange => "will change",
            LayerStatus::Create => "create",
            LayerStatus::Update => "update",
            LayerStatus::FromTemplate => "create (from template)",
            LayerStatus::Created => "created",
            LayerStatus::Updated => "updated",
            LayerStatus::Refused => "refused",
            LayerStatus::Declined => "declined",
            LayerStatus::Blocked => "blocked",
            LayerStatus::Failed => "failed",
            LayerStatus::Interrupted => "interrupted",
            LayerStatus::NotRun => "not run",
        }
    }

    /// Whether the run must stop after a layer in this status.
    pub fn stops_the_run(self) -> bool {
        matches!(
            self,
            LayerStatus::Refused
                | LayerStatus::Declined
                | LayerStatus::Blocked
                | LayerStatus::Failed
                | LayerStatus::Interrupted
        )
    }

    /// Whether a plan in this status has something to apply.
    pub fn has_changes(self) -> bool {
        matches!(
            self,
            LayerStatus::Create | LayerStatus::Update | LayerStatus::FromTemplate | LayerStatus::WillChange
        )
    }
}

/// Values a layer reads that an earlier layer changes in this plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct InputChange {
    /// The layer that publishes them.
    pub layer: String,
    /// The SSM parameters that change.
    pub parameters: Vec<String>,
    /// The resources of this layer that read them.
    pub readers: Vec<String>,
}

/// One layer's plan or deploy result.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    pub layer: String,
    pub stack_name: String,
    pub status: LayerStatus,
    /// Why (from-template plans, blocked stacks, failures); with the recovery command.
    pub reason: Option<String>,
    /// The diagnostic code of a problem (`E0607`).
    pub code: Option<String>,
    pub change_set: Option<String>,
    pub change_set_kept: bool,
    pub changes: Vec<PlannedChange>,
    pub refused: Vec<Refusal>,
    /// Values read through SSM that change once earlier layers are deployed.
    pub inputs_change: Vec<InputChange>,
    /// Its change set can only be made once the layers it reads are deployed.
    pub deferred: bool,
    /// Deploy: its change set was executed and succeeded in this run.
    pub applied: bool,
    /// Time spent on this layer, prompts excluded.
    pub seconds: f64,
    /// A layer fanned out as a StackSet: the StackSet and its instances.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_set: Option<super::stack_set::StackSetReport>,
}

impl LayerReport {
    /// A report for `layer` with nothing decided yet.
    pub fn new(layer: &str, stack_name: &str) -> Self {
        LayerReport {
            layer: layer.to_string(),
            stack_name: stack_name.to_string(),
            status: LayerStatus::NotRun,
            reason: None,
            code: None,
            change_set: None,
            change_set_kept: false,
            changes: Vec::new(),
            refused: Vec::new(),
            inputs_change: Vec::new(),
            deferred: false,
            applied: false,
            seconds: 0.0,
            stack_set: None,
        }
    }

    /// `will change once core is deployed`
    pub fn will_change_note(&self) -> Option<String> {
        if self.inputs_change.is_empty() {
            return None;
        }
        let layers: Vec<&str> = self.inputs_change.iter().map(|c| c.layer.as_str()).collect();
        let readers: Vec<&str> =
            self.inputs_change.iter().flat_map(|c| c.readers.iter().map(String::as_str)).collect();
        let values: Vec<&str> =
            self.inputs_change.iter().flat_map(|c| c.parameters.iter().map(String::as_str)).collect();
        Some(format!(
            "will change once {} is deployed: {} read {}",
            layers.join(", "),
            if readers.is_empty() { "its parameters".to_string() } else { readers.join(", ") },
            values.join(", ")
        ))
    }
}

/// The change table: action, logical id, type, replacement, spec line; each
/// Modify followed by its changed values.
pub fn change_table(changes: &[PlannedChange]) -> String {
    let header = ["action", "logical id", "resource type", "replacement", "spec"];
    let rows: Vec<[String; 5]> = changes.iter().map(row).collect();
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        format!("  {}", padded.join("  ").trim_end())
    };
    let mut out = vec![line(header)];
    for (change, r) in changes.iter().zip(&rows) {
        out.push(line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
        for property in &change.properties {
            let source = property.source.as_ref().map(|s| format!("  {s}")).unwrap_or_default();
            out.push(format!("      {}{source}", property.describe()));
        }
        if let Some(fate) = change.data {
            let when = if change.action == "Modify" { "data, if replaced" } else { "data" };
            out.push(format!("      {when}: {}", fate.describe()));
        }
    }
    out.join("\n")
}

fn row(change: &PlannedChange) -> [String; 5] {
    let action = if change.refused { format!("{} (refused)", change.action) } else { change.action.clone() };
    let source = change.source.as_ref().map_or("-".to_string(), ToString::to_string);
    [
        action,
        change.logical_id.clone(),
        change.resource_type.clone(),
        change.replacement.clone().unwrap_or_else(|| "-".into()),
        source,
    ]
}

/// The closing summary: one line per layer (time without prompts).
pub fn summary(layers: &[LayerReport]) -> String {
    let width = layers.iter().map(|l| l.layer.len()).max().unwrap_or(0);
    let lines: Vec<String> = layers
        .iter()
        .map(|l| {
            let changes =
                if l.changes.is_empty() { String::new() } else { format!(", {}", changes(l.changes.len())) };
            let note = l.will_change_note().map(|n| format!(" ({n})")).unwrap_or_default();
            format!("  {:<width$}  {:<22} {:>6.1}s{changes}{note}", l.layer, l.status.word(), l.seconds)
        })
        .collect();
    lines.join("\n")
}

/// What a deploy did and did not do, in one sentence per kind.
pub fn outcome(layers: &[LayerReport]) -> Vec<String> {
    let names = |f: &dyn Fn(&LayerReport) -> bool| -> Vec<String> {
        layers.iter().filter(|l| f(l)).map(|l| format!("{} ({})", l.layer, l.status.word())).collect()
    };
    let applied = names(&|l| l.applied);
    let running = names(&|l| {
        l.status == LayerStatus::Interrupted
            && (l.change_set.is_some() || l.stack_set.as_ref().is_some_and(|s| s.running_operation.is_some()))
    });
    let not_applied = names(&|l| !l.applied && l.status.stops_the_run() || l.status == LayerStatus::NotRun);
    let mut lines = Vec::new();
    lines
        .push(format!("applied: {}", if applied.is_empty() { "nothing".into() } else { applied.join(", ") }));
    if !running.is_empty() {
        lines.push(format!("still running in CloudFormation: {}", running.join(", ")));
    }
    if !not_applied.is_empty() {
        lines.push(format!("not applied: {}", not_applied.join(", ")));
    }
    lines
}

/// Identity of the run, for the JSON and markdown documents.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub command: &'static str,
    pub project: String,
    pub environment: String,
    pub region: String,
    /// The account STS named (none when the run stopped before asking).
    pub account: Option<String>,
}

/// Changes by kind across layers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub add: usize,
    pub modify: usize,
    pub remove: usize,
    /// Of the modifications, those that replace (True, Conditional or unknown).
    pub replace: usize,
    /// Layers that change once earlier ones are deployed.
    pub layers_changing_later: usize,
    /// StackSet instances to create and to delete (layers fanned out as StackSets).
    #[serde(skip_serializing_if = "is_zero")]
    pub instances_to_add: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub instances_to_remove: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Totals {
    /// Count every layer's changes.
    pub fn of(layers: &[LayerReport]) -> Totals {
        let mut totals = Totals::default();
        for change in layers.iter().flat_map(|l| &l.changes) {
            match change.action.as_str() {
                "Add" => totals.add += 1,
                "Remove" => totals.remove += 1,
                _ => totals.modify += 1,
            }
            if matches!(change.replacement.as_deref(), Some("True" | "Conditional" | "unknown")) {
                totals.replace += 1;
            }
        }
        totals.layers_changing_later = layers.iter().filter(|l| !l.inputs_change.is_empty()).count();
        for set in layers.iter().filter_map(|l| l.stack_set.as_ref()) {
            totals.instances_to_add += set.add.len();
            totals.instances_to_remove += set.remove.len();
        }
        totals
    }

    /// `2 to add, 1 to change (1 may replace), 0 to remove`
    pub fn line(&self) -> String {
        let mut text = format!("{} to add, {} to change", self.add, self.modify);
        if self.replace > 0 {
            text.push_str(&format!(" ({} may replace)", self.replace));
        }
        text.push_str(&format!(", {} to remove", self.remove));
        if self.instances_to_add + self.instances_to_remove > 0 {
            text.push_str(&format!(
                "; StackSet instances: {} to add, {} to remove",
                self.instances_to_add, self.instances_to_remove
            ));
        }
        if self.layers_changing_later > 0 {
            text.push_str(&format!(
                "; {} more once earlier layers are deployed",
                layers(self.layers_changing_later)
            ));
        }
        text
    }
}

fn layers(n: usize) -> String {
    if n == 1 {
        "1 layer changes".into()
    } else {
        format!("{n} layers change")
    }
}

/// The machine-readable plan / deploy result (`mdl.plan/2`).
pub fn to_json(
    info: &RunInfo,
    layers: &[LayerReport],
    calls: CallCounts,
    diagnostics: &[crate::diag::render::JsonDiagnostic],
    orphans: &[super::orphans::Orphan],
) -> String {
    let value = json!({
        "schema": "mdl.plan/2",
        "command": info.command,
        "project": info.project,
        "environment": info.environment,
        "region": info.region,
        "account": info.account,
        "totals": Totals::of(layers),
        "layers": layers,
        "diagnostics": diagnostics,
        "orphans": orphans,
        "api_calls": calls,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// The plan as a pull-request comment: a heading, the totals line, a table
/// per layer that changes and its changed values.
pub fn to_markdown(info: &RunInfo, layers: &[LayerReport]) -> String {
    let account = info.account.as_deref().map(|a| format!("account {a}, ")).unwrap_or_default();
    let mut out = vec![
        format!("### mdl {}: {} {} ({account}{})", info.command, info.project, info.environment, info.region),
        String::new(),
        format!("**{}**", Totals::of(layers).line()),
        String::new(),
    ];
    for layer in layers {
        out.push(format!("#### `{}` — {}", layer.layer, layer.status.word()));
        if let Some(note) = layer.will_change_note() {
            out.push(format!("\n> {note}"));
        }
        if let Some(reason) = &layer.reason {
            out.push(format!("\n> {}", reason.replace('\n', "\n> ")));
        }
        if let Some(set) = &layer.stack_set {
            out.push(String::new());
            out.extend(set.describe().iter().map(|line| format!("- {line}")));
        }
        if !layer.changes.is_empty() {
            out.push(String::new());
            out.push("| action | logical id | type | replacement | spec |".into());
            out.push("| --- | --- | --- | --- | --- |".into());
            for change in &layer.changes {
                let [action, id, ty, replacement, source] = row(change);
                out.push(format!("| {action} | `{id}` | `{ty}` | {replacement} | {source} |"));
            }
            let details: Vec<String> = layer
                .changes
                .iter()
                .flat_map(|c| {
                    c.properties
                        .iter()
                        .map(move |p| format!("- `{}` {}", c.logical_id, p.describe().replace('|', "\\|")))
                })
                .collect();
            if !details.is_empty() {
                out.push(String::new());
                out.extend(details);
            }
        }
        out.push(String::new());
    }
    out.join("\n")
}

/// `1 change`, `3 changes`.
pub(crate) fn changes(n: usize) -> String {
    if n == 1 {
        "1 change".to_string()
    } else {
        format!("{n} changes")
    }
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
