//! Layers: their members, resources, SSM publishes and imports, secrets, and
//! the order they deploy in.
//!
//! Input: the layer declarations in scope of the environment. Output: one
//! [`LayerModel`] each, in deploy order. Invariants: a cross-layer reference
//! never evaluates the other layer (it reads SSM at deploy time), so layers are
//! evaluated independently in declaration order and sorted afterwards:
//! topologically, ties broken by declaration order; logical ids are unique per
//! layer (E0211 otherwise).

use foldhash::HashMap;

use super::error::{EvalError, PublishedListProblem};
use super::model::{
    DeployExpr, Imported, LayerModel, Published, ResourceModel, SecretModel, Value, ValueKind,
};
use super::names::item_of;
use super::scope::{binding_source, Body, BodyKind, Ctx, SlotSource, SlotState};
use super::Evaluator;
use crate::check::DeclRef;
use crate::source::Span;
use crate::syntax::ast::{self, ItemKind, MemberKind};

/// What the layer being evaluated has collected so far.
pub(crate) struct LayerState {
    decl: DeclRef,
    resources: Vec<ResourceModel>,
    imports: Vec<Imported>,
    depends_on: Vec<DeclRef>,
    /// Logical id → where its resource was declared (or instantiated).
    ids: HashMap<String, Span>,
}

impl<'a> Evaluator<'a> {
    /// Evaluate every layer and return them in deploy order.
    pub(crate) fn eval_layers(&mut self, layers: &[DeclRef]) -> Vec<LayerModel> {
        let mut slots: Vec<Option<(DeclRef, LayerModel, Vec<DeclRef>)>> = vec![None; layers.len()];
        for position in self.evaluation_order(layers) {
            let Some(&decl) = layers.get(position) else { continue };
            let Some(item) = item_of(self, decl) else { continue };
            let ItemKind::Layer(layer) = &item.kind else { continue };
            let (model, depends_on) = self.eval_layer(decl, layer, item.span);
            for published in &model.publishes {
                let length = match &published.value.kind {
                    ValueKind::List(items) => Some(items.len()),
                    _ => None,
                };
                self.published.insert(published.parameter.clone(), length);
            }
            if let Some(slot) = slots.get_mut(position) {
                *slot = Some((decl, model, depends_on));
            }
        }
        self.deploy_order(slots.into_iter().flatten().collect())
    }

    /// Positions in `layers`, every layer after those the checker saw it
    /// read (a reader of a published list needs its length in this
    /// environment); the checker has refused cycles.
    fn evaluation_order(&self, layers: &[DeclRef]) -> Vec<usize> {
        let index: HashMap<DeclRef, usize> = layers.iter().enumerate().map(|(i, d)| (*d, i)).collect();
        let deps: Vec<Vec<usize>> = layers
            .iter()
            .map(|decl| {
                self.checked.layers.dependencies(*decl).filter_map(|d| index.get(&d).copied()).collect()
            })
            .collect();
        let mut order = topological(&deps);
        order.extend((0..layers.len()).filter(|i| !order.contains(i)).collect::<Vec<_>>());
        order
    }

    fn eval_layer(&mut self, decl: DeclRef, layer: &'a ast::Layer, span: Span) -> (LayerModel, Vec<DeclRef>) {
        self.layer = Some(LayerState {
            decl,
            resources: Vec::new(),
            imports: Vec::new(),
            depends_on: Vec::new(),
            ids: HashMap::default(),
        });
        let body = self.layer_body(decl, layer);
        self.force_all(body);
        let (publishes, secrets) = self.layer_members(layer, decl, body);
        self.pop_body(body);
        let state = self.layer.take();
        let (resources, imports, depends_on) = match state {
            Some(s) => (s.resources, s.imports, s.depends_on),
            None => (Vec::new(), Vec::new(), Vec::new()),
        };
        let name = layer.name.text.clone();
        let model = LayerModel {
            name,
            span,
            name_span: layer.name.span,
            depends_on: Vec::new(),
            resources,
            publishes,
            imports,
            secrets,
        };
        (model, depends_on)
    }

    /// Resources, requires, publishes and secrets of a layer whose bindings are evaluated.
    fn layer_members(
        &mut self,
        layer: &'a ast::Layer,
        decl: DeclRef,
        body: usize,
    ) -> (Vec<Published>, Vec<SecretModel>) {
        let ctx = Ctx::body(decl.module, body);
        let mut publishes = Vec::new();
        let mut secrets = Vec::new();
        for (index, member) in layer.members.iter().enumerate() {
            match &member.kind {
                MemberKind::Resource(resource) => self.add_resource(resource, member.span, &ctx, None),
                MemberKind::Require(require) => self.check_require(require, &ctx, require.condition.span),
                MemberKind::Publish(binding) => {
                    if let Ok(value) = self.force(body, index) {
                        publishes.push(self.published(binding, value, member.span));
                    }
                }
                MemberKind::Secret { name, description } => {
                    secrets.push(self.secret_model(name, description.as_ref(), &ctx, member.span));
                }
                _ => {}
            }
        }
        (publishes, secrets)
    }

