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

use std::collections::BTreeMap;
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

/// A copy of the test spec in a fresh directory, with `edits` (from, to)
/// applied to platform.mdl.
fn spec_copy(name: &str, edits: &[(&str, &str)]) -> PathBuf {
    let edits: Vec<(&str, &str, &str)> =
        edits.iter().map(|(from, to)| ("platform.mdl", *from, *to)).collect();
    spec_copy_in(name, &edits)
}

/// A copy of the test spec with `edits` (file, from, to).
fn spec_copy_in(name: &str, edits: &[(&str, &str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mdl-deploy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for file in ["platform.mdl", "dev.mdl", "prod.mdl"] {
        let mut text = std::fs::read_to_string(Path::new(SPEC).join(file)).expect("spec file");
        for (_, from, to) in edits.iter().filter(|(f, _, _)| *f == file) {
            assert!(text.contains(from), "edit `{from}` does not apply to {file}");
            text = text.replacen(from, to, 1);
        }
        std::fs::write(dir.join(file), text).expect("write spec");
    }
    dir
}

/// The 1-based line of `dir/file` that contains `needle`.
fn line_of(dir: &Path, file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(file)).expect("spec file");
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1).expect("needle in file")
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

/// The environment every mdl run gets: the emulator's static credentials,
/// no instance metadata, short polling.
fn aws_env(command: &mut Command) -> &mut Command {
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("MDL_POLL_MS", "50,200")
        .env_remove("AWS_PROFILE")
}

fn mdl(url: &str, dir: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mdl"));
    command.args(args).current_dir(dir).stdin(Stdio::null());
    if !args.iter().any(|a| a.starts_with("--endpoint-url")) {
        command.args(["--endpoint-url", url]);
    }
    let Output { status, stdout, stderr } = aws_env(&mut command).output().expect("mdl runs");
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

/// What to type at the next prompt of an interactive run.
enum Reply {
    Line(&'static str),
    /// Ctrl-C on the terminal: the line discipline sends SIGINT to mdl.
    CtrlC,
}

/// Run mdl on a terminal (util-linux `script` gives it a pseudo-terminal),
/// typing `replies` as each `[y/N]` prompt appears: deterministic, however
/// long each step takes.
fn interactive(url: &str, dir: &Path, args: &[&str], replies: &[Reply]) -> Run {
    let mut line = vec![env!("CARGO_BIN_EXE_mdl").to_string()];
    line.extend(args.iter().map(|a| a.to_string()));
    line.extend(["--endpoint-url".to_string(), url.to_string()]);
    let quoted: Vec<String> = line.iter().map(|a| format!("'{}'", a.replace('\'', "'\\''"))).collect();
    let mut command = Command::new("script");
    command.args(["-q", "-e", "-c", &quoted.join(" "), "/dev/null"]).current_dir(dir);
    let mut child = aws_env(&mut command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut stdout = child.stdout.take().expect("stdout");
    let collected = output.clone();
    let reader = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buffer) {
            if n == 0 {
                break;
            }
            collected.lock().expect("lock").push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
    let mut stdin = child.stdin.take().expect("stdin");
    for (i, reply) in replies.iter().enumerate() {
        let started = std::time::Instant::now();
        while output.lock().expect("lock").matches("[y/N]").count() <= i {
            assert!(
                started.elapsed().as_secs() < 180,
                "no prompt {}: {}",
                i + 1,
                output.lock().expect("lock")
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let bytes: &[u8] = match reply {
            Reply::Line(text) => &[text.as_bytes(), b"\n"].concat(),
            Reply::CtrlC => b"\x03",
        };
        stdin.write_all(bytes).expect("type");
        stdin.flush().expect("flush");
    }
    let status = child.wait().expect("mdl ends");
    drop(stdin);
    let _ = reader.join();
    let text = output.lock().expect("lock").replace('\r', "");
    Run { code: status.code().unwrap_or(-1), stdout: text, stderr: String::new() }
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

    /// The tags of `stack`.
    fn tags(&self, region: &str, stack: &str) -> Vec<(String, String)> {
        let client = self.client(region);
        let out = self.runtime.block_on(client.describe_stacks().stack_name(stack).send());
        let Ok(out) = out else { return Vec::new() };
        let tags = out.stacks().first().map(|s| s.tags().to_vec()).unwrap_or_default();
        tags.iter()
            .map(|t| (t.key().unwrap_or("").to_string(), t.value().unwrap_or("").to_string()))
            .collect()
    }

    /// Status and termination protection of `stack`, or None.
    fn stack(&self, region: &str, stack: &str) -> Option<(String, bool)> {
        let client = self.client(region);
        let out = self.runtime.block_on(client.describe_stacks().stack_name(stack).send()).ok()?;
        let s = out.stacks().first()?;
        Some((s.stack_status()?.as_str().to_string(), s.enable_termination_protection().unwrap_or(false)))
    }

    /// The instances of the StackSet `name` (administered from us-east-1) as
    /// (region, status), sorted; None when there is no such StackSet.
    fn stack_set_instances(&self, name: &str) -> Option<Vec<(String, String)>> {
        let client = self.client("us-east-1");
        let set = self.runtime.block_on(client.describe_stack_set().stack_set_name(name).send()).ok()?;
        if set.stack_set().and_then(|s| s.status()).map(|s| s.as_str()) != Some("ACTIVE") {
            return None;
        }
        let out = self.runtime.block_on(client.list_stack_instances().stack_set_name(name).send()).ok()?;
        let mut found: Vec<(String, String)> = out
            .summaries()
            .iter()
            .map(|i| {
                (i.region().unwrap_or("").to_string(), i.status().map_or("", |s| s.as_str()).to_string())
            })
            .collect();
        found.sort();
        Some(found)
    }

    /// The names of the live stacks of `region`.
    fn stacks_in(&self, region: &str) -> Vec<String> {
        let client = self.client(region);
        let out = self.runtime.block_on(client.describe_stacks().send());
        out.map(|o| {
            o.stacks()
                .iter()
                .filter(|s| s.stack_status().map(|s| s.as_str()) != Some("DELETE_COMPLETE"))
                .filter_map(|s| s.stack_name().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
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
    a_plan_shows_each_changed_value_and_the_line_that_wrote_it(&emulator);
    a_plan_follows_a_published_value_into_the_layer_that_reads_it(&emulator);
    plan_out_then_deploy_plan_executes_exactly_what_was_reviewed(&emulator);
    credentials_of_another_account_are_refused(&emulator);
    removing_a_kms_key_is_refused_and_a_retained_log_group_may_go(&emulator);
    no_at_the_second_layer_says_the_first_was_applied(&emulator);
    ctrl_c_at_a_prompt_executes_nothing_more(&emulator);
    deploy_without_a_terminal_or_yes_stops(&emulator);
    a_rejected_template_stops_before_later_layers(&emulator);
    a_failed_first_deploy_is_explained(&emulator);
    prod_goes_to_its_region_with_termination_protection_and_tags(&emulator);
    a_large_template_goes_through_s3(&emulator);
    aws_errors_are_explained(&emulator);
    every_environment_of_the_examples_deploys(&emulator);
    outputs_then_destroy_of_megadolls_dev_leave_no_stack_and_no_published_value(&emulator);
    a_renamed_layer_leaves_an_orphan_that_plan_reports_and_destroy_removes(&emulator);
    a_stack_set_layer_across_two_regions_deploys_and_is_destroyed(&emulator);
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
            assert_eq!(found.clone().map(|s| s.0).as_deref(), Some("CREATE_COMPLETE"), "{stack} in {region}");
            assert_eq!(found.map(|s| s.1), Some(env == "prod"), "{stack}: protect = true in prod only");
        }
        let again = mdl(&emulator.url, root, &["deploy", spec, "--yes", "--format", "json"]);
        assert_eq!(again.code, 0, "{spec}: {}", again.text());
        let result = again.json();
        for layer in ["core", "microservices", "deployment"] {
            assert_eq!(self::layer(&result, layer)["status"], "unchanged", "{spec} {layer}");
        }
        assert_eq!(result["account"], "123456789012");
        assert_eq!(result["api_calls"]["change_sets_created"], 0);
        assert!(result["api_calls"]["reads"].as_u64().is_some_and(|r| r <= 10), "{result}");
    }
}

fn first_plan_executes_nothing(emulator: &Emulator) {
    reset(&emulator.url);
    let dir = spec_copy("plan", &[]);
    let run = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let plan = run.json();
    assert_eq!(plan["schema"], "mdl.plan/2");
    assert_eq!(plan["account"], "123456789012");
    assert_eq!(layer(&plan, "core")["status"], "create");
    assert_eq!(layer(&plan, "core")["changes"].as_array().map(Vec::len), Some(7));
    let assets = layer(&plan, "core")["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["logical_id"] == "Assets"))
        .expect("Assets");
    assert_eq!(assets["source"]["line"], line_of(&dir, "platform.mdl", "\"AWS::S3::Bucket\" assets"));
    assert_eq!(layer(&plan, "app")["status"], "from_template");
    assert!(layer(&plan, "app")["reason"].as_str().is_some_and(|r| r.contains("depends on core")));
    assert_eq!(layer(&plan, "ops")["status"], "from_template");
    assert_eq!(plan["diagnostics"][0]["code"], "W0601", "the raw KMS key keeps no data: {plan}");
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
    assert!(run.stdout.contains("applied: core (created), app (created), ops (created)"), "{}", run.stdout);
    for stack in STACKS {
        assert_eq!(emulator.stack("us-east-1", stack), Some(("CREATE_COMPLETE".into(), false)), "{stack}");
    }
    let tags = emulator.tags("us-east-1", "shop-dev-core");
    for tag in [("mdl:project", "shop"), ("mdl:environment", "dev"), ("mdl:layer", "core"), ("team", "shop")]
    {
        assert!(tags.contains(&(tag.0.to_string(), tag.1.to_string())), "{tag:?} in {tags:?}");
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
        result["api_calls"]["reads"].as_u64().is_some_and(|r| r <= 10),
        "STS once, at most 3 reads per layer: {result}"
    );
    let after: Vec<usize> = STACKS.iter().map(|s| emulator.change_sets(s)).collect();
    assert_eq!(before, after, "the no-op deploy created no change set");
}

/// An environment setting edited in dev.mdl: the plan names the property,
/// both values and the dev.mdl line; `--detailed-exitcode` exits 3.
fn a_plan_shows_each_changed_value_and_the_line_that_wrote_it(emulator: &Emulator) {
    let dir = spec_copy_in("property", &[("dev.mdl", "\"Shop alerts\"", "\"Shop alerts v2\"")]);
    let before = emulator.change_sets("shop-dev-app");
    let run = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "json", "--detailed-exitcode"]);
    assert_eq!(run.code, 3, "changes, with --detailed-exitcode: {}", run.text());
    let plan = run.json();
    assert_eq!(layer(&plan, "core")["status"], "unchanged");
    let app = layer(&plan, "app");
    assert_eq!(app["status"], "update");
    let alerts = &app["changes"][0];
    assert_eq!((alerts["action"].as_str(), alerts["logical_id"].as_str()), (Some("Modify"), Some("Alerts")));
    let property = &alerts["properties"][0];
    assert_eq!(property["path"], "DisplayName");
    assert_eq!(property["before"], "\"Shop alerts\"");
    assert_eq!(property["after"], "\"Shop alerts v2\"");
    assert_eq!(property["source"]["file"], "dev.mdl");
    assert_eq!(property["source"]["line"], line_of(&dir, "dev.mdl", "alerts_name"));
    assert_eq!(emulator.change_sets("shop-dev-app"), before, "plan deletes its change sets");
    let text = mdl(&emulator.url, &dir, &["plan", "dev.mdl"]);
    assert_eq!(text.code, 0, "{}", text.text());
    let line = format!(
        "DisplayName: \"Shop alerts\" → \"Shop alerts v2\"  dev.mdl:{}",
        line_of(&dir, "dev.mdl", "alerts_name")
    );
    assert!(text.stdout.contains(&line), "{}", text.stdout);
    let markdown = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "markdown"]);
    assert!(
        markdown.stdout.starts_with("### mdl plan: shop dev (account 123456789012, us-east-1)"),
        "{}",
        markdown.stdout
    );
    assert!(markdown.stdout.contains("**0 to add, 1 to change"), "{}", markdown.stdout);
}

/// A published value edited: core's parameter changes now, and app (which
/// reads it) is shown as changing once core is deployed.
fn a_plan_follows_a_published_value_into_the_layer_that_reads_it(emulator: &Emulator) {
    let dir = spec_copy_in("follow", &[("dev.mdl", "\"blue\"", "\"green\"")]);
    let run = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let plan = run.json();
    let core = layer(&plan, "core");
    assert_eq!(core["status"], "update");
    assert_eq!(core["changes"][0]["logical_id"], "PublishedLabel");
    assert_eq!(core["changes"][0]["replacement"], "False", "Value is not create-only");
    assert_eq!(core["changes"][0]["properties"][0]["after"], "\"shop-green\"");
    let app = layer(&plan, "app");
    assert_eq!(app["status"], "will_change", "not \"no changes\": {app}");
    assert_eq!(app["deferred"], true);
    assert_eq!(app["inputs_change"][0]["layer"], "core");
    assert_eq!(app["inputs_change"][0]["readers"], serde_json::json!(["LabelCopy"]));
    let text = mdl(&emulator.url, &dir, &["plan", "dev.mdl"]);
    assert!(
        text.stdout.contains("will change once core is deployed: LabelCopy read /shop/infra/label"),
        "{}",
        text.stdout
    );
}

/// `plan --out` keeps core's change set and marks app deferred; `deploy
/// --plan` executes that change set (no new one for core) and makes app's
/// then. A plan whose stack changed since is refused.
fn plan_out_then_deploy_plan_executes_exactly_what_was_reviewed(emulator: &Emulator) {
    let dir = spec_copy_in("exact", &[("dev.mdl", "\"blue\"", "\"green\"")]);
    let planned = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--out", "reviewed.json"]);
    assert_eq!(planned.code, 0, "{}", planned.text());
    let file: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reviewed.json")).expect("plan file"))
            .expect("json");
    assert_eq!(file["schema"], "mdl.planfile/1");
    assert!(file["layers"][0]["change_set"].is_string(), "core's change set is kept: {file}");
    assert_eq!(file["layers"][1]["deferred"], true);
    let run = mdl(
        &emulator.url,
        &dir,
        &["deploy", "dev.mdl", "--plan", "reviewed.json", "--yes", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    let result = run.json();
    assert_eq!(layer(&result, "core")["status"], "updated");
    assert_eq!(result["api_calls"]["change_sets_created"], 1, "only the deferred app's: {result}");
    assert_eq!(emulator.stack("us-east-1", "shop-dev-core").map(|s| s.0).as_deref(), Some("UPDATE_COMPLETE"));
    // Reviewed, then someone else deploys: the reviewed plan no longer holds.
    let dir = spec_copy_in("stale", &[("dev.mdl", "\"blue\"", "\"red\"")]);
    let planned = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--out", "reviewed.json"]);
    assert_eq!(planned.code, 0, "{}", planned.text());
    let other = spec_copy_in("other", &[("dev.mdl", "\"blue\"", "\"yellow\"")]);
    let meanwhile = mdl(&emulator.url, &other, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(meanwhile.code, 0, "{}", meanwhile.text());
    let refused = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--plan", "reviewed.json", "--yes"]);
    assert_eq!(refused.code, 1, "{}", refused.text());
    assert!(refused.stderr.contains("E0611"), "{}", refused.stderr);
    assert!(refused.stderr.contains("shop-dev-core changed since the plan was made"), "{}", refused.stderr);
}

fn credentials_of_another_account_are_refused(emulator: &Emulator) {
    let dir = spec_copy_in(
        "account",
        &[(
            "dev.mdl",
            "region      = us_east_1",
            "region      = us_east_1\n  account     = \"111122223333\"",
        )],
    );
    let before = emulator.change_sets("shop-dev-core");
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.text());
    let result = run.json();
    assert_eq!(result["diagnostics"][0]["code"], "E0601");
    assert_eq!(
        result["diagnostics"][0]["message"],
        "the credentials belong to account 123456789012, not 111122223333"
    );
    assert_eq!(result["diagnostics"][0]["line"], line_of(&dir, "dev.mdl", "account"));
    assert_eq!(result["api_calls"]["writes"], 0);
    assert_eq!(emulator.change_sets("shop-dev-core"), before);
    let sarif = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "sarif"]);
    assert_eq!(sarif.code, 1, "{}", sarif.text());
    let log = sarif.json();
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "E0601", "{log}");
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dev.mdl"
    );
}

fn removing_a_kms_key_is_refused_and_a_retained_log_group_may_go(emulator: &Emulator) {
    let text = std::fs::read_to_string(Path::new(SPEC).join("platform.mdl")).expect("spec");
    let start = text.find("  // A raw key").expect("key block");
    let end = text[start..].find("  publish bucket").expect("after key") + start;
    let key = text[start..end].to_string();
    let dir = spec_copy("kms", &[(key.as_str(), "")]);
    let plan = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "json"]);
    assert_eq!(plan.code, 1, "a plan with refusals fails: {}", plan.text());
    let planned = plan.json();
    let refused = &layer(&planned, "core")["refused"][0];
    assert_eq!((refused["logical_id"].as_str(), refused["what"].as_str()), (Some("Key"), Some("removes")));
    assert_eq!(refused["fate"], "deleted");
    assert_eq!(planned["diagnostics"][0]["code"], "E0606", "{planned}");
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(run.stdout.contains("Remove (refused)"), "{}", run.stdout);
    assert!(run.stderr.contains("E0606") && run.stderr.contains("--allow-replace Key"), "{}", run.stderr);
    assert!(run.stdout.contains("app   not run"), "{}", run.stdout);
    assert!(emulator.resources("shop-dev-core").contains(&"Key".to_string()));
    // A retained log group: dev (not protected) lets it go, saying where the data stays.
    let audit = "  resource \"AWS::Logs::LogGroup\" audit";
    let start = text.find(audit).expect("audit");
    let end = text[start..].find("  // A raw key").expect("after audit") + start;
    let dir = spec_copy("audit", &[(&text[start..end], "")]);
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("data: it is retained in the account and orphaned"), "{}", run.stdout);
    assert!(!emulator.resources("shop-dev-core").contains(&"Audit".to_string()));
}

