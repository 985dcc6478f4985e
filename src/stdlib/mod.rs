//! The standard library, embedded at build time from `stdlib/`.
//!
//! `import std/aws/ecs` reads `stdlib/std/aws/ecs.mdl`; `std/prelude.mdl` is
//! visible in every file without an import. Each module also comes parsed
//! ([`cache`]): loading one decodes its tree instead of parsing its text,
//! whenever the tree was made from that very text by this parser.

pub mod cache;
pub mod digest;

include!(concat!(env!("OUT_DIR"), "/stdlib_files.rs"));

/// One embedded stdlib file.
pub struct Embedded {
    /// The path relative to `stdlib/`: `std/aws/ecs.mdl`.
    pub path: &'static str,
    /// The file's text.
    pub text: &'static str,
    /// [`digest::of`] the text, computed by `build.rs`.
    pub digest: u64,
}

/// The module path of the prelude.
pub const PRELUDE: &str = "std/prelude";

/// The source of a stdlib module by its import path (`std/aws/ecs`).
pub fn module(path: &str) -> Option<&'static str> {
    embedded_module(path).map(|file| file.text)
}

/// Any embedded stdlib file by its path relative to `stdlib/`.
pub fn file(relative: &str) -> Option<&'static str> {
    embedded(relative).map(|file| file.text)
}

/// A stdlib module by its import path, with its digest.
fn embedded_module(path: &str) -> Option<&'static Embedded> {
    FILES.iter().find(|file| file.path.strip_suffix(".mdl") == Some(path))
}

fn embedded(relative: &str) -> Option<&'static Embedded> {
    FILES.iter().find(|file| file.path == relative)
}

/// Import paths of every stdlib module, for "did you mean".
pub fn module_paths() -> impl Iterator<Item = &'static str> {
    FILES.iter().filter_map(|file| file.path.strip_suffix(".mdl"))
}

#[cfg(test)]
mod tests;
