//! The resolved model of one environment: what lowering consumes.
//!
//! Input: produced by [`crate::eval::evaluate`]. Output: plain data, serializable
//! to JSON for tests and tooling. Invariants: layers are in deploy order (every
//! layer after the layers it depends on); every [`Value`] remembers the span it
//! was written at, so lowering can still point at the user's line.

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use std::sync::Arc;

use crate::source::Span;
use crate::units::{format_amount, Quantity};

/// Everything one environment deploys.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Model {
    /// The project's name (`megadolls`).
    pub project: String,
    /// The environment's name (`prod`).
    pub environment: String,
    /// The environment's name in its declaration.
    #[serde(serialize_with = "serialize_span")]
    pub environment_span: Span,
    /// The AWS region, as the `Region` variant's text (`af-south-1`).
    pub region: String,
    /// Prefix of every published SSM parameter, without a trailing slash
    /// (`/megadolls/infra`; `/<project>/<environment>` when `params` is not set).
    pub params_prefix: String,
    /// The project's `params` value, when it sets one.
    #[serde(skip)]
    pub params_span: Option<Span>,
    /// How it deploys: account, protection, credentials, tags.
    pub deployment: Deployment,
    /// Every layer, in deploy order.
    pub layers: Vec<LayerModel>,
}

/// The environment's deploy settings (the prelude's `DeploySettings` but `region`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Deployment {
    /// The 12-digit account the environment must deploy into.
    pub account: Option<Setting>,
    /// Termination protection, and no destroying stateful resources unasked.
    pub protect: bool,
    /// Where `protect` was set (none: left at its default).
    #[serde(serialize_with = "serialize_optional_span")]
    pub protect_span: Option<Span>,
    /// The AWS profile to deploy with.
    pub profile: Option<Setting>,
    /// An IAM role to assume for deploying.
    pub role: Option<Setting>,
    /// The CloudFormation service role.
    pub service_role: Option<Setting>,
    /// The project's `tags`, then the environment's (a key set in both keeps the environment's value).
    pub tags: Vec<Tag>,
    /// Layers fanned out as StackSets (`stack_sets`), in the order written.
    pub stack_sets: Vec<StackSetModel>,
}

/// One layer fanned out as a StackSet (the prelude's `StackSet`).
#[derive(Debug, Clone, Serialize)]
pub struct StackSetModel {
    /// The layer's name, as the `stack_sets` key.
    pub layer: String,
    /// Where the entry was written.
    #[serde(serialize_with = "serialize_span")]
    pub span: Span,
    /// Regions that get an instance (`us-east-1`), in the order written.
    pub regions: Vec<Setting>,
    /// Accounts that get an instance in every region; empty: the caller's own.
    pub accounts: Vec<Setting>,
    /// Accounts deployed at once, per region.
    pub max_concurrent: i64,
    /// Accounts that may fail, per region, before the operation stops.
    pub failure_tolerance: i64,
    /// The order regions are deployed in.
    pub region_order: Vec<Setting>,
    /// The administration role's ARN (self-managed permissions).
    pub administration_role: Option<Setting>,
    /// The role name assumed in each target account.
    pub execution_role: String,
}

impl StackSetModel {
    /// The regions in deploy order: `region_order` first, then the rest of `regions`.
    pub fn ordered_regions(&self) -> Vec<String> {
        let mut ordered: Vec<String> = Vec::new();
        for region in self.region_order.iter().chain(&self.regions) {
            if !ordered.contains(&region.value) {
                ordered.push(region.value.clone());
            }
        }
        ordered
    }
}

impl Deployment {
    /// The StackSet the layer `name` is fanned out as, if it is.
    pub fn stack_set(&self, layer: &str) -> Option<&StackSetModel> {
        self.stack_sets.iter().find(|s| s.layer == layer)
    }
}

/// A text setting and the spec line that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// The text.
    pub value: String,
    /// Where the value was written.
    #[serde(serialize_with = "serialize_span")]
    pub span: Span,
}

/// A user tag for every stack of the environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// Where the tag's value was written.
    #[serde(serialize_with = "serialize_span")]
    pub span: Span,
}

impl Model {
    /// The layer named `name`.
    pub fn layer(&self, name: &str) -> Option<&LayerModel> {
        self.layers.iter().find(|l| l.name == name)
    }
}

