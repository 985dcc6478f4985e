//! The checker's types, and when a value of one type is accepted where another
//! is expected.
//!
//! Input: types built by `resolve` (from type expressions) and `expr` (from
//! expressions). Output: [`accepts`] and [`join`] answers. Invariants:
//! [`Type::Unknown`] is accepted everywhere and accepts everything, so an error
//! already reported never causes a second one; the "kind" variants
//! (`Namespace`, `EnumName`, `Layer`, `Env`, ...) are names that are not values:
//! they only appear while resolving `a.b` paths and are never accepted as values.

use std::sync::Arc;

use crate::check::scope::DeclRef;
use crate::source::Span;
use crate::units::Dimension;
use crate::workspace::ModuleId;

/// The type of an expression, a field or a declaration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Int,
    Number,
    String,
    Quantity(Dimension),
    Secret,
    List(Box<Type>),
    Map(Box<Type>),
    Record(Arc<RecordType>),
    Optional(Box<Type>),
    /// Known only when CloudFormation runs.
    Deploy(Box<Type>),
    /// A value of an enum (any variant).
    Enum(DeclRef),
    /// An instance of a construct.
    Construct(DeclRef),
    /// `env.name`: one of the project's environment names.
    Environment,
    /// Any value (raw CloudFormation property values).
    Json,
    /// The `none` literal before it meets an optional.
    None,
    /// A raw `resource`: its attributes are deploy-time.
    Resource,
    /// An attribute of a raw resource (`r.Arn`, `r.Endpoint.Address`): a
    /// `deploy<string>` that can be read further.
    Attribute,
    /// An error already reported: compatible with everything, never reported again.
    Unknown,
    /// A stdlib module bound by `import std/...` (not a value).
    Namespace(ModuleId),
    /// An enum's name, before `.variant` (not a value).
    EnumName(DeclRef),
    /// A construct's name, before `{ params }` (not a value).
    ConstructName(DeclRef),
    /// A type alias's name, before `{ fields }` (not a value).
    TypeName(DeclRef),
    /// One variant of an enum, before it is used as a value or given fields.
    Variant(DeclRef, usize),
    /// Another layer, before `.published_name` (not a value).
    Layer(DeclRef),
    /// `env` (not a value by itself).
    Env,
    /// `aws` pseudo parameters (not a value by itself).
    Aws,
    /// `project` (not a value by itself).
    Project(DeclRef),
}

/// A record shape: construct params, settings, variant fields, record types.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RecordType {
    /// The alias or construct it came from, for messages.
    pub name: Option<String>,
    /// In declaration order.
    pub fields: Vec<FieldType>,
}

/// One field of a [`RecordType`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldType {
    /// As declared.
    pub name: String,
    /// Its declared type.
    pub ty: Type,
    /// No default and not optional: a literal must set it.
    pub required: bool,
    /// Where it is declared (none for implicit fields such as `region`).
    pub span: Option<Span>,
}

impl RecordType {
    /// The field called `name`. Records are small (tens of fields), so a scan
    /// is cheaper than a map.
    pub fn field(&self, name: &str) -> Option<&FieldType> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Field names, for "did you mean".
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }
}

/// Why a value was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// Plain type error (E0301).
    Type,
    /// Wrong dimension, or a bare number where a quantity is expected (E0302).
    Unit,
    /// A secret flowing into a plain value (E0304).
    Secret,
    /// A deploy-time value where a check-time value is expected (E0301 with its own help).
    DeployTime,
}

impl Type {
    /// Whether this is a name rather than a value (`ecs`, `Capacity`, `env`).
    pub fn is_kind(&self) -> bool {
        matches!(
            self,
            Type::Namespace(_)
                | Type::EnumName(_)
                | Type::ConstructName(_)
                | Type::TypeName(_)
                | Type::Variant(..)
                | Type::Layer(_)
                | Type::Env
                | Type::Aws
                | Type::Project(_)
        )
    }

    /// Whether the value is known only when CloudFormation runs.
    pub fn is_deploy(&self) -> bool {
        matches!(self, Type::Deploy(_) | Type::Attribute)
    }

