//! Evaluation tests: small programs from source to model and diagnostics.
//!
//! `model` checks what a program evaluates to (logical ids, deploy values,
//! SSM wiring, layer order); `constraints` checks the diagnostics evaluation
//! finds (ranges, requires, arithmetic, cycles, recursion) and where they
//! point; `limits` the sizes and steps a spec may not exceed; `perf` guards
//! against quadratic behaviour and deep recursion on a large spec.

mod constraints;
mod limits;
mod model;
mod perf;

pub(super) use super::model::{DeployExpr, Model, Value, ValueKind};
pub(super) use crate::check::{self, scope::item};
pub(super) use crate::diag::{Code, Diagnostic};
pub(super) use crate::syntax::ast::ItemKind;
pub(super) use crate::workspace::Workspace;

/// Evaluate environment `env` of the given files; loading and checking must succeed.
pub(super) fn run(files: &[(&str, &str)], env: &str) -> (Workspace, Option<Model>, Vec<Diagnostic>) {
    let workspace = Workspace::from_memory(files);
    let load_errors: Vec<_> = workspace.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(load_errors.is_empty(), "load errors: {load_errors:#?}");
    let checked = check::check(&workspace);
    let check_errors: Vec<_> = checked.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(check_errors.is_empty(), "check errors: {check_errors:#?}");
    let decl = crate::entry_environments(&workspace, &checked)
        .into_iter()
        .find(|d| matches!(&item(&workspace, *d).kind, ItemKind::Environment(e) if e.name.text == env))
        .unwrap_or_else(|| panic!("no environment `{env}`"));
    let (model, diagnostics) = crate::eval::evaluate(&workspace, &checked, decl);
    (workspace, model, diagnostics)
}

/// One spec file plus an environment file.
pub(super) fn spec(body: &str, env: &str) -> (Workspace, Option<Model>, Vec<Diagnostic>) {
    run(&[("spec/platform.mdl", body), ("spec/env.mdl", env)], "prod")
}

/// The model, failing the test with the diagnostics when there is none.
pub(super) fn model_of(body: &str, env: &str) -> Model {
    let (_, model, diagnostics) = spec(body, env);
    assert!(diagnostics.is_empty(), "unexpected diagnostics: {diagnostics:#?}");
    match model {
        Some(model) => model,
        None => panic!("no model"),
    }
}

pub(super) fn field<'v>(value: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(value, |v, name| match v.field(name) {
        Some(inner) => inner,
        None => panic!("no field `{name}` in {v:#?}"),
    })
}

pub(super) fn json(value: &Value) -> String {
    serde_json::to_string(&value.kind).unwrap_or_default()
}

pub(super) const PROJECT: &str = r#"
project shop {
  environments { dev, prod }
  settings {
    cpu: cpu in 0.25 vcpu..16 vcpu
    tag: string
    approval: bool = false
  }
  params = "/shop/infra"
}
"#;

pub(super) const PROD: &str = r#"
import "./platform.mdl"
environment prod { region = us_east_1, cpu = 1 vcpu, tag = "latest" }
"#;

/// Evaluate without requiring the checker to accept the program: the evaluator's
/// own fallbacks (cycles, recursion) must hold even when it runs regardless.
pub(super) fn spec_unchecked(body: &str, env: &str) -> (Workspace, Option<Model>, Vec<Diagnostic>) {
    let workspace = Workspace::from_memory(&[("spec/platform.mdl", body), ("spec/env.mdl", env)]);
    let checked = check::check(&workspace);
    let decl = crate::entry_environments(&workspace, &checked)
        .into_iter()
        .find(|d| matches!(&item(&workspace, *d).kind, ItemKind::Environment(e) if e.name.text == "prod"))
        .unwrap_or_else(|| panic!("no environment `prod`: {:#?}", workspace.diagnostics));
    let (model, diagnostics) = crate::eval::evaluate(&workspace, &checked, decl);
    (workspace, model, diagnostics)
}

/// The one diagnostic with `code`, failing the test otherwise.
pub(super) fn only(diagnostics: &[Diagnostic], code: Code) -> &Diagnostic {
    let found: Vec<_> = diagnostics.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "expected one {code}, got {diagnostics:#?}");
    found[0]
}

pub(super) const SERVICE: &str = r#"
construct log_group {
  days: int in 1..3653 = 30
  resource "AWS::Logs::LogGroup" group { RetentionInDays = days }
  output name = group.ref
}

construct service {
  cpu: cpu in 0.25 vcpu..16 vcpu
  memory: memory = 2 GB
  port: int in 1..65535 = 80
  logs = log_group { days = 7 }
  resource "AWS::IAM::Role" task_role { RoleName = "task" }
  resource "AWS::ECS::TaskDefinition" task {
    Cpu = units(cpu)
    Memory = units(memory)
    TaskRoleArn = task_role.Arn
    LogGroup = logs.name
    Family = "svc-${port}"
  }
  resource "AWS::RDS::DBInstance" db { Engine = "postgres" }
  output task_arn = task.ref
  output url = "postgres://${db.Endpoint.Address}:${port}/app"
}
"#;

pub(super) const LAYERS: &str = r#"
layer app {
  resource "AWS::ECS::Cluster" cluster {
    Vpc = core.vpc_id
    Again = core.vpc_id
    Key = core.stripe_key
    Region = aws.region
  }
}

layer core {
  resource "AWS::EC2::VPC" vpc { CidrBlock = "10.0.0.0/16" }
  publish vpc_id = vpc.ref
  publish name = "core-${env.name}"
  secret stripe_key = "Stripe API key, set by hand"
}

layer edge {
  resource "AWS::SNS::Topic" topic { Name = core.name }
}
"#;

pub(super) const FARGATE: &str = r#"
construct task {
  cpu: cpu
  memory: memory
  require (cpu == 0.25 vcpu && memory <= 2 GB) || (cpu == 1 vcpu && memory >= 2 GB && memory <= 8 GB)
    else E0403 "Fargate does not offer ${memory} with ${cpu}"
  resource "AWS::ECS::TaskDefinition" definition { Cpu = units(cpu), Memory = units(memory) }
}
"#;

pub(super) const ROLLOUT: &str = r#"
project shop {
  environments { dev, prod }
  settings { rollout: Release, capacity: Provider }
  params = "/shop/infra/"
}
enum Release { at_once, stepwise { step: percent in 1%..99% = 10%, every: duration } }
enum Provider { spot_only = "FARGATE_SPOT", plain = "FARGATE" { base: int in 0..10 = 0 } }
layer app {
  describe = match env.rollout {
    at_once => "all at once",
    stepwise { step, every } => "${step} every ${every}",
  }
  provider = "${env.capacity}"
  base = match env.capacity { Provider.plain { base } => base, spot_only => 0 }
  stage = match env.name { dev => "d", prod => "p" }
  resource "AWS::SSM::Parameter" p { Describe = describe, Provider = provider, Base = base, Stage = stage }
}
"#;
