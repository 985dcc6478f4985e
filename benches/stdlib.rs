//! Benchmark of `mdl check` and `mdl build` on the megadolls platform with
//! its web service repeated a thousand times and more, every copy written
//! with the stdlib's own constructs (a benchmark, not a timed test: it prints
//! figures, it asserts nothing about them).
//!
//! The workload: `specs/platform.mdl` and both environments as they are, plus
//! layers of services each shaped like its `django` service
//! (`ecs.fargate_service` behind a public load balancer, with environment
//! variables, secrets, a Secrets Manager reference, autoscaling, a rollout,
//! an encrypted log group and access logs), an `ecs.cluster` per layer, and a
//! `platform.mdl` that imports every layer, so each environment evaluates and
//! lowers them all.
//!
//! `cargo bench --bench stdlib` (release build) generates it at 1,000, 2,000
//! and 4,000 services under the system temp dir and, for each size, runs the
//! release `mdl check DIR` and `mdl build DIR/dev.mdl -o OUT` as whole
//! processes (median and least wall and CPU time, peak RSS, from
//! `/usr/bin/time`), then runs the same stages in this process one by one
//! and prints each stage's time and the resident memory after it: where
//! the time and memory go. `MDL_BENCH_SERVICES=1000,4000`, `MDL_BENCH_RUNS=5`
//! and `MDL_BENCH_KEEP=1` (keep the generated specs, to profile them) change
//! the defaults.
//!
//! `cargo test --benches` runs it without `--bench`: a quick mode (debug
//! build) that generates a small platform and asserts that it checks and
//! builds with no error, so a stdlib change that breaks the workload is
//! noticed in CI without a release build.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{cpu_text, env_list, measure_command, millis, spec_files, status_kb, Row};
use mdl::workspace::{DiskFileSystem, Workspace};

/// A service like `django` lowers to 17 resources and a cluster to 2:
/// 29 services are 495, the most within CloudFormation's 500 a stack.
const SERVICES_PER_LAYER: usize = 29;

