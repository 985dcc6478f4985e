//! Reads by a fanned-out layer ([`super::stack_sets`], E0675): refused where
//! the StackSet reaches a region or account the value was not written in.

use crate::diag::Code;
use crate::{run_pipeline, workspace::Workspace};

/// A spec whose `alerts` layer reads `core.topic` and is fanned out with `set`;
/// `account` is the environment's own setting line (or nothing).
fn spec(set: &str, account: &str) -> String {
    format!(
        r#"project shop {{ environments {{ dev }} }}
environment dev {{
  region = us_east_1
  {account}
  stack_sets = {{ alerts = {set} }}
}}
layer core {{
  resource "AWS::SNS::Topic" ops {{}}
  publish topic = ops.TopicArn
}}
layer alerts {{
  resource "AWS::SNS::Subscription" page {{ TopicArn = core.topic, Protocol = "email", Endpoint = "ops@example.com" }}
}}
"#
    )
}

fn codes(text: &str) -> Vec<Code> {
    run_pipeline(Workspace::from_memory(&[("spec.mdl", text)])).diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn a_read_is_refused_where_the_stack_set_reaches_another_region() {
    let found = codes(&spec("{ regions = [us_east_1, eu_west_1] }", ""));
    assert_eq!(found, [Code::FannedOutLayerReads]);
}

#[test]
fn a_read_is_allowed_in_the_environments_own_region_and_account() {
    assert_eq!(codes(&spec("{ regions = [us_east_1] }", "")), []);
    let pinned = r#"account = "111111111111""#;
    assert_eq!(codes(&spec(r#"{ regions = [us_east_1], accounts = ["111111111111"] }"#, pinned)), []);
    // Without a pinned account, one listed account may be the caller's own.
    assert_eq!(codes(&spec(r#"{ regions = [us_east_1], accounts = ["111111111111"] }"#, "")), []);
}

#[test]
fn a_read_is_refused_where_the_stack_set_reaches_another_account() {
    let pinned = r#"account = "111111111111""#;
    let other = r#"{ regions = [us_east_1], accounts = ["222222222222"] }"#;
    assert_eq!(codes(&spec(other, pinned)), [Code::FannedOutLayerReads]);
    let two = r#"{ regions = [us_east_1], accounts = ["111111111111", "222222222222"] }"#;
    assert_eq!(codes(&spec(two, "")), [Code::FannedOutLayerReads]);
}
