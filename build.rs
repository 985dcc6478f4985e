//! Embeds every file under `stdlib/` into the binary, so `import std/aws/ecs`
//! works wherever `mdl` is installed.

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
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("stdlib_files.rs");
    if let Err(error) = fs::write(&out, table) {
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
