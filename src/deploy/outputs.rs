//! `mdl outputs` (and the end of every deploy): what is deployed, per layer.
//!
//! Input: the environment and an [`Engine`]. Output: per layer its stack's
//! status and last update, the values it publishes (their SSM names and
//! values, as the stack's `Outputs` hold them), the addresses and names its
//! template outputs (service URLs, repositories), and the secrets it declares
//! (names only: their values are never read). Invariants: reads only, one
//! `DescribeStacks` per layer (a layer fanned out as a StackSet:
//! `DescribeStackSet` and `ListStackInstances`, each instance with its
//! account, region and status); published values come from the stack's own
//! outputs, never from SSM, so what is shown is what the stack wrote.

use serde::Serialize;

use super::api::{CloudFormationApi, StackInfo, TemplateStore};
use super::input::{EnvironmentInput, LayerInput};
use super::run::{check_identity, report_stop};
use super::stack_set::InstanceState;
use super::{Engine, Stop};
use crate::diag::Diagnostic;

/// One layer as deployed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerOutputs {
    pub layer: String,
    pub stack_name: String,
    /// The stack's status; `None` when it is not deployed.
    pub status: Option<String>,
    /// When the stack last changed (ISO 8601).
    pub last_updated: Option<String>,
    pub published: Vec<PublishedValue>,
    /// The template's other outputs: service addresses, repository URIs, names.
    pub addresses: Vec<Address>,
    /// A layer fanned out as a StackSet: each instance's account, region and status.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<InstanceState>,
}

/// A value the layer publishes through SSM, or a secret it declares.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PublishedValue {
    /// The SSM parameter name.
    pub name: String,
    /// The value the stack wrote; `None` for a secret, or a stack deployed
    /// before mdl wrote outputs.
    pub value: Option<String>,
    pub secret: bool,
}

/// One address or name a person wants to read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Address {
    pub key: String,
    pub description: Option<String>,
    pub value: String,
}

/// What `mdl outputs` found.
#[derive(Debug, Default)]
pub struct OutputsResult {
    pub layers: Vec<LayerOutputs>,
    pub diagnostics: Vec<Diagnostic>,
    pub account: Option<String>,
}

/// Read every layer's stack (after checking the account).
pub async fn outputs<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
) -> OutputsResult {
    let mut result = OutputsResult::default();
    if check_identity(engine, environment).await {
        match read_all(engine, environment).await {
            Ok(layers) => result.layers = layers,
            Err(stop) => {
                report_stop(engine, environment, stop);
            }
        }
    }
    result.account = engine.caller.as_ref().map(|c| c.account.clone());
    result.diagnostics = std::mem::take(&mut engine.diagnostics);
    result
}

/// Every layer's outputs, in deploy order (no account check: the caller did it).
pub async fn read_all<A: CloudFormationApi, S: TemplateStore>(
    engine: &Engine<'_, A, S>,
    environment: &EnvironmentInput,
) -> Result<Vec<LayerOutputs>, Stop> {
    let mut layers = Vec::new();
    for input in &environment.layers {
        if input.fan_out.is_some() {
            layers.push(stack_set_outputs(engine, input).await?);
            continue;
        }
        let info = engine.read(engine.api.describe_stack(&input.stack_name), "reading the stack").await?;
        let secrets = environment.secrets.get(&input.layer).map(Vec::as_slice).unwrap_or_default();
        layers.push(layer_outputs(input, info.as_ref(), secrets));
    }
    Ok(layers)
}

/// One layer's outputs from its stack (none when not deployed).
pub fn layer_outputs(input: &LayerInput, info: Option<&StackInfo>, secrets: &[String]) -> LayerOutputs {
    let mut layer = LayerOutputs {
        layer: input.layer.clone(),
        stack_name: input.stack_name.clone(),
        ..LayerOutputs::default()
    };
    let Some(info) = info.filter(|i| i.status != "DELETE_COMPLETE") else { return layer };
    layer.status = Some(info.status.clone());
    layer.last_updated.clone_from(&info.changed_at);
    let value_of =
        |key: &str| info.outputs.iter().find(|o| o.output_key == key).map(|o| o.output_value.clone());
    layer.published = input
        .publishes
        .iter()
        .map(|(id, name)| PublishedValue { name: name.clone(), value: value_of(id), secret: false })
        .collect();
    layer.published.sort_by(|a, b| a.name.cmp(&b.name));
    layer.published.extend(secrets.iter().map(|name| PublishedValue {
        name: name.clone(),
        value: None,
        secret: true,
    }));
    layer.addresses = info
        .outputs
        .iter()
        .filter(|o| !input.publishes.contains_key(&o.output_key))
        .map(|o| Address {
            key: o.output_key.clone(),
            description: o.description.clone(),
            value: o.output_value.clone(),
        })
        .collect();
    layer
}

/// A fanned-out layer: its StackSet's status and every instance (their
/// stacks' outputs live in each instance's own region and are not read).
async fn stack_set_outputs<A: CloudFormationApi, S: TemplateStore>(
    engine: &Engine<'_, A, S>,
    input: &LayerInput,
) -> Result<LayerOutputs, Stop> {
    let name = &input.stack_name;
    let mut layer =
        LayerOutputs { layer: input.layer.clone(), stack_name: name.clone(), ..LayerOutputs::default() };
    let Some(info) = engine.read(engine.api.describe_stack_set(name), "reading the StackSet").await? else {
        return Ok(layer);
    };
    layer.status = Some(format!("StackSet {}", info.status));
    let instances =
        engine.read(engine.api.list_stack_instances(name), "listing the StackSet's instances").await?;
    layer.instances = instances.iter().map(InstanceState::of).collect();
    Ok(layer)
}

