//! Deploy problems as diagnostics (E06xx, W06xx): the one place they get
//! their words, located at the spec line they concern — the environment's
//! `account`, a layer, a resource — so the terminal, JSON, SARIF and GitHub
//! outputs show them like any `mdl check` finding.

use super::api::{Caller, StackEvent};
use super::changes::Refusal;
use super::errors::{explain, ApiError, Target};
use super::input::{EnvironmentInput, LayerInput};
use super::status::Blocked;
use crate::diag::{Code, Diagnostic};
use crate::eval::{Setting, Tag};
use crate::source::Span;

/// An AWS call failed (credentials, network, a refusal, a bad answer).
pub fn api_failure(error: &ApiError, target: &Target, service: &str, doing: &str, span: Span) -> Diagnostic {
    let explained = explain(error, target, service, doing);
    Diagnostic::new(explained.code, explained.message, span, "while working on this")
        .with_help(explained.help)
}

/// The credentials belong to another account than the environment names.
pub fn account_mismatch(expected: &Setting, caller: &Caller) -> Diagnostic {
    Diagnostic::new(
        Code::AccountMismatch,
        format!("the credentials belong to account {}, not {}", caller.account, expected.value),
        expected.span,
        "the environment deploys into this account",
    )
    .with_note(format!("the credentials in use are {}", caller.arn))
    .with_help("nothing was changed; use the credentials of that account (`--profile`, AWS_PROFILE, or the environment's `profile` / `role`), or fix `account`")
}

/// `account` is not 12 digits.
pub fn invalid_account(setting: &Setting) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidDeploySetting,
        format!("`account` must be a 12-digit AWS account id, got `{}`", setting.value),
        setting.span,
        "not an account id",
    )
    .with_help("write it as AWS shows it, digits only: `account = \"123456789012\"`")
}

/// A user tag CloudFormation or mdl would not accept.
pub fn invalid_tag(tag: &Tag, why: &str) -> Diagnostic {
    Diagnostic::new(Code::InvalidDeploySetting, format!("the stack tag `{}` {why}", tag.key), tag.span, "this tag")
        .with_help("tags whose keys start with `aws:` are AWS's and `mdl:` mdl's own; keys have at most 128 characters, values 256, and a stack at most 50 tags")
}

/// Every problem with the environment's deploy settings, before any call.
pub fn settings(environment: &EnvironmentInput) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    if let Some(account) = &environment.account {
        if account.value.len() != 12 || !account.value.chars().all(|c| c.is_ascii_digit()) {
            found.push(invalid_account(account));
        }
    }
    for tag in &environment.user_tags {
        let lower = tag.key.to_lowercase();
        let why = if lower.starts_with("aws:") || lower.starts_with(super::input::TAG_PREFIX) {
            Some("uses a reserved prefix")
        } else if tag.key.is_empty() || tag.key.chars().count() > 128 {
            Some("key must have 1 to 128 characters")
        } else if tag.value.chars().count() > 256 {
            Some("value has more than 256 characters")
        } else {
            None
        };
        if let Some(why) = why {
            found.push(invalid_tag(tag, why));
        }
    }
    if environment.user_tags.len() + 4 > 50 {
        if let Some(tag) = environment.user_tags.last() {
            found.push(invalid_tag(tag, "is one too many: a stack takes 50 tags, and mdl uses 4"));
        }
    }
    found
}

/// A change destroys a resource that holds data.
pub fn refused(layer: &LayerInput, refusal: &Refusal) -> Diagnostic {
    let span = layer.spans.get(&refusal.logical_id).copied().unwrap_or(layer.span);
    Diagnostic::new(
        Code::StatefulChange,
        format!(
            "{} {} ({}) in {}: {}",
            refusal.what,
            refusal.logical_id,
            refusal.resource_type,
            layer.stack_name,
            refusal.fate.describe()
        ),
        span,
        "this resource holds data",
    )
    .with_help(format!(
        "nothing was executed; pass `--allow-replace {}` if that is intended",
        refusal.logical_id
    ))
}

/// A stack in a state that needs a hand.
pub fn blocked(layer: &LayerInput, blocked: &Blocked) -> Diagnostic {
    Diagnostic::new(
        Code::StackBlocked,
        format!("{} is {}: mdl cannot change it now", layer.stack_name, blocked.status),
        layer.span,
        "this layer's stack",
    )
    .with_note(blocked.explanation.clone())
    .with_help(format!("recover with:\n  {}", blocked.command))
}

/// A stack of this name that mdl's tags say belongs to something else.
pub fn foreign_stack(layer: &LayerInput, owner: &str) -> Diagnostic {
    Diagnostic::new(
        Code::StackBlocked,
        format!("{} belongs to {owner}, not to this layer", layer.stack_name),
        layer.span,
        "this layer's stack name",
    )
    .with_help("nothing was changed; two specs produce the same stack name: rename the project, environment or layer")
}

