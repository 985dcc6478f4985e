//! The layer and resource dependency graph of one environment, as Graphviz
//! DOT or Mermaid, for people who would rather look than read.
//!
//! Nodes are resources grouped by layer; an edge says "needs": a resource
//! that references another (`Ref`, `Fn::GetAtt`, `DependsOn`), or reads a
//! value another layer published (labelled with the SSM parameter).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::published_logical_id;
use crate::eval::{DeployExpr, LayerModel, Model, Value};

/// An edge `from → to` (both `layer/LogicalId`), with an optional label.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: Option<String>,
}

/// Every edge of the model, sorted.
pub fn edges(model: &Model) -> Vec<Edge> {
    let mut edges = BTreeSet::new();
    for layer in &model.layers {
        for resource in &layer.resources {
            let from = node(&layer.name, &resource.logical_id);
            let mut add = |expr: &DeployExpr, _: &Value| {
                if let Some(edge) = edge_to(model, layer, &from, expr) {
                    edges.insert(edge);
                }
            };
            resource.properties.for_each_deploy(&mut add);
            resource.options.for_each_deploy(&mut add);
        }
        for published in &layer.publishes {
            let from = node(&layer.name, &published_logical_id(&published.name));
            published.value.for_each_deploy(&mut |expr, _| edges.extend(edge_to(model, layer, &from, expr)));
        }
    }
    edges.into_iter().collect()
}

fn edge_to(model: &Model, layer: &LayerModel, from: &str, expr: &DeployExpr) -> Option<Edge> {
    match expr {
        DeployExpr::Ref(id) | DeployExpr::GetAtt(id, _) => {
            Some(Edge { from: from.to_string(), to: node(&layer.name, id), label: None })
        }
        DeployExpr::Ssm(parameter) | DeployExpr::SsmItem { parameter, .. } => {
            let (producer, published) = model
                .layers
                .iter()
                .find_map(|l| l.publishes.iter().find(|p| &p.parameter == parameter).map(|p| (l, p)))?;
            let to = node(&producer.name, &published_logical_id(&published.name));
            Some(Edge { from: from.to_string(), to, label: Some(parameter.clone()) })
        }
        DeployExpr::Pseudo(_) | DeployExpr::Join(_) | DeployExpr::Equals { .. } => None,
    }
}

fn node(layer: &str, logical_id: &str) -> String {
    format!("{layer}/{logical_id}")
}

/// Every node of a layer: its resources and the SSM parameters it publishes.
fn layer_nodes(layer: &LayerModel) -> Vec<(String, String)> {
    let resources = layer.resources.iter().map(|r| (r.logical_id.clone(), r.type_name.clone()));
    let published =
        layer.publishes.iter().map(|p| (published_logical_id(&p.name), format!("SSM {}", p.parameter)));
    resources.chain(published).collect()
}

/// Graphviz DOT: one cluster per layer.
pub fn dot(model: &Model) -> String {
    let mut out = format!(
        "digraph \"{}-{}\" {{\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n",
        model.project, model.environment
    );
    for layer in &model.layers {
        let _ = writeln!(out, "  subgraph \"cluster_{0}\" {{\n    label=\"layer {0}\";", layer.name);
        for (id, type_name) in layer_nodes(layer) {
            let _ = writeln!(out, "    \"{}\" [label=\"{id}\\n{type_name}\"];", node(&layer.name, &id));
        }
        out.push_str("  }\n");
    }
    for edge in edges(model) {
        let label = edge.label.map(|l| format!(" [label=\"{l}\", style=dashed]")).unwrap_or_default();
        let _ = writeln!(out, "  \"{}\" -> \"{}\"{label};", edge.from, edge.to);
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart: one subgraph per layer.
pub fn mermaid(model: &Model) -> String {
    let id = |n: &str| n.replace(['/', '-'], "_");
    let mut out = String::from("flowchart LR\n");
    for layer in &model.layers {
        let _ = writeln!(out, "  subgraph {}[\"layer {}\"]", id(&layer.name), layer.name);
        for (logical_id, type_name) in layer_nodes(layer) {
            let _ = writeln!(
                out,
                "    {}[\"{logical_id}<br/><small>{type_name}</small>\"]",
                id(&node(&layer.name, &logical_id))
            );
        }
        out.push_str("  end\n");
    }
    for edge in edges(model) {
        let arrow = match edge.label {
            Some(label) => format!("-. \"{label}\" .->"),
            None => "-->".to_string(),
        };
        let _ = writeln!(out, "  {} {arrow} {}", id(&edge.from), id(&edge.to));
    }
    out
}

/// Layer → layer edges, each with the SSM parameters the first reads from the
/// second: the deploy order at a glance.
pub fn layer_edges(model: &Model) -> Vec<(String, String, Vec<String>)> {
    model
        .layers
        .iter()
        .flat_map(|layer| {
            layer.depends_on.iter().map(move |producer| {
                let mut parameters: Vec<String> = layer
                    .imports
                    .iter()
                    .filter(|import| &import.layer == producer)
                    .map(|import| import.parameter.clone())
                    .collect();
                parameters.sort();
                parameters.dedup();
                (layer.name.clone(), producer.clone(), parameters)
            })
        })
        .collect()
}

/// Mermaid flowchart of the layers alone, each edge listing the SSM parameters read.
pub fn layers_mermaid(model: &Model) -> String {
    let mut out = String::from("flowchart LR\n");
    for layer in &model.layers {
        let count = layer.resources.len() + layer.publishes.len();
        let _ = writeln!(out, "  {0}[\"layer {0}<br/><small>{count} resources</small>\"]", layer.name);
    }
    for (consumer, producer, parameters) in layer_edges(model) {
        let _ = writeln!(out, "  {consumer} -- \"{}\" --> {producer}", parameters.join("<br/>"));
    }
    out
}

/// Graphviz DOT of the layers alone.
pub fn layers_dot(model: &Model) -> String {
    let mut out = format!(
        "digraph \"{}-{}\" {{\n  rankdir=LR;\n  node [shape=box];\n",
        model.project, model.environment
    );
    for layer in &model.layers {
        let count = layer.resources.len() + layer.publishes.len();
        let _ = writeln!(out, "  \"{0}\" [label=\"layer {0}\\n{count} resources\"];", layer.name);
    }
    for (consumer, producer, parameters) in layer_edges(model) {
        let _ = writeln!(out, "  \"{consumer}\" -> \"{producer}\" [label=\"{}\"];", parameters.join("\\n"));
    }
    out.push_str("}\n");
    out
}
