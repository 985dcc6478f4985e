//! `mdl import`: adopt live resources into a layer's stack through a
//! resource-import change set (`ChangeSetType` IMPORT, `ResourcesToImport`).
//!
//! Input: the environment and `LOGICAL=IDENTIFIER` pairs naming resources of
//! the spec and the live resources they are. Output: an [`ImportResult`] and
//! the diagnostics (E0652 for what cannot be imported). Invariants: every
//! refusal comes before any write; the import change set holds the deployed
//! template (or, for a stack not deployed yet, nothing) plus exactly the
//! imported resources, as CloudFormation requires: no other change rides
//! along, and `mdl deploy` brings the rest of the layer in line afterwards;
//! which types can be imported, and by which identifier properties, is asked
//! of CloudFormation itself (`GetTemplateSummary`), not kept in a list.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::api::{
    Caller, ChangeSetKind, ChangeSetRequest, CloudFormationApi, ExecuteOptions, ResourceToImport,
    TemplateStore,
};
use super::diagnose;
use super::execute::recovery;
use super::input::{EnvironmentInput, LayerInput};
use super::run::{check_identity, report_stop};
use super::status::{classify, is_success, StackState};
use super::{Engine, Stop};
use crate::diag::Diagnostic;

/// What the command line asked to import.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    pub yes: bool,
    /// `(logical id, identifier)`: `megadolls/web`, or `Key=v,Key2=w` for
    /// types identified by several properties.
    pub resources: Vec<(String, String)>,
}

/// How the import ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Imported,
    Refused,
    Declined,
    Failed,
    Interrupted,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportResult {
    pub layer: Option<String>,
    pub stack_name: Option<String>,
    pub status: Option<ImportStatus>,
    pub resources: Vec<ResourceToImport>,
    pub diagnostics: Vec<Diagnostic>,
    pub usage: Option<String>,
    pub caller: Option<Caller>,
}

/// Split `LOGICAL=IDENTIFIER`.
pub fn parse_resource(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((id, value)) if !id.is_empty() && !value.is_empty() => Ok((id.to_string(), value.to_string())),
        _ => Err(format!(
            "`--resource {text}`: write LOGICAL_ID=IDENTIFIER (e.g. ImagesRepository=megadolls/web)"
        )),
    }
}

/// Import the resources `request` names.
pub async fn import<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    environment: &EnvironmentInput,
    request: &ImportRequest,
) -> ImportResult {
    let mut result = ImportResult::default();
    match layer_of(environment, request) {
        Err(usage) => result.usage = Some(usage),
        Ok(input) => {
            result.layer = Some(input.layer.clone());
            result.stack_name = Some(input.stack_name.clone());
            let status = if !retained(engine, input, request) {
                ImportStatus::Refused
            } else if !check_identity(engine, environment).await {
                ImportStatus::Failed
            } else {
                match run(engine, input, request, &mut result.resources).await {
                    Ok(status) => status,
                    Err(Stop::Interrupted) => {
                        let notes = vec!["nothing more was started".to_string()];
                        let help = "run the same `mdl import` again once the stack has settled".to_string();
                        engine.report(diagnose::interrupted(environment.span, notes, help));
                        ImportStatus::Interrupted
                    }
                    Err(stop) => {
                        report_stop(engine, environment, stop);
                        ImportStatus::Failed
                    }
                }
            };
            result.status = Some(status);
        }
    }
    result.caller = engine.caller.clone();
    result.diagnostics = std::mem::take(&mut engine.diagnostics);
    result
}

/// The one layer every named resource belongs to.
fn layer_of<'i>(
    environment: &'i EnvironmentInput,
    request: &ImportRequest,
) -> Result<&'i LayerInput, String> {
    if request.resources.is_empty() {
        return Err("name at least one resource: --resource LOGICAL_ID=IDENTIFIER".into());
    }
    let mut layers = BTreeSet::new();
    for (id, _) in &request.resources {
        let owner =
            environment.layers.iter().find(|l| l.template.pointer(&format!("/Resources/{id}")).is_some());
        match owner {
            Some(layer) => layers.insert(layer.layer.as_str()),
            None => {
                return Err(format!(
                    "no layer of the spec has a resource `{id}` (logical ids are as `mdl build` writes them)"
                ))
            }
        };
    }
    if layers.len() > 1 {
        let names: Vec<&str> = layers.into_iter().collect();
        return Err(format!(
            "the resources belong to layers {}: import into one layer at a time",
            names.join(", ")
        ));
    }
    let name = layers.into_iter().next().unwrap_or_default();
    let layer =
        environment.layers.iter().find(|l| l.layer == name).ok_or_else(|| format!("no layer `{name}`"))?;
    if layer.fan_out.is_some() {
        return Err(format!(
            "layer `{name}` is fanned out as a StackSet (`stack_sets`): CloudFormation imports resources into stacks, not into StackSets"
        ));
    }
    Ok(layer)
}

