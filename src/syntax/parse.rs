//! pest pairs → AST, and pest's errors → diagnostics.
//!
//! Input: one file's text. Output: [`Parsed`], its [`ast::File`] and syntax
//! diagnostics. A file that parses as a whole is built directly. One that
//! does not goes through [`recover`]: every item (or member of a block) that
//! parses alone is kept, each broken piece costs one diagnostic, and the
//! names the broken pieces declared are kept in [`File::broken`] so later
//! stages do not report them missing.
//!
//! The builder functions unwrap pairs only through [`Children`], whose
//! accessors return `Option`: the grammar guarantees every shape they read,
//! and a mismatch (a grammar change the builder missed) becomes a diagnostic
//! rather than a panic.

use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use pest_derive::Parser;

use super::ast::*;
use super::depth;
use super::hidden;
use super::recover;
use super::trivia::Trivia;
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

#[derive(Parser)]
#[grammar = "../grammar/mdl.pest"]
pub(super) struct MdlParser;

/// Longest chain of operators or postfix accesses in one expression. Longer
/// chains build a tree deep enough to exhaust the stack in later stages.
const MAX_CHAIN: usize = 512;

/// Most diagnostics reported for one file; the last one shown says how many
/// more there are.
pub const MAX_DIAGNOSTICS: usize = 50;

/// One file, read: every item that parsed, and what is wrong with the rest.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The items that parsed (and, in `file.broken`, what the others declared).
    pub file: File,
    /// Syntax errors and warnings, sorted by position, at most
    /// [`MAX_DIAGNOSTICS`].
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// Whether any diagnostic is an error (the formatter refuses such a file).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parse one file. Never stops at the first error: see the module docs.
pub fn parse(file: FileId, text: &str) -> Parsed {
    let whole = match depth::refusal(text) {
        None => parse_pairs(Rule::file, text, false).ok(),
        Some(_) => None,
    };
    let (ast, mut diagnostics) = match whole {
        Some(pairs) => build(file, text, pairs),
        None => recovered(file, text),
    };
    let hidden = hidden::diagnostics(file, text);
    // A bidi control character outside a string is also a token pest does
    // not expect: the E0109 says more than "unexpected" would.
    diagnostics.retain(|d| {
        d.code != Code::SyntaxError
            || !hidden.iter().any(|h| h.is_error() && h.primary.span.start == d.primary.span.start)
    });
    diagnostics.extend(hidden);
    crate::diag::sort_and_dedup(&mut diagnostics);
    cap(&mut diagnostics);
    Parsed { file: ast, diagnostics }
}

/// Keep the first [`MAX_DIAGNOSTICS`]; the last kept says how many were left out.
fn cap(diagnostics: &mut Vec<Diagnostic>) {
    if diagnostics.len() <= MAX_DIAGNOSTICS {
        return;
    }
    let more = diagnostics.len() - MAX_DIAGNOSTICS;
    diagnostics.truncate(MAX_DIAGNOSTICS);
    if let Some(last) = diagnostics.last_mut() {
        last.notes.push(format!("{more} more syntax problems in this file are not shown"));
    }
}

/// A file that does not parse as a whole: its broken pieces blanked out,
/// the rest built as usual.
fn recovered(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    let recovered = recover::recover(file, text);
    let mut diagnostics = recovered.diagnostics;
    let blanked = recovered.blanked.as_str();
    let mut ast = match parse_pairs(Rule::file, blanked, false) {
        Ok(pairs) => {
            let (ast, found) = build(file, blanked, pairs);
            diagnostics.extend(found);
            ast
        }
        // Every piece kept parsed alone, so this is a recovery bug: say
        // where the parser stopped rather than nothing.
        Err(_) => {
            if let Err(error) = parse_pairs(Rule::file, blanked, true) {
                diagnostics.push(super::errors::syntax_error(file, text, 0, &error));
            }
            File::default()
        }
    };
    ast.broken.extend(recovered.broken);
    (ast, diagnostics)
}

