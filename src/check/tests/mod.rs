//! Tests of the checker: small sources, asserted codes, messages and spans.
//! Each rule has a failing case and a passing one; the helpers live here.

mod broken;
mod flow;
mod layers;
mod names;
mod narrowing;
mod resolution;
mod robustness;
mod stdlib_bodies;
mod types;

use crate::check::{check, Checked};
use crate::diag::Diagnostic;
use crate::stdlib;
use crate::syntax;
use crate::syntax::ast::{Import, ItemKind};
use crate::workspace::{Module, ModuleId, ModuleOrigin, Workspace};

/// A project with two environments and one valid environment, prepended to
/// most tests so they can use `env`, `project` and settings.
pub(super) const PROJECT: &str = r#"
project shop {
  environments { dev, prod }
  settings { size: memory, approval: bool = false, tier: Tier }
  params = "/shop/infra"
}
enum Tier { small, large { replicas: int in 1..10 } }
environment prod { region = us_east_1, size = 2 GB, tier = large { replicas = 2 } }
"#;

/// A small construct library in the spec itself.
pub(super) const LIB: &str = r#"
construct service {
  cpu: cpu in 0.25 vcpu..16 vcpu = 1 vcpu
  memory: memory
  port: int
  image: string
  secrets: map<secret> = {}
  env: map<deploy<string>> = {}
  resource "AWS::ECS::TaskDefinition" task { Cpu = units(cpu), Memory = units(memory) }
  output arn = task.ref
  output url = "http://${task.Endpoint.Address}:${port}"
}
"#;

pub(super) struct Run {
    pub(super) workspace: Workspace,
    pub(super) checked: Checked,
}

impl Run {
    pub(super) fn diagnostics(&self) -> &[Diagnostic] {
        &self.checked.diagnostics
    }

    pub(super) fn codes(&self) -> Vec<&'static str> {
        self.diagnostics().iter().map(|d| d.code.as_str()).collect()
    }

    /// The one diagnostic with `code`; fails when there are others.
    pub(super) fn only(&self, code: &str) -> &Diagnostic {
        assert_eq!(self.codes(), vec![code], "diagnostics: {:#?}", self.diagnostics());
        &self.diagnostics()[0]
    }

    /// The source text under a diagnostic's primary label.
    pub(super) fn primary_text(&self, diagnostic: &Diagnostic) -> &str {
        self.workspace.sources.slice(diagnostic.primary.span)
    }

    pub(super) fn secondary_texts(&self, diagnostic: &Diagnostic) -> Vec<(String, String)> {
        diagnostic
            .secondary
            .iter()
            .map(|l| (self.workspace.sources.slice(l.span).to_string(), l.message.clone()))
            .collect()
    }

    pub(super) fn clean(&self) {
        assert!(self.diagnostics().is_empty(), "unexpected diagnostics: {:#?}", self.diagnostics());
    }
}

pub(super) fn run(source: &str) -> Run {
    run_workspace(Workspace::from_memory(&[("a.mdl", source)]))
}

pub(super) fn run_workspace(workspace: Workspace) -> Run {
    assert!(workspace.diagnostics.is_empty(), "load/parse errors: {:#?}", workspace.diagnostics);
    let checked = check(&workspace);
    Run { workspace, checked }
}

/// `PROJECT` + `LIB` + the test's own text.
pub(super) fn run_spec(source: &str) -> Run {
    run(&format!("{PROJECT}{LIB}{source}"))
}

/// A workspace with extra stdlib modules (the real ones are written elsewhere).
pub(super) fn with_std(source: &str, modules: &[(&str, &str)]) -> Run {
    let mut workspace = Workspace::default();
    let add = |workspace: &mut Workspace, name: &str, origin: ModuleOrigin, text: &str| {
        let file = workspace.sources.add(name.to_string(), None, text.to_string());
        let parsed = syntax::parse(file, text);
        workspace.diagnostics.extend(parsed.diagnostics);
        let ast = parsed.file;
        workspace.modules.push(Module { file, origin, ast, includes: Vec::new(), namespaces: Vec::new() });
        ModuleId(workspace.modules.len() - 1)
    };
    let prelude = stdlib::module(stdlib::PRELUDE).unwrap_or_default();
    workspace.prelude =
        Some(add(&mut workspace, "std/prelude.mdl", ModuleOrigin::Std("std/prelude".into()), prelude));
    let mut std_ids = Vec::new();
    for (path, text) in modules {
        let id = add(&mut workspace, &format!("{path}.mdl"), ModuleOrigin::Std((*path).into()), text);
        std_ids.push((path.to_string(), id));
    }
    let entry = add(&mut workspace, "a.mdl", ModuleOrigin::Spec("a.mdl".into()), source);
    let mut namespaces = Vec::new();
    for item in &workspace.modules[entry.0].ast.items {
        if let ItemKind::Import(Import::Modules(paths)) = &item.kind {
            for path in paths {
                if let Some((_, id)) = std_ids.iter().find(|(p, _)| *p == path.joined()) {
                    namespaces.push((path.binding.clone(), *id));
                }
            }
        }
    }
    workspace.modules[entry.0].namespaces = namespaces;
    workspace.entries.push(entry);
    run_workspace(workspace)
}

#[test]
fn a_complete_spec_checks_clean() {
    run_spec(
        r#"
layer core {
  api = service { memory = 2 GB, port = 80, image = "nginx" }
  publish api_url = api.url
  secret stripe = "Stripe key"
  resource "AWS::SNS::Topic" alerts { TopicName = "${project.name}-alerts" }
  publish topic = alerts.TopicArn
}
layer web {
  size = env.size
  replicas = match env.tier { small => 1, large { replicas } => replicas }
  name = match env.name { dev => "d", prod => "p" }
  web = service {
    memory = if env.approval { 4 GB } else { size * 2 }
    cpu = 0.5 vcpu
    port = 8000 + replicas
    image = "web:${env.name}"
    secrets = { STRIPE = core.stripe }
    env = { API = core.api_url, REGION = aws.region }
  }
  ports = [p * 2 for p in [1, 2, 3] if p > 1]
  total = len(ports) + units(env.size)
  require total > 0 else "no ports"
}
"#,
    )
    .clean();
}
