//! Golden tests for lowering: the megadolls specs (`specs/`) lowered to one
//! CloudFormation template per layer and environment, reviewed as snapshots
//! (`tests/snapshots/templates__<env>-<layer>.snap`).
//!
//! Besides the snapshots: the same specs always give the same bytes, adding a
//! service renames or changes no other resource, and the checkov skips that
//! stdlib constructs write into resources stay as narrow as their reasons say.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value as Json;

const ENVIRONMENTS: [&str; 2] = ["dev", "prod"];

/// `(stack name, template body)` of every layer of `specs/<env>.mdl`, in deploy order.
fn build(env: &str) -> Vec<(String, String)> {
    let report =
        mdl::check_files(&[PathBuf::from(format!("specs/{env}.mdl"))], &mdl::workspace::DiskFileSystem);
    stacks_of(report)
}

fn stacks_of(report: mdl::Report) -> Vec<(String, String)> {
    let (stacks, warnings) = stacks_and_warnings(report);
    assert!(warnings.is_empty(), "{warnings:?}");
    stacks
}

/// The stacks, and the codes of the warnings lowering gave (errors fail the test).
fn stacks_and_warnings(report: mdl::Report) -> (Vec<(String, String)>, Vec<mdl::diag::Code>) {
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    assert_eq!(report.models.len(), 1, "one environment per entry file");
    let lowered = mdl::cfn::lower(&report.models[0]);
    assert!(lowered.diagnostics.iter().all(|d| !d.is_error()), "{:#?}", lowered.diagnostics);
    let warnings = lowered.diagnostics.iter().map(|d| d.code).collect();
    (lowered.stacks.iter().map(|stack| (stack.stack_name.clone(), stack.template_body())).collect(), warnings)
}

