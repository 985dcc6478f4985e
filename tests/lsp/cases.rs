//! A hundred and more language-server cases on the megadolls specs, each a
//! reviewed snapshot of the request (the line and the cursor) and the answer.
//! `edit` cases change the file first: typing in progress, a syntax error
//! elsewhere in the file.

use serde_json::{json, Value};

use super::harness::{ask, cursor, open_specs, short, show_cursor, show_location, specs, url};

/// The request of a case.
enum Ask<'a> {
    Hover,
    Complete,
    Definition,
    References,
    Rename(&'a str),
    Actions,
    Signature,
    Symbols,
    Folding,
    Tokens,
    WorkspaceSymbols(&'a str),
    /// Inlay hints from the cursor's line, this many lines.
    Inlay(u32),
}

/// Run one case: open the specs (with `edit` in `file`), ask, render.
fn case(file: &str, at: &str, edit: Option<(&str, &str)>, request: Ask) -> String {
    let (state, text, published) = open_specs(file, edit);
    let path = specs().join(file);
    let uri = url(&path).to_string();
    let (offset, position) = cursor(&text, at);
    let mut out = show_cursor(&format!("specs/{file}"), &text, offset);
    let document = json!({ "uri": uri });
    let at_cursor = json!({ "textDocument": document, "position": position });
    let (method, params) = match &request {
        Ask::Hover => ("textDocument/hover", at_cursor),
        Ask::Complete => ("textDocument/completion", at_cursor),
        Ask::Definition => ("textDocument/definition", at_cursor),
        Ask::Signature => ("textDocument/signatureHelp", at_cursor),
        Ask::References => {
            let mut params = at_cursor;
            params["context"] = json!({ "includeDeclaration": true });
            ("textDocument/references", params)
        }
        Ask::Rename(name) => {
            let mut params = at_cursor;
            params["newName"] = json!(name);
            ("textDocument/rename", params)
        }
        Ask::Actions => {
            let line = position["line"].clone();
            let diagnostics: Vec<Value> = published
                .iter()
                .filter(|(u, _)| u.as_str() == uri)
                .flat_map(|(_, list)| list.iter())
                .map(|d| serde_json::to_value(d).expect("json"))
                .filter(|d| {
                    d["range"]["start"]["line"].as_u64() <= line.as_u64()
                        && line.as_u64() <= d["range"]["end"]["line"].as_u64()
                })
                .collect();
            let range = json!({ "start": position, "end": position });
            (
                "textDocument/codeAction",
                json!({ "textDocument": document, "range": range, "context": { "diagnostics": diagnostics } }),
            )
        }
        Ask::Symbols => ("textDocument/documentSymbol", json!({ "textDocument": document })),
        Ask::Folding => ("textDocument/foldingRange", json!({ "textDocument": document })),
        Ask::Tokens => ("textDocument/semanticTokens/full", json!({ "textDocument": document })),
        Ask::WorkspaceSymbols(query) => ("workspace/symbol", json!({ "query": query })),
        Ask::Inlay(lines) => {
            let line = position["line"].as_u64().unwrap_or(0);
            let range = json!({
                "start": { "line": line, "character": 0 },
                "end": { "line": line + u64::from(*lines), "character": 0 },
            });
            ("textDocument/inlayHint", json!({ "textDocument": document, "range": range }))
        }
    };
    out.push_str(&format!("request: {method}\n"));
    if let Some((from, to)) = edit {
        out.push_str(&format!("after editing: {from:?} -> {to:?}\n"));
    }
    out.push_str("---\n");
    let answer = ask(&state, method, params);
    out.push_str(&render(&request, &answer, &text));
    out
}

fn render(request: &Ask, answer: &Value, text: &str) -> String {
    if answer.is_null() {
        return "(no answer)\n".into();
    }
    match request {
        Ask::Hover => format!("{}\n", answer["contents"]["value"].as_str().unwrap_or("")),
        Ask::Complete => {
            let items = answer.as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                return "(no completions)\n".into();
            }
            items
                .iter()
                .map(|i| {
                    let detail = i["detail"]
                        .as_str()
                        .map(|d| format!(" — {}", d.lines().next().unwrap_or("")))
                        .unwrap_or_default();
                    format!("{} ({}){detail}\n", i["label"].as_str().unwrap_or(""), kind_name(&i["kind"]))
                })
                .collect()
        }
        Ask::Definition => format!("{}\n", show_location(answer)),
        Ask::References => {
            answer.as_array().into_iter().flatten().map(|l| format!("{}\n", show_location(l))).collect()
        }
        Ask::Rename(_) => {
            let mut lines: Vec<String> = Vec::new();
            for (uri, edits) in answer["changes"].as_object().into_iter().flatten() {
                for edit in edits.as_array().into_iter().flatten() {
                    let location = json!({ "uri": uri, "range": edit["range"] });
                    lines.push(format!(
                        "{} -> {}",
                        show_location(&location),
                        edit["newText"].as_str().unwrap_or("")
                    ));
                }
            }
            lines.sort();
            lines.iter().map(|l| format!("{l}\n")).collect()
        }
        Ask::Actions => {
            let actions = answer.as_array().cloned().unwrap_or_default();
            if actions.is_empty() {
                return "(no actions)\n".into();
            }
            let mut out = String::new();
            for action in actions {
                out.push_str(&format!("{}\n", action["title"].as_str().unwrap_or("")));
                for (uri, edits) in action["edit"]["changes"].as_object().into_iter().flatten() {
                    for edit in edits.as_array().into_iter().flatten() {
                        let start = &edit["range"]["start"];
                        out.push_str(&format!(
                            "  {}:{}:{} insert/replace {:?}\n",
                            short(uri),
                            start["line"].as_u64().unwrap_or(0) + 1,
                            start["character"].as_u64().unwrap_or(0) + 1,
                            edit["newText"].as_str().unwrap_or("")
                        ));
                    }
                }
            }
            out
        }
        Ask::Signature => {
            let signature = &answer["signatures"][0];
            let label = signature["label"].as_str().unwrap_or("");
            let active = answer["activeParameter"].as_u64();
            let current = active
                .and_then(|i| signature["parameters"][i as usize]["label"].as_array().cloned())
                .map(|range| {
                    let (start, end) =
                        (range[0].as_u64().unwrap_or(0) as usize, range[1].as_u64().unwrap_or(0) as usize);
                    String::from_utf16_lossy(&label.encode_utf16().collect::<Vec<_>>()[start..end])
                });
            format!("{label}\nactive: {}\n", current.unwrap_or_else(|| "(none)".into()))
        }
        Ask::Symbols => {
            let mut out = String::new();
            symbols(answer, 0, &mut out);
            out
        }
        Ask::Folding => answer
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let start = r["startLine"].as_u64().unwrap_or(0) as usize;
                let first = text.lines().nth(start).unwrap_or("").trim();
                format!("{}-{}: {first}\n", start + 1, r["endLine"].as_u64().unwrap_or(0) + 1)
            })
            .collect(),
        Ask::Tokens => tokens(answer, text),
        Ask::WorkspaceSymbols(_) => answer
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                let container = s["containerName"].as_str().map(|c| format!(" in {c}")).unwrap_or_default();
                format!(
                    "{}{container} — {}\n",
                    s["name"].as_str().unwrap_or(""),
                    show_location(&s["location"])
                )
            })
            .collect(),
        Ask::Inlay(_) => inlay_hints(answer, text),
    }
}

