//! What `mdl build -o DIR` writes: one template per stack and a manifest.

use serde_json::json;

use super::template::Stack;
use crate::eval::Model;

/// The manifest's own file name.
pub const MANIFEST: &str = "manifest.json";

/// `megadolls-dev-core.template.json`
pub fn template_file_name(stack: &Stack) -> String {
    format!("{}.template.json", stack.stack_name)
}

/// The manifest: project, environment, region and the stacks in deploy order
/// (it reads their names, dependencies and parameters, not their templates).
pub fn manifest(model: &Model, stacks: &[Stack]) -> String {
    let stacks: Vec<serde_json::Value> = stacks
        .iter()
        .map(|stack| {
            json!({
                "layer": stack.layer,
                "stack_name": stack.stack_name,
                "template": template_file_name(stack),
                "depends_on": stack.depends_on,
                "parameters": stack.parameters,
            })
        })
        .collect();
    let manifest = json!({
        "project": model.project,
        "environment": model.environment,
        "region": model.region,
        "stacks": stacks,
    });
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    text
}
