//! Built-in functions: the complete set the language offers.
//!
//! Input: the callee's name and its evaluated arguments. Output: the result
//! value, whose origin is the call. Invariants: wrong arguments are a
//! diagnostic (E0307), never a panic; `file` reads only embedded stdlib files,
//! relative to the calling module's folder.
//!
//! - `len(list|string|map) -> int`, `contains(list|string|map, x) -> bool`
//! - `join([string], sep) -> string`, `upper(s)`, `lower(s)`, `replace(s, from, to)`
//! - `min(a, b)`, `max(a, b)`: numbers or same-dimension quantities
//! - `units(q) -> int`: a quantity in its base unit (CPU units, MiB, seconds, percent)
//! - `keys(map) -> [string]`, `default(opt, value)`: `value` when `opt` is none
//! - `logical_id(s) -> string`: CamelCase, as resource logical ids are formed
//! - `file(path) -> string`: the text of a stdlib file next to the calling module

use std::cmp::Ordering;

use super::error::{EvalError, EvalResult};
use super::model::{display_text, Value, ValueKind};
use super::names::camel_case;
use super::ops::{compare, values_equal};
use super::scope::Ctx;
use super::Evaluator;
use crate::source::Span;
use crate::syntax::ast;
use crate::workspace::{normalize, ModuleId, ModuleOrigin};

impl<'a> Evaluator<'a> {
    /// `callee(args)`.
    pub(crate) fn call(
        &mut self,
        callee: &ast::Name,
        args: &'a [ast::Expr],
        ctx: &Ctx,
        span: Span,
    ) -> EvalResult<Value> {
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.eval(arg, ctx)?);
        }
        let name = callee.text.as_str();
        let wrong = |message: &str| EvalError::WrongArguments {
            function: name.to_string(),
            message: message.to_string(),
            span,
        };
        let kind = match (name, values.as_mut_slice()) {
            ("len", [v]) => {
                ValueKind::Int(length(v).ok_or_else(|| wrong("takes a list, a string or a map"))?)
            }
            ("contains", [haystack, needle]) => {
                ValueKind::Bool(contains(haystack, needle).ok_or_else(|| wrong("takes a list and a value"))?)
            }
            ("join", [list, sep]) => ValueKind::String(
                join(list, sep).ok_or_else(|| wrong("takes a list of strings and a separator"))?,
            ),
            ("upper", [s]) => {
                ValueKind::String(text(s).ok_or_else(|| wrong("takes a string"))?.to_uppercase())
            }
            ("lower", [s]) => {
                ValueKind::String(text(s).ok_or_else(|| wrong("takes a string"))?.to_lowercase())
            }
            ("replace", [s, from, to]) => {
                let (s, from, to) = (text(s), text(from), text(to));
                match (s, from, to) {
                    (Some(s), Some(from), Some(to)) if !from.is_empty() => {
                        ValueKind::String(s.replace(from, to))
                    }
                    _ => return Err(wrong("takes three strings, the second not empty")),
                }
            }
            ("min", [a, b]) => {
                return pick(a, b, Ordering::Less)
                    .ok_or_else(|| wrong("takes two numbers or quantities of one dimension"))
            }
            ("max", [a, b]) => {
                return pick(a, b, Ordering::Greater)
                    .ok_or_else(|| wrong("takes two numbers or quantities of one dimension"))
            }
            ("units", [q]) => match q.kind {
                ValueKind::Quantity(q) => ValueKind::Int(q.base.round() as i64),
                _ => return Err(wrong("takes a quantity")),
            },
            ("keys", [map]) => match &map.kind {
                ValueKind::Record(fields) => {
                    ValueKind::List(fields.iter().map(|(k, _)| Value::string(k.clone(), span)).collect())
                }
                _ => return Err(wrong("takes a map")),
            },
            ("default", [opt, fallback]) => {
                let chosen = if matches!(opt.kind, ValueKind::Null) { fallback } else { opt };
                return Ok(std::mem::replace(chosen, Value::new(ValueKind::Null, span)));
            }
            ("logical_id", [s]) => {
                ValueKind::String(camel_case(text(s).ok_or_else(|| wrong("takes a string"))?))
            }
            ("file", [path]) => {
                let path = text(path).ok_or_else(|| wrong("takes a path string"))?.to_string();
                ValueKind::String(self.stdlib_file(&path, ctx.module, span)?)
            }
            _ => {
                return Err(wrong(&format!("no built-in function `{name}` takes {} argument(s)", args.len())))
            }
        };
        Ok(Value::new(kind, span))
    }

    /// The text of a stdlib file, relative to `module`'s folder.
    fn stdlib_file(&self, path: &str, module: ModuleId, span: Span) -> EvalResult<String> {
        let Some(ModuleOrigin::Std(module_path)) = self.workspace.modules.get(module.0).map(|m| &m.origin)
        else {
            return Err(EvalError::WrongArguments {
                function: "file".to_string(),
                message: "reads stdlib files only, from stdlib modules".to_string(),
                span,
            });
        };
        let folder = std::path::Path::new(module_path).parent().unwrap_or(std::path::Path::new(""));
        let joined = normalize(&folder.join(path));
        let relative = joined.to_string_lossy().replace('\\', "/");
        crate::stdlib::file(&relative)
            .map(str::to_string)
            .ok_or(EvalError::FileNotFound { path: relative, span })
    }
}

fn text(value: &Value) -> Option<&str> {
    value.as_str()
}

fn length(value: &Value) -> Option<i64> {
    let n = match &value.kind {
        ValueKind::List(items) => items.len(),
        ValueKind::String(s) => s.chars().count(),
        ValueKind::Record(fields) => fields.len(),
        _ => return None,
    };
    i64::try_from(n).ok()
}

fn contains(haystack: &Value, needle: &Value) -> Option<bool> {
    match &haystack.kind {
        ValueKind::List(items) => Some(items.iter().any(|item| values_equal(item, needle))),
        ValueKind::String(s) => Some(s.contains(needle.as_str()?)),
        ValueKind::Record(fields) => Some(fields.iter().any(|(k, _)| Some(k.as_str()) == needle.as_str())),
        _ => None,
    }
}

fn join(list: &Value, sep: &Value) -> Option<String> {
    let ValueKind::List(items) = &list.kind else { return None };
    let sep = sep.as_str()?;
    let parts: Option<Vec<String>> = items.iter().map(display_text).collect();
    Some(parts?.join(sep))
}

/// `a` when `a` compares as `wanted` to `b` (or equal), else `b`.
fn pick(a: &mut Value, b: &mut Value, wanted: Ordering) -> Option<Value> {
    let ordering = compare(a, b)?;
    let chosen = if ordering == wanted || ordering == Ordering::Equal { a } else { b };
    Some(chosen.clone())
}