/// One layer: one CloudFormation stack per environment.
#[derive(Debug, Clone, Serialize)]
pub struct LayerModel {
    /// The layer's name (`core`).
    pub name: String,
    /// The layer declaration.
    #[serde(serialize_with = "serialize_span")]
    pub span: Span,
    /// The layer's name in its declaration.
    #[serde(skip)]
    pub name_span: Span,
    /// Layers this one reads published values or secrets from, in deploy order.
    pub depends_on: Vec<String>,
    /// Every resource of the layer, its own and those of the construct instances it binds.
    pub resources: Vec<ResourceModel>,
    /// Values written to SSM for later layers.
    pub publishes: Vec<Published>,
    /// Values read from SSM that earlier layers published.
    pub imports: Vec<Imported>,
    /// SecureString parameters declared by this layer (set outside mdl).
    pub secrets: Vec<SecretModel>,
}

impl LayerModel {
    /// The resource with this logical id.
    pub fn resource(&self, logical_id: &str) -> Option<&ResourceModel> {
        self.resources.iter().find(|r| r.logical_id == logical_id)
    }
}

/// One CloudFormation resource.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceModel {
    /// CamelCase of the binding path: `django` + `task_role` → `DjangoTaskRole`.
    pub logical_id: String,
    /// `AWS::ECS::Service`
    pub type_name: String,
    /// The `Properties` record.
    pub properties: Value,
    /// Resource attributes (`DeletionPolicy`, `DependsOn`, ...), a record.
    pub options: Value,
    /// The `resource` declaration.
    #[serde(serialize_with = "serialize_span")]
    pub span: Span,
    /// Where the construct that declares it was instantiated, for layer-level resources `None`.
    #[serde(serialize_with = "serialize_optional_span")]
    pub instance_span: Option<Span>,
    /// The innermost instantiation written in a spec file (not the stdlib):
    /// the user's line for a resource deep inside stdlib constructs.
    #[serde(skip)]
    pub user_span: Option<Span>,
}

impl ResourceModel {
    /// The line a finding about this resource is shown at: the user's
    /// instantiation, else the resource's own declaration.
    pub fn user_line(&self) -> Span {
        self.user_span.unwrap_or(self.span)
    }
}

/// A value written to SSM by its layer.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    /// The member name (`vpc_id`).
    pub name: String,
    /// The full SSM parameter name (`/megadolls/infra/vpc_id`).
    pub parameter: String,
    /// A string or a deploy-time string, or a list of them (an SSM `StringList`).
    pub value: Value,
    /// The `publish` member.
    #[serde(serialize_with = "serialize_span")]
    pub span: Span,
}

/// A value read from SSM that an earlier layer published.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The layer that publishes it.
    pub layer: String,
    /// The published member's name.
    pub name: String,
    /// The full SSM parameter name.
    pub parameter: String,
    /// A published list (read as `List<String>`), not a string.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub list: bool,
    /// The first reference to it in this layer.
    #[serde(serialize_with = "serialize_span")]
    pub span: Span,
}

/// A SecureString parameter a layer declares; its value is set outside mdl.
#[derive(Debug, Clone, Serialize)]
pub struct SecretModel {
    /// The member name (`strip_key`).
    pub name: String,
    /// The full SSM parameter name.
    pub parameter: String,
    /// What the secret is, for whoever sets it ("" when not given).
    pub description: String,
    /// The `secret` member.
    #[serde(serialize_with = "serialize_span")]
    pub span: Span,
}

/// An evaluated value and where it was written.
#[derive(Debug, Clone, Serialize)]
pub struct Value {
    /// What the value is.
    pub kind: ValueKind,
    /// Where the value was written: a literal, or the expression that computed it.
    /// A value passed along (through a name, a param, `env.x`) keeps its origin.
    #[serde(serialize_with = "serialize_span")]
    pub origin: Span,
}

impl Value {
    /// A value of `kind` written at `origin`.
    pub fn new(kind: ValueKind, origin: Span) -> Value {
        Value { kind, origin }
    }

    /// A plain string.
    pub fn string(text: impl Into<Text>, origin: Span) -> Value {
        Value::new(ValueKind::String(text.into()), origin)
    }

    /// A deploy-time value.
    pub fn deploy(expr: DeployExpr, origin: Span) -> Value {
        Value::new(ValueKind::Deploy(Arc::new(expr)), origin)
    }

    /// The text of a plain string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The deploy-time expression this value is, if it is one.
    pub fn deploy_expr(&self) -> Option<&DeployExpr> {
        match &self.kind {
            ValueKind::Deploy(expr) => Some(expr),
            _ => None,
        }
    }

