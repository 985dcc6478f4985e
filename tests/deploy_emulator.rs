//! `mdl plan` / `mdl deploy` against a real local CloudFormation server (moto +
//! tests/emulator/cfn_changeset_patch.py), through the real `mdl` binary.
//!
//! With `MDL_TEST_ENDPOINT` set (tests/emulator/run-tests.sh, or
//! `eval "$(tests/emulator/emulator.sh start)"`), the test uses that server.
//! Without it, the test starts tests/emulator/emulator.sh itself on a free
//! port and stops it at the end, so a plain `cargo test` runs it for real; if
//! the emulator cannot start (no python3, no PyPI for its first venv) the test
//! FAILS with how to run it: it never passes silently. Only
//! `MDL_SKIP_EMULATOR_TESTS=1` skips it, on purpose.
//!
//! The server is one shared process: the steps run in one test function, in
//! order, and reset the emulator (POST /moto-api/reset) where they need a clean
//! slate. Each step works on its own copy of tests/deploy/spec.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use aws_sdk_cloudformation as cfn;
use serde_json::Value as Json;

const SPEC: &str = "tests/deploy/spec";
const STACKS: [&str; 3] = ["shop-dev-core", "shop-dev-app", "shop-dev-ops"];

/// The emulator the test talks to: one given by `MDL_TEST_ENDPOINT`, or one
/// this test starts on a free port and stops when dropped.
struct Server {
    url: String,
    own_port: Option<u16>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(port) = self.own_port {
            let _ = Command::new("bash")
                .arg(emulator_script())
                .arg("stop")
                .env("MDL_EMULATOR_PORT", port.to_string())
                .status();
        }
    }
}

fn emulator_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/emulator/emulator.sh")
}

fn server() -> Option<Server> {
    if let Ok(url) = std::env::var("MDL_TEST_ENDPOINT") {
        if !url.is_empty() {
            return Some(Server { url, own_port: None });
        }
    }
    if std::env::var("MDL_SKIP_EMULATOR_TESTS").is_ok_and(|v| v == "1") {
        return None;
    }
    Some(start_own())
}

/// Start tests/emulator/emulator.sh on a free port (installing its venv on first use).
fn start_own() -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let out = Command::new("bash")
        .arg(emulator_script())
        .arg("start")
        .env("MDL_EMULATOR_PORT", port.to_string())
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    let exports = String::from_utf8_lossy(&out.stdout);
    let url = exports.lines().find_map(|l| l.strip_prefix("export MDL_TEST_ENDPOINT=")).map(str::to_string);
    match url {
        Some(url) if out.status.success() => Server { url, own_port: Some(port) },
        _ => panic!(
            "the deploy tests need the local CloudFormation emulator and could not start it:\n{}\n\
             Run them with `tests/emulator/run-tests.sh`, or start it with `eval \"$(tests/emulator/emulator.sh start)\"`\n\
             (sets MDL_TEST_ENDPOINT). It needs python3 and PyPI for its venv on first use.\n\
             Set MDL_SKIP_EMULATOR_TESTS=1 to skip these tests on purpose.",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// A copy of the test spec in a fresh directory, with `edits` (from, to) applied to platform.mdl.
fn spec_copy(name: &str, edits: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mdl-deploy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for file in ["platform.mdl", "dev.mdl", "prod.mdl"] {
        let mut text = std::fs::read_to_string(Path::new(SPEC).join(file)).expect("spec file");
        if file == "platform.mdl" {
            for (from, to) in edits {
                assert!(text.contains(from), "edit `{from}` does not apply");
                text = text.replace(from, to);
            }
        }
        std::fs::write(dir.join(file), text).expect("write spec");
    }
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn text(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
    fn json(&self) -> Json {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.text()))
    }
}

fn mdl(url: &str, dir: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mdl"));
    command.args(args).current_dir(dir).stdin(Stdio::null());
    if !args.iter().any(|a| a.starts_with("--endpoint-url")) {
        command.args(["--endpoint-url", url]);
    }
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("MDL_POLL_MS", "50,200")
        .env_remove("AWS_PROFILE");
    let Output { status, stdout, stderr } = command.output().expect("mdl runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// POST `body` to the emulator with the JSON protocol's `target`, signed for
/// `region` (the emulator reads the region from the credential scope).
fn post_json(url: &str, region: &str, service: &str, target: &str, body: &str) -> Json {
    let hostport = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(hostport).expect("emulator reachable");
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {hostport}\r\nX-Amz-Target: {target}\r\nContent-Type: application/x-amz-json-1.1\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20240101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send request");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{target}: not JSON ({e}): {answer}"))
}

/// POST /moto-api/reset: wipe every emulator resource.
fn reset(url: &str) {
    let hostport = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(hostport).expect("emulator reachable");
    let request = format!(
        "POST /moto-api/reset HTTP/1.1\r\nHost: {hostport}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("send reset");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"),
        "reset failed: {answer}"
    );
}

