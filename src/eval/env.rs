//! The environment and the project: what `env` and `project` are in layers.
//!
//! Input: the `environment` declaration being evaluated and the one project in
//! its scope. Output: `env` (a record: `name`, `region`, then every setting as
//! written, defaults after) and `project` (`name` and the project's fields),
//! then the whole [`Model`]. Invariants: settings are conformed to the
//! project's `settings` block, so their ranges are checked (E0401) with the
//! environment file's line as the primary label.

use std::sync::Arc;

use super::error::{EvalError, EvalResult};
use super::model::{
    display_text, Deployment, FieldName, Model, Setting, StackSetModel, Tag, Text, Value, ValueKind, Variant,
};
use super::names::item_of;
use super::scope::Ctx;
use super::Evaluator;
use crate::check::{DeclRef, Def, DEPLOY_SETTINGS};
use crate::source::Span;
use crate::syntax::ast::{self, ItemKind, TypeExprKind};
use crate::workspace::ModuleId;

impl<'a> Evaluator<'a> {
    /// Evaluate the whole program for one environment.
    pub(crate) fn run(&mut self, environment: DeclRef) -> Option<Model> {
        let Some(ItemKind::Environment(env)) = item_of(self, environment).map(|i| &i.kind) else {
            let span = item_of(self, environment).map(|i| i.span).unwrap_or_default();
            self.report(EvalError::internal("not an environment declaration", span));
            return None;
        };
        self.env_name = env.name.text.clone();
        let scope = self.scope_of(environment.module)?;
        let Some(&project_decl) = scope.projects.first() else {
            self.report(EvalError::internal("no project in scope of this environment", env.name.span));
            return None;
        };
        let Some(ItemKind::Project(project)) = item_of(self, project_decl).map(|i| &i.kind) else {
            self.report(EvalError::internal("not a project declaration", env.name.span));
            return None;
        };
        // The environment first: the project's `params` may name it.
        self.eval_environment(env, project, environment, project_decl);
        self.eval_project(project, project_decl, &env.name.text);
        let layers = self.eval_layers(&scope.layers);
        let region = self.env_value.as_ref().and_then(|e| e.field("region")).and_then(display_text);
        Some(Model {
            project: project.name.text.clone(),
            environment: env.name.text.clone(),
            environment_span: env.name.span,
            region: region.unwrap_or_default(),
            params_prefix: self.params_prefix.clone(),
            params_span: self.params_span,
            deployment: deployment(self.env_value.as_ref(), self.project_value.as_ref()),
            layers,
        })
    }

    fn eval_project(&mut self, project: &'a ast::Project, decl: DeclRef, environment: &str) {
        let ctx = Ctx::module(decl.module);
        let mut fields = vec![("name".into(), Value::string(project.name.text.as_str(), project.name.span))];
        for field in &project.fields {
            match self.eval(&field.value, &ctx) {
                Ok(value) => fields.push((self.field_name(&field.name.text), value)),
                Err(error) => self.report(error),
            }
        }
        let params = fields.iter().find(|(k, _)| &**k == "params").map(|(_, v)| v);
        self.params_span = params.map(|v| v.origin);
        self.params_prefix = match params.and_then(Value::as_str) {
            Some(prefix) => prefix.trim_end_matches('/').to_string(),
            // Without `params`, each environment publishes under its own
            // prefix, so environments sharing a region and an account never
            // write the same SSM names.
            None => format!("/{}/{environment}", project.name.text),
        };
        self.project_value = Some(Value::new(ValueKind::Record(fields.into()), project.name.span));
    }

    fn eval_environment(
        &mut self,
        env: &'a ast::Environment,
        project: &'a ast::Project,
        decl: DeclRef,
        project_decl: DeclRef,
    ) {
        let ctx = Ctx::module(decl.module);
        let environment = Text::from(env.name.text.as_str());
        let variant = Variant {
            enum_name: project.name.text.as_str().into(),
            variant: environment.clone(),
            text: Some(environment),
            fields: Default::default(),
        };
        let name = Value::new(ValueKind::Variant(Arc::new(variant)), env.name.span);
        // A failed setting leaves `env` unset: layers that read it then fail quietly.
        let given = match self.eval_record(&env.fields, &ctx) {
            Ok(value) => value,
            Err(error) => return self.report(error),
        };
        let settings = self.conform_fields(given, &project.settings, project_decl.module, env.fields.span);
        let settings = settings.and_then(|fields| {
            self.with_deploy_settings(fields, project, project_decl.module, env.fields.span)
        });
        let settings = match settings {
            Ok(fields) => fields,
            Err(error) => return self.report(error),
        };
        let mut fields = vec![("name".into(), name)];
        fields.extend(settings.into_iter().filter(|(k, _)| &**k != "name"));
        self.env_value = Some(Value::new(ValueKind::Record(fields.into()), env.fields.span));
    }
}