/// CloudFormation imports only resources that say what happens on delete;
/// mdl asks for Retain, so a resource made outside the stack outlives it.
fn retained<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    request: &ImportRequest,
) -> bool {
    let mut ok = true;
    for (id, _) in &request.resources {
        let policy =
            input.template.pointer(&format!("/Resources/{id}/DeletionPolicy")).and_then(Json::as_str);
        if !matches!(policy, Some("Retain")) {
            let span = input.spans.get(id).copied().unwrap_or(input.span);
            engine.report(diagnose::import_refused(
                span,
                id,
                "it has no `DeletionPolicy = \"Retain\"`",
                "CloudFormation imports only resources with a DeletionPolicy, and mdl asks for Retain so that a resource made outside the stack outlives it: add `with { DeletionPolicy = \"Retain\", UpdateReplacePolicy = \"Retain\" }`",
            ));
            ok = false;
        }
    }
    ok
}

async fn run<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    request: &ImportRequest,
    imported: &mut Vec<ResourceToImport>,
) -> Result<ImportStatus, Stop> {
    let Some(base) = deployed(engine, input).await? else { return Ok(ImportStatus::Refused) };
    let ids: Vec<&str> = request.resources.iter().map(|(id, _)| id.as_str()).collect();
    let Some(template) = import_template(engine, input, &base, &ids) else {
        return Ok(ImportStatus::Refused);
    };
    let Some(change) = change_set(engine, input, request, template).await? else {
        return Ok(ImportStatus::Refused);
    };
    imported.clone_from(&change.resources_to_import);
    let stack = &input.stack_name;
    engine.before_write()?;
    let created = engine.api.create_change_set(&change).await;
    created.map_err(|e| engine.api_stop(e, "creating the import change set"))?;
    let pages = engine.wait_for_change_set(stack, &change.change_set_name).await?;
    let first = pages.first().cloned().unwrap_or_default();
    if first.status == "FAILED" {
        let reason = first.status_reason.unwrap_or_default();
        engine.report(diagnose::change_set_failed(input, &reason));
        let _ = engine.api.delete_change_set(stack, &change.change_set_name).await;
        return Ok(ImportStatus::Failed);
    }
    execute(engine, input, &change, request.yes).await
}

/// The deployed template (`Null` for a stack not deployed yet); `None` when
/// the stack is in a state that needs a hand (reported).
async fn deployed<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
) -> Result<Option<Json>, Stop> {
    let stack = &input.stack_name;
    let info = engine.read(engine.api.describe_stack(stack), "reading the stack").await?;
    let region = engine.options.target.region.clone();
    match classify(info.as_ref().map(|i| i.status.as_str()), stack, &region) {
        StackState::Stable => {
            let body = engine.read(engine.api.get_template(stack), "reading the deployed template").await?;
            Ok(Some(serde_json::from_str(&body).unwrap_or(Json::Null)))
        }
        StackState::Missing | StackState::NeverExecuted => Ok(Some(Json::Null)),
        StackState::Blocked(blocked) => {
            engine.report(diagnose::blocked(input, &blocked));
            Ok(None)
        }
    }
}

/// The import change set for `template`, each resource with its identifier;
/// `None` when one cannot be imported (reported).
async fn change_set<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    request: &ImportRequest,
    template: Json,
) -> Result<Option<ChangeSetRequest>, Stop> {
    let mut change = input.clone();
    change.body = serde_json::to_string(&template).unwrap_or_default();
    change.template = template;
    let name = engine.change_set_name(&input.layer);
    let source = engine.template_source(&change, &name).await?;
    let doing = "reading which resources CloudFormation can import";
    let summaries = engine.read(engine.api.resource_identifiers(&source), doing).await?;
    let Some(resources) = identifiers(engine, input, request, &summaries) else { return Ok(None) };
    let declared = change.template.get("Parameters").and_then(Json::as_object);
    let parameters = input.parameters.iter().filter(|(k, _)| declared.is_some_and(|d| d.contains_key(*k)));
    Ok(Some(ChangeSetRequest {
        stack_name: input.stack_name.clone(),
        change_set_name: name,
        kind: ChangeSetKind::Import,
        template: source,
        parameters: parameters.map(|(k, v)| (k.clone(), v.clone())).collect(),
        tags: input.tags.clone(),
        description: format!("mdl import into layer {}", input.layer),
        role_arn: engine.options.service_role.clone(),
        resources_to_import: resources,
    }))
}

