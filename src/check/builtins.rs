//! The built-in functions: their signatures and result types.
//!
//! Input: a call `name(args)`. Output: its result type; a wrong number or
//! wrong types of arguments is E0307 with the signature as help. Invariant:
//! this table is the complete set of functions (the contract lists them);
//! arguments are check-time values, except where a signature says otherwise.
//! The arity is checked first, so each signature destructures its arguments.

use crate::check::error::CheckError;
use crate::check::table::Def;
use crate::check::types::{accepts, FieldType, RecordType, Type};
use crate::check::Checker;
use crate::source::Span;
use crate::syntax::ast::{Expr, Name};
use crate::units::Dimension;

/// Every built-in function with its signature as documented.
pub const BUILTINS: &[(&str, &str)] = &[
    ("len", "len(list | string | map) -> int"),
    ("contains", "contains(list | string | map, item) -> bool"),
    ("join", "join([string], separator: string) -> string"),
    ("upper", "upper(string) -> string"),
    ("lower", "lower(string) -> string"),
    ("replace", "replace(string, from: string, to: string) -> string"),
    ("min", "min(a, b): numbers, or quantities of one dimension"),
    ("max", "max(a, b): numbers, or quantities of one dimension"),
    ("units", "units(quantity) -> int, in the dimension's base unit (CPU units, MiB, seconds, percent)"),
    ("keys", "keys(map) -> [string]"),
    ("entries", "entries(map<T>) -> [{ key: string, value: T }]"),
    ("default", "default(optional: T?, value: T) -> T"),
    ("file", "file(path: string) -> string (stdlib only)"),
    ("logical_id", "logical_id(string) -> string"),
    ("fargate_memory", "fargate_memory(cpu) -> [memory]: the memory sizes Fargate offers with that CPU"),
];

impl<'w> Checker<'w> {
    /// `callee(args)`.
    pub fn call(&mut self, callee: &'w Name, args: &'w [Expr], span: Span) -> Type {
        let found = BUILTINS.iter().position(|(n, _)| *n == callee.text);
        if let Some(index) = found.and_then(|i| u8::try_from(i).ok()) {
            self.resolved(callee, Def::Builtin(index), Type::Unknown);
        }
        let Some(&(name, signature)) = found.and_then(|i| BUILTINS.get(i)) else {
            let suggestion = crate::check::checker::suggest(&callee.text, BUILTINS.iter().map(|(n, _)| *n));
            self.report(CheckError::UnknownFunction {
                name: callee.text.clone(),
                span: callee.span,
                suggestion,
            });
            for arg in args {
                self.infer(arg);
            }
            return Type::Unknown;
        };
        let call = Call { name, signature, span, args };
        let arity = match name {
            "len" | "upper" | "lower" | "units" | "keys" | "entries" | "file" | "logical_id"
            | "fargate_memory" => 1,
            "replace" => 3,
            _ => 2,
        };
        if args.len() != arity {
            let s = if arity == 1 { "" } else { "s" };
            call.wrong(self, format!("takes {arity} argument{s}, got {}", args.len()));
            for arg in args {
                self.infer(arg);
            }
            return Type::Unknown;
        }
        self.call_checked(&call)
    }

    fn call_checked(&mut self, call: &Call<'w>) -> Type {
        match call.name {
            "len" | "contains" | "units" | "keys" => self.collection_call(call),
            "join" => self.join_call(call),
            "entries" => self.entries_call(call),
            "upper" | "lower" | "logical_id" => self.argument(call, 0, &Type::String, Type::String),
            "replace" => {
                for index in 0..3 {
                    self.argument(call, index, &Type::String, Type::String);
                }
                Type::String
            }
            "min" | "max" => self.min_max(call),
            "default" => self.default_call(call),
            "file" => self.file_call(call),
            "fargate_memory" => {
                let offered = Type::List(Box::new(Type::Quantity(Dimension::Memory)));
                self.argument(call, 0, &Type::Quantity(Dimension::Cpu), offered)
            }
            _ => Type::Unknown,
        }
    }

    /// Check argument `index` against `expected`; the call's type is `result`.
    fn argument(&mut self, call: &Call<'w>, index: usize, expected: &Type, result: Type) -> Type {
        let Some(arg) = call.args.get(index) else { return Type::Unknown };
        let found = self.expr(arg, Some(expected));
        if found.is_deploy() {
            call.wrong(self, format!("argument {} is known only when CloudFormation runs", index + 1));
            return Type::Unknown;
        }
        if accepts(expected, &found, false).is_err() {
            self.expect_type(expected, &found, arg, None);
            return Type::Unknown;
        }
        result
    }