fn main() {
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    if !std::env::args().any(|arg| arg == "--bench") {
        return quick_check();
    }
    let sizes = env_list("MDL_BENCH_SERVICES").unwrap_or_else(|| vec![1_000, 2_000, 4_000]);
    let runs = env_list("MDL_BENCH_RUNS").and_then(|r| r.first().copied()).unwrap_or(5).max(1);
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_mdl"));
    println!("stdlib workload: {runs} runs per size, binary {}", binary.display());
    for services in sizes {
        let dir = std::env::temp_dir().join(format!("mdl-bench-std-{}-{services}", std::process::id()));
        let spec = generate(&dir, services);
        println!(
            "\n{services} services: {} lines in {} files, {} layers",
            spec.lines, spec.files, spec.layers
        );
        println!(
            "{:>28} {:>10} {:>10} {:>10} {:>10} {:>11} {:>5}",
            "", "median", "min", "median CPU", "min CPU", "peak RSS", "exit"
        );
        let check = measure_command(&binary, &["check".as_ref(), dir.as_os_str()], runs);
        print_row("mdl check DIR", &check);
        let out = dir.join("out");
        let environment = dir.join("dev.mdl");
        let build = measure_command(
            &binary,
            &["build".as_ref(), environment.as_os_str(), "-o".as_ref(), out.as_os_str()],
            runs,
        );
        print_row("mdl build DIR/dev.mdl -o OUT", &build);
        profile_stages(&dir);
        if std::env::var_os("MDL_BENCH_KEEP").is_some() {
            println!("(kept {})", dir.display());
        } else {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

fn print_row(what: &str, row: &Row) {
    println!(
        "{what:>28} {:>8.0}ms {:>8.0}ms {:>10} {:>10} {:>8.1} MB {:>5}",
        millis(row.median),
        millis(row.min),
        cpu_text(row.median_cpu),
        cpu_text(row.min_cpu),
        row.peak_rss_kb as f64 / 1024.0,
        row.exit
    );
    if row.exit != 0 {
        println!("  (exit {}: first lines of the output follow)\n{}", row.exit, row.first_output);
    }
}

/// The pipeline's stages run one by one in this process: each one's wall
/// time and the resident memory once it is done (`VmRSS`; the process's
/// peak so far in brackets).
fn profile_stages(dir: &Path) {
    let mut last = Instant::now();
    let mut stage = |name: &str| {
        let elapsed = last.elapsed();
        println!(
            "  stage {name:<34} {:>8.1}ms  RSS {:>6.1} MB (peak {:>6.1} MB)",
            millis(elapsed),
            status_kb("VmRSS") as f64 / 1024.0,
            status_kb("VmHWM") as f64 / 1024.0
        );
        last = Instant::now();
    };
    let workspace = Workspace::load(&spec_files(dir), &DiskFileSystem);
    stage("load and parse");
    let checked = mdl::check::check(&workspace);
    stage("check names and types");
    for environment in mdl::entry_environments(&workspace, &checked) {
        let (model, _) = mdl::eval::evaluate(&workspace, &checked, environment);
        stage("evaluate one environment");
        let Some(model) = model else { continue };
        let lowered = mdl::cfn::lower(&model);
        stage("lower it, check the schemas");
        let bytes: usize = lowered.stacks.iter().map(|s| s.template_body().len()).sum();
        stage(&format!("render {} templates ({:.1} MB)", lowered.stacks.len(), bytes as f64 / 1e6));
        drop((model, lowered));
        stage("drop the model and templates");
    }
}

/// `cargo test --benches`: a platform of two service layers checks with no
/// error, and its `dev` environment lowers to one template per layer.
fn quick_check() {
    let dir = std::env::temp_dir().join(format!("mdl-bench-std-quick-{}", std::process::id()));
    let spec = generate(&dir, SERVICES_PER_LAYER + 1);
    let report = mdl::lint_files(&spec_files(&dir), &DiskFileSystem);
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "the generated platform has errors: {errors:#?}");
    let built = mdl::check_files(&[dir.join("dev.mdl")], &DiskFileSystem);
    let model = built.models.first().expect("dev evaluates");
    let lowered = mdl::cfn::lower(model);
    let _ = fs::remove_dir_all(&dir);
    assert!(!lowered.diagnostics.iter().any(|d| d.is_error()), "{:#?}", lowered.diagnostics);
    // megadolls' three layers and the generated ones.
    assert_eq!(lowered.stacks.len(), 3 + spec.layers);
    let services = lowered
        .stacks
        .iter()
        .flat_map(|s| s.template["Resources"].as_object().into_iter().flat_map(|r| r.values()))
        .filter(|r| r["Type"] == "AWS::ECS::Service")
        .count();
    assert_eq!(services, 2 + spec.services, "megadolls' two services and the generated ones");
    println!(
        "stdlib benchmark, quick mode: {} services, {} lines check and build",
        spec.services, spec.lines
    );
}

/// What was generated.
struct Spec {
    lines: usize,
    files: usize,
    services: usize,
    layers: usize,
}

/// Write the platform with `services` generated services under `dir`.
fn generate(dir: &Path, services: usize) -> Spec {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir.join("layers")).expect("create bench dir");
    let mut spec = Spec { lines: 0, files: 0, services, layers: services.div_ceil(SERVICES_PER_LAYER) };
    let mut write = |name: &str, text: String| {
        spec.lines += text.lines().count();
        spec.files += 1;
        fs::write(dir.join(name), text).expect("write bench file");
    };
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let read = |name: &str| fs::read_to_string(specs.join(name)).expect("read specs/");
    // The environments import `./platform.mdl`: here that file imports
    // megadolls' own platform and every generated layer.
    write("megadolls.mdl", read("platform.mdl"));
    write("dev.mdl", read("dev.mdl"));
    write("prod.mdl", read("prod.mdl"));
    let mut platform = String::from("// megadolls and every generated layer.\nimport \"./megadolls.mdl\"\n");
    for layer in 0..services.div_ceil(SERVICES_PER_LAYER) {
        let first = layer * SERVICES_PER_LAYER;
        let last = (first + SERVICES_PER_LAYER).min(services);
        write(&format!("layers/l{layer}.mdl"), layer_file(layer, first..last));
        let _ = writeln!(platform, "import \"./layers/l{layer}.mdl\"");
    }
    write("platform.mdl", platform);
    spec
}

/// One layer: a cluster on megadolls' network and the services `numbers`.
fn layer_file(layer: usize, numbers: std::ops::Range<usize>) -> String {
    let mut text = format!(
        r#"import std/aws/ecs
import "../megadolls.mdl"

/// Services {first} to {last}.
layer l{layer} {{
  cluster = ecs.cluster {{
    name     = "l{layer}"
    capacity = env.capacity
    network = {{
      vpc_id         = core.vpc_id
      subnets        = core.private_subnets
      public_subnets = core.public_subnets
      security_group = core.app_security_group
      discovery      = {{ namespace = core.namespace_id, domain = core.namespace_domain }}
    }}
  }}
"#,
        first = numbers.start,
        last = numbers.end - 1,
    );
    for n in numbers {
        service(&mut text, n);
    }
    text.push_str("}\n");
    text
}

/// One service shaped like megadolls' `django`, and its published URL.
fn service(text: &mut String, n: usize) {
    let _ = write!(
        text,
        r#"  service s{n} = ecs.fargate_service {{
    cluster = cluster
    name    = "s{n}"
    image   = "${{core.image_repository}}:${{env.image_tag}}"
    cpu     = 1 vcpu
    memory  = 2 GB
    port    = 8000
    expose = public_http {{
      health_check       = "/healthz"
      certificate        = env.certificate
      plain_http_because = "no domain yet"
    }}
    environment = {{ DATABASE_URL = core.db_url, DJANGO_SETTINGS_MODULE = "megadolls.settings" }}
    secrets     = {{ STRIPE_KEY = core.strip_key }}
    secret_refs = {{ DATABASE_PASSWORD = {{ arn = core.db_password_secret, key = "password" }} }}
    scaling = if env.autoscaling {{ env.web_scaling }} else {{ none }}
    rollout     = env.rollout
    log_key     = core.encryption_key
    access_logs = {{ bucket = core.log_bucket }}
  }}
  publish s{n}_url = s{n}.url
"#
    );
}
