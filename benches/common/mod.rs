//! What the benchmarks share: running the release `mdl` binary as a whole
//! process several times and reading its CPU time and peak memory.
//!
//! CPU (user + system, summed over threads) and peak RSS come from
//! `/usr/bin/time -f "%U %S %M"` when present; wall time from this process's
//! clock. GNU time counts CPU in 10 ms steps.

#![allow(dead_code)] // each benchmark uses its own part

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Timings and memory of one command over several runs.
#[derive(Default)]
pub struct Row {
    pub median: Duration,
    pub min: Duration,
    /// The least CPU time (user + system) of any run: unlike wall time, it
    /// hardly moves when other processes compete for the cores.
    pub min_cpu: Option<Duration>,
    /// The median CPU time of the runs.
    pub median_cpu: Option<Duration>,
    pub peak_rss_kb: u64,
    pub exit: i32,
    pub first_output: String,
    /// The last line mdl printed: `ok: checked ...` or `error: ...`.
    pub summary: String,
}

/// Run `mdl ARGS` `runs` times (under `/usr/bin/time` when present).
pub fn measure_command(binary: &Path, args: &[&std::ffi::OsStr], runs: usize) -> Row {
    let time = time_binary();
    let mut row = Row::default();
    let mut times = Vec::with_capacity(runs);
    let mut cpus = Vec::with_capacity(runs);
    for _ in 0..runs {
        let report = std::env::temp_dir().join(format!("mdl-bench-{}.time", std::process::id()));
        let mut command = match &time {
            // `%U %S %M`: user and system CPU seconds, peak RSS in KB.
            Some(time) => {
                let mut command = Command::new(time);
                command.args(["-f", "%U %S %M", "-o"]).arg(&report).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        let started = Instant::now();
        let output = command.args(args).output().expect("run mdl");
        times.push(started.elapsed());
        row.exit = output.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&output.stderr);
        row.first_output = stderr.lines().take(30).collect::<Vec<_>>().join("\n");
        row.summary = stderr.lines().last().unwrap_or_default().to_string();
        if let Some((cpu, rss)) = read_time_report(&report) {
            cpus.push(cpu);
            row.peak_rss_kb = row.peak_rss_kb.max(rss);
        }
    }
    times.sort();
    cpus.sort();
    row.median = times[times.len() / 2];
    row.min = times[0];
    row.min_cpu = cpus.first().copied();
    row.median_cpu = cpus.get(cpus.len() / 2).copied();
    row
}

pub fn time_binary() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/time");
    path.exists().then_some(path)
}

/// CPU time (user + system) and peak RSS (KB) from a GNU time `-f "%U %S %M"` report.
fn read_time_report(report: &Path) -> Option<(Duration, u64)> {
    let text = fs::read_to_string(report).ok()?;
    let _ = fs::remove_file(report);
    let fields: Vec<&str> = text.lines().last()?.split_whitespace().collect();
    let [user, system, rss] = fields[..] else { return None };
    let cpu = user.parse::<f64>().ok()? + system.parse::<f64>().ok()?;
    Some((Duration::from_secs_f64(cpu), rss.parse().ok()?))
}

/// A comma-separated list of numbers from the environment variable `name`.
pub fn env_list(name: &str) -> Option<Vec<usize>> {
    let text = std::env::var(name).ok()?;
    let values: Vec<usize> = text.split(',').filter_map(|v| v.trim().parse().ok()).collect();
    (!values.is_empty()).then_some(values)
}

pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// `12.3ms`, or `n/a` when not measured.
pub fn cpu_text(cpu: Option<Duration>) -> String {
    cpu.map_or("n/a".to_string(), |cpu| format!("{:.0}ms", millis(cpu)))
}

/// A field of `/proc/self/status` in KB (`VmRSS`, `VmHWM`); 0 elsewhere.
pub fn status_kb(field: &str) -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Every `.mdl` file under `dir`, sorted.
pub fn spec_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "mdl"))
        .map(|e| e.into_path())
        .collect()
}
