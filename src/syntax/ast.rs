//! The abstract syntax tree: what `parse` produces and every later stage reads.
//!
//! Every node carries the [`Span`] of the text it came from, so a problem found
//! while checking or evaluating still points at the user's line. The tree is
//! serde-encodable: the stdlib's modules are embedded parsed
//! (`crate::stdlib::cache`).

use serde::{Deserialize, Serialize};

use crate::source::Span;

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// One parsed `.mdl` file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct File {
    pub items: Vec<Item>,
    /// Names declared by items or members that did not parse (and are not
    /// in `items`): a reference to one is not reported as unknown. `*`
    /// stands for the names of a spec file whose `import` did not parse.
    pub broken: Vec<Name>,
}

/// A top-level declaration with its doc comment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    pub doc: Option<String>,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ItemKind {
    Import(Import),
    Project(Project),
    Environment(Environment),
    Layer(Layer),
    Construct(Construct),
    Type(TypeDecl),
    Enum(EnumDecl),
}

/// `import "./platform.mdl"` or `import std/aws/{ecs, ecr}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Import {
    /// A spec file, relative to the importing file.
    File { path: String, span: Span },
    /// Stdlib modules, each bound by its last segment (`std/aws/ecs` binds
    /// `ecs`) or by the name after `as` (`std/aws/{network as net}`).
    Modules(Vec<ModulePath>),
}

/// `std/aws/ecs`: the segments and the name it binds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModulePath {
    pub segments: Vec<String>,
    /// The name the module is bound to in the importing file.
    pub binding: Name,
    /// `network` in `{network as net}`: the last segment, when `as` binds
    /// the module to another name (`binding` is then `net`).
    pub renamed_from: Option<Name>,
    pub span: Span,
}

impl ModulePath {
    /// The module's path as written: `std/aws/ecs`.
    pub fn joined(&self) -> String {
        self.segments.join("/")
    }
}

/// `project megadolls { environments { dev, prod } settings { .. } params = ".." }`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Project {
    pub name: Name,
    pub environments: Vec<Name>,
    /// The fields every environment sets (besides `region`, which is implicit).
    pub settings: Vec<FieldDecl>,
    pub fields: Vec<Binding>,
}

/// `environment prod { region = af_south_1, .. }`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Environment {
    pub name: Name,
    pub fields: RecordLit,
}

/// `layer core { .. }`: one CloudFormation stack per environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Layer {
    pub name: Name,
    pub members: Vec<Member>,
}

/// `construct fargate_service { params, bindings, resources, outputs }`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Construct {
    pub name: Name,
    pub members: Vec<Member>,
}

/// A statement inside a layer or construct body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub doc: Option<String>,
    pub kind: MemberKind,
    /// `.. when cond`: the member exists only where `cond` (check-time) holds.
    pub when: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum MemberKind {
    /// `name: type in lo..hi = default` (constructs only).
    Param(FieldDecl),
    /// `name = expr`
    Binding(Binding),
    /// `service name = expr`
    Service(Binding),
    /// `pipeline name = expr`
    Pipeline(Binding),
    /// `publish name = expr`: written to SSM for later layers (layers only).
    Publish(Binding),
    /// `secret name = "description"`: a SecureString set outside mdl (layers only).
    Secret { name: Name, description: Option<StringLit> },
    /// `output name = expr`: a field of the construct's instances (constructs only).
    Output(Binding),
    /// `resource "AWS::SNS::Topic" name { .. } with { .. }`
    Resource(ResourceDecl),
    /// `require cond else "message"`
    Require(Require),
}

/// `name = expr`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Binding {
    pub name: Name,
    pub value: Expr,
}

/// A raw CloudFormation resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceDecl {
    pub type_name: StringLit,
    pub name: Name,
    pub properties: RecordLit,
    /// Resource attributes: `DeletionPolicy`, `UpdateReplacePolicy`, `DependsOn`, ...
    pub options: Option<RecordLit>,
}

/// `require cond else E0403 "message"`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Require {
    pub condition: Expr,
    pub code: Option<Name>,
    pub message: StringLit,
    pub span: Span,
}

/// `type Scaling = { .. } where { require .. }`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TypeDecl {
    pub name: Name,
    pub ty: TypeExpr,
    pub requires: Vec<Require>,
}

/// `enum Rollout { all_at_once, linear { step: percent, every: duration } }`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnumDecl {
    pub name: Name,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Variant {
    pub doc: Option<String>,
    pub name: Name,
    /// `us_east_1 = "us-east-1"`: the text the variant lowers to.
    pub value: Option<StringLit>,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

/// A typed field: a construct parameter, a record type field, a setting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FieldDecl {
    pub doc: Option<String>,
    pub name: Name,
    pub ty: TypeExpr,
    pub range: Option<Range>,
    pub default: Option<Expr>,
    pub span: Span,
}

/// `in low..high`, either end optional.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Range {
    pub low: Option<Expr>,
    pub high: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum TypeExprKind {
    /// `string`, `cpu`, `Rollout`, `ecs.cluster`
    Named(Vec<Name>),
    List(Box<TypeExpr>),
    Map(Box<TypeExpr>),
    Deploy(Box<TypeExpr>),
    Record(Vec<FieldDecl>),
    Optional(Box<TypeExpr>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ExprKind {
    Bool(bool),
    Int(i64),
    /// A number with a fractional part and no unit.
    Decimal(f64),
    Quantity {
        amount: f64,
        unit: Unit,
    },
    None,
    String(StringLit),
    /// A plain name: `vpc`, `env`, `spot`.
    Name(Name),
    /// `expr.field`
    Field {
        target: Box<Expr>,
        field: Name,
    },
    /// `list[index]`: one element of a list, by a check-time position.
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
    /// `name(args)`: a built-in function.
    Call {
        callee: Name,
        args: Vec<Expr>,
    },
    /// `expr { fields }`: a construct instance, an enum variant with fields, or a typed record.
    Apply {
        target: Box<Expr>,
        body: RecordLit,
    },
    List(Vec<Expr>),
    Record(RecordLit),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    Comprehension {
        element: Box<Expr>,
        var: Name,
        iterable: Box<Expr>,
        filter: Option<Box<Expr>>,
    },
    Paren(Box<Expr>),
}

/// A string literal, possibly interpolated.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StringLit {
    pub parts: Vec<StringPart>,
    pub span: Span,
}

impl StringLit {
    /// The text when the literal has no interpolation.
    pub fn as_plain(&self) -> Option<String> {
        let mut text = String::new();
        for part in &self.parts {
            match part {
                StringPart::Text(t) => text.push_str(t),
                StringPart::Interpolation(_) => return None,
            }
        }
        Some(text)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum StringPart {
    Text(String),
    Interpolation(Expr),
}

/// `{ a = 1, stage build = .. }`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordLit {
    pub fields: Vec<Binding>,
    pub stages: Vec<Stage>,
    pub span: Span,
}

/// `stage name when cond = action`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stage {
    pub name: Name,
    pub when: Option<Expr>,
    pub action: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum PatternKind {
    Wildcard,
    Bool(bool),
    Int(i64),
    Quantity {
        amount: f64,
        unit: Unit,
    },
    String(String),
    /// `spot`, `Rollout.linear { step, every }`
    Variant {
        path: Vec<Name>,
        bindings: Vec<Name>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnaryOp {
    Not,
    Negate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }
}

pub use crate::units::Unit;
