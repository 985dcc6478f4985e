//! The stdlib's modules, parsed ahead of time.
//!
//! A platform imports thousands of lines of stdlib, and parsing them was
//! most of what a whole `mdl build` cost. [`PATH`] holds every module's tree,
//! encoded with postcard, and the binary embeds it: loading a module decodes
//! its tree ([`parsed`]) instead of parsing its text.
//!
//! Correctness never depends on the file being fresh. Each tree is stored
//! with the digest of the text it was parsed from, the whole file with the
//! digest of the parser's sources that made it ([`super::digest`]; `build.rs`
//! computes both for the build at hand), and a tree is used only when both
//! match: any other module is parsed from its text, as without the file.
//! Only a module that parses with no diagnostic is stored, so a parse's
//! diagnostics are never lost. A test regenerates the file in memory
//! ([`generate`]) and fails when the committed one differs, naming the
//! command that rewrites it:
//!
//! ```sh
//! MDL_BLESS_STDLIB=1 cargo test --lib stdlib::
//! ```
//!
//! The trees' spans are in file 0; [`parsed`] puts them in the file id the
//! module is loaded as.

use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{digest, embedded_module, FILES, PARSER_DIGEST};
use crate::source::FileId;
use crate::syntax::{self, ast};

/// The committed file, relative to the crate's root.
pub const PATH: &str = "src/stdlib/parsed.postcard";

/// The committed file's bytes.
pub static COMMITTED: &[u8] = include_bytes!("parsed.postcard");

/// The file: the parser's digest, and the trees.
#[derive(Serialize, Deserialize)]
struct Cache<'a> {
    parser: u64,
    #[serde(borrow)]
    modules: Vec<Entry<'a>>,
}

/// One module's tree, encoded on its own so that loading a module decodes
/// only its own tree.
#[derive(Serialize, Deserialize)]
struct Entry<'a> {
    /// The import path: `std/aws/ecs`.
    path: &'a str,
    /// The digest of the text the tree was parsed from.
    text: u64,
    #[serde(borrow)]
    tree: Bytes<'a>,
}

/// Bytes encoded as bytes (serde's own `&[u8]` is encoded as a sequence).
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Bytes<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'a [u8]>::deserialize(deserializer).map(Bytes)
    }
}

/// The tree of stdlib module `path` (`std/aws/ecs`) with its spans in
/// `file`, when the embedded file holds a parse of this build's text of it
/// by this build's parser; `None` means: parse the text.
pub fn parsed(path: &str, file: FileId) -> Option<ast::File> {
    static INDEX: OnceLock<Option<Cache<'static>>> = OnceLock::new();
    let cache = INDEX.get_or_init(|| decode(COMMITTED, PARSER_DIGEST)).as_ref()?;
    cache.tree(path, embedded_module(path)?.digest, file)
}

/// The tree of `path` in the file `bytes`, as [`parsed`] finds it there.
#[cfg(test)]
pub(super) fn lookup(bytes: &[u8], parser: u64, path: &str, text: u64, file: FileId) -> Option<ast::File> {
    decode(bytes, parser)?.tree(path, text, file)
}

/// The file in `bytes`, when it is one made by the parser of digest `parser`.
fn decode(bytes: &[u8], parser: u64) -> Option<Cache<'_>> {
    let cache: Cache = postcard::from_bytes(bytes).ok()?;
    (cache.parser == parser).then_some(cache)
}

impl Cache<'_> {
    /// The tree of `path`, when it was parsed from a text of digest `text`.
    fn tree(&self, path: &str, text: u64, file: FileId) -> Option<ast::File> {
        let entry = self.modules.iter().find(|entry| entry.path == path && entry.text == text)?;
        let mut tree: ast::File = postcard::from_bytes(entry.tree.0).ok()?;
        if file != FileId(0) {
            syntax::move_to_file(&mut tree, file);
        }
        Some(tree)
    }
}

/// The file for this build's stdlib and parser: the tree of every module
/// whose text parses with no diagnostic.
pub fn generate() -> Result<Vec<u8>, postcard::Error> {
    let mut trees = Vec::new();
    for module in FILES {
        let Some(path) = module.path.strip_suffix(".mdl") else { continue };
        let parsed = syntax::parse(FileId(0), module.text);
        if parsed.diagnostics.is_empty() {
            trees.push((path, digest::of(module.text.as_bytes()), postcard::to_allocvec(&parsed.file)?));
        }
    }
    let modules =
        trees.iter().map(|(path, text, tree)| Entry { path, text: *text, tree: Bytes(tree) }).collect();
    postcard::to_allocvec(&Cache { parser: PARSER_DIGEST, modules })
}