    /// The type without `deploy<..>` and `?` wrappers, for hints.
    pub fn unwrapped(&self) -> &Type {
        match self {
            Type::Deploy(inner) | Type::Optional(inner) => inner.unwrapped(),
            _ => self,
        }
    }

    /// `int`, `number` or a quantity: what arithmetic works on.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Number)
    }
}

/// Whether a value of type `found` may flow where `expected` is expected.
/// `secrets_ok` is true inside raw resource properties, where a secret becomes
/// a dynamic reference.
pub fn accepts(expected: &Type, found: &Type, secrets_ok: bool) -> Result<(), Mismatch> {
    use Type as T;
    match (expected, found) {
        (T::Unknown, _) | (_, T::Unknown) => Ok(()),
        (_, f) if f.is_kind() => Err(Mismatch::Type),
        (e, _) if e.is_kind() => Err(Mismatch::Type),
        (T::Secret, T::Secret) => Ok(()),
        (T::Json, T::Secret) if secrets_ok => Ok(()),
        (T::Optional(e), T::Secret) => accepts(e, found, secrets_ok),
        (_, T::Secret) => Err(Mismatch::Secret),
        // A resource in json (`DependsOn = [topic]`) lowers to its logical id.
        (T::Json, _) => Ok(()),
        (T::Attribute, f) => accepts(&T::Deploy(Box::new(T::String)), f, secrets_ok),
        (T::Optional(_), T::None) => Ok(()),
        (T::Optional(e), T::Optional(f)) => accepts(e, f, secrets_ok),
        (T::Optional(e), f) => accepts(e, f, secrets_ok),
        (_, T::Optional(_) | T::None) => Err(Mismatch::Type),
        (T::Deploy(e), T::Deploy(f)) => accepts(e, f, secrets_ok),
        (T::Deploy(e), T::Attribute) => accepts(e, &T::String, secrets_ok),
        (T::Deploy(e), f) => accepts(e, f, secrets_ok),
        (_, T::Deploy(_) | T::Attribute) => Err(Mismatch::DeployTime),
        _ => accepts_plain(expected, found, secrets_ok),
    }
}

/// [`accepts`] once wrappers, secrets and deploy-time values are dealt with.
fn accepts_plain(expected: &Type, found: &Type, secrets_ok: bool) -> Result<(), Mismatch> {
    use Type as T;
    match (expected, found) {
        (T::Number, T::Int) => Ok(()),
        (T::Quantity(e), T::Quantity(f)) if e == f => Ok(()),
        (T::Quantity(_), T::Quantity(_) | T::Int | T::Number) => Err(Mismatch::Unit),
        (T::Int | T::Number, T::Quantity(_)) => Err(Mismatch::Unit),
        (T::List(e), T::List(f)) | (T::Map(e), T::Map(f)) => accepts(e, f, secrets_ok),
        (T::Map(e), T::Record(r)) => r.fields.iter().try_for_each(|field| accepts(e, &field.ty, secrets_ok)),
        (T::Record(e), T::Record(f)) => accepts_record(e, f, secrets_ok),
        (T::Enum(a), T::Enum(b)) | (T::Construct(a), T::Construct(b)) if a == b => Ok(()),
        (e, f) if e == f && is_simple(e) => Ok(()),
        _ => Err(Mismatch::Type),
    }
}

fn is_simple(ty: &Type) -> bool {
    matches!(ty, Type::Bool | Type::Int | Type::Number | Type::String | Type::Environment | Type::Resource)
}

/// A record is accepted where another is expected when every field it has is
/// expected and every required field is present.
fn accepts_record(expected: &RecordType, found: &RecordType, secrets_ok: bool) -> Result<(), Mismatch> {
    if std::ptr::eq(expected, found) {
        return Ok(());
    }
    for field in &found.fields {
        match expected.field(&field.name) {
            // A field some elements of a joined list lack (`T?`, not
            // required) fits a field that has a default: absent, it takes it.
            Some(declared) if !declared.required && !field.required => {
                let inner = match &field.ty {
                    Type::Optional(inner) => inner,
                    other => other,
                };
                accepts(&declared.ty, inner, secrets_ok)?
            }
            Some(declared) => accepts(&declared.ty, &field.ty, secrets_ok)?,
            None => return Err(Mismatch::Type),
        }
    }
    let absent = |name: &str| found.field(name).map_or(true, |f| !f.required);
    let missing = expected.fields.iter().any(|f| f.required && absent(&f.name));
    if missing {
        Err(Mismatch::Type)
    } else {
        Ok(())
    }
}

