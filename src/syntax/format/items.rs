//! Declarations: the file, its items, and the members, fields, variants and
//! types inside them.
//!
//! Layout: one blank line between top-level declarations, imports grouped
//! without blank lines; declaration bodies (layer, construct, enum, settings,
//! `where`) always one member per line; record types and environment lists
//! follow the bracket rules of [`Seq`].

use super::block::{Align, Elem, Head, Seq};
use super::exprs::bounds;
use super::printer::{Ctx, Gap, Mode, Printer, INDENT};
use crate::syntax::ast::*;

impl Printer<'_> {
    /// The whole file, ending with one newline (empty when there is nothing).
    pub fn file(&self, file: &File) -> String {
        let mut out = String::new();
        let mut prev_end = 0;
        let mut prev_import = false;
        for (i, item) in file.items.iter().enumerate() {
            let start = self.next_token(item.span.start as usize);
            let gap = self.gap(prev_end, start);
            let import = matches!(item.kind, ItemKind::Import(_));
            if i == 0 {
                self.push_file_start(&mut out, &gap);
                if !out.is_empty() {
                    out.push_str(if gap.blank_after { "\n\n" } else { "\n" });
                }
            } else {
                self.push_trailing(&mut out, &gap);
                let blank = !(import && prev_import);
                self.push_between_items(&mut out, &gap, blank);
            }
            out.push_str(&self.item(item, start));
            prev_end = self.end_of(item.span);
            prev_import = import;
        }
        let gap = self.gap(prev_end, self.src.len());
        if file.items.is_empty() {
            self.push_file_start(&mut out, &gap);
            if out.is_empty() {
                return out;
            }
        } else {
            self.push_trailing(&mut out, &gap);
            self.push_dangling(&mut out, &gap, 0, true);
        }
        out.push('\n');
        out
    }

    /// Comments before the first item: every one on its own line.
    fn push_file_start(&self, out: &mut String, gap: &Gap) {
        let all = gap.trailing.iter().map(|c| (false, *c)).chain(gap.leading.iter().copied());
        for (i, (blank, c)) in all.enumerate() {
            if i > 0 {
                out.push_str(if blank { "\n\n" } else { "\n" });
            }
            out.push_str(self.comment(&c));
        }
    }

    /// The separator before an item and its own-line comments: a blank line
    /// (`blank`) or none between imports; blank lines among the comments kept.
    fn push_between_items(&self, out: &mut String, gap: &Gap, blank: bool) {
        out.push_str(if blank { "\n\n" } else { "\n" });
        for (i, (blank_before, c)) in gap.leading.iter().enumerate() {
            if i > 0 && *blank_before && blank {
                out.push('\n');
            }
            out.push_str(self.comment(c));
            out.push('\n');
        }
        if !gap.leading.is_empty() && gap.blank_after && blank {
            out.push('\n');
        }
    }

    /// One declaration; `start` is its keyword (after its doc comments).
    fn item(&self, item: &Item, start: usize) -> String {
        let end = self.end_of(item.span);
        let ctx = Ctx::line(0);
        let text = match &item.kind {
            ItemKind::Import(import) => self.import(import, start, end),
            ItemKind::Project(project) => self.project(project, start, end),
            ItemKind::Environment(env) => {
                let (name_start, name_end) = bounds(env.name.span);
                let lead = self.lead(start, name_start, INDENT, Mode::Fit);
                let mut out = format!("environment {}{} ", lead.unwrap_or_default(), env.name.text);
                let lead = self.lead(name_end, bounds(env.fields.span).0, INDENT, Mode::Fit);
                out.push_str(&lead.unwrap_or_default());
                self.record(&env.fields, ctx.after(&out), Mode::Fit).map(|r| out + &r)
            }
            ItemKind::Layer(layer) => Some(self.body_decl("layer", start, &layer.name, &layer.members, end)),
            ItemKind::Construct(c) => Some(self.body_decl("construct", start, &c.name, &c.members, end)),
            ItemKind::Type(decl) => Some(self.type_decl(decl, start, end)),
            ItemKind::Enum(decl) => Some(self.enum_decl(decl, start, end)),
        };
        // A shape the printer does not know stays as written.
        text.unwrap_or_else(|| self.text(start, end).to_string())
    }

    /// `keyword name` with any comments between them.
    pub(super) fn named(&self, keyword: &str, start: usize, name: &Name) -> String {
        let lead = self.lead(start, bounds(name.span).0, INDENT, Mode::Fit).unwrap_or_default();
        format!("{keyword} {lead}{}", name.text)
    }

    fn import(&self, import: &Import, start: usize, end: usize) -> Option<String> {
        let target = self.next_token(start + "import".len());
        let lead = self.lead(start, target, INDENT, Mode::Fit)?;
        let prefix = format!("import {lead}");
        let paths = match import {
            Import::File { span, .. } => return Some(prefix + self.slice(*span)),
            Import::Modules(paths) => paths,
        };
        let first = paths.first()?;
        let in_braces = first.span == first.binding.span || first.renamed_from.is_some();
        let grouped = paths.len() > 1 || (first.segments.len() > 1 && in_braces);
        if !grouped {
            return Some(prefix + self.slice(first.span));
        }
        let open = target + self.text(target, end).find('{')?;
        let segments = &first.segments[..first.segments.len() - 1];
        let head = format!("{prefix}{}/", segments.join("/"));
        let seq = Seq::commas(
            "{",
            "}",
            false,
            self.flat_ok(open, end),
            open + 1,
            end.saturating_sub(1),
            paths.iter().map(|p| self.module_elem(p)).collect(),
        );
        Some(head.clone() + &self.seq(&seq, Ctx::line(0).after(&head), Mode::Fit)?)
    }

    /// `ecs` or `network as net` in a module group; a renaming with comments
    /// inside stays as written.
    fn module_elem<'p>(&'p self, path: &'p ModulePath) -> Elem<'p> {
        let Some(module) = &path.renamed_from else { return self.name_elem(&path.binding) };
        let (start, end) = bounds(path.span);
        let text = if self.comments.any_between(start, end) {
            self.text(start, end).to_string()
        } else {
            format!("{} as {}", module.text, path.binding.text)
        };
        Elem { start, end, head: None, body: Box::new(move |_, _| Some(text.clone())) }
    }

    /// `layer name { members }` / `construct name { members }`.
    fn body_decl(&self, keyword: &str, start: usize, name: &Name, members: &[Member], end: usize) -> String {
        let head = format!("{} ", self.named(keyword, start, name));
        let seq = Seq::body(
            bounds(name.span).1,
            end.saturating_sub(1),
            members.iter().map(|m| self.member_elem(m)).collect(),
        );
        head.clone() + &self.seq(&seq, Ctx::line(0).after(&head), Mode::Fit).unwrap_or_default()
    }

    fn member_elem<'p>(&'p self, member: &'p Member) -> Elem<'p> {
        let elem = self.member_kind_elem(member);
        match &member.when {
            Some(when) => self.when_elem(elem, when),
            None => elem,
        }
    }

    /// `member when cond`: the member as it prints, then its condition.
    fn when_elem<'p>(&'p self, elem: Elem<'p>, when: &'p Expr) -> Elem<'p> {
        let Elem { start, end: member_end, head, body: member } = elem;
        let (when_start, end) = bounds(when.span);
        let body = move |ctx: Ctx, mode: Mode| -> Option<String> {
            let mut out = member(ctx, mode)?;
            out.push_str(" when ");
            out.push_str(&self.lead(member_end, when_start, ctx.indent + INDENT, mode)?);
            let condition = self.expr(when, ctx.after(&out), mode)?;
            Some(out + &condition)
        };
        Elem { start, end, head, body: Box::new(body) }
    }

    fn member_kind_elem<'p>(&'p self, member: &'p Member) -> Elem<'p> {
        let start = self.next_token(member.span.start as usize);
        match &member.kind {
            MemberKind::Param(field) => self.field_elem(field),
            MemberKind::Binding(b) => self.binding_elem("", None, b),
            MemberKind::Service(b) => self.binding_elem("service ", Some(start), b),
            MemberKind::Pipeline(b) => self.binding_elem("pipeline ", Some(start), b),
            MemberKind::Publish(b) => self.binding_elem("publish ", Some(start), b),
            MemberKind::Output(b) => self.binding_elem("output ", Some(start), b),
            MemberKind::Secret { name, description } => self.secret_elem(start, name, description.as_ref()),
            MemberKind::Resource(resource) => self.resource_elem(start, resource),
            MemberKind::Require(require) => self.require_elem(require),
        }
    }

    /// `secret name = "description"`, aligned with the bindings around it.
    fn secret_elem<'p>(
        &'p self,
        start: usize,
        name: &'p Name,
        description: Option<&'p StringLit>,
    ) -> Elem<'p> {
        let (name_start, name_end) = bounds(name.span);
        let Some(description) = description else {
            let body = move |_: Ctx, mode: Mode| {
                Some(format!("secret {}{}", self.lead(start, name_start, INDENT, mode)?, name.text))
            };
            return Elem { start, end: name_end, head: None, body: Box::new(body) };
        };
        let (desc_start, end) = bounds(description.span);
        if self.comments.any_between(start, desc_start) {
            let body = move |ctx: Ctx, mode: Mode| {
                let indent = ctx.indent + INDENT;
                let lead = self.lead(start, name_start, indent, mode)?;
                let gap = self.lead(name_end, desc_start, indent, mode)?;
                Some(format!("secret {lead}{} = {gap}{}", name.text, self.slice(description.span)))
            };
            return Elem { start, end, head: None, body: Box::new(body) };
        }
        let head = Head { text: format!("secret {}", name.text), align: Align::Equals };
        let body = move |_: Ctx, _: Mode| Some(self.slice(description.span).to_string());
        Elem { start, end, head: Some(head), body: Box::new(body) }
    }

    /// `resource "AWS::X::Y" name { properties } with { options }`
    fn resource_elem<'p>(&'p self, start: usize, r: &'p ResourceDecl) -> Elem<'p> {
        let end = bounds(r.options.as_ref().unwrap_or(&r.properties).span).1;
        let body = move |ctx: Ctx, mode: Mode| -> Option<String> {
            let indent = ctx.indent + INDENT;
            let (type_start, type_end) = bounds(r.type_name.span);
            let (name_start, name_end) = bounds(r.name.span);
            let mut out = format!("resource {}", self.lead(start, type_start, indent, mode)?);
            out.push_str(self.slice(r.type_name.span));
            out.push(' ');
            out.push_str(&self.lead(type_end, name_start, indent, mode)?);
            out.push_str(&r.name.text);
            out.push(' ');
            out.push_str(&self.lead(name_end, bounds(r.properties.span).0, indent, mode)?);
            out.push_str(&self.record(&r.properties, ctx.after(&out), mode)?);
            if let Some(options) = &r.options {
                out.push_str(" with ");
                out.push_str(&self.lead(
                    bounds(r.properties.span).1,
                    bounds(options.span).0,
                    indent,
                    mode,
                )?);
                out.push_str(&self.record(options, ctx.after(&out), mode)?);
            }
            Some(out)
        };
        Elem { start, end, head: None, body: Box::new(body) }
    }

    /// `require cond else CODE "message"`
    pub fn require_elem<'p>(&'p self, r: &'p Require) -> Elem<'p> {
        let (start, end) = (r.span.start as usize, self.end_of(r.span));
        let body = move |ctx: Ctx, mode: Mode| -> Option<String> {
            let indent = ctx.indent + INDENT;
            let (cond_start, cond_end) = bounds(r.condition.span);
            let (message_start, _) = bounds(r.message.span);
            let mut out = format!("require {}", self.lead(start, cond_start, indent, mode)?);
            out.push_str(&self.expr(&r.condition, ctx.after(&out), mode)?);
            out.push_str(" else ");
            let mut prev = cond_end;
            if let Some(code) = &r.code {
                out.push_str(&self.lead(prev, bounds(code.span).0, indent, mode)?);
                out.push_str(&code.text);
                out.push(' ');
                prev = bounds(code.span).1;
            }
            out.push_str(&self.lead(prev, message_start, indent, mode)?);
            out.push_str(self.slice(r.message.span));
            Some(out)
        };
        Elem { start, end, head: None, body: Box::new(body) }
    }

    /// `name: type in lo..hi = default`, its type aligned with its neighbours'.
    pub fn field_elem<'p>(&'p self, f: &'p FieldDecl) -> Elem<'p> {
        let start = self.next_token(f.span.start as usize);
        let (_, name_end) = bounds(f.name.span);
        let (type_start, _) = bounds(f.ty.span);
        let end = field_end(f);
        let tail = move |ctx: Ctx, mode: Mode| self.field_tail(f, ctx, mode);
        if self.comments.any_between(name_end, type_start) {
            let body = move |ctx: Ctx, mode: Mode| -> Option<String> {
                let lead = self.lead(name_end, type_start, ctx.indent + INDENT, mode)?;
                let prefix = format!("{}: {lead}", f.name.text);
                Some(prefix.clone() + &tail(ctx.after(&prefix), mode)?)
            };
            return Elem { start, end, head: None, body: Box::new(body) };
        }
        let head = Head { text: format!("{}:", f.name.text), align: Align::Colon };
        Elem { start, end, head: Some(head), body: Box::new(tail) }
    }

    /// The part of a field after `name: `: type, range and default.
    fn field_tail(&self, f: &FieldDecl, ctx: Ctx, mode: Mode) -> Option<String> {
        let indent = ctx.indent + INDENT;
        let mut out = self.type_expr(&f.ty, ctx, mode)?;
        let mut prev = bounds(f.ty.span).1;
        if let Some(range) = &f.range {
            // Comments before `in` stay before it: a range keeps to one line.
            let lead = self.lead(prev, bounds(range.span).0, indent, mode)?;
            out.push(' ');
            out.push_str(&lead);
            out.push_str("in ");
            prev = bounds(range.span).0;
            for (i, bound) in [&range.low, &range.high].into_iter().enumerate() {
                if i == 1 {
                    out.push_str("..");
                }
                if let Some(bound) = bound {
                    out.push_str(&self.lead(prev, bounds(bound.span).0, indent, mode)?);
                    out.push_str(&self.expr(bound, ctx.after(&out), mode)?);
                    prev = bounds(bound.span).1;
                }
            }
        }
        if let Some(default) = &f.default {
            out.push_str(" = ");
            out.push_str(&self.lead(prev, bounds(default.span).0, indent, mode)?);
            out.push_str(&self.expr(default, ctx.after(&out), mode)?);
        }
        Some(out)
    }

    /// A type: `string`, `[T]`, `map<T>`, `deploy<T>`, `T?`, `{ a: T }`.
    pub fn type_expr(&self, t: &TypeExpr, ctx: Ctx, mode: Mode) -> Option<String> {
        let (start, end) = bounds(t.span);
        let (open, inner, close) = match &t.kind {
            TypeExprKind::Named(names) => {
                let names: Vec<&str> = names.iter().map(|n| n.text.as_str()).collect();
                return Some(names.join("."));
            }
            TypeExprKind::Record(fields) => return self.record_type(fields, start, end, ctx, mode),
            TypeExprKind::List(inner) => ("[", inner, "]"),
            TypeExprKind::Map(inner) => ("map<", inner, ">"),
            TypeExprKind::Deploy(inner) => ("deploy<", inner, ">"),
            TypeExprKind::Optional(inner) => ("", inner, "?"),
        };
        let (inner_start, inner_end) = bounds(inner.span);
        let mut out = format!("{open}{}", self.lead(start, inner_start, ctx.indent + INDENT, mode)?);
        out.push_str(&self.type_expr(inner, ctx.after(&out), mode)?);
        out.push_str(&self.trail(inner_end, end.saturating_sub(1), Some(ctx.indent), mode)?);
        out.push_str(close);
        Some(out)
    }

    fn record_type(
        &self,
        fields: &[FieldDecl],
        start: usize,
        end: usize,
        ctx: Ctx,
        mode: Mode,
    ) -> Option<String> {
        let seq = Seq::record(
            self.flat_ok(start, end),
            start + 1,
            end.saturating_sub(1),
            fields.iter().map(|f| self.field_elem(f)).collect(),
        );
        self.seq(&seq, ctx, mode)
    }

    /// `type Name = T where { require .. }`
    fn type_decl(&self, decl: &TypeDecl, start: usize, end: usize) -> String {
        let (_, name_end) = bounds(decl.name.span);
        let (type_start, type_end) = bounds(decl.ty.span);
        let mut out = format!("{} = ", self.named("type", start, &decl.name));
        out.push_str(&self.lead(name_end, type_start, INDENT, Mode::Fit).unwrap_or_default());
        out.push_str(&self.type_expr(&decl.ty, Ctx::line(0).after(&out), Mode::Fit).unwrap_or_default());
        if decl.requires.is_empty() {
            // `where {}` says nothing; only its comments stay.
            out.push_str(&self.trail(type_end, end, None, Mode::Fit).unwrap_or_default());
            return out;
        }
        out.push_str(" where ");
        let seq = Seq::body(
            type_end,
            end.saturating_sub(1),
            decl.requires.iter().map(|r| self.require_elem(r)).collect(),
        );
        out.clone() + &self.seq(&seq, Ctx::line(0).after(&out), Mode::Fit).unwrap_or_default()
    }

    /// `enum Name { variants }`, one variant per line.
    fn enum_decl(&self, decl: &EnumDecl, start: usize, end: usize) -> String {
        let head = format!("{} ", self.named("enum", start, &decl.name));
        let seq = Seq::body(
            bounds(decl.name.span).1,
            end.saturating_sub(1),
            decl.variants.iter().map(|v| self.variant_elem(v)).collect(),
        );
        head.clone() + &self.seq(&seq, Ctx::line(0).after(&head), Mode::Fit).unwrap_or_default()
    }

    /// `name`, `name = "text"`, `name { fields }`; aligned on `=` when valued.
    fn variant_elem<'p>(&'p self, v: &'p Variant) -> Elem<'p> {
        let start = self.next_token(v.span.start as usize);
        let end = self.end_of(v.span);
        let (_, name_end) = bounds(v.name.span);
        let fields = move |ctx: Ctx, mode: Mode, from: usize| -> Option<String> {
            if v.fields.is_empty() && !self.comments.any_between(from, end) {
                return Some(String::new());
            }
            let seq = Seq::record(
                self.flat_ok(from, end),
                from,
                end.saturating_sub(1),
                v.fields.iter().map(|f| self.field_elem(f)).collect(),
            );
            Some(format!(" {}", self.seq(&seq, ctx.after(" "), mode)?))
        };
        let Some(value) = &v.value else {
            let body = move |ctx: Ctx, mode: Mode| {
                Some(v.name.text.clone() + &fields(ctx.after(&v.name.text), mode, name_end)?)
            };
            return Elem { start, end, head: None, body: Box::new(body) };
        };
        let (value_start, value_end) = bounds(value.span);
        let tail = move |ctx: Ctx, mode: Mode| -> Option<String> {
            let lead = self.lead(name_end, value_start, ctx.indent + INDENT, mode)?;
            let text = format!("{lead}{}", self.slice(value.span));
            Some(text.clone() + &fields(ctx.after(&text), mode, value_end)?)
        };
        let head = Head { text: v.name.text.clone(), align: Align::Equals };
        Elem { start, end, head: Some(head), body: Box::new(tail) }
    }
}

/// Just past a field's last part: default, range bound, or type.
fn field_end(f: &FieldDecl) -> usize {
    let range_end =
        f.range.as_ref().and_then(|r| r.high.as_ref().or(r.low.as_ref())).map(|e| bounds(e.span).1);
    f.default.as_ref().map(|d| bounds(d.span).1).or(range_end).unwrap_or(bounds(f.ty.span).1)
}
