//! What `mdl plan` and `mdl deploy` share: their AWS flags, loading the spec,
//! the AWS target (credentials, account, timeouts), running the engine and
//! printing its result in the chosen format.
//!
//! The spec decides the region: `--region` must agree with it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use mdl::deploy::api::Counting;
use mdl::deploy::aws::connect;
use mdl::deploy::errors::{Target, Timeouts};
use mdl::deploy::input::{environment_input, EnvironmentInput};
use mdl::deploy::interrupt::Interrupt;
use mdl::deploy::report::{self, RunInfo};
use mdl::deploy::{self as engine, diagnose, Engine, Mode, Options, Poll, RunResult};
use mdl::diag::render::{self, JsonReport};
use mdl::source::Sources;

use super::terminal::TerminalUi;
use super::{environment, ColorChoice, Outcome};

/// Flags shared by `mdl plan` and `mdl deploy`.
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// The environment's spec file (e.g. specs/dev.mdl).
    pub spec: PathBuf,
    /// The environment, when the file declares several.
    #[arg(long = "env")]
    pub environment: Option<String>,
    #[command(flatten)]
    pub root: environment::RootArg,
    /// When to color diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Only this layer (repeatable); the layers it depends on must already be deployed.
    #[arg(long = "layer", value_name = "NAME")]
    pub layers: Vec<String>,
    /// Accept removing or replacing this stateful resource (repeatable).
    #[arg(long = "allow-replace", value_name = "LOGICAL_ID")]
    pub allow_replace: Vec<String>,
    /// Send AWS calls to this endpoint (a local emulator).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The AWS profile (default: the environment's `profile`, then the standard chain).
    #[arg(long)]
    pub profile: Option<String>,
    /// Must equal the environment's region in the spec, when given.
    #[arg(long)]
    pub region: Option<String>,
    /// The CloudFormation service role the stacks run with (default: the environment's `service_role`).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// S3 bucket for templates over 51,200 bytes (same region as the stacks).
    #[arg(long, value_name = "NAME")]
    pub template_bucket: Option<String>,
    /// Seconds to open a connection to AWS.
    #[arg(long, value_name = "SECS", env = "MDL_CONNECT_TIMEOUT", default_value_t = 10)]
    pub connect_timeout: u64,
    /// Seconds to wait for an answer once a request is sent.
    #[arg(long, value_name = "SECS", env = "MDL_READ_TIMEOUT", default_value_t = 60)]
    pub read_timeout: u64,
    /// Seconds one AWS call may take in all, the SDK's retries included.
    #[arg(long, value_name = "SECS", env = "MDL_OPERATION_TIMEOUT", default_value_t = 300)]
    pub operation_timeout: u64,
    /// Output: `human`, `json` (schema `mdl.plan/2`), `markdown` (a pull-request comment), `sarif` (the diagnostics).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables and progress on stdout; diagnostics on stderr.
    Human,
    /// One JSON document on stdout; progress and diagnostics on stderr.
    Json,
    /// A markdown summary on stdout (for a pull-request comment); progress on stderr.
    Markdown,
    /// The deploy diagnostics as a SARIF log on stdout; progress on stderr.
    Sarif,
}

/// What the command adds to the shared flags.
pub struct Extra {
    pub mode: Mode,
    /// Layers deployed at once.
    pub concurrency: usize,
    pub no_rollback: bool,
    pub reviewed: Option<mdl::deploy::planfile::PlanFile>,
}

/// A loaded spec: the environment's input and the sources its spans point into.
pub struct Loaded {
    pub environment: EnvironmentInput,
    pub sources: Sources,
    pub model: mdl::eval::Model,
}

/// Check and evaluate the spec; one environment, its region agreeing with `--region`.
pub fn load(args: &AwsArgs) -> Result<Loaded, Outcome> {
    let (report, model) = environment::load(&args.spec, &args.root, args.environment.as_deref(), args.color)?;
    if let Some(region) = args.region.as_deref().filter(|r| *r != model.region) {
        eprintln!(
            "error: --region {region} disagrees with the spec: environment `{}` deploys to {} (set `region` in the spec to change it)",
            model.environment, model.region
        );
        return Err(Outcome::Usage);
    }
    let lowered = mdl::cfn::lower_for_deploy(&model);
    let mut environment = environment_input(&model, &lowered.stacks, &report.workspace.sources);
    environment.spec_path = args.spec.display().to_string();
    Ok(Loaded { environment, sources: report.workspace.sources, model })
}

/// Run the engine over the loaded spec and print the result.
pub fn run(args: &AwsArgs, loaded: &Loaded, extra: Extra) -> (Outcome, Option<RunResult>) {
    let interrupt = match Interrupt::on_signals() {
        Ok(flag) => flag,
        Err(e) => {
            eprintln!("error: cannot listen for interrupts: {e}");
            return (Outcome::Usage, None);
        }
    };
    let options = options(args, loaded, extra, interrupt);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return (Outcome::Usage, None);
        }
    };
    runtime.block_on(execute(args, &options, loaded))
}

