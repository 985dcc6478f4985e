//! The standard library, embedded at build time from `stdlib/`.
//!
//! `import std/aws/ecs` reads `stdlib/std/aws/ecs.mdl`; `std/prelude.mdl` is
//! visible in every file without an import.

include!(concat!(env!("OUT_DIR"), "/stdlib_files.rs"));

/// The module path of the prelude.
pub const PRELUDE: &str = "std/prelude";

/// The source of a stdlib module by its import path (`std/aws/ecs`).
pub fn module(path: &str) -> Option<&'static str> {
    file(&format!("{path}.mdl"))
}

/// Any embedded stdlib file by its path relative to `stdlib/`.
pub fn file(relative: &str) -> Option<&'static str> {
    FILES.iter().find(|(name, _)| *name == relative).map(|(_, text)| *text)
}

/// Import paths of every stdlib module, for "did you mean".
pub fn module_paths() -> impl Iterator<Item = &'static str> {
    FILES.iter().filter_map(|(name, _)| name.strip_suffix(".mdl"))
}