/// Each hint in its line, between `‹›`: `memory  = 2 GB‹ = 2048 MiB›`.
fn inlay_hints(answer: &Value, text: &str) -> String {
    let hints = answer.as_array().cloned().unwrap_or_default();
    if hints.is_empty() {
        return "(no hints)\n".into();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for hint in hints {
        let line = hint["position"]["line"].as_u64().unwrap_or(0) as usize;
        let column = hint["position"]["character"].as_u64().unwrap_or(0) as usize;
        let source: Vec<u16> = lines.get(line).unwrap_or(&"").encode_utf16().collect();
        let (before, after) = source.split_at(column.min(source.len()));
        let pad = if hint["paddingLeft"] == json!(true) { " " } else { "" };
        let kind = if hint["kind"] == json!(1) { " (type)" } else { "" };
        out.push_str(&format!(
            "{}: {}‹{pad}{}›{}{kind}\n",
            line + 1,
            String::from_utf16_lossy(before).trim_start(),
            hint["label"].as_str().unwrap_or(""),
            String::from_utf16_lossy(after)
        ));
    }
    out
}

fn symbols(list: &Value, depth: usize, out: &mut String) {
    for symbol in list.as_array().into_iter().flatten() {
        let start = symbol["range"]["start"]["line"].as_u64().unwrap_or(0) + 1;
        let end = symbol["range"]["end"]["line"].as_u64().unwrap_or(0) + 1;
        out.push_str(&format!(
            "{}{} (kind {}) {start}-{end}\n",
            "  ".repeat(depth),
            symbol["name"].as_str().unwrap_or(""),
            symbol["kind"]
        ));
        symbols(&symbol["children"], depth + 1, out);
    }
}

/// Semantic tokens decoded: `line:column text type`, for the first lines.
fn tokens(answer: &Value, text: &str) -> String {
    const TYPES: [&str; 9] =
        ["namespace", "class", "type", "enum", "enumMember", "property", "variable", "function", "parameter"];
    let data: Vec<u64> = answer["data"].as_array().into_iter().flatten().filter_map(Value::as_u64).collect();
    let lines: Vec<&str> = text.lines().collect();
    let (mut line, mut column) = (0u64, 0u64);
    let mut out = String::new();
    for token in data.chunks(5) {
        let [delta_line, delta_start, length, kind, modifiers] = token else { continue };
        line += delta_line;
        column = if *delta_line == 0 { column + delta_start } else { *delta_start };
        if line > 60 {
            break;
        }
        let source: String = lines
            .get(line as usize)
            .unwrap_or(&"")
            .chars()
            .skip(column as usize)
            .take(*length as usize)
            .collect();
        let builtin = if *modifiers == 1 { " (language)" } else { "" };
        out.push_str(&format!(
            "{}:{} {source} {}{builtin}\n",
            line + 1,
            column + 1,
            TYPES.get(*kind as usize).unwrap_or(&"?")
        ));
    }
    out
}

fn kind_name(kind: &Value) -> &'static str {
    match kind.as_u64() {
        Some(3) => "function",
        Some(5) => "field",
        Some(6) => "variable",
        Some(7) => "class",
        Some(9) => "module",
        Some(10) => "property",
        Some(13) => "enum",
        Some(14) => "keyword",
        Some(20) => "enum member",
        Some(22) => "struct",
        _ => "other",
    }
}