/// A CloudFormation client on the emulator, to check what mdl did.
struct Emulator {
    runtime: tokio::runtime::Runtime,
    url: String,
}

impl Emulator {
    fn client(&self, region: &str) -> cfn::Client {
        let creds = cfn::config::Credentials::new("testing", "testing", None, None, "test");
        let config = cfn::Config::builder()
            .behavior_version(cfn::config::BehaviorVersion::latest())
            .region(cfn::config::Region::new(region.to_string()))
            .endpoint_url(&self.url)
            .credentials_provider(creds)
            .build();
        cfn::Client::from_conf(config)
    }

    /// Status and termination protection of `stack`, or None.
    fn stack(&self, region: &str, stack: &str) -> Option<(String, bool)> {
        let client = self.client(region);
        let out = self.runtime.block_on(client.describe_stacks().stack_name(stack).send()).ok()?;
        let s = out.stacks().first()?;
        Some((s.stack_status()?.as_str().to_string(), s.enable_termination_protection().unwrap_or(false)))
    }

    fn change_sets(&self, stack: &str) -> usize {
        let client = self.client("us-east-1");
        let out = self.runtime.block_on(client.list_change_sets().stack_name(stack).send());
        out.map(|o| o.summaries().len()).unwrap_or(0)
    }

    fn resources(&self, stack: &str) -> Vec<String> {
        let client = self.client("us-east-1");
        let out = self.runtime.block_on(client.describe_stack_resources().stack_name(stack).send());
        out.map(|o| {
            o.stack_resources().iter().filter_map(|r| r.logical_resource_id().map(str::to_string)).collect()
        })
        .unwrap_or_default()
    }
}

fn layer<'j>(plan: &'j Json, name: &str) -> &'j Json {
    plan["layers"].as_array().and_then(|l| l.iter().find(|l| l["layer"] == name)).expect("layer in plan")
}

#[test]
fn plan_and_deploy_against_the_emulator() {
    let Some(server) = server() else {
        eprintln!("skipped: MDL_SKIP_EMULATOR_TESTS=1");
        return;
    };
    let url = server.url.clone();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let emulator = Emulator { runtime, url: url.clone() };
    the_megadolls_specs_deploy_and_then_are_unchanged(&emulator);
    first_plan_executes_nothing(&emulator);
    first_deploy_creates_three_stacks_and_the_second_is_a_no_op(&emulator);
    an_edit_gives_an_update_change_set(&emulator);
    removing_a_log_group_is_refused_without_allow_replace(&emulator);
    deploy_without_a_terminal_or_yes_stops(&emulator);
    a_rejected_template_stops_before_later_layers(&emulator);
    a_failed_first_deploy_is_explained(&emulator);
    prod_goes_to_its_region_with_termination_protection(&emulator);
    a_large_template_goes_through_s3(&emulator);
    aws_errors_are_explained(&emulator);
    every_environment_of_the_examples_deploys(&emulator);
}

