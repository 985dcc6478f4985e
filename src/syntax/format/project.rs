//! `project name { environments { .. } settings { .. } field = value }`.
//!
//! The AST keeps a project's environment names, settings and fields in three
//! lists and forgets where its `environments { }` and `settings { }` blocks
//! were. This module finds them again by walking the project body's tokens
//! between the nodes it knows, so the blocks print in their written order with
//! their comments. Anything unexpected returns `None` and the project stays as
//! written.

use super::block::{Elem, Seq};
use super::exprs::bounds;
use super::printer::{Ctx, Mode, Printer, INDENT};
use crate::syntax::ast::*;

/// A block or field of a project body, in written order.
enum Entry<'p> {
    Environments { start: usize, open: usize, close: usize, names: Vec<&'p Name> },
    Settings { start: usize, open: usize, close: usize, fields: Vec<&'p FieldDecl> },
    Field(&'p Binding),
}

impl Printer<'_> {
    /// The project declaration starting at `start` (its keyword) and ending at `end`.
    pub fn project(&self, project: &Project, start: usize, end: usize) -> Option<String> {
        let (_, name_end) = bounds(project.name.span);
        let open = self.next_token(name_end);
        if self.src.as_bytes().get(open) != Some(&b'{') {
            return None;
        }
        let close = end.checked_sub(1)?;
        let entries = self.entries(project, open + 1, close)?;
        let head = format!("{} ", self.named("project", start, &project.name));
        let seq = Seq::body(name_end, close, entries.iter().map(|e| self.entry_elem(e)).collect());
        Some(head.clone() + &self.seq(&seq, Ctx::line(0).after(&head), Mode::Fit)?)
    }

    fn entries<'p>(&self, project: &'p Project, from: usize, to: usize) -> Option<Vec<Entry<'p>>> {
        let mut entries = Vec::new();
        let mut pos = self.next_token(from);
        while pos < to {
            let rest = self.text(pos, to);
            if rest.starts_with(',') {
                pos = self.next_token(pos + 1);
                continue;
            }
            if let Some(b) = project.fields.iter().find(|b| b.name.span.start as usize == pos) {
                entries.push(Entry::Field(b));
                pos = self.next_token(bounds(b.value.span).1);
            } else if starts_keyword(rest, "environments") {
                let open = self.brace_after(pos + "environments".len())?;
                let close = self.close_of(open, to, |p| {
                    project.environments.iter().find(|n| n.span.start as usize == p).map(|n| bounds(n.span).1)
                })?;
                let names = project.environments.iter().filter(|n| within(n.span, open, close)).collect();
                entries.push(Entry::Environments { start: pos, open, close, names });
                pos = self.next_token(close + 1);
            } else if starts_keyword(rest, "settings") {
                let open = self.brace_after(pos + "settings".len())?;
                let close = self.close_of(open, to, |p| {
                    let field = project.settings.iter().find(|f| self.next_token(f.span.start as usize) == p);
                    field.map(|f| f.span.end as usize)
                })?;
                let fields = project.settings.iter().filter(|f| within(f.span, open, close)).collect();
                entries.push(Entry::Settings { start: pos, open, close, fields });
                pos = self.next_token(close + 1);
            } else {
                return None;
            }
        }
        Some(entries)
    }

    /// The `{` opening a block whose keyword ends at `pos`.
    fn brace_after(&self, pos: usize) -> Option<usize> {
        let open = self.next_token(pos);
        (self.src.as_bytes().get(open) == Some(&b'{')).then_some(open)
    }

    /// The `}` closing the block opened at `open`, stepping over the nodes
    /// `node_end` recognises (it returns a node's end given its start).
    fn close_of(
        &self,
        open: usize,
        limit: usize,
        node_end: impl Fn(usize) -> Option<usize>,
    ) -> Option<usize> {
        let mut pos = self.next_token(open + 1);
        while pos < limit {
            match self.src.as_bytes().get(pos) {
                Some(b'}') => return Some(pos),
                Some(b',') => pos = self.next_token(pos + 1),
                _ => pos = self.next_token(node_end(pos)?),
            }
        }
        None
    }

    fn entry_elem<'p>(&'p self, entry: &'p Entry<'p>) -> Elem<'p> {
        match entry {
            Entry::Field(b) => self.binding_elem("", None, b),
            Entry::Environments { start, open, close, names } => {
                self.block_elem("environments", *start, *open, *close, move || {
                    let names = names.iter().map(|n| self.name_elem(n)).collect();
                    Seq::commas("{", "}", true, self.flat_ok(*open, *close + 1), *open + 1, *close, names)
                })
            }
            Entry::Settings { start, open, close, fields } => {
                self.block_elem("settings", *start, *open, *close, move || {
                    Seq::body(*open + 1, *close, fields.iter().map(|f| self.field_elem(f)).collect())
                })
            }
        }
    }

    /// `keyword { .. }` from `start` to the `}` at `close`, its bracket built by `seq`.
    fn block_elem<'p>(
        &'p self,
        keyword: &'static str,
        start: usize,
        open: usize,
        close: usize,
        seq: impl Fn() -> Seq<'p> + 'p,
    ) -> Elem<'p> {
        let body = move |ctx: Ctx, mode: Mode| -> Option<String> {
            let lead = self.lead(start + keyword.len(), open, ctx.indent + INDENT, mode)?;
            let prefix = format!("{keyword} {lead}");
            Some(prefix.clone() + &self.seq(&seq(), ctx.after(&prefix), mode)?)
        };
        Elem { start, end: close + 1, head: None, body: Box::new(body) }
    }
}

/// `text` starts with the keyword `word` (not a longer name).
fn starts_keyword(text: &str, word: &str) -> bool {
    text.strip_prefix(word)
        .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
}

fn within(span: crate::source::Span, open: usize, close: usize) -> bool {
    (open..close).contains(&(span.start as usize))
}
