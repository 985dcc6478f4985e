//! Latency of the language server, in-process (a benchmark, not a timed
//! test: it prints figures, it asserts only that every request is answered).
//!
//! For each workspace — the megadolls specs with every environment file
//! open, and generated platforms of about 5,000 and 20,000 lines (one
//! platform file and an environment file importing it, both open) — it
//! times, over several rounds, the server's work for:
//!
//! - `didChange → diagnostics`: a one-character edit of the platform file,
//!   re-analysed and turned into the lists to publish (`State::set` then
//!   `State::refresh`: the plan, the job and its install that the server
//!   runs on its analysis thread before it writes the notification);
//! - `hover` on a name in the middle of the platform file;
//! - `completion` after `env.`;
//! - `documentSymbol` of the platform file.
//!
//! and prints the median (p50) and the 95th percentile of the server's CPU
//! time (the thread's time on a CPU, from `/proc/thread-self/schedstat`, so
//! other processes competing for the cores do not inflate it; wall time where
//! that file is missing), then the wall-clock p50 for comparison.
//!
//! `cargo bench --bench lsp` runs the full measurement (release build);
//! `MDL_BENCH_RUNS=50` sets the rounds (default 40). Without `--bench`
//! (`cargo test --benches`, nextest's listing) it runs a quick pass: the
//! specs and a small generated platform, two rounds, to prove it works.

use std::fmt::Write as _;
use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsp_types::Url;
use mdl::lsp::state::State;
use serde_json::{json, Value};

// The allocator of the `mdl` binary, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let runs = if full {
        std::env::var("MDL_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(40usize).max(2)
    } else {
        2
    };
    let sizes: &[usize] = if full { &[5_000, 20_000] } else { &[500] };
    println!("mdl lsp latency: {runs} rounds per figure, server CPU time p50 / p95 in ms");
    println!(
        "{:<28} {:>16} {:>16} {:>16} {:>16}",
        "workspace", "didChange→diag", "hover", "completion", "symbols"
    );
    let specs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs");
    let files: Vec<PathBuf> = ["platform.mdl", "dev.mdl", "prod.mdl"].iter().map(|f| specs.join(f)).collect();
    report("specs (3 files open)", &files, runs);
    for &size in sizes {
        let dir = std::env::temp_dir().join(format!("mdl-bench-lsp-{}-{size}", std::process::id()));
        let lines = generate(&dir, size);
        let name = format!("generated {lines} lines (+ env)");
        report(&name, &[dir.join("platform.mdl"), dir.join("dev.mdl")], runs);
        let _ = fs::remove_dir_all(&dir);
    }
}

/// Measure one workspace: the first file is the one edited and asked about.
fn report(name: &str, files: &[PathBuf], runs: usize) {
    let mut state = State::default();
    for file in files {
        state.set(&url(file), fs::read_to_string(file).expect("workspace file"));
    }
    let _ = state.refresh();
    let platform = &files[0];
    let uri = url(platform);
    let text = fs::read_to_string(platform).expect("platform file");
    let edited = one_character_edit(&text);

    let mut change = Vec::new();
    for round in 0..runs {
        let next = if round % 2 == 0 { &edited } else { &text };
        let started = Clock::start();
        state.set(&uri, next.clone());
        let published = state.refresh();
        change.push(started.elapsed());
        black_box(published);
    }
    // Requests are answered on the original text.
    state.set(&uri, text.clone());
    let _ = state.refresh();
    let document = json!({ "uri": uri.as_str() });
    let hover_at = position_of(&text, hover_target(&text));
    let complete_at = position_of(&text, "env.").map(|(line, character)| (line, character + 4));
    let hover = time(runs, || {
        ask(&state, "textDocument/hover", json!({ "textDocument": document, "position": at(hover_at) }))
    });
    let completion = time(runs, || {
        ask(
            &state,
            "textDocument/completion",
            json!({ "textDocument": document, "position": at(complete_at) }),
        )
    });
    let symbols =
        time(runs, || ask(&state, "textDocument/documentSymbol", json!({ "textDocument": document })));
    println!(
        "{name:<28} {:>16} {:>16} {:>16} {:>16}",
        percentiles(&change, Sample::cpu),
        percentiles(&hover, Sample::cpu),
        percentiles(&completion, Sample::cpu),
        percentiles(&symbols, Sample::cpu)
    );
    println!(
        "{:<28} {:>16} {:>16} {:>16} {:>16}",
        "  (wall p50 / p95)",
        percentiles(&change, Sample::wall),
        percentiles(&hover, Sample::wall),
        percentiles(&completion, Sample::wall),
        percentiles(&symbols, Sample::wall)
    );
}

/// One measurement: the thread's CPU time and the wall time.
#[derive(Clone, Copy)]
struct Sample {
    cpu: Duration,
    wall: Duration,
}

impl Sample {
    fn cpu(self) -> Duration {
        self.cpu
    }
    fn wall(self) -> Duration {
        self.wall
    }
}

/// Where a measurement started.
struct Clock {
    cpu: Option<Duration>,
    wall: Instant,
}

impl Clock {
    fn start() -> Clock {
        Clock { cpu: thread_cpu(), wall: Instant::now() }
    }

