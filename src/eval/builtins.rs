//! Built-in functions: the complete set the language offers.
//!
//! Input: the callee's name and its evaluated arguments. Output: the result
//! value, whose origin is the call. Invariants: wrong arguments are a
//! diagnostic (E0307), never a panic; `file` reads only embedded stdlib files,
//! relative to the calling module's folder; `join` and `replace`, whose result
//! can be far longer than their arguments, are refused (E0408) before they
//! build a string over the limit.
//!
//! - `len(list|string|map) -> int`, `contains(list|string|map, x) -> bool`
//! - `join([string], sep) -> string` (a deploy-time join when an element is deploy-time)
//! - `upper(s)`, `lower(s)`, `replace(s, from, to)`
//! - `min(a, b)`, `max(a, b)`: numbers or same-dimension quantities
//! - `units(q) -> int`: a quantity in its base unit (CPU units, MiB, seconds, percent)
//! - `keys(map) -> [string]`, `entries(map) -> [{ key, value }]` (in the order written)
//! - `default(opt, value)`: `value` when `opt` is none
//! - `logical_id(s) -> string`: CamelCase, as resource logical ids are formed
//! - `file(path) -> string`: the text of a stdlib file next to the calling module

use std::cmp::Ordering;
use std::sync::Arc;

use super::error::{EvalError, EvalResult};
use super::limits::check_string_length;
use super::model::{display_text, DeployExpr, FieldName, Value, ValueKind};
use super::names::camel_case;
use super::ops::{compare, values_equal};
use super::scope::Ctx;
use super::Evaluator;
use crate::source::Span;
use crate::syntax::ast;
use crate::units::{Quantity, Unit};
use crate::workspace::{normalize, ModuleId, ModuleOrigin};

/// Why a call was refused: what the function takes.
type Refusal = &'static str;

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
        check_string_length(result_length(name, &values), span)?;
        let result = match name {
            "file" => return self.file(&values, ctx.module, span),
            "fargate_memory" => fargate_memory(&values, span),
            "len" | "contains" | "keys" | "entries" | "default" => collection(name, values, span),
            "join" | "upper" | "lower" | "replace" | "logical_id" => text_function(name, &values, span),
            "min" | "max" | "units" => numeric(name, &values),
            _ => Err("is not a built-in function"),
        };
        result.map_err(|refusal| EvalError::WrongArguments {
            function: name.to_string(),
            message: refusal.to_string(),
            span,
        })
    }

    /// `file(path)`: the text of a stdlib file, relative to `module`'s folder.
    fn file(&self, values: &[Value], module: ModuleId, span: Span) -> EvalResult<Value> {
        let refuse = |message: &str| EvalError::WrongArguments {
            function: "file".to_string(),
            message: message.to_string(),
            span,
        };
        let [path] = values else { return Err(refuse("takes a path string")) };
        let Some(path) = path.as_str() else { return Err(refuse("takes a path string")) };
        let Some(ModuleOrigin::Std(module_path)) = self.workspace.modules.get(module.0).map(|m| &m.origin)
        else {
            return Err(refuse("reads stdlib files only, from stdlib modules"));
        };
        let relative = stdlib_relative(module_path, path);
        match crate::stdlib::file(&relative) {
            Some(text) => Ok(Value::string(text, span)),
            None => Err(EvalError::FileNotFound { path: relative, span }),
        }
    }
}

/// `path` relative to the folder of stdlib module `module_path` (`std/aws/lambda`),
/// as a path relative to `stdlib/`.
pub(crate) fn stdlib_relative(module_path: &str, path: &str) -> String {
    let folder = std::path::Path::new(module_path).parent().unwrap_or(std::path::Path::new(""));
    normalize(&folder.join(path)).to_string_lossy().replace('\\', "/")
}

fn collection(name: &str, mut values: Vec<Value>, span: Span) -> Result<Value, Refusal> {
    let kind = match (name, values.as_mut_slice()) {
        ("len", [v]) => ValueKind::Int(length(v).ok_or("takes a list, a string or a map")?),
        ("contains", [haystack, needle]) => {
            ValueKind::Bool(contains(haystack, needle).ok_or("takes a list and a value")?)
        }
        ("keys", [map]) => {
            ValueKind::List(Arc::new(fields(map)?.iter().map(|(k, _)| Value::string(&**k, span)).collect()))
        }
        ("entries", [map]) => {
            ValueKind::List(Arc::new(fields(map)?.iter().map(|(k, v)| entry(k, v, span)).collect()))
        }
        ("default", [opt, fallback]) => {
            let chosen = if matches!(opt.kind, ValueKind::Null) { fallback } else { opt };
            return Ok(std::mem::replace(chosen, Value::new(ValueKind::Null, span)));
        }
        _ => return Err("takes other arguments (see the language reference)"),
    };
    Ok(Value::new(kind, span))
}

