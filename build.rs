//! Build-time tables:
//!
//! - every file under `stdlib/`, embedded so `import std/aws/ecs` works
//!   wherever `mdl` is installed, with the digest of its text, and the
//!   digest of the parser's own sources: the embedded parse of the stdlib
//!   (`src/stdlib/cache.rs`) is used only for the text and the parser it
//!   was made from;
//! - the `.mdl` files of each example under `examples/`, which `mdl init`
//!   copies;
//! - the resource-schema digest (`src/cfn/schemas/cloudformation.json`) as
//!   one embedded text of its types' and patterns' JSON, and an index of it:
//!   where each type's schema lies in that text, which regions offer it and
//!   whether it holds data, so that `mdl` finds a type by binary search and
//!   decodes only the types a spec uses, without reading the rest. The types
//!   the stdlib declares come first, together: a spec built on the stdlib
//!   touches a few neighbouring pages of the text rather than one page here
//!   and there in all of it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::value::RawValue;

/// The one digest function, shared with the crate.
#[path = "src/stdlib/digest.rs"]
mod digest;

const DIGEST: &str = "src/cfn/schemas/cloudformation.json";
/// The digest layout this build understands (`format` in the file).
const DIGEST_FORMAT: u64 = 3;

fn main() {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    println!("cargo:rerun-if-changed=stdlib");
    let mut stdlib = Vec::new();
    collect(Path::new("stdlib"), &mut stdlib);
    stdlib.sort();
    let mut table = stdlib_table(&stdlib, &out_dir);
    table.push_str(&parser_digest());
    write(&out_dir.join("stdlib_files.rs"), &table);
    write(&out_dir.join("example_files.rs"), &examples_table());
    println!("cargo:rerun-if-changed={DIGEST}");
    let text = fs::read_to_string(DIGEST).unwrap_or_else(|error| panic!("cannot read {DIGEST}: {error}"));
    match schema_tables(&text, &stdlib_resource_types(&stdlib)) {
        Ok((index, embedded)) => {
            write(&out_dir.join("schema_index.rs"), &index);
            write(&out_dir.join("schema_text.json"), &embedded);
        }
        Err(error) => panic!("{DIGEST} is not a format-{DIGEST_FORMAT} digest: {error} (regenerate it with tools/schemas/refresh.sh)"),
    }
}

fn write(path: &Path, text: &str) {
    if let Err(error) = fs::write(path, text) {
        panic!("cannot write {}: {error}", path.display());
    }
}

/// `EXAMPLES`: (example, file name, contents) of every `examples/<name>/*.mdl`.
fn examples_table() -> String {
    println!("cargo:rerun-if-changed=examples");
    let mut files = Vec::new();
    for folder in fs::read_dir("examples").into_iter().flatten().flatten() {
        if !folder.path().is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", folder.path().display());
        for file in fs::read_dir(folder.path()).into_iter().flatten().flatten() {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "mdl") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut table = String::from(
        "/// Every example file: (example, file name, contents).\npub static EXAMPLES: &[(&str, &str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let example = path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let absolute = fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let _ = writeln!(
            table,
            "    ({:?}, {:?}, include_str!({:?})),",
            example.unwrap_or_default(),
            name.unwrap_or_default(),
            absolute.display().to_string()
        );
    }
    table.push_str("];\n");
    table
}

/// `FILES`, every stdlib file with the digest of its text. Each file is
/// embedded from a copy made here, so the text compiled in is the very text
/// digested, even if the file is edited while the crate builds.
fn stdlib_table(files: &[PathBuf], out_dir: &Path) -> String {
    let mut table = String::from(
        "/// Every stdlib file, by its path relative to `stdlib/`.\npub static FILES: &[Embedded] = &[\n",
    );
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let relative = path.strip_prefix("stdlib").unwrap_or(path);
        let relative = relative.to_string_lossy().replace('\\', "/");
        let text = fs::read(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let copy = out_dir.join("stdlib").join(&relative);
        if let Some(folder) = copy.parent() {
            fs::create_dir_all(folder)
                .unwrap_or_else(|error| panic!("cannot create {}: {error}", folder.display()));
        }
        fs::write(&copy, &text).unwrap_or_else(|error| panic!("cannot write {}: {error}", copy.display()));
        let _ = writeln!(
            table,
            "    Embedded {{ path: {relative:?}, text: include_str!({:?}), digest: {:#018x} }},",
            copy.display().to_string(),
            digest::of(&text)
        );
    }
    table.push_str("];\n");
    table
}

/// `PARSER_DIGEST`: the digest of every source that decides what the parser
/// builds from a text: the grammar, the AST's types and the builder (all of
/// `src/syntax/` but the formatter and the tests). A cached parse made by
/// another parser is not used.
fn parser_digest() -> String {
    let mut sources = vec![PathBuf::from("src/source.rs"), PathBuf::from("src/units.rs")];
    for folder in ["grammar", "src/syntax"] {
        println!("cargo:rerun-if-changed={folder}");
        parser_sources(Path::new(folder), &mut sources);
    }
    sources.sort();
    let mut digest = digest::Digest::new();
    for path in &sources {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        digest.update(path.to_string_lossy().replace('\\', "/").as_bytes());
        digest.update(&(text.len() as u64).to_le_bytes());
        digest.update(&text);
    }
    format!(
        "/// The digest of the parser's sources this build was made from.\npub const PARSER_DIGEST: u64 = {:#018x};\n",
        digest.finish()
    )
}

