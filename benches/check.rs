//! Benchmark of `mdl check` on generated specs of 10k, 50k and 100k lines,
//! and of `mdl build` on each megadolls environment
//! (a benchmark, not a timed test: it prints figures, it asserts nothing).
//!
//! Run with `cargo bench --bench check` (release build). For each size it
//! writes a spec tree under the system temp dir — a project, two
//! environments, a construct, and layers of services that read a core
//! layer's published values — runs the release `mdl check` binary on it
//! several times, and prints the median and minimum wall time, the least CPU
//! time, and the peak resident memory (CPU and memory from `/usr/bin/time`
//! when present; otherwise memory from this process's high-water mark after
//! checking the spec in-process).
//! `MDL_BENCH_SIZES=10000,100000` and `MDL_BENCH_RUNS=5` override the defaults;
//! `MDL_BENCH_KEEP=1` keeps the generated specs (to profile them).

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use common::{env_list, measure_command, millis, spec_files, status_kb, time_binary, Row};

/// Services per layer file: 40 services are 121 resources (a task definition,
/// a service and an SSM parameter each) and about 45 KB of template, within
/// CloudFormation's 500 resources and 51,200 inline bytes per stack.
const SERVICES_PER_LAYER: usize = 40;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this binary
    // without it (a debug build): a quick run that only shows the generated
    // spec still checks cleanly, no figures. Nextest's `--list` runs it too.
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    if !std::env::args().any(|arg| arg == "--bench") {
        return quick_check();
    }
    let sizes = env_list("MDL_BENCH_SIZES").unwrap_or_else(|| vec![10_000, 50_000, 100_000]);
    let runs = env_list("MDL_BENCH_RUNS").and_then(|r| r.first().copied()).unwrap_or(7).max(1);
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_mdl"));
    println!("mdl check benchmark: {runs} runs per size, binary {}", binary.display());
    println!(
        "{:>8} {:>6} {:>9} {:>7} {:>11} {:>11} {:>11} {:>13} {:>6}",
        "lines", "files", "services", "layers", "median", "min", "min CPU", "peak RSS", "exit"
    );
    for target in sizes {
        let dir = std::env::temp_dir().join(format!("mdl-bench-{}-{target}", std::process::id()));
        let spec = generate(&dir, target);
        let row = measure(&binary, &dir, runs);
        println!(
            "{:>8} {:>6} {:>9} {:>7} {:>9.1}ms {:>9.1}ms {:>9} {:>10.1} MB {:>6}",
            spec.lines,
            spec.files,
            spec.services,
            spec.layers,
            millis(row.median),
            millis(row.min),
            row.min_cpu.map_or("n/a".to_string(), |cpu| format!("{:.1}ms", millis(cpu))),
            row.peak_rss_kb as f64 / 1024.0,
            row.exit
        );
        println!("         mdl said: {}", row.summary);
        if row.exit != 0 {
            println!("         (exit {}: first lines of the output follow)\n{}", row.exit, row.first_output);
        }
        if std::env::var_os("MDL_BENCH_KEEP").is_some() {
            println!("         (kept {})", dir.display());
        } else {
            let _ = fs::remove_dir_all(&dir);
        }
    }
    bench_build(&binary, runs);
    println!(
        "peak RSS measured with: {}",
        if time_binary().is_some() { "/usr/bin/time" } else { "VmHWM (in-process)" }
    );
}

/// `cargo test --benches`: a small generated spec checks with no diagnostic.
fn quick_check() {
    let dir = std::env::temp_dir().join(format!("mdl-bench-quick-{}", std::process::id()));
    let spec = generate(&dir, 1_000);
    let report = mdl::lint_files(&spec_files(&dir), &mdl::workspace::DiskFileSystem);
    let _ = fs::remove_dir_all(&dir);
    assert!(report.diagnostics.is_empty(), "the generated spec has diagnostics: {:#?}", report.diagnostics);
    println!("check benchmark, quick mode: {} lines, {} services check cleanly", spec.lines, spec.services);
}

