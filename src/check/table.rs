//! The resolution table: what each name written in the program refers to, and
//! the type of each expression and member, as the checker found them.
//!
//! Input: what the checker records while it types each body once
//! ([`Builder`]). Output: a [`Table`], kept in [`Checked`](super::Checked),
//! which the evaluator and the language server read instead of resolving
//! names again. Layout, for memory and speed on large specs: per file, one
//! vector of names and one of expressions, keyed by byte offsets and sorted;
//! referents and types are interned, so a name costs 16 bytes and an
//! expression 12. Invariants: names do not overlap (one entry per identifier
//! written); expressions nest, sorted by start, then outermost first.

use std::collections::HashMap;

use crate::check::scope::DeclRef;
use crate::check::types::Type;
use crate::source::{FileId, Span};
use crate::syntax::ast::{Expr, ExprKind, StringLit, StringPart};
use crate::units::Dimension;
use crate::workspace::ModuleId;

/// What a name refers to. A declaration and its uses share one `Def` (after
/// [`Def::canonical`]), which is what [`Table::references`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Def {
    /// A top-level layer, construct, type or enum.
    Decl(DeclRef),
    /// Member `index` of layer or construct `body`: a binding, service,
    /// pipeline, publish, output, secret, resource or param; also a param set
    /// in an instance of the construct (`web { cpu = .. }`).
    Member { body: DeclRef, index: u32 },
    /// A comprehension variable or a match-arm binding, declared at `declared`.
    Local { declared: Span },
    /// Variant `index` of enum `decl`.
    Variant { decl: DeclRef, index: u32 },
    /// A stdlib module bound by an import (`ecs`).
    Namespace(ModuleId),
    /// A built-in function, by its index in [`BUILTINS`](super::BUILTINS).
    Builtin(u8),
    /// A built-in type (`string`, `memory`), by its index in [`BUILTIN_TYPES`](super::BUILTIN_TYPES).
    BuiltinType(u8),
    /// `env` in a layer.
    Env,
    /// `env.name`: the environment being evaluated.
    EnvName,
    /// A setting of the project or of the prelude's `DeploySettings`:
    /// `env.x` in a layer, `x = ..` in an environment, its declaration.
    Setting { declared: Option<Span> },
    /// `project` in a layer, and the project's own name.
    Project(DeclRef),
    /// `project.x`: a field of the project, declared at `declared` (the
    /// project's name for `project.name`).
    ProjectField { declared: Span },
    /// `aws` in a layer or construct.
    Aws,
    /// `aws.region` and the other pseudo parameters.
    Pseudo(Pseudo),
    /// Environment `index` of `project` (`dev`): in `environments { .. }`, an
    /// `environment` declaration, a value where one is expected, a pattern.
    Environment { project: DeclRef, index: u32 },
    /// A field of a record type or an enum variant, declared at `declared`:
    /// set in a literal, read after a dot, named in a type's `where`.
    Field { declared: Span },
    /// `core.vpc_id`: a `publish` or `secret` (member `index`) of another layer.
    Shared { layer: DeclRef, index: u32 },
    /// `django.url`: output member `index` of `construct`, read from an instance.
    Output { construct: DeclRef, index: u32 },
}

impl Def {
    /// The form shared by a declaration and all its uses: a layer's published
    /// value and a construct's output read from outside are its members.
    pub fn canonical(self) -> Def {
        match self {
            Def::Shared { layer: body, index } | Def::Output { construct: body, index } => {
                Def::Member { body, index }
            }
            other => other,
        }
    }
}

/// CloudFormation's pseudo parameters, as `aws.x` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pseudo {
    Region,
    AccountId,
    Partition,
    StackName,
    StackId,
    UrlSuffix,
}

impl Pseudo {
    /// Every pseudo parameter, in documentation order.
    pub const ALL: [Pseudo; 6] = [
        Pseudo::Region,
        Pseudo::AccountId,
        Pseudo::Partition,
        Pseudo::StackName,
        Pseudo::StackId,
        Pseudo::UrlSuffix,
    ];