    /// `len`, `contains`, `units`, `keys`: one collection (or quantity) argument first.
    fn collection_call(&mut self, call: &Call<'w>) -> Type {
        let Some(first) = call.args.first() else { return Type::Unknown };
        match (call.name, self.infer(first)) {
            ("len", Type::List(_) | Type::String | Type::Map(_) | Type::Record(_) | Type::Unknown) => {
                Type::Int
            }
            ("contains", Type::List(item)) => self.argument(call, 1, &item, Type::Bool),
            // A string's substring, or a map's key.
            ("contains", Type::String | Type::Map(_) | Type::Record(_)) => {
                self.argument(call, 1, &Type::String, Type::Bool)
            }
            ("contains", Type::Unknown) => self.argument(call, 1, &Type::Unknown, Type::Bool),
            ("units", Type::Quantity(_) | Type::Unknown) => Type::Int,
            ("keys", Type::Map(_) | Type::Record(_) | Type::Unknown) => Type::List(Box::new(Type::String)),
            (_, other) => call.bad_argument(self, 0, &other),
        }
    }

    /// `join(list, sep)`: deploy-time elements make a deploy-time string
    /// (CloudFormation's `Fn::Join`); the separator is check-time.
    fn join_call(&mut self, call: &Call<'w>) -> Type {
        let deploy_string = Type::Deploy(Box::new(Type::String));
        let [list, _] = call.args else { return Type::Unknown };
        let list = self.check_expr(list, &Type::List(Box::new(deploy_string.clone())), None);
        self.argument(call, 1, &Type::String, Type::String);
        match list {
            Type::List(item) if item.is_deploy() => deploy_string,
            _ => Type::String,
        }
    }

    /// `entries(map)`: its fields as `{ key, value }` records, in order.
    fn entries_call(&mut self, call: &Call<'w>) -> Type {
        let [map] = call.args else { return Type::Unknown };
        let value = match self.infer(map) {
            Type::Map(value) => *value,
            Type::Record(record) => {
                let mut joined = Type::Unknown;
                for field in &record.fields {
                    joined = crate::check::types::join(&joined, &field.ty).unwrap_or(Type::Json);
                }
                joined
            }
            Type::Unknown => Type::Unknown,
            other => return call.bad_argument(self, 0, &other),
        };
        let fields = vec![
            FieldType { name: "key".into(), ty: Type::String, required: true, span: None },
            FieldType { name: "value".into(), ty: value, required: true, span: None },
        ];
        Type::List(Box::new(Type::Record(std::sync::Arc::new(RecordType { name: None, fields }))))
    }

    fn min_max(&mut self, call: &Call<'w>) -> Type {
        let [a, b] = call.args else { return Type::Unknown };
        let a = self.infer(a);
        let b = self.expr(b, Some(&a));
        match (&a, &b) {
            (Type::Unknown, _) | (_, Type::Unknown) => Type::Unknown,
            (Type::Int, Type::Int) => Type::Int,
            (x, y) if x.is_numeric() && y.is_numeric() => Type::Number,
            (Type::Quantity(x), Type::Quantity(y)) if x == y => a.clone(),
            (Type::Quantity(_), Type::Quantity(_)) => {
                let (left, right) = (self.show(&a), self.show(&b));
                let help = Some("both must measure the same thing".to_string());
                self.report(CheckError::UnitOperator { op: call.name, left, right, span: call.span, help });
                Type::Unknown
            }
            (x, _) if !(x.is_numeric() || matches!(x, Type::Quantity(_))) => call.bad_argument(self, 0, &a),
            _ => call.bad_argument(self, 1, &b),
        }
    }

    fn default_call(&mut self, call: &Call<'w>) -> Type {
        let [optional, fallback] = call.args else { return Type::Unknown };
        let optional = self.infer(optional);
        // A value that cannot be `none` is accepted too: a setting may become
        // optional later, and `default` then keeps working.
        let inner = match optional {
            Type::Optional(inner) => *inner,
            Type::None | Type::Unknown => Type::Unknown,
            other => other,
        };
        let value = self.check_expr(fallback, &inner, None);
        if inner == Type::Unknown {
            value
        } else {
            inner
        }
    }

    /// `file("lambda/x.py")`: a plain path; whether the module is in the
    /// stdlib is decided by the evaluator, which reads the file.
    fn file_call(&mut self, call: &Call<'w>) -> Type {
        let [arg] = call.args else { return Type::Unknown };
        match &arg.kind {
            crate::syntax::ast::ExprKind::String(lit) if lit.as_plain().is_some() => Type::String,
            _ => {
                self.infer(arg);
                call.wrong(self, "the path must be a plain string literal".into());
                Type::String
            }
        }
    }
}

/// A call being checked.
struct Call<'w> {
    name: &'static str,
    signature: &'static str,
    span: Span,
    args: &'w [Expr],
}

impl<'w> Call<'w> {
    fn wrong(&self, checker: &mut Checker<'w>, problem: String) {
        checker.report(CheckError::WrongArguments {
            function: self.name.to_string(),
            problem,
            span: self.span,
            signature: self.signature,
        });
    }

    fn bad_argument(&self, checker: &mut Checker<'w>, index: usize, found: &Type) -> Type {
        let found = checker.show(found);
        self.wrong(checker, format!("argument {} is `{found}`", index + 1));
        Type::Unknown
    }
}
