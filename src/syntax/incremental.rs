//! Re-parsing an edited file item by item.
//!
//! Input: a file's new text, and the items parsed from its previous text.
//! Output: the same [`Parsed`] as [`parse`](super::parse) of the whole text,
//! with only the items whose text changed parsed again.
//!
//! The text is cut at top-level items as recovery cuts it
//! ([`pieces::cut`]); each piece's tree is kept keyed by the piece's text,
//! with spans counted from the piece's start, and moved to where the piece
//! starts now ([`shift`](super::shift)). A one-character edit thus re-parses
//! the one item it touched, and an edit that moves item boundaries (a new
//! item typed, two merged) re-parses the pieces whose text changed.
//!
//! Only a file whose every piece parses alone with no diagnostic is put
//! together this way: then the whole text is those pieces one after the
//! other, and the parse of the whole is their items in order. Anything else
//! (a syntax error, a lexical problem such as an unterminated string that
//! may run across pieces, a warning) is parsed as a whole, so recovery and
//! its diagnostics are exactly those of a full parse.

use std::collections::HashMap;

use super::ast::{File, Item};
use super::recover::pieces::{self, Level};
use super::{parse, shift, Parsed};
use crate::source::FileId;

/// The items of one file's latest parse, by the text of their piece.
#[derive(Default)]
pub struct ItemParses {
    /// Piece text → its items, spans counted from the piece's start.
    pieces: HashMap<String, Vec<Item>>,
}

impl ItemParses {
    /// The parse of `text` as file `file`: the same as [`parse`], reusing
    /// the items of pieces whose text this cache has seen.
    pub fn parse(&mut self, file: FileId, text: &str) -> Parsed {
        let Some(pieces) = self.index(file, text) else { return parse(file, text) };
        let mut items = Vec::new();
        for (start, piece) in pieces {
            let local = self.pieces.get(piece).map_or(&[][..], Vec::as_slice);
            items.extend(local.iter().cloned().map(|mut item| {
                shift::item(&mut item, start);
                item
            }));
        }
        Parsed { file: File { items, broken: Vec::new() }, diagnostics: Vec::new() }
    }

    /// Whether an item of [`parse`]`(file, text)` is `wanted`, without
    /// putting the tree together (the root search asks whether a file
    /// declares `project` on every load).
    pub fn any_item(&mut self, file: FileId, text: &str, wanted: impl Fn(&Item) -> bool) -> bool {
        match self.index(file, text) {
            Some(pieces) => pieces
                .iter()
                .any(|(_, piece)| self.pieces.get(*piece).is_some_and(|items| items.iter().any(&wanted))),
            None => parse(file, text).file.items.iter().any(wanted),
        }
    }

    /// Where each piece of `text` starts, with its text, every piece's tree
    /// in the cache; `None` when a piece does not parse alone cleanly (the
    /// file is parsed as a whole). Only the pieces of this text are kept
    /// afterwards.
    fn index<'t>(&mut self, file: FileId, text: &'t str) -> Option<Vec<(u32, &'t str)>> {
        let mut kept: HashMap<String, Vec<Item>> = HashMap::new();
        let mut pieces = Vec::new();
        for piece in pieces::cut(text, 0..text.len(), Level::Items) {
            if pieces::is_blank(text.as_bytes(), piece.range.clone()) {
                continue;
            }
            let slice = &text[piece.range.clone()];
            if !kept.contains_key(slice) {
                let local = match self.pieces.remove(slice) {
                    Some(local) => Some(local),
                    None if piece.problems.is_empty() => clean_parse(file, slice),
                    None => None,
                };
                let Some(local) = local else {
                    // Keep what parsed cleanly for the edit that fixes the file.
                    self.pieces.extend(kept);
                    return None;
                };
                kept.insert(slice.to_string(), local);
            }
            pieces.push((u32::try_from(piece.range.start).ok()?, slice));
        }
        self.pieces = kept;
        Some(pieces)
    }
}

/// The items of a piece parsed alone, if it parsed with no diagnostic.
fn clean_parse(file: FileId, piece: &str) -> Option<Vec<Item>> {
    let parsed = parse(file, piece);
    (parsed.diagnostics.is_empty() && parsed.file.broken.is_empty()).then_some(parsed.file.items)
}