    /// The layer's members: bindings pending, resources and secrets known by name.
    fn layer_body(&mut self, decl: DeclRef, layer: &'a ast::Layer) -> usize {
        let mut body = Body::new(BodyKind::Layer(decl), decl.module, "".into(), layer.members.len());
        for (index, member) in layer.members.iter().enumerate() {
            match &member.kind {
                MemberKind::Binding(b)
                | MemberKind::Service(b)
                | MemberKind::Pipeline(b)
                | MemberKind::Publish(b)
                | MemberKind::Output(b) => {
                    body.set(index, &b.name, binding_source(member, &b.value), SlotState::Pending)
                }
                MemberKind::Resource(r) => {
                    let id = super::names::member_logical_id("", &r.name.text);
                    let value = Value::deploy(DeployExpr::Ref(id.into()), r.name.span);
                    body.set(index, &r.name, SlotSource::Fixed, SlotState::Done(value));
                }
                MemberKind::Secret { name, .. } => {
                    let parameter = self.parameter(&name.text);
                    let value = Value::new(ValueKind::Secret { parameter: parameter.into() }, name.span);
                    body.set(index, name, SlotSource::Fixed, SlotState::Done(value));
                }
                // `name: T = value`: a typed binding (the checker refuses a
                // layer param without a value).
                MemberKind::Param(field) => {
                    if let Some(value) = &field.default {
                        body.set(index, &field.name, SlotSource::Expr(value), SlotState::Pending)
                    }
                }
                MemberKind::Require(_) => {}
            }
        }
        self.push_body(body)
    }

    /// The full SSM name of a published value or secret.
    pub(crate) fn parameter(&self, name: &str) -> String {
        format!("{}/{name}", self.params_prefix)
    }

    fn published(&mut self, binding: &'a ast::Binding, value: Value, span: Span) -> Published {
        let text = |v: &Value| matches!(v.kind, ValueKind::String(_) | ValueKind::Deploy(_));
        match &value.kind {
            ValueKind::List(items) if items.iter().all(text) => self.check_string_list(binding, items),
            _ if text(&value) => {}
            other => {
                let message = format!("a published value must be a string, found a {}", other.describe());
                self.report(EvalError::internal(message, binding.value.span));
            }
        }
        Published {
            name: binding.name.text.clone(),
            parameter: self.parameter(&binding.name.text),
            value,
            span,
        }
    }

    /// An SSM `StringList` holds at least one element, and its elements are
    /// separated by commas, so none may contain one.
    fn check_string_list(&mut self, binding: &'a ast::Binding, items: &[Value]) {
        let name = binding.name.text.clone();
        if items.is_empty() {
            let problem = PublishedListProblem::Empty;
            return self.report(EvalError::PublishedList { name, problem, span: binding.value.span });
        }
        let comma = items.iter().find(|v| v.as_str().is_some_and(|s| s.contains(',')));
        if let Some(item) = comma {
            let problem = PublishedListProblem::Comma(item.as_str().unwrap_or_default().to_string());
            let error = EvalError::PublishedList { name, problem, span: item.origin };
            self.report(error);
        }
    }

    fn secret_model(
        &mut self,
        name: &'a ast::Name,
        description: Option<&'a ast::StringLit>,
        ctx: &Ctx,
        span: Span,
    ) -> SecretModel {
        let description = match description.map(|d| self.eval_string(d, ctx)) {
            Some(Ok(value)) => value.as_str().unwrap_or_default().to_string(),
            Some(Err(error)) => {
                self.report(error);
                String::new()
            }
            None => String::new(),
        };
        SecretModel { name: name.text.clone(), parameter: self.parameter(&name.text), description, span }
    }

    /// Record that the current layer reads `name` published by `layer`.
    pub(crate) fn record_import(
        &mut self,
        layer: DeclRef,
        layer_name: &str,
        name: &str,
        parameter: &str,
        list: bool,
        span: Span,
    ) {
        self.record_dependency(layer);
        let Some(state) = self.layer.as_mut() else { return };
        if state.imports.iter().any(|i| i.layer == layer_name && i.name == name) {
            return;
        }
        state.imports.push(Imported {
            layer: layer_name.to_string(),
            name: name.to_string(),
            parameter: parameter.to_string(),
            list,
            span,
        });
    }