/// Show, ask, execute and follow the import change set.
async fn execute<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    request: &ChangeSetRequest,
    yes: bool,
) -> Result<ImportStatus, Stop> {
    let stack = &input.stack_name;
    let mut lines = vec![format!("import into {stack} (layer {}):", input.layer)];
    for resource in &request.resources_to_import {
        let ids: Vec<String> = resource.resource_identifier.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let at =
            input.sources.get(&resource.logical_resource_id).map(|s| format!("  {s}")).unwrap_or_default();
        lines.push(format!(
            "  Import  {}  {}  {}{at}",
            resource.logical_resource_id,
            resource.resource_type,
            ids.join(",")
        ));
    }
    engine.ui.say(&lines.join("\n"));
    let question = format!("Import these resources into {stack} ({})?", engine.where_to());
    if !yes && !engine.ask(&question)? {
        let _ = engine.api.delete_change_set(stack, &request.change_set_name).await;
        return Ok(ImportStatus::Declined);
    }
    let seen = engine.read(engine.api.describe_stack_events(stack), "reading stack events").await?;
    let seen = seen.into_iter().map(|e| e.event_id).collect();
    let token = request.change_set_name.clone();
    let options = ExecuteOptions { disable_rollback: false, client_request_token: token.clone() };
    engine.before_write()?;
    engine
        .api
        .execute_change_set(stack, &request.change_set_name, &options)
        .await
        .map_err(|e| engine.api_stop(e, "executing the import change set"))?;
    let (status, failures) = engine.follow(&input.layer, stack, seen, &token).await?;
    if is_success(&status) {
        return Ok(ImportStatus::Imported);
    }
    let region = engine.options.target.region.clone();
    engine.report(diagnose::deploy_failed(input, &status, &failures, &recovery(stack, &status, &region)));
    Ok(ImportStatus::Failed)
}

/// The deployed template plus the imported resources (and the parameters
/// they read); `None` when one reads a resource neither deployed nor imported.
fn import_template<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    base: &Json,
    ids: &[&str],
) -> Option<Json> {
    let mut template = match base {
        Json::Object(map) => map.clone(),
        _ => Map::from_iter([("AWSTemplateFormatVersion".to_string(), Json::from("2010-09-09"))]),
    };
    let parameters: BTreeSet<String> = input.parameters.keys().cloned().collect();
    let deployed: BTreeSet<String> = template
        .get("Resources")
        .and_then(Json::as_object)
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default();
    let mut ok = true;
    let mut resources = template.get("Resources").and_then(Json::as_object).cloned().unwrap_or_default();
    let mut wanted_parameters = Map::new();
    for id in ids {
        let span = input.spans.get(*id).copied().unwrap_or(input.span);
        if deployed.contains(*id) {
            engine.report(diagnose::import_refused(
                span,
                id,
                &format!("{} already manages it", input.stack_name),
                "it is deployed already: there is nothing to import",
            ));
            ok = false;
            continue;
        }
        let body = input.template.pointer(&format!("/Resources/{id}")).cloned().unwrap_or(Json::Null);
        for target in references(&body) {
            if parameters.contains(&target) {
                let declared = input.template.pointer(&format!("/Parameters/{target}")).cloned();
                wanted_parameters.extend(declared.map(|d| (target.clone(), d)));
            } else if !deployed.contains(&target)
                && !ids.contains(&target.as_str())
                && !target.starts_with("AWS::")
            {
                let why = format!("it reads {target}, which is neither deployed nor imported with it");
                let help =
                    format!("import {target} in the same command, or deploy the layer without {id} first");
                engine.report(diagnose::import_refused(span, id, &why, &help));
                ok = false;
            }
        }
        resources.insert(id.to_string(), body);
    }
    if !wanted_parameters.is_empty() {
        let mut all = template.get("Parameters").and_then(Json::as_object).cloned().unwrap_or_default();
        all.extend(wanted_parameters);
        template.insert("Parameters".into(), Json::Object(all));
    }
    template.insert("Resources".into(), Json::Object(resources));
    ok.then_some(Json::Object(template))
}