/// What was generated.
struct Spec {
    lines: usize,
    files: usize,
    services: usize,
    layers: usize,
}

/// Write a spec tree of about `target_lines` lines under `dir`.
fn generate(dir: &Path, target_lines: usize) -> Spec {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir.join("layers")).expect("create bench dir");
    let mut spec = Spec { lines: 0, files: 0, services: 0, layers: 0 };
    let write = |path: PathBuf, text: String, spec: &mut Spec| {
        spec.lines += text.lines().count();
        spec.files += 1;
        fs::write(path, text).expect("write bench file");
    };
    write(dir.join("lib.mdl"), LIB.to_string(), &mut spec);
    write(dir.join("layers/core.mdl"), CORE.to_string(), &mut spec);
    for environment in ["dev", "prod"] {
        write(dir.join(format!("{environment}.mdl")), environment_file(environment), &mut spec);
    }
    // The platform file (imports of every layer) is written last, once the layers are known.
    let platform_lines = 12;
    let mut layer = 0;
    while spec.lines + platform_lines + layer < target_lines {
        let (text, services) =
            layer_file(layer, spec.services, target_lines - spec.lines - platform_lines - layer);
        write(dir.join(format!("layers/l{layer}.mdl")), text, &mut spec);
        spec.services += services;
        layer += 1;
    }
    spec.layers = layer + 1;
    write(dir.join("platform.mdl"), platform_file(layer), &mut spec);
    spec
}

/// The construct every service instantiates, and the project.
const LIB: &str = r#"/// Shared definitions of the benchmark platform.
project bench {
  environments { dev, prod }
  settings {
    replicas: int in 1..100
    image_tag: string
  }
  params = "/bench/${env.name}"
}

/// One containerised service: a task definition and an ECS service.
construct web_service {
  name: string
  image: string
  cpu: cpu in 0.25 vcpu..16 vcpu = 0.5 vcpu
  memory: memory in 512 MiB..30 GB = 1 GB
  port: int in 1..65535 = 8080
  replicas: int in 1..100 = 1
  vpc_id: deploy<string>
  require units(memory) >= units(cpu) else "memory (${units(memory)} MiB) is below the CPU units (${units(cpu)})"
  resource "AWS::ECS::TaskDefinition" task {
    Family = name
    Cpu = "${units(cpu)}"
    Memory = "${units(memory)}"
    ContainerDefinitions = [{ Name = name, Image = image, PortMappings = [{ ContainerPort = port }] }]
  }
  resource "AWS::ECS::Service" service {
    ServiceName = name
    DesiredCount = replicas
    TaskDefinition = task.ref
    Tags = [{ Key = "vpc", Value = vpc_id }]
  }
  output arn = service.ref
}
"#;

const CORE: &str = r#"import "../lib.mdl"

/// Slow-changing things every other layer reads.
layer core {
  resource "AWS::EC2::VPC" vpc { CidrBlock = "10.0.0.0/16" }
  publish vpc_id = vpc.ref
}
"#;

fn environment_file(name: &str) -> String {
    let (replicas, tag) = if name == "prod" { (3, "latest") } else { (1, "dev-latest") };
    format!(
        "import \"./platform.mdl\"\n\nenvironment {name} {{\n  region = us_east_1\n  replicas = {replicas}\n  image_tag = \"{tag}\"\n}}\n"
    )
}

fn platform_file(layers: usize) -> String {
    let mut text = String::from(
        "// Every layer of the benchmark platform.\nimport \"./lib.mdl\"\nimport \"./layers/core.mdl\"\n",
    );
    for layer in 0..layers {
        let _ = writeln!(text, "import \"./layers/l{layer}.mdl\"");
    }
    text
}