    /// Record that the current layer depends on `layer`.
    pub(crate) fn record_dependency(&mut self, layer: DeclRef) {
        if let Some(state) = self.layer.as_mut() {
            if state.decl != layer && !state.depends_on.contains(&layer) {
                state.depends_on.push(layer);
            }
        }
    }

    /// Add a resource to the current layer, refusing a second one with the same logical id.
    pub(crate) fn push_resource(&mut self, resource: ResourceModel) {
        let Some(state) = self.layer.as_mut() else {
            let message = "a resource outside any layer";
            return self.report(EvalError::internal(message, resource.span));
        };
        let here = resource.instance_span.unwrap_or(resource.span);
        if let Some(first) = state.ids.get(&resource.logical_id) {
            let error = EvalError::DuplicateLogicalId {
                id: resource.logical_id.clone(),
                first: *first,
                second: here,
            };
            return self.report(error);
        }
        state.ids.insert(resource.logical_id.clone(), here);
        state.resources.push(resource);
    }

    /// Topological order, ties by declaration order; a cycle is reported (E0206)
    /// and its layers keep declaration order.
    fn deploy_order(&mut self, layers: Vec<(DeclRef, LayerModel, Vec<DeclRef>)>) -> Vec<LayerModel> {
        let index: HashMap<DeclRef, usize> =
            layers.iter().enumerate().map(|(i, (d, _, _))| (*d, i)).collect();
        let deps: Vec<Vec<usize>> = layers
            .iter()
            .map(|(_, _, deps)| deps.iter().filter_map(|d| index.get(d).copied()).collect())
            .collect();
        // Order by what was read and by what the checker saw referenced (a
        // reference in a branch not taken here still orders the layers), so
        // every environment deploys in the one order the checker reports.
        let ordering: Vec<Vec<usize>> = layers
            .iter()
            .zip(&deps)
            .map(|((decl, _, _), read)| {
                let seen = self.checked.layers.dependencies(*decl).filter_map(|d| index.get(&d).copied());
                read.iter().copied().chain(seen).collect()
            })
            .collect();
        let order = topological(&ordering);
        if order.len() < layers.len() {
            self.report_cycle(&layers, &order);
        }
        let mut position = vec![usize::MAX; layers.len()];
        for (pos, &i) in order.iter().enumerate() {
            position[i] = pos;
        }
        let names: Vec<String> = layers.iter().map(|(_, m, _)| m.name.clone()).collect();
        let mut slots: Vec<Option<LayerModel>> = layers.into_iter().map(|(_, m, _)| Some(m)).collect();
        let mut out = Vec::with_capacity(slots.len());
        let remaining = (0..slots.len()).filter(|i| position[*i] == usize::MAX);
        for i in order.iter().copied().chain(remaining.collect::<Vec<_>>()) {
            let Some(mut model) = slots.get_mut(i).and_then(Option::take) else { continue };
            let mut mine: Vec<usize> = deps.get(i).cloned().unwrap_or_default();
            mine.sort_by_key(|d| position.get(*d).copied().unwrap_or(usize::MAX));
            model.depends_on = mine.iter().filter_map(|d| names.get(*d).cloned()).collect();
            out.push(model);
        }
        out
    }

    fn report_cycle(&mut self, layers: &[(DeclRef, LayerModel, Vec<DeclRef>)], order: &[usize]) {
        let stuck: Vec<&LayerModel> =
            layers.iter().enumerate().filter(|(i, _)| !order.contains(i)).map(|(_, (_, m, _))| m).collect();
        let Some(first) = stuck.first() else { return };
        let names: Vec<String> = stuck.iter().map(|m| format!("`{}`", m.name)).collect();
        let message = format!("layers {} depend on each other", names.join(", "));
        let diagnostic =
            crate::diag::Diagnostic::new(crate::diag::Code::LayerCycle, message, first.span, "in a cycle")
                .with_help(
                    "a layer can read only what earlier layers publish; move the shared value into one layer",
                )
                .with_note(format!("while evaluating environment `{}`", self.env_name));
        self.diagnostics.push(diagnostic);
    }
}

/// Kahn's algorithm picking the lowest index among ready nodes: a stable
/// topological order. `deps[i]` are the nodes `i` depends on. Nodes in a cycle are left out.
fn topological(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut waiting: Vec<usize> = vec![0; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, ds) in deps.iter().enumerate() {
        let mut unique = ds.clone();
        unique.sort_unstable();
        unique.dedup();
        waiting[i] = unique.len();
        for d in unique {
            if let Some(list) = dependents.get_mut(d) {
                list.push(i);
            }
        }
    }
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|i| waiting[*i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for &dependent in &dependents[next] {
            waiting[dependent] = waiting[dependent].saturating_sub(1);
            if waiting[dependent] == 0 {
                ready.insert(dependent);
            }
        }
    }
    order
}
