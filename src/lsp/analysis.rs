//! One analysis of a document: the pipeline's report (with the checker's
//! result, which hover, definition and completion read) and the document's
//! place in it.

use lsp_types::Url;

use super::documents::{path_of, Documents};
use crate::check::Checked;
use crate::source::FileId;
use crate::workspace::ModuleId;
use crate::Report;

/// The pipeline run over one document and its imports.
pub struct Analysis {
    pub report: Report,
    /// The document's own module and file, when it parsed into one.
    pub module: Option<ModuleId>,
    pub file: Option<FileId>,
}

impl Analysis {
    /// Load, check and evaluate the document as the entry file.
    pub fn of(documents: &Documents, url: &Url) -> Option<Analysis> {
        let path = path_of(url)?;
        let report = crate::check_files(std::slice::from_ref(&path), documents);
        let file = report.workspace.sources.find_path(&path);
        let module = file.and_then(|f| report.workspace.module_of_file(f));
        Some(Analysis { report, module, file })
    }

    /// What the checker found in the document and its imports.
    pub fn checked(&self) -> &Checked {
        &self.report.checked
    }

    /// The text of the document as analysed.
    pub fn text(&self) -> &str {
        self.file.and_then(|f| self.report.workspace.sources.get(f)).map_or("", |f| f.text.as_str())
    }
}