#[cfg(test)]
mod tests {
    use super::ItemParses;
    use crate::source::FileId;
    use crate::syntax::parse;

    const FILE: FileId = FileId(3);

    /// Parse `texts` in turn through one cache; each result must be the
    /// full parse's, spans and diagnostics included.
    fn same_as_full_parse(texts: &[&str]) -> ItemParses {
        let mut cache = ItemParses::default();
        for text in texts {
            let incremental = cache.parse(FILE, text);
            let full = parse(FILE, text);
            assert_eq!(format!("{incremental:?}"), format!("{full:?}"), "for text:\n{text}");
        }
        cache
    }

    const PLATFORM: &str = "// A platform.\nproject p {\n  environments { dev }\n}\n\n/// The web.\nlayer web {\n  port = 80\n  name = \"w-${port}\"\n}\n\nlayer db {\n  size = 2 GB\n  hosts = [h for h in [\"a\"] if h != \"b\"]\n}\n";

    #[test]
    fn an_edit_inside_one_item_gives_the_full_parse_and_reuses_the_others() {
        let edited = PLATFORM.replace("port = 80", "port = 8080");
        let mut cache = same_as_full_parse(&[PLATFORM, &edited]);
        // Every piece of the edited text is kept, nothing of the old one.
        assert!(cache.pieces.keys().all(|piece| edited.contains(piece.as_str())));
        assert!(!cache.pieces.keys().any(|piece| piece.contains("port = 80\n")));
        // The layer after the edit moved by three bytes and was not re-parsed:
        // its kept tree is the one from the first parse.
        let db = cache
            .pieces
            .iter()
            .find(|(text, _)| text.starts_with("layer db"))
            .map(|(_, items)| items.clone());
        let again = cache.parse(FILE, &edited);
        let db_start = edited.find("layer db").expect("db") as u32;
        assert_eq!(again.file.items[2].span.start, db_start);
        assert_eq!(db.map(|items| items[0].span.start), Some(0));
    }

    #[test]
    fn edits_that_add_merge_and_split_items_give_the_full_parse() {
        let added = PLATFORM.replace("\nlayer db", "\nlayer cache {\n  ttl = 5\n}\n\nlayer db");
        let merged = PLATFORM.replace("}\n\nlayer db {", "  ");
        let no_gap = PLATFORM.replace("}\n\nlayer db", "}\nlayer db");
        let doc_moved = PLATFORM.replace("/// The web.\n", "").replace("layer db", "/// The db.\nlayer db");
        same_as_full_parse(&[PLATFORM, &added, &merged, PLATFORM, &no_gap, &doc_moved, "", PLATFORM]);
    }

    #[test]
    fn broken_items_give_the_full_parse_and_the_fix_reuses_the_rest() {
        let unclosed = PLATFORM.replace("port = 80\n", "port = 80\n  x = ecs.fargate_service {\n");
        let bad_value = PLATFORM.replace("port = 80", "port = = 80");
        let open_string = PLATFORM.replace("\"w-${port}\"", "\"w-${port}");
        let open_comment = PLATFORM.replace("// A platform.", "/* A platform.");
        let cache =
            same_as_full_parse(&[PLATFORM, &unclosed, &bad_value, &open_string, &open_comment, PLATFORM]);
        assert!(cache.pieces.keys().any(|piece| piece.starts_with("layer db")));
    }

    #[test]
    fn every_spec_example_and_stdlib_file_parses_the_same_by_items() {
        let mut checked = 0;
        for folder in ["specs", "examples", "stdlib", "tests/ui"] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
            for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
                // Files that are not UTF-8 (the ui cases of unreadable input) are never parsed.
                let text = std::fs::read(entry.path()).ok().and_then(|bytes| String::from_utf8(bytes).ok());
                if let Some(text) = text.filter(|_| entry.path().extension().is_some_and(|e| e == "mdl")) {
                    same_as_full_parse(&[&text]);
                    checked += 1;
                }
            }
        }
        assert!(checked > 50, "only {checked} files found");
    }
}