    /// Call `f` on every deploy-time expression inside this value, nested ones
    /// included (the parts of an interpolation), with the value that holds it.
    pub fn for_each_deploy(&self, f: &mut impl FnMut(&DeployExpr, &Value)) {
        match &self.kind {
            ValueKind::Deploy(expr) => {
                f(expr, self);
                match &**expr {
                    DeployExpr::Join(parts) => parts.iter().for_each(|p| p.for_each_deploy(f)),
                    DeployExpr::Equals { left, right, .. } => {
                        left.for_each_deploy(f);
                        right.for_each_deploy(f);
                    }
                    DeployExpr::Ref(_)
                    | DeployExpr::GetAtt(..)
                    | DeployExpr::Pseudo(_)
                    | DeployExpr::Ssm(_)
                    | DeployExpr::SsmItem { .. } => {}
                }
            }
            ValueKind::List(items) => items.iter().for_each(|v| v.for_each_deploy(f)),
            ValueKind::Record(fields) => fields.iter().for_each(|(_, v)| v.for_each_deploy(f)),
            _ => {}
        }
    }

    /// A field of a record, an instance's output, or a variant's field.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.kind.fields()?.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
    }
}

/// The fields of a record, a variant or an instance, in order, shared:
/// reading a name or a field that holds one copies a pointer, not the tree
/// (the model crosses from the evaluator's thread to the caller's, hence `Arc`).
/// One allocation each, not an `Arc<Vec>`'s two: the model of a large
/// platform holds hundreds of thousands of records.
pub type Fields = Arc<[(FieldName, Value)]>;

/// A field's name, shared by every record that has the field: the evaluator
/// interns the names written in the spec ([`crate::eval`]'s `field_name`), so
/// a thousand records with a `name` field hold one string.
pub type FieldName = Arc<str>;

/// Text that clones by sharing: a string value, a logical id, an enum's
/// name. Values are copied on every read of a name or a field, and the model
/// of a large platform holds millions of them, so none owns its text.
pub type Text = Arc<str>;

/// What a value is. Kept to two words (a [`Value`] with its span is 40
/// bytes): anything larger is behind an `Arc`, shared when copied.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum ValueKind {
    /// `none`
    Null,
    /// `true`, `false`
    Bool(bool),
    /// A whole number without a unit.
    Int(i64),
    /// A decimal number without a unit.
    Number(f64),
    /// Plain text, known at check time.
    String(Text),
    /// A quantity in its dimension's base unit (CPU units, MiB, seconds, percent).
    #[serde(serialize_with = "serialize_quantity")]
    Quantity(Quantity),
    /// `[a, b]`
    List(#[serde(serialize_with = "serialize_list")] Arc<Vec<Value>>),
    /// A record or map, fields in the order written (defaults after).
    Record(#[serde(serialize_with = "serialize_fields")] Fields),
    /// An enum variant, with its lowering text and its fields.
    Variant(Arc<Variant>),
    /// A construct instance: its outputs.
    Instance(Arc<Instance>),
    /// A SecureString parameter, by name.
    Secret {
        /// The full SSM parameter name.
        parameter: Text,
    },
    /// A value known only when CloudFormation runs.
    Deploy(Arc<DeployExpr>),
}

/// An enum variant's value.
#[derive(Debug, Clone, Serialize)]
pub struct Variant {
    /// The enum (`Capacity`; the project's name for `env.name`).
    pub enum_name: Text,
    /// The variant (`on_demand`).
    pub variant: Text,
    /// Its lowering text (`af-south-1` for `af_south_1`), when declared.
    pub text: Option<Text>,
    /// Its fields, defaults filled in.
    #[serde(serialize_with = "serialize_fields")]
    pub fields: Fields,
}

impl Variant {
    /// Its text in a template or an interpolation: the lowering text, else the name.
    pub fn shown(&self) -> &Text {
        self.text.as_ref().unwrap_or(&self.variant)
    }
}

/// A construct instance's value.
#[derive(Debug, Clone, Serialize)]
pub struct Instance {
    /// The construct's name.
    pub construct: Text,
    /// Its outputs, in declaration order.
    #[serde(serialize_with = "serialize_fields")]
    pub outputs: Fields,
}

impl ValueKind {
    /// What the value is, for messages (`string`, `list`, `deploy-time value`).
    pub fn describe(&self) -> &'static str {
        match self {
            ValueKind::Null => "none",
            ValueKind::Bool(_) => "bool",
            ValueKind::Int(_) => "int",
            ValueKind::Number(_) => "number",
            ValueKind::String(_) => "string",
            ValueKind::Quantity(_) => "quantity",
            ValueKind::List(_) => "list",
            ValueKind::Record(_) => "record",
            ValueKind::Variant(_) => "enum variant",
            ValueKind::Instance(_) => "construct instance",
            ValueKind::Secret { .. } => "secret",
            ValueKind::Deploy(_) => "deploy-time value",
        }
    }

    /// The fields of a record, an instance's outputs, or a variant's fields.
    pub fn fields(&self) -> Option<&Fields> {
        match self {
            ValueKind::Record(fields) => Some(fields),
            ValueKind::Instance(instance) => Some(&instance.outputs),
            ValueKind::Variant(variant) => Some(&variant.fields),
            _ => None,
        }
    }
}

