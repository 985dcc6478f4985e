//! What a stack status means for the next deploy, and how to recover.
//!
//! Input: a stack's status string, its name and region. Output: a
//! [`StackState`]: deployable (create or update), or blocked with an
//! explanation and the exact command that recovers it. Invariant: every
//! status CloudFormation documents lands in a specific arm; an unknown one is
//! blocked, never guessed.

/// What the stack's current status allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackState {
    /// No stack: create it.
    Missing,
    /// A stack created by a change set that never ran (REVIEW_IN_PROGRESS):
    /// a CREATE change set replaces its pending ones.
    NeverExecuted,
    /// A stable stack: update it.
    Stable,
    /// Nothing can be done until this is resolved.
    Blocked(Blocked),
}

/// A stack mdl cannot change now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub status: String,
    /// Why, in one paragraph.
    pub explanation: String,
    /// The command that recovers (or lets the user watch).
    pub command: String,
}

/// Classify `status` of stack `stack` in `region`.
pub fn classify(status: Option<&str>, stack: &str, region: &str) -> StackState {
    let Some(status) = status else { return StackState::Missing };
    let cli = |verb: &str, extra: &str| {
        format!("aws cloudformation {verb} --stack-name {stack} --region {region}{extra}")
    };
    let blocked = |explanation: String, command: String| {
        StackState::Blocked(Blocked { status: status.to_string(), explanation, command })
    };
    match status {
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE" | "IMPORT_COMPLETE"
        | "IMPORT_ROLLBACK_COMPLETE" => StackState::Stable,
        "REVIEW_IN_PROGRESS" => StackState::NeverExecuted,
        "ROLLBACK_COMPLETE" => blocked(
            format!("The first deploy of {stack} failed and CloudFormation rolled it back. A stack in ROLLBACK_COMPLETE cannot be updated, only deleted; it holds no resources except those with DeletionPolicy Retain, which stay. Delete it, then deploy again."),
            format!("{}\n  {}", cli("delete-stack", ""), cli("wait stack-delete-complete", "")),
        ),
        "UPDATE_ROLLBACK_FAILED" => blocked(
            format!("An update of {stack} failed and so did the rollback: some resource could not go back to its previous state (often deleted or changed outside CloudFormation). Fix that resource if you can, then continue the rollback; resources that cannot be fixed can be skipped with --resources-to-skip LOGICAL_ID (CloudFormation then considers them rolled back, and you reconcile them by hand)."),
            cli("continue-update-rollback", " [--resources-to-skip LOGICAL_ID ...]"),
        ),
        "ROLLBACK_FAILED" => blocked(
            format!("The first deploy of {stack} failed and its rollback failed too. Delete the stack, keeping the resources that could not be deleted, then deploy again."),
            cli("delete-stack", " --retain-resources LOGICAL_ID ..."),
        ),
        "DELETE_FAILED" => blocked(
            format!("Deleting {stack} failed part-way. Finish the delete (retaining what cannot be deleted), then deploy again."),
            cli("delete-stack", " [--retain-resources LOGICAL_ID ...]"),
        ),
        "CREATE_FAILED" | "UPDATE_FAILED" | "IMPORT_ROLLBACK_FAILED" => blocked(
            format!("{stack} is in {status}: a deploy failed with rollback disabled. Roll it back to its last stable state, then deploy again."),
            cli("rollback-stack", ""),
        ),
        s if s.ends_with("_IN_PROGRESS") => blocked(
            format!("{stack} is busy ({s}): another deploy, rollback or delete is running. Wait for it to finish, then run mdl again; nothing was changed."),
            format!("{}\n  (or watch: {})", cli("wait stack-update-complete", ""), cli("describe-stack-events", " --max-items 20")),
        ),
        other => blocked(
            format!("{stack} is in an unexpected status {other}; mdl does not touch it."),
            cli("describe-stacks", ""),
        ),
    }
}

/// Whether a stack in `status` has finished whatever it was doing.
pub fn is_settled(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

/// Whether `status` is the successful end of an executed change set.
pub fn is_success(status: &str) -> bool {
    matches!(status, "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE")
}

/// Whether a resource or stack event status reports a failure.
pub fn is_failure_event(status: &str) -> bool {
    status.ends_with("_FAILED")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked(status: &str) -> Blocked {
        match classify(Some(status), "shop-dev-core", "us-east-1") {
            StackState::Blocked(b) => b,
            other => panic!("{status} should block, got {other:?}"),
        }
    }

    #[test]
    fn stable_and_missing_stacks_can_be_deployed() {
        assert_eq!(classify(None, "s", "r"), StackState::Missing);
        for status in ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"] {
            assert_eq!(classify(Some(status), "s", "r"), StackState::Stable, "{status}");
        }
        assert_eq!(classify(Some("REVIEW_IN_PROGRESS"), "s", "r"), StackState::NeverExecuted);
    }

    #[test]
    fn rollback_complete_must_be_deleted() {
        let b = blocked("ROLLBACK_COMPLETE");
        assert!(b.explanation.contains("cannot be updated, only deleted"));
        assert!(b
            .command
            .starts_with("aws cloudformation delete-stack --stack-name shop-dev-core --region us-east-1"));
    }

    #[test]
    fn update_rollback_failed_explains_resources_to_skip() {
        let b = blocked("UPDATE_ROLLBACK_FAILED");
        assert!(b.explanation.contains("--resources-to-skip"));
        assert!(b.command.contains("continue-update-rollback"));
    }

    #[test]
    fn busy_stacks_say_how_to_wait_or_watch() {
        for status in
            ["UPDATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "DELETE_IN_PROGRESS"]
        {
            let b = blocked(status);
            assert!(b.explanation.contains("busy"), "{status}");
            assert!(b.command.contains("describe-stack-events"), "{status}");
        }
        assert!(!is_settled("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
        assert!(is_settled("UPDATE_ROLLBACK_COMPLETE"));
    }

    #[test]
    fn an_unknown_status_is_blocked_not_guessed() {
        assert!(blocked("SOMETHING_NEW").explanation.contains("unexpected status"));
    }
}
