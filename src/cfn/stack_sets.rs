//! What `mdl check` says about the environment's `stack_sets` (E0670–E0672).
//!
//! Input: one environment's [`Model`]. Output: a located error for a
//! `stack_sets` entry that names no layer (E0670); for one whose regions are
//! empty or repeated, whose `region_order` names a region not in `regions`,
//! or whose accounts are not 12 digits (E0671); and for every layer that
//! reads a value a fanned-out layer publishes (E0672), and for a fanned-out
//! layer that reads another layer's value while reaching a region or account
//! other than the environment's (E0675). SSM values do not cross regions or
//! accounts: each instance publishes in its own region, so a reader in the
//! environment's region would read no value, or a stale one; and an instance
//! elsewhere finds no parameter where the environment's layers wrote it.

use crate::diag::{Code, Diagnostic};
use crate::eval::{LayerModel, Model, Setting, StackSetModel};

/// Every problem with the environment's StackSets.
pub fn check(model: &Model) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for set in &model.deployment.stack_sets {
        if model.layer(&set.layer).is_none() {
            found.push(unknown_layer(model, set));
        }
        found.extend(invalid_settings(set));
    }
    for layer in &model.layers {
        found.extend(reads_from_elsewhere(model, layer));
        for import in &layer.imports {
            if model.deployment.stack_set(&import.layer).is_some() {
                found.push(
                    Diagnostic::new(
                        Code::ReadsFannedOutLayer,
                        format!(
                            "layer `{}` reads `{}.{}`, but `{}` is fanned out as a StackSet",
                            layer.name, import.layer, import.name, import.layer
                        ),
                        import.span,
                        "read here",
                    )
                    .with_note(format!(
                        "each instance of `{}` publishes in its own region and account; SSM values do not cross them",
                        import.layer
                    ))
                    .with_help("publish the value from a layer that is not fanned out, or pass it as a setting: mdl does not read a fanned-out layer's values yet"),
                );
            }
        }
    }
    found
}

/// E0675: every read of a fanned-out `layer` whose StackSet reaches a place
/// (region, or account) where the value it reads was never written. Reads of
/// another fanned-out layer are E0672's.
fn reads_from_elsewhere(model: &Model, layer: &LayerModel) -> Vec<Diagnostic> {
    let Some(set) = model.deployment.stack_set(&layer.name) else {
        return Vec::new();
    };
    let Some(elsewhere) = place_outside_environment(model, set) else {
        return Vec::new();
    };
    layer
        .imports
        .iter()
        .filter(|import| model.deployment.stack_set(&import.layer).is_none())
        .map(|import| {
            Diagnostic::new(
                Code::FannedOutLayerReads,
                format!(
                    "layer `{}` is fanned out to {elsewhere}, but reads `{}.{}`, which is published only in `{}`",
                    layer.name, import.layer, import.name, model.region
                ),
                import.span,
                "read here",
            )
            .with_label(set.span, "fanned out here")
            .with_note(format!(
                "SSM values do not cross regions or accounts: the instance in {elsewhere} would find no `{}.{}`",
                import.layer, import.name
            ))
            .with_help(
                "write the value into the layer (a literal, or a setting of the environment), or keep the StackSet's regions and accounts to the environment's own",
            )
        })
        .collect()
}

/// A region (or account) the StackSet reaches that is not the environment's,
/// as the message names it: `` `eu-west-1` `` or `` account `111111111111` ``.
/// An empty `accounts` is the caller's own account, the environment's.
fn place_outside_environment(model: &Model, set: &StackSetModel) -> Option<String> {
    if let Some(region) = set.regions.iter().find(|r| r.value != model.region) {
        return Some(format!("`{}`", region.value));
    }
    let home = model.deployment.account.as_ref().map(|a| a.value.as_str());
    let foreign = match home {
        Some(home) => set.accounts.iter().find(|a| a.value != home),
        // Without a pinned account, only a second account is surely another.
        None => set.accounts.get(1),
    };
    foreign.map(|account| format!("account `{}`", account.value))
}

fn unknown_layer(model: &Model, set: &StackSetModel) -> Diagnostic {
    let layers: Vec<&str> = model.layers.iter().map(|l| l.name.as_str()).collect();
    Diagnostic::new(
        Code::StackSetUnknownLayer,
        format!("`stack_sets` names `{}`, which is not a layer of this spec", set.layer),
        set.span,
        "this entry",
    )
    .with_help(format!("key each entry by a layer's name; the layers are: {}", layers.join(", ")))
}

fn invalid_settings(set: &StackSetModel) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let invalid = |setting_span, message: String, help: &str| {
        Diagnostic::new(Code::InvalidStackSet, message, setting_span, "this setting")
            .with_help(help.to_string())
    };
    if set.regions.is_empty() {
        found.push(invalid(
            set.span,
            format!("the StackSet of `{}` lists no region", set.layer),
            "list the regions that get an instance: `regions = [us_east_1, eu_west_1]`",
        ));
    }
    for (at, region) in set.regions.iter().enumerate() {
        if set.regions[..at].iter().any(|r| r.value == region.value) {
            found.push(invalid(
                region.span,
                format!("`{}` is listed twice in `regions`", region.value),
                "a region gets one instance: list it once",
            ));
        }
    }
    for region in set.region_order.iter().filter(|r| !contains(&set.regions, r)) {
        found.push(invalid(
            region.span,
            format!("`region_order` names `{}`, which is not in `regions`", region.value),
            "`region_order` orders the regions of `regions`: add it there, or remove it here",
        ));
    }
    for account in
        set.accounts.iter().filter(|a| a.value.len() != 12 || !a.value.chars().all(|c| c.is_ascii_digit()))
    {
        found.push(invalid(
            account.span,
            format!("`{}` is not a 12-digit AWS account id", account.value),
            "write accounts as AWS shows them, digits only: `accounts = [\"123456789012\"]`",
        ));
    }
    found
}

fn contains(settings: &[Setting], wanted: &Setting) -> bool {
    settings.iter().any(|s| s.value == wanted.value)
}
