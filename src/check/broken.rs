//! Follow-on errors of syntax errors: a name declared by an item or member
//! that did not parse is missing from the program, and the syntax error
//! already says why. Errors that only report that absence are dropped.
//!
//! Names are matched across the workspace (a broken layer member may be read
//! from another file); a file with a broken piece also gets no unused-import
//! warning (the piece may be what used the import), and a file whose spec
//! import did not parse no unknown-name errors at all (any name may have
//! come from the file it meant to import).

use std::collections::HashSet;

use super::error::CheckError;
use crate::source::FileId;
use crate::workspace::Workspace;

/// What the broken pieces of the workspace declared.
pub struct Broken {
    names: HashSet<String>,
    files: HashSet<FileId>,
    /// Files with a broken spec import: any name there may have come from it.
    wildcard: HashSet<FileId>,
}

impl Broken {
    /// Collect the broken names of every module.
    pub fn of(workspace: &Workspace) -> Broken {
        let broken = workspace.modules.iter().filter(|m| !m.ast.broken.is_empty());
        let files = broken.clone().map(|m| m.file).collect();
        let wildcard = broken.clone().filter(|m| m.ast.broken.iter().any(|n| n.text == "*")).map(|m| m.file);
        let wildcard = wildcard.collect();
        let names = broken.flat_map(|m| m.ast.broken.iter().map(|n| n.text.clone())).collect();
        Broken { names, files, wildcard }
    }

    /// Whether `error` only reports something a broken piece declared.
    pub fn explains(&self, error: &CheckError) -> bool {
        if self.files.is_empty() {
            return false;
        }
        let known = |name: &String| self.names.contains(name);
        match error {
            CheckError::UnknownName { span, .. }
            | CheckError::UnknownInNamespace { span, .. }
            | CheckError::UnknownField { span, .. }
            | CheckError::MissingFields { span, .. }
                if self.wildcard.contains(&span.file) =>
            {
                true
            }
            CheckError::UnknownName { name, .. } | CheckError::UnknownInNamespace { name, .. } => known(name),
            CheckError::UnknownField { field, .. } => known(field),
            CheckError::NotPublished { member, .. } => known(member),
            CheckError::UnknownEnvironment { name, .. } => known(name),
            CheckError::MissingFields { missing, .. } => missing.iter().all(known),
            CheckError::ProjectCount { projects, .. } => projects.is_empty(),
            CheckError::UnusedImport { span, .. } => self.files.contains(&span.file),
            _ => false,
        }
    }
}
