//! SARIF 2.1.0, the log format code scanning reads: one run of the `mdl`
//! tool, a rule per diagnostic code, a result per diagnostic.

use serde_json::{json, Value};

use super::Location;
use crate::diag::{Code, Diagnostic, Label, Severity};
use crate::source::Sources;

/// The SARIF log, pretty-printed, ending with a newline.
pub fn render_sarif(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let rules: Vec<Value> = Code::ALL.iter().map(|code| rule(*code)).collect();
    let results: Vec<Value> = diagnostics.iter().map(|d| result(d, sources)).collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "mdl",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            // Columns count characters, as in mdl's other outputs.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn rule(code: Code) -> Value {
    json!({
        "id": code.as_str(),
        "name": format!("{code:?}"),
        "shortDescription": { "text": code.title() },
        "help": { "text": format!("See {} in docs/diagnostics.md.", code.as_str()) },
        "defaultConfiguration": { "level": level(code.severity()) },
    })
}

fn result(diagnostic: &Diagnostic, sources: &Sources) -> Value {
    let rule_index = Code::ALL.iter().position(|c| *c == diagnostic.code).unwrap_or(0);
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<Value> = diagnostic
        .secondary
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut location = location(label, sources);
            location["id"] = json!(i + 1);
            location["message"] = json!({ "text": label.message });
            location
        })
        .collect();
    let mut result = json!({
        "ruleId": diagnostic.code.as_str(),
        "ruleIndex": rule_index,
        "level": level(diagnostic.severity),
        "message": { "text": text },
        "locations": [location(&diagnostic.primary, sources)],
    });
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    result
}

fn location(label: &Label, sources: &Sources) -> Value {
    let at = Location::of(label.span, sources);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": at.file.replace('\\', "/") },
            "region": {
                "startLine": at.line,
                "startColumn": at.column,
                "endLine": at.end_line,
                "endColumn": at.end_column,
            },
        },
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
