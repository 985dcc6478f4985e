//! What checking against the resource schemas costs inside `mdl build` of
//! each megadolls environment (a benchmark, not a timed test: it prints
//! figures, it asserts nothing).
//!
//! Run with `cargo bench --bench schema` (release build). For each
//! environment it starts this benchmark again as a fresh process, so that the
//! schemas are cold as they are in every `mdl` run: the process loads,
//! checks and evaluates the spec, then checks every layer against the
//! schemas (`cfn::schema::check_layer`: finding each type, decoding it on
//! first use, compiling the patterns its values meet) and prints how long
//! that took and how much it grew the resident memory, then how long the same
//! check takes again once warm. `MDL_BENCH_RUNS=N` sets the runs (default 7).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use mdl::workspace::{DiskFileSystem, Workspace};

const ENVIRONMENTS: [&str; 2] = ["specs/dev.mdl", "specs/prod.mdl"];

fn main() {
    if let Ok(spec) = std::env::var("MDL_BENCH_SCHEMA_ONE") {
        return measure_one(&spec);
    }
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this too.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let runs: usize = std::env::var("MDL_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(7).max(1);
    println!("schema checks in a fresh process, {runs} runs per environment (median, min)");
    println!(
        "{:<16} {:>6} {:>6} {:>14} {:>9} {:>14} {:>14} {:>10}",
        "spec", "layers", "types", "decode", "its RSS", "first check", "second check", "RSS growth"
    );
    let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("schema"));
    for spec in ENVIRONMENTS {
        let rows: Vec<Row> = (0..runs).filter_map(|_| run_one(&me, spec)).collect();
        if rows.is_empty() {
            println!("{spec:<16} (no figures: the child run failed)");
            continue;
        }
        let decode = spread(rows.iter().map(|r| r.decode).collect());
        let cold = spread(rows.iter().map(|r| r.cold).collect());
        let warm = spread(rows.iter().map(|r| r.warm).collect());
        let decode_kb = rows.iter().map(|r| r.decode_kb).max().unwrap_or(0);
        let rss = rows.iter().map(|r| r.rss_kb).max().unwrap_or(0);
        println!(
            "{spec:<16} {:>6} {:>6} {:>6.2}/{:>5.2}ms {:>6} KB {:>6.2}/{:>5.2}ms {:>6.3}/{:>5.3}ms {:>7} KB",
            rows[0].layers,
            rows[0].types,
            millis(decode.0),
            millis(decode.1),
            decode_kb,
            millis(cold.0),
            millis(cold.1),
            millis(warm.0),
            millis(warm.1),
            rss
        );
    }
}

struct Row {
    layers: usize,
    types: usize,
    decode: Duration,
    decode_kb: u64,
    cold: Duration,
    warm: Duration,
    rss_kb: u64,
}

fn run_one(me: &PathBuf, spec: &str) -> Option<Row> {
    let output = Command::new(me).env("MDL_BENCH_SCHEMA_ONE", spec).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<u64> = text.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    let [layers, types, decode, decode_kb, cold, warm, rss_kb] = fields.as_slice() else { return None };
    Some(Row {
        layers: *layers as usize,
        types: *types as usize,
        decode: Duration::from_nanos(*decode),
        decode_kb: *decode_kb,
        cold: Duration::from_nanos(*cold),
        warm: Duration::from_nanos(*warm),
        rss_kb: *rss_kb,
    })
}

/// In the child: prints `layers types decode_ns decode_kb cold_ns warm_ns rss_growth_kb`:
/// decoding the types the spec uses, then the whole first check (decoding
/// included), then a second one.
fn measure_one(spec: &str) {
    let workspace = Workspace::load(&[PathBuf::from(spec)], &DiskFileSystem);
    let checked = mdl::check::check(&workspace);
    let Some(environment) = mdl::entry_environments(&workspace, &checked).first().copied() else { return };
    let (Some(model), _) = mdl::eval::evaluate(&workspace, &checked, environment) else { return };
    let mut types: Vec<&str> =
        model.layers.iter().flat_map(|l| &l.resources).map(|r| r.type_name.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    let mut errors = Vec::new();
    let before = resident_kb();
    let start = Instant::now();
    for name in &types {
        std::hint::black_box(mdl::cfn::schema::resource_type(name));
    }
    let decode = start.elapsed();
    let decode_rss = resident_kb().saturating_sub(before);
    for layer in &model.layers {
        mdl::cfn::schema::check_layer(layer, &model.region, &mut errors);
    }
    let cold = start.elapsed();
    let rss = resident_kb().saturating_sub(before);
    let start = Instant::now();
    for layer in &model.layers {
        mdl::cfn::schema::check_layer(layer, &model.region, &mut errors);
    }
    let warm = start.elapsed();
    let (layers, types, decode, cold, warm) =
        (model.layers.len(), types.len(), decode.as_nanos(), cold.as_nanos(), warm.as_nanos());
    println!("{layers} {types} {decode} {decode_rss} {cold} {warm} {rss}");
}

/// This process's resident set, from `/proc/self/status` (0 elsewhere).
fn resident_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or_default();
    line.split_whitespace().nth(1).and_then(|kb| kb.parse().ok()).unwrap_or(0)
}

/// (median, min)
fn spread(mut values: Vec<Duration>) -> (Duration, Duration) {
    values.sort();
    (values[values.len() / 2], values[0])
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