/// Build the AST of pairs that parsed.
fn build(file: FileId, text: &str, pairs: Pairs<'_, Rule>) -> (File, Vec<Diagnostic>) {
    let mut builder =
        Builder { file, diagnostics: Vec::new(), trivia: Trivia::scan(text), broken: Vec::new() };
    let items = pairs
        .flat_map(|file_pair| file_pair.into_inner())
        .filter(|p| p.as_rule() == Rule::item)
        .filter_map(|p| {
            let (input, range) = (p.get_input(), p.as_span().start()..p.as_span().end());
            let item = builder.item(p);
            if item.is_none() {
                builder.broken.extend(recover::item_names(file, input, range));
            }
            item
        })
        .collect();
    (File { items, broken: builder.broken }, builder.diagnostics)
}

/// Parse `text` as `rule`. With `detailed_errors`, pest tracks every
/// token it tries; that setting is global to pest, so detailed parses hold a
/// lock and restore it, and plain parses never touch it (a plain parse that
/// overlaps a detailed one is only slower, never wrong).
///
/// Tracking every attempted token makes the error message point at the
/// farthest token tried, but slows every parse; so it is only switched on to
/// parse a piece again once it is known to fail.
pub(super) fn parse_pairs(
    rule: Rule,
    text: &str,
    detailed_errors: bool,
) -> Result<Pairs<'_, Rule>, pest::error::Error<Rule>> {
    if !detailed_errors {
        return MdlParser::parse(rule, text);
    }
    static DETAILED: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = DETAILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    pest::set_error_detail(true);
    let result = MdlParser::parse(rule, text);
    pest::set_error_detail(false);
    result
}

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::infix(Rule::eq_op, Assoc::Left) | Op::infix(Rule::ne_op, Assoc::Left))
        .op(Op::infix(Rule::lt_op, Assoc::Left)
            | Op::infix(Rule::le_op, Assoc::Left)
            | Op::infix(Rule::gt_op, Assoc::Left)
            | Op::infix(Rule::ge_op, Assoc::Left))
        .op(Op::infix(Rule::add_op, Assoc::Left) | Op::infix(Rule::sub_op, Assoc::Left))
        .op(Op::infix(Rule::mul_op, Assoc::Left)
            | Op::infix(Rule::div_op, Assoc::Left)
            | Op::infix(Rule::rem_op, Assoc::Left))
});

/// The children of a pair that carry meaning: keywords are dropped.
struct Children<'i> {
    pairs: std::iter::Peekable<std::vec::IntoIter<Pair<'i, Rule>>>,
}

impl<'i> Children<'i> {
    fn of(pair: Pair<'i, Rule>) -> Self {
        let pairs: Vec<_> = pair.into_inner().filter(|p| !is_keyword(p.as_rule())).collect();
        Children { pairs: pairs.into_iter().peekable() }
    }

    /// The next child, which the grammar guarantees.
    fn expect(&mut self) -> Option<Pair<'i, Rule>> {
        self.pairs.next()
    }

    /// The next child if it is a `rule`.
    fn maybe(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        match self.pairs.peek() {
            Some(p) if p.as_rule() == rule => self.pairs.next(),
            _ => None,
        }
    }

    /// Every consecutive child that is a `rule`.
    fn take_all(&mut self, rule: Rule) -> Vec<Pair<'i, Rule>> {
        let mut taken = Vec::new();
        while let Some(p) = self.maybe(rule) {
            taken.push(p);
        }
        taken
    }

    fn rest(self) -> impl Iterator<Item = Pair<'i, Rule>> {
        self.pairs
    }
}

fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_import
            | Rule::kw_project
            | Rule::kw_environments
            | Rule::kw_settings
            | Rule::kw_environment
            | Rule::kw_layer
            | Rule::kw_publish
            | Rule::kw_secret
            | Rule::kw_service
            | Rule::kw_pipeline
            | Rule::kw_output
            | Rule::kw_resource
            | Rule::kw_with
            | Rule::kw_require
            | Rule::kw_else
            | Rule::kw_construct
            | Rule::kw_type
            | Rule::kw_where
            | Rule::kw_enum
            | Rule::kw_in
            | Rule::kw_map
            | Rule::kw_deploy
            | Rule::kw_for
            | Rule::kw_if
            | Rule::kw_match
            | Rule::kw_stage
            | Rule::kw_when
            | Rule::kw_as
    )
}

struct Builder {
    file: FileId,
    diagnostics: Vec<Diagnostic>,
    trivia: Trivia,
    /// Names of items and members dropped for an invalid literal.
    broken: Vec<Name>,
}