    /// The name after `aws.`.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::Region => "region",
            Pseudo::AccountId => "account_id",
            Pseudo::Partition => "partition",
            Pseudo::StackName => "stack_name",
            Pseudo::StackId => "stack_id",
            Pseudo::UrlSuffix => "url_suffix",
        }
    }

    /// The parameter CloudFormation resolves (`AWS::Region`).
    pub fn cloudformation(self) -> &'static str {
        match self {
            Pseudo::Region => "AWS::Region",
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }

    /// The pseudo parameter `aws.<name>` reads.
    pub fn named(name: &str) -> Option<Pseudo> {
        Pseudo::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// A name written in the program, with what it refers to and its type.
#[derive(Debug, Clone, Copy)]
pub struct Node<'t> {
    /// The identifier as written.
    pub span: Span,
    pub def: Def,
    /// The type of the name where it is written (a member's type at its
    /// declaration); [`Type::Unknown`] after an error.
    pub ty: &'t Type,
}

/// Interned index of a [`Referent`] or a [`Type`].
type Id = u32;

/// What a name refers to, its type and its length: all uses of one
/// declaration share one, so a name written costs 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Referent {
    def: Def,
    ty: Id,
    len: u32,
}

#[derive(Debug, Clone, Copy)]
struct NameEntry {
    start: u32,
    referent: Id,
}

#[derive(Debug, Clone, Copy)]
struct ExprEntry {
    start: u32,
    end: u32,
    ty: Id,
}

#[derive(Debug, Default)]
struct FileTable {
    /// Sorted by start; no two overlap.
    names: Vec<NameEntry>,
    /// Compound expressions only (see [`Table::type_of`]), sorted by start,
    /// then by end descending (outer before inner).
    exprs: Vec<ExprEntry>,
}

/// What every name refers to and the type of every expression and member.
#[derive(Debug, Default)]
pub struct Table {
    files: Vec<FileTable>,
    referents: Vec<Referent>,
    types: Vec<Type>,
}

impl Table {
    /// What the name written at `span` refers to.
    pub fn def_at(&self, span: Span) -> Option<Def> {
        self.node_starting(span).map(|node| node.def)
    }

    /// The name whose identifier starts where `span` starts.
    pub fn node_starting(&self, span: Span) -> Option<Node<'_>> {
        let names = &self.file(span.file)?.names;
        let found = names.binary_search_by_key(&span.start, |e| e.start).ok()?;
        self.node(span.file, names.get(found)?)
    }

    /// The name at byte `offset` of `file` (a cursor just after a name is on it).
    pub fn node_at(&self, file: FileId, offset: u32) -> Option<Node<'_>> {
        let names = &self.file(file)?.names;
        let after = names.partition_point(|e| e.start <= offset);
        let node = self.node(file, names.get(after.checked_sub(1)?)?)?;
        (node.span.end >= offset).then_some(node)
    }

    /// The type the checker gave `expr`. Literals have the type they spell,
    /// a name or a field access the type of its name, so only compound
    /// expressions take room in the table.
    pub fn type_of(&self, expr: &Expr) -> Option<&Type> {
        match &expr.kind {
            ExprKind::Bool(_) => Some(&COMMON_TYPES[1]),
            ExprKind::Int(_) => Some(&COMMON_TYPES[2]),
            ExprKind::Decimal(_) => Some(&COMMON_TYPES[3]),
            ExprKind::String(lit) if is_plain(lit) => Some(&COMMON_TYPES[4]),
            ExprKind::Quantity { unit, .. } => {
                common_type(&Type::Quantity(unit.dimension())).and_then(|id| COMMON_TYPES.get(id as usize))
            }
            ExprKind::None => Some(&NONE),
            ExprKind::Name(name) => self.node_starting(name.span).map(|node| node.ty),
            ExprKind::Field { field, .. } => match self.node_starting(field.span) {
                Some(node) => Some(node.ty),
                None => self.recorded(expr.span),
            },
            ExprKind::Paren(inner) => self.type_of(inner),
            _ => self.recorded(expr.span),
        }
    }

    /// The type recorded for the expression written at exactly `span`.
    fn recorded(&self, span: Span) -> Option<&Type> {
        let exprs = &self.file(span.file)?.exprs;
        let first = exprs.partition_point(|e| e.start < span.start);
        let entry =
            exprs[first..].iter().take_while(|e| e.start == span.start).find(|e| e.end == span.end)?;
        self.types.get(entry.ty as usize)
    }

    /// Every name that refers to `def`, its declaration included, by file and offset.
    pub fn references(&self, def: Def) -> Vec<Span> {
        let wanted = def.canonical();
        let matching: Vec<bool> = self.referents.iter().map(|r| r.def.canonical() == wanted).collect();
        let mut found = Vec::new();
        for (file, table) in self.files.iter().enumerate() {
            let file = FileId(u32::try_from(file).unwrap_or(u32::MAX));
            let hits = table.names.iter().filter(|e| matching.get(e.referent as usize) == Some(&true));
            found.extend(hits.filter_map(|e| self.node(file, e)).map(|node| node.span));
        }
        found
    }

    /// Every name of `file` with what it refers to, in offset order.
    pub fn nodes(&self, file: FileId) -> impl Iterator<Item = Node<'_>> {
        self.file(file).into_iter().flat_map(move |t| t.names.iter().filter_map(move |e| self.node(file, e)))
    }

    fn file(&self, file: FileId) -> Option<&FileTable> {
        self.files.get(file.0 as usize)
    }

    fn node(&self, file: FileId, entry: &NameEntry) -> Option<Node<'_>> {
        let referent = self.referents.get(entry.referent as usize)?;
        Some(Node {
            span: Span { file, start: entry.start, end: entry.start.saturating_add(referent.len) },
            def: referent.def,
            ty: self.types.get(referent.ty as usize)?,
        })
    }
}