fn text_function(name: &str, values: &[Value], span: Span) -> Result<Value, Refusal> {
    let kind = match (name, values) {
        ("join", [list, sep]) => {
            return join(list, sep, span).ok_or("takes a list of strings and a separator")
        }
        ("upper", [s]) => ValueKind::String(s.as_str().ok_or("takes a string")?.to_uppercase().into()),
        ("lower", [s]) => ValueKind::String(s.as_str().ok_or("takes a string")?.to_lowercase().into()),
        ("logical_id", [s]) => ValueKind::String(camel_case(s.as_str().ok_or("takes a string")?).into()),
        ("replace", [s, from, to]) => match (s.as_str(), from.as_str(), to.as_str()) {
            (Some(s), Some(from), Some(to)) if !from.is_empty() => {
                ValueKind::String(s.replace(from, to).into())
            }
            _ => return Err("takes three strings, the second not empty"),
        },
        _ => return Err("takes other arguments (see the language reference)"),
    };
    Ok(Value::new(kind, span))
}

fn numeric(name: &str, values: &[Value]) -> Result<Value, Refusal> {
    const PAIR: Refusal = "takes two numbers or quantities of one dimension";
    match (name, values) {
        ("min", [a, b]) => pick(a, b, Ordering::Less).ok_or(PAIR),
        ("max", [a, b]) => pick(a, b, Ordering::Greater).ok_or(PAIR),
        ("units", [q]) => match q.kind {
            // Keeps the quantity's origin: a template value of 2048 still points at `2 GB`.
            ValueKind::Quantity(quantity) => {
                Ok(Value::new(ValueKind::Int(quantity.base.round() as i64), q.origin))
            }
            _ => Err("takes a quantity"),
        },
        _ => Err("takes other arguments (see the language reference)"),
    }
}

/// `fargate_memory(cpu)`: the memory sizes Fargate offers with `cpu`, from
/// the one table that also judges raw task definitions.
fn fargate_memory(values: &[Value], span: Span) -> Result<Value, Refusal> {
    let [Value { kind: ValueKind::Quantity(cpu), .. }] = values else { return Err("takes a CPU size") };
    let offered = super::fargate::memory_for(cpu.base)
        .into_iter()
        .map(|mib| Value::new(ValueKind::Quantity(Quantity::new(f64::from(mib), Unit::MiB)), span))
        .collect();
    Ok(Value::new(ValueKind::List(Arc::new(offered)), span))
}

fn fields(map: &Value) -> Result<&[(FieldName, Value)], Refusal> {
    match &map.kind {
        ValueKind::Record(fields) => Ok(fields),
        _ => Err("takes a map"),
    }
}

/// `{ key = "K", value = v }`, one element of `entries(map)`.
fn entry(key: &str, value: &Value, span: Span) -> Value {
    let fields = vec![("key".into(), Value::string(key, span)), ("value".into(), value.clone())];
    Value::new(ValueKind::Record(fields.into()), span)
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
        ValueKind::Record(fields) => Some(fields.iter().any(|(k, _)| Some(&**k) == needle.as_str())),
        _ => None,
    }
}

/// Plain elements join to a string; any deploy-time element makes a deploy-time join.
fn join(list: &Value, sep: &Value, span: Span) -> Option<Value> {
    let ValueKind::List(items) = &list.kind else { return None };
    let sep = sep.as_str()?;
    if !items.iter().any(|v| matches!(v.kind, ValueKind::Deploy(_))) {
        let parts: Option<Vec<String>> = items.iter().map(display_text).collect();
        return Some(Value::string(parts?.join(sep), span));
    }
    let mut parts: Vec<Value> = Vec::with_capacity(items.len() * 2);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            push_text(&mut parts, sep, span);
        }
        match &item.kind {
            ValueKind::Deploy(_) => parts.push(item.clone()),
            _ => push_text(&mut parts, &display_text(item)?, item.origin),
        }
    }
    Some(Value::deploy(DeployExpr::Join(parts), span))
}

/// The length of the string `join` or `replace` would build, known before
/// building it: their results can be far longer than their arguments (a long
/// separator repeated once per element, a long replacement for every match).
fn result_length(name: &str, values: &[Value]) -> usize {
    match (name, values) {
        ("join", [list, sep]) => {
            let ValueKind::List(items) = &list.kind else { return 0 };
            let texts: usize = items.iter().map(|item| item.as_str().map_or(32, str::len)).sum();
            let sep = sep.as_str().map_or(0, str::len);
            texts.saturating_add(sep.saturating_mul(items.len()))
        }
        ("replace", [s, from, to]) => match (s.as_str(), from.as_str(), to.as_str()) {
            (Some(s), Some(from), Some(to)) if !from.is_empty() => {
                let count = s.matches(from).count();
                (s.len() - count * from.len()).saturating_add(count.saturating_mul(to.len()))
            }
            _ => 0,
        },
        _ => 0,
    }
}

/// Append text to join parts, merging it into a text part just before.
fn push_text(parts: &mut Vec<Value>, text: &str, origin: Span) {
    if text.is_empty() {
        return;
    }
    if let Some(ValueKind::String(last)) = parts.last_mut().map(|v| &mut v.kind) {
        *last = [&**last, text].concat().into();
        return;
    }
    parts.push(Value::string(text, origin));
}

/// `a` when `a` compares as `wanted` to `b` (or equal), else `b`.
fn pick(a: &Value, b: &Value, wanted: Ordering) -> Option<Value> {
    let ordering = compare(a, b)?;
    let chosen = if ordering == wanted || ordering == Ordering::Equal { a } else { b };
    Some(chosen.clone())
}