impl<'a> Evaluator<'a> {
    /// The prelude's `DeploySettings` that the project does not redeclare:
    /// conformed when given, their defaults otherwise.
    fn with_deploy_settings(
        &mut self,
        mut fields: Vec<(FieldName, Value)>,
        project: &'a ast::Project,
        module: ModuleId,
        span: Span,
    ) -> EvalResult<Vec<(FieldName, Value)>> {
        let Some(Def::Decl(decl)) = self.checked.lookup(self.workspace, module, None, DEPLOY_SETTINGS) else {
            return Ok(fields);
        };
        let Some(ItemKind::Type(alias)) = item_of(self, decl).map(|i| &i.kind) else { return Ok(fields) };
        let TypeExprKind::Record(decls) = &alias.ty.kind else { return Ok(fields) };
        for field in decls.iter().filter(|d| !project.settings.iter().any(|s| s.name.text == d.name.text)) {
            match fields.iter().position(|(name, _)| **name == *field.name.text) {
                Some(at) => {
                    let value = fields[at].1.clone();
                    fields[at].1 = self.conform(value, &field.ty, decl.module)?;
                }
                None => {
                    let value = self.default_field(field, decl.module, span)?;
                    fields.push((self.field_name(&field.name.text), value));
                }
            }
        }
        Ok(fields)
    }
}

/// The deploy settings of `env`, with the project's `tags` first.
fn deployment(env: Option<&Value>, project: Option<&Value>) -> Deployment {
    let text = |name: &str| {
        let value = env?.field(name)?;
        Some(Setting { value: value.as_str()?.to_string(), span: value.origin })
    };
    let protect = env.and_then(|e| e.field("protect"));
    let mut tags: Vec<Tag> = Vec::new();
    for source in [project, env] {
        let Some(ValueKind::Record(fields)) = source.and_then(|v| v.field("tags")).map(|v| &v.kind) else {
            continue;
        };
        for (key, value) in fields.iter() {
            let Some(text) = value.as_str() else { continue };
            tags.retain(|t| *t.key != **key);
            tags.push(Tag { key: key.to_string(), value: text.to_string(), span: value.origin });
        }
    }
    Deployment {
        account: text("account"),
        protect: matches!(protect.map(|p| &p.kind), Some(ValueKind::Bool(true))),
        protect_span: protect.map(|p| p.origin),
        profile: text("profile"),
        role: text("role"),
        service_role: text("service_role"),
        tags,
        stack_sets: stack_sets(env.and_then(|e| e.field("stack_sets"))),
    }
}

/// The `stack_sets` setting, one entry per layer (the prelude's `StackSet`,
/// conformed: every field is there, with its type).
fn stack_sets(value: Option<&Value>) -> Vec<StackSetModel> {
    let Some(ValueKind::Record(entries)) = value.map(|v| &v.kind) else { return Vec::new() };
    entries.iter().map(|(layer, entry)| stack_set(layer, entry)).collect()
}

fn stack_set(layer: &str, entry: &Value) -> StackSetModel {
    let texts = |name: &str| -> Vec<Setting> {
        let Some(ValueKind::List(items)) = entry.field(name).map(|v| &v.kind) else { return Vec::new() };
        items
            .iter()
            .filter_map(|item| Some(Setting { value: display_text(item)?, span: item.origin }))
            .collect()
    };
    let int = |name: &str, default: i64| match entry.field(name).map(|v| &v.kind) {
        Some(ValueKind::Int(n)) => *n,
        _ => default,
    };
    let administration_role = entry
        .field("administration_role")
        .and_then(|v| Some(Setting { value: v.as_str()?.to_string(), span: v.origin }));
    StackSetModel {
        layer: layer.to_string(),
        span: entry.origin,
        regions: texts("regions"),
        accounts: texts("accounts"),
        max_concurrent: int("max_concurrent", 1),
        failure_tolerance: int("failure_tolerance", 0),
        region_order: texts("region_order"),
        administration_role,
        // The prelude owns the default: a conformed entry always has the field.
        execution_role: entry.field("execution_role").and_then(Value::as_str).unwrap_or_default().to_string(),
    }
}
