use super::*;

fn change(action: &str, id: &str, ty: &str, replacement: Option<&str>, line: Option<usize>) -> PlannedChange {
    PlannedChange {
        action: action.into(),
        logical_id: id.into(),
        resource_type: ty.into(),
        replacement: replacement.map(Into::into),
        scope: vec![],
        source: line.map(|line| SourceLine { file: "specs/platform.mdl".into(), line }),
        refused: false,
        properties: vec![],
        data: None,
    }
}

fn retention() -> PropertyRow {
    PropertyRow {
        path: "BackupRetentionPeriod".into(),
        before: Some("1".into()),
        after: Some("3".into()),
        recreation: "Never".into(),
        cause: None,
        source: Some(SourceLine { file: "specs/dev.mdl".into(), line: 16 }),
    }
}

fn info() -> RunInfo {
    RunInfo {
        command: "plan",
        project: "shop".into(),
        environment: "dev".into(),
        region: "us-east-1".into(),
        account: Some("123456789012".into()),
    }
}

#[test]
fn the_table_lines_up_and_shows_each_changed_value_with_its_line() {
    let mut db = change("Modify", "CoreDb", "AWS::RDS::DBInstance", Some("False"), Some(61));
    db.properties.push(retention());
    let mut bucket = change("Remove", "Assets", "AWS::S3::Bucket", None, Some(30));
    bucket.refused = true;
    bucket.data = Some(Fate::Retained);
    let table = change_table(&[change("Add", "Alerts", "AWS::SNS::Topic", None, Some(12)), db, bucket]);
    let expected = [
        "  action            logical id  resource type         replacement  spec",
        "  Add               Alerts      AWS::SNS::Topic       -            specs/platform.mdl:12",
        "  Modify            CoreDb      AWS::RDS::DBInstance  False        specs/platform.mdl:61",
        "      BackupRetentionPeriod: 1 → 3  specs/dev.mdl:16",
        "  Remove (refused)  Assets      AWS::S3::Bucket       -            specs/platform.mdl:30",
        "      data: it is retained in the account and orphaned: no stack manages it any more",
    ]
    .join("\n");
    assert_eq!(table, expected);
}

#[test]
fn the_json_plan_has_its_schema_account_totals_and_stable_words() {
    let mut report = LayerReport::new("core", "shop-dev-core");
    report.status = LayerStatus::Update;
    let mut db = change("Modify", "CoreDb", "AWS::RDS::DBInstance", Some("unknown"), None);
    db.properties.push(retention());
    report.changes.push(db);
    let mut later = LayerReport::new("app", "shop-dev-app");
    later.status = LayerStatus::WillChange;
    later.inputs_change.push(InputChange {
        layer: "core".into(),
        parameters: vec!["/shop/db_url".into()],
        readers: vec!["Web".into()],
    });
    let text = to_json(&info(), &[report, later], CallCounts::default(), &[], &[]);
    let value: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(value["schema"], "mdl.plan/2");
    assert_eq!(value["account"], "123456789012");
    assert_eq!(value["totals"]["modify"], 1);
    assert_eq!(value["totals"]["replace"], 1, "an unknown replacement counts as one");
    assert_eq!(value["totals"]["layers_changing_later"], 1);
    assert_eq!(value["layers"][0]["changes"][0]["replacement"], "unknown");
    assert_eq!(value["layers"][0]["changes"][0]["properties"][0]["after"], "3");
    assert_eq!(value["layers"][0]["changes"][0]["properties"][0]["source"]["line"], 16);
    assert_eq!(value["layers"][1]["status"], "will_change");
    assert_eq!(value["layers"][1]["inputs_change"][0]["readers"][0], "Web");
}

#[test]
fn the_markdown_comment_has_a_totals_line_a_table_and_the_values() {
    let mut report = LayerReport::new("core", "shop-dev-core");
    report.status = LayerStatus::Update;
    let mut db = change("Modify", "CoreDb", "AWS::RDS::DBInstance", Some("False"), Some(61));
    db.properties.push(retention());
    report.changes.push(db);
    let text = to_markdown(&info(), &[report]);
    assert!(text.starts_with("### mdl plan: shop dev (account 123456789012, us-east-1)\n"), "{text}");
    assert!(text.contains("**0 to add, 1 to change, 0 to remove**"), "{text}");
    assert!(
        text.contains("| Modify | `CoreDb` | `AWS::RDS::DBInstance` | False | specs/platform.mdl:61 |"),
        "{text}"
    );
    assert!(text.contains("- `CoreDb` BackupRetentionPeriod: 1 → 3"), "{text}");
}

#[test]
fn the_outcome_says_what_was_applied_and_what_was_not() {
    let mut core = LayerReport::new("core", "shop-dev-core");
    core.status = LayerStatus::Created;
    core.applied = true;
    let mut app = LayerReport::new("app", "shop-dev-app");
    app.status = LayerStatus::Declined;
    let ops = LayerReport::new("ops", "shop-dev-ops");
    assert_eq!(
        outcome(&[core, app, ops]),
        ["applied: core (created)", "not applied: app (declined), ops (not run)"]
    );
}
