//! Orphans: stacks of the project and environment that no layer of the spec
//! names any more (a layer removed or renamed).
//!
//! Input: the region's live stacks (`DescribeStacks` without a name) and the
//! environment. Output: the orphan stacks, found by mdl's own stack tags
//! (`mdl:project`, `mdl:environment`, `mdl:layer`, or the unprefixed ones of
//! earlier versions), each reported as W0650 with the command that removes
//! it. Invariant: nothing is ever deleted here; only `mdl destroy --orphans`
//! or `--stack NAME` deletes an orphan, after its own prompt.

use super::api::{CloudFormationApi, StackInfo, TemplateStore};
use super::diagnose;
use super::input::{owner, EnvironmentInput};
use super::{Engine, Stop};

/// A stack of this environment that no layer names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Orphan {
    pub stack_name: String,
    /// The layer its tags name.
    pub layer: String,
    pub status: String,
}

/// The stacks among `stacks` whose tags say they belong to this project and
/// environment but whose layer the spec no longer has (or whose name is not
/// the layer's stack name any more), by stack name.
pub fn orphans(stacks: &[StackInfo], environment: &EnvironmentInput) -> Vec<Orphan> {
    let mut found: Vec<Orphan> = stacks
        .iter()
        .filter(|s| s.status != "DELETE_COMPLETE")
        .filter_map(|stack| {
            let (project, env, layer) = owner(&stack.tags)?;
            let ours = project == environment.project && env == environment.environment;
            let named = environment.layers.iter().any(|l| {
                l.layer == layer
                    && (l.stack_name == stack.name
                        || l.fan_out.is_some() && is_instance_stack(&stack.name, &l.stack_name))
            });
            (ours && !named).then(|| Orphan {
                stack_name: stack.name.clone(),
                layer,
                status: stack.status.clone(),
            })
        })
        .collect();
    found.sort_by(|a, b| a.stack_name.cmp(&b.stack_name));
    found
}

/// Whether `stack` is an instance of the StackSet `stack_set`: CloudFormation
/// names each instance's stack `StackSet-<name>-<id>` and tags it with the
/// StackSet's tags, so it carries the layer's own tags.
fn is_instance_stack(stack: &str, stack_set: &str) -> bool {
    stack
        .strip_prefix("StackSet-")
        .and_then(|rest| rest.strip_prefix(stack_set))
        .is_some_and(|r| r.starts_with('-'))
}

impl<A: CloudFormationApi, S: TemplateStore> Engine<'_, A, S> {
    /// List the environment's orphan stacks (one read, every page).
    pub async fn find_orphans(&self, environment: &EnvironmentInput) -> Result<Vec<Orphan>, Stop> {
        let stacks = self.read(self.api.list_stacks(), "listing the region's stacks").await?;
        Ok(orphans(&stacks, environment))
    }

    /// After a plan or deploy: report each orphan (W0650); an error listing
    /// the stacks is reported as a note, never stops the run.
    pub async fn report_orphans(&mut self, environment: &EnvironmentInput) -> Vec<Orphan> {
        match self.find_orphans(environment).await {
            Ok(found) => {
                for orphan in &found {
                    self.report(diagnose::orphan_stack(environment, orphan));
                }
                found
            }
            Err(Stop::Api { error, .. }) => {
                self.ui.say(&format!("note: could not look for orphan stacks: {error}"));
                Vec::new()
            }
            Err(Stop::Reported | Stop::Interrupted) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::run::tests::{environment, three};

    fn stack(name: &str, project: &str, env: &str, layer: &str) -> StackInfo {
        let tags = vec![
            ("mdl:project".to_string(), project.to_string()),
            ("mdl:environment".to_string(), env.to_string()),
            ("mdl:layer".to_string(), layer.to_string()),
        ];
        StackInfo { name: name.into(), status: "CREATE_COMPLETE".into(), tags, ..StackInfo::default() }
    }

    #[test]
    fn a_stack_of_a_removed_layer_is_an_orphan_and_others_are_not() {
        let env = environment(&three());
        let stacks = vec![
            stack("shop-dev-core", "shop", "dev", "core"),
            stack("shop-dev-cache", "shop", "dev", "cache"),
            stack("shop-prod-cache", "shop", "prod", "cache"),
            stack("blog-dev-cache", "blog", "dev", "cache"),
            StackInfo { name: "hand-made".into(), ..StackInfo::default() },
        ];
        let found = orphans(&stacks, &env);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].stack_name, "shop-dev-cache");
        assert_eq!(found[0].layer, "cache");
    }

    #[test]
    fn a_plan_reports_an_orphan_with_the_command_that_removes_it_and_deletes_nothing() {
        use crate::deploy::diagnostics_tests::{rendered_list, snapshot, spec};
        use crate::deploy::run::tests::{deployed, go_env, options};
        use crate::deploy::Mode;
        let (sources, mut environment) = spec(three());
        environment.spec_path = "dev.mdl".into();
        let api = deployed(&environment.layers);
        let old = stack("shop-dev-cache", "shop", "dev", "cache");
        api.stacks.borrow_mut().insert(old.name.clone(), (old, "{}".into()));
        let mut opts = options(Mode::Deploy { yes: true });
        opts.look_for_orphans = true;
        let mut ui = crate::deploy::fake::RecordingUi::default();
        let result = go_env(&api, &mut ui, &opts, &environment);
        assert!(result.succeeded(), "a warning only: {:?}", result.diagnostics);
        assert_eq!(result.orphans.len(), 1);
        assert!(api.calls().iter().all(|c| !c.starts_with("DeleteStack")), "{:?}", api.calls());
        let text = rendered_list(&result.diagnostics, &sources, "W0650");
        assert!(text.contains("mdl destroy dev.mdl --stack shop-dev-cache"), "{text}");
        snapshot("W0650", "orphan stack", &text);
    }

    #[test]
    fn the_stacks_of_a_fanned_out_layers_instances_are_no_orphans() {
        let mut layers = three();
        layers[1].fan_out = Some(crate::deploy::input::FanOut::default());
        let env = environment(&layers);
        let stacks = vec![
            stack("StackSet-shop-dev-app-0b6f1c2e-9a7d-4f1e-8c3b-2d5e6f7a8b9c", "shop", "dev", "app"),
            stack("StackSet-shop-dev-core-0b6f1c2e", "shop", "dev", "core"),
        ];
        let found = orphans(&stacks, &env);
        let names: Vec<&str> = found.iter().map(|o| o.stack_name.as_str()).collect();
        assert_eq!(names, ["StackSet-shop-dev-core-0b6f1c2e"], "core is not fanned out");
    }

    #[test]
    fn a_deleted_stack_is_no_orphan() {
        let env = environment(&three());
        let mut gone = stack("shop-dev-cache", "shop", "dev", "cache");
        gone.status = "DELETE_COMPLETE".into();
        assert!(orphans(&[gone], &env).is_empty());
    }
}
