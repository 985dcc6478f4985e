//! One analysis of a group of files (a project's environments and the open
//! documents under its root, or a lone document): the pipeline's report,
//! with the checker's result that hover, definition and completion read.
//!
//! A request about a document is answered from a [`View`]: the latest
//! analysis whose checker ran, and a map from the editor's current text to
//! the text that analysis saw. While a syntax error stops the checker, the
//! last good analysis keeps answering for everything outside the edit.

use std::path::Path;
use std::sync::Arc;

use crate::check::Checked;
use crate::source::FileId;
use crate::workspace::{ModuleId, Workspace};
use crate::Report;

/// The pipeline run over a group of entry files.
pub struct Analysis {
    pub report: Report,
    /// Whether the checker ran (no syntax or loading error stopped it).
    pub checked: bool,
}

impl Analysis {
    /// Wrap a report.
    pub fn new(report: Report) -> Analysis {
        let checked = !report.workspace.diagnostics.iter().any(crate::diag::Diagnostic::is_error);
        Analysis { report, checked }
    }

    /// The workspace analysed.
    pub fn workspace(&self) -> &Workspace {
        &self.report.workspace
    }

    /// The file loaded from `path`, and its module when it parsed into one.
    pub fn file_of(&self, path: &Path) -> Option<(FileId, Option<ModuleId>)> {
        let file = self.report.workspace.sources.find_path(path)?;
        Some((file, self.report.workspace.module_of_file(file)))
    }
}

/// What a request about one document reads: an analysis that checked, the
/// document's file and module in it, and the editor's current text.
pub struct View<'a> {
    pub analysis: &'a Analysis,
    pub file: FileId,
    pub module: Option<ModuleId>,
    /// The editor's text now.
    pub text: &'a str,
    /// Whether `analysis` is older than `text` (the current one did not check).
    pub stale: bool,
}

impl<'a> View<'a> {
    /// A view of `path` in `analysis`, for the editor's `text`.
    pub fn new(analysis: &'a Arc<Analysis>, path: &Path, text: &'a str) -> Option<View<'a>> {
        let (file, module) = analysis.file_of(path)?;
        let stale = analysis.workspace().sources.get(file).map_or(true, |f| f.text != text);
        Some(View { analysis, file, module, text, stale })
    }

    /// What the checker found.
    pub fn checked(&self) -> &'a Checked {
        &self.analysis.report.checked
    }

    /// The workspace analysed.
    pub fn workspace(&self) -> &'a Workspace {
        self.analysis.workspace()
    }

    /// The document's text as analysed.
    pub fn analysed_text(&self) -> &'a str {
        self.workspace().sources.get(self.file).map_or("", |f| f.text.as_str())
    }

    /// Where an offset of the editor's text is in the analysed text: the same
    /// place before the edit, shifted after it; `None` inside the edit.
    pub fn analysed_offset(&self, offset: usize) -> Option<usize> {
        map_offset(self.text, self.analysed_text(), offset)
    }

    /// [`View::analysed_offset`], or the start of the edit when the offset
    /// is inside it: the place being typed, for completion.
    pub fn analysed_offset_near(&self, offset: usize) -> usize {
        self.analysed_offset(offset).unwrap_or_else(|| common_prefix(self.text, self.analysed_text()))
    }

    /// Where an offset of the analysed text is in the editor's text.
    pub fn current_offset(&self, offset: usize) -> Option<usize> {
        map_offset(self.analysed_text(), self.text, offset)
    }
}

/// `offset` in `from`, mapped to `to`, the two texts differing in one
/// stretch (what an edit does): identical before it, shifted after it.
pub fn map_offset(from: &str, to: &str, offset: usize) -> Option<usize> {
    if from == to {
        return Some(offset);
    }
    let prefix = common_prefix(from, to);
    if offset <= prefix {
        return Some(offset);
    }
    let suffix = common_suffix(&from[prefix..], &to[prefix..]);
    let changed_end = from.len() - suffix;
    (offset >= changed_end).then(|| offset - changed_end + (to.len() - suffix))
}

/// Bytes the two texts share at their start, on a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(n) || !b.is_char_boundary(n) {
        n -= 1;
    }
    n
}

/// Bytes the two texts share at their end, on a character boundary.
fn common_suffix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().rev().zip(b.bytes().rev()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(a.len() - n) || !b.is_char_boundary(b.len() - n) {
        n -= 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::map_offset;

    #[test]
    fn offsets_move_with_the_edit_and_vanish_inside_it() {
        let old = "layer a {\n  x = 1\n}\n";
        let new = "layer a {\n  y = ecs.\n  x = 1\n}\n";
        assert_eq!(map_offset(new, old, 3), Some(3));
        let x = new.find("x =").expect("x");
        assert_eq!(map_offset(new, old, x), old.find("x ="));
        assert_eq!(map_offset(new, old, new.find("ecs").expect("ecs")), None);
        assert_eq!(map_offset(old, old, 5), Some(5));
    }
}
