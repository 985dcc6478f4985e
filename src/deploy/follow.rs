//! Values that reach later layers through SSM: a layer's published value that
//! changes in this plan changes every later layer that reads it, once the
//! publishing layer is deployed — a change set made now cannot show that
//! (CloudFormation resolves SSM-typed parameters when it makes one).
//!
//! Input: each layer's planned changes and templates. Output: for each later
//! layer, the [`InputChange`]s: which layer, which SSM parameters, which of its
//! resources read them. Invariant: only the templates are read, never an SSM
//! value; a layer that changes through its inputs passes the change on to the
//! values it publishes from them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::input::LayerInput;
use super::report::{InputChange, LayerReport};

/// SSM parameter → the layer whose deploy changes it.
pub type Changed = BTreeMap<String, String>;

/// Record the SSM parameters `report`'s layer changes: its published values
/// that are added, modified or removed, and those it publishes from inputs
/// that change themselves.
pub fn record(changed: &mut Changed, input: &LayerInput, report: &LayerReport) {
    let touched = report.changes.iter().filter_map(|c| input.publishes.get(&c.logical_id));
    let mut found: BTreeSet<String> = touched.cloned().collect();
    let changing_parameters: BTreeSet<&str> = input
        .parameters
        .iter()
        .filter(|(_, ssm)| report.inputs_change.iter().any(|c| c.parameters.contains(ssm)))
        .map(|(name, _)| name.as_str())
        .collect();
    for (id, ssm) in &input.publishes {
        let reads = super::changes::resource(Some(&input.template), id)
            .is_some_and(|body| refers_to_any(body, &changing_parameters));
        if reads {
            found.insert(ssm.clone());
        }
    }
    for ssm in found {
        changed.entry(ssm).or_insert_with(|| input.layer.clone());
    }
}

/// What changes reach `input` from earlier layers, one entry per publishing layer.
pub fn inputs_change(input: &LayerInput, changed: &Changed) -> Vec<InputChange> {
    let mut by_layer: BTreeMap<&str, InputChange> = BTreeMap::new();
    for (parameter, ssm) in &input.parameters {
        let Some(layer) = changed.get(ssm) else { continue };
        let entry = by_layer.entry(layer).or_insert_with(|| InputChange {
            layer: layer.clone(),
            parameters: Vec::new(),
            readers: Vec::new(),
        });
        entry.parameters.push(ssm.clone());
        let names = BTreeSet::from([parameter.as_str()]);
        for (id, body) in input.template.get("Resources").and_then(Json::as_object).into_iter().flatten() {
            if refers_to_any(body, &names) && !entry.readers.contains(id) {
                entry.readers.push(id.clone());
            }
        }
    }
    let mut changes: Vec<InputChange> = by_layer.into_values().collect();
    for change in &mut changes {
        change.readers.sort();
    }
    changes
}

/// Whether `json` refers to one of `names`: `{"Ref": name}` or `${name}` in an `Fn::Sub`.
fn refers_to_any(json: &Json, names: &BTreeSet<&str>) -> bool {
    match json {
        Json::Object(object) => object.iter().any(|(key, value)| match (key.as_str(), value) {
            ("Ref", Json::String(name)) => names.contains(name.as_str()),
            ("Fn::Sub", Json::String(text)) => sub_refers(text, names),
            ("Fn::Sub", Json::Array(parts)) => {
                parts.first().and_then(Json::as_str).is_some_and(|t| sub_refers(t, names))
                    || parts.iter().skip(1).any(|p| refers_to_any(p, names))
            }
            _ => refers_to_any(value, names),
        }),
        Json::Array(items) => items.iter().any(|i| refers_to_any(i, names)),
        _ => false,
    }
}

fn sub_refers(text: &str, names: &BTreeSet<&str>) -> bool {
    names.iter().any(|n| text.contains(&format!("${{{n}}}")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::deploy::report::PlannedChange;

    fn layer(
        name: &str,
        template: Json,
        parameters: &[(&str, &str)],
        publishes: &[(&str, &str)],
    ) -> LayerInput {
        LayerInput {
            layer: name.into(),
            template,
            parameters: parameters.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            publishes: publishes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..LayerInput::default()
        }
    }

    fn modified(id: &str) -> PlannedChange {
        let change = crate::deploy::api::ResourceChange {
            action: "Modify".into(),
            logical_resource_id: id.into(),
            ..Default::default()
        };
        PlannedChange::new(&change, None, None)
    }

    #[test]
    fn a_changed_published_value_reaches_the_resources_that_read_it_two_layers_on() {
        let core = layer("core", json!({"Resources": {}}), &[], &[("PublishedVpcId", "/shop/vpc_id")]);
        let app = layer(
            "app",
            json!({"Resources": {
                "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": {"Ref": "CoreVpcId"}}},
                "Topic": {"Type": "AWS::SNS::Topic"},
                "PublishedSgVpc": {"Type": "AWS::SSM::Parameter", "Properties": {"Value": {"Fn::Sub": "${CoreVpcId}/sg"}}}
            }}),
            &[("CoreVpcId", "/shop/vpc_id")],
            &[("PublishedSgVpc", "/shop/sg_vpc")],
        );
        let ops = layer(
            "ops",
            json!({"Resources": {"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmName": {"Ref": "AppSgVpc"}}}}}),
            &[("AppSgVpc", "/shop/sg_vpc")],
            &[],
        );
        let mut changed = Changed::new();
        let mut core_report = LayerReport::new("core", "shop-dev-core");
        core_report.changes.push(modified("PublishedVpcId"));
        record(&mut changed, &core, &core_report);
        let mut app_report = LayerReport::new("app", "shop-dev-app");
        app_report.inputs_change = inputs_change(&app, &changed);
        assert_eq!(
            app_report.inputs_change,
            [InputChange {
                layer: "core".into(),
                parameters: vec!["/shop/vpc_id".into()],
                readers: vec!["PublishedSgVpc".into(), "Sg".into()]
            }]
        );
        assert_eq!(
            app_report.will_change_note().as_deref(),
            Some("will change once core is deployed: PublishedSgVpc, Sg read /shop/vpc_id")
        );
        record(&mut changed, &app, &app_report);
        let reaching_ops = inputs_change(&ops, &changed);
        assert_eq!(reaching_ops[0].layer, "app");
        assert_eq!(reaching_ops[0].readers, ["Alarm"]);
    }

    #[test]
    fn a_layer_whose_published_values_do_not_change_passes_nothing_on() {
        let core = layer("core", json!({"Resources": {}}), &[], &[("PublishedVpcId", "/shop/vpc_id")]);
        let mut changed = Changed::new();
        let mut report = LayerReport::new("core", "shop-dev-core");
        report.changes.push(modified("Vpc"));
        record(&mut changed, &core, &report);
        assert!(changed.is_empty());
    }
}