impl Builder {
    /// The pair's span without the whitespace and comments pest may leave trailing.
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), self.trivia.trim_end(s.start(), s.end()))
    }

    fn name(&self, pair: Pair<Rule>) -> Name {
        Name { text: pair.as_str().to_string(), span: self.span(&pair) }
    }

    /// A pair the grammar should not have produced here: report, don't panic.
    fn unexpected(&mut self, pair: &Pair<Rule>) {
        let span = self.span(pair);
        self.diagnostics.push(Diagnostic::new(
            Code::SyntaxError,
            format!("internal error: unexpected `{:?}` in the syntax tree", pair.as_rule()),
            span,
            "here",
        ));
    }

    fn docs(&self, children: &mut Children) -> Option<String> {
        let lines: Vec<String> = children
            .take_all(Rule::doc)
            .into_iter()
            .map(|doc| {
                let text = doc.into_inner().next().map(|t| t.as_str()).unwrap_or("");
                text.strip_prefix(' ').unwrap_or(text).trim_end().to_string()
            })
            .collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    // ------------------------------------------------------------ items

    fn item(&mut self, pair: Pair<Rule>) -> Option<Item> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let doc = self.docs(&mut children);
        let decl = children.expect()?;
        let kind = match decl.as_rule() {
            Rule::import_decl => ItemKind::Import(self.import(decl)?),
            Rule::project_decl => ItemKind::Project(self.project(decl)?),
            Rule::environment_decl => {
                let mut c = Children::of(decl);
                let name = self.name(c.expect()?);
                ItemKind::Environment(Environment { name, fields: self.record_lit(c.expect()?)? })
            }
            Rule::layer_decl => {
                let mut c = Children::of(decl);
                let name = self.name(c.expect()?);
                ItemKind::Layer(Layer { name, members: self.members(c) })
            }
            Rule::construct_decl => {
                let mut c = Children::of(decl);
                let name = self.name(c.expect()?);
                ItemKind::Construct(Construct { name, members: self.members(c) })
            }
            Rule::type_decl => ItemKind::Type(self.type_decl(decl)?),
            Rule::enum_decl => ItemKind::Enum(self.enum_decl(decl)?),
            _ => {
                self.unexpected(&decl);
                return None;
            }
        };
        Some(Item { doc, kind, span })
    }

    fn import(&mut self, pair: Pair<Rule>) -> Option<Import> {
        let target = Children::of(pair).expect()?;
        match target.as_rule() {
            Rule::string_lit => {
                let span = self.span(&target);
                let literal = self.string_lit(target)?;
                let Some(path) = literal.as_plain() else {
                    self.diagnostics.push(Diagnostic::new(
                        Code::InvalidLiteral,
                        "an import path cannot be interpolated",
                        span,
                        "interpolation in an import",
                    ));
                    return None;
                };
                Some(Import::File { path, span })
            }
            Rule::module_path => Some(Import::Modules(self.module_paths(target))),
            _ => {
                self.unexpected(&target);
                None
            }
        }
    }

    /// `std/aws/ecs` or `std/aws/{ecs, ecr}`: one [`ModulePath`] per module.
    fn module_paths(&mut self, pair: Pair<Rule>) -> Vec<ModulePath> {
        let span = self.span(&pair);
        let mut prefix = Vec::new();
        let mut last = None;
        let mut group = Vec::new();
        for child in Children::of(pair).rest() {
            match child.as_rule() {
                Rule::ident => {
                    if let Some(previous) = last.replace(self.name(child)) {
                        prefix.push(previous);
                    }
                }
                Rule::module_group => {
                    group = Children::of(child).rest().filter_map(|entry| self.module_entry(entry)).collect()
                }
                _ => self.unexpected(&child),
            }
        }
        if group.is_empty() {
            let Some(binding) = last else { return Vec::new() };
            let mut segments: Vec<String> = prefix.iter().map(|n| n.text.clone()).collect();
            segments.push(binding.text.clone());
            return vec![ModulePath { segments, binding, renamed_from: None, span }];
        }
        prefix.extend(last);
        group
            .into_iter()
            .map(|(module, alias, span)| {
                let mut segments: Vec<String> = prefix.iter().map(|n| n.text.clone()).collect();
                segments.push(module.text.clone());
                match alias {
                    Some(binding) => ModulePath { segments, binding, renamed_from: Some(module), span },
                    None => ModulePath { segments, binding: module, renamed_from: None, span },
                }
            })
            .collect()
    }

    /// `network` or `network as net` in a module group (rule `module_entry`:
    /// an ident, then optionally `as` and an ident).
    fn module_entry(&mut self, pair: Pair<Rule>) -> Option<(Name, Option<Name>, Span)> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let module = self.name(children.expect()?);
        let alias = children.rest().find(|p| p.as_rule() == Rule::ident).map(|p| self.name(p));
        Some((module, alias, span))
    }

    fn project(&mut self, pair: Pair<Rule>) -> Option<Project> {
        let mut children = Children::of(pair);
        let name = self.name(children.expect()?);
        let mut project =
            Project { name, environments: Vec::new(), settings: Vec::new(), fields: Vec::new() };
        for item in children.rest() {
            let mut c = Children::of(item);
            let _doc = self.docs(&mut c);
            let Some(inner) = c.expect() else { continue };
            match inner.as_rule() {
                Rule::environments_list => {
                    project.environments.extend(Children::of(inner).rest().map(|p| self.name(p)))
                }
                Rule::settings_block => {
                    for field in Children::of(inner).rest() {
                        project.settings.extend(self.field_decl(field));
                    }
                }
                Rule::field_binding => project.fields.extend(self.binding(inner)),
                _ => self.unexpected(&inner),
            }
        }
        Some(project)
    }

    fn members(&mut self, children: Children) -> Vec<Member> {
        children
            .rest()
            .filter_map(|m| {
                let (input, range) = (m.get_input(), m.as_span().start()..m.as_span().end());
                let member = self.member(m);
                if member.is_none() {
                    self.broken.extend(recover::member_names(self.file, input, range));
                }
                member
            })
            .collect()
    }

    fn member(&mut self, pair: Pair<Rule>) -> Option<Member> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let doc = self.docs(&mut children);
        let inner = children.expect()?;
        let kind = match inner.as_rule() {
            Rule::param_decl => MemberKind::Param(self.field_decl(Children::of(inner).expect()?)?),
            Rule::field_binding => MemberKind::Binding(self.binding(inner)?),
            Rule::service_member => MemberKind::Service(self.binding(inner)?),
            Rule::pipeline_member => MemberKind::Pipeline(self.binding(inner)?),
            Rule::publish_member => MemberKind::Publish(self.binding(inner)?),
            Rule::output_member => MemberKind::Output(self.binding(inner)?),
            Rule::secret_member => {
                let mut c = Children::of(inner);
                let name = self.name(c.expect()?);
                let description = match c.maybe(Rule::string_lit) {
                    Some(s) => Some(self.string_lit(s)?),
                    None => None,
                };
                MemberKind::Secret { name, description }
            }
            Rule::resource_decl => MemberKind::Resource(self.resource(inner)?),
            Rule::require_stmt => MemberKind::Require(self.require(inner)?),
            _ => {
                self.unexpected(&inner);
                return None;
            }
        };
        let when = match children.maybe(Rule::when_clause) {
            Some(clause) => Some(self.when_clause(clause)?),
            None => None,
        };
        Some(Member { doc, kind, when, span })
    }

    /// `when_clause`: `when` (dropped) then the condition.
    fn when_clause(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        self.expr(Children::of(pair).expect()?)
    }

    /// `name = expr` in any of its member forms (the keyword is already dropped).
    fn binding(&mut self, pair: Pair<Rule>) -> Option<Binding> {
        let mut children = Children::of(pair);
        let name_pair = children.expect()?;
        let name = match name_pair.as_rule() {
            Rule::string_lit => {
                let span = self.span(&name_pair);
                let literal = self.string_lit(name_pair)?;
                let Some(text) = literal.as_plain() else {
                    self.diagnostics.push(Diagnostic::new(
                        Code::InvalidLiteral,
                        "a field name cannot be interpolated",
                        span,
                        "interpolation in a field name",
                    ));
                    return None;
                };
                Name { text, span }
            }
            _ => self.name(name_pair),
        };
        let value = self.expr(children.expect()?)?;
        Some(Binding { name, value })
    }

    fn resource(&mut self, pair: Pair<Rule>) -> Option<ResourceDecl> {
        let mut children = Children::of(pair);
        let type_name = self.string_lit(children.expect()?)?;
        let name = self.name(children.expect()?);
        let properties = self.record_lit(children.expect()?)?;
        let options = match children.expect() {
            Some(p) => Some(self.record_lit(p)?),
            None => None,
        };
        Some(ResourceDecl { type_name, name, properties, options })
    }

    fn require(&mut self, pair: Pair<Rule>) -> Option<Require> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let condition = self.expr(children.expect()?)?;
        let code = children.maybe(Rule::diag_code).map(|p| self.name(p));
        let message = self.string_lit(children.expect()?)?;
        Some(Require { condition, code, message, span })
    }

    fn type_decl(&mut self, pair: Pair<Rule>) -> Option<TypeDecl> {
        let mut children = Children::of(pair);
        let name = self.name(children.expect()?);
        let ty = self.type_expr(children.expect()?)?;
        let requires = match children.maybe(Rule::type_requires) {
            Some(block) => Children::of(block).rest().filter_map(|r| self.require(r)).collect(),
            None => Vec::new(),
        };
        Some(TypeDecl { name, ty, requires })
    }

    fn enum_decl(&mut self, pair: Pair<Rule>) -> Option<EnumDecl> {
        let mut children = Children::of(pair);
        let name = self.name(children.expect()?);
        let variants = children.rest().filter_map(|v| self.variant(v)).collect();
        Some(EnumDecl { name, variants })
    }

    fn variant(&mut self, pair: Pair<Rule>) -> Option<Variant> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let doc = self.docs(&mut children);
        let name = self.name(children.expect()?);
        let value = match children.maybe(Rule::string_lit) {
            Some(s) => Some(self.string_lit(s)?),
            None => None,
        };
        let fields = children.rest().filter_map(|f| self.field_decl(f)).collect();
        Some(Variant { doc, name, value, fields, span })
    }

    fn field_decl(&mut self, pair: Pair<Rule>) -> Option<FieldDecl> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let doc = self.docs(&mut children);
        let name = self.name(children.expect()?);
        let ty = self.type_expr(children.expect()?)?;
        let range = match children.maybe(Rule::range) {
            Some(r) => Some(self.range(r)?),
            None => None,
        };
        let default = match children.expect() {
            Some(e) => Some(self.expr(e)?),
            None => None,
        };
        Some(FieldDecl { doc, name, ty, range, default, span })
    }

    fn range(&mut self, pair: Pair<Rule>) -> Option<Range> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let low = self.optional_expr(children.expect()?)?;
        let high = match children.maybe(Rule::range_high) {
            Some(high) => self.optional_expr(high)?,
            None => None,
        };
        Some(Range { low, high, span })
    }

    /// `range_low` / `range_high`: an expression or nothing.
    fn optional_expr(&mut self, pair: Pair<Rule>) -> Option<Option<Expr>> {
        match Children::of(pair).expect() {
            Some(e) => Some(Some(self.expr(e)?)),
            None => Some(None),
        }
    }

    // ------------------------------------------------------------ types

    fn type_expr(&mut self, pair: Pair<Rule>) -> Option<TypeExpr> {
        let span = self.span(&pair);
        let mut children = Children::of(pair);
        let atom = children.expect()?;
        let atom_span = self.span(&atom);
        let kind = match atom.as_rule() {
            Rule::path => TypeExprKind::Named(Children::of(atom).rest().map(|p| self.name(p)).collect()),
            Rule::list_type => TypeExprKind::List(Box::new(self.type_expr(Children::of(atom).expect()?)?)),
            Rule::map_type => TypeExprKind::Map(Box::new(self.type_expr(Children::of(atom).expect()?)?)),
            Rule::deploy_type => {
                TypeExprKind::Deploy(Box::new(self.type_expr(Children::of(atom).expect()?)?))
            }
            Rule::record_type => {
                TypeExprKind::Record(Children::of(atom).rest().filter_map(|f| self.field_decl(f)).collect())
            }
            _ => {
                self.unexpected(&atom);
                return None;
            }
        };
        let inner = TypeExpr { kind, span: atom_span };
        Some(match children.maybe(Rule::optional_mark) {
            Some(_) => TypeExpr { kind: TypeExprKind::Optional(Box::new(inner)), span },
            None => inner,
        })
    }
}

mod expr;