/// CloudFormation could not make the change set.
pub fn change_set_failed(layer: &LayerInput, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ChangeSetFailed,
        format!("CloudFormation could not make the change set of {}: {reason}", layer.stack_name),
        layer.span,
        "this layer's template",
    )
    .with_help(
        "nothing was changed; fix the cause in the spec (or the stack's state) and run the command again",
    )
}

/// An executed change set failed; `failures` are the failing resources' events.
pub fn deploy_failed(
    layer: &LayerInput,
    status: &str,
    failures: &[StackEvent],
    recovery: &str,
) -> Diagnostic {
    let first = failures.iter().find_map(|e| layer.spans.get(&e.logical_resource_id).copied());
    let mut diagnostic = Diagnostic::new(
        Code::DeployFailed,
        format!("{} ended in {status}", layer.stack_name),
        first.unwrap_or(layer.span),
        "failed here",
    );
    for event in failures {
        let reason = event.resource_status_reason.as_deref().unwrap_or("no reason given");
        diagnostic = diagnostic
            .with_note(format!("{} ({}): {reason}", event.logical_resource_id, event.resource_type));
    }
    diagnostic.with_help(recovery.to_string())
}

/// A StackSet operation did not succeed: each account and region that
/// failed, CloudFormation's reason, and what to do (the roles of self-managed
/// permissions when the reason is about them).
pub fn stack_set_failed(
    layer: &LayerInput,
    stack_set: &str,
    doing: &str,
    operation: &super::api::StackSetOperation,
    failed: &[super::api::StackSetOperationResult],
    region: &str,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::StackSetOperationFailed,
        format!("StackSet {stack_set}: {doing} ended {}", operation.status),
        layer.span,
        "this layer is fanned out as a StackSet",
    );
    if let Some(reason) = operation.status_reason.as_deref().filter(|r| !r.is_empty()) {
        diagnostic = diagnostic.with_note(format!("CloudFormation: {reason}"));
    }
    for result in failed {
        let reason = result.status_reason.as_deref().unwrap_or("no reason given");
        diagnostic = diagnostic
            .with_note(format!("{} {} ({}): {reason}", result.account, result.region, result.status));
    }
    let about_roles = failed
        .iter()
        .filter_map(|r| r.status_reason.as_deref())
        .chain(operation.status_reason.as_deref())
        .any(|r| r.contains("Role") || r.contains("role") || r.contains("AssumeRole"));
    let help = if about_roles {
        "self-managed StackSets need two IAM roles: the administration role (`administration_role`, by default AWSCloudFormationStackSetAdministrationRole in this account) that CloudFormation assumes, and in every target account the execution role (`execution_role`) that trusts it; create them (docs/deploy.md, \"StackSets\"), then deploy again".to_string()
    } else {
        format!(
            "instances that succeeded stay as they are; fix the cause, then deploy again. Details: aws cloudformation list-stack-instances --stack-set-name {stack_set} --region {region}"
        )
    };
    diagnostic.with_help(help)
}

/// CloudFormation runs one operation at a time on a StackSet, and another
/// one is running: what to watch, and to run the command again after it.
pub fn stack_set_busy(
    layer: &LayerInput,
    stack_set: &str,
    doing: &str,
    message: &str,
    region: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::StackSetBusy,
        format!("StackSet {stack_set} is busy: another operation is running, so {doing} was refused"),
        layer.span,
        "this layer is fanned out as a StackSet",
    )
    .with_note(format!("CloudFormation: {message}"))
    .with_note("nothing was changed by this step; what earlier steps applied stays".to_string())
    .with_help(format!(
        "wait for the running operation to end (another deploy, or one mdl stopped following): aws cloudformation list-stack-set-operations --stack-set-name {stack_set} --region {region}; then run the command again"
    ))
}

/// The run was interrupted: what was applied, what still runs, how to go on.
pub fn interrupted(span: Span, notes: Vec<String>, help: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::DeployInterrupted,
        "interrupted: no further change set was created or executed",
        span,
        "this environment",
    );
    for note in notes {
        diagnostic = diagnostic.with_note(note);
    }
    diagnostic.with_help(help)
}

/// `deploy --plan`: what was reviewed no longer holds.
pub fn plan_outdated(span: Span, reason: String) -> Diagnostic {
    Diagnostic::new(Code::PlanOutdated, reason, span, "reviewed in the plan").with_help(
        "nothing was executed; run `mdl plan --out FILE` again, review it, then `mdl deploy --plan FILE`",
    )
}

/// A template too large to send inline, and no bucket.
pub fn too_large(layer: &LayerInput) -> Diagnostic {
    Diagnostic::new(
        Code::TemplateNeedsBucket,
        format!(
            "the template of {} is {} bytes, over the 51,200 bytes CloudFormation takes inline",
            layer.stack_name,
            layer.body.len()
        ),
        layer.span,
        "this layer",
    )
    .with_help(
        "pass --template-bucket NAME (an S3 bucket in the same region) and mdl uploads it there (up to 1 MB)",
    )
}