/// The type both branches of an `if` (or all arms of a `match`, all elements
/// of a list) fit in, if there is one.
pub fn join(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Unknown, other) | (other, Type::Unknown) => Some(other.clone()),
        (Type::None, Type::None) => Some(Type::None),
        (Type::None, Type::Optional(_)) => Some(b.clone()),
        (Type::Optional(_), Type::None) => Some(a.clone()),
        (Type::None, other) | (other, Type::None) => Some(Type::Optional(Box::new(other.clone()))),
        _ if accepts(a, b, false).is_ok() => Some(a.clone()),
        _ if accepts(b, a, false).is_ok() => Some(b.clone()),
        (Type::Record(a), Type::Record(b)) if a.name.is_none() && b.name.is_none() => {
            join_records(a, b).ok().map(|r| Type::Record(Arc::new(r)))
        }
        _ => None,
    }
}

/// Two record literals of different shapes (security group rules, one with
/// `CidrIp`, one with `SourceSecurityGroupId`): every field of either, a
/// field that one of them lacks being optional (`T?`, not required). A field
/// both have must join; when it does not, its name is the error.
pub fn join_records(a: &RecordType, b: &RecordType) -> Result<RecordType, String> {
    let mut joined = RecordType::default();
    for field in &a.fields {
        let merged = match b.field(&field.name) {
            Some(other) => {
                let ty = join(&field.ty, &other.ty).ok_or_else(|| field.name.clone())?;
                FieldType { ty, required: field.required && other.required, ..field.clone() }
            }
            None => maybe_absent(field),
        };
        joined.fields.push(merged);
    }
    for field in b.fields.iter().filter(|f| a.field(&f.name).is_none()) {
        joined.fields.push(maybe_absent(field));
    }
    Ok(joined)
}

/// A field some records lack: optional, and never required.
fn maybe_absent(field: &FieldType) -> FieldType {
    let ty = match &field.ty {
        Type::Optional(_) | Type::None => field.ty.clone(),
        other => Type::Optional(Box::new(other.clone())),
    };
    FieldType { ty, required: false, ..field.clone() }
}

/// Renders types as users write them; declarations are named by the caller.
pub fn render(ty: &Type, name_of: &dyn Fn(DeclRef) -> String) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::Int => "int".into(),
        Type::Number => "number".into(),
        Type::String => "string".into(),
        Type::Quantity(d) => d.type_name().into(),
        Type::Secret => "secret".into(),
        Type::List(t) => format!("[{}]", render(t, name_of)),
        Type::Map(t) => format!("map<{}>", render(t, name_of)),
        Type::Record(r) => render_record(r, name_of),
        Type::Optional(t) => format!("{}?", render(t, name_of)),
        Type::Deploy(t) => format!("deploy<{}>", render(t, name_of)),
        Type::Enum(d) | Type::Construct(d) => name_of(*d),
        Type::Environment => "environment name".into(),
        Type::Json => "json".into(),
        Type::None => "none".into(),
        Type::Resource => "resource".into(),
        Type::Attribute => "deploy<string>".into(),
        Type::Unknown => "unknown".into(),
        Type::Namespace(_) => "module".into(),
        Type::EnumName(d) => format!("enum `{}`", name_of(*d)),
        Type::ConstructName(d) => format!("construct `{}`", name_of(*d)),
        Type::TypeName(d) => format!("type `{}`", name_of(*d)),
        Type::Variant(d, _) => name_of(*d),
        Type::Layer(d) => format!("layer `{}`", name_of(*d)),
        Type::Env => "env".into(),
        Type::Aws => "aws".into(),
        Type::Project(_) => "project".into(),
    }
}

