//! `mdl deploy SPEC`: plan each layer, ask, execute, follow; and the parts
//! `mdl plan` shares (loading the spec, the AWS target, the terminal UI).
//!
//! The spec decides the region: `--region` must agree with it. Without a
//! terminal on stdin, deploy needs `--yes` and says so before any AWS call.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use mdl::deploy::api::Counting;
use mdl::deploy::aws::connect;
use mdl::deploy::errors::Target;
use mdl::deploy::input::{layer_inputs, LayerInput};
use mdl::deploy::report::{self, RunInfo};
use mdl::deploy::{self as engine, is_protected_environment, Engine, Mode, Options, Poll, Ui};

use super::{environment, ColorChoice, Outcome};

/// Flags shared by `mdl plan` and `mdl deploy`.
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// The environment's spec file (e.g. specs/dev.mdl).
    spec: PathBuf,
    /// The environment, when the file declares several.
    #[arg(long = "env")]
    environment: Option<String>,
    #[command(flatten)]
    root: environment::RootArg,
    /// When to color diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Only this layer (repeatable); the layers it depends on must already be deployed.
    #[arg(long = "layer", value_name = "NAME")]
    layers: Vec<String>,
    /// Accept removing or replacing this stateful resource (repeatable).
    #[arg(long = "allow-replace", value_name = "LOGICAL_ID")]
    allow_replace: Vec<String>,
    /// Send AWS calls to this endpoint (a local emulator).
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// The AWS profile (default: the standard chain: AWS_PROFILE, then `default`).
    #[arg(long)]
    profile: Option<String>,
    /// Must equal the environment's region in the spec, when given.
    #[arg(long)]
    region: Option<String>,
    /// S3 bucket for templates over 51,200 bytes (same region as the stacks).
    #[arg(long, value_name = "NAME")]
    template_bucket: Option<String>,
    /// Output: `human` or `json` (schema `mdl.plan/1`, docs/deploy.md).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables and progress on stdout.
    Human,
    /// One JSON document on stdout; progress on stderr.
    Json,
}

/// Arguments of `mdl deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    aws: AwsArgs,
    /// Execute every change set without asking (for CI).
    #[arg(long)]
    yes: bool,
}

/// Run `mdl deploy`.
pub fn run(args: &DeployArgs) -> Outcome {
    if !args.yes && !io::stdin().is_terminal() {
        eprintln!("error: mdl deploy asks before executing each change set, and stdin is not a terminal.\n  Run it with --yes to execute without asking (CI), or use `mdl plan` to only see the changes.");
        return Outcome::Usage;
    }
    run_command(&args.aws, Mode::Deploy { yes: args.yes })
}

/// Load the spec, connect, run plan or deploy, print the result.
pub fn run_command(args: &AwsArgs, mode: Mode) -> Outcome {
    let (model, inputs) = match load(args) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let target = Target {
        region: model.region.clone(),
        endpoint: args.endpoint_url.clone(),
        profile: args.profile.clone(),
    };
    let options = Options {
        mode,
        layers: args.layers.clone(),
        allow_replace: args.allow_replace.clone(),
        template_bucket: args.template_bucket.clone(),
        termination_protection: is_protected_environment(&model.environment),
        target,
        poll: poll_from_env(),
    };
    let info = RunInfo {
        command: options.command(),
        project: model.project.clone(),
        environment: model.environment.clone(),
        region: model.region.clone(),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Outcome::Usage;
        }
    };
    runtime.block_on(execute(&options, &info, &inputs, args.format))
}