/// One layer of up to [`SERVICES_PER_LAYER`] services, at most `budget` lines.
/// Each layer after the first reads a value the previous layer published, so
/// the layers form a dependency chain.
fn layer_file(layer: usize, first_service: usize, budget: usize) -> (String, usize) {
    let mut text = String::from("import \"../lib.mdl\"\nimport \"./core.mdl\"\n");
    if layer > 0 {
        let _ = writeln!(text, "import \"./l{}.mdl\"", layer - 1);
    }
    let _ = writeln!(text, "\nlayer l{layer} {{");
    let mut lines = text.lines().count() + 1;
    let budget = budget.max(lines + SERVICE_LINES + 1);
    let mut services = 0;
    while services < SERVICES_PER_LAYER && lines + SERVICE_LINES < budget {
        service(&mut text, layer, first_service + services);
        lines += SERVICE_LINES;
        if services == 0 {
            // Each layer publishes under its own name: SSM names are one namespace per environment.
            let _ = writeln!(text, "  publish l{layer}_first_arn = s{first_service}.arn");
            lines += 1;
        }
        services += 1;
    }
    text.push_str("}\n");
    (text, services)
}

/// Lines [`service`] writes.
const SERVICE_LINES: usize = 15;

fn service(text: &mut String, layer: usize, n: usize) {
    let upstream = if layer > 0 { format!("l{0}.l{0}_first_arn", layer - 1) } else { "core.vpc_id".into() };
    let _ = write!(
        text,
        r#"  // Service {n}.
  service s{n} = web_service {{
    name = "s{n}-${{env.name}}"
    image = "registry.example.com/s{n}:${{env.image_tag}}"
    cpu = 0.5 vcpu
    memory = {memory}
    port = {port}
    replicas = env.replicas
    vpc_id = core.vpc_id
  }}
  s{n}_weight = match env.name {{ dev => 1, prod => {weight} }}
  s{n}_hosts = ["s{n}-${{zone}}.internal" for zone in ["a", "b", "c"] if zone != "c"]
  s{n}_upstream = {upstream}
  s{n}_label = upper("s{n}") + "-" + lower("L{layer}")
  publish s{n}_arn = s{n}.arn
"#,
        memory = if n % 2 == 0 { "1 GB" } else { "2048 MiB" },
        port = 1024 + n % 60_000,
        weight = 2 + n % 5,
    );
}

fn measure(binary: &Path, dir: &Path, runs: usize) -> Row {
    let mut row = measure_command(binary, &["check".as_ref(), dir.as_os_str()], runs);
    if time_binary().is_none() {
        row.peak_rss_kb = peak_rss_in_process(dir);
    }
    row
}

/// `mdl build` of each megadolls environment into a temp dir: the lowering
/// issue's target is well under 50 ms and 30 MiB per environment.
fn bench_build(binary: &Path, runs: usize) {
    println!("\nmdl build benchmark: {runs} runs per environment");
    println!(
        "{:>24} {:>11} {:>11} {:>11} {:>13} {:>6}",
        "spec", "median", "min", "min CPU", "peak RSS", "exit"
    );
    for spec in ["specs/dev.mdl", "specs/prod.mdl"] {
        let out = std::env::temp_dir().join(format!("mdl-bench-build-{}", std::process::id()));
        let args = ["build".as_ref(), spec.as_ref(), "-o".as_ref(), out.as_os_str()];
        let row = measure_command(binary, &args, runs);
        println!(
            "{:>24} {:>9.1}ms {:>9.1}ms {:>11} {:>10.1} MB {:>6}",
            spec,
            millis(row.median),
            millis(row.min),
            row.min_cpu.map_or("n/a".to_string(), |cpu| format!("{:.1}ms", millis(cpu))),
            row.peak_rss_kb as f64 / 1024.0,
            row.exit
        );
        let _ = fs::remove_dir_all(&out);
    }
}

/// This process's peak RSS (KB) after checking the spec in-process: an upper
/// bound, since it includes the benchmark's own memory.
fn peak_rss_in_process(dir: &Path) -> u64 {
    let report = mdl::check_files(&spec_files(dir), &mdl::workspace::DiskFileSystem);
    drop(report);
    status_kb("VmHWM")
}
