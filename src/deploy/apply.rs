//! After a layer is planned: show it, then keep or delete its change set
//! (plan), or refuse, ask and execute it (deploy).
//!
//! Invariants: a refused change set is deleted and nothing runs after it;
//! answering "no" deletes that layer's change set and says exactly what was
//! applied before; a deferred layer of `deploy --plan` whose new change set
//! differs from the reviewed one is shown the differences, and with `--yes`
//! refused.

use super::api::{CloudFormationApi, TemplateStore};
use super::changes;
use super::diagnose;
use super::input::LayerInput;
use super::layer::Planned;
use super::report::{change_table, LayerReport, LayerStatus};
use super::{Engine, Mode, Stop};

/// Show the planned layer, then do what the mode asks with its change set.
pub(super) async fn finish<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    mut planned: Planned,
) -> LayerReport {
    announce(engine, input, &planned.report);
    if matches!(engine.options.mode, Mode::Plan { .. }) {
        for refusal in planned.report.refused.clone() {
            engine.report(diagnose::refused(input, &refusal));
        }
    }
    if planned.change_set.is_none() {
        return planned.report;
    }
    let outcome = match engine.options.mode {
        Mode::Plan { keep } if keep && !planned.report.deferred => {
            planned.report.change_set_kept = true;
            Ok(())
        }
        Mode::Plan { .. } => {
            engine.discard(input, &mut planned).await;
            Ok(())
        }
        Mode::Deploy { yes } => deploy_planned(engine, input, &mut planned, yes).await,
    };
    if let Err(stop) = outcome {
        // A change set made and never executed is mdl's own to clean up.
        if !planned.executed {
            engine.discard(input, &mut planned).await;
        }
        let stopped = super::run::stopped(engine, input, stop);
        planned.report.status = stopped.status;
        planned.report.reason = stopped.reason;
        planned.report.code = stopped.code;
        planned.report.change_set = if planned.executed { planned.change_set.clone() } else { None };
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
        for refusal in planned.report.refused.clone() {
            engine.report(diagnose::refused(input, &refusal));
        }
        planned.report.status = LayerStatus::Refused;
        planned.report.code = Some("E0606".into());
        planned.report.reason =
            Some("the change set destroys resources that hold data; nothing was executed".into());
        engine.discard(input, planned).await;
        engine
            .ui
            .say(&format!("{}: refused: nothing was executed, later layers were not touched", input.layer));
        return Ok(());
    }
    if !reviewed_as_planned(engine, input, planned, yes) {
        engine.discard(input, planned).await;
        return Ok(());
    }
    let question = format!("Execute this change set on {} ({})?", input.stack_name, engine.where_to());
    if !yes && !engine.ask(&question)? {
        planned.report.status = LayerStatus::Declined;
        engine.discard(input, planned).await;
        planned.report.reason = Some(format!(
            "not confirmed: the change set of {} was deleted and nothing was executed on it; later layers were not touched",
            input.stack_name
        ));
        engine.ui.say(&format!("{}: declined", input.layer));
        return Ok(());
    }
    engine.execute(input, planned).await
}

/// `deploy --plan`: a deferred layer's fresh change set against what was
/// reviewed. Differences are shown; with `--yes` they refuse the layer.
fn reviewed_as_planned<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    planned: &mut Planned,
    yes: bool,
) -> bool {
    let Some(reviewed) = engine.options.reviewed.as_ref().and_then(|f| f.layer(&input.layer)) else {
        return true;
    };
    if !reviewed.deferred {
        return true;
    }
    let now: Vec<(String, String)> =
        planned.report.changes.iter().map(|c| (c.action.clone(), c.logical_id.clone())).collect();
    let differences = reviewed.differences(&now);
    if differences.is_empty() {
        engine.ui.say(&format!("{}: its change set, made now, is the one reviewed", input.layer));
        return true;
    }
    engine.report(diagnose::deferred_differs(input, &differences));
    // Expected changes that did not come are harmless; changes nobody reviewed are not.
    let unreviewed = differences.iter().any(|d| d.starts_with("not in the plan"));
    if yes && unreviewed {
        planned.report.status = LayerStatus::Refused;
        planned.report.code = Some("E0611".into());
        let reason = format!(
            "the change set of {} differs from the reviewed plan (--yes only executes what was reviewed)",
            input.stack_name
        );
        engine.report(diagnose::plan_outdated(input.span, reason.clone()));
        planned.report.reason = Some(reason);
        return false;
    }
    true
}

pub(super) fn announce<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    report: &LayerReport,
) {
    let mut text = format!("{} ({}): {}", report.layer, report.stack_name, report.status.word());
    if !report.changes.is_empty() {
        text.push_str(&format!(
            ", {}\n{}",
            super::report::changes(report.changes.len()),
            change_table(&report.changes)
        ));
    }
    if let Some(note) = report.will_change_note() {
        text.push_str(&format!("\n  {note}"));
    }
    for line in report.stack_set.iter().flat_map(|s| s.describe()) {
        text.push_str(&format!("\n  {line}"));
    }
    if let Some(reason) = report.reason.as_deref().filter(|_| !report.status.stops_the_run()) {
        text.push_str(&format!("\n  {reason}"));
    }
    engine.ui.say(&text);
    for refusal in &report.refused {
        engine.ui.say(&format!("  refused: {}", refusal.describe()));
    }
    if matches!(report.status, LayerStatus::Create | LayerStatus::Update | LayerStatus::FromTemplate) {
        for (id, ty) in changes::unretained(&input.template) {
            engine.report(diagnose::unretained(input, &id, &ty));
        }
    }
}
