//! `deploy --concurrency N` over the fake API: shown by the order of calls
//! (a layer starts before another ends), never by timing.

use super::*;
use crate::deploy::errors::ApiError;
use crate::deploy::fake::FakeCloudFormation;
use crate::deploy::fake::RecordingUi;
use crate::deploy::report::LayerStatus;
use crate::deploy::run::tests::{go, input, options, statuses, template};
use crate::deploy::Mode;

/// a and b read nothing; c reads a; d reads nothing.
fn layers() -> Vec<LayerInput> {
    vec![
        input("a", &[], template("a")),
        input("b", &[], template("b")),
        input("c", &["a"], template("c")),
        input("d", &[], template("d")),
    ]
}

/// Each stack stays in progress for three polls after its change set runs.
fn slow_account() -> FakeCloudFormation {
    let api = FakeCloudFormation::default();
    for stack in ["shop-dev-a", "shop-dev-b", "shop-dev-c", "shop-dev-d"] {
        api.busy_after_execute.borrow_mut().insert(stack.into(), 3);
    }
    api
}

fn position(calls: &[String], call: &str) -> usize {
    calls.iter().position(|c| c == call).unwrap_or_else(|| panic!("no `{call}` in {calls:?}"))
}

fn last_position(calls: &[String], call: &str) -> usize {
    calls.iter().rposition(|c| c == call).unwrap_or_else(|| panic!("no `{call}` in {calls:?}"))
}

fn deploy(api: &FakeCloudFormation, concurrency: usize) -> RunResult {
    let mut opts = options(Mode::Deploy { yes: true });
    opts.concurrency = concurrency;
    let mut ui = RecordingUi::default();
    go(api, &mut ui, &opts, &layers())
}

#[test]
fn independent_layers_run_at_once_and_a_reader_waits_for_what_it_reads() {
    let api = slow_account();
    let result = deploy(&api, 2);
    assert!(result.succeeded(), "{:?}", result.diagnostics);
    assert_eq!(statuses(&result), [LayerStatus::Created; 4], "reports stay in deploy order");
    let names: Vec<&str> = result.layers.iter().map(|l| l.layer.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    let calls = api.calls();
    let a_ends = last_position(&calls, "DescribeStacks shop-dev-a");
    assert!(position(&calls, "ExecuteChangeSet shop-dev-b") < a_ends, "b starts before a ends: {calls:?}");
    assert!(
        position(&calls, "DescribeStacks shop-dev-c") > a_ends,
        "c reads a: it starts once a is done: {calls:?}"
    );
}

#[test]
fn with_concurrency_one_each_layer_ends_before_the_next_starts() {
    let api = slow_account();
    let result = deploy(&api, 1);
    assert!(result.succeeded());
    let calls = api.calls();
    assert!(
        position(&calls, "DescribeStacks shop-dev-b") > last_position(&calls, "DescribeStacks shop-dev-a")
    );
}

#[test]
fn a_failure_starts_nothing_new_and_lets_the_running_layer_finish() {
    let api = slow_account();
    api.failures.borrow_mut().insert(
        "CreateChangeSet shop-dev-a".into(),
        ApiError::service("ValidationError", "Template format error: Unresolved resource dependencies"),
    );
    let result = deploy(&api, 2);
    assert_eq!(
        statuses(&result),
        [LayerStatus::Failed, LayerStatus::Created, LayerStatus::NotRun, LayerStatus::NotRun],
        "b was running and finished; c reads a; d would have started later"
    );
    assert!(!api.calls().iter().any(|c| c.ends_with("shop-dev-d") || c.ends_with("shop-dev-c")));
}