fn options(args: &AwsArgs, loaded: &Loaded, extra: Extra, interrupt: Interrupt) -> Options {
    let deployment = &loaded.model.deployment;
    let setting = |s: &Option<mdl::eval::Setting>| s.as_ref().map(|s| s.value.clone());
    let target = Target {
        region: loaded.model.region.clone(),
        endpoint: args.endpoint_url.clone(),
        profile: args.profile.clone().or_else(|| setting(&deployment.profile)),
        role: setting(&deployment.role),
        timeouts: Timeouts {
            connect: Duration::from_secs(args.connect_timeout.max(1)),
            read: Duration::from_secs(args.read_timeout.max(1)),
            operation: Duration::from_secs(args.operation_timeout.max(1)),
            attempts: attempts(),
        },
    };
    Options {
        mode: extra.mode,
        layers: args.layers.clone(),
        allow_replace: args.allow_replace.clone(),
        template_bucket: args.template_bucket.clone(),
        service_role: args.role_arn.clone().or_else(|| setting(&deployment.service_role)),
        no_rollback: extra.no_rollback,
        target,
        poll: poll_from_env(),
        interrupt,
        reviewed: extra.reviewed,
        look_for_orphans: true,
        concurrency: extra.concurrency.max(1),
    }
}

/// The SDK's own AWS_MAX_ATTEMPTS, else 6.
fn attempts() -> u32 {
    std::env::var("AWS_MAX_ATTEMPTS").ok().and_then(|v| v.trim().parse().ok()).filter(|n| *n > 0).unwrap_or(6)
}

async fn execute(args: &AwsArgs, options: &Options, loaded: &Loaded) -> (Outcome, Option<RunResult>) {
    let color = args.color.for_stderr();
    let mut ui = TerminalUi::new(args.format == Format::Human, &loaded.sources, color);
    let environment = &loaded.environment;
    let mut info = RunInfo {
        command: options.command(),
        project: environment.project.clone(),
        environment: environment.environment.clone(),
        region: environment.region.clone(),
        account: None,
    };
    let (cfn, s3) = match connect(&options.target, &options.interrupt).await {
        Ok(clients) => clients,
        Err(error) => {
            let (outcome, result) = not_connected(&error, options, environment);
            mdl::deploy::Ui::diagnostic(&mut ui, &result.diagnostics[0]);
            print_machine(args.format, &info, &result, &loaded.sources, Default::default());
            return (outcome, None);
        }
    };
    let api = Counting::new(cfn);
    let (result, deployed) = {
        let mut engine = Engine::new(&api, Some(&s3), &mut ui, options);
        let result = engine::run(&mut engine, environment).await;
        // After a deploy, people want to read what is there now (the JSON
        // document stays the run's; `mdl outputs --format json` has these).
        let wanted = matches!(options.mode, Mode::Deploy { .. }) && args.format == Format::Human;
        let deployed = if wanted && result.caller.is_some() && !options.interrupt.is_set() {
            mdl::deploy::outputs::read_all(&engine, environment).await.ok()
        } else {
            None
        };
        (result, deployed)
    };
    ui.finish_live();
    if let Some(usage) = &result.usage {
        eprintln!("error: {usage}");
        return (Outcome::Usage, Some(result));
    }
    info.account = result.caller.as_ref().map(|c| c.account.clone());
    if args.format == Format::Human {
        print_summary(&info, &result, api.counts(), &loaded.environment.spec_path);
        if let Some(layers) = deployed.filter(|l| l.iter().any(|l| l.status.is_some())) {
            println!("\noutputs:\n{}", mdl::deploy::outputs::to_text(&layers));
        }
    } else {
        print_machine(args.format, &info, &result, &loaded.sources, api.counts());
    }
    (outcome(&result), Some(result))
}

/// Credentials could not be resolved (or an interrupt came first): one diagnostic.
fn not_connected(
    error: &mdl::deploy::errors::ApiError,
    options: &Options,
    environment: &EnvironmentInput,
) -> (Outcome, RunResult) {
    let (outcome, diagnostic) = if options.interrupt.is_set() {
        let notes = vec!["nothing was applied".into()];
        (Outcome::Interrupted, diagnose::interrupted(environment.span, notes, "run the command again".into()))
    } else {
        let doing = "resolving the AWS credentials";
        (Outcome::Problems, diagnose::api_failure(error, &options.target, "sts", doing, environment.span))
    };
    (outcome, RunResult { diagnostics: vec![diagnostic], ..RunResult::default() })
}

/// The exit code of a finished run.
fn outcome(result: &RunResult) -> Outcome {
    if result.diagnostics.iter().any(|d| d.code == mdl::diag::Code::DeployInterrupted) {
        Outcome::Interrupted
    } else if result.succeeded() {
        Outcome::Ok
    } else {
        Outcome::Problems
    }
}