/// On a terminal: yes to core, no to app. The summary says core was applied.
fn no_at_the_second_layer_says_the_first_was_applied(emulator: &Emulator) {
    let dir = spec_copy_in(
        "no",
        &[
            ("dev.mdl", "\"blue\"", "\"violet\""),
            ("platform.mdl", "suffix: string = \"v1\"", "suffix: string = \"v2\""),
        ],
    );
    let run = interactive(&emulator.url, &dir, &["deploy", "dev.mdl"], &[Reply::Line("y"), Reply::Line("n")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("Execute this change set on shop-dev-core (account 123456789012, us-east-1)?"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("applied: core (updated)"), "{}", run.stdout);
    assert!(run.stdout.contains("not applied: app (declined), ops (not run)"), "{}", run.stdout);
    assert!(!run.stdout.contains("nothing was executed;"), "core was executed: {}", run.stdout);
}

/// On a terminal: yes to core, then Ctrl-C at app's prompt (a real SIGINT
/// from the terminal): app's change set is never executed, the message says
/// what was applied, and mdl exits 130.
fn ctrl_c_at_a_prompt_executes_nothing_more(emulator: &Emulator) {
    let dir = spec_copy_in(
        "ctrlc",
        &[
            ("dev.mdl", "\"blue\"", "\"indigo\""),
            ("platform.mdl", "suffix: string = \"v1\"", "suffix: string = \"v3\""),
        ],
    );
    let app_before = emulator.stack("us-east-1", "shop-dev-app");
    let run = interactive(&emulator.url, &dir, &["deploy", "dev.mdl"], &[Reply::Line("y"), Reply::CtrlC]);
    assert_eq!(run.code, 130, "{}", run.stdout);
    assert!(run.stdout.contains("E0610"), "{}", run.stdout);
    assert!(run.stdout.contains("applied: core (updated)"), "{}", run.stdout);
    assert!(run.stdout.contains("not applied: app (interrupted), ops (not run)"), "{}", run.stdout);
    assert_eq!(emulator.stack("us-east-1", "shop-dev-app"), app_before, "app untouched");
    assert!(!emulator.resources("shop-dev-app").is_empty());
}

fn deploy_without_a_terminal_or_yes_stops(emulator: &Emulator) {
    let dir = spec_copy("noyes", &[]);
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl"]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stderr.contains("stdin is not a terminal") && run.stderr.contains("--yes"), "{}", run.stderr);
}

fn a_rejected_template_stops_before_later_layers(emulator: &Emulator) {
    reset(&emulator.url);
    let dir = spec_copy("rejected-first", &[]);
    assert_eq!(mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]).code, 0);
    let topic = "TopicName   = \"shop-${env.name}-alerts-${env.suffix}\"";
    let dir = spec_copy("rejected", &[(topic, "TopicName   = \"x\"\n  } with { DependsOn = [\"Nowhere\"] }\n  resource \"AWS::SNS::Topic\" spare {")]);
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stderr.contains("E0608") && run.stderr.contains("Unresolved resource dependencies [Nowhere]"),
        "{}",
        run.stderr
    );
    assert!(!run.text().contains("DispatchFailure"), "no SDK dump: {}", run.text());
    assert!(run.stdout.contains("ops   not run"), "{}", run.stdout);
    assert_eq!(emulator.stack("us-east-1", "shop-dev-ops").map(|s| s.0).as_deref(), Some("CREATE_COMPLETE"));
}