/// A string literal without interpolation.
fn is_plain(lit: &StringLit) -> bool {
    lit.parts.iter().all(|part| matches!(part, StringPart::Text(_)))
}

/// Collects the table while the checker runs.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    files: Vec<FileTable>,
    /// By id, and their ids.
    referents: Vec<Referent>,
    referent_ids: Interned<Referent>,
    type_ids: Interned<Type>,
}

/// Ids of interned values. Every name and compound expression checked looks
/// one up, so the hash is foldhash's fast one (seeded per process) rather
/// than SipHash: std's SipHash was a tenth of a whole `mdl build`.
type Interned<T> = foldhash::HashMap<T, Id>;

impl Builder {
    /// Record that the name written at `span` refers to `def` and has type `ty`.
    pub fn name(&mut self, span: Span, def: Def, ty: &Type) {
        let referent = Referent { def, ty: self.type_id(ty), len: span.end.saturating_sub(span.start) };
        let referent = self.referent_id(referent);
        self.file(span.file).names.push(NameEntry { start: span.start, referent });
    }

    fn referent_id(&mut self, referent: Referent) -> Id {
        let id = intern(&mut self.referent_ids, &referent);
        if id as usize == self.referents.len() {
            self.referents.push(referent);
        }
        id
    }

    /// Whether a name was recorded last at `span` (a field access then needs
    /// no entry of its own).
    pub fn named_last(&self, span: Span) -> bool {
        let last = self.files.get(span.file.0 as usize).and_then(|t| t.names.last());
        last.is_some_and(|e| e.start == span.start)
    }

    /// How many names of `file` are recorded so far: what is recorded after
    /// it is read back with [`Builder::defs_since`].
    pub fn mark(&self, file: FileId) -> usize {
        self.files.get(file.0 as usize).map_or(0, |t| t.names.len())
    }

    /// What each name of `file` recorded since `mark` refers to, by start
    /// offset (of a name recorded twice, the last record).
    pub fn defs_since(&self, file: FileId, mark: usize) -> HashMap<u32, Def> {
        let names = self.files.get(file.0 as usize).and_then(|t| t.names.get(mark..)).unwrap_or_default();
        let def = |e: &NameEntry| Some((e.start, self.referents.get(e.referent as usize)?.def));
        names.iter().filter_map(def).collect()
    }

    /// Record the type of the compound expression written at `span`.
    pub fn expr(&mut self, span: Span, ty: &Type) {
        let ty = self.type_id(ty);
        self.file(span.file).exprs.push(ExprEntry { start: span.start, end: span.end, ty });
    }