fn parser_sources(dir: &Path, sources: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let formatter_or_tests = ["format", "format.rs", "tests", "tests.rs"].contains(&name.as_str());
        if formatter_or_tests || name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            parser_sources(&path, sources);
        } else {
            sources.push(path);
        }
    }
}

/// Text files of the stdlib: `.mdl` sources and the Lambda handlers they inline.
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "tests" && name != "__pycache__" && !name.starts_with('.') {
                collect(&path, files);
            }
        } else if name.ends_with(".mdl") || (name.ends_with(".py") && !name.starts_with("test_")) {
            files.push(path);
        }
    }
}

/// Every `resource "AWS::X::Y"` type the stdlib's sources name.
fn stdlib_resource_types(files: &[PathBuf]) -> BTreeSet<String> {
    let mut types = BTreeSet::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "mdl")) {
        let text = fs::read_to_string(path).unwrap_or_default();
        for rest in text.split("resource \"").skip(1) {
            if let Some((name, _)) = rest.split_once('"') {
                types.insert(name.to_string());
            }
        }
    }
    types
}

/// The Rust source of the digest's index, and the text it indexes: every
/// type's schema (the stdlib's `first` ones, then the others) and every
/// pattern, as JSON one after the other. The index gives the regions, the
/// byte range of each pattern and type in that text, and each type's
/// availability bits and stateful flags.
fn schema_tables(text: &str, first: &BTreeSet<String>) -> Result<(String, String), String> {
    let top: BTreeMap<&str, &RawValue> = parse(text)?;
    let field = |name: &str| top.get(name).copied().ok_or(format!("no `{name}`"));
    let format: u64 = parse(field("format")?.get())?;
    if format != DIGEST_FORMAT {
        return Err(format!("format {format}"));
    }
    let regions: Vec<String> = parse(field("regions")?.get())?;
    if regions.len() > 64 {
        return Err(format!("{} regions, more than a u64 holds", regions.len()));
    }
    let patterns: Vec<&RawValue> = parse(field("patterns")?.get())?;
    let types: BTreeMap<&str, &RawValue> = parse(field("types")?.get())?;

    let mut embedded = String::with_capacity(text.len());
    let mut place = |raw: &RawValue| {
        let start = embedded.len();
        embedded.push_str(raw.get());
        (start, embedded.len())
    };
    let mut ranges = BTreeMap::new();
    let (stdlib, others): (Vec<_>, Vec<_>) = types.iter().partition(|(name, _)| first.contains(**name));
    for (name, schema) in stdlib.into_iter().chain(others) {
        ranges.insert(*name, place(schema));
    }
    let pattern_ranges: Vec<(usize, usize)> = patterns.iter().map(|raw| place(raw)).collect();

    let mut out = String::new();
    let _ =
        writeln!(out, "/// The regions the digest covers; bit `i` of a type's availability is `REGIONS[i]`.");
    let _ = writeln!(out, "pub(super) static REGIONS: [&str; {}] = {regions:?};", regions.len());
    let _ = writeln!(out, "/// How many patterns the digest's table holds.");
    let _ = writeln!(out, "pub(super) const PATTERN_COUNT: usize = {};", patterns.len());
    let _ = writeln!(out, "/// Byte range of each pattern's JSON string in the embedded text.");
    let _ = writeln!(out, "pub(super) static PATTERNS: [(u32, u32); PATTERN_COUNT] = [");
    for (start, end) in pattern_ranges {
        let _ = writeln!(out, "    ({start}, {end}),");
    }
    let _ = writeln!(out, "];\n/// How many types the digest holds.");
    let _ = writeln!(out, "pub(super) const TYPE_COUNT: usize = {};", types.len());
    let _ = writeln!(out, "/// Every type, sorted by name.");
    let _ = writeln!(out, "pub(super) static TYPES: [TypeEntry; TYPE_COUNT] = [");
    for (name, schema) in &types {
        let facts: TypeFacts = type_facts(schema).map_err(|e| format!("{name}: {e}"))?;
        let (start, end) = ranges[name];
        let _ = writeln!(
            out,
            "    TypeEntry {{ name: {name:?}, start: {start}, end: {end}, regions: {:#x}, stateful: {}, delete_requires_empty: {} }},",
            facts.regions, facts.stateful, facts.delete_requires_empty
        );
    }
    out.push_str("];\n");
    Ok((out, embedded))
}

struct TypeFacts {
    regions: u64,
    stateful: bool,
    delete_requires_empty: bool,
}

fn type_facts(schema: &RawValue) -> Result<TypeFacts, String> {
    let fields: BTreeMap<&str, &RawValue> = parse(schema.get())?;
    let flag = |name: &str| fields.get(name).map_or(Ok(false), |raw| parse::<bool>(raw.get()));
    let bits: String = parse(fields.get("in").ok_or("no `in`")?.get())?;
    let regions = u64::from_str_radix(&bits, 16).map_err(|e| format!("`in` {bits:?}: {e}"))?;
    Ok(TypeFacts {
        regions,
        stateful: flag("stateful")?,
        delete_requires_empty: flag("delete_requires_empty")?,
    })
}

fn parse<'a, T: serde::Deserialize<'a>>(text: &'a str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}