/// specs/dev.mdl and specs/prod.mdl: three stacks each, in their own regions;
/// a second deploy of each is unchanged with at most three reads per layer.
fn the_megadolls_specs_deploy_and_then_are_unchanged(emulator: &Emulator) {
    reset(&emulator.url);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (spec, region) in [("specs/dev.mdl", "us-east-1"), ("specs/prod.mdl", "af-south-1")] {
        let run = mdl(&emulator.url, root, &["deploy", spec, "--yes"]);
        assert_eq!(run.code, 0, "{spec}: {}", run.text());
        let env = if region == "us-east-1" { "dev" } else { "prod" };
        for layer in ["core", "microservices", "deployment"] {
            let stack = format!("megadolls-{env}-{layer}");
            let found = emulator.stack(region, &stack);
            assert_eq!(found.map(|s| s.0).as_deref(), Some("CREATE_COMPLETE"), "{stack} in {region}");
        }
        let again = mdl(&emulator.url, root, &["deploy", spec, "--yes", "--format", "json"]);
        assert_eq!(again.code, 0, "{spec}: {}", again.text());
        let result = again.json();
        for layer in ["core", "microservices", "deployment"] {
            assert_eq!(self::layer(&result, layer)["status"], "unchanged", "{spec} {layer}");
        }
        assert_eq!(result["api_calls"]["change_sets_created"], 0);
        assert!(result["api_calls"]["reads"].as_u64().is_some_and(|r| r <= 9), "{result}");
    }
}

fn first_plan_executes_nothing(emulator: &Emulator) {
    reset(&emulator.url);
    let dir = spec_copy("plan", &[]);
    let run = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let plan = run.json();
    assert_eq!(plan["schema"], "mdl.plan/1");
    assert_eq!(layer(&plan, "core")["status"], "create");
    assert_eq!(layer(&plan, "core")["changes"].as_array().map(Vec::len), Some(5));
    assert_eq!(layer(&plan, "core")["changes"][0]["source"]["line"], 16);
    assert_eq!(layer(&plan, "app")["status"], "from_template");
    assert!(layer(&plan, "app")["reason"].as_str().is_some_and(|r| r.contains("depends on core")));
    assert_eq!(layer(&plan, "ops")["status"], "from_template");
    for stack in STACKS {
        assert_eq!(emulator.stack("us-east-1", stack), None, "plan left {stack} behind");
    }
}

fn first_deploy_creates_three_stacks_and_the_second_is_a_no_op(emulator: &Emulator) {
    reset(&emulator.url);
    let dir = spec_copy("deploy", &[]);
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("core  created"), "{}", run.stdout);
    for stack in STACKS {
        assert_eq!(emulator.stack("us-east-1", stack), Some(("CREATE_COMPLETE".into(), false)), "{stack}");
    }
    // moto keeps executed change sets listed (AWS drops them): count them before.
    let before: Vec<usize> = STACKS.iter().map(|s| emulator.change_sets(s)).collect();
    let again = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes", "--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.text());
    let result = again.json();
    for name in ["core", "app", "ops"] {
        assert_eq!(layer(&result, name)["status"], "unchanged", "{name}");
    }
    assert_eq!(result["api_calls"]["change_sets_created"], 0);
    assert!(
        result["api_calls"]["reads"].as_u64().is_some_and(|r| r <= 9),
        "at most 3 reads per layer: {result}"
    );
    let after: Vec<usize> = STACKS.iter().map(|s| emulator.change_sets(s)).collect();
    assert_eq!(before, after, "the no-op deploy created no change set");
}

fn an_edit_gives_an_update_change_set(emulator: &Emulator) {
    let dir = spec_copy("edit", &[("suffix: string = \"v1\"", "suffix: string = \"v2\"")]);
    let before = emulator.change_sets("shop-dev-app");
    let plan = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.text());
    let plan = plan.json();
    assert_eq!(layer(&plan, "core")["status"], "unchanged");
    let app = layer(&plan, "app");
    assert_eq!(app["status"], "update");
    assert_eq!(app["changes"][0]["action"], "Modify");
    assert_eq!(app["changes"][0]["logical_id"], "Alerts");
    assert_eq!(app["changes"][0]["resource_type"], "AWS::SNS::Topic");
    assert_eq!(emulator.change_sets("shop-dev-app"), before, "plan deletes its change sets");
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("app   updated"), "{}", run.stdout);
    assert_eq!(emulator.stack("us-east-1", "shop-dev-app").map(|s| s.0).as_deref(), Some("UPDATE_COMPLETE"));
}