fn print_summary(info: &RunInfo, result: &RunResult, calls: mdl::deploy::api::CallCounts, spec: &str) {
    if result.layers.is_empty() {
        return;
    }
    let account = info.account.as_deref().map(|a| format!("account {a}, ")).unwrap_or_default();
    println!(
        "\n{} summary ({} {}, {account}{}):\n{}",
        info.command,
        info.project,
        info.environment,
        info.region,
        report::summary(&result.layers)
    );
    match info.command {
        "plan" => println!("  {}", report::Totals::of(&result.layers).line()),
        _ => {
            for line in report::outcome(&result.layers) {
                println!("  {line}");
            }
        }
    }
    let created = match calls.change_sets_created {
        1 => "1 change set".to_string(),
        n => format!("{n} change sets"),
    };
    println!("  AWS calls: {} reads, {} writes, {created} created", calls.reads, calls.writes);
    if !result.orphans.is_empty() {
        let names: Vec<&str> = result.orphans.iter().map(|o| o.stack_name.as_str()).collect();
        println!(
            "  orphan stacks (no layer of the spec names them; nothing deleted): {}\n  remove them with `mdl destroy {} --orphans`",
            names.join(", "),
            spec
        );
    }
}

fn print_machine(
    format: Format,
    info: &RunInfo,
    result: &RunResult,
    sources: &Sources,
    calls: mdl::deploy::api::CallCounts,
) {
    match format {
        Format::Human => {}
        Format::Json => {
            let diagnostics = JsonReport::new(&result.diagnostics, sources).diagnostics;
            print!("{}", report::to_json(info, &result.layers, calls, &diagnostics, &result.orphans));
        }
        Format::Markdown => print!("{}", report::to_markdown(info, &result.layers)),
        Format::Sarif => print!("{}", render::render_sarif(&result.diagnostics, sources)),
    }
}

/// `MDL_POLL_MS=FIRST[,MAX]` shortens polling (tests against the emulator).
fn poll_from_env() -> Poll {
    let Ok(text) = std::env::var("MDL_POLL_MS") else { return Poll::default() };
    let mut parts = text.split(',').filter_map(|p| p.trim().parse::<u64>().ok());
    let first = parts.next().unwrap_or(1000);
    let max = parts.next().unwrap_or(first.max(10_000));
    Poll { first: Duration::from_millis(first), max: Duration::from_millis(max) }
}

/// Connected clients for the commands past plan and deploy (destroy,
/// outputs, drift, import): the options, the clients and the runtime.
pub struct Connected {
    pub runtime: tokio::runtime::Runtime,
    pub options: Options,
    pub api: Counting<mdl::deploy::aws::SdkCloudFormation>,
    pub store: mdl::deploy::aws::SdkTemplateStore,
}

/// Connect for `command`, which prints `human` or `json` only. A failure is
/// printed here (credentials as a diagnostic) and returned as the exit code.
pub fn connected(args: &AwsArgs, loaded: &Loaded, command: &str, yes: bool) -> Result<Connected, Outcome> {
    if matches!(args.format, Format::Markdown | Format::Sarif) {
        eprintln!("error: `mdl {command}` prints --format human or json");
        return Err(Outcome::Usage);
    }
    let interrupt = Interrupt::on_signals().map_err(|e| {
        eprintln!("error: cannot listen for interrupts: {e}");
        Outcome::Usage
    })?;
    let extra = Extra { mode: Mode::Deploy { yes }, concurrency: 1, no_rollback: false, reviewed: None };
    let options = options(args, loaded, extra, interrupt);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        Outcome::Usage
    })?;
    match runtime.block_on(connect(&options.target, &options.interrupt)) {
        Ok((cfn, store)) => Ok(Connected { runtime, options, api: Counting::new(cfn), store }),
        Err(error) => {
            let (outcome, result) = not_connected(&error, &options, &loaded.environment);
            let color = args.color.for_stderr();
            for diagnostic in &result.diagnostics {
                eprintln!("{}", render::render_human(diagnostic, &loaded.sources, color));
            }
            Err(outcome)
        }
    }
}

/// The diagnostics as the JSON documents carry them.
pub fn diagnostics_json(diagnostics: &[mdl::diag::Diagnostic], sources: &Sources) -> serde_json::Value {
    serde_json::to_value(JsonReport::new(diagnostics, sources).diagnostics).unwrap_or_default()
}

/// The exit code of a command past plan and deploy.
pub fn exit_code(usage: bool, diagnostics: &[mdl::diag::Diagnostic], succeeded: bool) -> Outcome {
    if usage {
        Outcome::Usage
    } else if diagnostics.iter().any(|d| d.code == mdl::diag::Code::DeployInterrupted) {
        Outcome::Interrupted
    } else if succeeded {
        Outcome::Ok
    } else {
        Outcome::Problems
    }
}