/// Every resource of every stack, by `(stack name, logical id)`.
fn resources(stacks: &[(String, String)]) -> BTreeMap<(String, String), Json> {
    let mut all = BTreeMap::new();
    for (stack, body) in stacks {
        let template: Json = serde_json::from_str(body).expect("templates are JSON");
        let Some(resources) = template["Resources"].as_object() else { panic!("{stack} has no Resources") };
        for (id, resource) in resources {
            all.insert((stack.clone(), id.clone()), resource.clone());
        }
    }
    all
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn templates_of_both_environments() {
    for env in ENVIRONMENTS {
        let stacks = build(env);
        assert_eq!(stacks.len(), 3, "core, microservices, deployment");
        for (stack, body) in stacks {
            // `megadolls-dev-core` → `dev-core`
            let name = stack.trim_start_matches("megadolls-").to_string();
            insta::assert_snapshot!(name, body);
        }
    }
}

#[test]
fn building_twice_gives_the_same_bytes() {
    for env in ENVIRONMENTS {
        assert_eq!(build(env), build(env), "{env}");
    }
}

/// The service added to a copy of `specs/platform.mdl`.
const WORKER: &str = r#"
  service worker = ecs.fargate_service {
    cluster = cluster
    name    = "worker"
    image   = "${core.image_repository}:${env.image_tag}"
    port    = 8080
    log_key = core.encryption_key
  }

  publish cluster_name"#;

#[test]
fn adding_a_service_renames_and_changes_no_other_resource() {
    let platform = read("specs/platform.mdl");
    assert_eq!(platform.matches("\n\n  publish cluster_name").count(), 1, "the insertion point moved");
    let with_worker = platform.replacen("\n\n  publish cluster_name", WORKER, 1);
    for env in ENVIRONMENTS {
        let environment = read(&format!("specs/{env}.mdl"));
        let workspace = mdl::workspace::Workspace::from_memory(&[
            ("specs/platform.mdl", &with_worker),
            (&format!("specs/{env}.mdl"), &environment),
        ]);
        let after = resources(&stacks_of(mdl::run_pipeline(workspace)));
        let before = resources(&build(env));
        for (key, resource) in &before {
            assert_eq!(after.get(key), Some(resource), "{env}: {key:?} was renamed or changed");
        }
        let added: Vec<_> = after.keys().filter(|key| !before.contains_key(*key)).collect();
        assert!(!added.is_empty(), "{env}: the worker added nothing");
        assert!(added.iter().all(|(_, id)| id.starts_with("Worker")), "{env}: {added:?}");
    }
}

/// `(stack, logical id, check)` of every checkov skip a stdlib construct wrote
/// into a resource's `Metadata`, each with its reason.
fn checkov_skips(stacks: &[(String, String)]) -> BTreeMap<(String, String, String), String> {
    let mut skips = BTreeMap::new();
    for ((stack, id), resource) in resources(stacks) {
        let listed = resource["Metadata"]["checkov"]["skip"].as_array().cloned().unwrap_or_default();
        for skip in listed {
            let check = skip["id"].as_str().unwrap_or_else(|| panic!("{stack} {id}: a skip without id"));
            let reason = skip["comment"].as_str().unwrap_or_default();
            assert!(reason.len() > 10, "{stack} {id}: {check} is skipped without a reason");
            skips.insert((stack.clone(), id.clone(), check.to_string()), reason.to_string());
        }
    }
    skips
}

/// No check is skipped globally (`.checkov.yaml`); each skip sits on the one
/// resource its reason covers. These are the only ones megadolls has, and the
/// properties behind each reason hold.
#[test]
fn checkov_skips_stay_as_narrow_as_their_reasons() {
    let config = read(".checkov.yaml");
    assert!(!config.contains("skip-check"), ".checkov.yaml skips checks for every resource");
    for env in ENVIRONMENTS {
        let stacks = build(env);
        let skipped: Vec<(String, String)> =
            checkov_skips(&stacks).into_keys().map(|(_, id, check)| (id, check)).collect();
        let mut expected = vec![
            ("AccessLogsBucket", "CKV_AWS_18"),
            ("CleanupFunction", "CKV_AWS_117"),
            ("DjangoBalancerFirewall", "CKV_AWS_260"),
            ("DjangoListener", "CKV_AWS_103"),
            ("DjangoListener", "CKV_AWS_2"),
            ("ImagesRepository", "CKV_AWS_51"),
            ("TriggerFunction", "CKV_AWS_117"),
        ];
        if env == "dev" {
            expected.push(("DbInstance", "CKV_AWS_157"));
        }
        let mut expected: Vec<(String, String)> =
            expected.into_iter().map(|(id, check)| (id.to_string(), check.to_string())).collect();
        expected.sort();
        let mut skipped = skipped;
        skipped.sort();
        assert_eq!(skipped, expected, "{env}");
        for ((stack, id), resource) in resources(&stacks) {
            let properties = &resource["Properties"];
            match resource["Type"].as_str().unwrap_or_default() {
                // CKV_AWS_18: the log bucket alone does not log.
                "AWS::S3::Bucket" if id != "AccessLogsBucket" => {
                    assert!(
                        properties.get("LoggingConfiguration").is_some(),
                        "{stack} {id} keeps no access logs"
                    );
                }
                // CKV_AWS_157: only dev's database is single-AZ.
                "AWS::RDS::DBInstance" => {
                    assert_eq!(properties["MultiAZ"], Json::Bool(env == "prod"), "{stack} {id}");
                }
                // CKV_AWS_51: only the release tags move.
                "AWS::ECR::Repository" => {
                    assert_eq!(properties["ImageTagMutability"], "IMMUTABLE_WITH_EXCLUSION", "{stack} {id}");
                    let mutable: Vec<&Json> = properties["ImageTagMutabilityExclusionFilters"]
                        .as_array()
                        .map(|filters| {
                            filters.iter().map(|f| &f["ImageTagMutabilityExclusionFilterValue"]).collect()
                        })
                        .unwrap_or_default();
                    assert_eq!(mutable, ["latest", "dev-latest"], "{stack} {id}");
                }
                // Not a skip, but the reason there are so few: every log group is encrypted.
                "AWS::Logs::LogGroup" => {
                    assert!(
                        properties.get("KmsKeyId").is_some(),
                        "{stack} {id} is not encrypted with the key"
                    );
                }
                _ => {}
            }
        }
    }
}

/// `(stacks of specs/<env>.mdl, with `edit` applied to one spec file)`.
fn build_edited(env: &str, file: &str, from: &str, to: &str) -> Vec<(String, String)> {
    let (stacks, warnings) = build_edited_with_warnings(env, file, from, to);
    assert!(warnings.is_empty(), "{warnings:?}");
    stacks
}

fn build_edited_with_warnings(
    env: &str,
    file: &str,
    from: &str,
    to: &str,
) -> (Vec<(String, String)>, Vec<mdl::diag::Code>) {
    let mut files: Vec<(String, String)> = ["platform", env]
        .iter()
        .map(|name| (format!("specs/{name}.mdl"), read(&format!("specs/{name}.mdl"))))
        .collect();
    let target = files.iter_mut().find(|(path, _)| path == file).unwrap_or_else(|| panic!("no {file}"));
    assert_eq!(target.1.matches(from).count(), 1, "the edit point moved in {file}");
    target.1 = target.1.replacen(from, to, 1);
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    stacks_and_warnings(mdl::run_pipeline(mdl::workspace::Workspace::from_memory(&borrowed)))
}

/// A skip needs its reason: without the spec's `single_az_because`, dev's
/// single-zone database is reported; without `plain_http_because`, the plain
/// HTTP load balancer is, by checkov and, prod being protected, by mdl (W0520).
#[test]
fn a_skip_whose_reason_the_spec_gives_goes_with_the_reason() {
    let dev =
        build_edited("dev", "specs/dev.mdl", "    single_az_because   = \"dev's data can be rebuilt\"\n", "");
    assert!(!checkov_skips(&dev).keys().any(|(_, _, check)| check == "CKV_AWS_157"));
    let (prod, warnings) = build_edited_with_warnings(
        "prod",
        "specs/platform.mdl",
        "      plain_http_because = \"megadolls has no domain, hence no certificate, yet\"\n",
        "",
    );
    assert_eq!(warnings, [mdl::diag::Code::PlainHttpWhileProtected]);
    let http: Vec<_> = checkov_skips(&prod)
        .into_keys()
        .filter(|(_, id, _)| id.starts_with("DjangoListener") || id == "DjangoBalancerFirewall")
        .collect();
    assert!(http.is_empty(), "{http:?}");
}

/// The specs have no certificate yet; this is what setting one in an
/// environment does to the web service's load balancer.
#[test]
fn a_certificate_turns_on_https_and_redirects_http() {
    const CERTIFICATE: &str =
        "arn:aws:acm:af-south-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";
    let prod = read("specs/prod.mdl");
    assert_eq!(prod.matches("\n  autoscaling = true\n").count(), 1, "the insertion point moved");
    let with_certificate = prod.replacen(
        "\n  autoscaling = true\n",
        &format!("\n  autoscaling = true\n  certificate = \"{CERTIFICATE}\"\n"),
        1,
    );
    let platform = read("specs/platform.mdl");
    let workspace = mdl::workspace::Workspace::from_memory(&[
        ("specs/platform.mdl", &platform),
        ("specs/prod.mdl", &with_certificate),
    ]);
    let all = resources(&stacks_of(mdl::run_pipeline(workspace)));
    let get = |id: &str| {
        all.get(&("megadolls-prod-microservices".to_string(), id.to_string()))
            .unwrap_or_else(|| panic!("no {id}"))
            .clone()
    };
    let https = &get("DjangoSecureListener")["Properties"];
    assert_eq!(https["Protocol"], "HTTPS");
    assert_eq!(https["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
    assert_eq!(https["Certificates"][0]["CertificateArn"], CERTIFICATE);
    let http = &get("DjangoListener")["Properties"];
    assert_eq!(http["DefaultActions"][0]["Type"], "redirect");
    assert_eq!(http["DefaultActions"][0]["RedirectConfig"]["Protocol"], "HTTPS");
    assert_eq!(get("DjangoProduction")["Properties"]["ListenerArn"]["Ref"], "DjangoSecureListener");
    let firewall = get("DjangoBalancerFirewall");
    let ports: Vec<&Json> = firewall["Properties"]["SecurityGroupIngress"]
        .as_array()
        .map_or(vec![], |rules| rules.iter().map(|rule| &rule["FromPort"]).collect());
    assert_eq!(ports, [80, 443]);
    // Without one (the specs as they are), no HTTPS listener.
    let today = resources(&build("prod"));
    assert!(!today
        .contains_key(&("megadolls-prod-microservices".to_string(), "DjangoSecureListener".to_string())));
}
