//! Embeds every file under `stdlib/` into the binary, so `import std/aws/ecs`
//! works wherever `mdl` is installed, and the `.mdl` files of each example
//! under `examples/`, which `mdl init` copies.

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=stdlib");
    let mut files = Vec::new();
    collect(Path::new("stdlib"), &mut files);
    files.sort();
    let mut table = String::from("/// Every stdlib file: (path relative to `stdlib/`, contents).\npub static FILES: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let relative = path.strip_prefix("stdlib").unwrap_or(path);
        let relative = relative.to_string_lossy().replace('\\', "/");
        let absolute = fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        table.push_str(&format!("    ({relative:?}, include_str!({:?})),\n", absolute.display().to_string()));
    }
    table.push_str("];\n");
    write_out("stdlib_files.rs", &table);
    write_out("example_files.rs", &examples());
}

/// `EXAMPLES`: (example, file name, contents) of every `examples/<name>/*.mdl`.
fn examples() -> String {
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
    let mut table = String::from("/// Every example file: (example, file name, contents).\npub static EXAMPLES: &[(&str, &str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let example = path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let absolute = fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        table.push_str(&format!(
            "    ({:?}, {:?}, include_str!({:?})),\n",
            example.unwrap_or_default(),
            name.unwrap_or_default(),
            absolute.display().to_string()
        ));
    }
    table.push_str("];\n");
    table
}

fn write_out(name: &str, contents: &str) {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join(name);
    if let Err(error) = fs::write(&out, contents) {
        panic!("cannot write {}: {error}", out.display());
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