fn render_record(record: &RecordType, name_of: &dyn Fn(DeclRef) -> String) -> String {
    if let Some(name) = &record.name {
        return name.clone();
    }
    let fields: Vec<String> =
        record.fields.iter().map(|f| format!("{}: {}", f.name, render(&f.ty, name_of))).collect();
    format!("{{ {} }}", fields.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtyping_follows_the_contract() {
        assert_eq!(accepts(&Type::Number, &Type::Int, false), Ok(()));
        assert_eq!(accepts(&Type::Deploy(Box::new(Type::String)), &Type::String, false), Ok(()));
        assert_eq!(
            accepts(&Type::String, &Type::Deploy(Box::new(Type::String)), false),
            Err(Mismatch::DeployTime)
        );
        assert_eq!(accepts(&Type::Optional(Box::new(Type::Int)), &Type::None, false), Ok(()));
        assert_eq!(accepts(&Type::Json, &Type::Secret, false), Err(Mismatch::Secret));
        assert_eq!(accepts(&Type::Json, &Type::Secret, true), Ok(()));
        assert_eq!(accepts(&Type::String, &Type::Secret, false), Err(Mismatch::Secret));
        assert_eq!(accepts(&Type::Quantity(Dimension::Memory), &Type::Int, false), Err(Mismatch::Unit));
        assert_eq!(
            accepts(&Type::Quantity(Dimension::Memory), &Type::Quantity(Dimension::Cpu), false),
            Err(Mismatch::Unit)
        );
        assert_eq!(accepts(&Type::Int, &Type::Unknown, false), Ok(()));
    }

    #[test]
    fn joins_none_into_optional() {
        assert_eq!(join(&Type::None, &Type::Int), Some(Type::Optional(Box::new(Type::Int))));
        assert_eq!(join(&Type::Int, &Type::Number), Some(Type::Number));
        assert_eq!(join(&Type::Int, &Type::String), None);
    }

    fn record(fields: &[(&str, Type)]) -> Type {
        let field = |(name, ty): &(&str, Type)| FieldType {
            name: name.to_string(),
            ty: ty.clone(),
            required: true,
            span: None,
        };
        Type::Record(Arc::new(RecordType { name: None, fields: fields.iter().map(field).collect() }))
    }

    #[test]
    fn records_of_different_shapes_join_with_optional_fields() {
        let cidr = record(&[("port", Type::Int), ("cidr", Type::String)]);
        let group = record(&[("port", Type::Int), ("group", Type::Deploy(Box::new(Type::String)))]);
        let Some(Type::Record(joined)) = join(&cidr, &group) else { panic!("records join") };
        let shape: Vec<(&str, bool, String)> =
            joined.fields.iter().map(|f| (f.name.as_str(), f.required, format!("{:?}", f.ty))).collect();
        assert_eq!(
            shape,
            [
                ("port", true, "Int".to_string()),
                ("cidr", false, "Optional(String)".to_string()),
                ("group", false, "Optional(Deploy(String))".to_string()),
            ]
        );
        let clash = record(&[("port", Type::String)]);
        assert_eq!(join(&cidr, &clash), None);
        let Type::Record(clash) = clash else { panic!("record") };
        let Type::Record(cidr) = cidr else { panic!("record") };
        assert_eq!(join_records(&cidr, &clash).err().as_deref(), Some("port"));
    }

    #[test]
    fn a_field_some_elements_lack_fits_only_a_field_with_a_default() {
        let Some(Type::Record(joined)) = join(&record(&[("a", Type::Int)]), &record(&[("b", Type::Int)]))
        else {
            panic!("records join")
        };
        let expected = |required: bool| {
            let field = |name: &str| FieldType { name: name.into(), ty: Type::Int, required, span: None };
            Type::Record(Arc::new(RecordType {
                name: Some("R".into()),
                fields: vec![field("a"), field("b")],
            }))
        };
        assert_eq!(accepts(&expected(false), &Type::Record(joined.clone()), false), Ok(()));
        assert_eq!(accepts(&expected(true), &Type::Record(joined), false), Err(Mismatch::Type));
    }
}