/// `--layer` left out a dependency that is not deployed.
pub fn dependency_not_deployed(dependency: &LayerInput) -> Diagnostic {
    Diagnostic::new(
        Code::DependencyNotDeployed,
        format!("layer `{}` is needed by the layers named with --layer but its stack {} is not deployed (or not stable)", dependency.layer, dependency.stack_name),
        dependency.span,
        "needed first",
    )
    .with_help("deploy it first, or run without --layer")
}

/// A stateful resource whose data a delete or replacement would not keep.
pub fn unretained(layer: &LayerInput, id: &str, resource_type: &str) -> Diagnostic {
    let span = layer.spans.get(id).copied().unwrap_or(layer.span);
    Diagnostic::new(
        Code::DataNotRetained,
        format!("{id} ({resource_type}) holds data but lacks DeletionPolicy/UpdateReplacePolicy Retain (or Snapshot)"),
        span,
        "deleting the stack or replacing this loses its data",
    )
    .with_help("add `with { DeletionPolicy = \"Retain\", UpdateReplacePolicy = \"Retain\" }`")
}

/// A deferred layer's change set, made at deploy time, differs from the plan.
pub fn deferred_differs(layer: &LayerInput, differences: &[String]) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::DeferredPlanDiffers,
        format!("the change set of {} differs from the reviewed plan", layer.stack_name),
        layer.span,
        "made once the layers it reads were deployed",
    );
    for difference in differences {
        diagnostic = diagnostic.with_note(difference.clone());
    }
    diagnostic.with_help("its inputs changed through SSM; review the changes shown before answering")
}

/// A stack of this project and environment that no layer of the spec names.
pub fn orphan_stack(environment: &EnvironmentInput, orphan: &super::orphans::Orphan) -> Diagnostic {
    Diagnostic::new(
        Code::OrphanStack,
        format!(
            "{} ({}) belongs to environment {} but no layer of the spec names it (its tags say layer `{}`)",
            orphan.stack_name, orphan.status, environment.environment, orphan.layer
        ),
        environment.span,
        "this environment",
    )
    .with_note("a layer was removed or renamed: its stack and its resources stay until deleted; nothing is deleted implicitly")
    .with_help(format!(
        "remove it with `mdl destroy {} --stack {}` (or every orphan: `--orphans`), or put the layer back in the spec",
        spec_or_placeholder(environment),
        orphan.stack_name
    ))
}

fn spec_or_placeholder(environment: &EnvironmentInput) -> &str {
    if environment.spec_path.is_empty() {
        "ENV.mdl"
    } else {
        &environment.spec_path
    }
}

/// `mdl destroy` of a protected environment without `--force-protected`.
pub fn destroy_protected(environment: &EnvironmentInput, stacks: &[String]) -> Diagnostic {
    Diagnostic::new(
        Code::DestroyRefused,
        format!("environment {} is protected: its stacks are not destroyed", environment.environment),
        environment.span,
        "protect = true, or termination protection on a stack",
    )
    .with_note(format!("protected: {}", stacks.join(", ")))
    .with_help(format!(
        "nothing was deleted; if the environment must really go, run `mdl destroy {} --force-protected`: it turns termination protection off on each stack, then deletes it",
        spec_or_placeholder(environment)
    ))
}

/// `mdl destroy --layer L` while a layer that stays still reads L.
pub fn destroy_still_read(layer: &LayerInput, readers: &[String]) -> Diagnostic {
    Diagnostic::new(
        Code::DestroyRefused,
        format!("layer `{}` is read by {}, which stays deployed", layer.layer, readers.join(", ")),
        layer.span,
        "the values this layer publishes are still read",
    )
    .with_help(format!(
        "nothing was deleted; destroy the readers first (`--layer {}` too), or the whole environment",
        readers.join(" --layer ")
    ))
}

/// A `--stack` that is not a stack of this environment.
pub fn destroy_foreign(environment: &EnvironmentInput, stack: &str, why: &str) -> Diagnostic {
    Diagnostic::new(Code::DestroyRefused, format!("{stack} {why}"), environment.span, "this environment")
        .with_help("nothing was deleted; `--stack` takes the stacks mdl's tags give to this project and environment (the orphans plan and deploy list)")
}

/// A stack whose delete failed: each failing resource and how to go on.
pub fn destroy_failed(
    span: Span,
    stack: &str,
    status: &str,
    failures: &[String],
    help: String,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::DestroyFailed,
        format!("{stack} could not be deleted: it ended in {status}"),
        span,
        "this stack",
    );
    for failure in failures {
        diagnostic = diagnostic.with_note(failure.clone());
    }
    diagnostic.with_help(help)
}

/// A resource or published value that differs from what its stack wrote.
pub fn drifted(span: Span, message: String, notes: &[String], help: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(Code::Drifted, message, span, "declared here");
    for note in notes {
        diagnostic = diagnostic.with_note(note.clone());
    }
    diagnostic.with_help(help)
}

/// A resource `mdl import` cannot adopt, and why.
pub fn import_refused(span: Span, logical_id: &str, why: &str, help: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ImportRefused,
        format!("{logical_id} cannot be imported: {why}"),
        span,
        "this resource",
    )
    .with_help(format!("nothing was imported; {help}"))
}