/// The outputs as people read them.
pub fn to_text(layers: &[LayerOutputs]) -> String {
    let mut lines = Vec::new();
    for layer in layers {
        let Some(status) = &layer.status else {
            lines.push(format!("{} ({}): not deployed", layer.layer, layer.stack_name));
            continue;
        };
        let when = layer.last_updated.as_deref().map(|t| format!(", last updated {t}")).unwrap_or_default();
        lines.push(format!("{} ({}): {status}{when}", layer.layer, layer.stack_name));
        lines.extend(layer.instances.iter().map(|i| format!("  instance {}", i.describe())));
        for address in &layer.addresses {
            let what = address.description.as_deref().map(|d| format!("  # {d}")).unwrap_or_default();
            lines.push(format!("  {} = {}{what}", address.key, address.value));
        }
        for value in &layer.published {
            let shown = match (&value.value, value.secret) {
                (_, true) => "(secret: value not shown)".to_string(),
                (Some(v), false) => v.clone(),
                (None, false) => "(not in the stack's outputs: deploy once to add them)".to_string(),
            };
            lines.push(format!("  {} = {shown}", value.name));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::deploy::api::StackOutput;
    use crate::deploy::fake::{FakeCloudFormation, NoStore, RecordingUi};
    use crate::deploy::run::tests::{environment, options, three};
    use crate::deploy::Mode;

    fn output(key: &str, value: &str, description: &str) -> StackOutput {
        StackOutput {
            output_key: key.into(),
            output_value: value.into(),
            description: Some(description.into()),
        }
    }

    fn go(api: &FakeCloudFormation, env: &EnvironmentInput) -> OutputsResult {
        let opts = options(Mode::Plan { keep: false });
        let mut ui = RecordingUi::default();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let mut engine = Engine::new(api, Some(&NoStore), &mut ui, &opts);
        runtime.block_on(outputs(&mut engine, env))
    }

    #[test]
    fn each_layer_shows_status_addresses_published_values_and_secret_names_only() {
        let mut inputs = three();
        inputs[1].publishes =
            BTreeMap::from([("PublishedSiteUrl".to_string(), "/shop/app/site_url".to_string())]);
        let mut env = environment(&inputs[..2]);
        env.secrets = BTreeMap::from([("app".to_string(), vec!["/shop/app/api_key".to_string()])]);
        let api = FakeCloudFormation::default().with_stack(
            "shop-dev-app",
            "UPDATE_COMPLETE",
            "{}",
            BTreeMap::new(),
        );
        {
            let mut stacks = api.stacks.borrow_mut();
            let info = &mut stacks.get_mut("shop-dev-app").expect("app").0;
            info.changed_at = Some("2026-12-05T07:00:00Z".into());
            info.outputs = vec![
                output(
                    "PublishedSiteUrl",
                    "https://shop.example.com",
                    "`site_url`, published as /shop/app/site_url",
                ),
                output(
                    "WebBalancerDNSName",
                    "web-123.us-east-1.elb.amazonaws.com",
                    "WebBalancer: the load balancer's DNS name",
                ),
            ];
        }
        let result = go(&api, &env);
        assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
        assert_eq!(result.layers.len(), 2);
        assert_eq!(result.layers[0].status, None);
        let text = to_text(&result.layers);
        assert_eq!(
            text,
            "core (shop-dev-core): not deployed\n\
             app (shop-dev-app): UPDATE_COMPLETE, last updated 2026-12-05T07:00:00Z\n  \
             WebBalancerDNSName = web-123.us-east-1.elb.amazonaws.com  # WebBalancer: the load balancer's DNS name\n  \
             /shop/app/site_url = https://shop.example.com\n  \
             /shop/app/api_key = (secret: value not shown)"
        );
        let calls = api.calls();
        assert_eq!(calls, ["DescribeStacks shop-dev-core", "DescribeStacks shop-dev-app"], "reads only");
    }

    #[test]
    fn a_fanned_out_layer_shows_each_instance_with_its_account_region_and_status() {
        let mut inputs = three();
        inputs[1].fan_out = Some(crate::deploy::input::FanOut::default());
        let env = environment(&inputs[..2]);
        let api = FakeCloudFormation::default()
            .with_stack("shop-dev-core", "UPDATE_COMPLETE", "{}", BTreeMap::new())
            .with_stack_set("shop-dev-app", "{}", "123456789012", &["eu-west-1", "us-east-1"]);
        api.instances.borrow_mut().get_mut("shop-dev-app").expect("app")[1].status = "OUTDATED".into();
        let result = go(&api, &env);
        assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
        assert_eq!(
            to_text(&result.layers),
            "core (shop-dev-core): UPDATE_COMPLETE\n\
             app (shop-dev-app): StackSet ACTIVE\n  \
             instance 123456789012 eu-west-1  CURRENT\n  \
             instance 123456789012 us-east-1  OUTDATED"
        );
        let json = serde_json::to_value(&result.layers[1]).expect("json");
        assert_eq!(json["instances"][1]["region"], "us-east-1");
        assert_eq!(json["instances"][1]["status"], "OUTDATED");
        assert_eq!(
            api.calls(),
            [
                "DescribeStacks shop-dev-core",
                "DescribeStackSet shop-dev-app",
                "ListStackInstances shop-dev-app"
            ]
        );
    }
}