macro_rules! cases {
    ($($name:ident: $request:expr, $file:literal, $at:literal $(, edit = ($from:literal, $to:literal))?;)*) => {
        $(
            #[test]
            fn $name() {
                let edit: Option<(&str, &str)> = None $(.or(Some(($from, $to))))?;
                insta::assert_snapshot!(stringify!($name), case($file, $at, edit, $request));
            }
        )*
    };
}

use Ask::*;

cases! {
    // Hover: declarations, members, settings, outputs, built-ins, units.
    hover_a_layer_name: Hover, "platform.mdl", "layer ¦core {";
    hover_a_namespace: Hover, "platform.mdl", "vpc = ¦network.vpc";
    hover_a_construct_of_the_stdlib: Hover, "platform.mdl", "vpc = network.¦vpc {";
    hover_a_construct_param: Hover, "platform.mdl", "network.vpc { ¦name = \"megadolls\" }";
    hover_a_binding_read: Hover, "platform.mdl", "vpc_id = ¦vpc.id }";
    hover_an_instance_output: Hover, "platform.mdl", "vpc_id = vpc.¦id }";
    hover_a_published_value_read: Hover, "platform.mdl", "vpc_id         = core.¦vpc_id";
    hover_a_layer_read: Hover, "platform.mdl", "vpc_id         = ¦core.vpc_id";
    hover_env: Hover, "platform.mdl", "capacity = ¦env.capacity";
    hover_a_setting_read: Hover, "platform.mdl", "capacity = env.¦capacity";
    hover_a_setting_of_the_prelude: Hover, "platform.mdl", "log_sink                = { region = env.¦region }";
    hover_a_record_setting_field: Hover, "platform.mdl", "multi_az            = env.database.¦multi_az";
    hover_a_type_declaration: Hover, "platform.mdl", "type ¦Database = {";
    hover_a_field_of_a_record_type: Hover, "platform.mdl", "  ¦multi_az: bool";
    hover_a_setting_declaration: Hover, "platform.mdl", "    ¦capacity: Capacity";
    hover_a_setting_type_from_the_stdlib: Hover, "platform.mdl", "    capacity: ¦Capacity";
    hover_a_built_in_type: Hover, "platform.mdl", "    image_tag: ¦string";
    hover_a_service: Hover, "platform.mdl", "service ¦django = ecs";
    hover_a_service_output: Hover, "platform.mdl", "publish site_url              = django.¦url";
    hover_a_variant: Hover, "platform.mdl", "stage approve when env.approval = pipeline.Action.¦manual_approval";
    hover_an_enum_of_the_stdlib: Hover, "platform.mdl", "pipeline.¦Action.manual_approval";
    hover_a_comprehension_variable: Hover, "platform.mdl", "Endpoint = ¦address }";
    hover_a_secret: Hover, "platform.mdl", "secret ¦strip_key";
    hover_a_project_field: Hover, "platform.mdl", "  ¦params = \"/megadolls/infra\"";
    hover_a_unit_of_memory: Hover, "platform.mdl", "memory  = 2 ¦GB";
    hover_a_unit_of_cpu: Hover, "platform.mdl", "cpu     = 1 ¦vcpu";
    hover_a_unit_of_time: Hover, "platform.mdl", "expire_after            = 90 ¦days";
    hover_a_percent: Hover, "dev.mdl", "cpu_target = 70¦%";
    hover_in_a_comment: Hover, "platform.mdl", "// Cloud Map creates the ¦private hosted zone";
    hover_in_a_string: Hover, "platform.mdl", "name = \"mega¦dolls\" }";
    hover_an_environment_setting: Hover, "dev.mdl", "  ¦capacity  = spot";
    hover_an_environment_value: Hover, "dev.mdl", "capacity  = ¦spot";
    hover_an_environment_region: Hover, "dev.mdl", "region = ¦us_east_1";
    hover_the_region_setting: Hover, "dev.mdl", "  ¦region = us_east_1";
    hover_an_environment_name: Hover, "dev.mdl", "environment ¦dev {";
    hover_a_nested_setting_field: Hover, "dev.mdl", "    ¦multi_az            = false";
    hover_a_stage: Hover, "platform.mdl", "stage ¦build = pipeline";
    hover_a_resource: Hover, "platform.mdl", "resource \"AWS::SNS::Topic\" ¦approvals {";
    hover_a_resource_attribute: Hover, "platform.mdl", "topic     = { arn = approvals.¦ref }";
    hover_an_if_condition: Hover, "platform.mdl", "scaling = if env.¦autoscaling";

    // Hover and definition go on working with a syntax error elsewhere in the file.
    hover_with_a_syntax_error_elsewhere: Hover, "platform.mdl", "vpc = network.¦vpc {", edit = ("publish admin_url             = pgadmin.url", "publish admin_url = pgadmin.url }}} oops");
    definition_with_a_syntax_error_elsewhere: Definition, "platform.mdl", "vpc_id = ¦vpc.id }", edit = ("layer deployment {", "layer deployment {\n  broken = ");
    symbols_with_a_syntax_error_elsewhere: Symbols, "dev.mdl", "¦environment dev", edit = ("  approval    = false", "  approval    = = false");
    completion_with_a_syntax_error_elsewhere: Complete, "platform.mdl", "capacity = env.¦", edit = ("capacity = env.capacity", "capacity = env.");
    hover_after_the_edit_with_a_syntax_error: Hover, "platform.mdl", "publish site_url              = ¦django.url", edit = ("  cluster = ecs.cluster {", "  cluster = ecs.cluster {{");

    // Definition: across files, into the stdlib, members, settings.
    definition_of_a_binding: Definition, "platform.mdl", "vpc_id = ¦vpc.id }";
    definition_of_a_layer: Definition, "platform.mdl", "vpc_id         = ¦core.vpc_id";
    definition_of_a_published_value: Definition, "platform.mdl", "vpc_id         = core.¦vpc_id";
    definition_of_a_setting_read: Definition, "platform.mdl", "capacity = env.¦capacity";
    definition_of_a_setting_set: Definition, "dev.mdl", "  ¦image_tag = \"dev-latest\"";
    definition_of_a_type: Definition, "platform.mdl", "    database: ¦Database";
    definition_into_the_stdlib: Definition, "platform.mdl", "vpc = network.¦vpc {";
    definition_of_a_variant_in_the_stdlib: Definition, "dev.mdl", "capacity  = ¦spot";
    definition_of_an_instance_output: Definition, "platform.mdl", "publish site_url              = django.¦url";
    definition_of_a_service: Definition, "platform.mdl", "services = [¦django] }";
    definition_of_a_comprehension_variable: Definition, "platform.mdl", "Endpoint = ¦address }";
    definition_of_a_binding_read_in_a_stage: Definition, "platform.mdl", "approvers = ¦super_admins.group_name";
    definition_of_an_environment: Definition, "dev.mdl", "environment ¦dev {";
    definition_of_a_record_field_set: Definition, "dev.mdl", "    ¦backup_retention    = 1 day";
    definition_of_env_itself: Definition, "platform.mdl", "capacity = ¦env.capacity";

    // Completion: after a dot, fields not yet set, values of enums, nested records.
    complete_after_a_namespace: Complete, "platform.mdl", "vpc = network.¦vpc";
    complete_after_env: Complete, "platform.mdl", "capacity = env.¦capacity";
    complete_after_aws: Complete, "platform.mdl", "log_sink                = { region = aws.¦region }", edit = ("{ region = env.region }", "{ region = aws.region }");
    complete_after_a_layer: Complete, "platform.mdl", "vpc_id         = core.¦vpc_id";
    complete_the_outputs_of_an_instance: Complete, "platform.mdl", "publish site_url              = django.¦url";
    complete_the_outputs_while_typing: Complete, "platform.mdl", "publish typed = django.¦", edit = ("  publish site_url ", "  publish typed = django.\n  publish site_url ");
    complete_variants_of_an_enum_in_a_namespace: Complete, "platform.mdl", "stage build = pipeline.Action.¦image_definitions";
    complete_variants_while_typing: Complete, "platform.mdl", "stage check = pipeline.Action.¦", edit = ("    stage build = ", "    stage check = pipeline.Action.\n    stage build = ");
    complete_a_record_setting_field: Complete, "platform.mdl", "env.database.¦multi_az";
    complete_the_fields_of_a_construct_not_set: Complete, "platform.mdl", "    cpu         = 0.5 vcpu\n¦", edit = ("    cpu         = 0.5 vcpu\n", "    cpu         = 0.5 vcpu\n\n");
    complete_a_new_instance: Complete, "platform.mdl", "queue = ecs.cluster {\n    ¦", edit = ("  // The web shop, from the internet", "  queue = ecs.cluster {\n    \n  }\n  // The web shop, from the internet");
    complete_the_fields_of_a_nested_record: Complete, "platform.mdl", "discovery      = { namespace = core.namespace_id, ¦", edit = ("discovery      = { namespace = core.namespace_id, domain = core.namespace_domain }", "discovery      = { namespace = core.namespace_id,  }");
    complete_the_fields_of_a_construct_parameter_record: Complete, "platform.mdl", "    network = {\n¦", edit = ("      security_group = core.app_security_group\n", "");
    complete_the_settings_in_an_environment: Complete, "dev.mdl", "  autoscaling = true\n¦", edit = ("  autoscaling = true\n", "  autoscaling = true\n\n");
    complete_the_region: Complete, "dev.mdl", "  region = ¦", edit = ("  region = us_east_1", "  region = ");
    complete_an_enum_setting: Complete, "dev.mdl", "  capacity  = ¦", edit = ("  capacity  = spot", "  capacity  = ");
    complete_a_bool_setting: Complete, "dev.mdl", "  approval    = ¦", edit = ("  approval    = false", "  approval    = ");
    complete_an_enum_of_a_stdlib_type: Complete, "dev.mdl", "  rollout     = ¦", edit = ("  rollout     = all_at_once", "  rollout     = ");
    complete_the_fields_of_a_record_setting: Complete, "dev.mdl", "  database = {\n¦", edit = ("    multi_az            = false\n", "");
    complete_a_scaling_record_on_one_line: Complete, "dev.mdl", "web_scaling = { min = 1, ¦", edit = ("web_scaling = { min = 1, max = 2, cpu_target = 70% }", "web_scaling = { min = 1,  }");
    complete_nothing_in_a_comment: Complete, "platform.mdl", "// Cloud Map creates the ¦private";
    complete_nothing_in_a_string: Complete, "platform.mdl", "name = \"mega¦dolls\" }";
    complete_nothing_after_a_number: Complete, "platform.mdl", "memory  = 2 ¦GB";
    complete_nothing_after_a_decimal_point: Complete, "platform.mdl", "cpu         = 0.¦5 vcpu";
    complete_in_an_interpolation: Complete, "platform.mdl", "image   = \"${core.¦image_repository}";
    complete_names_in_a_layer: Complete, "platform.mdl", "  publish cluster_name   = ¦cluster.cluster_name";
    complete_a_value_of_a_construct_field: Complete, "platform.mdl", "    expose      = ¦internal";
    complete_a_bool_field_of_a_construct: Complete, "platform.mdl", "    multi_az            = ¦\n", edit = ("multi_az            = env.database.multi_az", "multi_az            = ");
    complete_after_project: Complete, "platform.mdl", "capacity = project.¦", edit = ("capacity = env.capacity", "capacity = project.");
    complete_nothing_after_an_unknown_name: Complete, "platform.mdl", "capacity = nothing_here.¦", edit = ("capacity = env.capacity", "capacity = nothing_here.");

    // References and rename, across files.
    references_of_a_setting: References, "platform.mdl", "    ¦image_tag: string";
    references_of_a_published_value: References, "platform.mdl", "publish ¦vpc_id = vpc.id";
    references_of_a_binding: References, "platform.mdl", "  ¦cluster = ecs.cluster {";
    references_of_a_type: References, "platform.mdl", "type ¦Database = {";
    references_of_a_record_field: References, "platform.mdl", "  ¦multi_az: bool";
    references_of_a_stdlib_construct: References, "platform.mdl", "images = ecr.¦repository {";
    references_of_a_variant: References, "dev.mdl", "rollout     = ¦all_at_once";
    references_of_a_secret: References, "platform.mdl", "secret ¦pgadmin_password";
    rename_a_setting: Rename("tag"), "platform.mdl", "    ¦image_tag: string";
    rename_a_published_value: Rename("network_id"), "platform.mdl", "publish ¦vpc_id = vpc.id";
    rename_a_binding: Rename("ecs_cluster"), "platform.mdl", "  ¦cluster = ecs.cluster {";
    rename_a_record_field: Rename("standby"), "platform.mdl", "  ¦multi_az: bool";
    rename_refuses_the_stdlib: Rename("repo"), "platform.mdl", "images = ecr.¦repository {";
    rename_refuses_a_bad_name: Rename("two words"), "platform.mdl", "  ¦cluster = ecs.cluster {";
    rename_refuses_env: Rename("environment"), "platform.mdl", "capacity = ¦env.capacity";

    // Code actions: quick fixes.
    action_did_you_mean_a_member: Actions, "platform.mdl", "publish admin_url             = ¦pgadmn.url", edit = ("publish admin_url             = pgadmin.url", "publish admin_url             = pgadmn.url");
    action_did_you_mean_a_setting: Actions, "platform.mdl", "capacity = env.¦capacty", edit = ("capacity = env.capacity", "capacity = env.capacty");
    action_did_you_mean_a_field: Actions, "platform.mdl", "    ¦nme     = \"megadolls\"", edit = ("    name     = \"megadolls\"\n    capacity", "    nme     = \"megadolls\"\n    capacity");
    action_did_you_mean_a_variant: Actions, "dev.mdl", "capacity  = ¦spott", edit = ("capacity  = spot", "capacity  = spott");
    action_add_missing_fields: Actions, "platform.mdl", "¦images = ecr.repository", edit = ("images = ecr.repository { name = \"megadolls/web\", encryption_key = encryption.arn }", "images = ecr.repository { encryption_key = encryption.arn }");
    action_add_missing_fields_over_lines: Actions, "platform.mdl", "  ¦cluster = ecs.cluster {", edit = ("    name     = \"megadolls\"\n    capacity = env.capacity\n", "");
    action_none_without_a_diagnostic: Actions, "platform.mdl", "vpc = ¦network.vpc";
    action_add_missing_arms_over_lines: Actions, "platform.mdl", "    count   = ¦match env.capacity", edit = ("    count   = 1\n", "    count   = match env.capacity {\n      spot => 1\n    }\n");
    action_add_a_missing_arm_on_one_line: Actions, "platform.mdl", "    count   = ¦match env.approval", edit = ("    count   = 1\n", "    count   = match env.approval { true => 2 }\n");
    action_add_a_wildcard_arm: Actions, "platform.mdl", "    count   = ¦match env.web_scaling.min", edit = ("    count   = 1\n", "    count   = match env.web_scaling.min {\n      1 => 1\n    }\n");
    action_add_arms_to_an_empty_match: Actions, "platform.mdl", "    count   = ¦match env.rollout", edit = ("    count   = 1\n", "    count   = match env.rollout {\n    }\n");
    action_add_a_missing_environment_arm: Actions, "platform.mdl", "    count   = ¦match env.name", edit = ("    count   = 1\n", "    count   = match env.name { dev => 1, }\n");
    action_write_a_cpu_unit: Actions, "platform.mdl", "    cpu     = ¦4", edit = ("    cpu     = 1 vcpu", "    cpu     = 4");
    action_write_cpu_units_as_vcpu: Actions, "platform.mdl", "    cpu     = ¦1024", edit = ("    cpu     = 1 vcpu", "    cpu     = 1024");
    action_write_a_memory_unit: Actions, "platform.mdl", "    memory  = ¦2", edit = ("    memory  = 2 GB", "    memory  = 2");
    action_write_a_duration_unit: Actions, "dev.mdl", "    backup_retention    = ¦7", edit = ("    backup_retention    = 1 day", "    backup_retention    = 7");
    action_write_a_percent: Actions, "dev.mdl", "cpu_target = ¦70", edit = ("cpu_target = 70%", "cpu_target = 70");
    action_write_a_decimal_with_a_unit: Actions, "platform.mdl", "    cpu         = ¦0.5", edit = ("    cpu         = 0.5 vcpu", "    cpu         = 0.5");
    action_no_unit_for_a_name: Actions, "platform.mdl", "    cpu     = ¦env.web_scaling.min", edit = ("    cpu     = 1 vcpu", "    cpu     = env.web_scaling.min");

    // Hover on names the language gives, and answers with a syntax error elsewhere.
    hover_a_built_in_function: Hover, "platform.mdl", "name    = ¦lower(\"django\")", edit = ("name    = \"django\"", "name    = lower(\"django\")");
    hover_aws: Hover, "platform.mdl", "{ region = ¦aws.region }", edit = ("{ region = env.region }", "{ region = aws.region }");
    hover_a_pseudo_parameter_of_aws: Hover, "platform.mdl", "{ region = aws.¦region }", edit = ("{ region = env.region }", "{ region = aws.region }");
    hover_project: Hover, "platform.mdl", "name    = ¦project.params", edit = ("name    = \"django\"", "name    = project.params");
    references_with_a_syntax_error_elsewhere: References, "platform.mdl", "  ¦vpc = network.vpc {", edit = ("publish admin_url             = pgadmin.url", "publish admin_url = pgadmin.url }}} oops");
    rename_with_a_syntax_error_elsewhere: Rename("network"), "platform.mdl", "  ¦vpc = network.vpc {", edit = ("publish admin_url             = pgadmin.url", "publish admin_url = pgadmin.url }}} oops");
    signature_with_a_syntax_error_elsewhere: Signature, "platform.mdl", "    cpu     = ¦1 vcpu", edit = ("layer deployment {", "layer deployment {\n  broken = ");
    complete_an_enum_value_with_a_syntax_error_elsewhere: Complete, "dev.mdl", "  rollout     = ¦", edit = ("  rollout     = all_at_once\n  autoscaling = true", "  rollout     = \n  autoscaling = = true");

    // Signature help in records.
    signature_of_a_construct: Signature, "platform.mdl", "    cpu     = ¦1 vcpu";
    signature_of_a_nested_record: Signature, "platform.mdl", "      vpc_id         = ¦core.vpc_id";
    signature_of_the_settings: Signature, "dev.mdl", "  image_tag = ¦\"dev-latest\"";
    signature_outside_a_record: Signature, "platform.mdl", "  publish vpc_id = ¦vpc.id";

    // Outline, folding, tokens, workspace symbols.
    symbols_of_the_platform: Symbols, "platform.mdl", "¦// specs/platform.mdl";
    symbols_of_an_environment: Symbols, "prod.mdl", "¦environment prod";
    folding_of_the_platform: Folding, "platform.mdl", "¦// specs/platform.mdl";
    tokens_of_the_platform: Tokens, "platform.mdl", "¦// specs/platform.mdl";
    tokens_of_an_environment: Tokens, "dev.mdl", "¦// specs/dev.mdl";
    workspace_symbols_matching_django: WorkspaceSymbols("django"), "platform.mdl", "¦// specs/platform.mdl";
    workspace_symbols_matching_letters_in_order: WorkspaceSymbols("pgad"), "platform.mdl", "¦// specs/platform.mdl";

    // Inlay hints: quantities in their base unit, the types of values that do not say theirs.
    inlay_hints_of_a_layer: Inlay(80), "platform.mdl", "¦layer core {";
    inlay_hints_of_services: Inlay(70), "platform.mdl", "¦layer microservices {";
    inlay_hints_of_an_environment: Inlay(40), "dev.mdl", "¦environment dev";
    inlay_hints_in_the_range_only: Inlay(1), "platform.mdl", "¦    memory  = 2 GB";
    inlay_hints_with_a_syntax_error_elsewhere: Inlay(70), "platform.mdl", "¦layer microservices {", edit = ("    cpu     = 1 vcpu", "    cpu     = 1 vcpu {{");
}