/// The logical ids and parameters a resource reads (`Ref`, `Fn::GetAtt`, `Fn::Sub`).
pub fn references(value: &Json) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    collect(value, &mut found);
    found
}

fn collect(value: &Json, found: &mut BTreeSet<String>) {
    match value {
        Json::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("Ref", Json::String(id)) => {
                        found.insert(id.clone());
                    }
                    ("Fn::GetAtt", Json::Array(parts)) => {
                        found.extend(parts.first().and_then(Json::as_str).map(str::to_string));
                    }
                    ("Fn::GetAtt", Json::String(dotted)) => {
                        found.extend(dotted.split('.').next().map(str::to_string));
                    }
                    ("Fn::Sub", Json::String(text)) => sub_names(text, found),
                    ("Fn::Sub", Json::Array(parts)) => {
                        if let Some(text) = parts.first().and_then(Json::as_str) {
                            let vars: BTreeSet<&str> = parts
                                .get(1)
                                .and_then(Json::as_object)
                                .map(|m| m.keys().map(String::as_str).collect())
                                .unwrap_or_default();
                            let mut names = BTreeSet::new();
                            sub_names(text, &mut names);
                            found.extend(names.into_iter().filter(|n| !vars.contains(n.as_str())));
                        }
                        parts.iter().skip(1).for_each(|p| collect(p, found));
                    }
                    _ => collect(inner, found),
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|i| collect(i, found)),
        _ => {}
    }
}

/// `${Name}` and `${Name.Attr}` in a `Fn::Sub` text (`${!Literal}` is not a reference).
fn sub_names(text: &str, found: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        let name = &rest[..end];
        if !name.starts_with('!') {
            found.extend(name.split('.').next().map(str::to_string));
        }
        rest = &rest[end + 1..];
    }
}

/// Each resource's identifier, by the properties CloudFormation names for
/// its type; `None` when one cannot be imported (reported).
fn identifiers<A: CloudFormationApi, S: TemplateStore>(
    engine: &mut Engine<'_, A, S>,
    input: &LayerInput,
    request: &ImportRequest,
    summaries: &[super::api::ResourceIdentifierSummary],
) -> Option<Vec<ResourceToImport>> {
    let mut resources = Vec::new();
    for (id, value) in &request.resources {
        let span = input.spans.get(id).copied().unwrap_or(input.span);
        let resource_type = input
            .template
            .pointer(&format!("/Resources/{id}/Type"))
            .and_then(Json::as_str)
            .unwrap_or_default();
        let Some(summary) = summaries.iter().find(|s| s.logical_resource_ids.contains(id)) else {
            let why = format!("CloudFormation cannot import {resource_type} (it names no identifier for it)");
            engine.report(diagnose::import_refused(span, id, &why, "create it through the stack instead, or leave it outside (read its name or ARN as a setting)"));
            return None;
        };
        match identifier(value, &summary.resource_identifiers) {
            Ok(identifier) => resources.push(ResourceToImport {
                resource_type: resource_type.to_string(),
                logical_resource_id: id.clone(),
                resource_identifier: identifier,
            }),
            Err(why) => {
                let help =
                    format!("give {} as `{id}=Key=value,...`", summary.resource_identifiers.join(" and "));
                engine.report(diagnose::import_refused(span, id, &why, &help));
                return None;
            }
        }
    }
    Some(resources)
}

/// `value` as identifier properties: a bare value for a type with one,
/// `Key=v,Key2=w` naming each of several.
pub fn identifier(value: &str, properties: &[String]) -> Result<BTreeMap<String, String>, String> {
    let pairs: Option<BTreeMap<String, String>> = value
        .split(',')
        .map(|part| part.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect();
    match (pairs, properties) {
        (Some(pairs), _)
            if pairs.keys().all(|k| properties.contains(k)) && pairs.len() == properties.len() =>
        {
            Ok(pairs)
        }
        (_, [only]) => Ok(BTreeMap::from([(only.clone(), value.to_string())])),
        _ => Err(format!(
            "its type is identified by {}, and `{value}` does not name each",
            properties.join(" and ")
        )),
    }
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