fn removing_a_log_group_is_refused_without_allow_replace(emulator: &Emulator) {
    let audit = "    resource \"AWS::Logs::LogGroup\" audit { LogGroupName = \"/shop/${env.name}/audit\" } with { DeletionPolicy = \"Retain\", UpdateReplacePolicy = \"Retain\" }\n";
    let dir = spec_copy("remove", &[("suffix: string = \"v1\"", "suffix: string = \"v2\""), (audit, "")]);
    let before = emulator.change_sets("shop-dev-core");
    let plan = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "json"]);
    assert_eq!(plan.code, 1, "a plan with refusals fails: {}", plan.text());
    let planned = plan.json();
    assert_eq!(layer(&planned, "core")["refused"][0]["logical_id"], "Audit");
    assert_eq!(layer(&planned, "core")["refused"][0]["what"], "removes");
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(run.stdout.contains("Remove (refused)"), "{}", run.stdout);
    assert!(run.text().contains("--allow-replace Audit"), "{}", run.text());
    assert!(run.stdout.contains("app   not run"), "{}", run.stdout);
    assert!(emulator.resources("shop-dev-core").contains(&"Audit".to_string()));
    assert_eq!(emulator.change_sets("shop-dev-core"), before, "the refused change set is deleted");
    let allowed = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes", "--allow-replace", "Audit"]);
    assert_eq!(allowed.code, 0, "{}", allowed.text());
    assert!(!emulator.resources("shop-dev-core").contains(&"Audit".to_string()));
}

fn deploy_without_a_terminal_or_yes_stops(emulator: &Emulator) {
    let dir = spec_copy("noyes", &[]);
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl"]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stderr.contains("stdin is not a terminal") && run.stderr.contains("--yes"), "{}", run.stderr);
}

fn a_rejected_template_stops_before_later_layers(emulator: &Emulator) {
    let topic = "TopicName = \"shop-${env.name}-alerts-${env.suffix}\" }";
    let dir = spec_copy("rejected", &[(topic, "TopicName = \"x\" } with { DependsOn = [\"Nowhere\"] }")]);
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(run.stdout.contains("Unresolved resource dependencies [Nowhere]"), "{}", run.stdout);
    assert!(!run.stdout.contains("DispatchFailure"), "no SDK dump: {}", run.stdout);
    assert!(run.stdout.contains("ops   not run"), "{}", run.stdout);
    assert_eq!(emulator.stack("us-east-1", "shop-dev-ops").map(|s| s.0).as_deref(), Some("CREATE_COMPLETE"));
}

fn a_failed_first_deploy_is_explained(emulator: &Emulator) {
    reset(&emulator.url);
    let topic = "TopicName = \"shop-${env.name}-alerts-${env.suffix}\"";
    let dir = spec_copy("rollback", &[(topic, "TopicName = \"bad topic!\"")]);
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(run.stdout.contains("shop-dev-app ended in ROLLBACK_COMPLETE"), "{}", run.stdout);
    assert!(run.stdout.contains("Topic names must be made up of"), "CloudFormation's reason: {}", run.stdout);
    assert!(run.stdout.contains("ops   not run"), "{}", run.stdout);
    let again = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(again.code, 1, "{}", again.text());
    assert!(again.stdout.contains("app   blocked"), "{}", again.stdout);
    assert!(again
        .stdout
        .contains("aws cloudformation delete-stack --stack-name shop-dev-app --region us-east-1"));
}