    /// Replace the type of the name recorded last, if it is the one at `span`.
    pub fn retype_last_name(&mut self, span: Span, ty: &Type) {
        let ty = self.type_id(ty);
        let last = self.files.get(span.file.0 as usize).and_then(|t| t.names.last());
        let Some(&NameEntry { start, referent }) = last.filter(|e| e.start == span.start) else { return };
        let Some(&old) = self.referents.get(referent as usize) else { return };
        let referent = self.referent_id(Referent { ty, ..old });
        self.file(span.file).names.push(NameEntry { start, referent });
    }

    /// Replace the type of the expression recorded last, if it is the one at `span`.
    pub fn retype_last(&mut self, span: Span, ty: &Type) {
        let ty = self.type_id(ty);
        let last = self.files.get_mut(span.file.0 as usize).and_then(|t| t.exprs.last_mut());
        if let Some(entry) = last.filter(|e| e.start == span.start && e.end == span.end) {
            entry.ty = ty;
        }
    }

    /// The finished table.
    pub fn finish(mut self) -> Table {
        for table in &mut self.files {
            // Stable sorts: of a name recorded twice (retyped), the last record wins.
            table.names.reverse();
            table.names.sort_by_key(|e| e.start);
            table.names.dedup_by_key(|e| e.start);
            table.names.shrink_to_fit();
            table.exprs.sort_by_key(|e| (e.start, std::cmp::Reverse(e.end)));
            table.exprs.dedup_by_key(|e| (e.start, e.end));
            table.exprs.shrink_to_fit();
        }
        self.referents.shrink_to_fit();
        Table { files: self.files, referents: self.referents, types: by_id(self.type_ids) }
    }

    fn file(&mut self, file: FileId) -> &mut FileTable {
        let index = file.0 as usize;
        if self.files.len() <= index {
            self.files.resize_with(index + 1, FileTable::default);
        }
        &mut self.files[index]
    }

    /// Most names and expressions have one of a few simple types: those get
    /// fixed ids without hashing.
    fn type_id(&mut self, ty: &Type) -> Id {
        if self.type_ids.is_empty() {
            for (i, common) in COMMON_TYPES.iter().enumerate() {
                self.type_ids.insert(common.clone(), i as Id);
            }
        }
        match common_type(ty) {
            Some(id) => id,
            None => intern(&mut self.type_ids, ty),
        }
    }
}

/// The type of `none`.
static NONE: Type = Type::None;

/// Types given fixed ids, in id order (see [`common_type`]).
static COMMON_TYPES: [Type; 11] = [
    Type::Unknown,
    Type::Bool,
    Type::Int,
    Type::Number,
    Type::String,
    Type::Json,
    Type::Quantity(Dimension::Cpu),
    Type::Quantity(Dimension::Memory),
    Type::Quantity(Dimension::Duration),
    Type::Quantity(Dimension::Percent),
    Type::Environment,
];

fn common_type(ty: &Type) -> Option<Id> {
    Some(match ty {
        Type::Unknown => 0,
        Type::Bool => 1,
        Type::Int => 2,
        Type::Number => 3,
        Type::String => 4,
        Type::Json => 5,
        Type::Quantity(Dimension::Cpu) => 6,
        Type::Quantity(Dimension::Memory) => 7,
        Type::Quantity(Dimension::Duration) => 8,
        Type::Quantity(Dimension::Percent) => 9,
        Type::Environment => 10,
        _ => return None,
    })
}

fn intern<T: std::hash::Hash + Eq + Clone>(ids: &mut Interned<T>, value: &T) -> Id {
    if let Some(&id) = ids.get(value) {
        return id;
    }
    let next = Id::try_from(ids.len()).unwrap_or(Id::MAX);
    ids.insert(value.clone(), next);
    next
}

/// The interned values in id order.
fn by_id<T>(ids: Interned<T>) -> Vec<T> {
    let mut pairs: Vec<(T, Id)> = ids.into_iter().collect();
    pairs.sort_unstable_by_key(|(_, id)| *id);
    pairs.into_iter().map(|(value, _)| value).collect()
}