async fn execute(options: &Options, info: &RunInfo, inputs: &[LayerInput], format: Format) -> Outcome {
    let (cfn, s3) = connect(&options.target).await;
    let api = Counting::new(cfn);
    let mut ui = TerminalUi::new(format);
    let result = {
        let mut engine = Engine::new(&api, Some(&s3), &mut ui, options);
        engine::run(&mut engine, inputs).await
    };
    ui.finish_live();
    if let Some(error) = &result.error {
        eprintln!("error: {error}");
        return Outcome::Problems;
    }
    let calls = api.counts();
    match format {
        Format::Json => print!("{}", report::to_json(info, &result.layers, calls)),
        Format::Human => println!(
            "\n{} summary ({} {}, {}):\n{}\n  AWS calls: {} reads, {} writes, {} change sets created",
            info.command,
            info.project,
            info.environment,
            info.region,
            report::summary(&result.layers),
            calls.reads,
            calls.writes,
            calls.change_sets_created
        ),
    }
    if result.succeeded() {
        Outcome::Ok
    } else {
        Outcome::Problems
    }
}

/// `MDL_POLL_MS=FIRST[,MAX]` shortens polling (tests against the emulator).
fn poll_from_env() -> Poll {
    let Ok(text) = std::env::var("MDL_POLL_MS") else { return Poll::default() };
    let mut parts = text.split(',').filter_map(|p| p.trim().parse::<u64>().ok());
    let first = parts.next().unwrap_or(1000);
    let max = parts.next().unwrap_or(first.max(10_000));
    Poll { first: std::time::Duration::from_millis(first), max: std::time::Duration::from_millis(max) }
}

/// Check and evaluate the spec; one environment, its region agreeing with `--region`.
fn load(args: &AwsArgs) -> Result<(mdl::eval::Model, Vec<LayerInput>), Outcome> {
    let (report, model) = environment::load(&args.spec, &args.root, args.environment.as_deref(), args.color)?;
    if let Some(region) = args.region.as_deref().filter(|r| *r != model.region) {
        return Err(usage(&format!(
            "--region {region} disagrees with the spec: environment `{}` deploys to {} (set `region` in the spec to change it)",
            model.environment, model.region
        )));
    }
    let lowered = mdl::cfn::lower(&model);
    let inputs = layer_inputs(&model, &lowered.stacks, &report.workspace.sources);
    Ok((model, inputs))
}

fn usage(message: &str) -> Outcome {
    eprintln!("error: {message}");
    Outcome::Usage
}

/// Prints to stdout (human) or stderr (json); one live progress line per
/// layer on a terminal, plain lines otherwise.
struct TerminalUi {
    to_stdout: bool,
    live: bool,
    showing: Option<String>,
}

impl TerminalUi {
    fn new(format: Format) -> Self {
        let to_stdout = format == Format::Human;
        let live = if to_stdout { io::stdout().is_terminal() } else { io::stderr().is_terminal() };
        TerminalUi { to_stdout, live, showing: None }
    }

    fn write(&mut self, text: &str) {
        let _ =
            if self.to_stdout { writeln!(io::stdout(), "{text}") } else { writeln!(io::stderr(), "{text}") };
    }

    fn finish_live(&mut self) {
        if self.showing.take().is_some() {
            self.write("");
        }
    }
}

impl Ui for TerminalUi {
    fn say(&mut self, text: &str) {
        self.finish_live();
        self.write(text);
    }

    fn progress(&mut self, layer: &str, text: &str) {
        if !self.live {
            self.write(&format!("[{layer}] {text}"));
            return;
        }
        if self.showing.as_deref().is_some_and(|l| l != layer) {
            self.finish_live();
        }
        let line = format!("\r\x1b[2K[{layer}] {text}");
        let _ = if self.to_stdout { write!(io::stdout(), "{line}") } else { write!(io::stderr(), "{line}") };
        let _ = io::stdout().flush();
        let _ = io::stderr().flush();
        self.showing = Some(layer.to_string());
    }

    fn confirm(&mut self, question: &str) -> bool {
        self.finish_live();
        eprint!("{question} [y/N] ");
        let _ = io::stderr().flush();
        let mut answer = String::new();
        if io::stdin().lock().read_line(&mut answer).is_err() {
            return false;
        }
        matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
    }
}