fn prod_goes_to_its_region_with_termination_protection(emulator: &Emulator) {
    reset(&emulator.url);
    let dir = spec_copy("prod", &[]);
    let wrong = mdl(&emulator.url, &dir, &["deploy", "prod.mdl", "--yes", "--region", "us-east-1"]);
    assert_eq!(wrong.code, 2, "{}", wrong.text());
    assert!(
        wrong.stderr.contains("disagrees with the spec") && wrong.stderr.contains("af-south-1"),
        "{}",
        wrong.stderr
    );
    let run = mdl(&emulator.url, &dir, &["deploy", "prod.mdl", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    for stack in ["shop-prod-core", "shop-prod-app", "shop-prod-ops"] {
        assert_eq!(emulator.stack("af-south-1", stack), Some(("CREATE_COMPLETE".into(), true)), "{stack}");
        assert_eq!(emulator.stack("us-east-1", stack), None, "{stack} in the wrong region");
    }
}

/// A layer over 51,200 bytes: an error before any call without a bucket, an
/// upload to the bucket (which core creates) with `--template-bucket`.
fn a_large_template_goes_through_s3(emulator: &Emulator) {
    reset(&emulator.url);
    let dir = spec_copy("large", &[]);
    let pad = "x".repeat(200);
    let mut bulk = String::from("\nlayer bulk {\n");
    for i in 0..220 {
        bulk.push_str(&format!(
            "    resource \"AWS::SNS::Topic\" topic_{i} {{ TopicName = \"t{i}-{pad}\" }}\n"
        ));
    }
    bulk.push_str("}\n");
    let platform = dir.join("platform.mdl");
    let text = std::fs::read_to_string(&platform).expect("spec") + &bulk;
    std::fs::write(&platform, text).expect("write spec");
    let refused = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(refused.code, 1, "{}", refused.text());
    assert!(refused.stderr.contains("over the 51,200 bytes") && refused.stderr.contains("--template-bucket"));
    assert_eq!(emulator.stack("us-east-1", "shop-dev-core"), None, "nothing was sent");
    let core = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes", "--layer", "core"]);
    assert_eq!(core.code, 0, "{}", core.text());
    let run =
        mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes", "--template-bucket", "shop-dev-assets"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert_eq!(emulator.stack("us-east-1", "shop-dev-bulk").map(|s| s.0).as_deref(), Some("CREATE_COMPLETE"));
}

fn aws_errors_are_explained(emulator: &Emulator) {
    let dir = spec_copy("errors", &[]);
    let down = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--endpoint-url", "http://127.0.0.1:9"]);
    assert_eq!(down.code, 1, "{}", down.text());
    assert!(down.stdout.contains("Nothing answered at http://127.0.0.1:9"), "{}", down.stdout);
    assert!(!down.stdout.contains("DispatchFailure"), "no SDK dump: {}", down.stdout);
}

/// Every environment of each example under examples/ deploys (each in its
/// region, its HTTPS listeners on a certificate the emulator's ACM issued),
/// and a second deploy of one of them changes nothing.
fn every_environment_of_the_examples_deploys(emulator: &Emulator) {
    reset(&emulator.url);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for (example, stacks) in
        [("web-api", ["core", "data", "app"]), ("internal-services", ["core", "services", "release"])]
    {
        let dir = std::env::temp_dir().join(format!("mdl-deploy-{}-{example}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut environments = Vec::new();
        for entry in std::fs::read_dir(root.join(example)).expect("example folder").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            std::fs::write(dir.join(&name), with_issued_certificates(&emulator.url, &text))
                .expect("write example");
            if let Some(environment) = name.strip_suffix(".mdl").filter(|n| *n != "platform") {
                environments.push(environment.to_string());
            }
        }
        assert!(environments.len() >= 3, "{example}: {environments:?}");
        for environment in &environments {
            let run = mdl(
                &emulator.url,
                &dir,
                &["deploy", &format!("{environment}.mdl"), "--yes", "--format", "json"],
            );
            assert_eq!(run.code, 0, "{example} {environment}: {}", run.text());
            let result = run.json();
            let region = result["region"].as_str().unwrap_or_default().to_string();
            for layer in stacks {
                let stack = format!("{}-{environment}-{layer}", example_project(example));
                let found = emulator.stack(&region, &stack).map(|s| s.0);
                assert_eq!(found.as_deref(), Some("CREATE_COMPLETE"), "{stack} in {region}: {}", run.text());
            }
        }
        let again = mdl(&emulator.url, &dir, &["deploy", "prod.mdl", "--yes", "--format", "json"]);
        assert_eq!(again.code, 0, "{example}: {}", again.text());
        let result = again.json();
        for layer in stacks {
            assert_eq!(self::layer(&result, layer)["status"], "unchanged", "{example} {layer}");
        }
    }
}

/// `text` with each ACM certificate ARN (an example's placeholder) replaced
/// by one the emulator's ACM issued in the same region.
fn with_issued_certificates(url: &str, text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("arn:aws:acm:") {
        let end = rest[start..].find('"').map_or(rest.len(), |e| start + e);
        let region = rest[start..end].split(':').nth(3).unwrap_or("us-east-1");
        let request = r#"{"DomainName": "api.example.com"}"#;
        let issued = post_json(url, region, "acm", "CertificateManager.RequestCertificate", request);
        out.push_str(&rest[..start]);
        out.push_str(issued["CertificateArn"].as_str().expect("a certificate ARN"));
        rest = &rest[end..];
    }
    out + rest
}

fn example_project(example: &str) -> &'static str {
    match example {
        "web-api" => "gallery",
        _ => "ledger",
    }
}
