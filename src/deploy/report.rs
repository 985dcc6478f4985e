//! What plan and deploy found, per layer: plain data, rendered as a table
//! for people and as JSON (schema `mdl.plan/1`, documented in docs/deploy.md)
//! for machines.
//!
//! Input: [`LayerReport`]s built by `run.rs`. Output: text. Invariant: the
//! JSON keys and status words are stable; new keys may be added, none renamed.

use serde::Serialize;
use serde_json::json;

use super::api::{CallCounts, ResourceChange};
use super::changes::Refusal;

/// Where a resource was declared in the specs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceLine {
    pub file: String,
    pub line: usize,
}

/// One row of a change set, with the spec line it came from.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedChange {
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// `True`, `Conditional`, `False`, or none (Add, Remove).
    pub replacement: Option<String>,
    pub scope: Vec<String>,
    pub source: Option<SourceLine>,
    pub refused: bool,
}

impl PlannedChange {
    /// A row from a change set entry.
    pub fn new(change: &ResourceChange, source: Option<SourceLine>, refused: bool) -> Self {
        PlannedChange {
            action: change.action.clone(),
            logical_id: change.logical_resource_id.clone(),
            resource_type: change.resource_type.clone(),
            replacement: change.replacement.clone(),
            scope: change.scope.clone(),
            source,
            refused,
        }
    }
}

/// Where a layer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerStatus {
    /// Template and parameters equal what is deployed: no change set made.
    Unchanged,
    /// A change set was made and CloudFormation found nothing to do.
    NoChanges,
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
    /// Interrupted (Ctrl-C) while CloudFormation was still working.
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
}

/// One layer's plan or deploy result.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    pub layer: String,
    pub stack_name: String,
    pub status: LayerStatus,
    /// Why (from-template plans, blocked stacks, failures); with the recovery command.
    pub reason: Option<String>,
    pub change_set: Option<String>,
    pub change_set_kept: bool,
    pub changes: Vec<PlannedChange>,
    pub refused: Vec<Refusal>,
    pub seconds: f64,
}

impl LayerReport {
    /// A report for `layer` with nothing decided yet.
    pub fn new(layer: &str, stack_name: &str) -> Self {
        LayerReport {
            layer: layer.to_string(),
            stack_name: stack_name.to_string(),
            status: LayerStatus::NotRun,
            reason: None,
            change_set: None,
            change_set_kept: false,
            changes: Vec::new(),
            refused: Vec::new(),
            seconds: 0.0,
        }
    }
}

/// The change table: action, logical id, type, replacement, spec line.
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
    out.extend(rows.iter().map(|r| line([&r[0], &r[1], &r[2], &r[3], &r[4]])));
    out.join("\n")
}

fn row(change: &PlannedChange) -> [String; 5] {
    let action = if change.refused { format!("{} (refused)", change.action) } else { change.action.clone() };
    let source = change.source.as_ref().map_or("-".to_string(), |s| format!("{}:{}", s.file, s.line));
    [
        action,
        change.logical_id.clone(),
        change.resource_type.clone(),
        change.replacement.clone().unwrap_or_else(|| "-".into()),
        source,
    ]
}

/// The closing summary: one line per layer.
pub fn summary(layers: &[LayerReport]) -> String {
    let width = layers.iter().map(|l| l.layer.len()).max().unwrap_or(0);
    let lines: Vec<String> = layers
        .iter()
        .map(|l| {
            let changes =
                if l.changes.is_empty() { String::new() } else { format!(", {}", changes(l.changes.len())) };
            format!("  {:<width$}  {:<22} {:>6.1}s{changes}", l.layer, l.status.word(), l.seconds)
        })
        .collect();
    lines.join("\n")
}

/// Identity of the run, for the JSON document.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub command: &'static str,
    pub project: String,
    pub environment: String,
    pub region: String,
}

/// The machine-readable plan / deploy result (`mdl.plan/1`).
pub fn to_json(info: &RunInfo, layers: &[LayerReport], calls: CallCounts) -> String {
    let value = json!({
        "schema": "mdl.plan/1",
        "command": info.command,
        "project": info.project,
        "environment": info.environment,
        "region": info.region,
        "layers": layers,
        "api_calls": calls,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
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
mod tests {
    use super::*;

    fn change(
        action: &str,
        id: &str,
        ty: &str,
        replacement: Option<&str>,
        line: Option<usize>,
    ) -> PlannedChange {
        PlannedChange {
            action: action.into(),
            logical_id: id.into(),
            resource_type: ty.into(),
            replacement: replacement.map(Into::into),
            scope: vec![],
            source: line.map(|line| SourceLine { file: "specs/platform.mdl".into(), line }),
            refused: false,
        }
    }

    #[test]
    fn the_table_lines_up_and_shows_replacement_and_spec_line() {
        let mut db = change("Modify", "CoreDb", "AWS::RDS::DBInstance", Some("True"), Some(61));
        db.refused = true;
        let table = change_table(&[change("Add", "Alerts", "AWS::SNS::Topic", None, Some(12)), db]);
        let expected = [
            "  action            logical id  resource type         replacement  spec",
            "  Add               Alerts      AWS::SNS::Topic       -            specs/platform.mdl:12",
            "  Modify (refused)  CoreDb      AWS::RDS::DBInstance  True         specs/platform.mdl:61",
        ]
        .join("\n");
        assert_eq!(table, expected);
    }

    #[test]
    fn the_json_plan_has_its_schema_and_stable_status_words() {
        let mut report = LayerReport::new("core", "shop-dev-core");
        report.status = LayerStatus::FromTemplate;
        report.changes.push(change("Add", "Alerts", "AWS::SNS::Topic", None, None));
        let info = RunInfo {
            command: "plan",
            project: "shop".into(),
            environment: "dev".into(),
            region: "us-east-1".into(),
        };
        let text = to_json(&info, &[report], CallCounts::default());
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(value["schema"], "mdl.plan/1");
        assert_eq!(value["layers"][0]["status"], "from_template");
        assert_eq!(value["layers"][0]["changes"][0]["logical_id"], "Alerts");
        assert_eq!(value["layers"][0]["changes"][0]["replacement"], serde_json::Value::Null);
        assert_eq!(value["api_calls"]["reads"], 0);
    }
}