    fn elapsed(&self) -> Sample {
        let wall = self.wall.elapsed();
        let cpu = match (self.cpu, thread_cpu()) {
            (Some(start), Some(end)) => end.saturating_sub(start),
            _ => wall,
        };
        Sample { cpu, wall }
    }
}

/// This thread's time on a CPU so far (Linux: the first field of
/// `/proc/thread-self/schedstat`, in nanoseconds).
fn thread_cpu() -> Option<Duration> {
    let text = fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(text.split_whitespace().next()?.parse().ok()?))
}

/// Time `request` `runs` times; every answer must be a real one.
fn time(runs: usize, request: impl Fn() -> Value) -> Vec<Sample> {
    (0..runs)
        .map(|_| {
            let started = Clock::start();
            let answer = request();
            let elapsed = started.elapsed();
            assert!(!answer.is_null() && answer != json!([]), "the request was answered: {answer}");
            black_box(answer);
            elapsed
        })
        .collect()
}

fn ask(state: &State, method: &str, params: Value) -> Value {
    mdl::lsp::answer(state, method, params)
        .unwrap_or_else(|(code, message)| panic!("{method}: {code:?} {message}"))
}

fn percentiles(samples: &[Sample], which: fn(Sample) -> Duration) -> String {
    let mut times: Vec<Duration> = samples.iter().map(|s| which(*s)).collect();
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    format!("{:.1} / {:.1}", pick(0.5), pick(0.95))
}

/// The text with one digit changed (a value typed), so the file still checks.
fn one_character_edit(text: &str) -> String {
    let at = text.find("port = ").or_else(|| text.find("port    = ")).expect("a port to edit");
    let digit = at + text[at..].find(|c: char| c.is_ascii_digit()).expect("a digit");
    let replaced = if &text[digit..=digit] == "9" { "8" } else { "9" };
    format!("{}{replaced}{}", &text[..digit], &text[digit + 1..])
}

/// A name in the middle of the file that hover answers.
fn hover_target(text: &str) -> &'static str {
    if text.contains("service s0 = ") {
        "= web_service {"
    } else {
        "= ecs.fargate_service {"
    }
}

fn position_of(text: &str, needle: &str) -> Option<(usize, usize)> {
    let matches: Vec<usize> = text.match_indices(needle).map(|(i, _)| i).collect();
    let offset = *matches.get(matches.len() / 2)? + needle.find(|c: char| c.is_alphabetic()).unwrap_or(0);
    let before = &text[..offset];
    Some((before.matches('\n').count(), offset - before.rfind('\n').map_or(0, |i| i + 1)))
}

fn at(position: Option<(usize, usize)>) -> Value {
    let (line, character) = position.expect("the needle is in the file");
    json!({ "line": line, "character": character })
}

fn url(path: &Path) -> Url {
    Url::from_file_path(path.canonicalize().expect("exists")).expect("absolute")
}

/// Services per layer, as in the `check` benchmark: a stack CloudFormation accepts.
const SERVICES_PER_LAYER: usize = 40;

/// A platform of about `target` lines in one file, and `dev.mdl` importing it.
fn generate(dir: &Path, target: usize) -> usize {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).expect("bench dir");
    let mut text = String::from(HEAD);
    let mut layer = 0;
    let mut n = 0;
    while text.lines().count() < target {
        let upstream = if layer > 0 { format!("l{}.first_arn", layer - 1) } else { "core.vpc_id".into() };
        let _ = writeln!(text, "\nlayer l{layer} {{");
        for i in 0..SERVICES_PER_LAYER {
            service(&mut text, n, &upstream);
            if i == 0 {
                let _ = writeln!(text, "  publish first_arn = s{n}.arn");
            }
            n += 1;
        }
        text.push_str("}\n");
        layer += 1;
    }
    let lines = text.lines().count();
    fs::write(dir.join("platform.mdl"), text).expect("write");
    let dev = "import \"./platform.mdl\"\n\nenvironment dev {\n  region = us_east_1\n  replicas = 1\n  image_tag = \"dev\"\n}\n";
    fs::write(dir.join("dev.mdl"), dev).expect("write");
    lines
}

fn service(text: &mut String, n: usize, upstream: &str) {
    let _ = write!(
        text,
        r#"  // Service {n}.
  service s{n} = web_service {{
    name = "s{n}-${{env.name}}"
    image = "registry.example.com/s{n}:${{env.image_tag}}"
    cpu = 0.5 vcpu
    memory = 1 GB
    port = {port}
    replicas = env.replicas
    vpc_id = core.vpc_id
  }}
  s{n}_hosts = ["s{n}-${{zone}}.internal" for zone in ["a", "b", "c"] if zone != "c"]
  s{n}_upstream = {upstream}
  publish s{n}_arn = s{n}.arn
"#,
        port = 1024 + n % 60_000,
    );
}

/// The project, the construct every service instantiates, and the core layer.
const HEAD: &str = r#"// A generated platform for the language server benchmark.
project bench {
  environments { dev }
  settings {
    replicas: int in 1..100
    image_tag: string
  }
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

/// Slow-changing things every other layer reads.
layer core {
  resource "AWS::EC2::VPC" vpc { CidrBlock = "10.0.0.0/16" }
  publish vpc_id = vpc.ref
}
"#;