/// A deploy-time value: what lowering turns into an intrinsic function.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "fn", content = "args", rename_all = "snake_case")]
pub enum DeployExpr {
    /// `{ "Ref": logical_id }`
    Ref(Text),
    /// `{ "Fn::GetAtt": [logical_id, "Endpoint.Address"] }`
    GetAtt(Text, Text),
    /// A pseudo parameter: `AWS::Region`, `AWS::AccountId`, ...
    Pseudo(&'static str),
    /// An SSM parameter read at deploy time (a value an earlier layer published).
    Ssm(String),
    /// Element `index` of a list an earlier layer published (`Fn::Select` on
    /// the list's parameter); `length` is the list's length in this
    /// environment, so the whole list read in order lowers to one `Ref`.
    SsmItem {
        /// The SSM parameter of the list.
        parameter: String,
        /// The element's position.
        index: usize,
        /// How many elements the list has.
        length: usize,
    },
    /// An interpolated string with deploy-time parts: `Fn::Join` with "" of the parts
    /// (plain strings and deploy values, adjacent strings merged).
    Join(Vec<Value>),
    /// `a == b` (or `!=` when `negated`) on deploy-time values: a deploy-time bool.
    Equals {
        /// The left operand.
        left: Box<Value>,
        /// The right operand.
        right: Box<Value>,
        /// `!=` rather than `==`.
        negated: bool,
    },
}

fn serialize_span<S: Serializer>(span: &Span, serializer: S) -> Result<S::Ok, S::Error> {
    let mut state = serializer.serialize_struct("Span", 3)?;
    state.serialize_field("file", &span.file.0)?;
    state.serialize_field("start", &span.start)?;
    state.serialize_field("end", &span.end)?;
    state.end()
}

fn serialize_optional_span<S: Serializer>(span: &Option<Span>, serializer: S) -> Result<S::Ok, S::Error> {
    match span {
        Some(span) => serialize_span(span, serializer),
        None => serializer.serialize_none(),
    }
}

/// Fields as a JSON object, in their order (serde_json keeps insertion order).
fn serialize_fields<S: Serializer>(fields: &[(FieldName, Value)], serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(fields.len()))?;
    for (key, value) in fields {
        map.serialize_entry(&**key, value)?;
    }
    map.end()
}

fn serialize_list<S: Serializer>(items: &[Value], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(items)
}

fn serialize_quantity<S: Serializer>(quantity: &Quantity, serializer: S) -> Result<S::Ok, S::Error> {
    let mut state = serializer.serialize_struct("Quantity", 3)?;
    state.serialize_field("dimension", quantity.dimension.type_name())?;
    state.serialize_field("base", &quantity.base)?;
    state.serialize_field("display", &quantity.to_string())?;
    state.end()
}

/// A check-time value as text, for messages and interpolation: `2 GiB`, `af-south-1`.
/// `None` for values that have no text form (records, lists, secrets, deploy values).
pub fn display_text(value: &Value) -> Option<String> {
    Some(match &value.kind {
        ValueKind::String(s) => s.to_string(),
        ValueKind::Int(n) => n.to_string(),
        ValueKind::Number(n) => format_amount(*n),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Quantity(q) => q.to_string(),
        ValueKind::Variant(variant) => variant.shown().to_string(),
        ValueKind::Null => "none".to_string(),
        ValueKind::List(_)
        | ValueKind::Record(_)
        | ValueKind::Instance(_)
        | ValueKind::Secret { .. }
        | ValueKind::Deploy(_) => return None,
    })
}

// A value is copied on every read of a name or a field, and a large model
// holds millions: keep it at five words (the kind two, the span one and a half).
const _: () = assert!(std::mem::size_of::<Value>() <= 40);
