//! The stdlib checks clean: a spec never sees a diagnostic located in it.

use crate::check::check;
use crate::stdlib;
use crate::workspace::Workspace;

#[test]
fn every_stdlib_module_checks_clean() {
    let modules: Vec<&str> = stdlib::module_paths().filter(|path| *path != "std/prelude").collect();
    let imports: String = modules.iter().map(|path| format!("import {path}\n")).collect();
    let workspace = Workspace::from_memory(&[("spec.mdl", imports.as_str())]);
    assert!(workspace.diagnostics.is_empty(), "{:#?}", workspace.diagnostics);
    assert_eq!(workspace.modules.len(), modules.len() + 2, "the spec, the prelude and every module");
    let checked = check(&workspace);
    // The spec uses none of its imports; nothing else may be reported.
    let entry = workspace.module(workspace.entries[0]).file;
    let unused = |d: &&crate::diag::Diagnostic| d.code.as_str() == "W0201" && d.primary.span.file == entry;
    let others: Vec<_> = checked.diagnostics.iter().filter(|d| !unused(d)).collect();
    assert!(others.is_empty(), "{others:#?}");
    assert_eq!(checked.diagnostics.len(), modules.len());
}