fn a_failed_first_deploy_is_explained(emulator: &Emulator) {
    reset(&emulator.url);
    let topic = "TopicName   = \"shop-${env.name}-alerts-${env.suffix}\"";
    let dir = spec_copy("rollback", &[(topic, "TopicName   = \"bad topic!\"")]);
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.stderr.contains("E0609") && run.stderr.contains("shop-dev-app ended in ROLLBACK_COMPLETE"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Topic names must be made up of"), "CloudFormation's reason: {}", run.stderr);
    assert!(run.stdout.contains("ops   not run"), "{}", run.stdout);
    let again = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(again.code, 1, "{}", again.text());
    assert!(again.stdout.contains("app   blocked"), "{}", again.stdout);
    assert!(
        again.stderr.contains("aws cloudformation delete-stack --stack-name shop-dev-app --region us-east-1"),
        "{}",
        again.stderr
    );
}

fn prod_goes_to_its_region_with_termination_protection_and_tags(emulator: &Emulator) {
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
        let tags = emulator.tags("af-south-1", stack);
        assert!(tags.contains(&("cost_center".into(), "shop-prod".into())), "{tags:?}");
        assert!(tags.contains(&("team".into(), "shop".into())), "{tags:?}");
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
    assert!(
        refused.stderr.contains("E0612") && refused.stderr.contains("--template-bucket"),
        "{}",
        refused.stderr
    );
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
    assert!(
        down.stderr.contains("E0603") && down.stderr.contains("Nothing answered at http://127.0.0.1:9"),
        "{}",
        down.stderr
    );
    assert!(!down.text().contains("DispatchFailure"), "no SDK dump: {}", down.text());
}

/// Every environment of each example under examples/ deploys (each in its
/// region, its HTTPS listeners on a certificate the emulator's ACM issued),
/// two of them in one region side by side (their clusters named apart by
/// the environment), and a second deploy of one of them changes nothing.
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
        let mut regions: BTreeMap<String, Vec<String>> = BTreeMap::new();
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
            regions.entry(region).or_default().push(environment.clone());
        }
        let (region, sharing) =
            regions.iter().find(|(_, e)| e.len() >= 2).expect("two environments in one region");
        let clusters = ecs_clusters(&emulator.url, region);
        for environment in sharing {
            let name = format!("{}-{environment}", example_project(example));
            assert!(
                clusters.iter().any(|arn| arn.ends_with(&format!("/{name}"))),
                "{name} in {region}: {clusters:?}"
            );
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

/// The ARNs of the ECS clusters in `region`.
fn ecs_clusters(url: &str, region: &str) -> Vec<String> {
    let answer = post_json(url, region, "ecs", "AmazonEC2ContainerServiceV20141113.ListClusters", "{}");
    let found = answer["clusterArns"].as_array().cloned().unwrap_or_default();
    found.iter().filter_map(|arn| arn.as_str().map(str::to_string)).collect()
}

/// The value of SSM parameter `name` in us-east-1, or None.
fn ssm_value(url: &str, name: &str) -> Option<String> {
    let body = serde_json::json!({ "Name": name }).to_string();
    let answer = post_json(url, "us-east-1", "ssm", "AmazonSSM.GetParameter", &body);
    answer["Parameter"]["Value"].as_str().map(str::to_string)
}

/// Every SSM parameter name under `path` in us-east-1.
fn ssm_names(url: &str, path: &str) -> Vec<String> {
    let body = serde_json::json!({ "Path": path, "Recursive": true }).to_string();
    let answer = post_json(url, "us-east-1", "ssm", "AmazonSSM.GetParametersByPath", &body);
    let found = answer["Parameters"].as_array().cloned().unwrap_or_default();
    found.iter().filter_map(|p| p["Name"].as_str().map(str::to_string)).collect()
}

/// specs/dev.mdl: a deploy prints the outputs, `mdl outputs` shows each
/// layer with its published values, and `mdl destroy` (which asks, or needs
/// --yes) deletes every stack, and with them every published value.
fn outputs_then_destroy_of_megadolls_dev_leave_no_stack_and_no_published_value(emulator: &Emulator) {
    reset(&emulator.url);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deploy = mdl(&emulator.url, root, &["deploy", "specs/dev.mdl", "--yes"]);
    assert_eq!(deploy.code, 0, "{}", deploy.text());
    assert!(
        deploy.stdout.contains("\noutputs:\ncore (megadolls-dev-core): CREATE_COMPLETE"),
        "{}",
        deploy.stdout
    );
    let vpc = ssm_value(&emulator.url, "/megadolls/infra/vpc_id").expect("core published its VPC id");

    let shown = mdl(&emulator.url, root, &["outputs", "specs/dev.mdl", "--format", "json"]);
    assert_eq!(shown.code, 0, "{}", shown.text());
    let outputs = shown.json();
    assert_eq!(outputs["schema"], "mdl.outputs/1");
    let core = layer(&outputs, "core");
    assert_eq!(core["status"], "CREATE_COMPLETE");
    let published = core["published"].as_array().expect("published values");
    let vpc_id = published.iter().find(|p| p["name"] == "/megadolls/infra/vpc_id").expect("vpc_id");
    assert_eq!(vpc_id["value"].as_str(), Some(vpc.as_str()), "what the stack wrote is what SSM holds");
    let services = layer(&outputs, "microservices");
    let addresses = services["addresses"].as_array().expect("addresses");
    assert!(addresses.iter().any(|a| a["key"] == "DjangoBalancerDNSName"), "{services}");

    // A published value changed by hand is drift (moto has SSM, so this half
    // runs for real; its CloudFormation has no drift detection).
    let body = serde_json::json!({ "Name": "/megadolls/infra/vpc_id", "Value": "vpc-handmade", "Type": "String", "Overwrite": true });
    post_json(&emulator.url, "us-east-1", "ssm", "AmazonSSM.PutParameter", &body.to_string());
    let drift = mdl(&emulator.url, root, &["drift", "specs/dev.mdl", "--format", "json"]);
    assert_eq!(drift.code, 3, "drift found: {}", drift.text());
    let found = drift.json();
    let core = layer(&found, "core");
    assert_eq!(core["status"], "drifted", "{found}");
    assert_eq!(core["published"][0]["name"], "/megadolls/infra/vpc_id", "{found}");
    assert_eq!(core["published"][0]["expected"].as_str(), Some(vpc.as_str()));
    assert_eq!(core["published"][0]["actual"], "vpc-handmade");
    assert!(drift.stderr.contains("W0651"), "{}", drift.stderr);
    assert_eq!(layer(&found, "microservices")["published"], serde_json::json!([]), "the rest is in sync");

    let unasked = mdl(&emulator.url, root, &["destroy", "specs/dev.mdl"]);
    assert_eq!(unasked.code, 2, "no terminal, no --yes: {}", unasked.text());
    assert!(emulator.stack("us-east-1", "megadolls-dev-core").is_some(), "nothing deleted without --yes");

    let destroy = mdl(&emulator.url, root, &["destroy", "specs/dev.mdl", "--yes", "--format", "json"]);
    assert_eq!(destroy.code, 0, "{}", destroy.text());
    let result = destroy.json();
    let order: Vec<&str> =
        result["stacks"].as_array().expect("stacks").iter().filter_map(|s| s["layer"].as_str()).collect();
    assert_eq!(order, ["deployment", "microservices", "core"], "the last layer first");
    assert!(
        result["stacks"].as_array().expect("stacks").iter().all(|s| s["status"] == "deleted"),
        "{result}"
    );
    for layer in ["core", "microservices", "deployment"] {
        let stack = format!("megadolls-dev-{layer}");
        assert_eq!(
            emulator.stack("us-east-1", &stack).map(|s| s.0).filter(|s| s != "DELETE_COMPLETE"),
            None,
            "{stack}"
        );
    }
    assert_eq!(
        ssm_names(&emulator.url, "/megadolls"),
        Vec::<String>::new(),
        "published values go with their stacks"
    );
}

/// A layer renamed in the spec leaves its old stack: plan and deploy report it
/// (W0650) and delete nothing; `destroy --orphans` removes it.
fn a_renamed_layer_leaves_an_orphan_that_plan_reports_and_destroy_removes(emulator: &Emulator) {
    reset(&emulator.url);
    let dir = spec_copy("orphans", &[]);
    // The layers form a chain: with --concurrency each still waits for the one it reads.
    let run = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes", "--concurrency", "3"]);
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(run.stdout.contains("applied: core (created), app (created), ops (created)"), "{}", run.stdout);
    let renamed = spec_copy("orphans", &[("layer ops {", "layer operations {")]);
    let plan = mdl(&emulator.url, &renamed, &["plan", "dev.mdl", "--format", "json"]);
    assert_eq!(plan.code, 0, "a warning only: {}", plan.text());
    let result = plan.json();
    assert_eq!(result["orphans"][0]["stack_name"], "shop-dev-ops", "{result}");
    assert!(result["diagnostics"].as_array().expect("diagnostics").iter().any(|d| d["code"] == "W0650"));
    assert!(plan.stderr.contains("mdl destroy dev.mdl --stack shop-dev-ops"), "{}", plan.stderr);
    assert!(emulator.stack("us-east-1", "shop-dev-ops").is_some(), "nothing deleted implicitly");
    let destroy = mdl(&emulator.url, &renamed, &["destroy", "dev.mdl", "--orphans", "--yes"]);
    assert_eq!(destroy.code, 0, "{}", destroy.text());
    assert_eq!(
        emulator.stack("us-east-1", "shop-dev-ops").map(|s| s.0).filter(|s| s != "DELETE_COMPLETE"),
        None
    );
    assert!(emulator.stack("us-east-1", "shop-dev-core").is_some(), "only the orphan went");
}

/// A small spec whose `alerts` layer is fanned out as a StackSet to two
/// regions (eu-west-1 first): plan shows the StackSet and both instances,
/// deploy creates them (a stack in each region), a second deploy is
/// unchanged; a new value and a moved region update every instance, add one
/// and remove one; outputs lists each instance; destroy removes the
/// instances, then the StackSet, then `core`.
fn a_stack_set_layer_across_two_regions_deploys_and_is_destroyed(emulator: &Emulator) {
    reset(&emulator.url);
    let dir = std::env::temp_dir().join(format!("mdl-deploy-{}-stack-sets", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = r#"project fan {
  environments { dev }
}

environment dev {
  region     = us_east_1
  stack_sets = { alerts = { regions = [us_east_1, eu_west_1], region_order = [eu_west_1] } }
}

layer core {
  resource "AWS::SNS::Topic" main { TopicName = "fan-dev-main" }
}

layer alerts {
  resource "AWS::SNS::Topic" ops { TopicName = "fan-dev-ops" }
  resource "AWS::SSM::Parameter" note { Name = "/fan/dev/note", Type = "String", Value = "v1" }
}
"#;
    std::fs::write(dir.join("dev.mdl"), spec).expect("write spec");
    let name = "fan-dev-alerts";

    let plan = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.text());
    let plan = plan.json();
    let alerts = layer(&plan, "alerts");
    assert_eq!(alerts["status"], "create", "{plan}");
    assert_eq!(alerts["stack_set"]["operation"], "create");
    let regions: Vec<&str> = alerts["stack_set"]["add"]
        .as_array()
        .expect("add")
        .iter()
        .filter_map(|i| i["region"].as_str())
        .collect();
    assert_eq!(regions, ["eu-west-1", "us-east-1"], "region_order first");
    assert_eq!(emulator.stack_set_instances(name), None, "a plan creates nothing");

    let deploy = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(deploy.code, 0, "{}", deploy.text());
    assert!(deploy.stdout.contains("applied: core (created), alerts (created)"), "{}", deploy.stdout);
    let current = |region: &str| (region.to_string(), "CURRENT".to_string());
    assert_eq!(emulator.stack_set_instances(name), Some(vec![current("eu-west-1"), current("us-east-1")]));
    for region in ["eu-west-1", "us-east-1"] {
        let stacks = emulator.stacks_in(region);
        assert!(stacks.iter().any(|s| s.contains(name)), "an instance stack in {region}: {stacks:?}");
    }
    assert!(emulator.stack("us-east-1", name).is_none(), "no ordinary stack of the layer's name");

    let again = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes", "--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.text());
    let again = again.json();
    assert_eq!(layer(&again, "alerts")["status"], "unchanged", "{again}");
    assert_eq!(again["api_calls"]["writes"], 0);

    // A new value and a region moved: the StackSet is updated, us-east-1 goes, ap-south-1 comes.
    let edited = spec
        .replace("Value = \"v1\"", "Value = \"v2\"")
        .replace("regions = [us_east_1, eu_west_1]", "regions = [ap_south_1, eu_west_1]");
    std::fs::write(dir.join("dev.mdl"), edited).expect("write spec");
    let plan = mdl(&emulator.url, &dir, &["plan", "dev.mdl", "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.text());
    let plan = plan.json();
    let set = &layer(&plan, "alerts")["stack_set"];
    assert_eq!((set["operation"].as_str(), set["template_changed"].as_bool()), (Some("update"), Some(true)));
    assert_eq!(set["add"][0]["region"], "ap-south-1", "{plan}");
    assert_eq!(set["remove"][0]["region"], "us-east-1", "{plan}");
    assert_eq!(layer(&plan, "alerts")["changes"][0]["logical_id"], "Note");
    let update = mdl(&emulator.url, &dir, &["deploy", "dev.mdl", "--yes"]);
    assert_eq!(update.code, 0, "{}", update.text());
    assert_eq!(emulator.stack_set_instances(name), Some(vec![current("ap-south-1"), current("eu-west-1")]));
    assert!(
        emulator.stacks_in("us-east-1").iter().all(|s| !s.contains(name)),
        "the removed instance's stack went"
    );
    for region in ["ap-south-1", "eu-west-1"] {
        let stack =
            emulator.stacks_in(region).into_iter().find(|s| s.contains(name)).expect("instance stack");
        let client = emulator.client(region);
        let body = emulator.runtime.block_on(client.get_template().stack_name(&stack).send());
        let body = body.ok().and_then(|t| t.template_body().map(str::to_string)).unwrap_or_default();
        assert!(body.contains("v2"), "the instance in {region} has the new template: {body}");
    }

    let outputs = mdl(&emulator.url, &dir, &["outputs", "dev.mdl", "--format", "json"]);
    assert_eq!(outputs.code, 0, "{}", outputs.text());
    let outputs = outputs.json();
    let listed =
        outputs["layers"].as_array().and_then(|l| l.iter().find(|l| l["layer"] == "alerts")).expect("alerts");
    let instances: Vec<(&str, &str, &str)> = listed["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .map(|i| {
            (
                i["account"].as_str().unwrap_or(""),
                i["region"].as_str().unwrap_or(""),
                i["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        instances,
        [("123456789012", "eu-west-1", "CURRENT"), ("123456789012", "ap-south-1", "CURRENT")],
        "{outputs}"
    );

    let destroy = mdl(&emulator.url, &dir, &["destroy", "dev.mdl", "--yes"]);
    assert_eq!(destroy.code, 0, "{}", destroy.text());
    let order: Vec<usize> =
        ["fan-dev-alerts: deleting instances: done", "StackSet deleted", "fan-dev-core: deleted"]
            .iter()
            .map(|line| destroy.stdout.find(line).unwrap_or_else(|| panic!("`{line}` in {}", destroy.stdout)))
            .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "instances, the StackSet, then core: {}", destroy.stdout);
    assert_eq!(emulator.stack_set_instances(name), None, "the StackSet is gone");
    for region in ["ap-south-1", "eu-west-1", "us-east-1"] {
        let stacks = emulator.stacks_in(region);
        assert!(stacks.is_empty(), "nothing left in {region}: {stacks:?}");
    }
}
